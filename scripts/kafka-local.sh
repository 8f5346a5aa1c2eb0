#!/usr/bin/env bash
# Repo-owned single-node Apache Kafka (KRaft, broker+controller in one JVM) for
# development and CI. No Docker needed: the broker comes from Maven Central.
#
#   scripts/kafka-local.sh fetch    download the pinned broker into .cache/kafka/
#   scripts/kafka-local.sh start    fetch if needed, format, start, wait until ready
#   scripts/kafka-local.sh stop     SIGTERM, then SIGKILL after KAFKA_STOP_TIMEOUT
#   scripts/kafka-local.sh status   exit 0 if running and answering metadata requests
#   scripts/kafka-local.sh logs [-f]
#   scripts/kafka-local.sh grant|revoke [prefix]
#                                   the ACLs of the installation using that KAFKA_TOPIC_PREFIX
#                                   (start grants those of KAFKA_TOPIC_PREFIX, default empty)
#   scripts/kafka-local.sh run      the broker in the foreground (a container's command, docker/kafka):
#                                   the same configuration, with the certificate and the passwords
#                                   given in secrets/ and clients/ rather than made; formats only an
#                                   empty data dir; no readiness wait, no ACLs (a client grants them)
#
# Secured by default (KAFKA_SECURITY=sasl_ssl): TLS with a throw-away CA, SCRAM-SHA-512
# logins for the principals admin (super user: this script and test set-up only),
# gateway, identity, mfa, policy, notifications, subscriber and ops (the ops CLI: reads the
# integration topics, describes the relay groups, writes nothing), and the StandardAuthorizer with the
# ACLs of scripts/kafka/acls.mjs. What each client needs is written to
# $KAFKA_CACHE_DIR/clients/: ca.pem, <principal>.password, <principal>.env (the
# KAFKA_* variables the services read) and subscriber.kcat.conf.
# KAFKA_SECURITY=plaintext starts an unauthenticated development broker instead.
#
# Environment: KAFKA_SECURITY (sasl_ssl), KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093),
# KAFKA_TOPIC_PREFIX (empty), KAFKA_START_TIMEOUT (90 s), KAFKA_STOP_TIMEOUT (30 s),
# KAFKA_HEAP_OPTS (-Xmx512m -Xms256m), KAFKA_JVM_PERFORMANCE_OPTS (G1; C1 only for start, the
# full JIT for run),
# KAFKA_CACHE_DIR (.cache/kafka), KAFKA_JARS_DIR (KAFKA_CACHE_DIR: the fetched broker is
# <dir>/<version>/libs, so a second broker with its own cache, e.g. the fault tests', reuses
# the first one's download), JAVA_HOME.
# The broker binds to 127.0.0.1 only. The pinned version lives in scripts/kafka/pom.xml.
# For `run` in a container only: KAFKA_LISTEN_HOST (the clients' listener's bind address),
# KAFKA_ADVERTISED_HOST (the name clients reach it by), KAFKA_DATA_DIR (KAFKA_CACHE_DIR/data),
# KAFKA_BROKER_DN (the subject of the given certificate), KAFKA_LOG4J_CONFIG (log to the console).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONF_DIR="$ROOT/scripts/kafka"
POM="$CONF_DIR/pom.xml"
CACHE="${KAFKA_CACHE_DIR:-$ROOT/.cache/kafka}"
case "$CACHE" in /*) ;; *) CACHE="$PWD/$CACHE" ;; esac
HOST=127.0.0.1
LISTEN_HOST="${KAFKA_LISTEN_HOST:-$HOST}"
ADVERTISED_HOST="${KAFKA_ADVERTISED_HOST:-$HOST}"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
SECURITY="${KAFKA_SECURITY:-sasl_ssl}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m}"
# Kafka's own G1 settings. `start` (development, CI) adds C1-only JIT: on a 2-CPU runner
# this halves the time to ready (about 10 s -> 5 s) and the test load never needs C2's peak
# throughput. `run` (the container, a long-lived broker) keeps the full JIT: once warm it
# spends about half the CPU a request/reply round trip (README "Where a login's time goes").
KAFKA_G1_OPTS="-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent"
if [ "${1:-}" = run ]; then
  JVM_PERFORMANCE_OPTS="${KAFKA_JVM_PERFORMANCE_OPTS:-$KAFKA_G1_OPTS}"
else
  JVM_PERFORMANCE_OPTS="${KAFKA_JVM_PERFORMANCE_OPTS:-$KAFKA_G1_OPTS -XX:TieredStopAtLevel=1}"
fi

VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM")"
JARS="${KAFKA_JARS_DIR:-$CACHE}"
case "$JARS" in /*) ;; *) JARS="$PWD/$JARS" ;; esac
LIBS="$JARS/$VERSION/libs"
DATA="${KAFKA_DATA_DIR:-$CACHE/data}"
DATA_VERSION_FILE="$CACHE/data.kafka-version"
LOGS="$CACHE/logs"
CONFIG="$CACHE/server.properties"
PID_FILE="$CACHE/kafka.pid"
# What clients need (CA certificate, passwords, env files); readable by this user only.
CLIENTS="$CACHE/clients"
# The broker's private key and certificate chain.
SECRETS="$CACHE/secrets"
PRINCIPALS=(admin gateway identity mfa policy notifications subscriber ops)
# The broker's certificate subject: its principal on the controller listener (mutual TLS).
BROKER_DN="${KAFKA_BROKER_DN:-CN=kafka-local-broker}"
LOG4J_CONFIG="${KAFKA_LOG4J_CONFIG:-$CONF_DIR/log4j2.properties}"

say() { printf 'kafka-local: %s\n' "$*"; }
die() {
  printf 'kafka-local: %s\n' "$*" >&2
  exit 1
}

now_ms() {
  if [ -n "${EPOCHREALTIME:-}" ]; then
    local t="${EPOCHREALTIME/[.,]/}"
    echo $((t / 1000))
  else
    echo $(($(date +%s) * 1000))
  fi
}
elapsed() { awk -v ms="$(($(now_ms) - $1))" 'BEGIN { printf "%.1f s", ms / 1000 }'; }

[ -n "$VERSION" ] || die "no <kafka.version> in $POM"
case "$SECURITY" in
  sasl_ssl | plaintext) ;;
  *) die "KAFKA_SECURITY must be sasl_ssl (the default) or plaintext, not '$SECURITY'" ;;
esac

java_bin() {
  local java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
  command -v "$java" >/dev/null 2>&1 || die "java not found (Kafka $VERSION needs Java 17+; set JAVA_HOME)"
  local spec
  spec="$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  [ "${spec%%.*}" -ge 17 ] 2>/dev/null || die "Kafka $VERSION needs Java 17+, found '$spec' at $java"
  echo "$java"
}

# Serialises fetch/start/stop between concurrent callers (e.g. two test runs). Take
# it once per invocation (a second flock on a new fd would wait for the first). The
# fd must not leak into the broker, or the JVM would hold the lock for its lifetime.
lock() {
  mkdir -p "$CACHE"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$CACHE/.lock"
    flock -w 180 9 || die "timed out waiting for another kafka-local.sh to finish"
  fi
}

fetched() { [ -f "$LIBS/.complete" ]; }

cmd_fetch() {
  if fetched; then
    say "kafka $VERSION already fetched ($LIBS)"
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found: Maven is needed once to download Kafka $VERSION"
  local started tmp="$LIBS.partial"
  started="$(now_ms)"
  say "fetching kafka $VERSION from Maven Central..."
  rm -rf "$tmp"
  # Maven 3.8 prints colour resets even in batch mode; strip them.
  mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies -Dkafka.libs.dir="$tmp" 2>&1 |
    sed $'s/\x1b\\[[0-9;]*m//g' ||
    die "maven could not download kafka $VERSION (see output above)"
  [ -f "$tmp/kafka_2.13-$VERSION.jar" ] || die "maven finished but kafka_2.13-$VERSION.jar is missing in $tmp"
  touch "$tmp/.complete"
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  say "fetched kafka $VERSION ($(find "$LIBS" -name '*.jar' | wc -l | tr -d ' ') jars) in $(elapsed "$started")"
}

read_pid() { [ -f "$PID_FILE" ] && tr -d ' \n' <"$PID_FILE" || true; }

# True if $1 is a live broker started from this cache (guards against pid reuse).
is_our_broker() {
  local pid="$1"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
    ps -ww -p "$pid" -o args= 2>/dev/null | grep -qF "kafka.Kafka $CONFIG"
}

# The port and the security mode the running broker was started with, from its generated config.
running_port() { sed -n "s#^advertised.listeners=[A-Z_]*://$HOST:\([0-9]*\)\$#\1#p" "$CONFIG" 2>/dev/null; }
running_security() {
  if grep -q '^advertised.listeners=SASL_SSL:' "$CONFIG" 2>/dev/null; then echo sasl_ssl; else echo plaintext; fi
}

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

need_node_modules() {
  [ -f "$ROOT/node_modules/kafkajs/package.json" ] ||
    die "node_modules/kafkajs is missing: run 'npm ci' first (the readiness check and the ACLs use kafkajs)"
}

wait_ready() { # security brokers timeout_ms [pid]
  need_node_modules
  local security="$1"
  shift
  if [ "$security" = sasl_ssl ]; then
    KAFKA_CLIENT_ENV_FILE="$CLIENTS/admin.env" node "$CONF_DIR/wait-ready.mjs" "$@"
  else
    node "$CONF_DIR/wait-ready.mjs" "$@"
  fi
}

acls() { # grant|revoke prefix
  need_node_modules
  node "$CONF_DIR/acls.mjs" "$1" "$CLIENTS/admin.env" "$2"
}

# A throw-away CA signs the broker's certificate (P-256, one year), then its key is
# deleted: nobody can issue another certificate that this broker's clients trust.
# Made again when missing or expiring within a day; clients read ca.pem at their start.
ensure_tls_material() {
  if [ -f "$SECRETS/broker.pem" ] && [ -f "$CLIENTS/ca.pem" ] &&
    openssl x509 -checkend 86400 -noout -in "$SECRETS/broker.pem" >/dev/null 2>&1; then
    return 0
  fi
  command -v openssl >/dev/null 2>&1 ||
    die "openssl not found: it makes the broker's TLS certificate (or start with KAFKA_SECURITY=plaintext)"
  local tmp
  tmp="$(mktemp -d)"
  (
    umask 077
    cd "$tmp"
    printf 'subjectAltName=IP:%s,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n' \
      "$HOST" >broker.ext
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc -keyout ca.key -out ca.pem -days 365 \
      -subj "/CN=kafka-local throw-away CA" -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" &&
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc -keyout broker.key -out broker.csr \
        -subj "/$BROKER_DN" &&
      openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 16)" \
        -days 365 -extfile broker.ext -out broker.crt
  ) >"$tmp/openssl.out" 2>&1 || {
    cat "$tmp/openssl.out" >&2
    rm -rf "$tmp"
    die "could not make the broker's TLS certificate"
  }
  mkdir -p "$SECRETS" "$CLIENTS"
  chmod 700 "$SECRETS" "$CLIENTS"
  (
    umask 077
    # Kafka's PEM key store: the unencrypted PKCS#8 key, then the certificate chain.
    cat "$tmp/broker.key" "$tmp/broker.crt" "$tmp/ca.pem" >"$SECRETS/broker.pem"
    cp "$tmp/ca.pem" "$CLIENTS/ca.pem"
  )
  rm -rf "$tmp"
}

# A principal added to PRINCIPALS after the broker's data was formatted (SCRAM users are
# stored at format time): its password is made and its SCRAM user created on the running
# broker, as admin (kafka/AddScramUser.java on the broker's jars; passwords through the
# environment only). Nothing to do on a plaintext broker.
add_missing_principals() {
  [ "$(running_security)" = sasl_ssl ] || return 0
  local principal missing=() java
  for principal in "${PRINCIPALS[@]}"; do [ -s "$CLIENTS/$principal.password" ] || missing+=("$principal"); done
  [ "${#missing[@]}" -gt 0 ] || return 0
  java="$(java_bin)"
  for principal in "${missing[@]}"; do
    (
      umask 077
      head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$CLIENTS/$principal.password.new"
    )
    if KAFKA_BOOTSTRAP="$HOST:$(running_port)" KAFKA_CA_FILE="$CLIENTS/ca.pem" \
      KAFKA_ADMIN_PASSWORD="$(cat "$CLIENTS/admin.password")" SCRAM_USER="$principal" \
      SCRAM_PASSWORD="$(cat "$CLIENTS/$principal.password.new")" \
      "$java" -XX:TieredStopAtLevel=1 -cp "$LIBS/*" -Dlog4j2.configurationFile="$LOG4J_CONFIG" \
      -Dkafka.logs.dir="$LOGS" "$CONF_DIR/AddScramUser.java" >"$LOGS/add-principal.out" 2>&1; then
      mv "$CLIENTS/$principal.password.new" "$CLIENTS/$principal.password"
      say "added the principal $principal to the running broker"
    else
      rm -f "$CLIENTS/$principal.password.new"
      tail -n 5 "$LOGS/add-principal.out" >&2
      die "could not add the principal $principal to the running broker"
    fi
  done
  write_client_files
}

credentials_complete() {
  local principal
  for principal in "${PRINCIPALS[@]}"; do [ -s "$CLIENTS/$principal.password" ] || return 1; done
}

# Each principal's connection settings, as the services read them (a KAFKA_* env
# file: `node --env-file=<file>`, or `set -a; . <file>`) and as kcat does (-F <file>).
# Written on every start: they follow the port and the security mode.
write_client_files() {
  local principal
  (
    umask 077
    for principal in "${PRINCIPALS[@]}"; do
      if [ "$SECURITY" = plaintext ]; then
        printf '# Written by scripts/kafka-local.sh start: the local broker, plaintext (development only).\nKAFKA_BROKERS=%s\n' \
          "$HOST:$PORT" >"$CLIENTS/$principal.env"
        [ "$principal" != subscriber ] ||
          printf '# Written by scripts/kafka-local.sh start: kcat -F <this file>.\nbootstrap.servers=%s\n' \
            "$HOST:$PORT" >"$CLIENTS/$principal.kcat.conf"
        continue
      fi
      cat >"$CLIENTS/$principal.env" <<EOF
# Written by scripts/kafka-local.sh start: the local broker, as principal $principal.
KAFKA_BROKERS=$HOST:$PORT
KAFKA_SSL_CA_FILE=$CLIENTS/ca.pem
KAFKA_SASL_MECHANISM=scram-sha-512
KAFKA_SASL_USERNAME=$principal
KAFKA_SASL_PASSWORD_FILE=$CLIENTS/$principal.password
EOF
      [ "$principal" = subscriber ] || continue
      # kcat, as the subscriber. PLAIN (over TLS): librdkafka before 2.6.1, e.g. Debian 12's
      # kcat, sends a SCRAM proof Kafka 4 rejects; with a newer one, SCRAM-SHA-512 works too.
      cat >"$CLIENTS/$principal.kcat.conf" <<EOF
# Written by scripts/kafka-local.sh start: kcat -F <this file>, as principal $principal.
bootstrap.servers=$HOST:$PORT
security.protocol=SASL_SSL
sasl.mechanisms=PLAIN
sasl.username=$principal
sasl.password=$(cat "$CLIENTS/$principal.password")
ssl.ca.location=$CLIENTS/ca.pem
EOF
    done
  )
}

listener_config() {
  if [ "$SECURITY" = plaintext ]; then
    cat <<EOF
listeners=PLAINTEXT://$LISTEN_HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$ADVERTISED_HOST:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
EOF
    return 0
  fi
  cat <<EOF
# Clients: TLS, then a SCRAM-SHA-512 login. The controller listener takes only the
# broker itself (mutual TLS with its certificate): SCRAM credentials are metadata the
# controller serves, so they cannot guard the controller's own door.
listeners=SASL_SSL://$LISTEN_HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=SASL_SSL://$ADVERTISED_HOST:$PORT
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:SSL
inter.broker.listener.name=SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$(cat "$CLIENTS/admin.password")";
# PLAIN for the subscriber only, for clients whose SCRAM Kafka 4 rejects (librdkafka
# before 2.6.1, e.g. Debian 12's kcat); TLS keeps the password off the wire.
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_subscriber="$(cat "$CLIENTS/subscriber.password")";
ssl.keystore.type=PEM
ssl.keystore.location=$SECRETS/broker.pem
ssl.truststore.type=PEM
ssl.truststore.location=$CLIENTS/ca.pem
listener.name.controller.ssl.client.auth=required

# Nothing is allowed that an ACL (scripts/kafka/acls.mjs) does not allow, except to
# admin and to the broker itself.
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:admin;User:$BROKER_DN
EOF
}

write_config() {
  # A subshell for umask: the config holds the admin password (the broker's own SCRAM login).
  (
    umask 077
    cat >"$CONFIG" <<EOF
# Generated by scripts/kafka-local.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
controller.listener.names=CONTROLLER
$(listener_config)
log.dirs=$DATA

# One node: every internal topic has a single replica.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1

# Tuned for tests: no rebalance delay, small defaults, few threads.
group.initial.rebalance.delay.ms=0
num.partitions=1
auto.create.topics.enable=true
delete.topic.enable=true
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=24
EOF
  )
}

# SCRAM credentials live in the cluster metadata, so they are made when the data dir
# is formatted, in both security modes (switching modes keeps the data). Every format
# makes new passwords; a data dir whose passwords were lost is formatted again.
needs_format() {
  [ -f "$DATA/meta.properties" ] || return 0
  local formatted_by
  formatted_by="$(cat "$DATA_VERSION_FILE" 2>/dev/null || echo unknown)"
  if [ "$formatted_by" != "$VERSION" ]; then
    say "data dir was formatted by kafka $formatted_by; reformatting for $VERSION (local test data is discarded)"
    return 0
  fi
  if ! credentials_complete; then
    say "no SCRAM passwords in $CLIENTS for this data dir; reformatting with new ones (local test data is discarded)"
    return 0
  fi
  return 1
}

new_passwords() {
  local principal
  mkdir -p "$CLIENTS"
  chmod 700 "$CLIENTS"
  for principal in "${PRINCIPALS[@]}"; do
    (
      umask 077
      head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$CLIENTS/$principal.password"
    )
  done
}

format_data() { # java
  local java="$1" cluster_id principal scram=()
  rm -rf "$DATA"
  mkdir -p "$DATA"
  cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' | cut -c1-22)"
  # One id in 64 would start with '-', which the storage tool reads as an option: any other first character will do.
  [ "${cluster_id:0:1}" != "-" ] || cluster_id="A${cluster_id:1}"
  # The storage tool takes credentials on its command line only: there for the few
  # seconds of the format, never logged (a local, throw-away broker).
  for principal in "${PRINCIPALS[@]}"; do
    scram+=(--add-scram "SCRAM-SHA-512=[name=$principal,password=$(cat "$CLIENTS/$principal.password")]")
  done
  # Its output lists the stored SCRAM keys: shown on failure only, never kept.
  local output
  output="$("$java" -XX:TieredStopAtLevel=1 -cp "$LIBS/*" \
    -Dlog4j2.configurationFile="$LOG4J_CONFIG" -Dkafka.logs.dir="$LOGS" \
    kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG" "${scram[@]}" 2>&1)" ||
    {
      printf '%s\n' "$output" | grep -v UserScramCredentialRecord >&2
      die "formatting $DATA failed"
    }
  echo "$VERSION" >"$DATA_VERSION_FILE"
}

file_size() { if [ -f "$1" ]; then wc -c <"$1" | tr -d ' '; else echo 0; fi; }

# Prints what this start wrote: server.log is appended to across starts.
print_startup_logs() { # server.log size before the start
  local from="$1" size
  size="$(file_size "$LOGS/server.log")"
  if [ "$size" -gt "$from" ]; then
    printf -- '--- %s (this start, last 40 lines) ---\n' "$LOGS/server.log" >&2
    tail -c "+$((from + 1))" "$LOGS/server.log" | tail -n 40 >&2
  elif [ "$size" -lt "$from" ]; then # rolled over meanwhile
    printf -- '--- %s (last 40 lines) ---\n' "$LOGS/server.log" >&2
    tail -n 40 "$LOGS/server.log" >&2
  fi
  if [ -s "$LOGS/kafka.out" ]; then
    printf -- '--- %s (JVM output) ---\n' "$LOGS/kafka.out" >&2
    tail -n 40 "$LOGS/kafka.out" >&2
  fi
}

cmd_start() {
  lock
  local pid
  pid="$(read_pid)"
  if is_our_broker "$pid"; then
    local port security
    port="$(running_port)"
    security="$(running_security)"
    [ "$port" = "$PORT" ] ||
      die "already running on $HOST:$port (pid $pid), not on the requested port $PORT; run 'stop' first"
    [ "$security" = "$SECURITY" ] ||
      die "already running with KAFKA_SECURITY=$security (pid $pid), not $SECURITY; run 'stop' first"
    # Another caller may have started it moments ago: answer only once it is ready.
    wait_ready "$security" "$HOST:$PORT" "$((START_TIMEOUT * 1000))" "$pid" ||
      die "FAILED: kafka (pid $pid) is running but not ready on $HOST:$PORT (logs: $LOGS)"
    add_missing_principals
    [ "$security" = plaintext ] || acls grant "${KAFKA_TOPIC_PREFIX:-}" >/dev/null
    # libs/testing/src/kafka-broker.ts reads "already running" to know it must not stop this broker.
    say "kafka $VERSION already running on $HOST:$PORT ($security, pid $pid)"
    return 0
  fi
  rm -f "$PID_FILE"

  fetched || cmd_fetch
  local started java
  started="$(now_ms)"
  java="$(java_bin)"
  local p
  for p in "$PORT" "$CONTROLLER_PORT"; do
    ! port_in_use "$p" || die "port $p on $HOST is already in use by another process (set KAFKA_PORT / KAFKA_CONTROLLER_PORT)"
  done

  mkdir -p "$LOGS"
  [ "$SECURITY" = plaintext ] || ensure_tls_material
  if needs_format; then
    new_passwords
    write_config
    format_data "$java"
  else
    write_config
  fi
  write_client_files

  local log_from
  log_from="$(file_size "$LOGS/server.log")"
  local launcher=()
  command -v setsid >/dev/null 2>&1 && launcher=(setsid)
  # shellcheck disable=SC2086 # the *_OPTS are lists of JVM flags
  ${launcher[@]+"${launcher[@]}"} nohup "$java" $HEAP_OPTS $JVM_PERFORMANCE_OPTS -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$LOG4J_CONFIG" -Dkafka.logs.dir="$LOGS" \
    -cp "$LIBS/*" kafka.Kafka "$CONFIG" >"$LOGS/kafka.out" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid" >"$PID_FILE"

  local rc=0
  wait_ready "$SECURITY" "$HOST:$PORT" "$((START_TIMEOUT * 1000))" "$pid" || rc=$?
  if [ "$rc" -eq 0 ] && [ "$SECURITY" = sasl_ssl ]; then
    acls grant "${KAFKA_TOPIC_PREFIX:-}" >/dev/null || rc=4
  fi
  if [ "$rc" -eq 0 ]; then
    say "kafka $VERSION ready on $HOST:$PORT ($SECURITY, pid $pid, started in $(elapsed "$started"))"
    [ "$SECURITY" = plaintext ] || say "client settings per principal in $CLIENTS"
    return 0
  fi
  print_startup_logs "$log_from"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
  case "$rc" in
    3) die "FAILED: kafka $VERSION exited during startup (logs: $LOGS)" ;;
    4) die "FAILED: kafka $VERSION started but its ACLs could not be created (logs: $LOGS)" ;;
  esac
  die "FAILED: kafka $VERSION not ready on $HOST:$PORT within ${START_TIMEOUT}s (logs: $LOGS)"
}

cmd_stop() {
  lock
  local pid
  pid="$(read_pid)"
  if ! is_our_broker "$pid"; then
    rm -f "$PID_FILE"
    say "kafka not running"
    return 0
  fi
  local started waited=0
  started="$(now_ms)"
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt "$((STOP_TIMEOUT * 5))" ]; do
    sleep 0.2
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "kafka (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$PID_FILE"
  say "kafka stopped (pid $pid, in $(elapsed "$started"))"
}

# A container's broker: the configuration `start` writes, the JVM in the foreground (PID 1's
# child, so `docker stop` is its controlled shutdown). The certificate and the passwords come
# from the container's secrets: made here, they would differ from the ones its clients hold.
cmd_run() {
  fetched || die "kafka $VERSION is not in $LIBS (scripts/kafka-local.sh fetch)"
  local java
  java="$(java_bin)"
  if [ "$SECURITY" = sasl_ssl ]; then
    [ -s "$SECRETS/broker.pem" ] && [ -s "$CLIENTS/ca.pem" ] ||
      die "run needs $SECRETS/broker.pem and $CLIENTS/ca.pem (the broker's key and certificate chain, its CA)"
    credentials_complete || die "run needs $CLIENTS/<principal>.password for ${PRINCIPALS[*]}"
  fi
  mkdir -p "$LOGS"
  write_config
  # An existing data dir is kept whatever version formatted it: Kafka upgrades its own metadata.
  [ -f "$DATA/meta.properties" ] || format_data "$java"
  say "starting kafka $VERSION on $LISTEN_HOST:$PORT, advertised as $ADVERTISED_HOST:$PORT ($SECURITY)"
  # shellcheck disable=SC2086 # the *_OPTS are lists of JVM flags
  exec "$java" $HEAP_OPTS $JVM_PERFORMANCE_OPTS -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$LOG4J_CONFIG" -Dkafka.logs.dir="$LOGS" \
    -cp "$LIBS/*" kafka.Kafka "$CONFIG"
}

cmd_status() {
  local pid port security
  pid="$(read_pid)"
  if ! is_our_broker "$pid"; then
    say "kafka not running"
    return 3
  fi
  port="$(running_port)"
  security="$(running_security)"
  if wait_ready "$security" "$HOST:$port" 5000 "$pid" 2>/dev/null; then
    say "kafka $VERSION running on $HOST:$port ($security, pid $pid)"
    return 0
  fi
  say "kafka process $pid is up but $HOST:$port does not answer metadata requests"
  return 1
}

cmd_acls() { # grant|revoke [prefix]
  local pid
  pid="$(read_pid)"
  is_our_broker "$pid" || die "kafka is not running"
  [ "$(running_security)" = sasl_ssl ] || die "the running broker is plaintext: it has no ACLs"
  [ "$1" != grant ] || add_missing_principals
  acls "$1" "${2:-}"
}

cmd_logs() {
  [ -f "$LOGS/server.log" ] || die "no broker log yet ($LOGS/server.log)"
  if [ "${1:-}" = "-f" ]; then
    exec tail -n 100 -f "$LOGS/server.log"
  fi
  tail -n 200 "$LOGS/server.log"
}

case "${1:-}" in
  fetch)
    lock
    cmd_fetch
    ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  run) cmd_run ;;
  logs) cmd_logs "${2:-}" ;;
  grant | revoke) cmd_acls "$1" "${2:-}" ;;
  *)
    echo "usage: $0 fetch|start|stop|status|run|logs [-f]|grant [prefix]|revoke [prefix]" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# Every secret docker-compose.yml mounts, made with OpenSSL alone, into one folder per
# service (default ./secrets, which git ignores; Compose reads TOTP_MFA_SECRETS):
#
#   kafka/          ca.pem, broker.pem (the broker's key and chain), <principal>.password (kafka-local.sh's PRINCIPALS)
#   gateway/        JWT_PRIVATE_KEY, JWT_PREVIOUS_PUBLIC_KEYS, IDENTITY_SEALING_PUBLIC_KEY, MFA_SEALING_PUBLIC_KEY
#   identity/       IDENTITY_SEALING_PRIVATE_KEY, IDENTITY_SEALING_PREVIOUS_PRIVATE_KEYS, BOOTSTRAP_ADMIN_PASSWORD, PGPASSWORD
#   mfa/            MFA_ENCRYPTION_KEY, MFA_PREVIOUS_ENCRYPTION_KEYS, MFA_SEALING_PRIVATE_KEY,
#                   MFA_SEALING_PREVIOUS_PRIVATE_KEYS, PGPASSWORD
#   policy/         PGPASSWORD
#   notifications/  SMTP_URL (empty: .eml files in the container's tmpfs), PGPASSWORD
#
#   scripts/docker-secrets.sh [dir]    makes what is missing; never replaces a file that exists
#
# BOOTSTRAP_ADMIN_PASSWORD: a random one unless TOTP_MFA_ADMIN_PASSWORD is set; empty it for
# no bootstrap. SMTP_URL: TOTP_MFA_SMTP_URL, else empty. The Kafka CA's key is deleted once
# the broker's certificate is signed. Every image runs as uid 1000: as root, the files are
# given to 1000; as another user whose uid is not 1000, `sudo chown -R 1000 <dir>` afterwards.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${1:-$ROOT/secrets}"
# The broker's principals, as scripts/kafka-local.sh (whose `run` the Kafka image uses) lists them.
read -r -a PRINCIPALS <<<"$(sed -n 's/^PRINCIPALS=(\(.*\))$/\1/p' "$ROOT/scripts/kafka-local.sh")"
[ "${#PRINCIPALS[@]}" -gt 0 ] || { echo "docker-secrets: no PRINCIPALS=(...) in scripts/kafka-local.sh" >&2; exit 1; }
PG_ROLES=(identity mfa policy notifications)

say() { printf 'docker-secrets: %s\n' "$*"; }
die() {
  printf 'docker-secrets: %s\n' "$*" >&2
  exit 1
}
command -v openssl >/dev/null || die "openssl not found"

umask 077
mkdir -p "$DIR"/{kafka,gateway,identity,mfa,policy,notifications}
cd "$DIR"
made=0

# write_once <file> <command...>: the command's output into the file, unless the file exists.
write_once() {
  local file="$1"
  shift
  [ -e "$file" ] && return 0
  "$@" >"$file.new" || {
    rm -f "$file.new"
    die "could not make $file"
  }
  mv "$file.new" "$file"
  made=$((made + 1))
}

password() { openssl rand -hex 24; }
key32() { openssl rand -base64 32; }
# An X25519 key pair as the services read it: the raw 32 bytes, base64 (DER's last 32 bytes).
x25519_private() { openssl genpkey -algorithm X25519 -outform DER | tail -c 32 | base64; }
x25519_public_of() { # private key file
  # PKCS#8 of an X25519 key: this 16-byte prefix, then the raw key.
  {
    printf '\x30\x2e\x02\x01\x00\x30\x05\x06\x03\x2b\x65\x6e\x04\x22\x04\x20'
    base64 -d <"$1"
  } | openssl pkey -inform DER -pubout -outform DER | tail -c 32 | base64
}

kafka_tls() {
  [ -e kafka/broker.pem ] && [ -e kafka/ca.pem ] && return 0
  local tmp
  tmp="$(mktemp -d)"
  (
    cd "$tmp"
    printf 'subjectAltName=DNS:kafka,DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n' >broker.ext
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc -keyout ca.key -out ca.pem -days 365 \
      -subj /CN=totp-mfa-kafka-ca -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign &&
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc -keyout broker.key -out broker.csr -subj /CN=kafka &&
      openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 16)" -days 365 \
        -extfile broker.ext -out broker.crt
  ) >"$tmp/openssl.out" 2>&1 || {
    cat "$tmp/openssl.out" >&2
    rm -rf "$tmp"
    die "could not make the Kafka certificates"
  }
  # Kafka's PEM key store: the unencrypted PKCS#8 key, then the chain.
  cat "$tmp/broker.key" "$tmp/broker.crt" "$tmp/ca.pem" >kafka/broker.pem
  cp "$tmp/ca.pem" kafka/ca.pem
  rm -rf "$tmp"
  made=$((made + 2))
}

kafka_tls
for principal in "${PRINCIPALS[@]}"; do write_once "kafka/$principal.password" password; done
for role in "${PG_ROLES[@]}"; do write_once "$role/PGPASSWORD" password; done

write_once gateway/JWT_PRIVATE_KEY openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256
write_once identity/IDENTITY_SEALING_PRIVATE_KEY x25519_private
write_once mfa/MFA_SEALING_PRIVATE_KEY x25519_private
write_once mfa/MFA_ENCRYPTION_KEY key32
write_once gateway/IDENTITY_SEALING_PUBLIC_KEY x25519_public_of identity/IDENTITY_SEALING_PRIVATE_KEY
write_once gateway/MFA_SEALING_PUBLIC_KEY x25519_public_of mfa/MFA_SEALING_PRIVATE_KEY
for empty in gateway/JWT_PREVIOUS_PUBLIC_KEYS identity/IDENTITY_SEALING_PREVIOUS_PRIVATE_KEYS \
  mfa/MFA_PREVIOUS_ENCRYPTION_KEYS mfa/MFA_SEALING_PREVIOUS_PRIVATE_KEYS; do
  write_once "$empty" true
done
write_once identity/BOOTSTRAP_ADMIN_PASSWORD printf %s "${TOTP_MFA_ADMIN_PASSWORD:-$(openssl rand -base64 18)}"
write_once notifications/SMTP_URL printf %s "${TOTP_MFA_SMTP_URL:-}"

chmod 0700 . kafka gateway identity mfa policy notifications
find . -type f -exec chmod 0400 {} +
if [ "$(id -u)" -eq 0 ]; then
  chown -R 1000:1000 .
elif [ "$(id -u)" -ne 1000 ]; then
  say "the images run as uid 1000: run 'sudo chown -R 1000 $DIR' before 'docker-compose up'"
fi
say "$made secret files made in $DIR"

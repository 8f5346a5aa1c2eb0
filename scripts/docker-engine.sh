#!/usr/bin/env bash
# A Docker engine for CI on a machine without one: Debian's docker.io (dockerd, overlay2)
# and docker-compose (v1), started in the background by this script, no systemd needed.
#
#   scripts/docker-engine.sh install   apt-get install docker.io docker-compose debootstrap (root; once)
#   scripts/docker-engine.sh start     install if needed, start dockerd unless an engine answers, wait
#   scripts/docker-engine.sh stop      stop the dockerd this script started (never another one)
#   scripts/docker-engine.sh status    exit 0 if an engine answers
#
# Idempotent: `start` with an engine already answering (a developer's, or a second call)
# leaves it alone, and `stop` then does nothing. Everything lives in $DOCKER_ENGINE_DIR
# (.cache/docker): dockerd.pid, dockerd.log. Environment: DOCKER_ENGINE_DIR,
# DOCKER_START_TIMEOUT (60 s), DOCKER_STOP_TIMEOUT (30 s).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${DOCKER_ENGINE_DIR:-$ROOT/.cache/docker}"
PID_FILE="$DIR/dockerd.pid"
LOG="$DIR/dockerd.log"
START_TIMEOUT="${DOCKER_START_TIMEOUT:-60}"
STOP_TIMEOUT="${DOCKER_STOP_TIMEOUT:-30}"
PACKAGES=(docker.io docker-compose debootstrap)

say() { printf 'docker-engine: %s\n' "$*"; }
die() {
  printf 'docker-engine: %s\n' "$*" >&2
  exit 1
}

answers() { docker info >/dev/null 2>&1; }

installed() { command -v dockerd >/dev/null && command -v docker-compose >/dev/null && command -v debootstrap >/dev/null; }

cmd_install() {
  if installed; then
    say "docker.io, docker-compose and debootstrap already installed"
    return 0
  fi
  [ "$(id -u)" -eq 0 ] || die "installing ${PACKAGES[*]} needs root (apt-get)"
  say "installing ${PACKAGES[*]} (apt-get)..."
  # Debian images forbid services to start on install (policy-rc.d): this script starts dockerd itself.
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${PACKAGES[@]}" >/dev/null; } || die "apt-get could not install ${PACKAGES[*]}"
  installed || die "installed ${PACKAGES[*]}, yet dockerd, docker-compose or debootstrap is missing"
}

read_pid() { [ -f "$PID_FILE" ] && tr -d ' \n' <"$PID_FILE" || true; }

# True if $1 is a live dockerd this script started (guards against pid reuse).
is_ours() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null && ps -ww -p "$1" -o args= 2>/dev/null | grep -q '^dockerd '; }

cmd_start() {
  if answers; then
    say "an engine already answers ($(docker version -f '{{.Server.Version}}' 2>/dev/null || echo '?'))"
    return 0
  fi
  cmd_install
  [ "$(id -u)" -eq 0 ] || die "dockerd needs root"
  mkdir -p "$DIR"
  local pid started=$SECONDS
  pid="$(read_pid)"
  if ! is_ours "$pid"; then
    local launcher=()
    command -v setsid >/dev/null 2>&1 && launcher=(setsid)
    ${launcher[@]+"${launcher[@]}"} nohup dockerd --storage-driver overlay2 >>"$LOG" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$PID_FILE"
  fi
  while ! answers; do
    kill -0 "$pid" 2>/dev/null || {
      tail -n 30 "$LOG" >&2
      die "dockerd exited during its start (log: $LOG)"
    }
    [ $((SECONDS - started)) -lt "$START_TIMEOUT" ] || {
      tail -n 30 "$LOG" >&2
      die "dockerd did not answer within ${START_TIMEOUT}s (log: $LOG)"
    }
    sleep 0.5
  done
  say "dockerd $(docker version -f '{{.Server.Version}}') ready (pid $pid, $((SECONDS - started)) s, log: $LOG)"
}

cmd_stop() {
  local pid waited=0
  pid="$(read_pid)"
  if ! is_ours "$pid"; then
    rm -f "$PID_FILE"
    say "no dockerd started by this script is running"
    return 0
  fi
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt "$((STOP_TIMEOUT * 5))" ]; do
    sleep 0.2
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "dockerd (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
  say "dockerd stopped (pid $pid)"
}

cmd_status() {
  if answers; then
    say "engine answers ($(docker version -f '{{.Server.Version}}'))"
    return 0
  fi
  say "no engine answers"
  return 3
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 install|start|stop|status" >&2
    exit 2
    ;;
esac

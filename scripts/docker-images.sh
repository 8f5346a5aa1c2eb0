#!/usr/bin/env bash
# The images of docker-compose.yml, built without any image registry:
#
#   scripts/docker-images.sh base      a Debian base image made by debootstrap (root): $BASE_IMAGE
#   scripts/docker-images.sh app       the apps, from the host's `npm run build` (target `prebuilt`)
#   scripts/docker-images.sh kafka     the broker, from the jars scripts/kafka-local.sh fetches
#   scripts/docker-images.sh postgres  the PostgreSQL event store, from Debian's packages
#   scripts/docker-images.sh all       the four, in that order (the default)
#   scripts/docker-images.sh check     exit 0 if the images docker-compose.yml needs are all present
#
# The base is `debootstrap --variant=minbase $DEBIAN_SUITE` from the mirror apt already uses,
# imported as is (made once; `base` again does nothing while the image exists). The other
# images install their few packages from that mirror with apt inside the build (Node, the
# JRE, PostgreSQL), so nothing is fetched over HTTPS in a container. The app's npm
# dependencies are never installed in a container either: its context is the host's dist/
# and a copy of node_modules pruned to production dependencies (.cache/docker/context/app).
#
# Environment: DEBIAN_SUITE (trixie: its nodejs is 20.19, its JRE 21), DEBIAN_MIRROR (apt's),
# BASE_IMAGE (totp-mfa-base:$DEBIAN_SUITE), TOTP_MFA_IMAGE (totp-mfa:local),
# KAFKA_IMAGE (totp-mfa-kafka:local), POSTGRES_IMAGE (totp-mfa-postgres:local).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$ROOT/.cache/docker"
SUITE="${DEBIAN_SUITE:-trixie}"
BASE="${BASE_IMAGE:-totp-mfa-base:$SUITE}"
APP_IMAGE="${TOTP_MFA_IMAGE:-totp-mfa:local}"
KAFKA_IMAGE="${KAFKA_IMAGE:-totp-mfa-kafka:local}"
POSTGRES_IMAGE="${POSTGRES_IMAGE:-totp-mfa-postgres:local}"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT/scripts/kafka/pom.xml")"

say() { printf 'docker-images: %s\n' "$*"; }
die() {
  printf 'docker-images: %s\n' "$*" >&2
  exit 1
}

# Without the buildx plugin (Debian's docker.io) the classic builder; the Dockerfiles suit both.
docker buildx version >/dev/null 2>&1 || export DOCKER_BUILDKIT=0

has_image() { docker image inspect "$1" >/dev/null 2>&1; }

# The Debian mirror of the host's apt sources (one-line and deb822 formats), else deb.debian.org.
debian_mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then
    echo "$DEBIAN_MIRROR"
    return 0
  fi
  local mirror
  mirror="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security | head -n 1 | tr -d ' ' || true)"
  echo "${mirror:-http://deb.debian.org/debian}"
}

cmd_base() {
  if has_image "$BASE"; then
    say "$BASE already present"
    return 0
  fi
  command -v debootstrap >/dev/null || die "debootstrap not found (scripts/docker-engine.sh install)"
  [ "$(id -u)" -eq 0 ] || die "debootstrap needs root"
  local mirror rootfs="$WORK/rootfs-$SUITE" started=$SECONDS
  mirror="$(debian_mirror)"
  say "debootstrap --variant=minbase $SUITE from $mirror..."
  rm -rf "$rootfs"
  mkdir -p "$WORK"
  debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$rootfs" "$mirror" >"$WORK/debootstrap.log" 2>&1 || {
    tail -n 20 "$WORK/debootstrap.log" >&2
    die "debootstrap failed (log: $WORK/debootstrap.log)"
  }
  # The downloaded packages and indexes have no place in an image.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import -c 'CMD ["/bin/bash"]' - "$BASE" >/dev/null
  rm -rf "$rootfs"
  say "$BASE made in $((SECONDS - started)) s"
}

build() { # image dockerfile context [docker build options...]
  local image="$1" dockerfile="$2" context="$3" started=$SECONDS previous
  shift 3
  previous="$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)"
  say "building $image..."
  docker build -q -t "$image" -f "$dockerfile" --build-arg "BASE_IMAGE=$BASE" "$@" "$context" >"$WORK/build.log" 2>&1 || {
    tail -n 30 "$WORK/build.log" >&2
    die "could not build $image (log: $WORK/build.log)"
  }
  # The image this one replaces, now untagged: removed, or every CI run would leave one behind.
  if [ -n "$previous" ] && [ "$previous" != "$(docker image inspect -f '{{.Id}}' "$image")" ]; then
    docker rmi "$previous" >/dev/null 2>&1 || true
  fi
  say "$image built in $((SECONDS - started)) s"
}

cmd_app() {
  has_image "$BASE" || die "$BASE is missing: run '$0 base' first"
  [ -f "$ROOT/dist/apps/gateway/src/main.js" ] && [ -d "$ROOT/dist/web" ] || die "no build in dist/: run 'npm run build' first"
  [ -d "$ROOT/node_modules" ] || die "no node_modules: run 'npm ci' first"
  local context="$WORK/context/app" started=$SECONDS
  rm -rf "$context"
  mkdir -p "$context/scripts/kafka" "$context/docker"
  cp "$ROOT/package.json" "$ROOT/package-lock.json" "$context/"
  cp -a "$ROOT/node_modules" "$context/node_modules"
  # Production dependencies only, in the copy (never the repository's node_modules): nothing is downloaded.
  (cd "$context" && npm prune --omit=dev --offline --no-audit --no-fund --ignore-scripts >"$WORK/prune.log" 2>&1) ||
    die "npm prune in $context failed"
  mkdir -p "$context/dist"
  cp -a "$ROOT/dist/apps" "$ROOT/dist/libs" "$ROOT/dist/web" "$context/dist/"
  cp "$ROOT"/scripts/kafka/{acls,client-env,wait-ready}.mjs "$context/scripts/kafka/"
  cp "$ROOT/docker/app-entrypoint.sh" "$context/docker/"
  rm "$context/package-lock.json"
  say "app context ready in $((SECONDS - started)) s ($(du -sh "$context" | cut -f1))"
  build "$APP_IMAGE" "$ROOT/Dockerfile" "$context" --target prebuilt
}

cmd_kafka() {
  has_image "$BASE" || die "$BASE is missing: run '$0 base' first"
  "$ROOT/scripts/kafka-local.sh" fetch >/dev/null
  local jars="${KAFKA_JARS_DIR:-${KAFKA_CACHE_DIR:-$ROOT/.cache/kafka}}/$KAFKA_VERSION/libs"
  [ -f "$jars/.complete" ] || die "no fetched Kafka in $jars"
  local context="$WORK/context/kafka"
  rm -rf "$context"
  mkdir -p "$context/scripts/kafka" "$context/docker"
  cp -a "$jars" "$context/libs"
  cp "$ROOT/scripts/kafka-local.sh" "$context/scripts/"
  cp "$ROOT/scripts/kafka/pom.xml" "$context/scripts/kafka/"
  cp -a "$ROOT/docker/kafka" "$context/docker/"
  build "$KAFKA_IMAGE" "$ROOT/docker/kafka/Dockerfile" "$context" --build-arg "KAFKA_VERSION=$KAFKA_VERSION"
}

cmd_postgres() {
  has_image "$BASE" || die "$BASE is missing: run '$0 base' first"
  local context="$WORK/context/postgres"
  rm -rf "$context"
  mkdir -p "$context/docker"
  cp -a "$ROOT/docker/postgres" "$context/docker/"
  build "$POSTGRES_IMAGE" "$ROOT/docker/postgres/Dockerfile" "$context"
}

cmd_check() {
  local image missing=()
  for image in "$APP_IMAGE" "$KAFKA_IMAGE" "$POSTGRES_IMAGE"; do has_image "$image" || missing+=("$image"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    say "missing: ${missing[*]}"
    return 1
  fi
  say "present: $APP_IMAGE $KAFKA_IMAGE $POSTGRES_IMAGE"
}

docker info >/dev/null 2>&1 || die "no Docker engine answers (scripts/docker-engine.sh start)"
mkdir -p "$WORK"
case "${1:-all}" in
  base) cmd_base ;;
  app) cmd_app ;;
  kafka) cmd_kafka ;;
  postgres) cmd_postgres ;;
  check) cmd_check ;;
  all)
    cmd_base
    cmd_app
    cmd_kafka
    cmd_postgres
    ;;
  *)
    echo "usage: $0 base|app|kafka|postgres|all|check" >&2
    exit 2
    ;;
esac

#!/bin/bash
# Puts the container's secrets where scripts/kafka-local.sh keeps its own (the broker's
# key and chain, the CA, one password per principal), then runs the broker in the foreground.
set -euo pipefail
umask 077
cache="${KAFKA_CACHE_DIR:?}"
mkdir -p "$cache/secrets" "$cache/clients"
cp /run/secrets/kafka-broker.pem "$cache/secrets/broker.pem"
cp /run/secrets/kafka-ca.pem "$cache/clients/ca.pem"
# kafka-<principal>.password for each principal; `run` refuses to start while one is missing.
for file in /run/secrets/kafka-*.password; do
  principal="${file#/run/secrets/kafka-}"
  cp "$file" "$cache/clients/${principal%.password}.password"
done
exec /opt/totp-mfa/scripts/kafka-local.sh run

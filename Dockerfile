# One image for every app; the command picks the app (docker-compose.yml, k8s/).
#
#   docker build -t totp-mfa .            the whole build in the image (npm ci, npm run build),
#                                          on the official node:20-bookworm-slim: needs the network
#   scripts/docker-images.sh              CI: the app built on the host (npm ci, npm run build), its
#                                          dist/ and production node_modules copied into target
#                                          `prebuilt` on a local Debian base (BASE_IMAGE): no registry
#
# Both end in the same `runtime` stage: Node (the base's, or Debian's nodejs >= 20.19 when
# the base has none), tini as PID 1 so SIGTERM reaches Node and zombies are reaped, uid 1000,
# a HEALTHCHECK on the management port. Stages are ordered so that the classic builder, which
# builds every stage up to --target, never runs `npm ci` for `prebuilt`.
ARG BASE_IMAGE=node:20-bookworm-slim

FROM ${BASE_IMAGE} AS runtime
RUN set -eu; \
    missing=''; \
    command -v node >/dev/null || missing="nodejs"; \
    command -v tini >/dev/null || missing="$missing tini"; \
    if [ -n "$missing" ]; then \
      apt-get update -qq; \
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null; \
      rm -rf /var/lib/apt/lists/*; \
    fi; \
    node -e 'const [a, b] = process.versions.node.split(".").map(Number); if (a < 20 || (a === 20 && b < 19)) { console.error(`Node ${process.version} < 20.19`); process.exit(1); }'; \
    id -u node >/dev/null 2>&1 || useradd --uid 1000 --user-group --no-create-home --home-dir /app --shell /usr/sbin/nologin node; \
    mkdir -p /app/data; \
    chown node:node /app/data
# HOST: every listener's bind address (the gateway's API, each app's management port).
# HTTP_PORT: GET /health/live, /health/ready and /metrics, for probes and Prometheus.
ENV NODE_ENV=production HOST=0.0.0.0 HTTP_PORT=9464 DATA_DIR=/app/data
WORKDIR /app
COPY docker/app-entrypoint.sh /usr/local/bin/secrets-to-env
EXPOSE 3000 9464
# Ready, not merely alive: Compose's `service_healthy` waits for it. The gateway stays ready
# while a service behind it is down (that is the service's own health, not the gateway's).
HEALTHCHECK --interval=10s --timeout=3s --start-period=90s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.HTTP_PORT}/health/ready`, { signal: AbortSignal.timeout(2500) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["tini", "--", "secrets-to-env"]
CMD ["node", "dist/apps/standalone/src/main.js"]

# CI: the context is the folder scripts/docker-images.sh assembled from the host's build
# (package.json, the production node_modules, dist/, scripts/kafka), copied whole. Only
# `COPY .`, which works in any context: the classic builder builds this stage in a plain
# `docker build .` too (BuildKit skips it), where it is thrown away.
FROM runtime AS prebuilt
COPY . ./
USER node

# Real users: the build inside the image. Only what the build needs, never the whole
# context (./secrets sits beside the sources; .dockerignore keeps it out anyway).
FROM ${BASE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY .swcrc ./
COPY apps apps
COPY libs libs
COPY bench bench
RUN npm run build && npm prune --omit=dev && rm -rf dist/bench

FROM runtime
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The ACL job of docker-compose.yml (kafka-acls) runs these with the app's kafkajs.
COPY scripts/kafka/acls.mjs scripts/kafka/client-env.mjs scripts/kafka/wait-ready.mjs ./scripts/kafka/
USER node

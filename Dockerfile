# One image for every app; the command picks the app (see docker-compose.yml, k8s/).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# Only what the build needs, never the whole context: ./secrets (docker-compose.yml) sits
# beside the sources, and this stage is also the image of Compose's kafka-acls job.
COPY .swcrc ./
COPY apps apps
COPY libs libs
COPY bench bench
COPY scripts/kafka scripts/kafka
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# HOST: the gateway's (or the standalone default's) bind address; the other apps ignore it.
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# DATA_DIR: writable by the app's user, so a volume mounted there starts writable too.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
CMD ["node", "dist/apps/standalone/src/main.js"]

# syntax=docker/dockerfile:1
# One image for the Chunkwise API and worker (docker-compose.yml picks the command).
#   docker build -t chunkwise .
#   docker run chunkwise node dist/apps/api/src/main.js      # API
#   docker run chunkwise node dist/apps/worker/src/main.js   # Temporal worker

ARG NODE_VERSION=20

# --- build: all dependencies, compile TypeScript, prebuild the workflow bundle ------------------
FROM node:${NODE_VERSION}-bookworm AS build
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json ./
# `npm ci` refuses a lock file that lacks other platforms' optional packages (when it was written
# through a registry that does not serve them); `npm install --no-save` installs the same locked
# versions without touching the lock file.
RUN npm ci || npm install --no-save
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
COPY workflows ./workflows
COPY activities ./activities
COPY bench ./bench
COPY bin ./bin
COPY proto ./proto
COPY templates ./templates
RUN npm run build \
 && node dist/libs/temporal/src/workflow-bundle.js dist/workflow-bundle.js \
 && npm prune --omit=dev

# --- runtime: compiled code, production dependencies, git for work trees ------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    CHUNKWISE_HOST=0.0.0.0 \
    CHUNKWISE_PORT=8080 \
    CHUNKWISE_DATA_DIR=/data
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/proto ./proto
COPY --from=build /app/templates ./templates
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# tini forwards SIGTERM to node so the worker drains and the API closes cleanly.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/apps/api/src/main.js"]

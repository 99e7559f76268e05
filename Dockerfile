# syntax=docker/dockerfile:1
# podchat server image: built from the workspace, run as plain `node dist/main.js` by a non-root
# user. Not built on the machine this was written on (no container engine there); see
# docs/deploy.md for what was checked instead.
#   docker build -t podchat .
#   docker run -p 8000:8000 -e JWT_SECRET=… -e API_KEYS=… -e ADMIN_PASSWORD=… \
#     -e DATABASE_URL=postgres://… -e REDIS_URL=redis://… podchat

ARG NODE_IMAGE=node:20-slim

# ---- build: install with the lockfile, bundle the server, deploy its production dependencies ----
FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles from source when no prebuilt binary matches; sharp ships prebuilt
# libvips for glibc (slim is glibc), so it needs nothing here.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
  && rm -rf /var/lib/apt/lists/*
RUN npm install -g pnpm@10.34.8
# npm_config_nodedir: node-gyp uses the headers that ship in the node image, no download.
ENV CI=true \
  TURBO_TELEMETRY_DISABLED=1 \
  npm_config_nodedir=/usr/local
WORKDIR /src
# Dependencies first, from the lockfile alone: this layer is reused until the lockfile changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch
COPY . .
RUN pnpm install --offline --frozen-lockfile --filter "@podchat/server..."
RUN pnpm --filter @podchat/server run build
RUN pnpm --filter @podchat/server deploy --legacy --prod /out

# ---- runtime: the deployed folder only ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
  APP_ENV=prod \
  HOST=0.0.0.0 \
  PORT=8000 \
  UPLOADS_DIR=/app/data/uploads \
  SQLITE_PATH=/app/data/podchat.sqlite
WORKDIR /app
COPY --from=build --chown=node:node /out ./
RUN mkdir -p /app/data \
  && chown node:node /app/data \
  && ln -s /app/bin/podchat.mjs /usr/local/bin/podchat
# The node image's unprivileged user (uid 1000).
USER node
VOLUME ["/app/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM drains: sockets get 1001 and SDKs reconnect (to another instance) within about a second.
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]

# syntax=docker/dockerfile:1
# Cartlift production image: build with dev dependencies, run with production ones, as a non-root user.
# docs/deploy.md explains the variables and the start sequence.

FROM node:20.19-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 is a native addon: node-gyp needs a toolchain and this image's Node headers.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local
COPY package.json package-lock.json .npmrc prisma.config.ts ./
COPY app/db-url.ts app/db-url.ts
COPY prisma prisma
COPY scripts scripts
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20.19-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production PORT=3000
COPY --from=build --chown=node:node /app/package.json /app/prisma.config.ts ./
COPY --from=build --chown=node:node /app/node_modules node_modules
COPY --from=build --chown=node:node /app/build build
COPY --from=build --chown=node:node /app/public public
COPY --from=build --chown=node:node /app/prisma prisma
COPY --from=build --chown=node:node /app/scripts/migrate.mjs scripts/migrate.mjs
COPY --from=build --chown=node:node /app/app/db-url.ts app/db-url.ts
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Migrations run under an advisory lock, so several instances may start at once. The server is
# exec'd, not run under npm: it gets the stop signal itself and closes its listener.
CMD ["sh", "-c", "npm run setup && exec node build/server/server.js"]

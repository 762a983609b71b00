# syntax=docker/dockerfile:1
# The poker server as an image: `docker compose up --build` (docker-compose.yml),
# or `docker build -t atomic-poker .` then `docker run -e DATABASE_URL=... -p 3000:3000 atomic-poker`.
# Two stages on one pinned base: the build stage installs every dependency,
# generates the Prisma client, compiles the server into dist/ and the client into
# client/dist/, then drops the dev dependencies; the runtime stage copies only
# what `node dist/main.js` needs and runs it as the unprivileged "node" user.
# Why compiled: docs/decisions/009-compiled-build.md.

# Node.js 20.20.2 on Debian 12 (bookworm), slim. The digest is the multi-platform
# index; change the tag and the digest together
# (`docker buildx imagetools inspect node:<version>-bookworm-slim` prints the digest).
ARG NODE_IMAGE=node:20.20.2-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Dependencies first, so that a source change does not reinstall them. The
# postinstall script (scripts/prisma-generate.mjs) generates the Prisma client
# from prisma/schema.prisma into server/db/generated, which the build bundles.
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
# package.json for "type": "module"; the generated Prisma client is inside dist/main.js.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/client/dist ./client/dist
COPY --from=build /app/prisma/migrations ./prisma/migrations
# Without DATABASE_URL the server runs an embedded PostgreSQL whose data lives in .data/.
RUN mkdir .data && chown node:node .data
USER node
EXPOSE 3000
# Liveness only (/readyz also checks the database and its migrations).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1 (not npm), so SIGTERM from `docker stop` reaches the graceful shutdown.
CMD ["node", "--enable-source-maps", "dist/main.js"]

# syntax=docker/dockerfile:1
# Build stage: install the toolchain from the lock file and bundle the server into dist/.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# Scripts off: the project's own `prepare` needs the sources, which come next; esbuild's binary arrives as a package.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
RUN node scripts/build.mjs

# Runtime stage: the bundle has every runtime package inside it, so the image needs no node_modules at all.
FROM node:22-bookworm-slim
# A long-running service keeps its heap bounded: V8 would otherwise let the old generation grow by tens of MB under
# load and keep it. A cap on the old space alone does it at the least CPU (npm run bench, 10,000 calls: 151-172 MiB
# by default, 115-120 MiB with this, +11-13% CPU per call); capping the young generation too (--max-semi-space-size=2)
# saves another 20-25 MiB but costs +17% CPU per cached call and +44% per uncached one. See BENCHMARKS.md.
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-old-space-size=128" \
    MCP_TRANSPORT=http \
    MCP_HOST=0.0.0.0 \
    MCP_PORT=8000 \
    MCP_DATA_DIR=/app/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/dist ./dist
# The OAuth token store (SQLite) lives in /app/data: mount a volume there so that grants survive a new container.
RUN mkdir -p /app/data && chown node:node /app/data && chmod 700 /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 8000
# No curl in slim images: node itself asks /health.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.MCP_PORT||8000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]

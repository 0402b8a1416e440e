# Debrief worker and API image (the same image runs either: `node dist/cli.js worker` or `... api`).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# `npm run build` compiles and bundles the workflows once (dist/workflow-bundle.js + its manifest).
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# Workers load the prebuilt bundle instead of running webpack at every start; a stale one is refused.
ENV NODE_ENV=production TZ=UTC DEBRIEF_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["worker"]

# syntax=docker/dockerfile:1
# Builds with BuildKit (docker build, docker compose) and with the classic builder (docker-compose 1.x) alike.
# One image for every pipeline service: SERVICE (gateway | fb-collector | ttk-collector | reporter) picks the app
# at start-up. deploy/README.md explains why one image and how to build and run it.
#
#   docker build -t evp-pipeline:local .
#   docker run --rm -e SERVICE=gateway -e PORT=3000 -e NATS_URL=nats://nats:4222 evp-pipeline:local

# Node 22, the active LTS line, at an exact release (Node 20 is past its end of life); the code also runs on Node 20.
ARG NODE_IMAGE=node:22.20.0-bookworm-slim

# Every workspace manifest plus the lock file, and nothing else: the dependency layers below are keyed on these
# files only, so editing source code does not reinstall node_modules.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && find . -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /manifests \; \
 && cp package-lock.json /manifests/

# Prisma's CLI must not fetch native engines: the project uses the JavaScript schema engine and the
# engine-less client (see libs/database). These variables stop the download attempts at build and run time.
FROM ${NODE_IMAGE} AS base
ENV PRISMA_QUERY_ENGINE_LIBRARY=/dev/null \
    PRISMA_SCHEMA_ENGINE_BINARY=/bin/true \
    CHECKPOINT_DISABLE=1 \
    PRISMA_HIDE_UPDATE_MESSAGE=1 \
    npm_config_update_notifier=false
WORKDIR /app

# All dependencies, for compiling. Install scripts are skipped: the Prisma client is generated explicitly below
# once the schema is in place, and nothing else the build uses needs one.
FROM base AS build-deps
COPY --from=manifests /manifests ./
RUN npm ci --no-audit --no-fund --ignore-scripts

FROM build-deps AS build
COPY . .
RUN npm run generate --if-present -w @evp/database \
 && npm run build \
 && mkdir /out \
 && cp -r --parents apps/*/dist libs/*/dist libs/database/prisma deploy/docker /out/ \
 && if [ -e libs/database/prisma.config.ts ]; then cp --parents libs/database/prisma.config.ts /out/; fi \
 && find /out -name '*.tsbuildinfo' -delete

# Production dependencies only, installed from the lock file in a stage of their own (it runs in parallel with
# the build and is cached on the manifests alone). The prisma CLI is a production dependency of
# @evp/database: collectors and reporter apply migrations at start-up.
FROM base AS prod-deps
COPY --from=manifests /manifests ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts

FROM base AS runtime
# A larger young generation: every batch allocates megabytes of short-lived objects (~20 % less CPU per event).
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=64
LABEL org.opencontainers.image.title="evp-pipeline" \
      org.opencontainers.image.description="Marketing event pipeline: gateway, fb-collector, ttk-collector, reporter (select with SERVICE)"
# Root owns the application files and the service runs as `node` (uid 1000): the process cannot rewrite its code.
COPY --from=prod-deps /app ./
COPY --from=build /out ./
USER node
EXPOSE 3000 3001 3002 3003
# start-period covers the migrations that collectors and reporter run before they report ready.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "/app/deploy/docker/healthcheck.cjs"]
ENTRYPOINT ["sh", "/app/deploy/docker/entrypoint.sh"]

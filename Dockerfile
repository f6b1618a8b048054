# tsnc in a container.
#   docker build -t tsnc .
#   docker run --rm -i tsnc -l -p 8001 > received      # listen
#   docker run --rm -i tsnc 10.0.0.5 8001 < file        # send
#
# The base stays a glibc Debian image, without digest pin, `# syntax=` line, heredocs or
# COPY --link: test/container/check.sh builds this file unchanged on a machine with no registry,
# against stand-ins of node:20-bookworm-slim and debian:bookworm-slim, with the Docker engine
# Debian 12 ships (20.10).

FROM node:20-bookworm-slim AS build
WORKDIR /build
# The lockfile first, so that editing src/ reuses the npm ci layer. --ignore-scripts: `prepare`
# builds (tsc and the bundle), and src/ is not here yet.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle.mjs scripts/native.mjs scripts/yargs-platform.mjs ./scripts/
COPY native ./native
COPY src ./src
# tsc, then esbuild: dist/tsnc.cjs is the whole CLI in one file, its one dependency inlined. Then
# the addon for -U -u, -T and TCP -I/-O (dist/tsnc-native.node), built with a C compiler that only
# this stage has (node:20-bookworm-slim has none).
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
RUN npm run build

# The runtime stage is Debian's slim image (node:20-bookworm-slim is built on it) with the build
# stage's node binary and tsnc: no npm, yarn, corepack or C headers, which tsnc never runs. node
# needs libc, libstdc++ and libgcc_s, all in the slim image.
FROM debian:bookworm-slim
# The user `node` (uid 1000) of the node image, made the same way. --no-log-init: no lastlog and
# faillog records, sparse files that would count their full length in the layer.
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home --no-log-init node
COPY --from=build /usr/local/bin/node /usr/local/bin/node
ENV NODE_ENV=production
WORKDIR /app
# The bundle is all tsnc needs at run time: no node_modules, no package.json. Owned by root,
# read-only to the user. The code cache (start-up) and the addon for this machine (a build without
# a compiler makes none: the wildcard then copies nothing, and -U -u, -T and TCP -I/-O fail with
# one line saying so); not dist/prebuilt, the npm package's addons for other systems.
COPY --from=build /build/dist/tsnc.cjs /build/dist/tsnc.cjs.cache /build/dist/tsnc-native.nod[e] ./dist/
RUN ln -s /app/dist/tsnc.cjs /usr/local/bin/tsnc
# uid 1000. Ports below 1024 need `--cap-add NET_BIND_SERVICE` or `--user root`.
USER node
# tsnc is PID 1 here and handles SIGTERM itself (src/cli.ts), so `docker stop` ends it at once
# with status 143; no init process is needed.
ENTRYPOINT ["tsnc"]
# No HEALTHCHECK: a plain `tsnc -l` serves one connection, and a health probe would be that one.
# For a `-l -k` service, or to wait for any TCP service, `tsnc -z HOST PORT` exits 0 when the port
# accepts a connection and 1 when not, which is what HEALTHCHECK wants:
#   docker run -d --health-cmd 'tsnc -z 127.0.0.1 8001' --health-interval 2s tsnc -l -k -p 8001

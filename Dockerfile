# tsnc in a container.
#   docker build -t tsnc .
#   docker run --rm -i tsnc -l -p 8001 > received      # listen
#   docker run --rm -i tsnc 10.0.0.5 8001 < file        # send
#
# The base stays a glibc Debian image, without digest pin, `# syntax=` line, heredocs or
# COPY --link: test/container/check.sh builds this file unchanged on a machine with no registry,
# against a stand-in of node:20-bookworm-slim, with the Docker engine Debian 12 ships (20.10).

FROM node:20-bookworm-slim AS build
WORKDIR /build
# The lockfile first, so that editing src/ reuses the npm ci layer. --ignore-scripts: `prepare`
# runs tsc, and src/ is not here yet.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only to the user tsnc runs as.
COPY --from=build /build/package.json ./
COPY --from=build /build/node_modules ./node_modules
COPY --from=build /build/dist ./dist
RUN chmod 755 dist/cli.js && ln -s /app/dist/cli.js /usr/local/bin/tsnc
# uid 1000 of the base image. It may still listen on ports below 1024: Docker >= 20.10 sets
# net.ipv4.ip_unprivileged_port_start=0 in containers.
USER node
# tsnc is PID 1 here and handles SIGTERM itself (src/cli.ts), so `docker stop` ends it at once
# with status 143; no init process is needed.
ENTRYPOINT ["tsnc"]
# No HEALTHCHECK: a plain `tsnc -l` serves one connection, and a health probe would be that one.
# For a `-l -k` service, or to wait for any TCP service, `tsnc -z HOST PORT` exits 0 when the port
# accepts a connection and 1 when not, which is what HEALTHCHECK wants:
#   docker run -d --health-cmd 'tsnc -z 127.0.0.1 8001' --health-interval 2s tsnc -l -k -p 8001

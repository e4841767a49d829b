# syntax=docker/dockerfile:1
# The Airbyte image of destination-kafka: the standalone binary on an almost empty root filesystem.
# scripts/image/rootfs.ts is the one description of that filesystem (binary, the glibc libraries it
# loads, a static busybox sh, the airbyte user, /airbyte); this file builds the binary, runs that
# script, and adds only the metadata Airbyte needs. test/packaging/image.test.ts runs the script's
# tree under chroot and checks it against the metadata below.
#   docker buildx build --platform linux/amd64,linux/arm64 -t airbyte/destination-kafka:0.1.0 .

ARG BUN_IMAGE=oven/bun:1.4.5-debian

# 1. Compile on the build machine's platform, cross-compiling for the target's (Bun fetches the
#    target's runtime from the npm registry).
FROM --platform=$BUILDPLATFORM ${BUN_IMAGE} AS build
ARG TARGETARCH
WORKDIR /src
COPY package.json package-lock.json ./
RUN bun install --frozen-lockfile --production --ignore-scripts
COPY build.ts ./
COPY src ./src
RUN case "$TARGETARCH" in amd64) target=linux-x64 ;; arm64) target=linux-arm64 ;; \
      *) echo "unsupported TARGETARCH $TARGETARCH" >&2; exit 1 ;; esac \
 && bun build.ts --target "$target" --outfile /out/destination-kafka

# 2. Assemble the root filesystem on the target platform, from its Debian packages.
FROM ${BUN_IMAGE} AS rootfs
RUN apt-get update \
 && apt-get install -y --no-install-recommends busybox-static ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY scripts/image ./scripts/image
COPY --from=build /out/destination-kafka /out/destination-kafka
RUN bun scripts/image/rootfs.ts --binary /out/destination-kafka --out /rootfs

# 3. The image: that tree and nothing else, plus Airbyte's contract.
FROM scratch
COPY --from=rootfs /rootfs/ /
ENV AIRBYTE_ENTRYPOINT="/usr/local/bin/destination-kafka"
# Bun paces garbage collection against the RAM it sees; 1 GiB keeps a sync near 135 MB resident on
# a large host (scripts/image/runtime-env.ts says why and is held equal to this by a test).
ENV BUN_JSC_forceRAMSize="1073741824"
ENTRYPOINT ["/usr/local/bin/destination-kafka"]
WORKDIR /airbyte
USER airbyte
LABEL io.airbyte.name="airbyte/destination-kafka" \
      io.airbyte.version="0.1.0"

# syntax=docker/dockerfile:1
# Paka: the host and the four processors in one image (docs/deploy.md).
#
#   docker compose build                      # or: docker build -t paka .
#   docker build --target plugin-sdk -t paka-plugin-sdk .   # toolchain for third-party plugins
#
# The builder runs scripts/build, the same build script scripts/dev and scripts/test use, so
# the image is built exactly the way the tests build. Keep SWIFT_VERSION equal to the toolchain
# the tests run with (scripts/check-deploy.py compares it with `swift --version`).
ARG SWIFT_VERSION=6.3

# ---------------------------------------------------------------------------------------------
# builder: Swift toolchain + the three -dev packages; builds host + processors in release.
FROM swift:${SWIFT_VERSION}-bookworm AS builder
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      librdkafka-dev libpq-dev libcurl4-openssl-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The SwiftPM build folder lives in a BuildKit cache: rebuilds after a source change are
# incremental. Everything the runtime needs is copied out of it inside this same step.
RUN --mount=type=cache,target=/src/.build,id=paka-swiftpm-build \
    scripts/build release /opt/paka/plugins \
 && install -D -m 0755 .build/release/paka /opt/paka/bin/paka

# ---------------------------------------------------------------------------------------------
# plugin-sdk: the builder (same compiler, same Swift runtime, the ABI header and PakaPluginSDK
# sources in /src) for building third-party processors. See docs/deploy.md, "Build a
# third-party processor".
FROM builder AS plugin-sdk
ENV PAKA_SOURCE=/src \
    PAKA_ABI_INCLUDE=/src/Sources/CPakaABI/include
WORKDIR /plugin

# ---------------------------------------------------------------------------------------------
# runtime: the Swift runtime (slim image), the runtime libraries, the binaries, a non-root user.
FROM swift:${SWIFT_VERSION}-bookworm-slim AS runtime
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      librdkafka1 libpq5 libcurl4 ca-certificates curl poppler-utils \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 paka \
 && useradd --system --uid 10001 --gid paka --home-dir /var/lib/paka --shell /usr/sbin/nologin paka

COPY --from=builder /opt/paka/bin/paka /usr/local/bin/paka
# Plugin directory: owned by root, not writable by the host process, group or others (the host
# refuses plugins in a group/other-writable folder). A pristine copy of the shipped processors
# stays in /usr/local/share/paka/processors for reinstalling them into the plugin volume.
COPY --from=builder /opt/paka/plugins/ /opt/paka/plugins/
COPY --from=builder /opt/paka/plugins/ /usr/local/share/paka/processors/
COPY deploy/paka-install-plugin /usr/local/bin/paka-install-plugin
# plugins.json lives in a folder the host may write: POST /plugins/{name}/enable|disable
# rewrites it atomically (temporary file + rename in the same folder).
COPY plugins.json /etc/paka/plugins.json
RUN chown -R root:root /opt/paka /usr/local/share/paka \
 && chmod 0755 /opt/paka/plugins /usr/local/bin/paka-install-plugin \
 && chmod 0644 /opt/paka/plugins/*.so /usr/local/share/paka/processors/*.so \
 && mkdir -p /var/lib/paka/data \
 && chown -R paka:paka /etc/paka /var/lib/paka \
 && paka plugin check /opt/paka/plugins/*.so

ENV PAKA_PLUGIN_DIR=/opt/paka/plugins \
    PAKA_PLUGINS_FILE=/etc/paka/plugins.json \
    PAKA_DATA_DIR=/var/lib/paka/data \
    PORT=3000 \
    PAKA_BIND=0.0.0.0
USER paka
WORKDIR /var/lib/paka
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
  CMD curl -fsS -o /dev/null "http://127.0.0.1:${PORT}/health" || exit 1
# paka handles SIGTERM itself: finishes the batches in hand, commits offsets, exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["paka"]
CMD ["serve"]

# snap-mock container image: one static binary, the demo fixtures and the
# test keys, on an empty base.
#
#   docker build -t snap-mock .                      # compiles inside Docker (needs the rust image)
#   docker run --rm -p 8080:8080 snap-mock
#
# Where no base image can be pulled, build the binary on the host and let
# BuildKit skip the compile stage:
#
#   RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --target x86_64-unknown-linux-gnu
#   DOCKER_BUILDKIT=1 docker build --build-arg BINARY_SOURCE=prebuilt -t snap-mock .

ARG BINARY_SOURCE=compile

# --- compile: the default for users -----------------------------------------
FROM rust:1-bookworm AS compile
WORKDIR /src
COPY . .
# Same switch as .cargo/config.toml: no CPU-jitter entropy in AWS-LC.
ENV AWS_LC_SYS_NO_JITTER_ENTROPY=1
RUN RUSTFLAGS="-C target-feature=+crt-static" \
    cargo build --release --locked --target x86_64-unknown-linux-gnu \
 && cp target/x86_64-unknown-linux-gnu/release/snap-mock /snap-mock

# --- prebuilt: a static binary built on the host ---------------------------
FROM scratch AS prebuilt
COPY target/x86_64-unknown-linux-gnu/release/snap-mock /snap-mock

FROM ${BINARY_SOURCE} AS binary

# --- runtime -----------------------------------------------------------------
FROM scratch
COPY --from=binary /snap-mock /usr/local/bin/snap-mock
# Relative defaults (fixtures/clients.json, keys/...) resolve here; mount a
# directory over /etc/snap-mock/fixtures or /etc/snap-mock/keys to replace them.
WORKDIR /etc/snap-mock
COPY --chown=65532:65532 fixtures /etc/snap-mock/fixtures
COPY --chown=65532:65532 keys /etc/snap-mock/keys
ENV SNAP_MOCK_HOST=0.0.0.0 \
    SNAP_MOCK_PORT=8080
# Any unprivileged id works; scratch has no /etc/passwd to name one.
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=2s --retries=3 \
    CMD ["/usr/local/bin/snap-mock", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/snap-mock"]
CMD ["serve"]

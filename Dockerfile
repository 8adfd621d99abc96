# snap-mock container image: one static binary, the demo fixtures and the
# test keys, on an empty base.
#
#   scripts/docker-build.sh snap-mock                # compiles inside Docker (needs the rust image);
#                                                    # checks the tools first, hints when the pull fails
#   docker run --rm -p 8080:8080 snap-mock
#
# Where no base image can be pulled, build the binary on the host and let
# BuildKit skip the compile stage (the script copies the binary into dist/,
# wherever cargo's target directory is):
#
#   scripts/docker-build-prebuilt.sh snap-mock
#
# The build context is an allowlist (.dockerignore): keys you generated
# under keys/ never reach the image.

ARG BINARY_SOURCE=compile
# The compile stage's base image; a mirror's name where Docker Hub is not
# reachable (--build-arg RUST_IMAGE=mirror.example/library/rust:1-bookworm).
ARG RUST_IMAGE=rust:1-bookworm

# --- compile: the default for users -----------------------------------------
FROM ${RUST_IMAGE} AS compile
# Set by BuildKit for the platform being built (amd64 or arm64).
ARG TARGETARCH
WORKDIR /src
COPY . .
# Same switch as .cargo/config.toml: no CPU-jitter entropy in AWS-LC.
ENV AWS_LC_SYS_NO_JITTER_ENTROPY=1
RUN case "${TARGETARCH:-amd64}" in \
      amd64) triple=x86_64-unknown-linux-gnu ;; \
      arm64) triple=aarch64-unknown-linux-gnu ;; \
      *) echo "unsupported architecture ${TARGETARCH}" >&2; exit 1 ;; \
    esac \
 && RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked --target "$triple" \
 && cp "target/$triple/release/snap-mock" /snap-mock

# --- prebuilt: static binaries built on the host (dist/linux-<arch>/) -------
FROM scratch AS prebuilt
ARG TARGETARCH
COPY dist/linux-${TARGETARCH}/snap-mock /snap-mock

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
# Healthy within a second of start: CI jobs wait for "healthy", and the
# first probe runs one --interval after start. (--start-interval would
# allow a slower steady pace, but Debian's Docker 20.10 refuses the flag.)
# One probe is one exec of this static binary and one local GET, a few ms
# of CPU: well under 1 % of a core at two probes a second.
HEALTHCHECK --interval=500ms --timeout=2s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/snap-mock", "healthcheck", "--timeout-ms", "1000"]
ENTRYPOINT ["/usr/local/bin/snap-mock"]
CMD ["serve"]

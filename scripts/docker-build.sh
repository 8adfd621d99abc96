#!/usr/bin/env bash
# Builds the container image, compiling inside Docker (needs the rust base
# image from a registry):
#
#   scripts/docker-build.sh [IMAGE_TAG]      # default snap-mock:local
#
# RUST_IMAGE names the compile stage's base image (a mirror's, where Docker
# Hub is not reachable); DOCKER the client (see scripts/docker-tools.sh).
#
# Checks the Docker tools first; when the base image cannot be pulled
# (offline, no registry), says to build on the host instead with
# scripts/docker-build-prebuilt.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-snap-mock:local}
. scripts/docker-tools.sh
check_docker_tools
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rust_image=${RUST_IMAGE:-rust:1-bookworm}
if DOCKER_BUILDKIT=1 "$docker_bin" build --build-arg RUST_IMAGE="$rust_image" -t "$tag" . 2>&1 | tee "$log"; then
  echo "built $tag"
  exit 0
fi
if grep -qiE 'load metadata for|pull access denied|failed to do request|no such host|i/o timeout|TLS handshake timeout|connection refused|manifest unknown|toomanyrequests' "$log"; then
  echo "snap-mock: the base image $rust_image could not be pulled; without a registry, build the binary on this host instead: scripts/docker-build-prebuilt.sh $tag (or name a mirror: RUST_IMAGE=...)" >&2
fi
exit 1

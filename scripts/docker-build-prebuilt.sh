#!/usr/bin/env bash
# Builds the container image from a static binary compiled on this host (for
# machines that cannot pull the rust base image of the in-Docker build):
#
#   scripts/docker-build-prebuilt.sh [IMAGE_TAG]      # default snap-mock:local
#
# Works wherever cargo puts its target directory (CARGO_TARGET_DIR, a
# workspace, ...): the binary is copied into dist/linux-amd64/, which the
# build context includes (the release workflow puts arm64's beside it).
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-snap-mock:local}
# Before minutes of compiling: the client, the daemon, BuildKit.
. scripts/docker-tools.sh
check_docker_tools
target=x86_64-unknown-linux-gnu
RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked --target "$target"
target_dir=$(cargo metadata --format-version 1 --no-deps --locked |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
mkdir -p dist/linux-amd64
cp "$target_dir/$target/release/snap-mock" dist/linux-amd64/snap-mock
DOCKER_BUILDKIT=1 "$docker_bin" build --build-arg BINARY_SOURCE=prebuilt -t "$tag" .
echo "built $tag"

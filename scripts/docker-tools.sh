# Sourced by the image build scripts: checks, before anything is compiled,
# that the Docker client and daemon can build snap-mock's image, and says
# how to fix what is missing. DOCKER names the client (default: docker on
# PATH); a newer client without the buildx plugin cannot use BuildKit,
# which the build needs, while Debian's docker.io client has it built in:
#
#   DOCKER=/usr/bin/docker scripts/docker-build-prebuilt.sh
docker_bin=${DOCKER:-docker}

check_docker_tools() {
  if ! command -v "$docker_bin" >/dev/null 2>&1; then
    echo "snap-mock: no Docker client '$docker_bin' (install docker.io, or set DOCKER=/path/to/docker)" >&2
    return 1
  fi
  local info
  if ! info=$("$docker_bin" version --format '{{.Server.Version}}' 2>&1 >/dev/null); then
    echo "snap-mock: the Docker daemon does not answer ($docker_bin version: $(printf '%s' "$info" | grep -v '^ *$' | tail -1)); start it (systemctl start docker, or dockerd &) or point DOCKER_HOST at one" >&2
    return 1
  fi
  # BuildKit builds only the stages the target needs; the legacy builder
  # would pull the compile stage's base image even for the prebuilt one.
  # A stage FROM an image that cannot exist proves which one answers.
  local probe
  probe=$(mktemp -d)
  printf 'FROM snap-mock-buildkit-probe.invalid/none:never AS unused\nFROM scratch\nLABEL snap-mock-buildkit-probe=1\n' >"$probe/Dockerfile"
  local out
  if ! out=$(DOCKER_BUILDKIT=1 "$docker_bin" build -q --iidfile "$probe/iid" "$probe" 2>&1) || [ ! -s "$probe/iid" ]; then
    rm -rf "$probe"
    echo "snap-mock: '$docker_bin' cannot build with BuildKit ($(printf '%s' "$out" | head -1)); install the buildx plugin, or use a client with BuildKit built in: DOCKER=/usr/bin/docker (Debian's docker.io)" >&2
    return 1
  fi
  "$docker_bin" image rm -f "$(cat "$probe/iid")" >/dev/null 2>&1 || true
  rm -rf "$probe"
}

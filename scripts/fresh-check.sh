#!/usr/bin/env bash
# The fresh-machine check: scripts/setup.sh and the unit stage of `make test`, run on the committed tree
# (what a fresh clone holds) in a throw-away container made from a clean Debian 12 image, as CI's fresh
# machine would run them. A package that only a developer's machine has (installed by hand once) fails
# here, not on the next new CI machine.
#
#   make fresh-check                 # or: bash scripts/fresh-check.sh [git-ref]   (default HEAD)
#
# The image is the lab's node image (localhost/tridc-node:bookworm: debootstrap minbase + systemd, sshd,
# python3; no OVS/OVN, no podman, no make, no venv), built by lab/build-images.sh when it is missing.
# The container reaches the package registries the way this machine does: this host's apt sources and
# pip configuration (and the certificate and local wheel directory they name) are mounted read-only.
# The repository's own files must install everything else.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REF=${1:-HEAD}
IMAGE=localhost/tridc-node:bookworm
NAME=tridc-fresh-check
log() { printf '[fresh-check] %s\n' "$*"; }

command -v podman >/dev/null || { echo "fresh-check: podman is missing (bash scripts/setup.sh)" >&2; exit 1; }
if ! podman image exists "$IMAGE"; then
  log "building the clean node image first (lab/build-images.sh)"
  bash "$ROOT/lab/build-images.sh"
fi

work=$(mktemp -d /tmp/tridc-fresh-check.XXXXXX)
cleanup() { podman rm -f "$NAME" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/main"
git -C "$ROOT" archive "$REF" | tar -x -C "$work/main"
# the Kube-OVN reference data next to the repository, as CI lays it (../shared)
if [ -d "$ROOT/../shared" ]; then cp -r "$ROOT/../shared" "$work/shared"; fi

mounts=(-v "$work:/w")
for path in /etc/apt/sources.list /etc/apt/sources.list.d /etc/apt/apt.conf.d /etc/apt/trusted.gpg.d /etc/pip.conf \
            "${PIP_CERT:-}" "${PIP_FIND_LINKS:-}" "${REQUESTS_CA_BUNDLE:-}" "${SSL_CERT_FILE:-}"; do
  [ -n "$path" ] && [ -e "$path" ] && mounts+=(-v "$path:$path:ro")
done
envs=()
while IFS= read -r var; do envs+=(-e "$var"); done < <(env | grep -Eo '^(PIP_[A-Z_]+|REQUESTS_CA_BUNDLE|SSL_CERT_FILE)' || true)

log "setup and unit stage of $(git -C "$ROOT" rev-parse --short "$REF") in a clean container"
SECONDS=0
podman rm -f "$NAME" >/dev/null 2>&1 || true
# privileged: CI runs as root on a machine, and the unit stage makes network namespaces (tests/unit/ovs)
podman run --name "$NAME" --network host --privileged "${mounts[@]}" "${envs[@]}" --entrypoint /bin/bash "$IMAGE" -c '
  set -euo pipefail
  cd /w/main
  for t in make ovsdb-server ovn-ic podman; do
    if command -v "$t" >/dev/null; then echo "fresh-check: the image is not clean ($t is installed)" >&2; exit 1; fi
  done
  bash scripts/setup.sh
  make --no-print-directory collection-link
  .venv/bin/python -m pytest -q -rs tests/unit 2>&1 | tee /tmp/unit.log
  rc=${PIPESTATUS[0]}
  [ "$rc" = 0 ] || exit "$rc"
  if grep -Eq "[0-9]+ skipped" /tmp/unit.log; then echo "fresh-check: tests were skipped" >&2; exit 1; fi
'
log "passed in ${SECONDS}s: a clean Debian 12 gets everything the unit stage needs from scripts/setup.sh"

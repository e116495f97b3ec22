#!/usr/bin/env bash
# Prepare this machine for development, tests and the lab (Debian 12, root). Idempotent.
# Installs Debian packages, the podman configuration the lab needs, and the Python venv (.venv).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
# inside the venv: a venv made again from scratch is always filled (a stamp beside it outlived a deleted venv)
STAMP=$VENV/.tridc-requirements.sha256

APT_PACKAGES=(podman runc debootstrap dpkg-dev graphviz openssh-client python3-venv
              iptables iproute2 ethtool rsync make git openvswitch-common openvswitch-switch
              ovn-common ovn-central ovn-ic-db ovn-ic uidmap shellcheck)

need_apt=0
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || { need_apt=1; break; }
done
if [ "$need_apt" = 1 ]; then
  export DEBIAN_FRONTEND=noninteractive
  # never start services on this host while installing (no init system here)
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi

install -D -m 0644 "$ROOT/lab/containers.conf" /etc/containers/containers.conf

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
req_hash=$(cat "$ROOT/requirements.txt" "$ROOT/requirements-dev.txt" | sha256sum | cut -d' ' -f1)
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$req_hash" ]; then
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q -r "$ROOT/requirements-dev.txt"
  echo "$req_hash" > "$STAMP"
fi
echo "setup: ok (venv $VENV)"

#!/usr/bin/env bash
# Build the collection tarball, install it offline into a temporary path and check that
# ansible-doc and the plan work from the installed copy (no Galaxy, no network).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/.venv/bin
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT"
"$BIN/ansible-galaxy" collection build --force --output-path "$WORK/dist" . >/dev/null
TARBALL=$(ls "$WORK"/dist/tridc-ovn-*.tar.gz)
"$BIN/ansible-galaxy" collection install --offline --force -p "$WORK/coll" "$TARBALL" >/dev/null
export ANSIBLE_COLLECTIONS_PATH=$WORK/coll
for kind in filter callback modules; do
  for f in "plugins/$kind"/*.py; do
    [ -e "$f" ] || continue
    "$BIN/ansible-doc" -t "${kind%s}" "tridc.ovn.$(basename "$f" .py)" >/dev/null
  done
done
cd "$WORK"
printf "[defaults]\n" > "$WORK/ansible.cfg"
ANSIBLE_CONFIG=$WORK/ansible.cfg "$BIN/ansible-playbook" -i "$ROOT/inventories/lab" \
  "$WORK/coll/ansible_collections/tridc/ovn/playbooks/plan.yml" -e plan_dir="$WORK/plan" >/dev/null
test -s "$WORK/plan/plan.json" && test -s "$WORK/plan/topology.svg"
echo "build-check: $(basename "$TARBALL") builds, installs offline, documents every plugin and plans the lab"

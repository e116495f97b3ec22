#!/usr/bin/env bash
# Run `ansible-test sanity` on a copy of the collection laid out as ansible_collections/tridc/ovn
# (ansible-test requires that path). The copy holds the files git tracks or would track.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# outside the repo (inside it, ansible-test would ask the outer git and see only ignored files), and
# one copy per run: two checkouts on one machine must not test each other's files
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tridc-ovn-sanity.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
DEST=$WORK/ansible_collections/tridc/ovn
PY=${PY:-$ROOT/.venv/bin/python}
# ansible-test bootstraps pip in its venvs with a script it downloads from a host this machine
# cannot reach; give it our stand-in (scripts/pip_bootstrap.py) under the name it looks for.
ATDIR=$("$PY" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')
PIP_VER=$(grep -oP "pip='\K[0-9.]+" "$ATDIR/_internal/python_requirements.py" | head -1)
mkdir -p ~/.ansible/test/cache
install -m 0644 "$ROOT/scripts/pip_bootstrap.py" ~/.ansible/test/cache/"get_pip_${PIP_VER//./_}.py"
mkdir -p "$DEST"
cd "$ROOT"
git ls-files -co --exclude-standard -z | rsync -a --from0 --files-from=- ./ "$DEST/"
cd "$DEST"
git init -q && git add -A
"$ROOT/.venv/bin/ansible-test" sanity --python "$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
  --requirements --color no "$@"

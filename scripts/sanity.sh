#!/usr/bin/env bash
# Run `ansible-test sanity` on a copy of the collection laid out as ansible_collections/tridc/ovn
# (ansible-test requires that path). The copy holds the files git tracks or would track.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST=$ROOT/.build/sanity/ansible_collections/tridc/ovn
PY=${PY:-$ROOT/.venv/bin/python}
rm -rf "$DEST"
mkdir -p "$DEST"
cd "$ROOT"
git ls-files -co --exclude-standard -z | rsync -a --from0 --files-from=- ./ "$DEST/"
cd "$DEST"
"$ROOT/.venv/bin/ansible-test" sanity --python "$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
  --requirements --color no "$@"

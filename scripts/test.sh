#!/usr/bin/env bash
# The test suite behind `make test`. Each stage prints its name; the first failure stops the run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
stage() { printf '\n==== %s ====\n' "$*"; }

stage "unit and property tests (plan engine, filters, modules on a real ovsdb-server)"
python -m pytest -q tests/unit

stage "plan.yml on both inventories"
make --no-print-directory plan

stage "ansible-lint (production profile)"
ansible-lint --profile production

stage "ansible-test sanity"
bash scripts/sanity.sh

stage "collection build and offline install"
bash scripts/build-check.sh

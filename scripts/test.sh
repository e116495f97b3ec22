#!/usr/bin/env bash
# The test suite behind `make test`. Each stage prints its name; the first failure stops the run.
# Skipped tests do not count: a stage whose pytest run skipped anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$PWD/.build/collections" ANSIBLE_CONFIG="$PWD/ansible.cfg" ANSIBLE_NOCOLOR=1
LOGDIR=${LOGDIR:-$PWD/tests/output}
mkdir -p "$LOGDIR"
stage() { printf '\n==== %s ==== (%ds into make test)\n' "$*" "$SECONDS"; }
SECONDS=0

# pytest that refuses skips: "Skipped tests do not count as passing"
run_pytest() {
  local log=$LOGDIR/pytest-$1.log; shift
  python -m pytest -q -rs "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  [ "$rc" = 0 ] || return "$rc"
  if grep -Eq '[0-9]+ skipped' "$log"; then echo "FAIL: tests were skipped (see above)"; return 1; fi
}

stage "unit and property tests (plan engine, filters, modules on a real ovsdb-server, Kube-OVN offline)"
run_pytest unit tests/unit

# plan.yml on both inventories (make plan) runs in the unit stage: tests/unit/plan/test_plan_playbook.py

stage "ansible-lint (production profile)"
ansible-lint --profile production

stage "ansible-test sanity"
bash scripts/sanity.sh

stage "collection build and offline install"
bash scripts/build-check.sh

# The lab runs Debian 12 (bookworm) here. Its suite also passes on Debian 13 (TRIDC_LAB_SUITE=trixie, README "The lab"), but a
# trixie lab stage measured about 8 minutes longer than this one: CI moves to Debian 13 with the upgrade stage, whose
# upgraded lab is where the other lab tests are meant to run (issue 10).
stage "lab images and offline package mirror"
bash lab/build-images.sh

stage "benchmarks without the lab, short mode (plan engine scale, plan review, controller scale, ovs_apply, subnets phase)"
python bench/plan_scale.py --short
python bench/plan_review.py --short
python bench/controller_scale.py --short
python bench/ovs_apply.py --short
python bench/subnets_phase.py --short

for scenario in ${MOLECULE_SCENARIOS:-ovs central chassis}; do
  stage "molecule test -s $scenario"
  molecule test -s "$scenario"
done

# the lab's suite (lab.sh picks its images and the mirror it serves at /mirror/ from this variable)
export TRIDC_LAB_SUITE=bookworm
stage "the three-DC lab: down (whatever an earlier run left), up, site.yml"
# the first site.yml run below must meet fresh nodes, whatever lab this machine had before
bash lab/lab.sh down
bash lab/lab.sh up
ansible-playbook -i inventories/lab playbooks/site.yml | tee "$LOGDIR/site-first-run.log"

# tests/lab/test_upgrade.py (Debian 12 -> 13 with playbooks/upgrade.yml) is not in make test yet: it takes about 43
# minutes on the 2-core machine, more than the CI budget has left (make lab-upgrade runs it on a bookworm lab;
# README "Upgrades")

# the lab benchmarks run inside the lab tests, in their short mode: the rerun of test_node_hung_mid_rollout_halts_then_a_rerun_completes_and_changes_nothing is
# bench/rollout.py --short, test_gateway_loss_recovers_within_about_a_second is bench/failover.py --short
stage "lab verification (fabric, ovs, control plane, interconnection, reruns, --check, failures; lab benchmarks short)"
TRIDC_LAB_UP=1 run_pytest lab tests/lab --ignore=tests/lab/test_upgrade.py --durations=25

echo
echo "make test: all stages passed in ${SECONDS}s"

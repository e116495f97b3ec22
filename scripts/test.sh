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

# Order: the timed benchmarks alone first; then two background jobs, the lab's first rollout (Debian 12) and the
# molecule scenarios, while the controller-side stages run in the foreground (rollouts and molecule mostly wait on
# their hosts: the three together take minutes less than one after the other); then the upgrade to Debian 13 on that
# lab, and the lab tests on the upgraded lab (issue 10: "the lab the upgrade leaves behind can be the one the other
# lab tests run on"). So the roles are tested on both Debian releases with one lab: on 12 by the first rollout and
# the upgrade that starts there, on 13 by the upgrade's end and every other lab test, among them the rerun that must
# be changed=0 (bench/rollout.py --short in the hung-node test) and site.yml --check. Nothing runs beside the upgrade
# and the lab tests: they time gaps and failovers.
stage "lab images and offline package mirrors (Debian 12 and 13: the lab starts on 12, the upgrade moves it to 13)"
SUITE=trixie bash lab/build-images.sh

stage "benchmarks without the lab, short mode (plan engine scale, plan review, controller scale, ovs_apply, subnets phase)"
python bench/plan_scale.py --short
python bench/plan_review.py --short
python bench/controller_scale.py --short
python bench/ovs_apply.py --short
python bench/subnets_phase.py --short

# the lab's suite (lab.sh picks its images and the mirror it serves at /mirror/ from this variable)
export TRIDC_LAB_SUITE=bookworm
stage "the three-DC lab on Debian 12: down (whatever an earlier run left), up, site.yml - in the background"
# the first site.yml run must meet fresh nodes, whatever lab this machine had before
( bash lab/lab.sh down && bash lab/lab.sh up && ansible-playbook -i inventories/lab playbooks/site.yml ) \
  >"$LOGDIR/site-first-run.log" 2>&1 &
LAB_PID=$!
stage "molecule test -s ${MOLECULE_SCENARIOS:-ovs central chassis} (Debian 12) - in the background"
(
  for scenario in ${MOLECULE_SCENARIOS:-ovs central chassis}; do
    echo "==== molecule test -s $scenario ===="
    molecule test -s "$scenario"
  done
) >"$LOGDIR/molecule.log" 2>&1 &
MOLECULE_PID=$!
# a failing foreground stage ends make test: the background jobs with it
stop_background() {
  local pid
  for pid in "$LAB_PID" "$MOLECULE_PID"; do
    if kill -0 "$pid" 2>/dev/null; then pkill -TERM -P "$pid" || true; kill "$pid" 2>/dev/null || true; fi
  done
}
trap stop_background EXIT

stage "unit and property tests (plan engine, filters, modules on a real ovsdb-server, Kube-OVN offline)"
run_pytest unit tests/unit

# plan.yml on both inventories (make plan) runs in the unit stage: tests/unit/plan/test_plan_playbook.py

stage "ansible-lint (production profile)"
ansible-lint --profile production

stage "ansible-test sanity"
bash scripts/sanity.sh

stage "collection build and offline install"
bash scripts/build-check.sh

stage "molecule scenarios: their end"
if ! wait "$MOLECULE_PID"; then
  tail -120 "$LOGDIR/molecule.log"
  echo "FAIL: a molecule scenario failed (whole log: $LOGDIR/molecule.log)"
  exit 1
fi
grep -E '^==== molecule|^INFO .*(Running|Verifier completed|Idempotence completed)|PLAY RECAP|: ok=' "$LOGDIR/molecule.log" || true

stage "the lab's first site.yml (Debian 12): its end"
if ! wait "$LAB_PID"; then
  tail -80 "$LOGDIR/site-first-run.log"
  echo "FAIL: the lab's first rollout failed (whole log: $LOGDIR/site-first-run.log)"
  exit 1
fi
sed -n '/PLAY RECAP/,$p' "$LOGDIR/site-first-run.log"

# tests/lab/test_upgrade.py: the lab's mirror moves to Debian 13 under the inventory's address (TRIDC_LAB_UPGRADE_SOURCE
# =mirror), upgrade.yml with traffic across the DCs, killed once and resumed; it prints the order and the figures
stage "upgrade: Debian 12 -> 13 on the lab (OVN 23.03 -> 25.03, OVS 3.1 -> 3.5) with playbooks/upgrade.yml"
TRIDC_LAB_UP=1 TRIDC_LAB_UPGRADE_SOURCE=mirror run_pytest upgrade -s tests/lab/test_upgrade.py

# the lab benchmarks run inside the lab tests, in their short mode: the rerun of
# test_node_hung_mid_rollout_halts_then_a_rerun_completes_and_changes_nothing is bench/rollout.py --short,
# test_gateway_loss_recovers_within_about_a_second is bench/failover.py --short
export TRIDC_LAB_SUITE=trixie
stage "lab verification on the upgraded lab, Debian 13 (fabric, ovs, control plane, interconnection, reruns, --check, failures; lab benchmarks short)"
TRIDC_LAB_UP=1 run_pytest lab tests/lab --ignore=tests/lab/test_upgrade.py --durations=25

echo
echo "make test: all stages passed in ${SECONDS}s"

"""The rollout_summary callback under a real ansible-playbook run: rows per DC and phase, controller plays
counted under their rollout slot's DC, gates are the playbook's own "Gate ..." tasks (passed/failed/skipped)."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BIN = os.path.dirname(sys.executable)

PLAYBOOK = """
- name: Plan · plan
  hosts: localhost
  gather_facts: false
  tasks:
    - name: The plan fact (only its rollout order matters here)
      ansible.builtin.set_fact:
        tridc_plan: {rollout_order: [dc3, dc2, dc1]}
- name: Rollout · cni
  hosts: localhost
  gather_facts: false
  vars:
    tridc_slot: 1
  tasks:
    - name: Gate skipped here
      ansible.builtin.debug: {msg: not run}
      when: false
    - name: Gate that passes
      ansible.builtin.debug: {msg: ok}
    - name: An inner check that changes something
      ansible.builtin.command: sleep 0.6
- name: Rollout · gate chassis
  hosts: localhost
  gather_facts: false
  vars:
    tridc_slot: 2
  tasks:
    - name: Gate that fails
      ansible.builtin.fail: {msg: chassis missing}
"""


def test_summary_rows_dc_of_the_slot_and_gate_states(tmp_path):
    (tmp_path / "play.yml").write_text(PLAYBOOK)
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "collections"),
               ANSIBLE_CALLBACKS_ENABLED="tridc.ovn.rollout_summary", ANSIBLE_LOCALHOST_WARNING="False",
               ANSIBLE_CONFIG=str(tmp_path / "none.cfg"), ANSIBLE_PYTHON_INTERPRETER=sys.executable,
               TRIDC_ROLLOUT_SLOWEST="3")
    res = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local", "play.yml"],
                         cwd=str(tmp_path), env=env, capture_output=True, text=True, check=False)
    assert res.returncode == 2, res.stdout + res.stderr
    table = res.stdout.split("tridc.ovn rollout summary", 1)[1].splitlines()
    # fixed-width columns: DC 10, phase 22, changed 8, seconds 8, then results and gates
    rows, seconds = {}, {}
    for line in table[2:]:
        if not line.strip():
            break
        rows[(line[:10].strip(), line[11:33].strip())] = (int(line[34:42]), line[52:])
        seconds[line[11:33].strip()] = float(line[43:51])
    slowest = table[table.index("slowest tasks (seconds summed over DCs and plays, runs)") + 1:]
    assert len(slowest) == 3, slowest
    # the sleeping task leads, with its one run; the cni phase's seconds include it
    assert slowest[0][15:] == "An inner check that changes something" and int(slowest[0][9:13]) == 1, slowest
    assert float(slowest[0][:8]) >= 0.6, slowest
    assert seconds["cni"] >= 0.6 and seconds["plan"] < seconds["cni"], seconds
    assert rows[("-", "plan")] == (0, "ok")
    assert rows[("dc2", "cni")] == (1, "Gate skipped here: skipped; Gate that passes: passed")
    assert rows[("dc1", "gate chassis")] == (0, "FAILED on localhost; Gate that fails: failed")


PLAN_DCS = """
- name: Plan · plan
  hosts: localhost
  gather_facts: false
  tasks:
    - name: The plan's result, as the plan action registers it (nodes and rollout order matter here)
      ansible.builtin.set_fact:
        tridc_plan: {rollout_order: [dc2, dc1], nodes: {h1: {dc: dc1}, h2: {dc: dc2}}}
- name: Rollout · ovs
  hosts: h1:h2
  gather_facts: false
  tasks:
    - name: A change on every host
      ansible.builtin.command: "true"
"""


def test_summary_takes_each_hosts_dc_from_the_plan(tmp_path):
    # h1 and h2 have no tridc_dc variable: their rows come from the plan's nodes (read once, from the plan task's
    # result), not from a variable lookup per host; a host outside the plan would fall back to tridc_dc
    (tmp_path / "play.yml").write_text(PLAN_DCS)
    (tmp_path / "hosts.yml").write_text("all:\n  hosts:\n    h1: {ansible_connection: local}\n    h2: {ansible_connection: local}\n")
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "collections"),
               ANSIBLE_CALLBACKS_ENABLED="tridc.ovn.rollout_summary", ANSIBLE_LOCALHOST_WARNING="False",
               ANSIBLE_CONFIG=str(tmp_path / "none.cfg"), ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    res = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", "hosts.yml", "play.yml"],
                         cwd=str(tmp_path), env=env, capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stdout + res.stderr
    table = res.stdout.split("tridc.ovn rollout summary", 1)[1].splitlines()
    rows = {(line[:10].strip(), line[11:33].strip()): int(line[34:42]) for line in table[2:] if line.strip()}
    assert rows == {("-", "plan"): 0, ("dc1", "ovs"): 1, ("dc2", "ovs"): 1}, table

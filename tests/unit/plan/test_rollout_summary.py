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
      ansible.builtin.command: "true"
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
               ANSIBLE_CONFIG=str(tmp_path / "none.cfg"), ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    res = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local", "play.yml"],
                         cwd=str(tmp_path), env=env, capture_output=True, text=True, check=False)
    assert res.returncode == 2, res.stdout + res.stderr
    table = res.stdout.split("tridc.ovn rollout summary", 1)[1].splitlines()
    # fixed-width columns: DC 10, phase 22, changed 8, then results and gates
    rows = {(line[:10].strip(), line[11:33].strip()): (int(line[34:42]), line[43:]) for line in table[2:] if line.strip()}
    assert rows[("-", "plan")] == (0, "ok")
    assert rows[("dc2", "cni")] == (1, "Gate skipped here: skipped; Gate that passes: passed")
    assert rows[("dc1", "gate chassis")] == (0, "FAILED on localhost; Gate that fails: failed")

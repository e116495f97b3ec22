# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DR playbooks stop before any change when a safety check fails (security issue, item 6).

The playbooks run on the lab inventory with an overlay: the surviving IC database members are unreachable
(a closed port on 127.0.0.1) and the other survivors run locally. Before the fix, the IC members dropped out
and the other survivors went on to write the denylist (a half-applied failover). Now the run stops in the
check play (any_errors_fatal), or at the latest in the safety gate on the controller, and no play that writes
starts. The lab test tests/lab/test_dr_safety.py shows the same with a real IC database without a leader."""

from __future__ import annotations

import os
import sys
import subprocess

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
WRITE_PLAYS = {"dr_failover.yml": "DR failover · survivors", "dr_failback.yml": "DR failback · planned state"}


def _overlay(tmp_path, unreachable, local):
    hosts = {h: {"ansible_host": "127.0.0.1", "ansible_port": 1, "ansible_connection": "ssh",
                 "ansible_ssh_common_args": "-o ConnectTimeout=2"} for h in unreachable}
    hosts.update({h: {"ansible_connection": "local", "ansible_python_interpreter": sys.executable} for h in local})
    path = tmp_path / "overlay.yml"
    path.write_text(yaml.safe_dump({"all": {"hosts": hosts}}))
    return path


def _run(tmp_path, playbook, overlay, *args):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".build", "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"))
    return subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
                           "-i", os.path.join(REPO, "inventories", "lab"), "-i", str(overlay),
                           os.path.join(REPO, "playbooks", playbook), *args],
                          cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=600, check=False)


def test_every_dr_play_on_hosts_is_fatal_and_a_gate_precedes_the_writes():
    for name, write_play in WRITE_PLAYS.items():
        with open(os.path.join(REPO, "playbooks", name)) as handle:
            plays = yaml.safe_load(handle)
        names = [p["name"] for p in plays]
        assert write_play in names, names
        first_write = names.index(write_play)
        gates = [i for i, p in enumerate(plays) if p["hosts"] == "localhost" and "safety gate" in p["name"]]
        assert gates and gates[0] < first_write, "%s: no safety gate on the controller before %r" % (name, write_play)
        for play in plays:
            assert play.get("any_errors_fatal") is True, "%s: play %r without any_errors_fatal" % (name, play["name"])
            if play["hosts"] != "localhost":
                assert play.get("max_fail_percentage") == 0, "%s: play %r without max_fail_percentage 0" % (name, play["name"])


def test_failover_stops_before_any_write_when_the_ic_members_do_not_answer(tmp_path):
    overlay = _overlay(tmp_path, ["dc2-n1", "dc3-n1"], ["dc2-n2", "dc2-n3", "dc3-n2", "dc3-n3"])
    res = _run(tmp_path, "dr_failover.yml", overlay, "-e", "dc=dc1")
    out = res.stdout + res.stderr
    assert res.returncode != 0, out[-4000:]
    assert "PLAY [DR failover · IC databases keep a leader]" in out, out[-4000:]
    assert "PLAY [DR failover · survivors]" not in out, "the survivors play ran after a failed check:\n" + out[-4000:]
    assert "tridc.ovn.dr_routing" not in out, out[-4000:]


def test_failback_stops_before_any_write_when_a_dc_is_not_back(tmp_path):
    overlay = _overlay(tmp_path, ["dc1-n1"], ["dc1-n2", "dc1-n3", "dc2-n2", "dc2-n3", "dc3-n2", "dc3-n3"])
    res = _run(tmp_path, "dr_failback.yml", overlay)
    out = res.stdout + res.stderr
    assert res.returncode != 0, out[-4000:]
    assert "PLAY [DR failback · planned state]" not in out, "the failback wrote after a failed check:\n" + out[-4000:]
    assert "tridc.ovn.dr_routing" not in out, out[-4000:]

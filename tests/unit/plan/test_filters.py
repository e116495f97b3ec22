"""The filters through Ansible itself: thin faces over the plan, clear errors."""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BIN = os.path.dirname(sys.executable)


def adhoc(expr, tmp_path):
    """Return {"msg": value} or {"failed": True, "output": text}."""
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "collections"))
    playbook = os.path.join(ROOT, "tests", "unit", "fixtures", "filter_probe.yml")
    out = tmp_path / "probe.out"
    res = subprocess.run([os.path.join(BIN, "ansible-playbook"), playbook, "-i", os.path.join(ROOT, "inventories", "lab"),
                          "-e", json.dumps({"probe": expr, "probe_out": str(out)})],
                         capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    if res.returncode != 0:
        return {"failed": True, "output": res.stdout + res.stderr}
    return {"msg": out.read_text()}


def test_bridge_mappings_and_trunks_filters(tmp_path):
    res = adhoc("{{ tridc_plan | tridc.ovn.bridge_mappings('dc2-n3') }}", tmp_path)
    assert res["msg"] == "business:br-business,storage:br-storage"
    res = adhoc("{{ tridc_plan | tridc.ovn.node_trunks('dc1-n1') | to_json }}", tmp_path)
    assert json.loads(res["msg"]) == {"br-business": {"nic": "eth0", "trunks": [0, 101, 102, 104]},
                                      "br-storage": {"nic": "eth1", "trunks": [0, 201]}}
    res = adhoc("{{ (tridc_plan | tridc.ovn.dc_plan('dc3')).central.bootstrap }}", tmp_path)
    assert res["msg"] == "dc3-n1"


def test_unknown_host_is_a_clear_error(tmp_path):
    res = adhoc("{{ tridc_plan | tridc.ovn.node_plan('nope') }}", tmp_path)
    assert res.get("failed")
    assert "tridc.ovn.node_plan: host 'nope' is not in the plan" in res["output"]


def test_parse_bridge_mappings_rejects_garbage(tmp_path):
    res = adhoc("{{ 'business:br-business,broken' | tridc.ovn.parse_bridge_mappings }}", tmp_path)
    assert res.get("failed") and "'broken' is not a 'network:bridge' mapping" in res["output"]

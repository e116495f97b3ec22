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


def test_controller_plan_checks_the_whole_plan_where_a_role_reads_it(tmp_path):
    """The roles' vars read the whole plan through this filter (it is not a role option: README, Bank scale)."""
    res = adhoc("{{ (tridc_plan | tridc.ovn.controller_plan('dr')).routers | list | sort | join(',') }}", tmp_path)
    assert res["msg"] == "dc1,dc2,dc3"
    res = adhoc("{{ 'the plan' | tridc.ovn.controller_plan('dr') }}", tmp_path)
    assert res.get("failed")
    assert "tridc.ovn.controller_plan: tridc_controller_plan must be the whole plan" in res["output"]
    assert "got a string ('the plan')" in res["output"] and "Traceback" not in res["output"]
    # a host's view holds no DR part: the message names the fix
    res = adhoc("{{ tridc_plan | tridc.ovn.host_plan('dc1-n1') | tridc.ovn.controller_plan('dr') }}", tmp_path)
    assert res.get("failed")
    assert "the plan given has no 'dr' part: it is a host's view (tridc_plan)" in res["output"]

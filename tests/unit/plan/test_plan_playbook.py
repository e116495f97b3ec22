"""playbooks/plan.yml end to end: files for both inventories; a bad inventory lists every problem."""

import html
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BIN = os.path.dirname(sys.executable)


def run_plan(inventory, out, *extra):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "collections"))
    return subprocess.run([os.path.join(BIN, "ansible-playbook"), os.path.join(ROOT, "playbooks", "plan.yml"),
                           "-i", inventory, "-e", "plan_dir=%s" % out, *extra], capture_output=True, text=True, env=env, cwd=ROOT, check=False)


def test_plan_writes_three_files_for_both_inventories(tmp_path):
    for name in ("lab", "example-bank"):
        out = tmp_path / name
        res = run_plan(os.path.join(ROOT, "inventories", name), out)
        assert res.returncode == 0, res.stdout + res.stderr
        plan = json.loads((out / "plan.json").read_text())
        text = (out / "plan.json").read_text()
        assert text == json.dumps(plan, indent=2, sort_keys=True) + "\n"  # stable key order
        md = (out / "plan.md").read_text()
        assert "What the physical network must provide" in md and "ovn-bridge-mappings" in md
        svg = html.unescape((out / "topology.svg").read_text())
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "OVN-IC transit switch" in svg
        assert (out / "topology.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        for dc in plan["dcs"]:
            assert dc in svg
            page = html.unescape((out / ("topology-%s.svg" % dc)).read_text())
            for node in plan["dcs"][dc]["nodes"]:  # the detail pages name every node (up to 24 per box)
                assert node[len(dc) + 1:] in page, node
            assert (out / ("topology-%s.png" % dc)).exists()
        # a rerun changes nothing
        res = run_plan(os.path.join(ROOT, "inventories", name), out)
        assert "changed=0" in res.stdout, res.stdout


def test_bad_inventory_lists_every_problem_without_traceback_or_contact(tmp_path):
    res = run_plan(os.path.join(ROOT, "tests", "unit", "fixtures", "bad-inventory"), tmp_path / "bad")
    out = res.stdout + res.stderr
    assert res.returncode != 0
    assert "Traceback" not in out
    assert "no host was contacted" in out
    for fragment in ("provider network 'businessnetwork': name", "vlan 'v1': id: 5000 is out of range",
                     "vlan 'v3': id: VLAN id 7 is already used", "subnet 's1': gateway: 10.102.0.1 is not inside",
                     "subnet 's1': exclude_ips[0]", "range start is after its end", "overlaps",
                     "dc 'dc2': region: the same_city_dr DC must be in the primary's region", "az: 'az1' is already used",
                     "host 'dc2-n1': tridc_failure_domain: 'rack9'", "both ovn_chassis and kube_ovn_node",
                     "dc 'dc1': ovn_central: needs an odd number", "dc 'dc2': ovn_ic_db", "dc 'dc1': ovn_gateway",
                     "dc 'dc3': hosts: no host of the inventory is in this DC"):
        assert fragment in out, fragment
    assert not (tmp_path / "bad").exists()
    # nothing was attempted against the (unreachable) hosts
    assert "UNREACHABLE" not in out and "192.0.2." not in out


def test_typos_and_wrong_types_are_reported_in_the_inventorys_words(tmp_path):
    """Through Ansible (whose YAML strings are tagged types): typos of tridc_* variables, Kube-OVN settings of the
    wrong type and a network without a prefix length are all reported together, by their inventory names."""
    res = run_plan(os.path.join(ROOT, "tests", "unit", "fixtures", "typo-inventory"), tmp_path / "typo")
    out = res.stdout + res.stderr
    assert res.returncode != 0 and "Traceback" not in out
    for fragment in ("inventory: tridc_subnet: unknown variable; did you mean tridc_subnets?",
                     "host 'dc1-n1': tridc_encapip: unknown host variable; did you mean tridc_encap_ip?",
                     "dc 'dc1': failure_domains: must be a list, got a string ('rack1')",
                     "dc 'dc1': mgmt_network: '10.90.1.0' is not a network: has no prefix length",
                     "tridc_kube_ovn: pod_cidr: must be a string, got a list",
                     "tridc_kube_ovn: interconnection: must be a boolean (true or false), got a string ('yes please')",
                     "tridc_kube_ovn: dcs.dc1.svc_cidr: must be a string, got a number (5)",
                     "tridc_kube_ovn: dcs.dc7: 'dc7' is not a DC of tridc_dcs"):
        assert fragment in out, fragment
    assert "(8 problems)" in out, out
    for word in ("_Ansible", "None", "NoneType"):
        assert word not in out.split("the network plan is invalid")[1].split("Origin")[0], word


def test_plan_diff_against_a_baseline(tmp_path):
    """plan.yml -e plan_baseline=...: the same inventory gives "No change"; another one lists what changes."""
    first = tmp_path / "first"
    res = run_plan(os.path.join(ROOT, "inventories", "lab"), first, "-e", '{"plan_pictures": []}')
    assert res.returncode == 0, res.stdout + res.stderr
    same = tmp_path / "same"
    res = run_plan(os.path.join(ROOT, "inventories", "lab"), same, "-e", "plan_baseline=%s" % (first / "plan.json"),
                   "-e", '{"plan_pictures": []}')
    assert res.returncode == 0, res.stdout + res.stderr
    assert "plan-diff.md/.json: no change" in res.stdout
    assert "**No change**" in (same / "plan-diff.md").read_text()
    assert json.loads((same / "plan-diff.json").read_text())["identical"] is True
    other = tmp_path / "other"
    res = run_plan(os.path.join(ROOT, "inventories", "example-bank"), other, "-e", "plan_baseline=%s" % (first / "plan.json"),
                   "-e", '{"plan_pictures": []}')
    assert res.returncode == 0, res.stdout + res.stderr
    diff = json.loads((other / "plan-diff.json").read_text())
    assert diff["identical"] is False and diff["counts"]["nodes_added"] == 42 and diff["counts"]["nodes_removed"] == 9
    md = (other / "plan-diff.md").read_text()
    assert "## Rollout: what site.yml would touch, in order" in md and "| 1 | south1 | ovs |" in md

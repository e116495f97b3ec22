"""The plan diff (issue 13, part 2): identical plans give "no change"; each generated change is reported where the
change board looks for it (network, DC, node, DR order) and the rollout lists the hosts and phases it touches, in
site.yml's order."""

import copy

from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import build_plan
from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan.diff import PHASES, compare, to_markdown

from topo import base_inventory

FAST = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BASE = build_plan(base_inventory())


def plan_of(fn, nodes=3):
    inv = base_inventory(nodes_per_dc=nodes)
    fn(inv)
    return build_plan(inv)


def order_ok(diff, plan):
    keys = [(plan["rollout_order"].index(s["dc"]), PHASES.index(s["phase"])) for s in diff["rollout"]]
    assert keys == sorted(keys), keys
    assert [s["step"] for s in diff["rollout"]] == list(range(1, len(keys) + 1))


@FAST
@given(st.integers(min_value=3, max_value=8))
def test_identical_plans_are_no_change(nodes):
    plan = plan_of(lambda i: None, nodes)
    diff = compare(plan, copy.deepcopy(plan))
    assert diff["identical"] and diff["rollout"] == [] and not diff["nodes"]
    assert "**No change**" in to_markdown(diff)


@FAST
@given(st.sampled_from(["dc1", "dc2", "dc3"]), st.integers(min_value=1, max_value=4094))
def test_a_new_vlan_reaches_every_node_of_its_dc_in_the_ovs_phase(dc, vid):
    new = plan_of(lambda i: i["globals"]["tridc_provider_networks"][1]["vlans"].append({"name": "new", "id": vid, "dcs": [dc]}))
    old = build_plan(base_inventory())
    diff = compare(old, new)
    assert diff["network"]["vlans"]["added"] == ["new"]
    assert diff["dcs"][dc]["vlans"]["added"] == ["new"]
    touched = {h for h, c in diff["nodes"].items()}
    expected = set(new["dcs"][dc]["chassis"])
    if vid in {v["id"] for v in base_inventory()["globals"]["tridc_provider_networks"][1]["vlans"] if dc in v["dcs"]}:
        return
    assert touched == expected, (touched, expected)
    steps = [(s["dc"], s["phase"]) for s in diff["rollout"]]
    assert (dc, "ovs") in steps
    order_ok(diff, new)
    md = to_markdown(diff)
    assert "VLAN added: new" in md and ("trunks +%d" % vid in md or "bridge br-storage added" in md)


@FAST
@given(st.sampled_from(["dc1", "dc2", "dc3"]), st.permutations(["rack1", "rack2", "rack3"]))
def test_moved_gateway_priorities_and_dr_order(dc, fds):
    def move(inv):
        d = next(x for x in inv["globals"]["tridc_dcs"] if x["name"] == dc)
        d["failure_domains"] = list(fds)
    new = plan_of(move)
    diff = compare(BASE, new)
    old_gws = [g["host"] for g in BASE["dcs"][dc]["gateways"]]
    new_gws = [g["host"] for g in new["dcs"][dc]["gateways"]]
    if old_gws == new_gws:
        assert "gateway_priorities" not in diff["dcs"].get(dc, {})
        return
    g = diff["dcs"][dc]["gateway_priorities"]
    assert [x.split()[0] for x in g["after"]] == new_gws
    assert any(s["dc"] == dc and s["phase"] == "interconnect" for s in diff["rollout"])
    order_ok(diff, new)


def test_node_added_removed_and_rollout_order_changed():
    new = plan_of(lambda i: i["globals"].update(tridc_rollout_order=["dc2", "dc3", "dc1"]), nodes=4)
    diff = compare(BASE, new)
    assert {h for h, c in diff["nodes"].items() if c == "added"} == {"dc1-n4", "dc2-n4", "dc3-n4"}
    assert diff["network"]["rollout_order"] == [["dc3", "dc2", "dc1"], ["dc2", "dc3", "dc1"]]
    assert [s["dc"] for s in diff["rollout"]][0] == "dc2"
    order_ok(diff, new)
    removed = compare(new, BASE)
    assert {h for h, c in removed["nodes"].items() if c == "removed"} == {"dc1-n4", "dc2-n4", "dc3-n4"}


def test_dr_order_moves_when_roles_swap():
    def swap(inv):
        for d in inv["globals"]["tridc_dcs"]:
            d["dr_role"] = {"primary": "same_city_dr", "same_city_dr": "primary"}.get(d["dr_role"], d["dr_role"])
    diff = compare(BASE, plan_of(swap))
    assert diff["dr"]["takeover_order"]["changed"]["dc3"]["value"] == [["dc1", "dc2"], ["dc2", "dc1"]]
    assert diff["dr"]["prefixes"]["b101"]["active_dc"] == ["dc1", "dc2"]
    md = to_markdown(diff)
    assert "if dc3 is lost: dc1 → dc2 → dc2 → dc1" in md and "b101: active dc1 → dc2" in md

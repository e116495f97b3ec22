"""The drift audit's comparison (issue 13, part 3), as property tests: the state the plan asks for gives no drift;
each generated manual change is found, and nothing else is reported."""

import copy

from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import build_plan
from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan.audit import audited_hosts, compare, to_markdown

from topo import base_inventory

PLAN = build_plan(base_inventory(nodes_per_dc=4))
HOSTS = sorted(PLAN["nodes"])


def converged(plan):
    """What every host reports when the network is exactly as planned."""
    states = {}
    ports = plan["settings"]["ports"]
    for host, reads in audited_hosts(plan).items():
        n = plan["nodes"][host]
        s = {}
        if "ovs" in reads:
            s["ovs"] = {"external_ids": {"system-id": n["system_id"], "ovn-bridge-mappings": n["bridge_mappings"],
                                         "ovn-encap-ip": n["encap_ip"], "ovn-encap-type": n["encap_type"],
                                         "ovn-remote": n["ovn_remote"], "hostname": host},
                        "bridges": {b["name"]: {"datapath_type": n["datapath_type"], "external_ids": {"tridc-provider": b["provider"]},
                                                "ports": {b["nic"]: {"trunks": list(b["trunks"]), "tag": None},
                                                          b["name"]: {"trunks": [], "tag": None}}}
                                    for b in n["bridges"]}}
            s["ovs"]["bridges"]["br-int"] = {"datapath_type": n["datapath_type"], "external_ids": {}, "ports": {}}
        if "raft" in reads:
            members = plan["dcs"][n["dc"]]["central"]["members"]
            s["raft"] = {db: {"running": True, "status": "cluster member",
                              "servers": ["ssl:%s:%d" % (m["ip"], ports[db + "_raft"]) for m in members]} for db in ("nb", "sb")}
        if "nb" in reads:
            s["nb"] = {"az": plan["dcs"][n["dc"]]["az"],
                       "switches": {sw["name"]: {"owner": "tridc.ovn", "localnet": sw["localnet"] and dict(sw["localnet"], tag=sw["localnet"]["tag"] or None)}
                                    for sw in plan["ovn"]["switches"][n["dc"]]}}
            s["nb"]["switches"]["someone-elses"] = {"owner": None, "localnet": None}
        if "ic" in reads:
            s["ic"] = {"transit_switches": {t["name"]: t["subnet"] for t in plan["interconnect"]["transit_switches"]},
                       "availability_zones": sorted(d["az"] for d in plan["dcs"].values()),
                       "gateways": {d["az"]: [{"name": g["host"]} for g in d["gateways"]] for d in plan["dcs"].values()}}
        states[host] = s
    return states


def test_converged_network_has_no_drift():
    assert compare(PLAN, converged(PLAN)) == []
    assert "**No drift**" in to_markdown(PLAN, [])


def _chassis():
    return [h for h in HOSTS if PLAN["nodes"][h]["managed_ovs"]]


MUTATIONS = ["trunk_removed", "trunk_added", "encap_ip", "mapping", "bridge_deleted", "extra_bridge", "port_moved",
             "raft_member_gone", "switch_deleted", "switch_tag", "az_renamed", "ic_gateway_gone", "unreachable"]


@st.composite
def mutation(draw):
    kind = draw(st.sampled_from(MUTATIONS))
    if kind in ("raft_member_gone",):
        host = draw(st.sampled_from([h for h in HOSTS if PLAN["nodes"][h]["central"]]))
    elif kind in ("switch_deleted", "switch_tag", "az_renamed"):
        host = draw(st.sampled_from([h for h, r in audited_hosts(PLAN).items() if "nb" in r and PLAN["ovn"]["switches"][PLAN["nodes"][h]["dc"]]]))
    elif kind == "ic_gateway_gone":
        host = PLAN["interconnect"]["members"][0]["host"]
    else:
        host = draw(st.sampled_from(_chassis()))
    return kind, host, draw(st.integers(min_value=1, max_value=4000))


def apply(states, kind, host, value):
    """One manual change on the network; returns the (object, field) the audit must report for it."""
    s = states[host]
    n = PLAN["nodes"][host]
    if kind in ("trunk_removed", "trunk_added", "bridge_deleted", "port_moved", "extra_bridge"):
        b = n["bridges"][value % len(n["bridges"])]
        port = s["ovs"]["bridges"][b["name"]]["ports"][b["nic"]]
        if kind == "trunk_removed":
            port["trunks"] = port["trunks"][1:]
            return ("port %s on %s" % (b["nic"], b["name"]), "trunks")
        if kind == "trunk_added":
            port["trunks"] = sorted(set(port["trunks"]) | {4095 - value % 10})
            return ("port %s on %s" % (b["nic"], b["name"]), "trunks")
        if kind == "bridge_deleted":
            del s["ovs"]["bridges"][b["name"]]
            return ("bridge " + b["name"], "present")
        if kind == "port_moved":
            del s["ovs"]["bridges"][b["name"]]["ports"][b["nic"]]
            return ("bridge " + b["name"], "port " + b["nic"])
        s["ovs"]["bridges"]["br-old%d" % value] = {"datapath_type": "netdev", "external_ids": {"tridc-provider": "old"}, "ports": {}}
        return ("bridge br-old%d" % value, "present")
    if kind == "encap_ip":
        s["ovs"]["external_ids"]["ovn-encap-ip"] = "192.0.2.%d" % (value % 250 + 1)
        return ("Open_vSwitch", "external_ids:ovn-encap-ip")
    if kind == "mapping":
        s["ovs"]["external_ids"]["ovn-bridge-mappings"] += ",phys%d:br-x" % value
        return ("Open_vSwitch", "external_ids:ovn-bridge-mappings[phys%d]" % value)
    if kind == "raft_member_gone":
        db = "nb" if value % 2 else "sb"
        s["raft"][db]["servers"] = s["raft"][db]["servers"][1:]
        return ("%s raft" % db.upper(), "servers")
    if kind in ("switch_deleted", "switch_tag"):
        switches = PLAN["ovn"]["switches"][n["dc"]]
        if kind == "switch_tag":  # a VLAN switch (an overlay switch has no localnet port to retag)
            switches = [x for x in switches if x["localnet"]]
        sw = switches[value % len(switches)]["name"]
        if kind == "switch_deleted":
            del s["nb"]["switches"][sw]
            return ("switch " + sw, "present")
        s["nb"]["switches"][sw]["localnet"]["tag"] = 4000 + value % 90
        return ("switch " + sw, "localnet tag")
    if kind == "az_renamed":
        s["nb"]["az"] = "renamed"
        return ("NB_Global", "name (AZ)")
    if kind == "ic_gateway_gone":
        az = sorted(s["ic"]["gateways"])[value % 3]
        s["ic"]["gateways"][az] = s["ic"]["gateways"][az][1:]
        return ("IC gateways of %s" % az, "registered")
    states[host] = {"failed": True, "msg": "UNREACHABLE"}
    return ("host", "state read")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutation(), min_size=1, max_size=4, unique_by=lambda m: m[1]))  # one change per host
def test_each_manual_change_is_found_and_nothing_else(mutations):
    states = copy.deepcopy(converged(PLAN))
    expected = set()
    unreachable = {h for k, h, _v in mutations if k == "unreachable"}
    for kind, host, value in mutations:
        if host in unreachable and kind != "unreachable":
            continue
        expected.add((host,) + apply(states, kind, host, value))
    drift = compare(PLAN, states)
    found = {(d["host"], d["object"], d["field"]) for d in drift}
    assert found == expected, (found, expected)
    assert all(d["dc"] == PLAN["nodes"][d["host"]]["dc"] for d in drift)
    md = to_markdown(PLAN, drift)
    for host, obj, _field in expected:
        assert "| %s | %s |" % (host, obj) in md

"""The plan for inventories/lab and inventories/example-bank (fixtures lab and bank, conftest.py) against hand-worked
expectations."""

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan.views import parse_bridge_mappings


def test_lab_rollout_order_is_remote_then_same_city_then_primary(lab):
    assert lab["rollout_order"] == ["dc3", "dc2", "dc1"]
    assert [lab["dcs"][d]["rollout_index"] for d in ("dc3", "dc2", "dc1")] == [0, 1, 2]


def test_lab_node_bridges_trunks_and_mappings(lab):
    n = lab["nodes"]["dc1-n2"]
    assert n["bridges"] == [
        {"name": "br-business", "provider": "business", "nic": "eth0", "mtu": 1500, "trunks": [0, 101, 102, 104], "addresses": ["10.90.1.12/24"]},
        {"name": "br-storage", "provider": "storage", "nic": "eth1", "mtu": 1500, "trunks": [0, 201], "addresses": ["10.91.1.12/24"]},
    ]
    assert n["bridge_mappings"] == "business:br-business,storage:br-storage"
    assert n["encap_ip"] == "10.91.1.12" and n["mgmt_ip"] == "10.90.1.12"
    assert n["gateway"] and n["central"] and not n["ic_db"] and n["managed_ovs"]
    # dc2 has only the stretched business VLANs 101 and 104, dc3 only 103
    assert lab["nodes"]["dc2-n1"]["bridges"][0]["trunks"] == [0, 101, 104]
    assert lab["nodes"]["dc3-n3"]["bridges"][0]["trunks"] == [0, 103]
    assert lab["nodes"]["dc3-n3"]["bridges"][1]["trunks"] == [0, 203]


def test_lab_raft_and_connections(lab):
    c = lab["dcs"]["dc2"]["central"]
    assert [m["host"] for m in c["members"]] == ["dc2-n1", "dc2-n2", "dc2-n3"]
    assert c["bootstrap"] == "dc2-n1"
    assert c["nb_connection"] == "ssl:10.90.2.11:6641,ssl:10.90.2.12:6641,ssl:10.90.2.13:6641"
    assert c["sb_connection"] == "ssl:10.90.2.11:6642,ssl:10.90.2.12:6642,ssl:10.90.2.13:6642"
    assert lab["nodes"]["dc2-n3"]["ovn_remote"] == c["sb_connection"]


def test_lab_interconnect(lab):
    ic = lab["interconnect"]
    assert [(m["host"], m["dc"]) for m in ic["members"]] == [("dc3-n1", "dc3"), ("dc2-n1", "dc2"), ("dc1-n1", "dc1")]
    assert ic["nb_connection"] == "ssl:10.90.3.11:6645,ssl:10.90.2.11:6645,ssl:10.90.1.11:6645"
    assert ic["gateway_priorities"]["dc1"] == [
        {"host": "dc1-n2", "failure_domain": "rack2", "priority": 20},
        {"host": "dc1-n3", "failure_domain": "rack3", "priority": 10}]
    assert ic["transit_switches"] == [{"name": "ts-dr", "subnet": "169.254.100.0/24"}]


def test_lab_physical_network_requirements(lab):
    dc1 = [p for p in lab["physical"]["dc1"] if p["node"] == "dc1-n1"]
    assert dc1 == [{"node": "dc1-n1", "nic": "eth0", "provider": "business", "untagged": True, "vlans": [101, 102, 104]},
                   {"node": "dc1-n1", "nic": "eth1", "provider": "storage", "untagged": True, "vlans": [201]}]


def test_lab_dr_preferences(lab):
    assert lab["dr"]["takeover_order"] == {"dc1": ["dc2", "dc3"], "dc2": ["dc1", "dc3"], "dc3": ["dc1", "dc2"]}
    assert lab["dr"]["underlay"]["biz101"]["active_dc"] == "dc1"
    assert lab["dr"]["underlay"]["biz101"]["standby_dcs"] == ["dc2"]


def test_bank_central_only_hosts_get_no_bridges_and_kube_nodes_are_not_managed(bank):
    ctl = bank["nodes"]["north1-ctl01"]
    assert ctl["bridges"] == [] and ctl["bridge_mappings"] == "" and ctl["central"] and ctl["ic_db"]
    k8s = bank["nodes"]["north1-k8s01"]
    assert k8s["kube_ovn_node"] and not k8s["managed_ovs"]
    gw = bank["nodes"]["north1-gw01"]
    # storage excludes the gateways
    assert [b["provider"] for b in gw["bridges"]] == ["biz"]
    assert gw["bridges"][0]["trunks"] == [1101, 1102, 1301]
    hv = bank["nodes"]["south1-hv01"]
    assert parse_bridge_mappings(hv["bridge_mappings"]) == {"biz": "br-biz", "stor": "br-stor"}
    assert hv["bridges"][0]["trunks"] == [2101, 2301] and hv["bridges"][0]["mtu"] == 9000


def test_bank_gateways_spread_over_failure_domains(bank):
    for dc in bank["dcs"].values():
        gws = dc["gateways"]
        assert len({g["failure_domain"] for g in gws[:2]}) == 2
        assert len({g["priority"] for g in gws}) == len(gws)

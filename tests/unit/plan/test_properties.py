"""Property-based invariants of the plan over generated topologies (hypothesis)."""

from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import check_plan
from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan.views import parse_bridge_mappings

from topo import base_inventory

DCS = ("dc1", "dc2", "dc3")


@st.composite
def topologies(draw):
    nodes = draw(st.integers(min_value=3, max_value=9))
    inv = base_inventory(nodes_per_dc=nodes)
    g = inv["globals"]
    # random VLAN sets per provider, each VLAN present in a random non-empty set of DCs
    for pn in g["tridc_provider_networks"]:
        ids = draw(st.lists(st.integers(min_value=0, max_value=4095), min_size=1, max_size=12, unique=True))
        pn["vlans"] = [{"name": "%s-%d" % (pn["name"], i), "id": i,
                        "dcs": sorted(draw(st.sets(st.sampled_from(DCS), min_size=1)))} for i in ids]
    g["tridc_subnets"] = [s for s in g["tridc_subnets"] if s.get("vlan") is None]
    # random failure domains and gateway sets (at least two FDs among gateways)
    for name, host in inv["hosts"].items():
        host["tridc_failure_domain"] = draw(st.sampled_from(["rack1", "rack2", "rack3"]))
    inv["groups"]["ovn_gateway"] = []
    for dc in DCS:
        members = sorted(h for h in inv["hosts"] if h.startswith(dc + "-"))
        picked = draw(st.lists(st.sampled_from(members), min_size=2, unique=True))
        inv["groups"]["ovn_gateway"] += picked
    return inv


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(topologies())
def test_invariants(inv):
    plan, problems = check_plan(inv)
    if problems:
        # the only rule a generated topology may break: gateways in a single failure domain
        assert all("at least two failure domains" in str(p) for p in problems), problems
        return
    vlans_by_provider_dc = {}
    for pn in inv["globals"]["tridc_provider_networks"]:
        for v in pn["vlans"]:
            for dc in v["dcs"]:
                vlans_by_provider_dc.setdefault((pn["name"], dc), set()).add(v["id"])
    for name, node in plan["nodes"].items():
        # a node's trunks cover exactly every VLAN of its providers in its DC
        for b in node["bridges"]:
            assert set(b["trunks"]) == vlans_by_provider_dc[(b["provider"], node["dc"])]
            assert b["trunks"] == sorted(b["trunks"])
        # every provider with a VLAN in the node's DC has a bridge
        expected = sorted(p for (p, dc) in vlans_by_provider_dc if dc == node["dc"])
        assert [b["provider"] for b in node["bridges"]] == expected
        # the mappings string parses back to the plan's bridges
        assert parse_bridge_mappings(node["bridge_mappings"]) == {b["provider"]: b["name"] for b in node["bridges"]}
    for dc, gws in plan["interconnect"]["gateway_priorities"].items():
        prios = [g["priority"] for g in gws]
        assert len(set(prios)) == len(prios) and prios == sorted(prios, reverse=True)
        assert len({g["failure_domain"] for g in gws[:2]}) == 2


JUNK = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
                    max_leaves=8)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["tridc_regions", "tridc_dcs", "tridc_provider_networks", "tridc_subnets", "tridc_interconnect",
                        "tridc_datapath_type", "tridc_package_source", "tridc_rollout_order"]), JUNK)
def test_garbage_in_any_global_is_reported_not_raised(key, junk):
    inv = base_inventory()
    inv["globals"][key] = junk
    plan, problems = check_plan(inv)  # must never raise
    assert plan is not None or problems


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["tridc_dc", "tridc_failure_domain", "tridc_nics", "tridc_mgmt_ip", "tridc_encap_ip"]), JUNK)
def test_garbage_in_host_vars_is_reported_not_raised(key, junk):
    inv = base_inventory()
    inv["hosts"]["dc2-n2"][key] = junk
    plan, problems = check_plan(inv)
    assert plan is not None or problems


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([("tridc_dcs", 0), ("tridc_provider_networks", 0), ("tridc_subnets", 0), ("tridc_subnets", 2)]),
       st.sampled_from(["name", "region", "dr_role", "az", "mgmt_network", "underlay_network", "failure_domains", "default_nic",
                        "nic_overrides", "exclude_nodes", "mtu", "vlans", "cidr", "gateway", "exclude_ips", "vlan", "dcs", "owner",
                        "routing_domain"]), JUNK)
def test_garbage_in_nested_fields_is_reported_not_raised(where, field, junk):
    inv = base_inventory()
    key, index = where
    inv["globals"][key][index][field] = junk
    plan, problems = check_plan(inv)
    assert plan is not None or problems


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["name", "id", "plane", "dcs"]), JUNK)
def test_garbage_in_vlans_is_reported_not_raised(field, junk):
    inv = base_inventory()
    inv["globals"]["tridc_provider_networks"][0]["vlans"][0][field] = junk
    plan, problems = check_plan(inv)
    assert plan is not None or problems

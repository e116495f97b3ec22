"""Each validation rule: a failing case naming the object and field, and the passing base case."""

import pytest

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import PlanError, build_plan, check_plan

from topo import base_inventory, mutate


def problems(inv):
    plan, probs = check_plan(inv)
    assert (plan is None) == bool(probs)
    return [str(p) for p in probs]


def assert_problem(inv, *fragments):
    probs = problems(inv)
    assert any(all(f in p for f in fragments) for p in probs), "expected %r in %s" % (fragments, probs)


def g(inv):
    return inv["globals"]


def pn(inv, name="business"):
    return next(p for p in g(inv)["tridc_provider_networks"] if p["name"] == name)


def subnet(inv, name):
    return next(s for s in g(inv)["tridc_subnets"] if s["name"] == name)


def dc(inv, name):
    return next(d for d in g(inv)["tridc_dcs"] if d["name"] == name)


def test_base_is_valid():
    assert problems(base_inventory()) == []


def test_provider_name_at_most_12_characters():
    inv = mutate(lambda i: pn(i).update(name="businessplane"))
    assert_problem(inv, "provider network 'businessplane'", "name", "13 characters", "at most 12")
    inv = mutate(lambda i: pn(i).update(name="business1234"))
    assert problems(inv) == []


def test_interface_names_linux_safe():
    inv = mutate(lambda i: pn(i).update(default_nic="enp0s31f6-toolong"))
    assert_problem(inv, "provider network 'business'", "default_nic", "15")
    inv = mutate(lambda i: i["hosts"]["dc1-n1"]["tridc_nics"].update({"bad/nic": {}}))
    assert_problem(inv, "host 'dc1-n1'", "tridc_nics", "Linux-safe")


def test_vlan_id_range_and_unique_per_provider():
    inv = mutate(lambda i: pn(i)["vlans"][0].update(id=4096))
    assert_problem(inv, "vlan 'b101'", "id", "4096 is out of range 0..4095")
    inv = mutate(lambda i: pn(i)["vlans"][1].update(id=101))
    assert_problem(inv, "vlan 'b103'", "id", "101 is already used by vlan 'b101'")
    # the same id on another provider is fine
    inv = mutate(lambda i: pn(i, "storage")["vlans"][0].update(id=101))
    assert problems(inv) == []


def test_gateway_inside_cidr_and_not_excluded():
    inv = mutate(lambda i: subnet(i, "b101").update(gateway="10.102.0.1"))
    assert_problem(inv, "subnet 'b101'", "gateway", "not inside 10.101.0.0/24")
    inv = mutate(lambda i: subnet(i, "b101").update(gateway="10.101.0.5"))
    assert_problem(inv, "subnet 'b101'", "gateway", "excluded by exclude_ips '10.101.0.2..10.101.0.9'")


@pytest.mark.parametrize("entry,message", [
    ("10.101.0.9..10.101.0.2", "range start is after its end"),
    ("10.101.0.2-10.101.0.9", "is not an IP address or a range"),
    ("10.101.1.5", "is not inside 10.101.0.0/24"),
    ("10.101.0.5..10.101.1.5", "is not inside"),
    ("a..b..c", "is not an IP address or a range"),
])
def test_exclude_ips_syntax_and_range(entry, message):
    inv = mutate(lambda i: subnet(i, "b101")["exclude_ips"].append(entry))
    assert_problem(inv, "subnet 'b101'", "exclude_ips[2]", message)


def test_no_overlap_within_routing_domain():
    inv = mutate(lambda i: subnet(i, "b103").update(cidr="10.101.0.0/16", gateway="10.101.0.1", exclude_ips=[]))
    assert_problem(inv, "cidr", "overlaps", "routing domain 'default'")
    inv = mutate(lambda i: subnet(i, "b103").update(cidr="10.101.0.0/16", gateway="10.101.0.1", routing_domain="vrf-b"))
    assert problems(inv) == []


def test_overlay_cidrs_distinct_across_dcs_even_in_other_routing_domains():
    inv = mutate(lambda i: subnet(i, "pods3").update(cidr="10.210.1.0/24", gateway="10.210.1.1", routing_domain="other"))
    assert_problem(inv, "subnet 'pods", "overlay CIDR overlaps")


def test_overlay_subnet_is_local_to_one_dc():
    inv = mutate(lambda i: subnet(i, "pods1").update(dcs=["dc1", "dc2"]))
    assert_problem(inv, "subnet 'pods1'", "dcs", "local to one DC")


def test_unique_az_names():
    inv = mutate(lambda i: dc(i, "dc2").update(az="az-dc1"))
    assert_problem(inv, "dc '", "az", "'az-dc1' is already used")


def test_odd_number_of_central_members():
    inv = mutate(lambda i: i["groups"]["ovn_central"].remove("dc2-n3"))
    assert_problem(inv, "dc 'dc2'", "ovn_central", "odd number", "has 2")


def test_ic_db_member_in_every_dc():
    inv = mutate(lambda i: i["groups"]["ovn_ic_db"].remove("dc3-n1"))
    assert_problem(inv, "dc 'dc3'", "ovn_ic_db", "exactly one", "has 0")


def test_gateways_span_two_failure_domains():
    def one_fd(i):
        i["hosts"]["dc1-n3"]["tridc_failure_domain"] = "rack2"
    assert_problem(mutate(one_fd), "dc 'dc1'", "ovn_gateway", "at least two failure domains")


def test_each_host_in_exactly_one_known_dc():
    inv = mutate(lambda i: i["hosts"]["dc1-n1"].pop("tridc_dc"))
    assert_problem(inv, "host 'dc1-n1'", "tridc_dc", "exactly one DC")
    inv = mutate(lambda i: i["hosts"]["dc1-n1"].update(tridc_dc="dc9"))
    assert_problem(inv, "host 'dc1-n1'", "tridc_dc", "'dc9' is not a defined DC")


def test_every_named_nic_exists_on_its_host():
    inv = mutate(lambda i: pn(i).update(nic_overrides={"dc1-n2": "eth7"}))
    assert_problem(inv, "host 'dc1-n2'", "tridc_nics", "NIC 'eth7' of provider network 'business'")


def test_encap_ip_inside_underlay():
    inv = mutate(lambda i: i["hosts"]["dc2-n1"].update(tridc_encap_ip="10.91.1.77"))
    assert_problem(inv, "host 'dc2-n1'", "tridc_encap_ip", "not inside dc 'dc2' underlay_network 10.91.2.0/24")


def test_dr_roles():
    inv = mutate(lambda i: dc(i, "dc2").update(dr_role="primary"))
    assert_problem(inv, "exactly one DC must have dr_role primary, found 2")
    assert_problem(inv, "exactly one DC must have dr_role same_city_dr, found 0")
    inv = mutate(lambda i: dc(i, "dc2").update(region="city-b"))
    assert_problem(inv, "dc 'dc2'", "region", "same_city_dr DC must be in the primary's region")
    inv = mutate(lambda i: dc(i, "dc3").update(region="city-a"))
    assert_problem(inv, "dc 'dc3'", "region", "remote_dr DC must be in a region other than the primary's")


def test_not_both_chassis_and_kube_ovn_node():
    inv = mutate(lambda i: i["groups"]["kube_ovn_node"].append("dc1-n2"))
    assert_problem(inv, "host 'dc1-n2'", "groups", "both ovn_chassis and kube_ovn_node")


def test_subnet_not_stretched_across_cities():
    def stretch(i):
        pn(i)["vlans"][0]["dcs"] = ["dc1", "dc2", "dc3"]
        subnet(i, "b101")["dcs"] = ["dc1", "dc3"]
    assert_problem(mutate(stretch), "subnet 'b101'", "dcs", "stretched within one city")


def test_unknown_keys_and_wrong_types_reported_not_raised():
    inv = mutate(lambda i: dc(i, "dc1").update(undrlay_network="10.0.0.0/8"))
    assert_problem(inv, "dc 'dc1'", "undrlay_network", "unknown key")
    inv = base_inventory()
    inv["globals"]["tridc_dcs"] = "dc1,dc2,dc3"
    inv["globals"]["tridc_subnets"] = [{"name": "x", "cidr": 42, "gateway": ["a"], "dcs": "dc1"}, "oops"]
    inv["hosts"]["dc1-n1"]["tridc_nics"] = ["eth0"]
    probs = problems(inv)
    assert any("tridc_dcs: must be a list" in p for p in probs)
    assert any("subnet 'x': gateway: must be a string" in p for p in probs)
    assert any("subnet[1]: must be a mapping" in p for p in probs)
    assert any("host 'dc1-n1': tridc_nics: must be a mapping" in p for p in probs)


def test_all_errors_reported_at_once():
    def many(i):
        pn(i).update(name="averyverylongname")
        subnet(i, "b101").update(gateway="10.9.9.9")
        i["groups"]["ovn_central"].remove("dc2-n3")
        dc(i, "dc3").update(az="az-dc1")
    probs = problems(mutate(many))
    joined = "\n".join(probs)
    for fragment in ("provider network 'averyverylongname'", "subnet 'b101': gateway", "dc 'dc2': ovn_central", "az: 'az-dc1'"):
        assert fragment in joined
    with pytest.raises(PlanError) as err:
        build_plan(mutate(many))
    assert "problems" in str(err.value) and len(err.value.problems) == len(probs)


def test_nic_in_one_provider_only():
    inv = mutate(lambda i: pn(i, "storage").update(nic_overrides={"dc1-n2": "eth0"}))
    assert_problem(inv, "host 'dc1-n2'", "tridc_nics", "NIC 'eth0' is used by provider networks 'business' and 'storage'")


def test_dr_inputs_reach_the_plan_from_the_inventory():
    """underlay_gateway, logical_gateway/u2o_interconnection, interconnect ecmp/bfd and k8s node names are
    inventory keys: they reach the plan, and the DR routes follow them."""
    def change(i):
        dc(i, "dc1").update(underlay_gateway="10.91.1.254")
        subnet(i, "b101").update(logical_gateway=True)
        g(i)["tridc_interconnect"].update(ecmp=["b101"], bfd={"min_rx": 300, "mult": 5})
        i["hosts"]["dc1-n1"]["tridc_k8s_node_name"] = "k8s-dc1-n1.bank.example"
    plan = build_plan(mutate(change))
    assert plan["dcs"]["dc1"]["underlay_gateway"] == "10.91.1.254"
    assert plan["dcs"]["dc2"]["underlay_gateway"] is None
    assert plan["subnets"]["b101"]["logical_gateway"] is True and plan["subnets"]["b101"]["u2o_interconnection"] is False
    assert plan["interconnect"]["ecmp"] == ["b101"] and plan["interconnect"]["bfd"] == {"min_rx": 300, "mult": 5}
    assert plan["nodes"]["dc1-n1"]["k8s_node_name"] == "k8s-dc1-n1.bank.example"
    assert plan["nodes"]["dc1-n2"]["k8s_node_name"] == "dc1-n2"
    # OVN is b101's gateway: its owner DC advertises it over OVN-IC
    assert plan["dr"]["prefixes"]["b101"]["routed_by"] == "ovn-ic" and plan["dr"]["prefixes"]["b101"]["logical_gateway"]
    assert plan["dr"]["prefixes"]["b101"]["ecmp"] is True
    options = plan["dr"]["routers"]["dc3"]["options"]
    assert (options["bfd-min-rx"], options["bfd-min-tx"], options["bfd-mult"]) == ("300", "100", "5")
    assert plan["dr"]["routers"]["dc1"]["underlay"]["gateway"] == "10.91.1.254"


def test_dr_inputs_are_validated():
    def change(i):
        dc(i, "dc1").update(underlay_gateway="10.99.0.1")
        dc(i, "dc2").update(underlay_gateway="not-an-ip")
        subnet(i, "b101").update(logical_gateway="maybe")
        g(i)["tridc_interconnect"].update(ecmp=["nosuch"], bfd={"min_rx": 0, "interval": 5})
    probs = problems(mutate(change))
    for frags in ((("dc 'dc1'", "underlay_gateway", "outside the underlay network 10.91.1.0/24")),
                  ("dc 'dc2'", "underlay_gateway", "not an IP address"),
                  ("subnet 'b101'", "logical_gateway"),
                  ("tridc_interconnect", "ecmp[0]", "'nosuch' is not a subnet"),
                  ("tridc_interconnect.bfd", "min_rx", "out of range"),
                  ("tridc_interconnect.bfd", "interval")):
        assert any(all(f in p for f in frags) for p in probs), (frags, probs)


def test_vlan_and_subnet_kept_where_no_node_reaches_the_provider():
    inv = mutate(lambda i: pn(i).update(exclude_nodes=["dc3-n1", "dc3-n2", "dc3-n3"]))
    probs = problems(inv)
    assert any("vlan 'b103'" in p and "dcs: kept in dc 'dc3', but provider network 'business' is excluded on every node" in p
               for p in probs), probs
    assert any("subnet 'b103'" in p and "dcs: exists in dc 'dc3', where no node can reach its VLAN 'b103'" in p for p in probs), probs
    # excluded on some nodes only: fine
    assert problems(mutate(lambda i: pn(i).update(exclude_nodes=["dc3-n1", "dc3-n2"]))) == []


def test_logical_gateway_rules():
    """A logical gateway only on a VLAN subnet, never with u2o_interconnection, and only where a gateway chassis of
    each of its DCs reaches the VLAN's provider network (OVN answers the gateway from one of them)."""
    def change(i):
        subnet(i, "pods1").update(logical_gateway=True)
        subnet(i, "b103").update(logical_gateway=True, u2o_interconnection=True)
        subnet(i, "b101").update(logical_gateway=True)
        pn(i).update(exclude_nodes=sorted(i["groups"]["ovn_gateway"]))
    probs = problems(mutate(change))
    for frags in (("subnet 'pods1'", "logical_gateway", "only a VLAN (underlay) subnet has a logical gateway"),
                  ("subnet 'b103'", "u2o_interconnection", "cannot be combined with logical_gateway"),
                  ("subnet 'b101'", "logical_gateway", "provider network 'business' is excluded on every gateway there")):
        assert any(all(f in p for f in frags) for p in probs), (frags, probs)
    # every problem at once, and a logical gateway on a VLAN that a gateway reaches is fine
    assert len(probs) >= 3
    assert problems(mutate(lambda i: subnet(i, "b101").update(logical_gateway=True))) == []


def test_u2o_interconnection_rules():
    """u2o on an OVN-owned subnet needs a VLAN and its address (inside the subnet, not the gateway); the address alone
    has no effect; an address outside an exclude range is added to OVN's IPAM exclusions."""
    def change(i):
        subnet(i, "pods1").update(u2o_interconnection=True)
        subnet(i, "b103").update(u2o_interconnection=True)
        subnet(i, "pods3").update(u2o_interconnection_ip="10.210.3.5")
        subnet(i, "b101").update(u2o_interconnection=True, u2o_interconnection_ip="10.101.0.1")
    probs = problems(mutate(change))
    for frags in (("subnet 'pods1'", "u2o_interconnection", "only a VLAN (underlay) subnet"),
                  ("subnet 'b103'", "u2o_interconnection_ip", "required with u2o_interconnection"),
                  ("subnet 'pods3'", "u2o_interconnection_ip", "has no effect without u2o_interconnection"),
                  ("subnet 'b101'", "u2o_interconnection_ip", "is the subnet's gateway")):
        assert any(all(f in p for f in frags) for p in probs), (frags, probs)
    outside = mutate(lambda i: subnet(i, "b101").update(u2o_interconnection=True, u2o_interconnection_ip="10.102.0.2"))
    assert any("u2o_interconnection_ip" in p and "is not inside 10.101.0.0/24" in p for p in problems(outside))
    plan = build_plan(mutate(lambda i: subnet(i, "b101").update(u2o_interconnection=True, u2o_interconnection_ip="10.101.0.250")))
    switch = next(s for s in plan["ovn"]["switches"]["dc1"] if s["name"] == "b101")
    assert switch["exclude_ips"][:2] == ["10.101.0.1", "10.101.0.250"]

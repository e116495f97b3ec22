"""A small valid three-DC topology as the plan engine's input, for tests to mutate."""

import copy


def base_inventory(nodes_per_dc=3):
    dcs = [("dc1", "city-a", "primary"), ("dc2", "city-a", "same_city_dr"), ("dc3", "city-b", "remote_dr")]
    g = {
        "tridc_regions": [{"name": "city-a"}, {"name": "city-b"}],
        "tridc_dcs": [{"name": n, "region": r, "dr_role": role, "az": "az-" + n,
                       "mgmt_network": "10.90.%d.0/24" % i, "underlay_network": "10.91.%d.0/24" % i,
                       "failure_domains": ["rack1", "rack2", "rack3"]}
                      for i, (n, r, role) in enumerate(dcs, 1)],
        "tridc_provider_networks": [
            {"name": "business", "default_nic": "eth0", "vlans": [
                {"name": "b101", "id": 101, "dcs": ["dc1", "dc2"]},
                {"name": "b103", "id": 103, "dcs": ["dc3"]},
                {"name": "m0", "id": 0, "plane": "management", "dcs": ["dc1", "dc2", "dc3"]}]},
            {"name": "storage", "default_nic": "eth1", "vlans": [
                {"name": "s201", "id": 201, "dcs": ["dc1", "dc2"]}]},
        ],
        "tridc_subnets": [
            {"name": "b101", "cidr": "10.101.0.0/24", "gateway": "10.101.0.1", "vlan": "b101", "dcs": ["dc1", "dc2"],
             "exclude_ips": ["10.101.0.2..10.101.0.9", "10.101.0.254"]},
            {"name": "b103", "cidr": "10.103.0.0/24", "gateway": "10.103.0.1", "vlan": "b103", "dcs": ["dc3"]},
            {"name": "pods1", "cidr": "10.210.1.0/24", "gateway": "10.210.1.1", "dcs": ["dc1"]},
            {"name": "pods3", "cidr": "10.210.3.0/24", "gateway": "10.210.3.1", "dcs": ["dc3"]},
        ],
        "tridc_interconnect": {"transit_switches": [{"name": "ts1", "subnet": "169.254.100.0/24"}]},
        "tridc_datapath_type": "netdev",
    }
    hosts = {}
    groups = {"ovn_central": [], "ovn_chassis": [], "ovn_ic_db": [], "ovn_gateway": [], "kube_ovn_node": []}
    for d, (dc, _r, _role) in enumerate(dcs, 1):
        for i in range(1, nodes_per_dc + 1):
            name = "%s-n%d" % (dc, i)
            hosts[name] = {"tridc_dc": dc, "tridc_failure_domain": "rack%d" % (((i - 1) % 3) + 1),
                           "tridc_nics": {"eth0": {"addresses": ["10.90.%d.%d/24" % (d, 10 + i)]},
                                          "eth1": {"addresses": ["10.91.%d.%d/24" % (d, 10 + i)]}}}
            groups["ovn_chassis"].append(name)
            if i <= 3:
                groups["ovn_central"].append(name)
            if i == 1:
                groups["ovn_ic_db"].append(name)
            if i in (2, 3):
                groups["ovn_gateway"].append(name)
    return {"globals": g, "hosts": hosts, "groups": groups}


def mutate(fn):
    inv = base_inventory()
    fn(inv)
    return inv


def clone(inv):
    return copy.deepcopy(inv)

"""The plan's OVN switches per DC (plan.ovn.switches), the input of tridc.ovn.ovn_switches."""

import os

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import build_plan
from inventory_loader import load_inventory  # pylint: disable=import-error

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def test_lab_switches_per_dc():
    plan = build_plan(load_inventory(os.path.join(ROOT, "inventories", "lab")))
    switches = plan["ovn"]["switches"]
    assert [s["name"] for s in switches["dc1"]] == ["app104", "biz101", "biz102", "pods-dc1", "stor201"]
    # biz101 and app104 are stretched over dc1 and dc2
    assert [s["name"] for s in switches["dc2"]] == ["app104", "biz101", "pods-dc2", "stor201"]
    assert [s["name"] for s in switches["dc3"]] == ["biz103", "pods-dc3", "stor203"]
    biz101 = switches["dc1"][1]
    assert biz101["localnet"] == {"port": "ln-biz101", "network_name": "business", "tag": 101}
    assert biz101["cidr"] == "10.101.0.0/24"
    # the gateway first, then the subnet's own excluded ranges: OVN's IPAM hands out none of them
    assert biz101["exclude_ips"] == ["10.101.0.1", "10.101.0.2..10.101.0.9", "10.101.0.200..10.101.0.254"]
    assert switches["dc1"][4]["localnet"]["network_name"] == "storage"
    # overlay subnets are switches too (OVN's IPAM never hands out their gateway), without a localnet port
    pods = switches["dc1"][3]
    assert pods == {"name": "pods-dc1", "subnet": "pods-dc1", "vlan": None, "cidr": "10.210.1.0/24",
                    "exclude_ips": ["10.210.1.1"], "localnet": None, "dhcp": None}
    # a VLAN subnet's DHCP answer carries the provider network's MTU
    assert biz101["dhcp"]["mtu"] == 1500 and biz101["dhcp"]["router"] == "10.101.0.1" and biz101["dhcp"]["lease_time"] == 3600
    assert all(s["localnet"] is None for dc in switches.values() for s in dc if s["name"].startswith("pods-"))


def test_plan_md_lists_the_switches_and_who_can_bind_them():
    from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan.report import to_markdown  # pylint: disable=import-outside-toplevel
    md = to_markdown(build_plan(load_inventory(os.path.join(ROOT, "inventories", "lab"))))
    dc2 = md[md.index("## DC dc2"):md.index("## DC dc1") if md.index("## DC dc1") > md.index("## DC dc2") else len(md)]
    assert "| biz101 | ln-biz101 | business | 101 | 10.101.0.1 10.101.0.2..10.101.0.9 10.101.0.200..10.101.0.254 | dc2-n1, dc2-n2, dc2-n3 |" in dc2
    assert "| pods-dc2 | none (overlay) | - | - | 10.210.2.1 | every chassis (3) |" in dc2

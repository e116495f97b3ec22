# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""render_dc and validate_plan_for_kube_ovn over hand-built plans (docs/plan-schema.md)."""

from __future__ import annotations

from ansible_collections.tridc.ovn.plugins.plugin_utils.kube_ovn import (
    render_dc, render_plan, validate_plan_for_kube_ovn)

from .plans import base_plan


def by_name(objs):
    return {o["metadata"]["name"]: o for o in objs}


def test_base_plan_is_valid():
    assert validate_plan_for_kube_ovn(base_plan()) == []


def test_provider_networks():
    out = render_dc(base_plan(), "dc1")
    pns = by_name(out["provider_networks"])
    assert sorted(pns) == ["business", "storage"]  # only providers that kube-ovn subnets of the DC use
    biz = pns["business"]["spec"]
    assert biz["defaultInterface"] == "bond0"
    # nic_overrides grouped by NIC, only for Kubernetes nodes of the DC (dc1-n1 is a chassis host: excluded)
    assert biz["customInterfaces"] == [{"interface": "eth3", "nodes": ["dc1-k1"]}]
    # exclude_nodes of other DCs dropped; the DC's non-Kubernetes hosts excluded
    assert biz["excludeNodes"] == ["dc1-n1", "dc1-n2", "dc1-n3"]
    assert pns["storage"]["spec"]["excludeNodes"] == ["dc1-k2", "dc1-n1", "dc1-n2", "dc1-n3"]
    assert out["gate"]["provider_networks"] == {"business": ["dc1-k1", "dc1-k2", "dc1-k3"], "storage": ["dc1-k1", "dc1-k3"]}


def test_vlans_and_subnets():
    out = render_dc(base_plan(), "dc1")
    assert {n: o["spec"] for n, o in by_name(out["vlans"]).items()} == {
        "biz101": {"id": 101, "provider": "business"}, "stor201": {"id": 201, "provider": "storage"}}
    subnets = by_name(out["subnets"])
    assert sorted(subnets) == ["biz101", "pods-dc1", "stor201"]  # biz102 is owned by ovn
    biz = subnets["biz101"]["spec"]
    assert biz["vlan"] == "biz101"            # the Vlan resource's name
    assert biz["provider"] == "ovn"           # not the ProviderNetwork
    assert biz["protocol"] == "IPv4" and biz["vpc"] == "ovn-cluster" and biz["gatewayType"] == "distributed"
    assert biz["excludeIps"] == ["10.101.0.1", "10.101.0.2..10.101.0.20", "10.101.0.200..10.101.0.254"]
    assert biz["mtu"] == 9000
    overlay = subnets["pods-dc1"]["spec"]
    assert "vlan" not in overlay and "mtu" not in overlay
    assert subnets["biz101"]["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "tridc.ovn", "tridc.ovn/dc": "dc1"}


def test_ipv6_and_dual_stack_protocol():
    plan = base_plan()
    plan["subnets"]["pods-dc1"].update(cidr="fd00:10:1::5/64", gateway="fd00:10:1::1", exclude_ips=["fd00:10:1::2..fd00:10:1::9"])
    spec = by_name(render_dc(plan, "dc1")["subnets"])["pods-dc1"]["spec"]
    assert spec["cidrBlock"] == "fd00:10:1::/64" and spec["protocol"] == "IPv6"
    assert spec["excludeIps"] == ["fd00:10:1::1", "fd00:10:1::2..fd00:10:1::9"]
    plan["subnets"]["pods-dc1"].update(cidr="10.210.1.0/24,fd00:10:1::/64", gateway="10.210.1.1,fd00:10:1::1", exclude_ips=[])
    spec = by_name(render_dc(plan, "dc1")["subnets"])["pods-dc1"]["spec"]
    assert spec["protocol"] == "Dual" and spec["excludeIps"] == ["10.210.1.1", "fd00:10:1::1"]


def test_values_full_mode_v1():
    out = render_dc(base_plan(), "dc1")
    values = out["values"]
    assert values["installMode"] == "full" and "externalOvnCentral" not in values
    assert values["networking"]["NETWORK_TYPE"] == "geneve" and values["networking"]["ENABLE_SSL"] is True
    assert values["ipv4"]["SVC_CIDR"] == "10.96.0.0/16"
    assert values["func"]["ENABLE_IC"] is True
    assert out["meta"]["chart"] == "kube-ovn" and out["meta"]["chart_version"] == "v1.15.24"
    assert out["meta"]["bundled_ovn_series"] == "25.03"


def test_values_data_plane_only():
    plan = base_plan()
    plan["settings"]["kube_ovn"].update(install_mode="data_plane_only", interconnection=False,
                                        external_central={"endpoint": "10.90.1.10", "nb_port": 16641, "sb_port": 16642})
    assert validate_plan_for_kube_ovn(plan) == []
    out = render_dc(plan, "dc1")
    assert out["values"]["installMode"] == "dataPlaneOnly"
    assert out["values"]["externalOvnCentral"] == {"nbEndpoint": "10.90.1.10", "sbEndpoint": "10.90.1.10",
                                                   "nbPort": 16641, "sbPort": 16642}
    assert out["values"]["networking"]["ENABLE_SSL"] is False and out["values"]["func"]["ENABLE_IC"] is False
    assert out["ic_config"] is None
    assert out["meta"]["external_central"]["endpoint"] == "10.90.1.10"


def test_default_underlay_network_vlan_mode_both_charts():
    plan = base_plan()
    plan["settings"]["kube_ovn"]["default_subnet"] = "biz101"
    out = render_dc(plan, "dc1")
    net = out["values"]["networking"]
    assert net["NETWORK_TYPE"] == "vlan"
    assert net["vlan"] == {"PROVIDER_NAME": "business", "VLAN_INTERFACE_NAME": "bond0", "VLAN_NAME": "biz101", "VLAN_ID": "101"}
    assert net["DEFAULT_SUBNET"] == "biz101"
    assert out["values"]["ipv4"]["POD_CIDR"] == "10.101.0.0/24" and out["values"]["ipv4"]["POD_GATEWAY"] == "10.101.0.1"
    assert net["EXCLUDE_IPS"] == "10.101.0.1,10.101.0.2..10.101.0.20,10.101.0.200..10.101.0.254"
    assert by_name(out["subnets"])["biz101"]["spec"]["default"] is True
    plan["settings"]["kube_ovn"]["chart"] = "kube-ovn-v2"
    v2 = render_dc(plan, "dc1")["values"]["networking"]
    assert v2["networkType"] == "vlan" and v2["pods"]["subnetName"] == "biz101" and v2["pods"]["mtu"] == 9000
    assert v2["vlan"] == {"providerName": "business", "interfaceName": "bond0", "name": "biz101", "id": "101"}


def test_ic_config_and_vpc_routes():
    plan = base_plan()
    plan["dcs"]["dc1"]["kube_ovn"] = {"vpc_routes": [{"cidr": "10.230.0.0/16", "next_hop": "10.101.0.254"},
                                                     {"cidr": "10.231.0.0/16", "next_hop": "10.101.0.253", "policy": "policyDst"}]}
    out = render_dc(plan, "dc1")
    assert out["ic_config"]["data"] == {"enable-ic": "true", "az-name": "az-dc1-k8s", "ic-db-host": "10.90.1.11,10.90.2.11",
                                        "ic-nb-port": "6645", "ic-sb-port": "6646", "gw-nodes": "dc1-k3", "auto-route": "true"}
    assert out["vpc_routes"][0]["metadata"]["name"] == "ovn-cluster"
    assert out["vpc_routes"][0]["spec"]["staticRoutes"] == [
        {"cidr": "10.230.0.0/16", "nextHopIP": "10.101.0.254"},
        {"cidr": "10.231.0.0/16", "nextHopIP": "10.101.0.253", "policy": "policyDst"}]
    assert validate_plan_for_kube_ovn(plan) == []


def test_render_plan_covers_dcs_with_kubernetes_nodes():
    assert sorted(render_plan(base_plan())) == ["dc1", "dc2"]


def test_render_is_deterministic():
    assert render_dc(base_plan(), "dc1") == render_dc(base_plan(), "dc1")

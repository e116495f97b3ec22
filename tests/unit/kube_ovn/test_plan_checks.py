# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan-level Kube-OVN rules."""

from __future__ import annotations

from ansible_collections.tridc.ovn.plugins.plugin_utils.kube_ovn import validate_plan_for_kube_ovn

from .plans import base_plan


def test_host_both_kube_ovn_node_and_chassis():
    plan = base_plan()
    plan["nodes"]["dc1-k2"]["groups"].append("ovn_chassis")
    plan["nodes"]["dc1-k2"]["chassis"] = True
    out = validate_plan_for_kube_ovn(plan)
    assert out == ["host dc1-k2: in both kube_ovn_node and ovn_chassis; Kube-OVN's ovs-ovn pod owns Open vSwitch on "
                   "its nodes, so the collection must not run OVS/ovn-controller there (pick one group)"]


def test_provider_network_name_of_13_characters():
    plan = base_plan()
    pn = plan["provider_networks"].pop("storage")
    pn["name"] = "storage-fast1"
    plan["provider_networks"]["storage-fast1"] = pn
    plan["vlans"]["stor201"]["provider"] = "storage-fast1"
    plan["subnets"]["stor201"]["provider"] = "storage-fast1"
    out = validate_plan_for_kube_ovn(plan)
    assert any(e.startswith("ProviderNetwork storage-fast1: metadata.name 'storage-fast1': 13 characters") for e in out), out


def test_duplicate_vlan_id_on_one_provider():
    plan = base_plan()
    plan["vlans"]["stor201"].update(provider="business", id=101)
    plan["subnets"]["stor201"]["provider"] = "business"
    out = validate_plan_for_kube_ovn(plan)
    assert "Vlan stor201: spec.id '101': Vlan biz101 already uses VLAN 101 on ProviderNetwork business" in out


def test_bad_exclude_range_reaches_the_plan_errors():
    plan = base_plan()
    plan["subnets"]["biz101"]["exclude_ips"] = ["10.101.0.2..10.101.0.9", "10.101.0.30", "10.101.0.5..10.101.0.2"]
    out = validate_plan_for_kube_ovn(plan)
    assert out == ["Subnet biz101: spec.excludeIps[2] '10.101.0.5..10.101.0.2': range start after end"]


def test_data_plane_only_rules():
    plan = base_plan()
    plan["settings"]["kube_ovn"].update(install_mode="data_plane_only", tls=True, chart="kube-ovn-v2")
    plan["subnets"]["join"] = dict(plan["subnets"]["biz102"], name="join", cidr="10.250.0.0/24", gateway="10.250.0.1",
                                   dcs=["dc1"])
    out = validate_plan_for_kube_ovn(plan)
    joined = "\n".join(out)
    assert "has no installMode/externalOvnCentral" in joined
    assert "Kube-OVN cannot use TLS" in joined
    assert "listens with ssl: only" in joined
    assert "already interconnects; leave interconnection off" in joined
    assert "subnet join: name is reserved by kube-ovn-controller" in joined


def test_data_plane_only_needs_a_release_whose_classic_chart_has_it():
    """v1.16.2's classic chart has no installMode/externalOvnCentral (helm template of the release's own chart,
    lab/kube-helm-template.sh): helm would ignore both and install Kube-OVN's own ovn-central. v1.15.24 has them."""
    plan = base_plan()
    plan["settings"]["kube_ovn"].update(install_mode="data_plane_only", version="v1.16.2", interconnection=False)
    out = validate_plan_for_kube_ovn(plan)
    assert any("version 'v1.16.2': the classic chart of this series has no installMode/externalOvnCentral" in e
               for e in out), out
    plan["settings"]["kube_ovn"]["version"] = "v1.15.24"
    assert not any("classic chart of this series" in e for e in validate_plan_for_kube_ovn(plan))


def test_interconnection_needs_gateways_and_tcp():
    plan = base_plan()
    plan["nodes"]["dc1-k3"]["gateway"] = False
    plan["interconnect"]["nb_connection"] = "ssl:10.90.1.11:6645"
    out = validate_plan_for_kube_ovn(plan)
    assert any(e.startswith("dc dc1: Kube-OVN interconnection needs gateway nodes") for e in out)
    assert any("connects to the IC databases with tcp:" in e for e in out)
    plan["settings"]["kube_ovn"]["dcs"] = {"dc1": {"ic_gateway_nodes": ["dc1-k1"]}}
    plan["interconnect"]["nb_connection"] = "tcp:10.90.1.11:6645"
    assert validate_plan_for_kube_ovn(plan) == []


def test_kubernetes_networks_must_not_overlap_plan_subnets():
    plan = base_plan()
    plan["settings"]["kube_ovn"].pop("svc_cidr")     # chart default 10.96.0.0/12 covers 10.101.0.0/24
    out = validate_plan_for_kube_ovn(plan)
    assert "dc dc1: Kube-OVN service network 10.96.0.0/12 overlaps subnet biz101 (10.101.0.0/24)" in out


def test_unknown_settings_and_versions():
    plan = base_plan()
    plan["settings"]["kube_ovn"].update(verison="v1.17.0", version="v1.12.0")
    plan["dcs"]["dc1"]["kube_ovn"] = {"external_central": {"host": "x"}, "install_mode": "both"}
    out = validate_plan_for_kube_ovn(plan)
    joined = "\n".join(out)
    assert "settings.kube_ovn.verison: unknown Kube-OVN setting" in joined
    assert "dcs.dc1.kube_ovn.external_central.host: unknown key" in joined
    assert "dc dc1: kube_ovn.install_mode 'both': must be one of full, data_plane_only" in joined
    assert "kube_ovn.version 'v1.12.0': unknown Kube-OVN series" in joined


def test_kube_ovn_subnet_without_kubernetes_nodes():
    plan = base_plan()
    plan["dcs"]["dc2"]["kube_ovn_nodes"] = []
    plan["nodes"]["dc2-k1"]["kube_ovn_node"] = False
    plan["nodes"]["dc2-k1"]["groups"] = ["ovn_gateway"]
    out = validate_plan_for_kube_ovn(plan)
    assert "dc dc2: subnets biz101 are owned by kube-ovn but the DC has no kube_ovn_node hosts" in out

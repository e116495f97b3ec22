# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small hand-built plans following docs/plan-schema.md (one DC with Kube-OVN nodes, one without)."""

from __future__ import annotations

import copy


def _node(dc, ip, groups, gateway=False):
    return {"dc": dc, "mgmt_ip": ip, "groups": sorted(groups), "chassis": "ovn_chassis" in groups,
            "kube_ovn_node": "kube_ovn_node" in groups, "central": "ovn_central" in groups,
            "gateway": gateway or "ovn_gateway" in groups, "managed_ovs": "ovn_chassis" in groups}


def base_plan():
    """dc1: 3 central/chassis hosts + 3 Kubernetes nodes (k1 has a NIC override, k3 is a gateway);
    dc2: one central/chassis host and one Kubernetes gateway node. biz101 (kube-ovn) is stretched over both."""
    nodes = {
        "dc1-n1": _node("dc1", "10.90.1.11", ["ovn_central", "ovn_chassis", "ovn_ic_db"]),
        "dc1-n2": _node("dc1", "10.90.1.12", ["ovn_central", "ovn_chassis", "ovn_gateway"]),
        "dc1-n3": _node("dc1", "10.90.1.13", ["ovn_central", "ovn_chassis", "ovn_gateway"]),
        "dc1-k1": _node("dc1", "10.90.1.21", ["kube_ovn_node"]),
        "dc1-k2": _node("dc1", "10.90.1.22", ["kube_ovn_node"]),
        "dc1-k3": _node("dc1", "10.90.1.23", ["kube_ovn_node", "ovn_gateway"]),
        "dc2-n1": _node("dc2", "10.90.2.11", ["ovn_central", "ovn_chassis", "ovn_ic_db"]),
        "dc2-k1": _node("dc2", "10.90.2.21", ["kube_ovn_node", "ovn_gateway"]),
    }
    members = [{"host": h, "ip": nodes[h]["mgmt_ip"]} for h in ("dc1-n1", "dc1-n2", "dc1-n3")]
    return copy.deepcopy({
        "version": 1,
        "rollout_order": ["dc2", "dc1"],
        "settings": {"datapath_type": "system", "encap_type": "geneve",
                     "ports": {"nb": 6641, "sb": 6642, "nb_raft": 6643, "sb_raft": 6644, "ic_nb": 6645, "ic_sb": 6646,
                               "ic_nb_raft": 6647, "ic_sb_raft": 6648},
                     "kube_ovn": {"version": "v1.15.24", "svc_cidr": "10.96.0.0/16", "interconnection": True}},
        "provider_networks": {
            "business": {"name": "business", "default_nic": "bond0", "nic_overrides": {"dc1-k1": "eth3", "dc1-n1": "eth9"},
                         "exclude_nodes": ["dc2-n1"], "mtu": 9000, "bridge": "br-business",
                         "vlans": [{"name": "biz101", "id": 101, "plane": "business", "dcs": ["dc1", "dc2"]}]},
            "storage": {"name": "storage", "default_nic": "bond1", "nic_overrides": {}, "exclude_nodes": ["dc1-k2"],
                        "mtu": 1500, "bridge": "br-storage",
                        "vlans": [{"name": "stor201", "id": 201, "plane": "storage", "dcs": ["dc1"]}]},
        },
        "vlans": {
            "biz101": {"name": "biz101", "id": 101, "provider": "business", "plane": "business", "dcs": ["dc1", "dc2"]},
            "biz102": {"name": "biz102", "id": 102, "provider": "business", "plane": "business", "dcs": ["dc1"]},
            "stor201": {"name": "stor201", "id": 201, "provider": "storage", "plane": "storage", "dcs": ["dc1"]},
        },
        "subnets": {
            "biz101": {"name": "biz101", "cidr": "10.101.0.0/24", "gateway": "10.101.0.1",
                       "exclude_ips": ["10.101.0.200..10.101.0.254", "10.101.0.2..10.101.0.9", "10.101.0.5..10.101.0.20"],
                       "vlan": "biz101", "vlan_id": 101, "provider": "business", "dcs": ["dc1", "dc2"],
                       "owner": "kube-ovn", "kind": "underlay", "routing_domain": "default", "stretched": True},
            "biz102": {"name": "biz102", "cidr": "10.102.0.0/24", "gateway": "10.102.0.1", "exclude_ips": [],
                       "vlan": "biz102", "vlan_id": 102, "provider": "business", "dcs": ["dc1"],
                       "owner": "ovn", "kind": "underlay", "routing_domain": "default", "stretched": False},
            "stor201": {"name": "stor201", "cidr": "10.201.0.0/24", "gateway": "10.201.0.1", "exclude_ips": [],
                        "vlan": "stor201", "vlan_id": 201, "provider": "storage", "dcs": ["dc1"],
                        "owner": "kube-ovn", "kind": "underlay", "routing_domain": "default", "stretched": False},
            "pods-dc1": {"name": "pods-dc1", "cidr": "10.210.1.0/24", "gateway": "10.210.1.1", "exclude_ips": [],
                         "vlan": None, "vlan_id": None, "provider": None, "dcs": ["dc1"], "owner": "kube-ovn",
                         "kind": "overlay", "routing_domain": "default", "stretched": False},
        },
        "dcs": {
            "dc1": {"name": "dc1", "region": "city-a", "dr_role": "primary", "az": "az-dc1",
                    "nodes": sorted(h for h in nodes if h.startswith("dc1-")),
                    "chassis": ["dc1-n1", "dc1-n2", "dc1-n3"], "kube_ovn_nodes": ["dc1-k1", "dc1-k2", "dc1-k3"],
                    "central": {"members": members, "bootstrap": "dc1-n1",
                                "nb_connection": "ssl:10.90.1.11:6641,ssl:10.90.1.12:6641,ssl:10.90.1.13:6641",
                                "sb_connection": "ssl:10.90.1.11:6642,ssl:10.90.1.12:6642,ssl:10.90.1.13:6642",
                                "northd_hosts": ["dc1-n1", "dc1-n2", "dc1-n3"]},
                    "gateways": [{"host": "dc1-n2", "failure_domain": "rack2", "priority": 100},
                                 {"host": "dc1-n3", "failure_domain": "rack3", "priority": 90}],
                    "vlans": ["biz101", "biz102", "stor201"], "subnets": ["biz101", "biz102", "pods-dc1", "stor201"]},
            "dc2": {"name": "dc2", "region": "city-a", "dr_role": "same_city_dr", "az": "az-dc2", "nodes": ["dc2-k1", "dc2-n1"],
                    "chassis": ["dc2-n1"], "kube_ovn_nodes": ["dc2-k1"],
                    "central": {"members": [{"host": "dc2-n1", "ip": "10.90.2.11"}], "bootstrap": "dc2-n1",
                                "nb_connection": "ssl:10.90.2.11:6641", "sb_connection": "ssl:10.90.2.11:6642"},
                    "gateways": [], "vlans": ["biz101"], "subnets": ["biz101"]},
        },
        "nodes": nodes,
        "interconnect": {"members": [{"host": "dc1-n1", "dc": "dc1", "ip": "10.90.1.11"},
                                     {"host": "dc2-n1", "dc": "dc2", "ip": "10.90.2.11"}],
                         "nb_connection": "tcp:10.90.1.11:6645,tcp:10.90.2.11:6645",
                         "sb_connection": "tcp:10.90.1.11:6646,tcp:10.90.2.11:6646",
                         "transit_switches": [{"name": "ts-dr", "subnet": "169.254.100.0/24"}]},
        "dr": {},
    })

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A one-DC plan (docs/plan-schema.md) for a live cluster: every node a kube_ovn_node, one underlay subnet."""

import json
import sys

from ansible_collections.tridc.ovn.plugins.plugin_utils.kube_ovn import render_plan, validate_plan_for_kube_ovn


def main(nodes_json, nic, vlan_id, cidr, out):
    nodes = [n["metadata"]["name"] for n in json.loads(nodes_json)["items"]]
    plan = {
        "version": 1, "rollout_order": ["live"],
        "settings": {"encap_type": "geneve", "ports": {"nb": 6641, "sb": 6642, "ic_nb": 6645, "ic_sb": 6646},
                     "kube_ovn": {"version": "v1.15.24", "svc_cidr": "10.96.0.0/12", "pod_cidr": "10.16.0.0/16"}},
        "provider_networks": {"livenet": {"name": "livenet", "default_nic": nic, "nic_overrides": {}, "exclude_nodes": [],
                                          "mtu": 1500, "vlans": []}},
        "vlans": {"live%d" % vlan_id: {"name": "live%d" % vlan_id, "id": vlan_id, "provider": "livenet", "dcs": ["live"]}},
        "subnets": {"liveund": {"name": "liveund", "cidr": cidr, "gateway": None, "exclude_ips": [], "vlan": "live%d" % vlan_id,
                                "provider": "livenet", "dcs": ["live"], "owner": "kube-ovn", "kind": "underlay"}},
        "dcs": {"live": {"name": "live", "az": "az-live", "nodes": nodes, "chassis": [], "kube_ovn_nodes": nodes,
                         "central": {"members": []}, "gateways": [], "vlans": ["live%d" % vlan_id], "subnets": ["liveund"]}},
        "nodes": {n: {"dc": "live", "groups": ["kube_ovn_node"], "kube_ovn_node": True, "chassis": False} for n in nodes},
        "interconnect": {"members": []},
    }
    errors = validate_plan_for_kube_ovn(plan)
    if errors:
        sys.exit("plan errors:\n" + "\n".join(errors))
    plan["kube_ovn"] = render_plan(plan)
    with open(out, "w") as handle:
        json.dump({"tridc_plan": plan}, handle)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])

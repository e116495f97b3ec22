# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render the plan for people: a Markdown report for sign-off and a Graphviz picture."""

from __future__ import annotations

import json

from . import topology


def to_json(plan):
    """Machine-readable plan with a stable key order."""
    return json.dumps(plan, indent=2, sort_keys=True) + "\n"


def _table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        out.append("| " + " | ".join(str(c) if c not in (None, "") else "-" for c in row) + " |")
    return out


def _bridge_text(b):
    moves = " (moves %s)" % ",".join(b["addresses"]) if b["addresses"] else ""
    return "%s ← %s trunks %s%s" % (b["name"], b["nic"], ",".join(str(t) for t in b["trunks"]), moves)


def to_markdown(plan):
    lines = ["# Network plan", ""]
    lines.append("Rollout order (least critical first): " + " → ".join(plan["rollout_order"]))
    lines.append("")
    lines += _table(["region", "DCs"], [[r, ", ".join(v["dcs"])] for r, v in sorted(plan["regions"].items())])
    lines.append("")
    s = plan["settings"]
    lines.append("Datapath `%s`, encapsulation `%s`, package source `%s`." % (
        s["datapath_type"], s["encap_type"], s["package_source"].get("url") or "distribution default"))
    lines.append("")
    for dc_name in plan["rollout_order"]:
        dc = plan["dcs"][dc_name]
        lines += ["## DC %s (%s, region %s, AZ %s)" % (dc_name, dc["dr_role"], dc["region"], dc["az"]), ""]
        lines.append("Management network %s, underlay (tunnel) network %s, failure domains %s." % (
            dc["mgmt_network"], dc["underlay_network"], ", ".join(dc["failure_domains"])))
        lines += ["", "### VLANs", ""]
        lines += _table(["VLAN", "id", "provider", "plane", "DCs"],
                        [[v, plan["vlans"][v]["id"] if plan["vlans"][v]["id"] else "0 (untagged)", plan["vlans"][v]["provider"],
                          plan["vlans"][v]["plane"], ", ".join(plan["vlans"][v]["dcs"])] for v in dc["vlans"]])
        lines += ["", "### Subnets", ""]
        lines += _table(["subnet", "CIDR", "gateway", "VLAN", "owner", "excluded", "spans"],
                        [[n, plan["subnets"][n]["cidr"], plan["subnets"][n]["gateway"], plan["subnets"][n]["vlan"] or "overlay",
                          plan["subnets"][n]["owner"], ", ".join(plan["subnets"][n]["exclude_ips"]),
                          ", ".join(plan["subnets"][n]["dcs"])] for n in dc["subnets"]])
        lines += ["", "### OVN switches of the subnets (VLAN subnets with a localnet port)", ""]
        rows = []
        for sw in plan.get("ovn", {}).get("switches", {}).get(dc_name, []):
            ln = sw["localnet"]
            if ln is None:  # an overlay subnet: every chassis of the DC can bind it (Geneve)
                rows.append([sw["name"], "none (overlay)", "-", "-", " ".join(sw["exclude_ips"]),
                             "every chassis (%d)" % len(dc["chassis"])])
                continue
            binders = [h for h in dc["chassis"]
                       if any(b["provider"] == ln["network_name"] for b in plan["nodes"][h]["bridges"])]
            shown = ", ".join(binders) if len(binders) <= 8 else "%d chassis (%s, ...)" % (len(binders), ", ".join(binders[:3]))
            rows.append([sw["name"], ln["port"], ln["network_name"], ln["tag"] or "none (native)",
                         " ".join(sw["exclude_ips"]), shown or "none"])
        lines += _table(["switch", "localnet port", "provider network", "VLAN tag", "IPAM never hands out",
                         "chassis that can bind it"], rows)
        lines += ["", "### Nodes: bridges, NICs, trunks and mappings", ""]
        rows = []
        for node in dc["nodes"]:
            n = plan["nodes"][node]
            bridges = "; ".join(_bridge_text(b) for b in n["bridges"])
            rows.append([node, n["failure_domain"], ",".join(n["groups"]), n["mgmt_ip"], n["encap_ip"],
                         bridges, "`%s`" % n["bridge_mappings"] if n["bridge_mappings"] else ""])
        lines += _table(["node", "FD", "roles", "mgmt IP", "encap IP", "bridges", "ovn-bridge-mappings"], rows)
        c = dc["central"]
        lines += ["", "### OVN central (raft)", ""]
        lines.append("Members: %s; bootstrap member `%s`; northd on %s." % (
            ", ".join("%s (%s)" % (m["host"], m["ip"]) for m in c["members"]), c["bootstrap"], ", ".join(c["northd_hosts"])))
        lines.append("")
        lines.append("- NB: `%s`" % c["nb_connection"])
        lines.append("- SB: `%s`" % c["sb_connection"])
        lines += ["", "### Interconnection gateways (priority, higher is preferred)", ""]
        lines += _table(["gateway", "failure domain", "priority"], [[g["host"], g["failure_domain"], g["priority"]] for g in dc["gateways"]])
        lines += ["", "### What the physical network must provide in %s" % dc_name, ""]
        lines += _table(["node", "NIC", "provider", "untagged (native VLAN)", "tagged VLANs to trunk"],
                        [[p["node"], p["nic"], p["provider"], "yes" if p["untagged"] else "no", ",".join(str(v) for v in p["vlans"])]
                         for p in plan["physical"][dc_name]])
        lines.append("")
    ic = plan["interconnect"]
    lines += ["## Interconnection (OVN-IC)", ""]
    lines.append("IC database members (one per DC): %s." % ", ".join("%s in %s (%s)" % (m["host"], m["dc"], m["ip"]) for m in ic["members"]))
    lines.append("")
    lines.append("- IC NB: `%s`" % ic["nb_connection"])
    lines.append("- IC SB: `%s`" % ic["sb_connection"])
    lines.append("")
    lines += _table(["transit switch", "link subnet"], [[t["name"], t["subnet"]] for t in ic["transit_switches"]])
    lines += ["", "## DR routing", ""]
    lines += _table(["lost DC", "traffic moves to (in order)"], [[d, " → ".join(o)] for d, o in sorted(plan["dr"]["takeover_order"].items())])
    lines.append("")
    lines += _table(["underlay subnet", "CIDR", "VLAN", "active DC", "standby", "what the fabric must do"],
                    [[n, u["cidr"], u["vlan_id"], u["active_dc"], ", ".join(u["standby_dcs"]), u["fabric"]]
                     for n, u in sorted(plan["dr"]["underlay"].items())])
    lines.append("")
    if plan.get("kube_ovn"):
        lines += ["## Kube-OVN resources", ""]
        for dc_name, res in sorted(plan["kube_ovn"].items()):
            counts = ", ".join("%d %s" % (len(v), k) for k, v in sorted(res.items()) if isinstance(v, list))
            lines.append("- %s: %s" % (dc_name, counts or "nothing (no kube-ovn owned subnets)"))
        lines.append("")
    return "\n".join(lines)


def to_dot(plan, dc=None):
    """Graphviz source of the review picture (topology.py): the overview, or one DC's detail page."""
    if dc is None:
        return topology.overview(plan)
    return topology.dc_detail(plan, dc)

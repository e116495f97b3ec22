# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan diff: what a new plan changes compared with the approved (baseline) plan, for the change board.

``compare(old, new)`` returns a JSON-able dict:

* ``identical``: true when nothing differs (``plan-diff.md`` then says "no change");
* ``network``: VLANs, subnets, provider networks and transit switches added, removed or changed, and the
  settings and rollout order that changed;
* ``dcs``: per DC its VLANs and subnets added/removed, central (raft) members, IC database member, gateway
  priorities (whose position moved), OVN switches and Kube-OVN resources that changed;
* ``nodes``: per node added, removed, or the fields that changed (bridges with NIC, trunks added/removed and
  MTU; bridge mappings; addresses; roles; OVN remote);
* ``dr``: takeover orders and per-prefix active/standby DCs that moved;
* ``rollout``: which hosts each phase of ``site.yml`` would touch, in the order it runs them (the new plan's
  rollout order, then the phases of a DC in order).

Pure functions over two plans (dicts as in plan.json); linear in the number of nodes.
"""

from __future__ import annotations

import json

# site.yml's phases of one DC, in order, and the hosts each runs on (playbooks/dc_rollout.yml, ic_rollout.yml)
PHASES = ("ovs", "central", "subnets", "chassis", "interconnect", "cni")
NODE_FIELDS = ("dc", "failure_domain", "mgmt_ip", "encap_ip", "groups", "bridge_mappings", "ovn_remote", "encap_type",
               "datapath_type", "system_id", "k8s_node_name")
# node field -> the phase that applies it
FIELD_PHASE = {"bridges": "ovs", "datapath_type": "ovs", "system_id": "ovs", "mgmt_ip": "central",
               "bridge_mappings": "chassis", "encap_ip": "chassis", "encap_type": "chassis", "ovn_remote": "chassis",
               "groups": "chassis", "failure_domain": "interconnect", "k8s_node_name": "cni", "dc": "ovs"}


def _same(a, b):
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _keyed(old, new):
    """{added: [...], removed: [...], changed: {name: {field: [old, new]}}} of two name -> dict mappings."""
    old, new = old or {}, new or {}
    out = {"added": sorted(set(new) - set(old)), "removed": sorted(set(old) - set(new)), "changed": {}}
    for name in sorted(set(old) & set(new)):
        a, b = old[name], new[name]
        if _same(a, b):
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            fields = {k: [a.get(k), b.get(k)] for k in sorted(set(a) | set(b)) if not _same(a.get(k), b.get(k))}
        else:
            fields = {"value": [a, b]}
        out["changed"][name] = fields
    return out


def _empty(section):
    if isinstance(section, dict):
        return all(_empty(v) for v in section.values())
    if isinstance(section, list):
        return not section
    return section is None


def _set_diff(old, new):
    old, new = list(old or []), list(new or [])
    return {"added": [x for x in new if x not in old], "removed": [x for x in old if x not in new]}


def _bridges(old, new):
    a = {b["name"]: b for b in old or []}
    b = {x["name"]: x for x in new or []}
    out = {"added": sorted(set(b) - set(a)), "removed": sorted(set(a) - set(b)), "changed": {}}
    for name in sorted(set(a) & set(b)):
        change = {}
        if a[name]["nic"] != b[name]["nic"]:
            change["nic"] = [a[name]["nic"], b[name]["nic"]]
        trunks = _set_diff(a[name]["trunks"], b[name]["trunks"])
        if trunks["added"] or trunks["removed"]:
            change["trunks"] = trunks
        for key in ("mtu", "addresses", "provider"):
            if not _same(a[name].get(key), b[name].get(key)):
                change[key] = [a[name].get(key), b[name].get(key)]
        if change:
            out["changed"][name] = change
    return out


def _node(old, new):
    change = {}
    for key in NODE_FIELDS:
        if not _same(old.get(key), new.get(key)):
            change[key] = [old.get(key), new.get(key)]
    bridges = _bridges(old.get("bridges"), new.get("bridges"))
    if not _empty(bridges):
        change["bridges"] = bridges
    return change


def _gateways(old, new):
    a = [(g["host"], g["priority"]) for g in old or []]
    b = [(g["host"], g["priority"]) for g in new or []]
    if a == b:
        return None
    return {"before": ["%s (%d)" % x for x in a], "after": ["%s (%d)" % x for x in b]}


def _central(dc):
    return [m["host"] for m in ((dc or {}).get("central") or {}).get("members") or []]


def _dc(old_plan, new_plan, name):
    old = old_plan["dcs"].get(name) or {}
    new = new_plan["dcs"].get(name) or {}
    out = {}
    for key in ("vlans", "subnets"):
        d = _set_diff(old.get(key), new.get(key))
        if d["added"] or d["removed"]:
            out[key] = d
    members = _set_diff(_central(old), _central(new))
    if members["added"] or members["removed"] or _central(old)[:1] != _central(new)[:1]:
        out["central_members"] = dict(members, before=_central(old), after=_central(new))
    ic_old = [m["host"] for m in old_plan["interconnect"]["members"] if m["dc"] == name]
    ic_new = [m["host"] for m in new_plan["interconnect"]["members"] if m["dc"] == name]
    if ic_old != ic_new:
        out["ic_db_member"] = [ic_old, ic_new]
    gws = _gateways(old.get("gateways"), new.get("gateways"))
    if gws:
        out["gateway_priorities"] = gws
    for key in ("region", "dr_role", "az", "mgmt_network", "underlay_network", "underlay_gateway", "failure_domains"):
        if not _same(old.get(key), new.get(key)):
            out.setdefault("settings", {})[key] = [old.get(key), new.get(key)]
    sw_old = {s["name"]: s for s in ((old_plan.get("ovn") or {}).get("switches") or {}).get(name, [])}
    sw_new = {s["name"]: s for s in ((new_plan.get("ovn") or {}).get("switches") or {}).get(name, [])}
    switches = _keyed(sw_old, sw_new)
    if not _empty(switches):
        out["ovn_switches"] = switches
    if not _same((old_plan.get("kube_ovn") or {}).get(name), (new_plan.get("kube_ovn") or {}).get(name)):
        out["kube_ovn"] = True
    if not _same(((old_plan.get("dr") or {}).get("static_routes") or {}).get(name),
                 ((new_plan.get("dr") or {}).get("static_routes") or {}).get(name)) or \
            not _same(((old_plan.get("dr") or {}).get("routers") or {}).get(name),
                      ((new_plan.get("dr") or {}).get("routers") or {}).get(name)):
        out["dr_routing"] = True
    return out


def _dr(old, new):
    out = {}
    a, b = (old.get("dr") or {}), (new.get("dr") or {})
    orders = _keyed(a.get("takeover_order"), b.get("takeover_order"))
    if not _empty(orders):
        out["takeover_order"] = orders
    moved = {}
    pa, pb = a.get("prefixes") or {}, b.get("prefixes") or {}
    for name in sorted(set(pa) & set(pb)):
        x = [pa[name].get("active_dc"), pa[name].get("standby_dcs")]
        y = [pb[name].get("active_dc"), pb[name].get("standby_dcs")]
        if x != y:
            moved[name] = {"active_dc": [x[0], y[0]], "standby_dcs": [x[1], y[1]]}
    if moved:
        out["prefixes"] = moved
    return out


def _phase_hosts(plan, dc, phase):
    d = plan["dcs"].get(dc) or {}
    if phase in ("ovs", "chassis"):
        return list(d.get("chassis") or [])
    if phase in ("central", "subnets"):
        return _central(d)
    if phase == "interconnect":
        nodes = plan["nodes"]
        return [h for h in d.get("nodes") or [] if nodes[h].get("ic_db") or nodes[h].get("central") or nodes[h].get("chassis")]
    return ["localhost"] if d.get("kube_ovn_nodes") else []


def _rollout(old, new, nodes, dcs, network):
    """[{step, dc, phase, hosts, why}] in the order site.yml would run them (the new plan's rollout order)."""
    touched = {}  # (dc, phase) -> {host: [reasons]}

    def touch(dc, phase, host, why):
        touched.setdefault((dc, phase), {}).setdefault(host, [])
        if why not in touched[(dc, phase)][host]:
            touched[(dc, phase)][host].append(why)

    for host, change in nodes.items():
        if change == "added":
            n = new["nodes"][host]
            for phase in PHASES[:-1]:
                if host in _phase_hosts(new, n["dc"], phase):
                    touch(n["dc"], phase, host, "new node")
            continue
        if change == "removed":
            continue
        dc = new["nodes"][host]["dc"]
        for field in change:
            phase = FIELD_PHASE.get(field, "chassis")
            if host in _phase_hosts(new, dc, phase):
                touch(dc, phase, host, field.replace("_", " "))
            elif new["nodes"][host].get("kube_ovn_node"):
                touch(dc, "cni", "localhost", "node %s: %s" % (host, field.replace("_", " ")))
    for dc, change in dcs.items():
        if dc not in new["dcs"]:
            continue
        if "central_members" in change or "settings" in change:
            for h in _phase_hosts(new, dc, "central"):
                touch(dc, "central", h, "central members" if "central_members" in change else "DC settings")
        if "ovn_switches" in change:
            for h in _phase_hosts(new, dc, "subnets")[:1]:
                touch(dc, "subnets", h, "OVN switches")
        if "ic_db_member" in change or "gateway_priorities" in change or "dr_routing" in change:
            why = [k for k in ("ic_db_member", "gateway_priorities", "dr_routing") if k in change]
            for h in [m["host"] for m in new["interconnect"]["members"] if m["dc"] == dc] + _central(new["dcs"][dc])[:1]:
                touch(dc, "interconnect", h, ", ".join(why).replace("_", " "))
            for g in new["dcs"][dc]["gateways"]:
                if "gateway_priorities" in change:
                    touch(dc, "interconnect", g["host"], "gateway priority")
        if change.get("kube_ovn"):
            touch(dc, "cni", "localhost", "Kube-OVN resources")
    if network.get("transit_switches") or network.get("settings"):
        for dc in new["rollout_order"]:
            for m in new["interconnect"]["members"]:
                if m["dc"] == dc:
                    touch(dc, "interconnect", m["host"], "transit switches / interconnection settings")
    steps = []
    for dc in new["rollout_order"]:
        for phase in PHASES:
            hosts = touched.get((dc, phase))
            if hosts:
                steps.append({"step": len(steps) + 1, "dc": dc, "phase": phase, "hosts": sorted(hosts),
                              "why": {h: ", ".join(r) for h, r in sorted(hosts.items())}})
    return steps


def compare(old, new):
    """What changes from ``old`` (the approved plan) to ``new``; see the module docstring."""
    network = {}

    def providers(plan):  # their VLANs are compared on their own (vlans); here by name only
        return {k: dict(v, vlans=[x["name"] for x in v.get("vlans") or []]) for k, v in (plan.get("provider_networks") or {}).items()}

    for key, a, b in (("vlans", old.get("vlans"), new.get("vlans")), ("subnets", old.get("subnets"), new.get("subnets")),
                      ("provider_networks", providers(old), providers(new))):
        d = _keyed(a, b)
        if not _empty(d):
            network[key] = d
    ts = _keyed({t["name"]: t for t in old["interconnect"]["transit_switches"]},
                {t["name"]: t for t in new["interconnect"]["transit_switches"]})
    if not _empty(ts):
        network["transit_switches"] = ts
    settings = _keyed({"settings": old.get("settings")}, {"settings": new.get("settings")})["changed"].get("settings")
    if settings:
        network["settings"] = settings
    for key in ("ecmp", "bfd"):
        if not _same(old["interconnect"].get(key), new["interconnect"].get(key)):
            network.setdefault("settings", {})["interconnect." + key] = [old["interconnect"].get(key), new["interconnect"].get(key)]
    if old.get("rollout_order") != new.get("rollout_order"):
        network["rollout_order"] = [old.get("rollout_order"), new.get("rollout_order")]
    nodes = {}
    for host in sorted(set(old["nodes"]) | set(new["nodes"])):
        if host not in old["nodes"]:
            nodes[host] = "added"
        elif host not in new["nodes"]:
            nodes[host] = "removed"
        else:
            change = _node(old["nodes"][host], new["nodes"][host])
            if change:
                nodes[host] = change
    dcs = {}
    for dc in sorted(set(old["dcs"]) | set(new["dcs"])):
        if dc not in old["dcs"] or dc not in new["dcs"]:
            dcs[dc] = {"dc": "added" if dc in new["dcs"] else "removed"}
            continue
        change = _dc(old, new, dc)
        if change:
            dcs[dc] = change
    dr_change = _dr(old, new)
    rollout = _rollout(old, new, nodes, dcs, network)
    identical = not (network or nodes or dcs or dr_change)
    return {"identical": identical, "network": network, "dcs": dcs, "nodes": nodes, "dr": dr_change, "rollout": rollout,
            "counts": {"nodes_changed": sum(1 for v in nodes.values() if isinstance(v, dict)),
                       "nodes_added": sum(1 for v in nodes.values() if v == "added"),
                       "nodes_removed": sum(1 for v in nodes.values() if v == "removed"),
                       "hosts_touched": len({h for s in rollout for h in s["hosts"]})}}


# ------------------------------------------------------------------------------------------------ Markdown

def _fmt(value):
    if value is None or value == "" or value == []:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return str(value)


def _keyed_lines(title, d):
    lines = []
    if d.get("added"):
        lines.append("- %s added: %s" % (title, ", ".join(d["added"])))
    if d.get("removed"):
        lines.append("- %s removed: %s" % (title, ", ".join(d["removed"])))
    for name, fields in sorted((d.get("changed") or {}).items()):
        text = "; ".join("%s %s → %s" % (k, _fmt(v[0]), _fmt(v[1])) for k, v in sorted(fields.items()))
        lines.append("- %s `%s` changed: %s" % (title, name, text))
    return lines


def _node_lines(host, change, limit_fields=8):
    if change in ("added", "removed"):
        return ["| %s | %s | |" % (host, change)]
    parts = []
    for key, value in sorted(change.items()):
        if key == "bridges":
            for b in value.get("added", []):
                parts.append("bridge %s added" % b)
            for b in value.get("removed", []):
                parts.append("bridge %s removed" % b)
            for b, c in sorted(value.get("changed", {}).items()):
                for k, v in sorted(c.items()):
                    if k == "trunks":
                        if v["added"]:
                            parts.append("%s trunks +%s" % (b, ",".join(str(x) for x in v["added"])))
                        if v["removed"]:
                            parts.append("%s trunks −%s" % (b, ",".join(str(x) for x in v["removed"])))
                    else:
                        parts.append("%s %s %s → %s" % (b, k, _fmt(v[0]), _fmt(v[1])))
        else:
            parts.append("%s `%s` → `%s`" % (key, _fmt(value[0]), _fmt(value[1])))
    more = " (+%d more)" % (len(parts) - limit_fields) if len(parts) > limit_fields else ""
    return ["| %s | changed | %s |" % (host, "; ".join(parts[:limit_fields]) + more)]


def to_markdown(diff, baseline="the baseline plan", node_limit=500):
    lines = ["# Plan diff", "", "Compared with %s." % baseline, ""]
    if diff["identical"]:
        lines += ["**No change**: the new plan is identical to the approved one; a rollout would change nothing.", ""]
        return "\n".join(lines)
    c = diff["counts"]
    lines.append("Summary: %d node(s) changed, %d added, %d removed; a rollout touches %d host(s) in %d step(s)."
                 % (c["nodes_changed"], c["nodes_added"], c["nodes_removed"], c["hosts_touched"], len(diff["rollout"])))
    lines.append("")
    net = diff["network"]
    if net:
        lines += ["## Network (all DCs)", ""]
        for key, title in (("vlans", "VLAN"), ("subnets", "subnet"), ("provider_networks", "provider network"),
                           ("transit_switches", "transit switch")):
            if key in net:
                lines += _keyed_lines(title, net[key])
        for key, value in sorted((net.get("settings") or {}).items()):
            lines.append("- setting `%s`: %s → %s" % (key, _fmt(value[0]), _fmt(value[1])))
        if "rollout_order" in net:
            lines.append("- rollout order: %s → %s" % (" → ".join(net["rollout_order"][0] or []), " → ".join(net["rollout_order"][1] or [])))
        lines.append("")
    if diff["dcs"]:
        lines += ["## Per DC", ""]
        for dc, change in sorted(diff["dcs"].items()):
            lines.append("### %s" % dc)
            lines.append("")
            if "dc" in change:
                lines += ["- DC %s" % change["dc"], ""]
                continue
            for key in ("vlans", "subnets"):
                if key in change:
                    lines += _keyed_lines(key[:-1].upper() if key == "vlans" else "subnet", change[key])
            if "central_members" in change:
                cm = change["central_members"]
                lines.append("- central (raft) members: %s → %s" % (_fmt(cm["before"]), _fmt(cm["after"])))
            if "ic_db_member" in change:
                lines.append("- IC database member: %s → %s" % (_fmt(change["ic_db_member"][0]), _fmt(change["ic_db_member"][1])))
            if "gateway_priorities" in change:
                g = change["gateway_priorities"]
                lines.append("- gateway priorities (preferred first): %s → %s" % (_fmt(g["before"]), _fmt(g["after"])))
            for key, value in sorted((change.get("settings") or {}).items()):
                lines.append("- %s: %s → %s" % (key, _fmt(value[0]), _fmt(value[1])))
            if "ovn_switches" in change:
                lines += _keyed_lines("OVN switch", change["ovn_switches"])
            if change.get("dr_routing"):
                lines.append("- DR routing of lr-%s changes (static routes, BFD, advertised prefixes)" % dc)
            if change.get("kube_ovn"):
                lines.append("- Kube-OVN resources or chart values change")
            lines.append("")
    if diff["dr"]:
        lines += ["## DR order", ""]
        for lost, fields in sorted((diff["dr"].get("takeover_order") or {}).get("changed", {}).items()):
            v = fields["value"]
            lines.append("- if %s is lost: %s → %s" % (lost, " → ".join(v[0]), " → ".join(v[1])))
        for name, moved in sorted((diff["dr"].get("prefixes") or {}).items()):
            lines.append("- %s: active %s → %s; standby %s → %s" % (
                name, _fmt(moved["active_dc"][0]), _fmt(moved["active_dc"][1]), _fmt(moved["standby_dcs"][0]),
                _fmt(moved["standby_dcs"][1])))
        lines.append("")
    if diff["nodes"]:
        lines += ["## Per node", "", "| node | change | what |", "|---|---|---|"]
        items = sorted(diff["nodes"].items())
        for host, change in items[:node_limit]:
            lines += _node_lines(host, change)
        if len(items) > node_limit:
            lines.append("| … | | %d more nodes: see plan-diff.json |" % (len(items) - node_limit))
        lines.append("")
    lines += ["## Rollout: what site.yml would touch, in order", ""]
    if diff["rollout"]:
        lines += ["| step | DC | phase | hosts | why |", "|---|---|---|---|---|"]
        for s in diff["rollout"]:
            hosts = s["hosts"]
            shown = ", ".join(hosts[:10]) + (" +%d more" % (len(hosts) - 10) if len(hosts) > 10 else "")
            whys = sorted(set(s["why"].values()))
            lines.append("| %d | %s | %s | %s | %s |" % (s["step"], s["dc"], s["phase"], shown, "; ".join(whys)[:300]))
    else:
        lines.append("No host is touched (the changes are removals or documentation only).")
    lines.append("")
    return "\n".join(lines)


def to_json(diff):
    return json.dumps(diff, indent=2, sort_keys=True) + "\n"

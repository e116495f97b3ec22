# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The topology picture for the change review (Graphviz source).

``overview(plan)``: regions side by side, one card per DC (central members, IC database member, gateways per
failure domain, nodes counted by failure domain and role, provider networks with their VLANs by plane), the
VLANs stretched over the same-city pair drawn across the DC boundary, the transit switches with each DC's port
address, and the DR preference ladder. Its size does not grow with the number of nodes: a card has one row per
failure domain and per provider network, and names are listed only up to ``LIST_MAX``.

``dc_detail(plan, dc)``: one DC, one column per failure domain with its nodes by role (names up to
``DETAIL_MAX`` per box), and the DC's provider networks, VLANs and subnets.
"""

from __future__ import annotations

from . import dr

LIST_MAX = 4        # names shown in a card row before it becomes a count
DETAIL_MAX = 24     # names shown per box of a detail page
STRETCH_MAX = 8     # stretched VLANs named on the edge before "+N more"
FONT = "DejaVu Sans"
ROLES = (("central", "OVN central"), ("gateway", "gateways"), ("chassis", "chassis"), ("kube_ovn_node", "Kubernetes"))
ROLE_TEXT = {"primary": "primary", "same_city_dr": "same-city DR", "remote_dr": "remote DR"}
COLORS = {"primary": "#1f5fa8", "same_city_dr": "#2e7d32", "remote_dr": "#8e4a00"}


def _h(text):
    """Escape text for a Graphviz HTML-like label."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _q(text):
    """A quoted Graphviz string; a backslash-n in the text stays a line break."""
    return '"%s"' % str(text).replace('"', '\\"')


def _id(text):
    return "".join(c if c.isalnum() else "_" for c in str(text))


def _names(names, limit=LIST_MAX, short=None):
    shown = [short(n) if short else n for n in names[:limit]]
    more = len(names) - len(shown)
    return ", ".join(shown) + (" +%d more" % more if more > 0 else "")


def _short(dc):
    prefix = dc + "-"
    return lambda n: n[len(prefix):] if n.startswith(prefix) and len(n) > len(prefix) else n


def _first_host(cidr):
    net = dr._net(cidr)  # pylint: disable=protected-access
    return str(next(net.hosts())) if net is not None and net.num_addresses > 2 else "none"


def _row(cells, bold=False, bg=None, port=None):
    attrs = ' BGCOLOR="%s"' % bg if bg else ""
    out = ["<TR>"]
    for i, cell in enumerate(cells):
        text, span = (cell if isinstance(cell, tuple) else (cell, 1))
        p = ' PORT="%s"' % port if port and i == 0 else ""
        body = "<B>%s</B>" % _h(text) if bold else _h(text)
        out.append('<TD ALIGN="LEFT" COLSPAN="%d"%s%s>%s</TD>' % (span, attrs, p, body))
    out.append("</TR>")
    return "".join(out)


def _section(title, width, port=None):
    p = ' PORT="%s"' % port if port else ""
    return '<TR><TD ALIGN="LEFT" COLSPAN="%d" BGCOLOR="#e8e8e8"%s><B>%s</B></TD></TR>' % (width, p, _h(title))


def _fd_counts(plan, dc):
    """{fd: {role: [names]}} over the DC's nodes, in the DC's failure-domain order."""
    d = plan["dcs"][dc]
    counts = {fd: {role: [] for role, _label in ROLES} for fd in d["failure_domains"]}
    for name in d["nodes"]:
        n = plan["nodes"][name]
        per = counts.setdefault(n["failure_domain"], {role: [] for role, _label in ROLES})
        for role, _label in ROLES:
            if n.get(role):
                per[role].append(name)
    return counts


def _vlans_by_plane(plan, provider, dc):
    planes = {}
    for v in plan["provider_networks"][provider]["vlans"]:
        if dc in v["dcs"]:
            planes.setdefault(v["plane"], []).append(v["id"])
    return planes


def _id_list(ids, limit=10):
    ids = sorted(ids)
    text = ", ".join(str(i) if i else "untagged" for i in ids[:limit])
    return text + (" +%d more" % (len(ids) - limit) if len(ids) > limit else "")


def _dc_card(plan, dc):
    d = plan["dcs"][dc]
    short = _short(dc)
    width = 1 + len(ROLES)
    rows = []
    color = COLORS.get(d["dr_role"], "#444444")
    title = "%s  ·  %s  ·  AZ %s" % (dc, ROLE_TEXT.get(d["dr_role"], d["dr_role"]), d["az"])
    rows.append('<TR><TD COLSPAN="%d" BGCOLOR="%s" PORT="top"><FONT COLOR="white" POINT-SIZE="16"><B>%s</B></FONT></TD></TR>'
                % (width, color, _h(title)))
    gw = d.get("underlay_gateway") or _first_host(d["underlay_network"])
    rows.append(_row([("management %s   underlay %s (router %s)" % (d["mgmt_network"], d["underlay_network"], gw), width)]))
    rows.append(_row([("rollout step %s of %d" % ((d.get("rollout_index") or 0) + 1, len(plan["rollout_order"])), width)]))
    # control plane
    rows.append(_section("Control plane", width))
    c = d["central"]
    members = ["%s %s%s" % (short(m["host"]), m["ip"], " (bootstrap)" if m["host"] == c["bootstrap"] else "") for m in c["members"]]
    rows.append(_row([("OVN central, raft of %d: %s" % (len(members), _names(members)), width)]))
    ic = [m for m in plan["interconnect"]["members"] if m["dc"] == dc]
    rows.append(_row([("IC database member: %s" % (", ".join("%s %s" % (short(m["host"]), m["ip"]) for m in ic) or "none"), width)]))
    by_fd = {}
    for g in d["gateways"]:
        by_fd.setdefault(g["failure_domain"], []).append(g)
    for fd in [f for f in d["failure_domains"] if f in by_fd] + sorted(f for f in by_fd if f not in d["failure_domains"]):
        gws = by_fd[fd]
        text = _names(["%s prio %d" % (short(g["host"]), g["priority"]) for g in gws], limit=3)
        rows.append(_row([("IC gateways in %s: %s" % (fd, text), width)]))
    # nodes by failure domain and role
    rows.append(_section("Nodes by failure domain and role (a node counts once in each of its roles)", width))
    rows.append(_row(["failure domain"] + [label for _r, label in ROLES], bold=True))
    counts = _fd_counts(plan, dc)
    totals = [0] * len(ROLES)
    for fd, per in counts.items():
        cells = [fd]
        for i, (role, _label) in enumerate(ROLES):
            n = len(per[role])
            totals[i] += n
            cells.append(str(n) if n else "-")
        rows.append(_row(cells))
    rows.append(_row(["all %d nodes" % len(d["nodes"])] + [str(t) for t in totals], bold=True))
    # provider networks and VLANs by plane
    rows.append(_section("Provider networks: VLANs by plane", width, port="pn"))
    for pn in sorted(plan["provider_networks"]):
        planes = _vlans_by_plane(plan, pn, dc)
        if not planes:
            continue
        p = plan["provider_networks"][pn]
        excluded = [h for h in p["exclude_nodes"] if plan["nodes"].get(h, {}).get("dc") == dc]
        not_on = ", not on %d node%s" % (len(excluded), "" if len(excluded) == 1 else "s") if excluded else ""
        head = "%s  %s on %s, MTU %s%s" % (pn, p["bridge"], p["default_nic"], p["mtu"], not_on)
        rows.append(_row([(head, width)], bold=True))
        for plane in sorted(planes):
            rows.append(_row([("    %s: VLAN %s" % (plane, _id_list(planes[plane])), width)]))
    subnets = [plan["subnets"][s] for s in d["subnets"]]
    under = sum(1 for s in subnets if s["kind"] == "underlay")
    stretched = sum(1 for s in subnets if s["stretched"])
    rows.append(_row([("subnets: %d on VLANs, %d overlay; %d stretched" % (under, len(subnets) - under, stretched), width)]))
    rows.append('<TR><TD COLSPAN="%d" PORT="ic" BGCOLOR="#f3f0ff">interconnection router lr-%s</TD></TR>' % (width, _h(dc)))
    return '<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4" COLOR="%s">%s</TABLE>>' % (color, "".join(rows))


def _stretched(plan):
    """{(dc_a, dc_b): {plane: [vlan ids]}} for the VLANs present in two DCs of the same region."""
    out = {}
    for v in plan["vlans"].values():
        dcs = sorted(d for d in v["dcs"] if d in plan["dcs"])
        for i, a in enumerate(dcs):
            for b in dcs[i + 1:]:
                if plan["dcs"][a]["region"] == plan["dcs"][b]["region"]:
                    out.setdefault((a, b), {}).setdefault(v["plane"], []).append(v["id"])
    return out


def _ladder(plan):
    rows = [_section("DR preference ladder (who takes over, best first)", 2)]
    order = sorted(plan["dcs"], key=lambda d: dr.ROLE_RANK.get(plan["dcs"][d]["dr_role"], 9))
    rows.append(_row([("serving order of a stretched prefix: %s" % " → ".join(
        "%s (%s)" % (d, ROLE_TEXT.get(plan["dcs"][d]["dr_role"], "")) for d in order), 2)]))
    for lost in order:
        rows.append(_row(["%s lost" % lost, " → ".join(plan["dr"]["takeover_order"].get(lost, []))]))
    ecmp = plan["interconnect"].get("ecmp") or []
    if ecmp:
        rows.append(_row([("ECMP over all home DCs: %s" % _names(ecmp, limit=6), 2)]))
    return '<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4">%s</TABLE>>' % "".join(rows)


def _header(name):
    return ["digraph %s {" % _id(name),
            '  graph [fontname="%s", fontsize=14, newrank=true, nodesep=0.6, ranksep=0.8, rankdir=TB, labelloc=t];' % FONT,
            '  node [fontname="%s", fontsize=12, shape=plaintext];' % FONT,
            '  edge [fontname="%s", fontsize=12, dir=none];' % FONT]


def overview(plan):
    """Graphviz source of the review picture; bounded in size whatever the number of nodes."""
    out = _header("tridc")
    rollout = " → ".join(plan["rollout_order"])
    title = "tridc.ovn network plan: %d DCs, %d nodes; rollout %s" % (len(plan["dcs"]), len(plan["nodes"]), rollout)
    out.append('  label=%s;' % _q(title))
    order = sorted(plan["regions"], key=lambda r: min([dr.ROLE_RANK.get(plan["dcs"][d]["dr_role"], 9)
                                                       for d in plan["regions"][r]["dcs"]] or [9]))
    for r_index, region in enumerate(order):
        dcs = sorted(plan["regions"][region]["dcs"], key=lambda d: dr.ROLE_RANK.get(plan["dcs"][d]["dr_role"], 9))
        out.append("  subgraph cluster_region_%d {" % r_index)
        out.append('    label=%s; style="rounded,dashed"; fontsize=16;' % _q("region (city) %s" % region))
        for dc in dcs:
            out.append("    %s [label=%s];" % (_q("dc:" + dc), _dc_card(plan, dc)))
        out.append("  }")
    out.append("  { rank=same; %s }" % " ".join(_q("dc:" + d) for d in sorted(plan["dcs"])))
    for (a, b), planes in sorted(_stretched(plan).items()):
        count = sum(len(v) for v in planes.values())
        text = "; ".join("%s %s" % (plane, _id_list(ids, limit=STRETCH_MAX)) for plane, ids in sorted(planes.items()))
        out.append("  %s:pn -> %s:pn [color=\"#1565c0\", penwidth=4, constraint=false, label=%s];"
                   % (_q("dc:" + a), _q("dc:" + b), _q("L2 stretched, %d VLAN%s:\\n%s" % (count, "" if count == 1 else "s", text))))
    for ts in plan["interconnect"]["transit_switches"]:
        node = _q("ts:" + ts["name"])
        out.append("  %s [shape=box, style=\"rounded,filled\", fillcolor=\"#f3f0ff\", label=%s];"
                   % (node, _q("OVN-IC transit switch %s\\n%s" % (ts["name"], ts["subnet"]))))
        addresses = dr.transit_addresses(plan, ts)
        for dc in sorted(plan["dcs"]):
            ip = addresses.get(dc)
            out.append("  %s:ic -> %s [penwidth=2, color=\"#5e35b1\", label=%s];"
                       % (_q("dc:" + dc), node, _q(ip[0] if ip else "no address")))
    out.append("  ladder [label=%s];" % _ladder(plan))
    if plan["interconnect"]["transit_switches"]:
        out.append("  %s -> ladder [style=invis];" % _q("ts:" + plan["interconnect"]["transit_switches"][0]["name"]))
    else:
        out.append("  %s -> ladder [style=invis];" % _q("dc:" + sorted(plan["dcs"])[0]))
    out.append("}")
    return "\n".join(out) + "\n"


def dc_detail(plan, dc):
    """Graphviz source of one DC's detail page: nodes by failure domain and role, provider networks and subnets."""
    d = plan["dcs"][dc]
    short = _short(dc)
    out = _header("tridc_" + dc)
    title = "%s (%s, AZ %s, region %s): %d nodes" % (dc, ROLE_TEXT.get(d["dr_role"], d["dr_role"]), d["az"], d["region"],
                                                     len(d["nodes"]))
    out.append('  label=%s;' % _q(title))
    fds = list(_fd_counts(plan, dc).items())
    for i in range(5, len(fds)):  # five failure domains a row
        out.append("  fd%d -> fd%d [style=invis];" % (i - 5, i))
    for i, (fd, per) in enumerate(fds):
        rows = ['<TR><TD ALIGN="LEFT" BGCOLOR="#e8e8e8"><B>%s</B></TD></TR>' % _h("failure domain %s" % fd)]
        for role, label in ROLES:
            names = per[role]
            if not names:
                continue
            rows.append(_row(["%s (%d)" % (label, len(names))], bold=True))
            for k in range(0, min(len(names), DETAIL_MAX), 4):
                rows.append(_row([", ".join(short(n) for n in names[k:min(k + 4, DETAIL_MAX)])]))
            if len(names) > DETAIL_MAX:
                rows.append(_row(["+%d more (plan.md lists every node)" % (len(names) - DETAIL_MAX)]))
        out.append("  %s [label=<<TABLE BORDER=\"1\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"3\">%s</TABLE>>];"
                   % (_q("fd%d" % i), "".join(rows)))
    rows = [_section("Provider networks, VLANs and subnets in %s" % dc, 4),
            _row(["VLAN", "id", "plane", "subnet"], bold=True)]
    for pn in sorted(plan["provider_networks"]):
        p = plan["provider_networks"][pn]
        vlans = [v for v in p["vlans"] if dc in v["dcs"]]
        if not vlans:
            continue
        rows.append(_row([("%s: %s on %s (MTU %s)" % (pn, p["bridge"], p["default_nic"], p["mtu"]), 4)], bold=True))
        for v in vlans:
            sns = [s for s in d["subnets"] if plan["subnets"][s]["vlan"] == v["name"]]
            text = ", ".join("%s %s%s" % (s, plan["subnets"][s]["cidr"], " (stretched)" if plan["subnets"][s]["stretched"] else "")
                             for s in sns) or "-"
            rows.append(_row([v["name"], str(v["id"]) if v["id"] else "untagged", v["plane"], text]))
    overlay = [s for s in d["subnets"] if plan["subnets"][s]["kind"] == "overlay"]
    if overlay:
        rows.append(_row([("overlay: %s" % ", ".join("%s %s" % (s, plan["subnets"][s]["cidr"]) for s in overlay), 4)]))
    for i in range(max(0, len(fds) - 5), len(fds)):
        out.append("  fd%d -> networks [style=invis];" % i)
    out.append("  networks [label=<<TABLE BORDER=\"1\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"3\">%s</TABLE>>];"
               % "".join(rows))
    out.append("}")
    return "\n".join(out) + "\n"

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DR routing computation: which DC takes over for which DC and which prefix, and how every DC routes.

This is the one place the DR preferences are computed; the interconnect and dr_routing roles, the
DR playbooks and the plan report read ``plan['dr']``. Preference is by DR role: the primary first,
then the same-city DR (no WAN crossing between the cities), then the remote DR.

Keys of ``plan['dr']`` (see docs/interconnect.md for the full description):

* ``takeover_order[lost_dc]``: the survivors, best first.
* ``underlay[subnet]``: per underlay subnet the active DC, the standby order and what the fabric
  must announce and prefer (``fabric`` text and ``announce`` list).
* ``prefixes[subnet]``: every subnet as a routed prefix: home DCs, active DC, standby DCs and who
  routes it between DCs (``ovn-ic`` learned, ``ovn-static`` DR routes, ``fabric``, ``kube-ovn``, ``local``).
* ``routers[dc]``: the DC's interconnection router in its OVN NB: transit ports (address, MAC,
  gateway chassis with priorities), attached overlay switches, the NB_Global options (AZ name,
  route advertisement and learning, denylist, BFD timers), the prefixes it advertises and the
  routes it must learn.
* ``routes[dc]``: per prefix the preferred path and the ordered backups as seen from the DC.
* ``static_routes[dc]`` / ``bfd[dc]``: the OVN static routes (with BFD, ECMP where configured) and
  BFD sessions the ``ovn_nb_routes`` module applies to the DC's router.
* ``kube_ovn[dc]``: Vpc ``staticRoutes`` / ``policyRoutes`` for Kube-OVN owned networks.
* ``failover[lost_dc]``: the same data for the survivors once ``lost_dc`` is declared lost
  (``playbooks/dr_failover.yml`` applies it, ``dr_failback.yml`` applies the planned state again).

Everything is a pure function of the plan; it never raises on a validated plan.
"""

from __future__ import annotations

import hashlib
import ipaddress

ROLE_RANK = {"primary": 0, "same_city_dr": 1, "remote_dr": 2}

# BFD timers (ms) for the gateway chassis tunnels (NB_Global options, copied to SB_Global by
# ovn-northd and read by ovn-controller) and for static routes: 3 x 100 ms = 300 ms detection.
BFD_DEFAULTS = {"min_rx": 100, "min_tx": 100, "mult": 3}
# Fabric preference (e.g. BGP local-preference) by position in the serving order.
FABRIC_PREFERENCE = (200, 150, 100, 50)
# Kube-OVN's default VPC (its cluster router).
KUBE_OVN_VPC = "ovn-cluster"
KUBE_OVN_ALLOW_PRIORITY = 31000
KUBE_OVN_REROUTE_PRIORITY = 30000
# external_ids tag of everything the ovn_nb_routes module owns in a router
DR_TAG = "tridc-dr"


def _rank(plan, dc):
    return (ROLE_RANK.get(plan["dcs"][dc]["dr_role"], 9), dc)


def takeover_order(plan, lost_dc):
    """Survivors of lost_dc, best first: same region before the other region, then by DR role."""
    region = plan["dcs"][lost_dc]["region"]
    survivors = [d for d in plan["dcs"] if d != lost_dc]
    return sorted(survivors, key=lambda d: (plan["dcs"][d]["region"] != region,) + _rank(plan, d))


def serving_order(plan, dcs, lost=None):
    """The DCs that can serve a prefix present in ``dcs``, best first (primary, same-city DR, remote DR)."""
    return sorted((d for d in dcs if d in plan["dcs"] and d != lost), key=lambda d: _rank(plan, d))


# ------------------------------------------------------------------------------------- names

def router_name(dc):
    return "lr-%s" % dc


def transit_lrp(dc, ts):
    return "lrp-%s-%s" % (dc, ts)


def transit_lsp(dc, ts):
    # IC SB Port_Binding.logical_port is unique over all AZs: the DC is part of the name
    return "%s-%s" % (ts, dc)


def attach_lrp(dc, switch):
    return "lrp-%s-%s" % (dc, switch)


def attach_lsp(dc, switch):
    return "%s-lr-%s" % (switch, dc)


def mac_for(*parts):
    """A stable, locally administered unicast MAC (0a:xx:..) derived from the names."""
    digest = hashlib.sha256(":".join(parts).encode("utf-8")).digest()
    return "0a:" + ":".join("%02x" % b for b in digest[:5])


def _net(cidr):
    try:
        return ipaddress.ip_network(cidr, strict=False)
    except (TypeError, ValueError):
        return None


def transit_addresses(plan, ts):
    """DC -> (ip, prefixlen) on the transit switch: the n-th host address for the n-th DC by name."""
    net = _net(ts.get("subnet"))
    if net is None:
        return {}
    out = {}
    hosts = net.hosts()
    for dc in sorted(plan["dcs"]):
        try:
            out[dc] = (str(next(hosts)), net.prefixlen)
        except StopIteration:
            break
    return out


# ------------------------------------------------------------------------------------- prefixes

def _ic_settings(plan):
    ic = plan.get("interconnect") or {}
    bfd = dict(BFD_DEFAULTS)
    for key in bfd:
        value = (ic.get("bfd") or {}).get(key) if isinstance(ic.get("bfd"), dict) else None
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            bfd[key] = value
    ecmp = ic.get("ecmp") or []
    return {"bfd": bfd, "ecmp": set(ecmp) if isinstance(ecmp, (list, tuple, set)) else set()}


def routed_by(sn):
    """How a subnet is reached from other DCs."""
    if sn.get("local"):
        return "local"
    if sn["kind"] == "overlay":
        return "ovn-ic" if sn["owner"] == "ovn" else "kube-ovn"
    # underlay: the physical gateway routes it, unless OVN is its (logical) gateway. A logical gateway the collection
    # owns is advertised over OVN-IC by the one DC that owns it (the gateway and its route move together, with the DR
    # state); a Kube-OVN one gets DR static routes (Kube-OVN's Vpc routes)
    if sn.get("logical_gateway"):
        return "ovn-ic" if sn["owner"] == "ovn" else "ovn-static"
    return "fabric"


def prefixes(plan, lost=None):
    out = {}
    ecmp = _ic_settings(plan)["ecmp"]
    for name, sn in sorted(plan["subnets"].items()):
        home = serving_order(plan, sn["dcs"])
        order = [d for d in home if d != lost]
        out[name] = {"cidr": sn["cidr"], "kind": sn["kind"], "owner": sn["owner"], "home_dcs": home,
                     "active_dc": order[0] if order else None, "standby_dcs": order[1:],
                     "routed_by": routed_by(sn), "ecmp": name in ecmp and len(home) > 1,
                     "logical_gateway": bool(sn.get("logical_gateway"))}
    return out


def infrastructure_prefixes(plan):
    """Networks that must never be exchanged between AZs: management, underlay (tunnel) and transit networks."""
    nets = []
    for dc in plan["dcs"].values():
        nets += [dc["mgmt_network"], dc["underlay_network"]]
    nets += [ts["subnet"] for ts in (plan.get("interconnect") or {}).get("transit_switches", [])]
    return nets


def denylist(plan, pfx, lost=None):
    """ic-route-denylist: underlay subnets, infrastructure prefixes, subnets marked local, the prefixes
    the DR static routes carry (they must not be advertised again) and, once a DC is lost, what it advertised."""
    nets = list(infrastructure_prefixes(plan))
    for name, p in pfx.items():
        if p["routed_by"] in ("local", "ovn-static", "fabric") or (p["kind"] == "underlay" and p["routed_by"] != "ovn-ic"):
            nets.append(p["cidr"])
        elif lost is not None and p["routed_by"] == "ovn-ic" and lost in p["home_dcs"] and p["active_dc"] is None:
            # it died with the lost DC (a logical gateway with a surviving home DC moves there instead)
            nets.append(p["cidr"])
    parsed = sorted({n for n in (_net(c) for c in nets) if n is not None}, key=lambda n: (n.version, n.network_address, n.prefixlen))
    return [str(n) for n in parsed]


def _denied(cidr, deny):
    net = _net(cidr)
    if net is None:
        return True
    for d in deny:
        dn = _net(d)
        if dn is not None and dn.version == net.version and net.subnet_of(dn):
            return True
    return False


# ------------------------------------------------------------------------------------- routers

def _gateway_chassis(plan, dc):
    gws = (plan.get("interconnect") or {}).get("gateway_priorities", {}).get(dc) or plan["dcs"][dc].get("gateways") or []
    return [{"host": g["host"], "chassis": plan["nodes"].get(g["host"], {}).get("system_id", g["host"]),
             "failure_domain": g["failure_domain"], "priority": g["priority"]} for g in gws]


def gateway_owner(plan, sn, lost=None):
    """The one DC whose router sits on a VLAN subnet (its logical gateway, or its u2o address): the first DC of its
    serving order (primary, same-city DR, remote DR) that is not lost. Two DC routers answering one address on a
    stretched VLAN would fight over it, so the port has one owner at a time and moves only with the DR state."""
    order = serving_order(plan, sn["dcs"], lost)
    return order[0] if order else None


def _vlan_gateway_chassis(plan, dc, provider):
    """The DC's gateway chassis (planned priorities) that reach the provider network (have its bridge mapping)."""
    def maps(host):
        mappings = plan["nodes"].get(host, {}).get("bridge_mappings") or ""
        return any(m.split(":")[0] == provider for m in mappings.split(",") if m)
    return [g for g in _gateway_chassis(plan, dc) if maps(g["host"])]


def _attachments(plan, dc, lost=None):
    """The switches attached to the DC's router: the DC's overlay switches the collection owns (the router port is their
    gateway; advertised over IC), and the VLAN switches whose router port the DC owns (the first home DC in DR order):
    a logical gateway (the port holds the gateway address) or an underlay-to-overlay interconnection (u2o: the port
    holds the u2o address, the fabric keeps the gateway). A VLAN port is a distributed gateway port on the DC's
    gateway chassis: one chassis answers its address at a time."""
    out = []
    for name in plan["dcs"][dc]["subnets"]:
        sn = plan["subnets"][name]
        if sn["owner"] != "ovn":
            continue
        net = _net(sn["cidr"])
        item = {"switch": name, "subnet": name, "cidr": sn["cidr"], "lrp": attach_lrp(dc, name),
                "lsp": attach_lsp(dc, name), "network": "%s/%d" % (sn["gateway"], net.prefixlen if net else 0)}
        if sn["kind"] == "overlay":
            item.update({"kind": "overlay", "mac": mac_for("attach", dc, name), "gateway_chassis": []})
        elif sn.get("logical_gateway") and gateway_owner(plan, sn, lost) == dc:
            # the same MAC in every DC that can own it: a move keeps the workloads' ARP entries valid
            item.update({"kind": "logical_gateway", "mac": mac_for("gateway", name),
                         "gateway_chassis": _vlan_gateway_chassis(plan, dc, sn["provider"])})
        elif sn.get("u2o_interconnection") and sn.get("u2o_interconnection_ip") and gateway_owner(plan, sn, lost) == dc:
            # underlay-to-overlay: the DC router on the VLAN at the u2o address (the fabric keeps the gateway); one
            # owner and one chassis at a time, for the same reason as a logical gateway
            item.update({"kind": "u2o", "mac": mac_for("u2o", name),
                         "network": "%s/%d" % (sn["u2o_interconnection_ip"], net.prefixlen if net else 0),
                         "gateway_chassis": _vlan_gateway_chassis(plan, dc, sn["provider"])})
        else:
            continue
        out.append(item)
    return out


def _probe(plan, dc, attach):
    """The DR drill's and the lab tests' probe endpoint of the DC: a port on its first overlay switch, bound on a
    chassis that is not an IC gateway when there is one (so that losing a gateway does not lose the probe)."""
    attach = [a for a in attach if a["kind"] == "overlay"]
    if not attach:
        return None
    net = _net(attach[0]["cidr"])
    chassis = plan["dcs"][dc]["chassis"]
    if net is None or net.num_addresses < 4 or not chassis:
        return None
    gws = [g["host"] for g in plan["dcs"][dc]["gateways"]]
    plain = [h for h in chassis if h not in gws]
    host = plain[0] if plain else (gws[-1] if gws else chassis[0])
    return {"switch": attach[0]["switch"], "lsp": "probe-%s" % dc, "host": host, "mac": mac_for("probe", dc),
            "ip": str(net.broadcast_address - 1), "prefixlen": net.prefixlen, "gateway": attach[0]["network"].split("/")[0]}


def _underlay_routes(plan, dc):
    """How the DC's IC gateways reach the other DCs' gateways: the other underlay networks via the DC's underlay
    gateway (the plan's dcs[DC].underlay_gateway, else the first address of the underlay network)."""
    net = _net(plan["dcs"][dc]["underlay_network"])
    gateway = plan["dcs"][dc].get("underlay_gateway") or (str(next(net.hosts())) if net is not None and net.num_addresses > 2 else None)
    return {"gateway": gateway, "networks": sorted(d["underlay_network"] for n, d in plan["dcs"].items() if n != dc)}


def routers(plan, pfx, lost=None):
    settings = _ic_settings(plan)
    deny = denylist(plan, pfx, lost)
    tss = (plan.get("interconnect") or {}).get("transit_switches", [])
    addrs = {ts["name"]: transit_addresses(plan, ts) for ts in tss}
    out = {}
    for dc in sorted(plan["dcs"]):
        if dc == lost:
            continue
        transit = []
        for ts in tss:
            ip = addrs[ts["name"]].get(dc)
            if ip is None:
                continue
            transit.append({"switch": ts["name"], "lrp": transit_lrp(dc, ts["name"]), "lsp": transit_lsp(dc, ts["name"]),
                            "mac": mac_for("transit", dc, ts["name"]), "ip": ip[0], "network": "%s/%d" % ip,
                            "gateway_chassis": _gateway_chassis(plan, dc)})
        attach = _attachments(plan, dc, lost)
        advertise = [a["cidr"] for a in attach if not _denied(a["cidr"], deny)]
        probe = _probe(plan, dc, attach)
        options = {"ic-route-adv": "true", "ic-route-learn": "true",
                   "ic-route-adv-default": "false", "ic-route-learn-default": "false",
                   # OVN < 24.09 reads only ic-route-blacklist; later versions read ic-route-denylist first
                   "ic-route-denylist": ",".join(deny), "ic-route-blacklist": ",".join(deny),
                   "bfd-min-rx": str(settings["bfd"]["min_rx"]), "bfd-min-tx": str(settings["bfd"]["min_tx"]),
                   "bfd-mult": str(settings["bfd"]["mult"])}
        out[dc] = {"router": router_name(dc), "az": plan["dcs"][dc]["az"], "transit": transit, "attach": attach,
                   "denylist": deny, "options": options, "advertise": advertise, "learn": [], "probe": probe,
                   "ic_gateways": sorted("%s/%s" % (plan["dcs"][dc]["az"], g["chassis"]) for g in _gateway_chassis(plan, dc)),
                   "underlay": _underlay_routes(plan, dc)}
    # what every router learns: the others' advertisements, over every transit switch it shares
    for dc, r in out.items():
        learn = []
        for other, o in sorted(out.items()):
            if other == dc:
                continue
            for t in o["transit"]:
                if not any(mine["switch"] == t["switch"] for mine in r["transit"]):
                    continue
                for cidr in o["advertise"]:
                    if not _denied(cidr, r["denylist"]):
                        learn.append({"cidr": cidr, "nexthop": t["ip"], "from_dc": other, "switch": t["switch"]})
        r["learn"] = learn
    return out


# ------------------------------------------------------------------------------------- routes

def _ladder(cidr, tiers):
    """Prefix-length ladder: tier i (0 = preferred) gets the prefix split into 2**(tiers-1-i) parts.

    OVN static routes have no metric; the longest prefix wins. With BFD on every route, OVN drops
    the routes of a dead next hop and the next tier (one bit shorter) takes over. Returns None when
    the prefix is too long to split.
    """
    net = _net(cidr)
    if net is None or net.prefixlen + tiers - 1 > net.max_prefixlen:
        return None
    return [[str(s) for s in net.subnets(prefixlen_diff=tiers - 1 - i)] for i in range(tiers)]


def routes(plan, pfx, rtrs, lost=None):
    """Per DC and prefix: preferred path and ordered backups; plus the static routes and BFD sessions."""
    routes_out, static_out, bfd_out = {}, {}, {}
    bfd = _ic_settings(plan)["bfd"]
    for dc, r in rtrs.items():
        first_ts = r["transit"][0] if r["transit"] else None
        table, static, peers = [], [], {}
        for name, p in sorted(pfx.items()):
            entry = {"prefix": name, "cidr": p["cidr"], "routed_by": p["routed_by"], "ecmp": False, "bfd": False,
                     "preferred": None, "backups": []}
            serving = [d for d in serving_order(plan, p["home_dcs"], lost) if d in rtrs and d != dc]
            # a logical-gateway subnet is routed by its gateway owner alone: a standby home DC routes it over the
            # interconnection like any other DC (its own router has no port on the VLAN until it owns the gateway)
            owned_here = dc in p["home_dcs"] and (not p["logical_gateway"] or p["active_dc"] == dc)
            if owned_here:
                entry["via"] = "local"
            elif p["routed_by"] == "local":
                entry["via"] = "none"
            else:
                entry["via"] = {"ovn-ic": "ic-learned", "ovn-static": "static", "fabric": "fabric", "kube-ovn": "kube-ovn"}[p["routed_by"]]
                hops = []
                for d in serving:
                    # the fabric routes underlay subnets between DCs: no transit next hop
                    nh = None if p["routed_by"] == "fabric" else \
                        next((t["ip"] for t in rtrs[d]["transit"] if first_ts and t["switch"] == first_ts["switch"]), None)
                    hops.append({"dc": d, "nexthop": nh})
                if hops:
                    entry["preferred"] = hops[0]
                    entry["backups"] = hops[1:]
                if p["routed_by"] == "ovn-static" and first_ts and hops:
                    entry["bfd"] = True
                    entry["ecmp"] = p["ecmp"]
                    usable = [h for h in hops if h["nexthop"]]
                    ladder = None if p["ecmp"] else _ladder(p["cidr"], len(usable))
                    if p["ecmp"] or ladder is None:
                        entry["ecmp"] = len(usable) > 1
                        for h in usable:
                            static.append({"prefix": p["cidr"], "nexthop": h["nexthop"], "output_port": first_ts["lrp"],
                                           "bfd": True, "ecmp": len(usable) > 1, "subnet": name, "dc": h["dc"], "tier": 0})
                    else:
                        for tier, (h, parts) in enumerate(zip(usable, ladder)):
                            for part in parts:
                                static.append({"prefix": part, "nexthop": h["nexthop"], "output_port": first_ts["lrp"],
                                               "bfd": True, "ecmp": False, "subnet": name, "dc": h["dc"], "tier": tier})
                    for h in usable:
                        peers[h["dc"]] = h["nexthop"]
            table.append(entry)
        routes_out[dc] = table
        static_out[dc] = sorted(static, key=lambda s: (s["subnet"], s["tier"], s["prefix"], s["nexthop"]))
        bfd_out[dc] = peers
    # BFD needs both ends: a DC with a BFD route towards a peer makes the peer run a session back
    sessions = {dc: {} for dc in rtrs}
    for dc, peers in bfd_out.items():
        for peer in peers:
            for a, b in ((dc, peer), (peer, dc)):
                if a not in rtrs or b not in rtrs or not rtrs[a]["transit"] or not rtrs[b]["transit"]:
                    continue
                ta, tb = rtrs[a]["transit"][0], next((t for t in rtrs[b]["transit"] if t["switch"] == rtrs[a]["transit"][0]["switch"]), None)
                if tb is None:
                    continue
                sessions[a][tb["ip"]] = {"logical_port": ta["lrp"], "dst_ip": tb["ip"], "peer_dc": b,
                                         "min_tx": bfd["min_tx"], "min_rx": bfd["min_rx"], "detect_mult": bfd["mult"]}
    bfd_sessions = {dc: [s[k] for k in sorted(s)] for dc, s in sessions.items()}
    return routes_out, static_out, bfd_sessions


def kube_ovn_routes(plan, table):
    """Vpc staticRoutes / policyRoutes of Kube-OVN's default VPC in every DC with Kube-OVN owned subnets.

    staticRoutes: every remote prefix reached over the interconnection (preferred next hop, ECMP over
    all serving DCs where configured); policyRoutes: traffic to the DC's own subnets is allowed before
    any reroute, and DR prefixes are rerouted to the preferred DC's transit address.
    """
    out = {}
    for dc, entries in table.items():
        if not any(plan["subnets"][s]["owner"] == "kube-ovn" for s in plan["dcs"][dc]["subnets"]):
            continue
        static, policy = [], []
        for e in entries:
            if e["via"] == "local":
                policy.append({"priority": KUBE_OVN_ALLOW_PRIORITY, "match": "ip4.dst == %s" % e["cidr"], "action": "allow"})
                continue
            if e["via"] not in ("ic-learned", "static", "kube-ovn") or not e["preferred"] or not e["preferred"]["nexthop"]:
                continue
            hops = [e["preferred"]] + (e["backups"] if e["ecmp"] else [])
            for h in hops:
                item = {"cidr": e["cidr"], "next_hop": h["nexthop"], "policy": "policyDst"}
                if e["ecmp"]:
                    item["ecmp_mode"] = "ecmp"
                static.append(item)
            if e["via"] == "static":
                policy.append({"priority": KUBE_OVN_REROUTE_PRIORITY, "match": "ip4.dst == %s" % e["cidr"], "action": "reroute",
                               "next_hop": ",".join(h["nexthop"] for h in hops)})
        out[dc] = {"vpc": KUBE_OVN_VPC, "static_routes": static,
                   "policy_routes": sorted(policy, key=lambda p: (-p["priority"], p["match"]))}
    return out


# ------------------------------------------------------------------------------------- underlay

def underlay(plan, lost=None):
    out = {}
    for name, sn in sorted(plan["subnets"].items()):
        if sn["kind"] != "underlay":
            continue
        dcs = serving_order(plan, sn["dcs"], lost)
        if not dcs:
            if lost is not None and lost in sn["dcs"]:
                out[name] = {"cidr": sn["cidr"], "vlan_id": sn["vlan_id"], "active_dc": None, "standby_dcs": [], "announce": [],
                             "fabric": "withdraw %s: it existed only in the lost DC %s" % (sn["cidr"], lost)}
            continue
        announce = [{"dc": d, "state": "active" if i == 0 else "standby",
                     "preference": FABRIC_PREFERENCE[min(i, len(FABRIC_PREFERENCE) - 1)]} for i, d in enumerate(dcs)]
        if sn.get("logical_gateway"):
            # OVN is the gateway: the fabric only carries the VLAN, and must not answer the gateway address itself
            text = ("carry VLAN %s only, with no gateway address on it: %s's OVN router answers %s (logical gateway)%s" % (
                sn["vlan_id"], dcs[0], sn["gateway"],
                "; it moves to %s on DC loss (dr_failover.yml)" % ", then ".join(dcs[1:]) if dcs[1:] else ""))
            announce = []
        elif dcs[1:]:
            text = "announce %s from %s; prefer it over %s (lower preference there) and move it on DC loss" % (
                sn["cidr"], dcs[0], ", ".join(dcs[1:]))
        else:
            text = "announce %s from %s; no standby: the subnet is local to %s" % (sn["cidr"], dcs[0], dcs[0])
        if lost is not None and lost in sn["dcs"] and not sn.get("logical_gateway"):
            text = "withdraw %s from %s (lost); %s" % (sn["cidr"], lost, text)
        out[name] = {"cidr": sn["cidr"], "vlan_id": sn["vlan_id"], "active_dc": dcs[0], "standby_dcs": dcs[1:],
                     "announce": announce, "fabric": text}
    return out


# ------------------------------------------------------------------------------------- entry

def _state(plan, lost=None):
    pfx = prefixes(plan, lost)
    rtrs = routers(plan, pfx, lost)
    table, static, bfd = routes(plan, pfx, rtrs, lost)
    return {"prefixes": pfx, "routers": rtrs, "routes": table, "static_routes": static, "bfd": bfd,
            "kube_ovn": kube_ovn_routes(plan, table), "underlay": underlay(plan, lost)}


def compute(plan):
    planned = _state(plan)
    out = {"takeover_order": {dc: takeover_order(plan, dc) for dc in sorted(plan["dcs"])},
           "bfd_timers": _ic_settings(plan)["bfd"], "tag": DR_TAG}
    out.update(planned)
    failover = {}
    for lost in sorted(plan["dcs"]):
        state = _state(plan, lost)
        moved = sorted(n for n, p in planned["prefixes"].items()
                       if p["active_dc"] == lost and state["prefixes"][n]["active_dc"] is not None)
        gone = sorted(n for n, p in planned["prefixes"].items() if p["active_dc"] == lost and state["prefixes"][n]["active_dc"] is None)
        state.update({"lost_dc": lost, "lost_az": plan["dcs"][lost]["az"], "survivors": takeover_order(plan, lost),
                      "moved": moved, "unreachable": gone})
        failover[lost] = state
    out["failover"] = failover
    return out

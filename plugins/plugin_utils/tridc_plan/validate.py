# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cross-object validation rules of the network plan. Every rule reports, none raises."""

from __future__ import annotations

from .model import PROVIDER_RE, ifname_problem, parse_address


def parse_exclude(text, cidr):
    """Parse one excluded-IP entry: 'a' or 'a..b'. Returns ((first, last), error)."""
    if not isinstance(text, str) or not text.strip():
        return None, "must be an IP address or a range 'a..b'"
    parts = text.split("..")
    if len(parts) > 2:
        return None, "'%s' is not an IP address or a range 'a..b'" % text
    addrs = []
    for part in parts:
        addr, err = parse_address(part.strip())
        if err:
            return None, "'%s' is not an IP address or a range 'a..b' (%s)" % (text, err)
        addrs.append(addr)
    first, last = addrs[0], addrs[-1]
    if first.version != last.version:
        return None, "'%s' mixes IPv4 and IPv6" % text
    if first > last:
        return None, "'%s': range start is after its end" % text
    if cidr is not None and (first.version != cidr.version or first not in cidr or last not in cidr):
        return None, "'%s' is not inside %s" % (text, cidr)
    return (first, last), None


def _overlaps(entries):
    """entries: list of (network, label). Yields (label_a, label_b, net_a, net_b) for overlapping pairs.

    Sort-and-sweep: O(n log n) rather than all pairs.
    """
    by_version = {}
    for net, label in entries:
        by_version.setdefault(net.version, []).append((int(net.network_address), int(net.broadcast_address), label, net))
    for items in by_version.values():
        items.sort()
        active = []
        for start, end, label, net in items:
            active = [a for a in active if a[1] >= start]
            for a in active:
                yield a[2], label, a[3], net
            active.append((start, end, label, net))


def validate(col, model):
    dcs = model["dcs"]
    regions = model["regions"]
    hosts = model["hosts"]
    groups = model["groups"]

    # regions and DR roles ---------------------------------------------------------------
    if len(regions) != 2:
        col.add("inventory", "tridc_regions", "exactly two regions (cities) are required, got %d" % len(regions))
    if len(dcs) != 3:
        col.add("inventory", "tridc_dcs", "exactly three data centers are required, got %d" % len(dcs))
    for dc in dcs.values():
        if dc["region"] is not None and dc["region"] not in regions:
            col.add("dc '%s'" % dc["name"], "region", "'%s' is not a defined region" % dc["region"])
    by_role = {}
    for dc in dcs.values():
        if dc["dr_role"]:
            by_role.setdefault(dc["dr_role"], []).append(dc)
    for role in ("primary", "same_city_dr", "remote_dr"):
        found = by_role.get(role, [])
        if len(found) != 1:
            col.add("inventory", "tridc_dcs", "exactly one DC must have dr_role %s, found %d (%s)"
                    % (role, len(found), ", ".join(d["name"] for d in found) or "none"))
    if len(by_role.get("primary", [])) == 1 and by_role["primary"][0]["region"] in regions:
        primary = by_role["primary"][0]
        for dc in by_role.get("same_city_dr", []):
            if dc["region"] in regions and dc["region"] != primary["region"]:
                col.add("dc '%s'" % dc["name"], "region",
                        "the same_city_dr DC must be in the primary's region '%s', not '%s'" % (primary["region"], dc["region"]))
        for dc in by_role.get("remote_dr", []):
            if dc["region"] in regions and dc["region"] == primary["region"]:
                col.add("dc '%s'" % dc["name"], "region",
                        "the remote_dr DC must be in a region other than the primary's ('%s')" % primary["region"])
    azs = {}
    for dc in dcs.values():
        if dc["az"] in azs:
            col.add("dc '%s'" % dc["name"], "az", "'%s' is already used by dc '%s'; AZ names must be unique" % (dc["az"], azs[dc["az"]]))
        else:
            azs[dc["az"]] = dc["name"]
        if dc["failure_domains"] is not None and len(set(dc["failure_domains"])) != len(dc["failure_domains"]):
            col.add("dc '%s'" % dc["name"], "failure_domains", "lists a failure domain more than once")
    infra = [(dc[k], "dc '%s' %s" % (dc["name"], k)) for dc in dcs.values() for k in ("mgmt_network", "underlay_network") if dc[k] is not None]
    for a, b, na, nb in _overlaps(infra):
        col.add(b, "", "%s overlaps %s (%s)" % (nb, a, na))

    order = model["settings"]["rollout_order"]
    if order is not None and sorted(order) != sorted(dcs):
        col.add("inventory", "tridc_rollout_order", "must list every DC exactly once (%s), got %s" % (", ".join(sorted(dcs)), ", ".join(order)))

    # provider networks and VLANs -----------------------------------------------------------
    for pn in model["providers"].values():
        obj = "provider network '%s'" % pn["name"]
        if len(pn["name"]) > 12:
            col.add(obj, "name", "'%s' is %d characters; at most 12 (the bridge is br-<name> and interface names stop at 15)"
                    % (pn["name"], len(pn["name"])))
        elif not PROVIDER_RE.match(pn["name"]):
            col.add(obj, "name", "'%s' must be lower-case letters, digits and '-'" % pn["name"])
        if pn["default_nic"] is not None:
            err = ifname_problem(pn["default_nic"])
            if err:
                col.add(obj, "default_nic", err)
        for host, nic in pn["nic_overrides"].items():
            if host not in hosts:
                col.add(obj, "nic_overrides.%s" % host, "'%s' is not a host of the inventory" % host)
            err = ifname_problem(nic)
            if err:
                col.add(obj, "nic_overrides.%s" % host, err)
        for host in pn["exclude_nodes"]:
            if host not in hosts:
                col.add(obj, "exclude_nodes", "'%s' is not a host of the inventory" % host)
        seen_ids = {}
        for vname in pn["vlans"]:
            vlan = model["vlans"][vname]
            vobj = "vlan '%s'" % vname
            if vlan["id"] is not None:
                if vlan["id"] in seen_ids:
                    col.add(vobj, "id", "VLAN id %d is already used by vlan '%s' of provider network '%s'"
                            % (vlan["id"], seen_ids[vlan["id"]], pn["name"]))
                else:
                    seen_ids[vlan["id"]] = vname
            for dc in vlan["dcs"]:
                if dc not in dcs:
                    col.add(vobj, "dcs", "'%s' is not a defined DC" % dc)

    # subnets ----------------------------------------------------------------------------------
    routing = {}
    overlay = []
    for sn in model["subnets"].values():
        obj = "subnet '%s'" % sn["name"]
        cidr = sn["cidr"]
        ranges = []
        for index, raw in sn["exclude_raw"]:
            rng, err = parse_exclude(raw, cidr)
            if err:
                col.add(obj, "exclude_ips[%d]" % index, err)
            else:
                ranges.append(rng)
        sn["exclude_ranges"] = ranges
        gw = sn["gateway"]
        if gw is not None and cidr is not None:
            if gw.version != cidr.version or gw not in cidr:
                col.add(obj, "gateway", "%s is not inside %s" % (gw, cidr))
            elif gw == cidr.network_address or (cidr.version == 4 and cidr.prefixlen < 31 and gw == cidr.broadcast_address):
                col.add(obj, "gateway", "%s is the network or broadcast address of %s" % (gw, cidr))
            for first, last in ranges:
                if first <= gw <= last:
                    col.add(obj, "gateway", "%s is excluded by exclude_ips '%s'" % (gw, first if first == last else "%s..%s" % (first, last)))
        if not sn["dcs"] and sn.get("dcs_given", True):
            col.add(obj, "dcs", "must name at least one DC")
        for dc in sn["dcs"]:
            if dc not in dcs:
                col.add(obj, "dcs", "'%s' is not a defined DC" % dc)
        _single_region(col, obj, sn["dcs"], dcs)
        if sn["vlan"] is not None:
            vlan = model["vlans"].get(sn["vlan"])
            if vlan is None:
                col.add(obj, "vlan", "'%s' is not a defined VLAN" % sn["vlan"])
            else:
                missing = [dc for dc in sn["dcs"] if dc not in vlan["dcs"]]
                if missing:
                    col.add(obj, "dcs", "VLAN '%s' is not present in %s" % (sn["vlan"], ", ".join(missing)))
        elif len(sn["dcs"]) > 1:
            col.add(obj, "dcs", "an overlay subnet (no vlan) is local to one DC; interconnection learns its routes per AZ")
        if sn["logical_gateway"] and sn["vlan"] is None:
            col.add(obj, "logical_gateway", "only a VLAN (underlay) subnet has a logical gateway; an overlay subnet's gateway "
                    "is always its DC's router")
        u2o = sn.get("u2o_ip")
        if sn.get("u2o_ip_given") and not sn["u2o_interconnection"]:
            col.add(obj, "u2o_interconnection_ip", "has no effect without u2o_interconnection: true")
        if sn["u2o_interconnection"] and sn["owner"] == "ovn" and not sn["logical_gateway"]:
            if sn["vlan"] is None:
                col.add(obj, "u2o_interconnection", "only a VLAN (underlay) subnet has an underlay-to-overlay interconnection")
            elif u2o is None and not sn.get("u2o_ip_given"):
                col.add(obj, "u2o_interconnection_ip", "required with u2o_interconnection on an owner: ovn subnet: the address "
                        "of the DC router on the VLAN (reserve it with the network department, like the gateway)")
        if u2o is not None and cidr is not None:
            if u2o.version != cidr.version or u2o not in cidr:
                col.add(obj, "u2o_interconnection_ip", "%s is not inside %s" % (u2o, cidr))
            elif u2o == cidr.network_address or (cidr.version == 4 and cidr.prefixlen < 31 and u2o == cidr.broadcast_address):
                col.add(obj, "u2o_interconnection_ip", "%s is the network or broadcast address of %s" % (u2o, cidr))
            elif gw is not None and u2o == gw:
                col.add(obj, "u2o_interconnection_ip", "%s is the subnet's gateway (the fabric's, with u2o)" % u2o)
        if sn["logical_gateway"] and sn["u2o_interconnection"]:
            col.add(obj, "u2o_interconnection", "cannot be combined with logical_gateway: with a logical gateway the DC's "
                    "router already is the subnet's gateway")
        if cidr is not None:
            routing.setdefault(sn["routing_domain"], []).append((cidr, obj))
            if sn["vlan"] is None:
                overlay.append((cidr, obj))
    for domain, entries in routing.items():
        for a, b, na, nb in _overlaps(entries):
            col.add(b, "cidr", "%s overlaps %s (%s) in routing domain '%s'" % (nb, a, na, domain))
    domain_of = {obj: domain for domain, entries in routing.items() for _net, obj in entries}
    for a, b, na, _nb in _overlaps(overlay):
        if domain_of[a] != domain_of[b]:
            col.add(b, "cidr", "overlay CIDR overlaps %s (%s); overlay CIDRs must be distinct across DCs for interconnection" % (a, na))
    # a subnet must not overlap the management or underlay network of a DC it exists in
    for sn in model["subnets"].values():
        if sn["cidr"] is None:
            continue
        for dc_name in sn["dcs"]:
            dc = dcs.get(dc_name)
            if dc is None:
                continue
            for key in ("mgmt_network", "underlay_network"):
                net = dc[key]
                if net is not None and net.version == sn["cidr"].version and net.overlaps(sn["cidr"]):
                    col.add("subnet '%s'" % sn["name"], "cidr", "%s overlaps dc '%s' %s %s" % (sn["cidr"], dc_name, key, net))
    all_nets = [e for entries in routing.values() for e in entries] + infra
    for ts in model["transit_switches"].values():
        if ts["subnet"] is None:
            continue
        label = "transit switch '%s'" % ts["name"]
        usable = ts["subnet"].num_addresses - (2 if ts["subnet"].version == 4 and ts["subnet"].prefixlen < 31 else 0)
        if dcs and usable < len(dcs):
            col.add(label, "subnet", "%s has %d usable address%s; each of the %d DCs needs one transit port address "
                    "(at least a /%d)" % (ts["subnet"], usable, "" if usable == 1 else "es", len(dcs),
                                          _smallest_prefix(len(dcs), ts["subnet"].version)))
        for a, b, na, nb in _overlaps(all_nets + [(ts["subnet"], label)]):
            if label in (a, b):
                other, net = (b, nb) if a == label else (a, na)
                col.add(label, "subnet", "%s overlaps %s (%s)" % (ts["subnet"], other, net))

    # hosts ---------------------------------------------------------------------------------------
    for host in hosts.values():
        obj = "host '%s'" % host["name"]
        dc = dcs.get(host["dc"]) if host["dc"] else None
        if host["dc"] is None:
            col.add(obj, "tridc_dc", "is required: every host belongs to exactly one DC")
        elif dc is None:
            col.add(obj, "tridc_dc", "'%s' is not a defined DC" % host["dc"])
        for nic in host["nics"]:
            err = ifname_problem(nic)
            if err:
                col.add(obj, "tridc_nics", err)
        if dc is not None and dc["failure_domains"] is not None:
            fd = host["failure_domain"]
            if fd is None:
                col.add(obj, "tridc_failure_domain", "is required (one of %s)" % ", ".join(dc["failure_domains"]))
            elif fd not in dc["failure_domains"]:
                col.add(obj, "tridc_failure_domain", "'%s' is not a failure domain of dc '%s' (%s)" % (fd, dc["name"], ", ".join(dc["failure_domains"])))
        both = host["name"] in groups["ovn_chassis"] and host["name"] in groups["kube_ovn_node"]
        if both:
            col.add(obj, "groups", "is in both ovn_chassis and kube_ovn_node; Kube-OVN's ovs-ovn pod owns OVS on its nodes")
        if host["name"] in groups["ovn_gateway"] and host["name"] not in groups["ovn_chassis"]:
            col.add(obj, "groups", "is in ovn_gateway but not in ovn_chassis; a gateway must run ovn-controller")
    for group, members in groups.items():
        for name in sorted(members - set(hosts)):
            col.add("group '%s'" % group, "hosts", "'%s' is not a host of the inventory" % name)


def _smallest_prefix(count, version):
    bits = 32 if version == 4 else 128
    for prefix in range(bits, -1, -1):
        size = 2 ** (bits - prefix)
        if size - (2 if version == 4 and prefix < 31 else 0) >= count:
            return prefix
    return 0


def _single_region(col, obj, dc_names, dcs):
    regions = sorted(set(dcs[d]["region"] for d in dc_names if d in dcs and dcs[d]["region"]))
    if len(regions) > 1:
        col.add(obj, "dcs", "spans regions %s; a subnet may only be stretched within one city (same-city pair)" % ", ".join(regions))


def _addresses(d):
    found = [str(a) for spec in d["nics"].values() for a in spec["addresses"]]
    return "NIC addresses " + ", ".join(found) if found else "no NIC addresses"


def underlay_gateway(dc):
    """The DC's router on the tunnel network: underlay_gateway, by default the network's first address."""
    if dc["underlay_gateway"] is not None:
        return dc["underlay_gateway"]
    net = dc["underlay_network"]
    if net is None or net.num_addresses <= 2:
        return None
    return net.network_address + 1


def validate_hosts_derived(col, model, derived):
    """Rules that need derived per-host facts (mgmt/encap IPs, NICs in use, memberships)."""
    dcs = model["dcs"]
    outside = {}
    missing = {}
    for name, d in derived["hosts"].items():
        obj = "host '%s'" % name
        dc = dcs.get(d["dc"])
        if dc is None:
            continue
        used_by = {}
        for pn_name, nic in sorted(d["provider_nics"].items()):
            if nic in used_by:
                col.add(obj, "tridc_nics", "NIC '%s' is used by provider networks '%s' and '%s'; a NIC joins one bridge"
                        % (nic, used_by[nic], pn_name))
            used_by.setdefault(nic, pn_name)
            if nic not in d["nics"]:
                col.add(obj, "tridc_nics", "NIC '%s' of provider network '%s' is not among the host's NICs (%s)"
                        % (nic, pn_name, ", ".join(sorted(d["nics"])) or "none"))
        if d["managed"] and dc["underlay_network"] is not None:
            if d["encap_ip"] is None:
                missing.setdefault((dc["name"], "underlay_network", "tridc_encap_ip"), []).append(name)
            elif d["encap_ip"] not in dc["underlay_network"]:
                outside.setdefault((dc["name"], "underlay_network", "tridc_encap_ip"), []).append((name, d["encap_ip"]))
        if dc["mgmt_network"] is not None:
            if d["mgmt_ip"] is None:
                missing.setdefault((dc["name"], "mgmt_network", "tridc_mgmt_ip"), []).append(name)
            elif d["mgmt_ip"] not in dc["mgmt_network"]:
                outside.setdefault((dc["name"], "mgmt_network", "tridc_mgmt_ip"), []).append((name, d["mgmt_ip"]))
        gateway = underlay_gateway(dc)
        if gateway is not None:
            for key, field in (("encap_ip", "tridc_encap_ip"), ("mgmt_ip", "tridc_mgmt_ip")):
                if d[key] == gateway:
                    col.add(obj, field, "%s is dc '%s' underlay gateway (the router of %s%s)" % (
                        gateway, dc["name"], dc["underlay_network"],
                        "" if dc["underlay_gateway"] is not None else ", by default its first address; set underlay_gateway if the router is elsewhere"))
            for nic, spec in sorted(d["nics"].items()):
                for iface in spec["addresses"]:
                    if iface.ip == gateway and iface.ip not in (d["encap_ip"], d["mgmt_ip"]):
                        col.add(obj, "tridc_nics.%s.addresses" % nic, "%s is dc '%s' underlay gateway" % (gateway, dc["name"]))
    # One root cause, one line: when most hosts of a DC have no address in its network, the network is what is wrong.
    for key in sorted(set(outside) | set(missing)):
        dc_name, net_key, field = key
        dc = dcs[dc_name]
        out_items, miss_items = outside.get(key, []), missing.get(key, [])
        members = [h for h, hd in derived["hosts"].items() if hd["dc"] == dc_name and (field != "tridc_encap_ip" or hd["managed"])]
        count = len(out_items) + len(miss_items)
        if count >= 3 and count * 2 > len(members):
            shown = ["%s %s" % (h, ip) for h, ip in out_items] + ["%s (%s)" % (h, _addresses(derived["hosts"][h])) for h in miss_items]
            text = ", ".join(shown[:3]) + (" and %d more" % (count - 3) if count > 3 else "")
            col.add("dc '%s'" % dc_name, net_key, "%s holds none of the %s of %d of its %d hosts (%s); is %s wrong?"
                    % (dc[net_key], "tunnel (encap) addresses" if field == "tridc_encap_ip" else "management addresses",
                       count, len(members), text, net_key))
            continue
        for host, ip in out_items:
            col.add("host '%s'" % host, field, "%s is not inside dc '%s' %s %s" % (ip, dc_name, net_key, dc[net_key]))
        for host in miss_items:
            if field == "tridc_encap_ip":
                col.add("host '%s'" % host, field, "no address inside dc '%s' underlay_network %s; set tridc_encap_ip or a NIC address"
                        % (dc_name, dc[net_key]))
            else:
                col.add("host '%s'" % host, field, "no management address: set tridc_mgmt_ip or a NIC address inside %s" % dc[net_key])
    seen = {}
    for name, d in sorted(derived["hosts"].items()):
        for key in ("mgmt_ip", "encap_ip"):
            ip = d[key]
            if ip is None:
                continue
            other = seen.get(ip)
            if other and other[0] != name:
                col.add("host '%s'" % name, "tridc_" + key, "%s is also used by host '%s'" % (ip, other[0]))
            else:
                seen[ip] = (name, key)

    for dc_name, dd in derived["dcs"].items():
        obj = "dc '%s'" % dc_name
        if not dd["nodes"]:
            # one root cause: the raft, IC database and gateway rules would each blame it again
            col.add(obj, "hosts", "no host of the inventory is in this DC (no host has tridc_dc: %s); it needs central members, "
                    "an IC database member and gateways" % dc_name)
            continue
        n = len(dd["central"])
        if n == 0 or n % 2 == 0:
            col.add(obj, "ovn_central", "needs an odd number of central members (raft quorum), has %d (%s)"
                    % (n, ", ".join(dd["central"]) or "none"))
        ic = dd["ic_db"]
        if len(ic) != 1:
            col.add(obj, "ovn_ic_db", "needs exactly one IC database member, has %d (%s)" % (len(ic), ", ".join(ic) or "none"))
        fds = set(derived["hosts"][h]["failure_domain"] for h in dd["gateways"])
        if len(fds) < 2:
            col.add(obj, "ovn_gateway", "gateways must span at least two failure domains, have %d (%s)"
                    % (len(fds), ", ".join("%s@%s" % (h, derived["hosts"][h]["failure_domain"]) for h in dd["gateways"]) or "no gateways"))

    # a logical gateway is answered by a gateway chassis of the DC that owns it: one of them must reach the VLAN
    for sname, sn in sorted(model["subnets"].items()):
        vlan = model["vlans"].get(sn["vlan"]) if sn["vlan"] else None
        routed_here = sn["logical_gateway"] or sn["u2o_interconnection"]
        if not routed_here or sn["owner"] != "ovn" or not vlan or not vlan.get("provider"):
            continue
        pn = vlan["provider"]
        excluded = set(model["providers"][pn]["exclude_nodes"]) if pn in model["providers"] else set()
        for dc_name in sn["dcs"]:
            dd = derived["dcs"].get(dc_name)
            if dd is None or not dd["gateways"]:
                continue
            if all(h in excluded for h in dd["gateways"]):
                field = "logical_gateway" if sn["logical_gateway"] else "u2o_interconnection"
                col.add("subnet '%s'" % sname, field, "OVN answers %s from a gateway chassis of dc '%s', "
                        "but provider network '%s' is excluded on every gateway there (%s)"
                        % (sn["gateway"] if sn["logical_gateway"] else sn.get("u2o_ip"), dc_name, pn, ", ".join(sorted(dd["gateways"]))))

    # a VLAN (and a subnet on it) kept in a DC where no node can reach its provider network
    for vname, vlan in sorted(model["vlans"].items()):
        pn = vlan.get("provider")
        if not pn:
            continue
        for dc_name in vlan["dcs"]:
            dd = derived["dcs"].get(dc_name)
            if dd is None:
                continue
            nodes = sorted(set(dd["chassis"]) | set(dd["kube_ovn_nodes"]))
            excluded = set(model["providers"][pn]["exclude_nodes"]) if pn in model["providers"] else set()
            if not nodes or any(h not in excluded for h in nodes):
                continue
            col.add("vlan '%s'" % vname, "dcs", "kept in dc '%s', but provider network '%s' is excluded on every node of that DC "
                    "(exclude_nodes: %s); no chassis there can reach the VLAN" % (dc_name, pn, ", ".join(nodes)))
            for sname, sn in sorted(model["subnets"].items()):
                if sn["vlan"] == vname and dc_name in sn["dcs"]:
                    col.add("subnet '%s'" % sname, "dcs", "exists in dc '%s', where no node can reach its VLAN '%s' "
                            "(provider network '%s' is excluded on every node)" % (dc_name, vname, pn))

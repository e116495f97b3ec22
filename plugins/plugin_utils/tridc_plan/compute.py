# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compute the plan from a validated model. Pure functions, linear in nodes x providers."""

from __future__ import annotations

import ipaddress

from .model import DEFAULT_ROLLOUT
from .validate import parse_exclude
from . import dr


def _first_in(addresses, network):
    if network is None:
        return None
    for iface in addresses:
        if iface.ip.version == network.version and iface.ip in network:
            return iface.ip
    return None


def derive(model):
    """Per-host and per-DC facts every later step needs (memberships, IPs, NICs)."""
    groups = model["groups"]
    dcs = model["dcs"]
    providers = model["providers"]
    vlans = model["vlans"]
    # VLAN ids of each provider present in each DC, computed once (not per node)
    pn_dc_ids = {}
    for pn in providers.values():
        for vname in pn["vlans"]:
            vlan = vlans[vname]
            if vlan["id"] is None:
                continue
            for dc in vlan["dcs"]:
                pn_dc_ids.setdefault((pn["name"], dc), set()).add(vlan["id"])
    pn_dc_trunks = {key: sorted(ids) for key, ids in pn_dc_ids.items()}

    hosts = {}
    dcs_d = {name: {"nodes": [], "central": [], "chassis": [], "ic_db": [], "gateways": [], "kube_ovn_nodes": []} for name in dcs}
    for name, h in model["hosts"].items():
        dc = dcs.get(h["dc"]) if h["dc"] else None
        addrs = [a for nic in h["nics"].values() for a in nic["addresses"]]
        mgmt_ip = h["mgmt_ip"] or (_first_in(addrs, dc["mgmt_network"]) if dc else None)
        encap_ip = h["encap_ip"] or (_first_in(addrs, dc["underlay_network"]) if dc else None)
        chassis = name in groups["ovn_chassis"]
        kube = name in groups["kube_ovn_node"]
        provider_nics = {}
        if dc is not None and (chassis or kube):
            for pn in providers.values():
                if name in pn["exclude_nodes"] or (pn["name"], dc["name"]) not in pn_dc_trunks:
                    continue
                nic = pn["nic_overrides"].get(name, pn["default_nic"])
                if nic is not None:
                    provider_nics[pn["name"]] = nic
        hosts[name] = {"dc": h["dc"], "failure_domain": h["failure_domain"], "nics": h["nics"],
                       "mgmt_ip": mgmt_ip, "encap_ip": encap_ip, "managed": chassis and not kube,
                       "provider_nics": provider_nics, "k8s_node_name": h.get("k8s_node_name") or name}
        if dc is None:
            continue
        dd = dcs_d[dc["name"]]
        dd["nodes"].append(name)
        for group, key in (("ovn_central", "central"), ("ovn_chassis", "chassis"), ("ovn_ic_db", "ic_db"),
                           ("ovn_gateway", "gateways"), ("kube_ovn_node", "kube_ovn_nodes")):
            if name in groups[group]:
                dd[key].append(name)
    for name, dd in dcs_d.items():
        fd_rank = {fd: i for i, fd in enumerate(dcs[name]["failure_domains"] or [])}
        dd["gateways"] = interleave_failure_domains(dd["gateways"], hosts, fd_rank)
    return {"hosts": hosts, "dcs": dcs_d, "pn_dc_trunks": pn_dc_trunks}


def interleave_failure_domains(names, hosts, fd_rank):
    """Order hosts so that consecutive entries come from different failure domains.

    Round-robin over the DC's failure domains in their declared order; within a failure domain
    hosts keep their name order. The first two entries therefore sit in two failure domains
    whenever the DC has gateways in two.
    """
    buckets = {}
    for name in sorted(names):
        fd = hosts[name]["failure_domain"]
        buckets.setdefault(fd, []).append(name)
    ordered_fds = sorted(buckets, key=lambda fd: (fd_rank.get(fd, len(fd_rank)), str(fd)))
    out = []
    depth = 0
    while len(out) < len(names):
        for fd in ordered_fds:
            if depth < len(buckets[fd]):
                out.append(buckets[fd][depth])
        depth += 1
    return out


def gateway_priorities(ordered, hosts):
    """Unique, descending priorities (OVN: higher wins) in the interleaved order."""
    count = len(ordered)
    return [{"host": name, "failure_domain": hosts[name]["failure_domain"], "priority": (count - i) * 10}
            for i, name in enumerate(ordered)]


def rollout_order(model):
    if model["settings"]["rollout_order"]:
        return list(model["settings"]["rollout_order"])
    rank = {role: i for i, role in enumerate(DEFAULT_ROLLOUT)}
    return sorted(model["dcs"], key=lambda n: (rank.get(model["dcs"][n]["dr_role"], 99), n))


def _ssl_list(ips, port):
    return ",".join("ssl:%s:%d" % (ip, port) for ip in ips)


def _excludes_text(sn):
    return ["%s" % a if a == b else "%s..%s" % (a, b) for a, b in sn.get("exclude_ranges", [])]


def _reserved(sn):
    """The addresses of a subnet that belong to routers: the gateway, and the u2o address of the DC router."""
    out = [sn["gateway"]]
    u2o = sn.get("u2o_interconnection_ip") if sn.get("u2o_interconnection") and sn["owner"] == "ovn" else None
    if u2o and not _excluded(u2o, sn["exclude_ips"]):
        out.append(u2o)
    return out


def _excluded(address, ranges):
    ip = ipaddress.ip_address(address)
    return any(rng is not None and rng[0] <= ip <= rng[1] for rng, _err in (parse_exclude(text, None) for text in ranges))


DHCP_LEASE_SECONDS = 3600


def _dhcp(name, sn, providers):
    """OVN's DHCP answer on a VLAN subnet (IPv4): the workload's fixed address (its port's), the gateway and the
    provider network's MTU. A workload that asks by DHCP gets the VLAN's MTU from the plan, not a guess."""
    if sn["kind"] != "underlay" or ":" in sn["cidr"]:
        return None
    return {"router": sn["gateway"], "mtu": providers[sn["provider"]]["mtu"], "lease_time": DHCP_LEASE_SECONDS,
            "server_mac": dr.mac_for("dhcp", name)}


def ovn_switches(subnets, dcs, providers):
    """Per DC, the logical switches of its subnets that OVN owns: OVN's IPAM subnet and the gateway and excluded
    ranges that IPAM must never hand out; a VLAN (underlay) subnet also has a localnet port on the provider
    network with the VLAN's tag (0 = the native VLAN), an overlay subnet none (module tridc.ovn.ovn_switches)."""
    reserved = {name: _reserved(sn) for name, sn in subnets.items()}
    out = {}
    for dc in sorted(dcs):
        out[dc] = [{"name": name, "subnet": name, "vlan": sn["vlan"], "cidr": sn["cidr"],
                    "exclude_ips": reserved[name] + [e for e in sn["exclude_ips"] if e not in reserved[name]],
                    "localnet": ({"port": "ln-" + name, "network_name": sn["provider"], "tag": sn["vlan_id"]}
                                 if sn["kind"] == "underlay" else None),
                    "dhcp": _dhcp(name, sn, providers)}
                   for name, sn in sorted(subnets.items())
                   if dc in sn["dcs"] and sn["owner"] == "ovn"]
    return out


def build(model, derived):
    settings = model["settings"]
    ports = settings["ports"]
    hosts_d = derived["hosts"]
    order = rollout_order(model)
    plan = {"version": 1, "rollout_order": order}
    plan["regions"] = {r: {"dcs": sorted(d for d, dc in model["dcs"].items() if dc["region"] == r)} for r in model["regions"]}
    plan["settings"] = {"datapath_type": settings["datapath_type"], "encap_type": settings["encap_type"],
                        "package_source": settings["package_source"], "ports": dict(ports),
                        "kube_ovn": settings["kube_ovn"]}

    plan["provider_networks"] = {
        name: {"name": name, "default_nic": pn["default_nic"], "nic_overrides": dict(pn["nic_overrides"]),
               "exclude_nodes": list(pn["exclude_nodes"]), "mtu": pn["mtu"], "bridge": pn["bridge"],
               "vlans": [dict(model["vlans"][v], dcs=list(model["vlans"][v]["dcs"])) for v in pn["vlans"]]}
        for name, pn in model["providers"].items()}
    plan["vlans"] = {name: dict(v, dcs=list(v["dcs"])) for name, v in model["vlans"].items()}
    subnets = {}
    for name, sn in model["subnets"].items():
        vlan = model["vlans"].get(sn["vlan"]) if sn["vlan"] else None
        subnets[name] = {"name": name, "cidr": str(sn["cidr"]), "gateway": str(sn["gateway"]),
                         "exclude_ips": _excludes_text(sn), "vlan": sn["vlan"],
                         "vlan_id": vlan["id"] if vlan else None,
                         "provider": vlan["provider"] if vlan else None, "dcs": list(sn["dcs"]),
                         "owner": sn["owner"], "kind": "underlay" if vlan else "overlay",
                         "routing_domain": sn["routing_domain"], "stretched": len(sn["dcs"]) > 1,
                         "local": sn["local"], "logical_gateway": sn["logical_gateway"],
                         "u2o_interconnection": sn["u2o_interconnection"],
                         "u2o_interconnection_ip": str(sn["u2o_ip"]) if sn.get("u2o_ip") is not None else None}
    plan["subnets"] = subnets

    # per node ---------------------------------------------------------------------------------
    central_remote = {}
    dcs_out = {}
    for dc_name in sorted(model["dcs"]):
        dc = model["dcs"][dc_name]
        dd = derived["dcs"][dc_name]
        members = [{"host": h, "ip": str(hosts_d[h]["mgmt_ip"])} for h in dd["central"]]
        ips = [m["ip"] for m in members]
        central = {"members": members, "bootstrap": members[0]["host"] if members else None,
                   "nb_connection": _ssl_list(ips, ports["nb"]), "sb_connection": _ssl_list(ips, ports["sb"]),
                   "nb_cluster_remotes": _ssl_list(ips, ports["nb_raft"]),
                   "sb_cluster_remotes": _ssl_list(ips, ports["sb_raft"]),
                   "northd_hosts": list(dd["central"])}
        central_remote[dc_name] = central["sb_connection"]
        dcs_out[dc_name] = {
            "name": dc_name, "region": dc["region"], "dr_role": dc["dr_role"], "az": dc["az"],
            "mgmt_network": str(dc["mgmt_network"]), "underlay_network": str(dc["underlay_network"]),
            "underlay_gateway": str(dc["underlay_gateway"]) if dc["underlay_gateway"] else None,
            "failure_domains": list(dc["failure_domains"] or []), "rollout_index": order.index(dc_name) if dc_name in order else None,
            "nodes": list(dd["nodes"]), "chassis": list(dd["chassis"]), "kube_ovn_nodes": list(dd["kube_ovn_nodes"]),
            "central": central,
            "gateways": gateway_priorities(dd["gateways"], hosts_d),
            "vlans": sorted(v for v, vlan in model["vlans"].items() if dc_name in vlan["dcs"]),
            "subnets": sorted(s for s, sn in model["subnets"].items() if dc_name in sn["dcs"]),
        }
    plan["dcs"] = dcs_out
    plan["ovn"] = {"switches": ovn_switches(subnets, dcs_out, plan["provider_networks"])}

    groups = model["groups"]
    nodes = {}
    physical = {dc: [] for dc in dcs_out}
    trunks = derived["pn_dc_trunks"]
    for name in sorted(hosts_d):
        d = hosts_d[name]
        if d["dc"] not in dcs_out:
            continue
        bridges = []
        for pn_name in sorted(d["provider_nics"]):
            pn = model["providers"][pn_name]
            nic = d["provider_nics"][pn_name]
            ids = trunks[(pn_name, d["dc"])]
            nic_spec = d["nics"].get(nic, {"addresses": []})
            bridges.append({"name": pn["bridge"], "provider": pn_name, "nic": nic, "mtu": pn["mtu"],
                            "trunks": ids, "addresses": [str(a) for a in nic_spec["addresses"]]})
            physical[d["dc"]].append({"node": name, "nic": nic, "provider": pn_name,
                                      "untagged": 0 in ids, "vlans": [i for i in ids if i != 0]})
        member = {g: name in groups[g] for g in ("ovn_central", "ovn_chassis", "ovn_gateway", "ovn_ic_db", "kube_ovn_node")}
        nodes[name] = {
            "dc": d["dc"], "region": model["dcs"][d["dc"]]["region"], "failure_domain": d["failure_domain"],
            "mgmt_ip": str(d["mgmt_ip"]) if d["mgmt_ip"] else None,
            "encap_ip": str(d["encap_ip"]) if d["encap_ip"] else None,
            "groups": sorted(g for g, yes in member.items() if yes),
            "central": member["ovn_central"], "chassis": member["ovn_chassis"], "gateway": member["ovn_gateway"],
            "ic_db": member["ovn_ic_db"], "kube_ovn_node": member["kube_ovn_node"],
            "k8s_node_name": d["k8s_node_name"],
            "managed_ovs": d["managed"], "system_id": name, "datapath_type": settings["datapath_type"],
            "bridges": bridges,
            "bridge_mappings": ",".join("%s:%s" % (b["provider"], b["name"]) for b in bridges),
            "ovn_remote": central_remote[d["dc"]], "encap_type": settings["encap_type"],
        }
    plan["nodes"] = nodes
    plan["physical"] = physical

    # interconnection -----------------------------------------------------------------------------
    ic_members = []
    for dc_name in order:
        for h in derived["dcs"][dc_name]["ic_db"]:
            ic_members.append({"host": h, "dc": dc_name, "ip": str(hosts_d[h]["mgmt_ip"])})
    ic_ips = [m["ip"] for m in ic_members]
    plan["interconnect"] = {
        "members": ic_members,
        "nb_connection": _ssl_list(ic_ips, ports["ic_nb"]), "sb_connection": _ssl_list(ic_ips, ports["ic_sb"]),
        "transit_switches": [{"name": ts["name"], "subnet": str(ts["subnet"])} for ts in model["transit_switches"].values()],
        "gateway_priorities": {dc: list(dcs_out[dc]["gateways"]) for dc in sorted(dcs_out)},
        "ecmp": list(model.get("ic_ecmp", [])), "bfd": dict(model.get("ic_bfd", {})),
    }
    plan["dr"] = dr.compute(plan)
    return plan

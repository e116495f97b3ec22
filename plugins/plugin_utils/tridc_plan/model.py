# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Normalize the inventory's topology variables into plain, typed dicts.

Structural problems (missing keys, wrong types, unknown keys, bad addresses) are reported
here; cross-object rules live in validate.py. Nothing here raises on bad input.
"""

from __future__ import annotations

import ipaddress
import re

from .errors import describe

DR_ROLES = ("primary", "same_city_dr", "remote_dr")
DEFAULT_ROLLOUT = ("remote_dr", "same_city_dr", "primary")
OWNERS = ("ovn", "kube-ovn")
DATAPATH_TYPES = ("system", "netdev")
ENCAP_TYPES = ("geneve", "vxlan")
ROLE_GROUPS = ("ovn_central", "ovn_chassis", "ovn_ic_db", "ovn_gateway", "kube_ovn_node")
PORTS = {"nb": 6641, "sb": 6642, "nb_raft": 6643, "sb_raft": 6644,
         "ic_nb": 6645, "ic_sb": 6646, "ic_nb_raft": 6647, "ic_sb_raft": 6648}

NAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
IFNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,15}$")
PROVIDER_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")

DC_KEYS = ("name", "region", "dr_role", "az", "mgmt_network", "underlay_network", "underlay_gateway", "failure_domains",
           "description")
PROVIDER_KEYS = ("name", "default_nic", "nic_overrides", "exclude_nodes", "mtu", "vlans", "description")
VLAN_KEYS = ("name", "id", "plane", "dcs", "description")
SUBNET_KEYS = ("name", "cidr", "gateway", "exclude_ips", "vlan", "dcs", "owner", "routing_domain", "description",
               "u2o_interconnection", "u2o_interconnection_ip", "logical_gateway", "local")
IC_KEYS = ("transit_switches", "ecmp", "bfd")
BFD_KEYS = ("min_rx", "min_tx", "mult")
TS_KEYS = ("name", "subnet", "description")
PACKAGE_KEYS = ("url", "suite", "components", "trusted", "key_url")


def ifname_problem(name):
    """Return why name is not a usable Linux interface name, or None."""
    if not isinstance(name, str) or not name:
        return "must be a non-empty string"
    if len(name) > 15:
        return "'%s' is %d characters; Linux interface names stop at 15" % (name, len(name))
    if name in (".", "..") or not IFNAME_RE.match(name):
        return "'%s' is not a Linux-safe interface name (letters, digits, '_', '-', '.')" % name
    return None


def parse_network(text):
    """Parse a CIDR strictly (host bits must be zero, the prefix length written). Returns (network, error).

    ``ipaddress`` takes '10.1.0.0' as a /32; an inventory network written without its prefix length is a
    mistake (a /32 holds no host), so it is refused here rather than blamed on every host later.
    """
    text = str(text).strip()
    if "/" not in text:
        return None, "has no prefix length; write the network as address/length (for example %s/24)" % text
    try:
        return ipaddress.ip_network(text, strict=True), None
    except ValueError as exc:
        return None, str(exc)


def parse_address(text):
    try:
        return ipaddress.ip_address(str(text)), None
    except ValueError as exc:
        return None, str(exc)


def parse_interface(text):
    """Parse 'addr/len' (or a bare address). Returns (ip_interface, error)."""
    try:
        return ipaddress.ip_interface(str(text)), None
    except ValueError as exc:
        return None, str(exc)


def _names(col, items, kind, key="name"):
    """Map name -> item for a list of dicts, reporting duplicates and bad entries."""
    out = {}
    for index, item in enumerate(items):
        obj = "%s[%d]" % (kind, index)
        if not isinstance(item, dict):
            col.add(obj, "", "must be a mapping, got %s" % describe(item))
            continue
        name = col.get_str(item, key, obj)
        if name is None:
            continue
        if name in out:
            col.add("%s '%s'" % (kind, name), key, "is defined more than once")
            continue
        out[name] = item
    return out


def _str_list(col, data, key, obj, required=False):
    """A list of strings, or None when the value is unusable (reported once; later rules then skip it)."""
    if isinstance(data, dict) and data.get(key) is not None and not isinstance(data.get(key), (list, tuple)):
        col.get_list(data, key, obj, required=required)
        return None
    items = col.get_list(data, key, obj, required=required)
    out = []
    for index, x in enumerate(items):
        if isinstance(x, bool) or not isinstance(x, (str, int)):
            col.add(obj, "%s[%d]" % (key, index), "must be a string, got %s" % describe(x))
            continue
        out.append(str(x))
    return out


def normalize(col, inventory):
    """Turn the raw inventory dict into the model. See build_plan for the input shape."""
    g = inventory.get("globals") or {}
    hosts_in = inventory.get("hosts") or {}
    groups_in = inventory.get("groups") or {}
    model = {"regions": {}, "dcs": {}, "providers": {}, "vlans": {}, "subnets": {}, "hosts": {},
             "groups": {}, "transit_switches": {}, "settings": {}}

    # regions ------------------------------------------------------------
    regions = col.get_list(g, "tridc_regions", "inventory", required=True)
    for name, item in _names(col, regions, "region").items():
        col.unknown_keys(item, ("name", "description"), "region '%s'" % name)
        model["regions"][name] = {"name": name}

    # data centers -------------------------------------------------------
    dcs = col.get_list(g, "tridc_dcs", "inventory", required=True)
    for name, item in _names(col, dcs, "dc").items():
        obj = "dc '%s'" % name
        col.unknown_keys(item, DC_KEYS, obj)
        if not NAME_RE.match(name):
            col.add(obj, "name", "'%s' must be lower-case letters, digits and '-'" % name)
        dc = {"name": name,
              "region": col.get_str(item, "region", obj),
              "dr_role": col.get_str(item, "dr_role", obj),
              "az": col.get_str(item, "az", obj, required=False, default=name),
              "failure_domains": _str_list(col, item, "failure_domains", obj, required=True)}
        if dc["dr_role"] is not None and dc["dr_role"] not in DR_ROLES:
            col.add(obj, "dr_role", "'%s' is not one of %s" % (dc["dr_role"], ", ".join(DR_ROLES)))
        for key in ("mgmt_network", "underlay_network"):
            text = col.get_str(item, key, obj)
            net = None
            if text is not None:
                net, err = parse_network(text)
                if err:
                    col.add(obj, key, "'%s' is not a network: %s" % (text, err))
            dc[key] = net
        dc["underlay_gateway"] = None
        text = col.get_str(item, "underlay_gateway", obj, required=False)
        if text is not None:
            addr, err = parse_address(text)
            if err:
                col.add(obj, "underlay_gateway", "'%s' is not an IP address: %s" % (text, err))
            elif dc["underlay_network"] is not None and addr not in dc["underlay_network"]:
                col.add(obj, "underlay_gateway", "%s is outside the underlay network %s" % (addr, dc["underlay_network"]))
            else:
                dc["underlay_gateway"] = addr
        model["dcs"][name] = dc

    # settings -------------------------------------------------------------
    settings = model["settings"]
    settings["datapath_type"] = col.get_str(g, "tridc_datapath_type", "inventory", required=False, default="system")
    if settings["datapath_type"] not in DATAPATH_TYPES:
        col.add("inventory", "tridc_datapath_type", "'%s' is not one of %s" % (settings["datapath_type"], ", ".join(DATAPATH_TYPES)))
    settings["encap_type"] = col.get_str(g, "tridc_encap_type", "inventory", required=False, default="geneve")
    if settings["encap_type"] not in ENCAP_TYPES:
        col.add("inventory", "tridc_encap_type", "'%s' is not one of %s" % (settings["encap_type"], ", ".join(ENCAP_TYPES)))
    pkg = col.get_dict(g, "tridc_package_source", "inventory")
    col.unknown_keys(pkg, PACKAGE_KEYS, "tridc_package_source")
    settings["package_source"] = {
        "url": col.get_str(pkg, "url", "tridc_package_source", required=False),
        "suite": col.get_str(pkg, "suite", "tridc_package_source", required=False, default="./"),
        "components": _str_list(col, pkg, "components", "tridc_package_source") or [],
        "trusted": col.get_bool(pkg, "trusted", "tridc_package_source", default=False),
        "key_url": col.get_str(pkg, "key_url", "tridc_package_source", required=False),
    }
    settings["ports"] = dict(PORTS)
    # Kube-OVN settings are validated key by key by the kube_ovn package on the built plan
    settings["kube_ovn"] = col.get_dict(g, "tridc_kube_ovn", "inventory")
    order = g.get("tridc_rollout_order")
    if order is not None and (not isinstance(order, list) or not all(isinstance(x, str) for x in order)):
        col.add("inventory", "tridc_rollout_order", "must be a list of DC names")
        order = None
    settings["rollout_order"] = order

    # provider networks and their VLANs ----------------------------------------
    providers = col.get_list(g, "tridc_provider_networks", "inventory")
    for name, item in _names(col, providers, "provider network").items():
        obj = "provider network '%s'" % name
        col.unknown_keys(item, PROVIDER_KEYS, obj)
        pn = {"name": name,
              "default_nic": col.get_str(item, "default_nic", obj),
              "nic_overrides": {},
              "exclude_nodes": sorted(_str_list(col, item, "exclude_nodes", obj) or []),
              "mtu": col.get_int(item, "mtu", obj, required=False, default=1500, minimum=68, maximum=9216),
              "bridge": "br-%s" % name,
              "vlans": []}
        for host, nic in sorted(col.get_dict(item, "nic_overrides", obj).items(), key=lambda kv: str(kv[0])):
            if not isinstance(host, str):
                col.add(obj, "nic_overrides", "keys are host names, got %s" % describe(host))
                continue
            if not isinstance(nic, str):
                col.add(obj, "nic_overrides.%s" % host, "must be an interface name")
                continue
            pn["nic_overrides"][str(host)] = nic
        for index, vitem in enumerate(col.get_list(item, "vlans", obj, required=True)):
            vobj = "%s vlans[%d]" % (obj, index)
            if not isinstance(vitem, dict):
                col.add(vobj, "", "must be a mapping")
                continue
            vname = col.get_str(vitem, "name", vobj)
            if vname is not None:
                vobj = "vlan '%s'" % vname
            col.unknown_keys(vitem, VLAN_KEYS, vobj)
            vlan = {"name": vname,
                    "id": col.get_int(vitem, "id", vobj, minimum=0, maximum=4095),
                    "provider": name,
                    "plane": col.get_str(vitem, "plane", vobj, required=False, default="business"),
                    "dcs": _str_list(col, vitem, "dcs", vobj, required=True) or []}
            if vname is None:
                continue
            if vname in model["vlans"]:
                col.add(vobj, "name", "is defined more than once (VLAN names are global)")
                continue
            model["vlans"][vname] = vlan
            pn["vlans"].append(vname)
        model["providers"][name] = pn

    # subnets ------------------------------------------------------------------
    subnets = col.get_list(g, "tridc_subnets", "inventory")
    for name, item in _names(col, subnets, "subnet").items():
        obj = "subnet '%s'" % name
        col.unknown_keys(item, SUBNET_KEYS, obj)
        text = col.get_str(item, "cidr", obj)
        cidr = None
        if text is not None:
            cidr, err = parse_network(text)
            if err:
                col.add(obj, "cidr", "'%s' is not a network: %s" % (text, err))
        gw_text = col.get_str(item, "gateway", obj)
        gateway = None
        if gw_text is not None:
            gateway, err = parse_address(gw_text)
            if err:
                col.add(obj, "gateway", "'%s' is not an IP address: %s" % (gw_text, err))
        u2o_text = col.get_str(item, "u2o_interconnection_ip", obj, required=False)
        u2o_ip = None
        if u2o_text is not None:
            u2o_ip, err = parse_address(u2o_text)
            if err:
                col.add(obj, "u2o_interconnection_ip", "'%s' is not an IP address: %s" % (u2o_text, err))
        owner = col.get_str(item, "owner", obj, required=False, default="ovn")
        if owner not in OWNERS:
            col.add(obj, "owner", "'%s' is not one of %s" % (owner, ", ".join(OWNERS)))
        excludes = []
        for index, ex in enumerate(col.get_list(item, "exclude_ips", obj)):
            excludes.append((index, ex))
        model["subnets"][name] = {
            "name": name, "cidr": cidr, "gateway": gateway, "exclude_raw": excludes,
            "vlan": col.get_str(item, "vlan", obj, required=False),
            "dcs": _str_list(col, item, "dcs", obj, required=True) or [],
            "dcs_given": isinstance(item.get("dcs"), (list, tuple)),
            "owner": owner,
            "routing_domain": col.get_str(item, "routing_domain", obj, required=False, default="default"),
            "local": col.get_bool(item, "local", obj, default=False),
            "logical_gateway": col.get_bool(item, "logical_gateway", obj, default=False),
            "u2o_interconnection": col.get_bool(item, "u2o_interconnection", obj, default=False),
            "u2o_ip": u2o_ip, "u2o_ip_given": u2o_text is not None,
        }

    # interconnection ------------------------------------------------------------
    ic = col.get_dict(g, "tridc_interconnect", "inventory")
    col.unknown_keys(ic, IC_KEYS, "tridc_interconnect")
    model["ic_ecmp"] = _str_list(col, ic, "ecmp", "tridc_interconnect") or []
    for index, sname in enumerate(model["ic_ecmp"]):
        if sname not in model["subnets"]:
            col.add("tridc_interconnect", "ecmp[%d]" % index, "'%s' is not a subnet of tridc_subnets" % sname)
    bfd = col.get_dict(ic, "bfd", "tridc_interconnect")
    col.unknown_keys(bfd, BFD_KEYS, "tridc_interconnect.bfd")
    model["ic_bfd"] = {key: col.get_int(bfd, key, "tridc_interconnect.bfd", required=False, minimum=1)
                       for key in BFD_KEYS if key in bfd}
    for name, item in _names(col, col.get_list(ic, "transit_switches", "tridc_interconnect"), "transit switch").items():
        obj = "transit switch '%s'" % name
        col.unknown_keys(item, TS_KEYS, obj)
        text = col.get_str(item, "subnet", obj)
        net = None
        if text is not None:
            net, err = parse_network(text)
            if err:
                col.add(obj, "subnet", "'%s' is not a network: %s" % (text, err))
        model["transit_switches"][name] = {"name": name, "subnet": net}

    # groups -------------------------------------------------------------------------
    for group in ROLE_GROUPS:
        members = groups_in.get(group) or []
        model["groups"][group] = set(str(m) for m in members)

    # hosts ----------------------------------------------------------------------------
    for host in sorted(hosts_in):
        hv = hosts_in[host] or {}
        obj = "host '%s'" % host
        nics = {}
        for nic, spec in col.get_dict(hv, "tridc_nics", obj).items():
            spec = spec or {}
            if not isinstance(spec, dict):
                col.add(obj, "tridc_nics.%s" % nic, "must be a mapping")
                continue
            addrs = []
            for index, text in enumerate(col.get_list(spec, "addresses", "%s tridc_nics.%s" % (obj, nic))):
                iface, err = parse_interface(text)
                if err:
                    col.add(obj, "tridc_nics.%s.addresses[%d]" % (nic, index), "'%s' is not an address/prefix: %s" % (text, err))
                    continue
                addrs.append(iface)
            nics[str(nic)] = {"addresses": addrs}
        entry = {"name": host,
                 "dc": col.get_str(hv, "tridc_dc", obj, required=False),
                 "failure_domain": col.get_str(hv, "tridc_failure_domain", obj, required=False),
                 "nics": nics,
                 "mgmt_ip": None, "encap_ip": None,
                 "k8s_node_name": col.get_str(hv, "tridc_k8s_node_name", obj, required=False, default=host),
                 "ansible_host": hv.get("ansible_host")}
        for key, field in (("mgmt_ip", "tridc_mgmt_ip"), ("encap_ip", "tridc_encap_ip")):
            text = col.get_str(hv, field, obj, required=False)
            if text is not None:
                addr, err = parse_address(text)
                if err:
                    col.add(obj, field, "'%s' is not an IP address: %s" % (text, err))
                entry[key] = addr
        model["hosts"][host] = entry
    return model

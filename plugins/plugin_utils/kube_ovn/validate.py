# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Semantic validation of Kube-OVN resources, beyond what the CRD schemas check.

The CRD schemas (v1.15.24 to v1.17.0-dev) have no ``additionalProperties: false`` and no enums, so the API server accepts,
or silently prunes, much that kube-ovn-controller later rejects or misreads. These rules follow the
controller's own validation (excludeIps ranges, gateway/CIDR relations, ``logicalGateway`` xor
``u2oInterconnection``, ...) plus the limits that are enforced nowhere (12-character ProviderNetwork names,
unique VLAN id per provider). Every error names the object and the field:
``Subnet biz101: spec.excludeIps[2] '10.1.1.5..10.1.1.2': range start after end``.
"""

from __future__ import annotations

import re

from . import addr
from . import constants as C

_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_IFNAME = re.compile(r"^[^/\s]+$")
_PY_TYPES = {C.STR: str, C.BOOL: bool, C.LIST: list, C.DICT: dict}


def _label(obj):
    kind = obj.get("kind", "?") if isinstance(obj, dict) else "?"
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    name = meta.get("name", "?") if isinstance(meta, dict) else "?"
    if kind == "ConfigMap" and isinstance(meta, dict) and meta.get("namespace"):
        name = "%s/%s" % (meta["namespace"], name)
    return "%s %s" % (kind, name)


class _Errs(object):
    def __init__(self, obj):
        self.prefix = _label(obj)
        self.items = []

    def add(self, path, value, reason):
        if value is None or isinstance(value, (dict, list)):
            self.items.append("%s: %s: %s" % (self.prefix, path, reason))
        else:
            self.items.append("%s: %s '%s': %s" % (self.prefix, path, value, reason))


def _type_ok(value, typ):
    if typ == C.INT:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, _PY_TYPES[typ])


def _check_shape(obj, errs, top_keys, spec_table, body_key="spec"):
    """apiVersion/kind/metadata and unknown or mistyped keys. Returns the body dict (spec or data)."""
    for key in obj:
        if key not in top_keys:
            errs.add(key, None, "unknown top-level key (the API server would prune it)")
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        errs.add("metadata", None, "missing")
        meta = {}
    for key in meta:
        if key not in C.META_KEYS:
            errs.add("metadata.%s" % key, None, "unknown or server-managed metadata key")
    name = meta.get("name")
    if not isinstance(name, str) or not _DNS1123_SUBDOMAIN.match(name) or len(name) > 253:
        errs.add("metadata.name", name, "not a valid Kubernetes object name (lower case DNS-1123)")
    for mk in ("labels", "annotations"):
        val = meta.get(mk, {})
        if not isinstance(val, dict) or any(not isinstance(v, str) for v in val.values()):
            errs.add("metadata.%s" % mk, None, "must map strings to strings")
    body = obj.get(body_key)
    if body is None:
        body = {}
    if not isinstance(body, dict):
        errs.add(body_key, None, "must be a mapping")
        return {}
    if spec_table is not None:
        for key, value in body.items():
            typ = spec_table.get(key)
            if typ is None:
                errs.add("%s.%s" % (body_key, key), None, "unknown field (not in Kube-OVN's %s)" % obj.get("kind"))
            elif value is not None and not _type_ok(value, typ):
                errs.add("%s.%s" % (body_key, key), None, "must be of type %s" % typ)
    return body


def _str_list(values, path, errs):
    if not isinstance(values, list):
        return []
    good = []
    for i, v in enumerate(values):
        if not isinstance(v, str) or not v:
            errs.add("%s[%d]" % (path, i), None, "must be a non-empty string")
        else:
            good.append(v)
    return good


def _check_api(obj, errs, api_version, kind):
    if obj.get("apiVersion") != api_version:
        errs.add("apiVersion", obj.get("apiVersion"), "must be %s" % api_version)
    if obj.get("kind") != kind:
        errs.add("kind", obj.get("kind"), "must be %s" % kind)


# --------------------------------------------------------------------------------------------- Subnet
def _subnet_cidr(spec, errs):
    block = spec.get("cidrBlock", "")
    if not isinstance(block, str):
        return []
    if block != block.lower():
        errs.add("spec.cidrBlock", block, "upper case is not allowed")
    nets = []
    parts = addr.split(block)
    for cidr in parts:
        net = addr.network(cidr)
        if net is None:
            errs.add("spec.cidrBlock", block, "'%s' is not a CIDR" % cidr)
            continue
        if net.num_addresses == 1:
            errs.add("spec.cidrBlock", block, "a /%d network has no room for addresses" % net.prefixlen)
        elif net.is_loopback or net.is_multicast or net.is_link_local or net.is_unspecified or net.is_reserved:
            errs.add("spec.cidrBlock", block, "'%s' is not a global unicast network" % cidr)
        nets.append(net)
    if parts and len(nets) == len(parts) and addr.protocol_of(block) == "":
        errs.add("spec.cidrBlock", block, "at most one IPv4 and one IPv6 CIDR")
    return nets


def _subnet_gateway(spec, nets, errs):
    gateway = spec.get("gateway")
    if not isinstance(gateway, str) or gateway == "":
        return
    if gateway != gateway.lower():
        errs.add("spec.gateway", gateway, "upper case is not allowed")
    for g in addr.split(gateway):
        a = addr.ip(g)
        if a is None:
            errs.add("spec.gateway", gateway, "'%s' is not an IP address" % g)
            continue
        fam = [n for n in nets if n.version == a.version]
        if not fam:
            errs.add("spec.gateway", gateway, "no IPv%d CIDR in spec.cidrBlock for '%s'" % (a.version, g))
            continue
        net = fam[0]
        if a not in net:
            errs.add("spec.gateway", gateway, "'%s' is not inside %s" % (g, net))
        elif a == net.network_address:
            errs.add("spec.gateway", gateway, "'%s' is the network address of %s" % (g, net))
        elif a.version == 4 and a == net.broadcast_address:
            errs.add("spec.gateway", gateway, "'%s' is the broadcast address of %s" % (g, net))


def _subnet_excludes(spec, nets, errs):
    items = spec.get("excludeIps")
    if not isinstance(items, list):
        return
    for i, item in enumerate(items):
        path = "spec.excludeIps[%d]" % i
        try:
            start, end = addr.parse_exclude(item)
        except ValueError as exc:
            errs.add(path, item if isinstance(item, str) else None, str(exc))
            continue
        fam = [n for n in nets if n.version == start.version]
        if nets and not fam:
            errs.add(path, item, "no IPv%d CIDR in spec.cidrBlock" % start.version)
        elif fam and (start not in fam[0] or end not in fam[0]):
            errs.add(path, item, "outside %s" % fam[0])


def _subnet_u2o(spec, nets, errs):
    if spec.get("logicalGateway") is True and spec.get("u2oInterconnection") is True:
        errs.add("spec.logicalGateway", None, "logicalGateway and u2oInterconnection cannot both be true")
    feats = spec.get("u2oFeatures")
    if isinstance(feats, dict):
        for key in feats:
            if key != "overlayOnlyRouting":
                errs.add("spec.u2oFeatures.%s" % key, None, "unknown field")
        if feats.get("overlayOnlyRouting") is True:
            if spec.get("u2oInterconnection") is not True:
                errs.add("spec.u2oFeatures.overlayOnlyRouting", None, "needs spec.u2oInterconnection: true")
            if not spec.get("vlan"):
                errs.add("spec.u2oFeatures.overlayOnlyRouting", None, "only for underlay subnets (spec.vlan set)")
    u2o_ip = spec.get("u2oInterconnectionIP")
    if not isinstance(u2o_ip, str) or not u2o_ip:
        return
    if spec.get("u2oInterconnection") is not True:
        errs.add("spec.u2oInterconnectionIP", u2o_ip, "has no effect without spec.u2oInterconnection: true "
                 "(kube-ovn-controller clears it)")
    if u2o_ip != u2o_ip.lower():
        errs.add("spec.u2oInterconnectionIP", u2o_ip, "upper case is not allowed")
    gws = [addr.ip(g) for g in addr.split(spec.get("gateway") or "")]
    for one in addr.split(u2o_ip):
        a = addr.ip(one)
        if a is None:
            errs.add("spec.u2oInterconnectionIP", u2o_ip, "'%s' is not an IP address" % one)
        elif not any(a.version == n.version and a in n for n in nets):
            errs.add("spec.u2oInterconnectionIP", u2o_ip, "'%s' is not inside spec.cidrBlock" % one)
        elif a in gws:
            errs.add("spec.u2oInterconnectionIP", u2o_ip, "'%s' is the subnet gateway" % one)


def _subnet_misc(obj, spec, nets, errs):
    name = obj.get("metadata", {}).get("name")
    gw_type = spec.get("gatewayType")
    if gw_type not in (None, "") and gw_type not in C.GATEWAY_TYPES:
        errs.add("spec.gatewayType", gw_type, "must be one of %s" % ", ".join(C.GATEWAY_TYPES))
    proto = spec.get("protocol")
    if proto not in (None, ""):
        if proto not in C.PROTOCOLS:
            errs.add("spec.protocol", proto, "must be one of %s" % ", ".join(C.PROTOCOLS))
        elif spec.get("cidrBlock") and addr.protocol_of(spec["cidrBlock"]) not in ("", proto):
            errs.add("spec.protocol", proto, "cidrBlock is %s (kube-ovn-controller would rewrite it)"
                     % addr.protocol_of(spec["cidrBlock"]))
    mtu = spec.get("mtu")
    if isinstance(mtu, int) and not isinstance(mtu, bool) and mtu:
        if mtu < 68 or mtu > 65535:
            errs.add("spec.mtu", mtu, "must be between 68 and 65535")
        elif mtu < 1280 and any(n.version == 6 for n in nets):
            errs.add("spec.mtu", mtu, "below the IPv6 minimum 1280")
    vpc = spec.get("vpc")
    if vpc and vpc == name:
        errs.add("spec.vpc", vpc, "a Subnet cannot have the name of its Vpc")
    for i, cidr in enumerate(spec.get("allowSubnets") or []):
        if addr.network(cidr) is None or cidr != cidr.lower():
            errs.add("spec.allowSubnets[%d]" % i, cidr, "not a (lower case) CIDR")
    for i, vip in enumerate(spec.get("vips") or []):
        if not addr.contains(spec.get("cidrBlock") or "", vip):
            errs.add("spec.vips[%d]" % i, vip, "not inside spec.cidrBlock")
    egw = spec.get("externalEgressGateway")
    if isinstance(egw, str) and egw:
        if spec.get("natOutgoing") is True:
            errs.add("spec.externalEgressGateway", egw, "conflicts with spec.natOutgoing: true")
        ips = addr.split(egw)
        if len(ips) > 2 or any(addr.ip(x) is None for x in ips):
            errs.add("spec.externalEgressGateway", egw, "must be one IP or an IPv4,IPv6 pair")
    vlan = spec.get("vlan")
    if isinstance(vlan, str) and vlan.isdigit():
        errs.add("spec.vlan", vlan, "is the name of a Vlan resource, not a VLAN id")
    provider = spec.get("provider")
    if isinstance(provider, str) and provider and provider != C.OVN_PROVIDER and not provider.endswith("." + C.OVN_PROVIDER):
        # a NAD provider <nad>.<namespace> (no OVN logical switch) is legal, but never a ProviderNetwork name
        if "." not in provider:
            errs.add("spec.provider", provider, "is the IPAM provider ('ovn' or '<nad>.<namespace>.ovn'), "
                     "not a ProviderNetwork; the ProviderNetwork comes from the Vlan's spec.provider")
    for i, rule in enumerate(spec.get("natOutgoingPolicyRules") or []):
        _nat_rule(rule, "spec.natOutgoingPolicyRules[%d]" % i, errs)


def _nat_rule(rule, path, errs):
    if not isinstance(rule, dict):
        errs.add(path, None, "must be a mapping")
        return
    for key in rule:
        if key not in ("match", "action"):
            errs.add("%s.%s" % (path, key), None, "unknown field")
    if rule.get("action") not in ("nat", "forward"):
        errs.add("%s.action" % path, rule.get("action"), "must be nat or forward")
    match = rule.get("match") or {}
    fams = []
    for key in ("srcIPs", "dstIPs"):
        val = match.get(key)
        if not val:
            continue
        items = [x.strip() for x in val.split(",")]
        objs = [addr.network(x) if "/" in x else addr.ip(x) for x in items]
        if any(o is None for o in objs):
            errs.add("%s.match.%s" % (path, key), val, "not IPs or CIDRs")
        elif len({o.version for o in objs}) > 1:
            errs.add("%s.match.%s" % (path, key), val, "mixes IPv4 and IPv6")
        else:
            fams.append(objs[0].version)
    if len(set(fams)) > 1:
        errs.add("%s.match" % path, None, "srcIPs and dstIPs are of different IP families")


def validate_subnet(obj):
    errs = _Errs(obj)
    _check_api(obj, errs, C.API_VERSION, "Subnet")
    spec = _check_shape(obj, errs, C.TOP_KEYS, C.SUBNET_SPEC)
    if not spec.get("cidrBlock"):
        if not spec.get("vlan"):
            errs.add("spec.cidrBlock", None, "required (only an underlay subnet may omit it)")
        elif spec.get("gateway") or spec.get("excludeIps"):
            errs.add("spec.gateway", None, "gateway and excludeIps must be empty for an underlay subnet without cidrBlock")
        nets = []
    else:
        nets = _subnet_cidr(spec, errs)
    _subnet_gateway(spec, nets, errs)
    _subnet_excludes(spec, nets, errs)
    _subnet_u2o(spec, nets, errs)
    _subnet_misc(obj, spec, nets, errs)
    return errs.items


# ------------------------------------------------------------------------------------ Vlan / PN / Vpc
def validate_vlan(obj):
    errs = _Errs(obj)
    _check_api(obj, errs, C.API_VERSION, "Vlan")
    spec = _check_shape(obj, errs, C.TOP_KEYS, C.VLAN_SPEC)
    provider = spec.get("provider")
    if not isinstance(provider, str) or not provider:
        errs.add("spec.provider", None, "required: the name of the ProviderNetwork")
    vid = spec.get("id", 0)
    if not isinstance(vid, int) or isinstance(vid, bool) or not 0 <= vid <= 4095:
        errs.add("spec.id", vid if not isinstance(vid, (dict, list)) else None, "must be an integer 0..4095")
    for old in ("vlanId", "providerInterfaceName"):
        if old in spec:
            errs.add("spec.%s" % old, None, "deprecated; use spec.id and spec.provider")
    return errs.items


def _ifname(value, path, errs):
    if not isinstance(value, str) or not value:
        errs.add(path, None, "required interface name")
    elif len(value) > C.IFNAME_MAX or not _IFNAME.match(value):
        errs.add(path, value, "not a Linux interface name (max %d characters, no '/' or blanks)" % C.IFNAME_MAX)


def validate_provider_network(obj):
    errs = _Errs(obj)
    _check_api(obj, errs, C.API_VERSION, "ProviderNetwork")
    spec = _check_shape(obj, errs, C.TOP_KEYS, C.PN_SPEC)
    name = (obj.get("metadata") or {}).get("name")
    if isinstance(name, str):
        if len(name) > C.PN_NAME_MAX:
            errs.add("metadata.name", name, "%d characters; Kube-OVN names the bridge br-<name> and Linux interface "
                     "names stop at %d, so at most %d" % (len(name), C.IFNAME_MAX, C.PN_NAME_MAX))
        if not _DNS1123_LABEL.match(name):
            errs.add("metadata.name", name, "must be a lower case DNS-1123 label")
    _ifname(spec.get("defaultInterface"), "spec.defaultInterface", errs)
    seen = {}
    for i, ci in enumerate(spec.get("customInterfaces") or []):
        path = "spec.customInterfaces[%d]" % i
        if not isinstance(ci, dict):
            errs.add(path, None, "must be a mapping")
            continue
        for key in ci:
            if key not in ("interface", "nodes"):
                errs.add("%s.%s" % (path, key), None, "unknown field")
        _ifname(ci.get("interface"), path + ".interface", errs)
        nodes = _str_list(ci.get("nodes"), path + ".nodes", errs)
        if not nodes:
            errs.add(path + ".nodes", None, "must list at least one node")
        for node in nodes:
            if node in seen:
                errs.add(path + ".nodes", node, "node already uses interface %s" % seen[node])
            seen[node] = ci.get("interface")
    excluded = set(_str_list(spec.get("excludeNodes") or [], "spec.excludeNodes", errs))
    for node in sorted(excluded & set(seen)):
        errs.add("spec.excludeNodes", node, "node is excluded but also has a custom interface")
    return errs.items


def _route_target(value):
    return addr.network(value) if isinstance(value, str) and "/" in value else addr.ip(value)


def validate_vpc(obj):
    errs = _Errs(obj)
    _check_api(obj, errs, C.API_VERSION, "Vpc")
    spec = _check_shape(obj, errs, C.TOP_KEYS, C.VPC_SPEC)
    for i, route in enumerate(spec.get("staticRoutes") or []):
        path = "spec.staticRoutes[%d]" % i
        if not isinstance(route, dict):
            errs.add(path, None, "must be a mapping")
            continue
        for key in route:
            if key not in C.STATIC_ROUTE_KEYS:
                errs.add("%s.%s" % (path, key), None, "unknown field")
        if route.get("policy") not in (None, "") and route.get("policy") not in C.ROUTE_POLICIES:
            errs.add(path + ".policy", route.get("policy"), "must be one of %s" % ", ".join(C.ROUTE_POLICIES))
        target = _route_target(route.get("cidr"))
        hop = addr.ip(route.get("nextHopIP"))
        if target is None:
            errs.add(path + ".cidr", route.get("cidr"), "not an IP or CIDR")
        if hop is None:
            errs.add(path + ".nextHopIP", route.get("nextHopIP"), "not an IP address")
        if target is not None and hop is not None and target.version != hop.version:
            errs.add(path + ".nextHopIP", route.get("nextHopIP"), "IP family differs from cidr")
    for i, route in enumerate(spec.get("policyRoutes") or []):
        path = "spec.policyRoutes[%d]" % i
        if not isinstance(route, dict):
            errs.add(path, None, "must be a mapping")
            continue
        for key in route:
            if key not in C.POLICY_ROUTE_KEYS:
                errs.add("%s.%s" % (path, key), None, "unknown field")
        action = route.get("action")
        if action not in C.POLICY_ROUTE_ACTIONS:
            errs.add(path + ".action", action, "must be one of %s" % ", ".join(C.POLICY_ROUTE_ACTIONS))
        prio = route.get("priority", 0)
        if not isinstance(prio, int) or isinstance(prio, bool) or not 0 <= prio <= 32767:
            errs.add(path + ".priority", prio, "must be an integer 0..32767")
        if action == "reroute" and any(addr.ip(x) is None for x in addr.split(route.get("nextHopIP") or "") or [""]):
            errs.add(path + ".nextHopIP", route.get("nextHopIP"), "reroute needs next hop IP addresses")
    return errs.items


def validate_ic_config(obj):
    errs = _Errs(obj)
    _check_api(obj, errs, "v1", "ConfigMap")
    data = _check_shape(obj, errs, C.CM_TOP_KEYS, None, body_key="data")
    meta = obj.get("metadata") or {}
    if meta.get("name") != C.IC_CONFIGMAP or meta.get("namespace") != C.NAMESPACE:
        errs.add("metadata", None, "must be %s/%s" % (C.NAMESPACE, C.IC_CONFIGMAP))
    for key, value in data.items():
        if key not in C.IC_KEYS:
            errs.add("data.%s" % key, None, "unknown key (read keys: %s)" % ", ".join(C.IC_KEYS))
        if not isinstance(value, str):
            errs.add("data.%s" % key, None, "ConfigMap values must be strings")
    for key in ("enable-ic", "auto-route"):
        if key in data and data[key] not in ("true", "false"):
            errs.add("data." + key, data[key], "must be 'true' or 'false'")
    if data.get("enable-ic") != "true":
        return errs.items
    for key in ("az-name", "ic-db-host", "ic-nb-port", "ic-sb-port", "gw-nodes"):
        if not data.get(key):
            errs.add("data." + key, None, "required when enable-ic is 'true'")
    for key in ("ic-nb-port", "ic-sb-port"):
        val = data.get(key)
        if isinstance(val, str) and val and (not val.isdigit() or not 0 < int(val) < 65536):
            errs.add("data." + key, val, "not a TCP port")
    for host in addr.split(data.get("ic-db-host") or ""):
        if addr.ip(host) is None:
            errs.add("data.ic-db-host", data["ic-db-host"], "'%s' is not an IP address" % host)
    nodes = [n.strip() for n in (data.get("gw-nodes") or "").split(",") if n.strip()]
    if len(nodes) != len(set(nodes)):
        errs.add("data.gw-nodes", data.get("gw-nodes"), "lists a node twice")
    return errs.items


VALIDATORS = {"Subnet": validate_subnet, "Vlan": validate_vlan, "ProviderNetwork": validate_provider_network,
              "Vpc": validate_vpc, "ConfigMap": validate_ic_config}


def validate_object(obj):
    if not isinstance(obj, dict):
        return ["resource is not a mapping: %r" % (obj,)]
    fn = VALIDATORS.get(obj.get("kind"))
    if fn is None:
        return ["%s: kind is not one the collection manages (%s)" % (_label(obj), ", ".join(sorted(VALIDATORS)))]
    return fn(obj)


# -------------------------------------------------------------------------------------- cross-object
def _objects(resources):
    """Accept render_dc's dict or a flat list."""
    if isinstance(resources, dict):
        out = []
        for key in ("provider_networks", "vlans", "subnets", "vpc_routes"):
            out.extend(resources.get(key) or [])
        if resources.get("ic_config"):
            out.append(resources["ic_config"])
        return out
    return list(resources or [])


def _name(obj):
    return (obj.get("metadata") or {}).get("name") if isinstance(obj, dict) else None


def validate_resources(resources):
    """All errors of a set of resources (render_dc's output or a list of objects), each naming object and field."""
    objs = _objects(resources)
    errors = []
    for obj in objs:
        errors.extend(validate_object(obj))
    by_kind = {}
    for obj in objs:
        if not isinstance(obj, dict):
            continue
        names = by_kind.setdefault(obj.get("kind"), {})
        name = _name(obj)
        if name in names:
            errors.append("%s: defined twice" % _label(obj))
        names[name] = obj
    pns = by_kind.get("ProviderNetwork", {})
    vlans = by_kind.get("Vlan", {})
    subnets = by_kind.get("Subnet", {})
    owner = {}
    for name, vlan in sorted(vlans.items()):
        spec = vlan.get("spec") or {}
        provider = spec.get("provider")
        if provider and provider not in pns:
            errors.append("Vlan %s: spec.provider '%s': no ProviderNetwork of that name" % (name, provider))
        key = (provider, spec.get("id", 0))
        if key in owner:
            errors.append("Vlan %s: spec.id '%s': Vlan %s already uses VLAN %s on ProviderNetwork %s"
                          % (name, key[1], owner[key], key[1], provider))
        else:
            owner[key] = name
    for name, sn in sorted(subnets.items()):
        spec = sn.get("spec") or {}
        vlan = spec.get("vlan")
        if vlan and vlan not in vlans:
            errors.append("Subnet %s: spec.vlan '%s': no Vlan of that name (spec.vlan names a Vlan resource)" % (name, vlan))
        provider = spec.get("provider")
        if provider and provider in pns:
            errors.append("Subnet %s: spec.provider '%s': is a ProviderNetwork; spec.provider is the IPAM provider "
                          "('ovn'), the ProviderNetwork is reached through spec.vlan" % (name, provider))
    errors.extend(_cidr_conflicts(subnets))
    return errors


def _cidr_conflicts(subnets):
    errors = []
    items = sorted(subnets.items())
    for i, (name_a, a) in enumerate(items):
        sa = a.get("spec") or {}
        for name_b, b in items[i + 1:]:
            sb = b.get("spec") or {}
            if (sa.get("vpc") or C.DEFAULT_VPC) != (sb.get("vpc") or C.DEFAULT_VPC) or sa.get("vlan") != sb.get("vlan"):
                continue
            nets_a = [addr.network(c) for c in addr.split(sa.get("cidrBlock") or "")]
            nets_b = [addr.network(c) for c in addr.split(sb.get("cidrBlock") or "")]
            if any(x is not None and y is not None and x.version == y.version and x.overlaps(y)
                   for x in nets_a for y in nets_b):
                errors.append("Subnet %s: spec.cidrBlock '%s': overlaps Subnet %s (%s) in the same Vpc and Vlan"
                              % (name_b, sb.get("cidrBlock"), name_a, sa.get("cidrBlock")))
    return errors

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helm values for the Kube-OVN charts (``kube-ovn`` classic and ``kube-ovn-v2``), only keys the charts define."""

from __future__ import annotations

from . import addr
from . import constants as C

STACK_V1 = {"IPv4": "ipv4", "IPv6": "ipv6", "Dual": "dual_stack"}
CHART_DEFAULTS = {  # the charts' own defaults, per family
    "pod_cidr": {4: "10.16.0.0/16", 6: "fd00:10:16::/112"},
    "svc_cidr": {4: "10.96.0.0/12", 6: "fd00:10:96::/112"},
    "join_cidr": {4: "100.64.0.0/16", 6: "fd00:100:64::/112"},
}


def _by_family(block):
    out = {}
    for cidr in addr.split(block):
        net = addr.network(cidr)
        if net is not None:
            out[net.version] = cidr
    return out


def _family_values(block, fams):
    got = _by_family(block)
    return ",".join(got[f] for f in fams if f in got)


def network_inputs(cfg, default_sn):
    """The pod/service/join networks and the stack, from settings or the default underlay subnet."""
    pod_cidr = cfg.get("pod_cidr") or (default_sn["cidr"] if default_sn else CHART_DEFAULTS["pod_cidr"][4])
    pod_cidr = addr.normalize_cidr_block(pod_cidr)
    fams = sorted(_by_family(pod_cidr)) or [4]
    if cfg.get("pod_gateway"):
        pod_gw = cfg["pod_gateway"]
    elif default_sn and default_sn.get("gateway"):
        pod_gw = default_sn["gateway"]
    else:
        pod_gw = ",".join(str(addr.first_host(addr.network(c))) for c in addr.split(pod_cidr) if addr.network(c))
    svc = cfg.get("svc_cidr") or ",".join(CHART_DEFAULTS["svc_cidr"][f] for f in fams)
    join = cfg.get("join_cidr") or ",".join(CHART_DEFAULTS["join_cidr"][f] for f in fams)
    stack = addr.protocol_of(pod_cidr) or "IPv4"
    return {"pod_cidr": pod_cidr, "pod_gateway": pod_gw, "svc_cidr": svc, "join_cidr": join, "stack": stack, "fams": fams}


def values_v1(ctx):
    net = ctx["net"]
    values = {
        "global": {"images": {"kubeovn": {"tag": ctx["version"]}}},
        "installMode": C.INSTALL_MODES[ctx["install_mode"]],
        "networking": {
            "NET_STACK": STACK_V1[net["stack"]],
            "ENABLE_SSL": bool(ctx["tls"]),
            "NETWORK_TYPE": ctx["network_type"],
            "TUNNEL_TYPE": ctx["tunnel_type"],
            "IFACE": ctx["iface"],
        },
        "func": {"ENABLE_IC": bool(ctx["ic_enabled"])},
        STACK_V1[net["stack"]]: {
            "POD_CIDR": net["pod_cidr"], "POD_GATEWAY": net["pod_gateway"],
            "SVC_CIDR": net["svc_cidr"], "JOIN_CIDR": net["join_cidr"],
        },
    }
    if ctx.get("image_registry"):
        values["global"]["registry"] = {"address": ctx["image_registry"]}
    if ctx["install_mode"] == "data_plane_only":
        ext = ctx["external_central"]
        values["externalOvnCentral"] = {"nbEndpoint": ext["endpoint"], "sbEndpoint": ext["endpoint"],
                                        "nbPort": ext["nb_port"], "sbPort": ext["sb_port"]}
    elif ctx.get("master_nodes"):
        values["MASTER_NODES"] = ",".join(ctx["master_nodes"])
    dv = ctx.get("default_vlan")
    if dv:
        values["networking"]["vlan"] = {"PROVIDER_NAME": dv["provider"], "VLAN_INTERFACE_NAME": dv["interface"],
                                        "VLAN_NAME": dv["name"], "VLAN_ID": str(dv["id"])}
        values["networking"]["DEFAULT_SUBNET"] = dv["subnet"]
        values["networking"]["EXCLUDE_IPS"] = ",".join(dv["exclude_ips"])
        values["func"]["LOGICAL_GATEWAY"] = bool(dv.get("logical_gateway"))
        values["func"]["U2O_INTERCONNECTION"] = bool(dv.get("u2o_interconnection"))
    return values


def values_v2(ctx):
    net = ctx["net"]
    fam_key = {4: "v4", 6: "v6"}

    def per_family(block):
        return {fam_key[f]: c for f, c in sorted(_by_family(block).items())}

    values = {
        "global": {"images": {"kubeovn": {"tag": ctx["version"]}}},
        "networking": {
            "stack": net["stack"],
            "pods": {"cidr": per_family(net["pod_cidr"]),
                     "gateways": {fam_key[addr.ip(g).version]: g for g in addr.split(net["pod_gateway"]) if addr.ip(g)}},
            "services": {"cidr": per_family(net["svc_cidr"])},
            "join": {"cidr": per_family(net["join_cidr"])},
            "enableSsl": bool(ctx["tls"]),
            "networkType": ctx["network_type"],
            "tunnelType": ctx["tunnel_type"],
        },
        "features": {"enableOvnInterconnections": bool(ctx["ic_enabled"])},
        "agent": {"interface": ctx["iface"]},
    }
    if ctx.get("image_registry"):
        values["global"]["registry"] = {"address": ctx["image_registry"]}
    if ctx.get("master_nodes"):
        values["masterNodes"] = list(ctx["master_nodes"])
    dv = ctx.get("default_vlan")
    if dv:
        values["networking"]["vlan"] = {"providerName": dv["provider"], "interfaceName": dv["interface"],
                                        "name": dv["name"], "id": str(dv["id"])}
        values["networking"]["pods"]["subnetName"] = dv["subnet"]
        values["networking"]["excludeIps"] = ",".join(dv["exclude_ips"])
        values["networking"]["pods"]["enableLogicalGateways"] = bool(dv.get("logical_gateway"))
        values["features"]["enableU2OInterconnections"] = bool(dv.get("u2o_interconnection"))
        if dv.get("mtu"):
            values["networking"]["pods"]["mtu"] = int(dv["mtu"])
    return values


def build_values(ctx):
    return values_v2(ctx) if ctx["chart"] == C.CHART_V2 else values_v1(ctx)


def leaf_paths(values, prefix=()):
    """Every key path of a values dict (for checking them against a chart's values.yaml)."""
    out = []
    for key, value in values.items():
        path = prefix + (key,)
        out.append(path)
        if isinstance(value, dict) and value:
            out.extend(leaf_paths(value, path))
    return out

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kube-OVN resources and Helm values of one DC, computed from the plan (docs/plan-schema.md).

``render_dc(plan, dc)`` is deterministic and never raises on a bad plan value: what cannot be normalized is
rendered as given, so ``validate_resources`` / ``validate_plan_for_kube_ovn`` report it.
"""

from __future__ import annotations

from . import addr
from . import constants as C
from . import settings as S
from .validate import validate_resources
from .values import build_values, network_inputs


def _meta(name, dc):
    return {"name": name, "labels": {C.LABEL_MANAGED_BY: C.MANAGED_BY, C.LABEL_DC: dc}}


def _obj(kind, name, dc, spec):
    return {"apiVersion": C.API_VERSION, "kind": kind, "metadata": _meta(name, dc), "spec": spec}


def node_name(plan, host):
    """The Kubernetes node name of an inventory host (the host name unless the plan says otherwise)."""
    node = (plan.get("nodes") or {}).get(host) or {}
    return node.get("k8s_node_name") or host


def kube_ovn_subnets(plan, dc):
    """The plan's subnets owned by kube-ovn that are present in the DC, sorted by name."""
    out = []
    for name, sn in sorted((plan.get("subnets") or {}).items()):
        if sn.get("owner") == "kube-ovn" and dc in (sn.get("dcs") or []):
            out.append(dict(sn, name=sn.get("name") or name))
    return out


def _dc_nodes(plan, dc):
    dcd = (plan.get("dcs") or {}).get(dc) or {}
    nodes = plan.get("nodes") or {}
    hosts = list(dcd.get("nodes") or [h for h, n in sorted(nodes.items()) if n.get("dc") == dc])
    kube = list(dcd.get("kube_ovn_nodes") or [h for h in hosts if (nodes.get(h) or {}).get("kube_ovn_node")])
    return hosts, kube


def _vlan_of(plan, sn):
    vname = sn.get("vlan")
    if not vname:
        return None
    vlan = dict((plan.get("vlans") or {}).get(vname) or {})
    vlan.setdefault("name", vname)
    if vlan.get("provider") is None:
        vlan["provider"] = sn.get("provider")
    if vlan.get("id") is None:
        vlan["id"] = sn.get("vlan_id")
    return vlan


def render_provider_network(plan, dc, pn_name):
    pn = (plan.get("provider_networks") or {}).get(pn_name) or {"name": pn_name}
    hosts, kube = _dc_nodes(plan, dc)
    other_dc_hosts = {h for h, n in (plan.get("nodes") or {}).items() if n.get("dc") not in (None, dc)}
    excluded = {node_name(plan, h) for h in (pn.get("exclude_nodes") or []) if h not in other_dc_hosts}
    excluded |= {node_name(plan, h) for h in hosts if h not in kube}
    by_nic = {}
    for host, nic in sorted((pn.get("nic_overrides") or {}).items()):
        if host in kube and node_name(plan, host) not in excluded and nic != pn.get("default_nic"):
            by_nic.setdefault(nic, []).append(node_name(plan, host))
    spec = {"defaultInterface": pn.get("default_nic")}
    if by_nic:
        spec["customInterfaces"] = [{"interface": nic, "nodes": sorted(ns)} for nic, ns in sorted(by_nic.items())]
    if excluded:
        spec["excludeNodes"] = sorted(excluded)
    expect_ready = sorted(node_name(plan, h) for h in kube if node_name(plan, h) not in excluded)
    return _obj("ProviderNetwork", pn_name, dc, spec), expect_ready


def render_vlan(dc, vlan):
    return _obj("Vlan", vlan["name"], dc, {"id": vlan.get("id") if vlan.get("id") is not None else 0,
                                           "provider": vlan.get("provider")})


def render_subnet(plan, dc, sn, default=False):
    cidr = addr.normalize_cidr_block(sn.get("cidr") or "")
    gateway = sn.get("gateway")
    if not gateway:
        nets = [addr.network(c) for c in addr.split(cidr)]
        gateway = ",".join(str(addr.first_host(n)) for n in nets if n is not None)
    excludes = addr.normalize_exclude_ips(sn.get("exclude_ips") or [], gateway)
    if excludes is None:
        excludes = list(sn.get("exclude_ips") or [])
    extra = dict(sn.get("kube_ovn_spec") or {})
    provider = extra.pop("provider", None) or sn.get("kube_ovn_provider") or C.OVN_PROVIDER
    spec = {"cidrBlock": cidr, "gateway": gateway, "excludeIps": excludes, "protocol": addr.protocol_of(cidr) or extra.pop("protocol", ""),
            "provider": provider}
    if provider == C.OVN_PROVIDER or provider.endswith("." + C.OVN_PROVIDER):
        spec["vpc"] = C.DEFAULT_VPC
        spec["gatewayType"] = "distributed"
    if sn.get("vlan"):
        spec["vlan"] = sn["vlan"]
        pn = (plan.get("provider_networks") or {}).get(sn.get("provider") or "") or {}
        if pn.get("mtu"):
            spec["mtu"] = int(pn["mtu"])
    if default:
        spec["default"] = True
    spec.update(extra)
    return _obj("Subnet", sn["name"], dc, spec)


def _ic_gateway_nodes(plan, dc, cfg, kube):
    if cfg.get("ic_gateway_nodes"):
        return [str(n) for n in cfg["ic_gateway_nodes"]]
    nodes = plan.get("nodes") or {}
    dcd = (plan.get("dcs") or {}).get(dc) or {}
    order = [g.get("host") for g in dcd.get("gateways") or []]
    gws = [h for h in kube if (nodes.get(h) or {}).get("gateway")]
    gws.sort(key=lambda h: (order.index(h) if h in order else len(order), h))
    return [node_name(plan, h) for h in gws]


def render_ic_config(plan, dc, cfg, kube):
    ic = plan.get("interconnect") or {}
    ports = (plan.get("settings") or {}).get("ports") or {}
    dcd = (plan.get("dcs") or {}).get(dc) or {}
    data = {
        "enable-ic": "true",
        "az-name": cfg.get("az_name") or "%s-k8s" % (dcd.get("az") or dc),
        "ic-db-host": ",".join(m.get("ip") or "" for m in ic.get("members") or []),
        "ic-nb-port": str(ports.get("ic_nb", 6645)),
        "ic-sb-port": str(ports.get("ic_sb", 6646)),
        "gw-nodes": ",".join(_ic_gateway_nodes(plan, dc, cfg, kube)),
        "auto-route": "true" if cfg.get("auto_route", True) else "false",
    }
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": C.IC_CONFIGMAP, "namespace": C.NAMESPACE,
                         "labels": {C.LABEL_MANAGED_BY: C.MANAGED_BY, C.LABEL_DC: dc}},
            "data": data}


def render_vpc_routes(dc, routes):
    by_vpc = {}
    for route in routes or []:
        if not isinstance(route, dict):
            continue
        item = {"cidr": route.get("cidr"), "nextHopIP": route.get("next_hop", route.get("nextHopIP"))}
        for src, dst in (("policy", "policy"), ("route_table", "routeTable"), ("ecmp_mode", "ecmpMode"), ("bfd_id", "bfdId")):
            if route.get(src):
                item[dst] = route[src]
        by_vpc.setdefault(route.get("vpc") or C.DEFAULT_VPC, []).append(item)
    out = []
    for vpc, items in sorted(by_vpc.items()):
        items.sort(key=lambda r: (str(r.get("routeTable", "")), str(r.get("cidr")), str(r.get("nextHopIP"))))
        out.append(_obj("Vpc", vpc, dc, {"staticRoutes": items}))
    return out


def _install_context(plan, dc, cfg, kube_subnets, kube, default_sn, default_vlan):
    install_mode = cfg.get("install_mode") if cfg.get("install_mode") in C.INSTALL_MODES else "full"
    dplane = install_mode == "data_plane_only"
    ic_members = (plan.get("interconnect") or {}).get("members") or []
    # opt-in: Kube-OVN's own AZ joins the plan's IC databases only when asked to (it needs plain-TCP IC listeners)
    ic_enabled = bool(cfg.get("interconnection")) and bool(ic_members) and not dplane
    tls = cfg.get("tls")
    if tls is None:
        tls = not dplane
    ports = (plan.get("settings") or {}).get("ports") or {}
    central = ((plan.get("dcs") or {}).get(dc) or {}).get("central") or {}
    members = central.get("members") or []
    ext = cfg.get("external_central") or {}
    external = {"endpoint": ext.get("endpoint") or (members[0].get("ip") if members else ""),
                "nb_port": int(ext.get("nb_port") or ports.get("nb", 6641)),
                "sb_port": int(ext.get("sb_port") or ports.get("sb", 6642))}
    tunnel = cfg.get("tunnel_type") or (plan.get("settings") or {}).get("encap_type") or "geneve"
    return {
        "version": cfg.get("version"), "chart": cfg.get("chart") if cfg.get("chart") in C.CHARTS else C.CHART_V1,
        "install_mode": install_mode, "tls": tls, "ic_enabled": ic_enabled,
        "network_type": "vlan" if default_vlan else "geneve", "tunnel_type": tunnel, "iface": cfg.get("iface") or "",
        "net": network_inputs(cfg, default_sn), "external_central": external,
        "master_nodes": [str(x) for x in cfg.get("master_nodes") or []], "image_registry": cfg.get("image_registry"),
        "default_vlan": default_vlan,
    }


def render_dc(plan, dc):
    """Kube-OVN resources, Helm values and rollout metadata of one DC."""
    if dc not in (plan.get("dcs") or {}):
        raise ValueError("unknown DC %r (plan DCs: %s)" % (dc, ", ".join(sorted(plan.get("dcs") or {}))))
    cfg = S.effective(plan, dc)
    hosts, kube = _dc_nodes(plan, dc)
    subnets = kube_ovn_subnets(plan, dc)
    default_name = cfg.get("default_subnet")
    default_sn = next((s for s in subnets if s["name"] == default_name), None)

    vlans = {}
    pn_names = set()
    for sn in subnets:
        vlan = _vlan_of(plan, sn)
        if vlan:
            vlans[vlan["name"]] = vlan
            if vlan.get("provider"):
                pn_names.add(vlan["provider"])
    pn_objs, expect = [], {}
    for pn_name in sorted(pn_names):
        obj, ready = render_provider_network(plan, dc, pn_name)
        pn_objs.append(obj)
        expect[pn_name] = ready

    default_vlan = None
    if default_sn and default_sn.get("vlan") and default_sn["vlan"] in vlans:
        vlan = vlans[default_sn["vlan"]]
        pn = (plan.get("provider_networks") or {}).get(vlan.get("provider")) or {}
        rendered = render_subnet(plan, dc, default_sn, default=True)["spec"]
        default_vlan = {"provider": vlan.get("provider"), "interface": pn.get("default_nic") or "", "name": vlan["name"],
                        "id": vlan.get("id") or 0, "subnet": default_sn["name"], "exclude_ips": rendered["excludeIps"],
                        "mtu": pn.get("mtu"), "logical_gateway": rendered.get("logicalGateway"),
                        "u2o_interconnection": rendered.get("u2oInterconnection")}

    ctx = _install_context(plan, dc, cfg, subnets, kube, default_sn, default_vlan)
    sn_objs = [render_subnet(plan, dc, sn, default=(default_vlan is not None and sn["name"] == default_sn["name"]))
               for sn in subnets]
    central = ((plan.get("dcs") or {}).get(dc) or {}).get("central") or {}
    return {
        "dc": dc,
        "provider_networks": pn_objs,
        "vlans": [render_vlan(dc, vlans[n]) for n in sorted(vlans)],
        "subnets": sn_objs,
        "ic_config": render_ic_config(plan, dc, cfg, kube) if ctx["ic_enabled"] else None,
        "vpc_routes": render_vpc_routes(dc, cfg.get("vpc_routes")),
        "values": build_values(ctx),
        "meta": {
            "kube_ovn_version": ctx["version"],
            "chart": ctx["chart"],
            "chart_version": S.chart_version(ctx["version"]),
            "release_name": C.RELEASE_NAME,
            "namespace": C.NAMESPACE,
            "install_mode": ctx["install_mode"],
            "network_type": ctx["network_type"],
            "tls": bool(ctx["tls"]),
            "interconnection": bool(ctx["ic_enabled"]),
            "bundled_ovn_series": S.bundled_ovn(ctx["version"]),
            "central_bootstrap": central.get("bootstrap"),
            "external_central": ctx["external_central"] if ctx["install_mode"] == "data_plane_only" else None,
        },
        "gate": {
            "nodes": sorted(node_name(plan, h) for h in kube),
            "provider_networks": expect,
            "subnets": [s["name"] for s in subnets],
        },
    }


def validate_dc(plan, dc):
    """render_dc + validate_resources."""
    return validate_resources(render_dc(plan, dc))

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan-level rules for Kube-OVN: node roles, install mode, versions, interconnection, address overlaps."""

from __future__ import annotations

from . import addr
from . import constants as C
from . import settings as S
from .render import render_dc, kube_ovn_subnets, node_name
from .validate import validate_resources

# Names kube-ovn-controller creates in the OVN NB it writes to (logical router, switches).
KUBE_OVN_RESERVED = (C.DEFAULT_VPC, "ovn-default", "join", "external")


def _kube_dcs(plan):
    """DCs that run Kube-OVN: those with kube_ovn_node hosts."""
    return [dc for dc, dcd in sorted((plan.get("dcs") or {}).items()) if (dcd or {}).get("kube_ovn_nodes")]


def _check_orphans(plan, errors):
    for dc, dcd in sorted((plan.get("dcs") or {}).items()):
        subnets = kube_ovn_subnets(plan, dc)
        if subnets and not (dcd or {}).get("kube_ovn_nodes"):
            errors.append("dc %s: subnets %s are owned by kube-ovn but the DC has no kube_ovn_node hosts"
                          % (dc, ", ".join(s["name"] for s in subnets)))


def _check_settings_keys(plan, dc, errors):
    for where, layer in S.raw_layers(plan, dc):
        if not isinstance(layer, dict):
            errors.append("%s: must be a mapping" % where)
            continue
        for key in sorted(layer):
            if key not in S.KEYS or (key == "dcs" and where != "settings.kube_ovn"):
                errors.append("%s.%s: unknown Kube-OVN setting (known: %s)" % (where, key, ", ".join(sorted(S.DEFAULTS))))
        ext = layer.get("external_central")
        if isinstance(ext, dict):
            for key in sorted(ext):
                if key not in S.EXTERNAL_CENTRAL_KEYS:
                    errors.append("%s.external_central.%s: unknown key (known: %s)" % (where, key, ", ".join(S.EXTERNAL_CENTRAL_KEYS)))


def _check_nodes(plan, errors):
    for host, node in sorted((plan.get("nodes") or {}).items()):
        groups = set(node.get("groups") or [])
        kube = node.get("kube_ovn_node") or "kube_ovn_node" in groups
        chassis = node.get("chassis") or "ovn_chassis" in groups
        if kube and chassis:
            errors.append("host %s: in both kube_ovn_node and ovn_chassis; Kube-OVN's ovs-ovn pod owns Open vSwitch "
                          "on its nodes, so the collection must not run OVS/ovn-controller there (pick one group)" % host)


def _check_install(plan, dc, cfg, rendered, errors):
    meta = rendered["meta"]
    where = "dc %s: kube_ovn" % dc
    if cfg.get("install_mode") not in C.INSTALL_MODES:
        errors.append("%s.install_mode '%s': must be one of %s" % (where, cfg.get("install_mode"), ", ".join(C.INSTALL_MODES)))
    if cfg.get("chart") not in C.CHARTS:
        errors.append("%s.chart '%s': must be one of %s" % (where, cfg.get("chart"), ", ".join(C.CHARTS)))
    version = S.parse_version(cfg.get("version"))
    if version is None:
        errors.append("%s.version '%s': not a Kube-OVN release like v1.15.24" % (where, cfg.get("version")))
    elif meta["bundled_ovn_series"] is None:
        errors.append("%s.version '%s': unknown Kube-OVN series (known: %s)" % (where, cfg.get("version"), ", ".join(sorted(C.BUNDLED_OVN))))
    tunnel = rendered["values"].get("networking", {}).get("TUNNEL_TYPE", rendered["values"].get("networking", {}).get("tunnelType"))
    if tunnel not in C.TUNNEL_TYPES:
        errors.append("%s.tunnel_type '%s': must be one of %s" % (where, tunnel, ", ".join(C.TUNNEL_TYPES)))
    if cfg.get("install_mode") != "data_plane_only":
        return
    central = ((plan.get("dcs") or {}).get(dc) or {}).get("central") or {}
    if cfg.get("chart") == C.CHART_V1 and version and "%d.%d" % version[:2] in C.NO_DATA_PLANE_ONLY_V1_CHART:
        errors.append("%s.version '%s': the classic chart of this series has no installMode/externalOvnCentral, so "
                      "helm would install Kube-OVN's own ovn-central; data_plane_only needs v1.15.24 (or install_mode "
                      "full)" % (where, cfg.get("version")))
    if cfg.get("chart") == C.CHART_V2:
        errors.append("%s.chart 'kube-ovn-v2': has no installMode/externalOvnCentral; data_plane_only needs the "
                      "classic 'kube-ovn' chart" % where)
    if not central.get("members"):
        errors.append("%s.install_mode 'data_plane_only': the DC has no ovn_central hosts to point externalOvnCentral at" % where)
    if cfg.get("tls"):
        errors.append("%s.tls: the chart renders externalOvnCentral as tcp:<host>:<port>, so Kube-OVN cannot use TLS "
                      "towards the DC's central in data_plane_only mode (and ENABLE_SSL would need a pre-seeded "
                      "kube-ovn-tls Secret)" % where)
    ext = cfg.get("external_central") or {}
    ssl_only = str(central.get("nb_connection") or "").startswith("ssl:")
    if ssl_only and not (ext.get("nb_port") and ext.get("sb_port")):
        errors.append("%s.external_central: the DC's central listens with ssl: only (%s) but Kube-OVN's dataPlaneOnly "
                      "mode connects with tcp:; give nb_port/sb_port of a plain-TCP listener on the central (restricted "
                      "to the Kubernetes nodes) or use install_mode full" % (where, central.get("nb_connection")))
    endpoint = rendered["meta"]["external_central"]["endpoint"]
    if addr.ip(endpoint) is None:
        errors.append("%s.external_central.endpoint '%s': not an IP address" % (where, endpoint))
    for name in sorted((plan.get("subnets") or {})):
        if name in KUBE_OVN_RESERVED:
            errors.append("subnet %s: name is reserved by kube-ovn-controller, which shares the DC's OVN NB in "
                          "data_plane_only mode" % name)


def _check_ic(plan, dc, cfg, rendered, errors):
    if cfg.get("interconnection") and cfg.get("install_mode") == "data_plane_only":
        errors.append("dc %s: kube_ovn.interconnection: in data_plane_only mode Kube-OVN shares the DC's central, which "
                      "the collection already interconnects; leave interconnection off" % dc)
    if cfg.get("interconnection") and not (plan.get("interconnect") or {}).get("members"):
        errors.append("dc %s: kube_ovn.interconnection: the plan has no ovn_ic_db hosts" % dc)
    cm = rendered.get("ic_config")
    if not cm:
        return
    data = cm["data"]
    ic = plan.get("interconnect") or {}
    if not data.get("gw-nodes"):
        errors.append("dc %s: Kube-OVN interconnection needs gateway nodes: put some kube_ovn_node hosts of the DC "
                      "in ovn_gateway or set kube_ovn.ic_gateway_nodes (or set kube_ovn.interconnection: false)" % dc)
    if str(ic.get("nb_connection") or "").startswith("ssl:"):
        errors.append("dc %s: Kube-OVN's ovn-ic connects to the IC databases with tcp:<ip>:<port> (ic-db-host/ic-nb-port); "
                      "the plan's IC databases listen with ssl: only (%s): add plain-TCP IC listeners for the Kubernetes "
                      "gateway nodes or set kube_ovn.interconnection: false" % (dc, ic.get("nb_connection")))
    dcd = (plan.get("dcs") or {}).get(dc) or {}
    if data.get("az-name") == dcd.get("az"):
        errors.append("dc %s: ovn-ic-config az-name '%s' is the AZ of the DC's own central; Kube-OVN's central is "
                      "another AZ and needs its own name" % (dc, data.get("az-name")))


def _check_subnets(plan, dc, cfg, rendered, errors, overlaps=True):
    dcd = (plan.get("dcs") or {}).get(dc) or {}
    subnets = kube_ovn_subnets(plan, dc)
    for sn in subnets:
        if sn.get("vlan") and sn["vlan"] not in (plan.get("vlans") or {}):
            errors.append("subnet %s: vlan '%s' is not a VLAN of the plan" % (sn["name"], sn["vlan"]))
    default = cfg.get("default_subnet")
    if default:
        match = [s for s in subnets if s["name"] == default]
        if not match:
            errors.append("dc %s: kube_ovn.default_subnet '%s' is not a kube-ovn owned subnet of the DC" % (dc, default))
        elif not match[0].get("vlan"):
            errors.append("dc %s: kube_ovn.default_subnet '%s' has no VLAN; the default network is an underlay (network "
                          "type vlan); leave default_subnet unset for an overlay pod network" % (dc, default))
    if not overlaps:
        return  # the plan engine checks the networks against the whole inventory (tridc_plan/kube_settings.py)
    # Kube-OVN's pod/service/join networks must not overlap the DC's subnets
    values = rendered["values"]
    net = values.get("networking", {})
    blocks = {}
    if "NET_STACK" in net:
        fam = values.get(net["NET_STACK"], {})
        blocks = {"pod": fam.get("POD_CIDR"), "service": fam.get("SVC_CIDR"), "join": fam.get("JOIN_CIDR")}
    else:
        for key, label in (("pods", "pod"), ("services", "service"), ("join", "join")):
            blocks[label] = ",".join(net.get(key, {}).get("cidr", {}).values())
    names = [n for n in dcd.get("subnets") or [] if n != default]
    for label, block in sorted(blocks.items()):
        for cidr in addr.split(block or ""):
            kube_net = addr.network(cidr)
            if kube_net is None:
                errors.append("dc %s: kube_ovn %s network '%s' is not a CIDR" % (dc, label, cidr))
                continue
            for name in names:
                sn = (plan.get("subnets") or {}).get(name) or {}
                other = addr.network(sn.get("cidr") or "")
                if other is not None and other.version == kube_net.version and other.overlaps(kube_net):
                    errors.append("dc %s: Kube-OVN %s network %s overlaps subnet %s (%s)" % (dc, label, cidr, name, sn.get("cidr")))


def validate_plan_for_kube_ovn(plan, settings_checked=False):
    """Every Kube-OVN problem of the plan, as strings naming object and field (deduplicated, stable order).

    ``settings_checked``: the plan engine already checked the settings' keys, types and networks against the
    inventory (tridc_plan/kube_settings.py), so those rules are not run a second time here.
    """
    errors = []
    if not settings_checked:
        _check_nodes(plan, errors)  # the plan engine has the same rule (validate.py)
    _check_orphans(plan, errors)
    for dc in _kube_dcs(plan):
        if not settings_checked:
            _check_settings_keys(plan, dc, errors)
        cfg = S.effective(plan, dc)
        try:
            rendered = render_dc(plan, dc)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            errors.append("dc %s: cannot render the Kube-OVN resources: %s" % (dc, exc))
            continue
        _check_install(plan, dc, cfg, rendered, errors)
        _check_ic(plan, dc, cfg, rendered, errors)
        _check_subnets(plan, dc, cfg, rendered, errors, overlaps=not settings_checked)
        errors.extend(validate_resources(rendered))
    seen = set()
    out = []
    for err in errors:
        if err not in seen:
            seen.add(err)
            out.append(err)
    return out


def render_plan(plan):
    """{dc: render_dc(plan, dc)} for every DC that runs Kube-OVN (the plan's ``kube_ovn`` key)."""
    return {dc: render_dc(plan, dc) for dc in _kube_dcs(plan)}


__all__ = ["validate_plan_for_kube_ovn", "render_plan", "node_name"]

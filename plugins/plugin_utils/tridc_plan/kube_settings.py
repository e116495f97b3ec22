# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Inventory-level checks of ``tridc_kube_ovn``: keys, YAML types, DC names and address overlaps.

These run on the normalized inventory, next to the core rules, whatever else is wrong, so one run reports
every problem. They name the inventory's own variables (``tridc_kube_ovn.dcs.dc1.pod_cidr``). A setting with
a wrong type is reported here and then dropped from the settings the plan renders, so the Helm values never
carry it (a string split into characters, a list where a CIDR belongs) and no follow-on problem is reported.
"""

from __future__ import annotations

import ipaddress

from .errors import describe, did_you_mean, show
from ..kube_ovn import constants as C
from ..kube_ovn import settings as S

OBJ = "tridc_kube_ovn"

# key -> (accepted kinds, extra check); kinds: str, bool, int, list, dict, null
_STR = ("str",)
_STR_OR_NULL = ("str", "null")
_BOOL = ("bool",)
_BOOL_OR_NULL = ("bool", "null")
TYPES = {
    "version": _STR, "chart": _STR, "install_mode": _STR, "tls": _BOOL_OR_NULL, "default_subnet": _STR_OR_NULL,
    "tunnel_type": _STR_OR_NULL, "iface": _STR_OR_NULL, "pod_cidr": _STR_OR_NULL, "pod_gateway": _STR_OR_NULL,
    "svc_cidr": _STR_OR_NULL, "join_cidr": _STR_OR_NULL, "interconnection": _BOOL, "az_name": _STR_OR_NULL,
    "ic_gateway_nodes": ("list", "null"), "auto_route": _BOOL, "external_central": ("dict", "null"),
    "master_nodes": ("list", "null"), "image_registry": _STR_OR_NULL, "vpc_routes": ("list", "null"),
}
CIDR_KEYS = ("pod_cidr", "svc_cidr", "join_cidr")
IP_LIST_KEYS = ("pod_gateway",)
CHOICES = {"chart": C.CHARTS, "install_mode": tuple(C.INSTALL_MODES), "tunnel_type": C.TUNNEL_TYPES}
LABELS = {"pod_cidr": "pod", "svc_cidr": "service", "join_cidr": "join"}
# the charts' own defaults (kube_ovn/values.py CHART_DEFAULTS, IPv4)
DEFAULT_BLOCKS = {"pod_cidr": "10.16.0.0/16", "svc_cidr": "10.96.0.0/12", "join_cidr": "100.64.0.0/16"}


def _kind(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, str):
        return "str"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, dict):
        return "dict"
    return "other"


_WORDS = {"str": "a string", "bool": "a boolean (true or false)", "int": "an integer", "list": "a list",
          "dict": "a mapping", "null": "empty"}


def _networks(text):
    """'a/b,c/d' -> ([network, ...], [error, ...])."""
    nets, errors = [], []
    for part in [p.strip() for p in str(text).split(",") if p.strip()] or [""]:
        if "/" not in part:
            errors.append("'%s' is not a network: has no prefix length (address/length)" % part)
            continue
        try:
            nets.append(ipaddress.ip_network(part, strict=True))
        except ValueError as exc:
            errors.append("'%s' is not a network: %s" % (part, exc))
    return nets, errors


def _check_value(col, field, key, value):
    """Report a wrong type or value of one setting; returns True when the value is usable."""
    kinds = TYPES[key]
    kind = _kind(value)
    if kind == "int" and "str" in kinds and key not in CIDR_KEYS + IP_LIST_KEYS:
        return True  # a version or interface name written as a number is still text
    if kind not in kinds:
        col.add(OBJ, field, "must be %s, got %s" % (" or ".join(_WORDS[k] for k in kinds if k != "null"), describe(value)))
        return False
    if value is None:
        return True
    if key in CHOICES and value not in CHOICES[key]:
        col.add(OBJ, field, "%s is not one of %s" % (show(value), ", ".join(CHOICES[key])))
        return False
    if key in CIDR_KEYS:
        _nets, errors = _networks(value)
        for err in errors:
            col.add(OBJ, field, err)
        return not errors
    if key in IP_LIST_KEYS:
        ok = True
        for part in [p.strip() for p in value.split(",")]:
            try:
                ipaddress.ip_address(part)
            except ValueError:
                col.add(OBJ, field, "'%s' is not an IP address" % part)
                ok = False
        return ok
    if key in ("ic_gateway_nodes", "master_nodes"):
        bad = [i for i, v in enumerate(value) if _kind(v) != "str" or not v]
        for i in bad:
            col.add(OBJ, "%s[%d]" % (field, i), "must be a non-empty string, got %s" % describe(value[i]))
        if key == "master_nodes":
            for i, v in enumerate(value):
                if i not in bad:
                    try:
                        ipaddress.ip_address(v)
                    except ValueError:
                        col.add(OBJ, "%s[%d]" % (field, i), "'%s' is not an IP address" % v)
                        bad.append(i)
        return not bad
    if key == "external_central":
        ok = True
        for sub, sval in value.items():
            if sub not in S.EXTERNAL_CENTRAL_KEYS:
                col.add(OBJ, "%s.%s" % (field, sub), "unknown key%s (allowed: %s)"
                        % (did_you_mean(sub, S.EXTERNAL_CENTRAL_KEYS), ", ".join(S.EXTERNAL_CENTRAL_KEYS)))
                ok = False
            elif sub in ("nb_port", "sb_port") and (_kind(sval) != "int" or not 1 <= sval <= 65535):
                col.add(OBJ, "%s.%s" % (field, sub), "must be a TCP port (1-65535), got %s" % describe(sval))
                ok = False
            elif sub == "endpoint" and _kind(sval) != "str":
                col.add(OBJ, "%s.%s" % (field, sub), "must be a string, got %s" % describe(sval))
                ok = False
        return ok
    if key == "vpc_routes":
        bad = [i for i, v in enumerate(value) if _kind(v) != "dict"]
        for i in bad:
            col.add(OBJ, "%s[%d]" % (field, i), "must be a mapping (cidr, next_hop, ...), got %s" % describe(value[i]))
        return not bad
    return True


def _check_layer(col, layer, prefix, allow_dcs):
    """Check one mapping of settings; returns the same mapping without the unusable entries."""
    clean = {}
    for key in sorted(layer, key=str):
        value = layer[key]
        field = "%s%s" % (prefix, key)
        if key == "dcs" and allow_dcs:
            continue
        if key not in TYPES:
            known = sorted(TYPES) + (["dcs"] if allow_dcs else [])
            col.add(OBJ, field, "unknown Kube-OVN setting%s (known: %s)" % (did_you_mean(key, known), ", ".join(known)))
            continue
        if _check_value(col, field, key, value):
            clean[key] = value
    return clean


def check(col, model, kube_dcs):
    """Check ``tridc_kube_ovn`` and return the cleaned settings the plan renders.

    ``kube_dcs``: the DCs that run Kube-OVN (have kube_ovn_node hosts); the address checks apply to those.
    """
    raw = model["settings"].get("kube_ovn") or {}
    if not isinstance(raw, dict) or not raw:
        return {}
    clean = _check_layer(col, raw, "", True)
    per_dc = raw.get("dcs")
    if per_dc is not None:
        if not isinstance(per_dc, dict):
            col.add(OBJ, "dcs", "must be a mapping of DC name to settings, got %s" % describe(per_dc))
        else:
            clean["dcs"] = {}
            for dc in sorted(per_dc, key=str):
                field = "dcs.%s" % dc
                if dc not in model["dcs"]:
                    col.add(OBJ, field, "'%s' is not a DC of tridc_dcs%s (DCs: %s)"
                            % (dc, did_you_mean(dc, model["dcs"]), ", ".join(sorted(model["dcs"]))))
                    continue
                layer = per_dc[dc]
                if layer is None:
                    continue
                if not isinstance(layer, dict):
                    col.add(OBJ, field, "must be a mapping of settings, got %s" % describe(layer))
                    continue
                clean["dcs"][dc] = _check_layer(col, layer, field + ".", False)
    _check_addresses(col, model, clean, kube_dcs)
    return clean


def _effective(clean, dc):
    out = {k: v for k, v in clean.items() if k != "dcs"}
    out.update((clean.get("dcs") or {}).get(dc) or {})
    return out


def _source(clean, dc, key):
    return "dcs.%s.%s" % (dc, key) if key in ((clean.get("dcs") or {}).get(dc) or {}) else key


def _check_addresses(col, model, clean, kube_dcs):
    """Pod, service and join networks of each Kube-OVN DC: apart from each other and from the bank's networks."""
    bank = []
    for dc_name, dc in sorted(model["dcs"].items()):
        for key in ("mgmt_network", "underlay_network"):
            if dc[key] is not None:
                bank.append((dc[key], "dc '%s' %s" % (dc_name, key)))
    for ts in model["transit_switches"].values():
        if ts["subnet"] is not None:
            bank.append((ts["subnet"], "transit switch '%s'" % ts["name"]))
    seen = set()
    for dc in sorted(kube_dcs):
        cfg = _effective(clean, dc)
        default = cfg.get("default_subnet")
        blocks = []
        for key in CIDR_KEYS:
            value = cfg.get(key)
            if value is None and key == "pod_cidr" and default:
                continue  # the pods' network is the default underlay subnet itself
            nets, errors = _networks(value if value is not None else DEFAULT_BLOCKS[key])
            if errors:
                continue
            where = _source(clean, dc, key) if value is not None else key
            note = "" if value is not None else " (the chart's default; set %s)" % key
            blocks += [(net, key, where, note) for net in nets]
        for i, (net, key, where, note) in enumerate(blocks):
            for other, okey, _owhere, onote in blocks[i + 1:]:
                if okey != key and net.version == other.version and net.overlaps(other):
                    msg = ("Kube-OVN %s network %s%s of dc '%s' overlaps its %s network %s%s"
                           % (LABELS[key], net, note, dc, LABELS[okey], other, onote))
                    if (where, msg) not in seen:
                        seen.add((where, msg))
                        col.add(OBJ, where, msg)
            targets = list(bank) + [(sn["cidr"], "subnet '%s'" % name) for name, sn in sorted(model["subnets"].items())
                                    if sn["cidr"] is not None and name != default]
            for other, label in targets:
                if net.version == other.version and net.overlaps(other):
                    msg = "Kube-OVN %s network %s%s of dc '%s' overlaps %s (%s)" % (LABELS[key], net, note, dc, label, other)
                    if (where, msg) not in seen:
                        seen.add((where, msg))
                        col.add(OBJ, where, msg)

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kube-OVN settings of one DC: plan ``settings.kube_ovn`` overlaid with ``settings.kube_ovn.dcs[dc]`` and
``dcs[dc].kube_ovn``, then defaults filled in."""

from __future__ import annotations

import copy
import re

from . import constants as C

DEFAULTS = {
    "version": C.DEFAULT_KUBE_OVN_VERSION,  # Kube-OVN release = chart version (pinned)
    "chart": C.CHART_V1,                    # kube-ovn (classic, has installMode) or kube-ovn-v2
    "install_mode": "full",                 # full | data_plane_only
    "tls": None,                            # None: on for full, off for data_plane_only
    "default_subnet": None,                 # a kube-ovn owned underlay subnet as the pods' default network
    "tunnel_type": None,                    # None: the plan's encap_type
    "iface": "",                            # tunnel NIC (IFACE); "" = the NIC of the default route
    "pod_cidr": None, "pod_gateway": None, "svc_cidr": None, "join_cidr": None,
    "interconnection": False,               # full mode: join Kube-OVN's AZ to the plan's IC databases (ovn-ic-config)
    "az_name": None,                        # full mode: Kube-OVN's own AZ; default "<dc az>-k8s"
    "ic_gateway_nodes": None,               # default: the DC's kube_ovn_nodes that are in ovn_gateway
    "auto_route": True,
    "external_central": {},                 # data_plane_only: {endpoint, nb_port, sb_port} of a TCP listener
    "master_nodes": [],                     # full mode: node IPs for ovn-central (default: label kube-ovn/role=master)
    "image_registry": None,                 # air-gapped mirror for the kube-ovn images
    "vpc_routes": [],                       # [{cidr, next_hop, policy?, vpc?, route_table?, ecmp_mode?}]
}
KEYS = set(DEFAULTS) | {"dcs"}
EXTERNAL_CENTRAL_KEYS = ("endpoint", "nb_port", "sb_port")
_VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)$")


def raw_layers(plan, dc):
    base = ((plan.get("settings") or {}).get("kube_ovn") or {})
    per_dc = ((base.get("dcs") or {}).get(dc) or {}) if isinstance(base.get("dcs"), dict) else {}
    dc_own = (((plan.get("dcs") or {}).get(dc) or {}).get("kube_ovn") or {})
    return [("settings.kube_ovn", base), ("settings.kube_ovn.dcs.%s" % dc, per_dc), ("dcs.%s.kube_ovn" % dc, dc_own)]


def effective(plan, dc):
    out = copy.deepcopy(DEFAULTS)
    for _where, layer in raw_layers(plan, dc):
        if not isinstance(layer, dict):
            continue
        for key, value in layer.items():
            if key == "dcs" or key not in DEFAULTS:
                continue
            if key == "external_central" and isinstance(value, dict):
                out[key] = dict(out[key], **value)
            else:
                out[key] = copy.deepcopy(value)
    return out


def parse_version(text):
    """(major, minor, patch) of 'v1.17.0' / '1.17.0', or None."""
    m = _VERSION.match(str(text or ""))
    return tuple(int(x) for x in m.groups()) if m else None


def chart_version(version):
    """Kube-OVN's charts carry the 'v' prefix (version: v1.17.0)."""
    return version if str(version).startswith("v") else "v%s" % version


def bundled_ovn(version):
    v = parse_version(version)
    return C.BUNDLED_OVN.get("%d.%d" % v[:2]) if v else None

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read-only views over a built plan; the filters are thin faces over these."""

from __future__ import annotations


class ViewError(ValueError):
    """A view was asked for something the plan does not hold."""


def _plan(plan):
    if not isinstance(plan, dict) or "nodes" not in plan or "dcs" not in plan:
        raise ViewError("expected the tridc.ovn plan (the tridc_plan fact), got %s" % type(plan).__name__)
    return plan


def node_plan(plan, host):
    nodes = _plan(plan)["nodes"]
    if host not in nodes:
        raise ViewError("host '%s' is not in the plan (is it in a DC of the inventory?)" % host)
    return nodes[host]


def dc_plan(plan, dc):
    dcs = _plan(plan)["dcs"]
    if dc not in dcs:
        raise ViewError("DC '%s' is not in the plan (DCs: %s)" % (dc, ", ".join(sorted(dcs))))
    return dcs[dc]


def bridge_mappings(plan, host):
    return node_plan(plan, host)["bridge_mappings"]


def node_trunks(plan, host):
    return {b["name"]: {"nic": b["nic"], "trunks": list(b["trunks"])} for b in node_plan(plan, host)["bridges"]}


def parse_bridge_mappings(text):
    """'physnet:br-x,physnet2:br-y' -> {'physnet': 'br-x', ...}; rejects malformed entries."""
    if text is None or text == "":
        return {}
    if not isinstance(text, str):
        raise ViewError("bridge mappings must be a string, got %s" % type(text).__name__)
    out = {}
    for entry in text.split(","):
        network, sep, bridge = entry.strip().partition(":")
        if not sep or not network or not bridge or ":" in bridge:
            raise ViewError("'%s' is not a 'network:bridge' mapping" % entry)
        if network in out:
            raise ViewError("network '%s' is mapped twice" % network)
        out[network] = bridge
    return out


def check_plan_shape(plan):
    """Return plan if it looks like a tridc.ovn plan, else raise ViewError."""
    return _plan(plan)

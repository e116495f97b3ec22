# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read-only views over a built plan; the filters are thin faces over these."""

from __future__ import annotations

from .errors import describe


class ViewError(ValueError):
    """A view was asked for something the plan does not hold."""


def _not_a_plan(plan):
    """What PLAN is, in the inventory's words, when it is not a plan (a mapping with nodes and dcs); else None."""
    if isinstance(plan, dict) and "nodes" in plan and "dcs" in plan:
        return None
    return ("a mapping without %s" % " and ".join("'%s'" % k for k in ("nodes", "dcs") if k not in plan)
            if isinstance(plan, dict) else describe(plan))


def _plan(plan):
    what = _not_a_plan(plan)
    if what:
        raise ViewError("expected the tridc.ovn plan (the tridc_plan fact, with nodes and dcs), got %s" % what)
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


def plain(value):
    """VALUE as plain Python data: dict, list, tuple, str, int, float, bool and None, never a subclass of them.

    Ansible hands inventory values over as subclasses that carry tags (where each value came from); an int
    tagged so is an object of its own with a mapping of tags, several times a plain one. The plan is made
    from those values and every host's view is stored per host, so a tagged plan is paid in the controller's
    memory once per host (and, through Ansible's fork per host and task, in its time).
    """
    if isinstance(value, bool) or value is None:
        return value
    # each returns a plain value as it is, and a subclass's value as a plain one
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, dict) or hasattr(value, "items"):
        return {plain(key): plain(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return tuple(plain(item) for item in value)
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def check_plan_shape(plan):
    """Return plan if it looks like a tridc.ovn plan, else raise ViewError."""
    return _plan(plan)


def controller_plan(plan, part=None):
    """The controller's whole plan (tridc_controller_plan), or one of its top-level parts, checked for its shape.

    The roles do not declare the whole plan as an option (argument validation would render it on every host:
    README, "Bank scale"), so this is where it is checked, at the point of use. A host's view (tridc_plan) lacks
    the controller-only parts (dr, ovn): asking it for one names the fix.
    """
    what = _not_a_plan(plan)
    if what:
        raise ViewError("tridc_controller_plan must be the whole plan (the plan of tridc.ovn.plan's result, as "
                        "site.yml sets it), got %s" % what)
    if part is None:
        return plan
    if part not in plan:
        raise ViewError("the plan given has no '%s' part: it is a host's view (tridc_plan); give the roles the whole "
                        "plan as tridc_controller_plan, as site.yml does" % part)
    return plan[part]


# The parts of the plan every managed host may read (docs/plan-schema.md, "Host views"). None of
# them grows with the number of hosts: `nodes` is narrowed to the host itself and the per-DC host
# lists stay on the controller. `dr` (routes and denylists: it grows with VLANs and subnets, 700 KB
# for 200 VLANs) is not in a view: the few hosts that apply DR routing read it in place from the
# controller's plan (tridc_controller_plan), which costs nothing per host that does not.
HOST_VIEW_KEYS = ("version", "regions", "rollout_order", "settings", "interconnect")
# Per DC, the host lists and the DC's VLAN and subnet lists stay on the controller: a view is stored once per
# host, and Ansible forks a worker for every host and task at a cost that follows the controller's memory, so
# every byte of a view is paid per host and task (200 VLANs: 12.8 KB a view with the lists, 3 KB without).
DC_HOST_LISTS = ("nodes", "chassis", "kube_ovn_nodes")
DC_CONTROLLER_ONLY = DC_HOST_LISTS + ("vlans", "subnets")


def _view_common(plan):
    common = {key: plan[key] for key in HOST_VIEW_KEYS if key in plan}
    common["dcs"] = {name: {key: value for key, value in dc.items() if key not in DC_CONTROLLER_ONLY}
                     for name, dc in plan["dcs"].items()}
    return common


def batch_views(plan, hosts=None):
    """The views of HOSTS (default: every host of the plan) as one value that a batch of hosts shares.

    ``{"common": ..., "nodes": {host: node}}``: the part every view has alike once, and each host's node slice.
    ``playbooks/plan_hosts.yml`` registers it once per batch (tridc.ovn.host_views, ``run_once``), and Ansible
    registers that one object on every host of the batch; each host's ``tridc_plan`` is then composed from it at
    each read (``batch_view``). No view is stored per host: the controller holds the common part once per batch,
    not once per host (README, "Bank scale").
    """
    plan = _plan(plan)
    return {"common": _view_common(plan),
            "nodes": {host: node_plan(plan, host) for host in (plan["nodes"] if hosts is None else hosts)}}


def batch_view(batch, host):
    """HOST's view (what ``host_plan`` gives), composed from its batch's shared value (``batch_views``).

    The common part is not copied: the view is a new mapping of its own top level only.
    """
    if not hasattr(batch, "keys") or "common" not in batch or "nodes" not in batch:
        raise ViewError("host '%s' has no share of the plan's views (tridc_plan_batch is %s): import "
                        "playbooks/plan_hosts.yml before the plays that run the roles, as site.yml does, or give the "
                        "host its tridc_plan" % (host, describe(batch) if not hasattr(batch, "keys") else
                                                 "a mapping without 'common' and 'nodes'"))
    nodes = batch["nodes"]
    if host not in nodes:
        raise ViewError("host '%s' has no view in its batch's share of the plan (is it in a DC of the inventory, and "
                        "in one of the groups ovn_chassis, ovn_central, ovn_ic_db, kube_ovn_node?)" % host)
    node = nodes[host]
    return dict(batch["common"], nodes={host: node}, scope={"host": host, "dc": node["dc"]})


def host_views(plan, hosts=None):
    """The views (``host_plan``) of HOSTS (default: every host of the plan), keyed by host, in one pass.

    The views share their common part (everything but ``nodes`` and ``scope``) and each host's node
    slice with the plan: one object per view, not a copy.
    """
    batch = batch_views(plan, hosts)
    return {host: batch_view(batch, host) for host in batch["nodes"]}


def host_plan(plan, host):
    """The host's view of the plan: the plan's own shape, with only what a role on that host reads.

    ``nodes`` holds the host alone; ``dcs`` every DC without its host lists (``nodes``, ``chassis``,
    ``kube_ovn_nodes``) and its VLAN and subnet lists; ``dr``, the ToRs, subnets, VLANs and Kubernetes resources stay on the
    controller. ``scope`` names the host and its DC. The size does
    not depend on how many hosts the inventory has, so neither does the controller's cost per host and
    task. The view is plain data (``plain``), a copy: a view is stored once per host, in the controller.
    """
    return plain(host_views(plan, [host])[host])

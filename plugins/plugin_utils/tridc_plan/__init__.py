# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tridc.ovn plan engine: inventory topology in, one validated network plan out.

Pure Python (standard library only); no Ansible imports, so it runs in tests, benchmarks and
the action plugin alike.

Input (``inventory``)::

    {"globals": {"tridc_regions": [...], "tridc_dcs": [...], "tridc_provider_networks": [...],
                 "tridc_subnets": [...], "tridc_interconnect": {...}, ...},
     "hosts": {"dc1-n1": {"tridc_dc": "dc1", "tridc_failure_domain": "rack1", "tridc_nics": {...}}},
     "groups": {"ovn_central": ["dc1-n1", ...], ...}}
"""

from __future__ import annotations

import copy
import re

from .errors import Collector, PlanError, Problem, did_you_mean
from .model import normalize
from .validate import validate, validate_hosts_derived
from .compute import derive, build
from . import kube_settings
from ..kube_ovn import render_plan, validate_plan_for_kube_ovn

GLOBAL_KEYS = ("tridc_regions", "tridc_dcs", "tridc_provider_networks", "tridc_subnets", "tridc_interconnect",
               "tridc_datapath_type", "tridc_encap_type", "tridc_package_source", "tridc_rollout_order",
               "tridc_kube_ovn")
HOST_KEYS = ("tridc_dc", "tridc_failure_domain", "tridc_nics", "tridc_mgmt_ip", "tridc_encap_ip", "tridc_k8s_node_name",
             "ansible_host")
# tridc_* variables the roles and playbooks read (README, role defaults); an inventory may set them
ROLE_KEYS = ("tridc_rollout_serial", "tridc_ovs_rollback_timeout", "tridc_ovs_tx_offload_off", "tridc_kube_ovn_kubeconfigs",
             "tridc_allow_unknown_vars")
# tridc_* names the playbooks themselves set at run time (facts, registered results); never an inventory's
RUNTIME_KEYS = ("tridc_plan", "tridc_plan_build", "tridc_controller_plan", "tridc_plan_dot_file", "tridc_node",
                "tridc_missing_nics", "tridc_src", "tridc_index", "tridc_versions", "tridc_dr_hosts", "tridc_dr_state",
                "tridc_dr_raft", "tridc_drill_hosts", "tridc_plan_baseline", "tridc_audit")
RUNTIME_PREFIXES = ("tridc_slot_", "tridc_plan_", "tridc_audit_")
KNOWN_VARS = frozenset(GLOBAL_KEYS + HOST_KEYS + ROLE_KEYS + RUNTIME_KEYS)

__all__ = ["build_plan", "check_plan", "PlanError", "Problem", "GLOBAL_KEYS", "HOST_KEYS", "KNOWN_VARS"]

_OBJ_RE = re.compile(r"^(subnet|vlan) '(.*)'$")


def _unknown_variables(col, inventory):
    """Typos of tridc_* variables (``tridc_subnet``, ``tridc_encapip``) are errors, with a did-you-mean.

    Decision (docs/plan-schema.md): an unknown ``tridc_*`` variable fails the plan, because the typo of a
    topology variable silently drops what it holds. A site's own ``tridc_``-prefixed names can be listed in
    ``tridc_allow_unknown_vars``.
    """
    names = inventory.get("variables") or {}
    allowed = set(KNOWN_VARS) | set(str(x) for x in (names.get("allowed") or []))
    suggest_global = GLOBAL_KEYS + ROLE_KEYS
    suggest_host = HOST_KEYS + ROLE_KEYS

    def unknown(name):
        return name.startswith("tridc_") and name not in allowed and not name.startswith(RUNTIME_PREFIXES)

    global_names = set(str(n) for n in names.get("globals") or [])
    for name in sorted(global_names):
        if unknown(name):
            hint = did_you_mean(name, suggest_global + HOST_KEYS)
            col.add("inventory", name, "unknown variable%s" % (hint or " (tridc_* variables: %s; list a site's own in "
                                                               "tridc_allow_unknown_vars)" % ", ".join(sorted(suggest_global))))
    by_name = {}
    for host, host_names in sorted((names.get("hosts") or {}).items()):
        for name in host_names or []:
            name = str(name)
            if unknown(name) and name not in global_names:
                by_name.setdefault(name, []).append(host)
    for name, hosts in sorted(by_name.items()):
        hint = did_you_mean(name, suggest_host + GLOBAL_KEYS)
        if len(hosts) > 3:
            col.add("hosts %s and %d more" % (", ".join("'%s'" % h for h in hosts[:3]), len(hosts) - 3), name,
                    "unknown host variable%s" % hint)
        else:
            for host in hosts:
                col.add("host '%s'" % host, name, "unknown host variable%s" % (hint or " (host variables: %s)" % ", ".join(HOST_KEYS[:-1])))


def _pruned(model, problems):
    """The model without the subnets and VLANs that have problems: what can still be planned for the Kube-OVN checks."""
    bad = {"subnet": set(), "vlan": set()}
    for p in problems:
        m = _OBJ_RE.match(p.obj)
        if m:
            bad[m.group(1)].add(m.group(2))
    out = dict(model)
    out["vlans"] = {k: v for k, v in model["vlans"].items() if k not in bad["vlan"] and v["id"] is not None}
    out["subnets"] = {k: v for k, v in model["subnets"].items()
                      if k not in bad["subnet"] and v["cidr"] is not None and v["gateway"] is not None
                      and (v["vlan"] is None or v["vlan"] in out["vlans"])}
    out["providers"] = {k: dict(v, vlans=[x for x in v["vlans"] if x in out["vlans"]]) for k, v in model["providers"].items()}
    return out


def check_plan(inventory):
    """Return (plan or None, [Problem, ...]). Never raises on bad input.

    Every rule runs on every inventory: the core rules, the unknown-variable check and the Kube-OVN checks
    report together, whatever else is wrong.
    """
    col = Collector()
    _unknown_variables(col, inventory)
    model = normalize(col, inventory)
    validate(col, model)
    derived = derive(model)
    validate_hosts_derived(col, model, derived)
    kube_dcs = sorted(dc for dc, dd in derived["dcs"].items() if dd["kube_ovn_nodes"])
    model["settings"]["kube_ovn"] = kube_settings.check(col, model, kube_dcs)
    core_ok = not col
    plan = None
    try:
        plan = build(model if core_ok else _pruned(model, col.problems), derived)
    except Exception:  # pylint: disable=broad-except
        if core_ok:
            raise
    if plan is not None:
        # Kube-OVN's own rules (beyond its CRD schemas) run on the built plan; its resources are plan data
        for message in validate_plan_for_kube_ovn(plan, settings_checked=True):
            if not core_ok and ("None" in message or "'?'" in message):
                continue  # a follow-on of a core problem already reported
            obj, field, text = _kube_problem(message)
            col.add(obj, field, text)
    if col:
        return None, col.problems
    plan["kube_ovn"] = render_plan(plan)
    return plan, []


def _kube_problem(message):
    """A Kube-OVN rule's message as (object, field, message) in the inventory's names."""
    message = message.replace("settings.kube_ovn.dcs.", "tridc_kube_ovn.dcs.").replace("settings.kube_ovn", "tridc_kube_ovn")
    m = re.match(r"^dc (\S+): kube_ovn\.(\S+?)( '[^']*')?: (.*)$", message)
    if m:
        value = m.group(3).strip() + " " if m.group(3) else ""
        return "tridc_kube_ovn", m.group(2), "%s(dc '%s') %s" % (value, m.group(1), m.group(4))
    return "kube-ovn", "", message


def build_plan(inventory):
    """Return the plan; raise PlanError listing every problem if the inventory is invalid."""
    plan, problems = check_plan(inventory)
    if problems:
        raise PlanError(problems)
    return plan

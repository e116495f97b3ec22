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

from .errors import Collector, PlanError, Problem
from .model import normalize
from .validate import validate, validate_hosts_derived
from .compute import derive, build
from ..kube_ovn import render_plan, validate_plan_for_kube_ovn

GLOBAL_KEYS = ("tridc_regions", "tridc_dcs", "tridc_provider_networks", "tridc_subnets", "tridc_interconnect",
               "tridc_datapath_type", "tridc_encap_type", "tridc_package_source", "tridc_rollout_order",
               "tridc_kube_ovn")
HOST_KEYS = ("tridc_dc", "tridc_failure_domain", "tridc_nics", "tridc_mgmt_ip", "tridc_encap_ip", "tridc_k8s_node_name",
             "ansible_host")

__all__ = ["build_plan", "check_plan", "PlanError", "Problem", "GLOBAL_KEYS", "HOST_KEYS"]


def check_plan(inventory):
    """Return (plan or None, [Problem, ...]). Never raises on bad input."""
    col = Collector()
    model = normalize(col, inventory)
    validate(col, model)
    derived = derive(model)
    validate_hosts_derived(col, model, derived)
    if col:
        return None, col.problems
    plan = build(model, derived)
    # Kube-OVN's own rules (beyond its CRD schemas) run on the built plan; its resources are plan data
    for message in validate_plan_for_kube_ovn(plan):
        col.add("kube-ovn", "", message)
    if col:
        return None, col.problems
    plan["kube_ovn"] = render_plan(plan)
    return plan, []


def build_plan(inventory):
    """Return the plan; raise PlanError listing every problem if the inventory is invalid."""
    plan, problems = check_plan(inventory)
    if problems:
        raise PlanError(problems)
    return plan

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kube-OVN rendering and semantic validation for tridc.ovn (pure Python, no Ansible imports).

Entry points for the plan engine::

    render_dc(plan, dc) -> {provider_networks, vlans, subnets, ic_config, vpc_routes, values, meta, gate}
    render_plan(plan) -> {dc: render_dc(plan, dc)} for the DCs that run Kube-OVN
    validate_resources(resources) -> [error, ...]
    validate_plan_for_kube_ovn(plan) -> [error, ...]
"""

from __future__ import annotations

from .render import render_dc
from .validate import validate_resources, validate_object
from .plan_checks import validate_plan_for_kube_ovn, render_plan

__all__ = ["render_dc", "render_plan", "validate_resources", "validate_object", "validate_plan_for_kube_ovn"]

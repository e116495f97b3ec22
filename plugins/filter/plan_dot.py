# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tridc.ovn.plan_dot filter."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import report, views

DOCUMENTATION = r"""
---
name: plan_dot
short_description: Render the plan topology as Graphviz source
version_added: 0.1.0
description:
  - Render the plan topology as Graphviz source, for the network department's review.
  - Without O(dc), the overview - regions side by side, one card per DC (central members, IC database member,
    gateways per failure domain, nodes counted by failure domain and role, provider networks with their VLANs by
    plane), the VLANs stretched over the same-city pair drawn across the DC boundary, the transit switches and
    the DR preference ladder. Its size does not grow with the number of nodes.
  - With O(dc), that DC's detail page - its nodes by failure domain and role (names up to 24 per box) and its
    provider networks, VLANs and subnets.
  - A rendering of the plan built by M(tridc.ovn.plan); it computes nothing itself.
options:
  _input:
    description: The plan (the C(tridc_plan) fact).
    type: dict
    required: true
  dc:
    description: A DC of the plan; render its detail page instead of the overview.
    type: str
author:
  - tridc.ovn developers (@tridc)
"""

EXAMPLES = r"""
- name: Draw the topology
  ansible.builtin.command:
    argv: [dot, -Tsvg, -o, /tmp/plan/topology.svg]
    stdin: "{{ tridc_plan | tridc.ovn.plan_dot }}"

- name: Draw the detail page of dc1
  ansible.builtin.command:
    argv: [dot, -Tpng, -o, /tmp/plan/topology-dc1.png]
    stdin: "{{ tridc_plan | tridc.ovn.plan_dot(dc='dc1') }}"
"""

RETURN = r"""
_value:
  description: Graphviz C(digraph) source of the overview or of one DC's detail page; render it with C(dot -Tsvg) or C(dot -Tpng).
  type: str
"""


def plan_dot(plan, dc=None):
    try:
        if dc is not None:
            views.dc_plan(plan, dc)
        return report.to_dot(views.check_plan_shape(plan), dc)
    except views.ViewError as exc:
        raise AnsibleFilterError("tridc.ovn.plan_dot: %s" % exc) from exc


class FilterModule:
    """tridc.ovn.plan_dot"""

    def filters(self):
        return {"plan_dot": plan_dot}

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
  - Render the plan topology as Graphviz source.
  - A rendering of the plan built by M(tridc.ovn.plan); it computes nothing itself.
options:
  _input:
    description: The plan (the C(tridc_plan) fact).
    type: dict
    required: true
author:
  - tridc.ovn developers (@tridc)
"""

EXAMPLES = r"""
- name: Draw the topology
  ansible.builtin.command:
    argv: [dot, -Tsvg, -o, /tmp/plan/topology.svg]
    stdin: "{{ tridc_plan | tridc.ovn.plan_dot }}"
"""

RETURN = r"""
_value:
  description: Graphviz C(graph) source of regions, DCs, nodes, provider networks and the interconnection; render it with C(dot -Tsvg).
  type: str
"""


def plan_dot(plan):
    try:
        return report.to_dot(views.check_plan_shape(plan))
    except views.ViewError as exc:
        raise AnsibleFilterError("tridc.ovn.plan_dot: %s" % exc) from exc


class FilterModule:
    """tridc.ovn.plan_dot"""

    def filters(self):
        return {"plan_dot": plan_dot}

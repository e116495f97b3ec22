# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tridc.ovn.plan_markdown filter."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import report, views

DOCUMENTATION = r"""
---
name: plan_markdown
short_description: Render the plan as a Markdown report for the network department
version_added: 0.1.0
description:
  - Render the plan as a Markdown report for the network department.
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
- name: Write plan.md
  ansible.builtin.copy:
    content: "{{ tridc_plan | tridc.ovn.plan_markdown }}"
    dest: /tmp/plan/plan.md
    mode: "0644"
"""

RETURN = r"""
_value:
  description: >-
    Markdown with, per DC, VLANs, subnets, bridges, per-node mappings and trunks, raft and IC membership,
    gateway priorities and what the physical network must provide.
  type: str
"""


def plan_markdown(plan):
    try:
        return report.to_markdown(views.check_plan_shape(plan))
    except views.ViewError as exc:
        raise AnsibleFilterError("tridc.ovn.plan_markdown: %s" % exc) from exc


class FilterModule:
    """tridc.ovn.plan_markdown"""

    def filters(self):
        return {"plan_markdown": plan_markdown}

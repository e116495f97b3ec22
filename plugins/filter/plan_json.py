# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tridc.ovn.plan_json filter."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import report, views

DOCUMENTATION = r"""
---
name: plan_json
short_description: Render the plan as JSON with a stable key order
version_added: 0.1.0
description:
  - Render the plan as JSON with a stable key order.
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
- name: Write plan.json
  ansible.builtin.copy:
    content: "{{ tridc_plan | tridc.ovn.plan_json }}"
    dest: /tmp/plan/plan.json
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The plan as indented JSON, keys sorted, ending with a newline.
  type: str
"""


def plan_json(plan):
    try:
        return report.to_json(views.check_plan_shape(plan))
    except views.ViewError as exc:
        raise AnsibleFilterError("tridc.ovn.plan_json: %s" % exc) from exc


class FilterModule:
    """tridc.ovn.plan_json"""

    def filters(self):
        return {"plan_json": plan_json}

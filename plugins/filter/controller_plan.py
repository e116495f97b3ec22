# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tridc.ovn.controller_plan filter."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import views

DOCUMENTATION = r"""
---
name: controller_plan
short_description: Return the controller's whole network plan, or one of its parts, checked for its shape
version_added: 0.1.0
positional: part
description:
  - Return the controller's whole plan (the C(tridc_controller_plan) variable that C(site.yml) sets), or its top-level
    part O(part), after checking that it is the plan.
  - The roles read the DC's switches, the DR routes and the other hosts' chassis in place from the whole plan. They do
    not declare it as a role option, because Ansible's argument validation renders every declared option on every host
    (README, "Bank scale"); this filter is the check instead, at the point of use, in the roles' C(vars/main.yml).
  - Fails with a message naming C(tridc_controller_plan) when the input is not a plan, and naming the fix when it is a
    host's view (C(tridc_plan)), which lacks the controller-only parts (C(dr), C(ovn)).
  - A thin view over the plan built by M(tridc.ovn.plan); it computes nothing itself.
options:
  _input:
    description: The whole plan (C(tridc_controller_plan), or C(tridc_plan) in plays that give hosts the whole plan).
    type: dict
    required: true
  part:
    description: A top-level part of the plan (for example C(dr) or C(ovn)); the whole plan when not given.
    type: str
    required: false
author:
  - tridc.ovn developers (@tridc)
"""

EXAMPLES = r"""
- name: The DR part of the plan, read in place from the controller's whole plan
  ansible.builtin.set_fact:
    dr_routers: "{{ (tridc_controller_plan | default(tridc_plan) | tridc.ovn.controller_plan('dr')).routers }}"
"""

RETURN = r"""
_value:
  description: The whole plan, or its part O(part).
  type: raw
"""


def controller_plan(*args):
    try:
        return views.controller_plan(*args)
    except views.ViewError as exc:
        raise AnsibleFilterError("tridc.ovn.controller_plan: %s" % exc) from exc


class FilterModule:
    """tridc.ovn.controller_plan"""

    def filters(self):
        return {"controller_plan": controller_plan}

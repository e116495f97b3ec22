# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tridc.ovn.dc_plan filter."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import views

DOCUMENTATION = r"""
---
name: dc_plan
short_description: Return one data center's slice of the network plan
version_added: 0.1.0
positional: dc
description:
  - Return one data center's slice of the network plan.
  - A thin view over the plan built by M(tridc.ovn.plan); it computes nothing itself.
options:
  _input:
    description: The plan (the C(tridc_plan) fact).
    type: dict
    required: true
  dc:
    description: The DC name.
    type: str
    required: true
author:
  - tridc.ovn developers (@tridc)
"""

EXAMPLES = r"""
- name: Show the DC raft members
  ansible.builtin.debug:
    msg: "{{ (tridc_plan | tridc.ovn.dc_plan(\"dc1\")).central.members }}"
"""

RETURN = r"""
_value:
  description: The DC plan (region, dr_role, az, central members and connections, gateways, VLANs, subnets).
  type: dict
"""


def dc_plan(*args):
    try:
        return views.dc_plan(*args)
    except views.ViewError as exc:
        raise AnsibleFilterError("tridc.ovn.dc_plan: %s" % exc) from exc


class FilterModule:
    """tridc.ovn.dc_plan"""

    def filters(self):
        return {"dc_plan": dc_plan}

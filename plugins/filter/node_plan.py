# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tridc.ovn.node_plan filter."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import views

DOCUMENTATION = r"""
---
name: node_plan
short_description: Return one node's slice of the network plan
version_added: 0.1.0
positional: host
description:
  - Return one node's slice of the network plan.
  - A thin view over the plan built by M(tridc.ovn.plan); it computes nothing itself.
options:
  _input:
    description: The plan (the C(tridc_plan) fact).
    type: dict
    required: true
  host:
    description: The inventory hostname.
    type: str
    required: true
author:
  - tridc.ovn developers (@tridc)
"""

EXAMPLES = r"""
- name: Show the bridges planned for this host
  ansible.builtin.debug:
    msg: "{{ (tridc_plan | tridc.ovn.node_plan(inventory_hostname)).bridges }}"
"""

RETURN = r"""
_value:
  description: The node plan (dc, failure_domain, mgmt_ip, encap_ip, bridges, bridge_mappings, ovn_remote, role flags).
  type: dict
"""


def node_plan(*args):
    try:
        return views.node_plan(*args)
    except views.ViewError as exc:
        raise AnsibleFilterError("tridc.ovn.node_plan: %s" % exc) from exc


class FilterModule:
    """tridc.ovn.node_plan"""

    def filters(self):
        return {"node_plan": node_plan}

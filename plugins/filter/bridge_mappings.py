# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tridc.ovn.bridge_mappings filter."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import views

DOCUMENTATION = r"""
---
name: bridge_mappings
short_description: Return a node's exact ovn-bridge-mappings string
version_added: 0.1.0
positional: host
description:
  - Return a node's exact ovn-bridge-mappings string.
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
- name: Show the mappings ovn-controller will get
  ansible.builtin.debug:
    msg: "{{ tridc_plan | tridc.ovn.bridge_mappings(inventory_hostname) }}"
"""

RETURN = r"""
_value:
  description: The mappings, for example C(business:br-business,storage:br-storage); empty when the node has no provider bridge.
  type: str
"""


def bridge_mappings(*args):
    try:
        return views.bridge_mappings(*args)
    except views.ViewError as exc:
        raise AnsibleFilterError("tridc.ovn.bridge_mappings: %s" % exc) from exc


class FilterModule:
    """tridc.ovn.bridge_mappings"""

    def filters(self):
        return {"bridge_mappings": bridge_mappings}

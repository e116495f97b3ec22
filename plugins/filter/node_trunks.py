# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tridc.ovn.node_trunks filter."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import views

DOCUMENTATION = r"""
---
name: node_trunks
short_description: Return a node's VLAN trunks per provider bridge
version_added: 0.1.0
positional: host
description:
  - Return a node's VLAN trunks per provider bridge.
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
- name: Show which VLANs the switch port of each NIC must carry
  ansible.builtin.debug:
    msg: "{{ tridc_plan | tridc.ovn.node_trunks(inventory_hostname) }}"
"""

RETURN = r"""
_value:
  description: Bridge name to C(nic) and C(trunks) (sorted VLAN ids; 0 means untagged frames are carried).
  type: dict
"""


def node_trunks(*args):
    try:
        return views.node_trunks(*args)
    except views.ViewError as exc:
        raise AnsibleFilterError("tridc.ovn.node_trunks: %s" % exc) from exc


class FilterModule:
    """tridc.ovn.node_trunks"""

    def filters(self):
        return {"node_trunks": node_trunks}

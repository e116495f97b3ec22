# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tridc.ovn.parse_bridge_mappings filter."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import views

DOCUMENTATION = r"""
---
name: parse_bridge_mappings
short_description: Parse an ovn-bridge-mappings string into a dict
version_added: 0.1.0
description:
  - Parse an ovn-bridge-mappings string into a dict.
  - A thin view over the plan built by M(tridc.ovn.plan); it computes nothing itself.
options:
  _input:
    description: The mappings string, C(network:bridge) pairs separated by commas.
    type: str
    required: true
author:
  - tridc.ovn developers (@tridc)
"""

EXAMPLES = r"""
- name: Read the mappings back from OVS
  ansible.builtin.debug:
    msg: "{{ 'business:br-business,storage:br-storage' | tridc.ovn.parse_bridge_mappings }}"
"""

RETURN = r"""
_value:
  description: Provider network name to bridge name.
  type: dict
"""


def parse_bridge_mappings(*args):
    try:
        return views.parse_bridge_mappings(*args)
    except views.ViewError as exc:
        raise AnsibleFilterError("tridc.ovn.parse_bridge_mappings: %s" % exc) from exc


class FilterModule:
    """tridc.ovn.parse_bridge_mappings"""

    def filters(self):
        return {"parse_bridge_mappings": parse_bridge_mappings}

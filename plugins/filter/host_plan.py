# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tridc.ovn.host_plan filter."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import views

DOCUMENTATION = r"""
---
name: host_plan
short_description: Return one host's view of the network plan
version_added: 0.1.0
positional: host
description:
  - Return one host's view of the network plan, the variable C(tridc_plan) that the roles read on that host.
  - The view has the plan's own shape, but C(nodes) holds the host alone, C(dcs) every DC without its host
    lists (C(nodes), C(chassis), C(kube_ovn_nodes)) and its VLAN and subnet lists, and C(dr), C(physical),
    C(subnets), C(vlans) and C(kube_ovn) are left out. Its size does
    not depend on the number of hosts, so neither does the controller's cost per host and task.
  - A thin view over the plan built by M(tridc.ovn.plan); it computes nothing itself.
  - For one host. To hand every host of a large inventory its view, use M(tridc.ovn.host_views) (every view
    built in one pass, then a lookup by name per host), as C(playbooks/plan_hosts.yml) does; this filter over
    the whole plan costs more per host the larger the inventory.
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
- name: Show one host's view of the plan built on the controller
  ansible.builtin.debug:
    msg: "{{ hostvars['localhost']['tridc_plan_build']['plan'] | tridc.ovn.host_plan('dc1-n1') }}"
"""

RETURN = r"""
_value:
  description: >-
    The host's view (version, regions, rollout_order, settings, interconnect, nodes with the host alone, dcs
    without their host lists and their VLAN and subnet lists, scope with the host and its DC).
  type: dict
"""


def host_plan(*args):
    try:
        return views.host_plan(*args)
    except views.ViewError as exc:
        raise AnsibleFilterError("tridc.ovn.host_plan: %s" % exc) from exc


class FilterModule:
    """tridc.ovn.host_plan"""

    def filters(self):
        return {"host_plan": host_plan}

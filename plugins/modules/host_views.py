#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation stub of the tridc.ovn.host_views action plugin (it runs on the controller only)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: host_views
short_description: A batch of managed hosts' share of the network plan's views
version_added: 0.3.0
description:
  - Returns, for the given hosts, the part every host's view of the plan has alike (C(common)) once and each host's
    node slice (C(nodes)), built in one pass over the plan built by M(tridc.ovn.plan). A host's view (what the
    C(tridc.ovn.host_plan) filter gives) is C(common) with that host's node and C(scope).
  - C(playbooks/plan_hosts.yml) runs it once per batch of hosts (C(run_once)) and registers the result as
    C(tridc_plan_batch). Ansible registers a C(run_once) task's result on every host of the batch as one object, so
    the controller holds the common part once per batch, not a view per host; the plays that run the roles compose
    each host's C(tridc_plan) from it at each read. What the controller holds per host is its node alone, whatever
    the size of the inventory, and Ansible's fork per host and task pays for the controller's memory (README,
    "Bank scale").
  - Runs on the controller and contacts no host.
options:
  plan:
    description:
      - The plan, as M(tridc.ovn.plan) returns it (its C(plan)).
      - Without it, the plan is read in place from localhost's registered result named by O(plan_from), with no
        templating and no copy of the whole plan, whatever its size.
    type: dict
  plan_from:
    description: The variable of localhost that holds M(tridc.ovn.plan)'s registered result (used without O(plan)).
    type: str
    default: tridc_plan_build
  hosts:
    description: The hosts whose views to return (inventory hostnames); every host of the plan when omitted.
    type: list
    elements: str
author:
  - tridc.ovn developers (@tridc)
notes:
  - A view's contents are documented in C(docs/plan-schema.md) of the collection ("Host views").
extends_documentation_fragment:
  - tridc.ovn.controller_only
"""

EXAMPLES = r"""
# in a play on localhost (hosts: localhost), as playbooks/plan_hosts.yml does
- name: Build and validate the network plan
  tridc.ovn.plan:
    fact: false
  register: tridc_plan_build

# then, in a play on the managed hosts, batch by batch (serial)
- name: The views of this batch's hosts, built on the controller and shared by the batch
  tridc.ovn.host_views:
    hosts: "{{ ansible_play_batch }}"
  delegate_to: localhost
  run_once: true
  register: tridc_plan_batch

# and in every later play that runs a role on those hosts
- name: Rollout · ovs
  hosts: ovn_chassis
  vars:
    tridc_plan: >-
      {{ dict(tridc_plan_batch.common, nodes={inventory_hostname: tridc_plan_batch.nodes[inventory_hostname]},
      scope={'host': inventory_hostname, 'dc': tridc_plan_batch.nodes[inventory_hostname].dc}) }}
  roles:
    - role: tridc.ovn.ovs

- name: One host's node, from a plan given as an argument
  tridc.ovn.host_views:
    plan: "{{ hostvars['localhost']['tridc_plan_build']['plan'] }}"
    hosts: [dc1-n1]
  delegate_to: localhost
  run_once: true
  register: one_view
"""

RETURN = r"""
common:
  description: >-
    What every host's view has alike: version, regions, rollout_order, settings, interconnect, and dcs without their
    host lists and their VLAN and subnet lists.
  returned: success
  type: dict
  sample: {"version": 1, "rollout_order": ["dc1", "dc2", "dc3"], "dcs": {"dc1": {"rollout_index": 0}}}
nodes:
  description: The node slice of each host asked for (every host of the plan without O(hosts)), keyed by host.
  returned: success
  type: dict
  sample: {"dc1-n1": {"dc": "dc1", "central": true}}
"""

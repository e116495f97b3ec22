#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation stub of the tridc.ovn.host_views action plugin (it runs on the controller only)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: host_views
short_description: Managed hosts' views of the network plan, built in one pass
version_added: 0.3.0
description:
  - Returns the views of the given hosts (what the C(tridc.ovn.host_plan) filter gives for one host), keyed by
    host, each as compact JSON text, built in one pass over the plan built by M(tridc.ovn.plan).
  - Handing a host its view is then a lookup by name, whose cost does not depend on the size of the
    inventory; the C(tridc.ovn.host_plan) filter over the whole plan costs more per host the larger the
    inventory (Ansible hands a filter lazy copies of the dicts and lists it reaches).
  - C(playbooks/plan_hosts.yml) runs it once per batch of hosts on the controller, hands each host of the batch
    its view, then registers a small result under the same name, so the views' text does not stay in the
    controller's memory (which Ansible's fork per host and task pays for) for the rest of the run.
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
- name: The views of this batch's hosts, built on the controller
  tridc.ovn.host_views:
    hosts: "{{ ansible_play_batch }}"
  delegate_to: localhost
  run_once: true
  register: tridc_plan_views

- name: Hand each host its view
  ansible.builtin.set_fact:
    tridc_plan: "{{ tridc_plan_views.views[inventory_hostname] | from_json }}"

- name: One host's view, from a plan given as an argument
  tridc.ovn.host_views:
    plan: "{{ hostvars['localhost']['tridc_plan_build']['plan'] }}"
    hosts: [dc1-n1]
  delegate_to: localhost
  run_once: true
  register: one_view
"""

RETURN = r"""
views:
  description: The view of each host asked for (every host of the plan without O(hosts)) as compact JSON text, keyed by host.
  returned: success
  type: dict
  sample: {"dc1-n1": "{\"version\":1,\"nodes\":{\"dc1-n1\":{\"dc\":\"dc1\"}}}"}
"""

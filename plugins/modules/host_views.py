#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation stub of the tridc.ovn.host_views action plugin (it runs on the controller only)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: host_views
short_description: Every managed host's view of the network plan, built in one pass
version_added: 0.3.0
description:
  - Takes the plan built by M(tridc.ovn.plan) and returns every host's view of it (what the
    C(tridc.ovn.host_plan) filter gives for one host), keyed by host, each as compact JSON text.
  - Handing a host its view is then a lookup by name, whose cost does not depend on the size of the
    inventory; the C(tridc.ovn.host_plan) filter over the whole plan costs more per host the larger the
    inventory (Ansible hands a filter lazy copies of the dicts and lists it reaches).
  - C(playbooks/plan_hosts.yml) registers the result, hands each host its view, then registers a small
    result under the same name: the views' text is not kept in the controller's memory for the rest of the run.
  - Runs on the controller and contacts no host.
options:
  plan:
    description: The plan, as M(tridc.ovn.plan) returns it (its C(plan)).
    type: dict
    required: true
author:
  - tridc.ovn developers (@tridc)
notes:
  - A view's contents are documented in C(docs/plan-schema.md) of the collection ("Host views").
attributes:
  check_mode:
    support: full
    description: The views are computed the same way in check mode; nothing is changed anywhere.
  diff_mode:
    support: none
    description: Nothing is changed, so there is nothing to diff.
  platform:
    support: full
    platforms: all
    description: Runs on the controller only.
"""

EXAMPLES = r"""
# in a play on localhost (hosts: localhost), as playbooks/plan_hosts.yml does
- name: Build and validate the network plan
  tridc.ovn.plan:
    fact: false
  register: tridc_plan_build

- name: Every host's view of it
  tridc.ovn.host_views:
    plan: "{{ tridc_plan_build.plan }}"
  register: tridc_plan_views

# then, in a play on the managed hosts
- name: Hand each host its view
  ansible.builtin.set_fact:
    tridc_plan: "{{ hostvars['localhost']['tridc_plan_views']['views'][inventory_hostname] | from_json }}"
"""

RETURN = r"""
views:
  description: Every host's view of the plan as compact JSON text, keyed by host.
  returned: success
  type: dict
  sample: {"dc1-n1": "{\"version\":1,\"nodes\":{\"dc1-n1\":{\"dc\":\"dc1\"}}}"}
"""

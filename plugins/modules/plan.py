#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation stub of the tridc.ovn.plan action plugin (it runs on the controller only)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: plan
short_description: Build and validate the three-DC network plan from the inventory
version_added: 0.1.0
description:
  - Reads the topology variables of the whole inventory (C(tridc_regions), C(tridc_dcs),
    C(tridc_provider_networks), C(tridc_subnets), C(tridc_interconnect) and the per-host
    C(tridc_dc), C(tridc_failure_domain), C(tridc_nics), C(tridc_mgmt_ip), C(tridc_encap_ip)) and
    the role groups (C(ovn_central), C(ovn_chassis), C(ovn_ic_db), C(ovn_gateway), C(kube_ovn_node)).
  - Validates them and computes the plan, the single source of truth every role reads.
  - Runs on the controller and contacts no host. C(--limit) does not narrow the plan.
  - On invalid input it fails and lists every problem, each naming the object and the field.
options:
  fact:
    description: Also set the plan as the fact C(tridc_plan).
    type: bool
    default: true
author:
  - tridc.ovn developers (@tridc)
notes:
  - The plan's structure is documented in C(docs/plan-schema.md) of the collection.
extends_documentation_fragment:
  - tridc.ovn.controller_only
"""

EXAMPLES = r"""
- name: Build the plan once for the play
  tridc.ovn.plan:
  run_once: true

- name: Show a node's bridge mappings
  ansible.builtin.debug:
    msg: "{{ tridc_plan | tridc.ovn.bridge_mappings(inventory_hostname) }}"
"""

RETURN = r"""
plan:
  description: The network plan (see docs/plan-schema.md).
  returned: success
  type: dict
summary:
  description: Node, central and gateway counts per DC and the rollout order.
  returned: success
  type: dict
problems:
  description: Every validation problem, each with object, field and message.
  returned: failure
  type: list
  elements: dict
"""

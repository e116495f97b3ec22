# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tridc.ovn.plan_diff filter."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import diff, views

DOCUMENTATION = r"""
---
name: plan_diff
short_description: What a new plan changes compared with an approved (baseline) plan
version_added: 0.1.0
description:
  - Compares the plan built by M(tridc.ovn.plan) with a baseline plan (an earlier C(plan.json)) for the change board.
  - Reports VLANs, subnets, provider networks and transit switches added, removed or changed; per DC the central
    members, IC database member, gateway priorities, OVN switches, DR routing and Kube-OVN resources that change;
    per node the bridges (NIC, trunks added and removed, MTU), mappings, addresses and roles that change; the DR
    takeover orders and per-prefix active DCs that move; and which hosts each phase of C(site.yml) would touch, in
    the order it runs them.
  - Identical plans give C(identical=true) and the Markdown says "No change".
  - Computes nothing about the network itself; both inputs are plans.
options:
  _input:
    description: The new plan (the C(tridc_plan) fact).
    type: dict
    required: true
  baseline:
    description: The approved plan, for example C(lookup('file', 'old/plan.json') | from_json).
    type: dict
    required: true
  output:
    description:
      - C(dict) returns the diff, C(markdown) the review text (C(plan-diff.md)), C(json) the diff as sorted JSON text,
        C(both) a dict with C(diff) and C(markdown) (one comparison for both files).
    type: str
    default: dict
    choices: [dict, markdown, json, both]
  baseline_name:
    description: How the Markdown names the baseline (for example its file name).
    type: str
    default: the baseline plan
author:
  - tridc.ovn developers (@tridc)
"""

EXAMPLES = r"""
- name: Write the plan diff for the change board
  ansible.builtin.copy:
    content: "{{ tridc_plan | tridc.ovn.plan_diff(lookup('ansible.builtin.file', 'old/plan.json') | from_json, output='markdown') }}"
    dest: /tmp/plan/plan-diff.md
    mode: "0644"
"""

RETURN = r"""
_value:
  description:
    - With O(output=dict), a dict with C(identical), C(network), C(dcs), C(nodes), C(dr), C(rollout) (steps with C(dc),
      C(phase), C(hosts), C(why)) and C(counts); with C(markdown) or C(json), that diff as text; with C(both),
      C(diff) and C(markdown).
  type: raw
"""


def plan_diff(plan, baseline, output="dict", baseline_name="the baseline plan"):
    try:
        views.check_plan_shape(plan)
        views.check_plan_shape(baseline)
    except views.ViewError as exc:
        raise AnsibleFilterError("tridc.ovn.plan_diff: %s" % exc) from exc
    if baseline.get("version") != plan.get("version"):
        raise AnsibleFilterError("tridc.ovn.plan_diff: the baseline is a version %s plan, this one version %s"
                                 % (baseline.get("version"), plan.get("version")))
    result = diff.compare(baseline, plan)
    if output == "markdown":
        return diff.to_markdown(result, baseline_name)
    if output == "json":
        return diff.to_json(result)
    if output == "both":
        return {"diff": result, "markdown": diff.to_markdown(result, baseline_name)}
    if output != "dict":
        raise AnsibleFilterError("tridc.ovn.plan_diff: output must be dict, markdown, json or both, got '%s'" % output)
    return result


class FilterModule:
    """tridc.ovn.plan_diff"""

    def filters(self):
        return {"plan_diff": plan_diff}

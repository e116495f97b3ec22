# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tridc.ovn.plan_audit filter."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import audit, views

DOCUMENTATION = r"""
---
name: plan_audit
short_description: Compare the real OVS/OVN state read on the hosts with the plan (drift audit)
version_added: 0.1.0
description:
  - The comparison behind C(playbooks/audit.yml). With O(output=reads) and O(host), what the audit reads on that
    host (C(ovs), C(raft), C(nb), C(ic)).
  - Otherwise O(states) holds what the hosts reported (C(hostvars), whose C(tridc_audit_state) is the registered
    result of M(tridc.ovn.ovn_state_info) and C(tridc_audit_ic) that of M(tridc.ovn.ovn_ic_info)), and the filter
    returns every difference per host and object (C(host), C(dc), C(object), C(field), C(planned), C(actual)).
  - It compares only what the collection manages - a node's OVN external IDs, provider bridges, NIC ports and trunks;
    a central member's raft membership; a DC's AZ name and owned OVN switches; the IC transit switches, AZs and gateways.
options:
  _input:
    description: The plan.
    type: dict
    required: true
  states:
    description: C(hostvars), or a dict host -> C({ovs, raft, nb, ic}) as the modules return them.
    type: raw
  output:
    description: C(dict) the drift list, C(markdown) the report text, C(both) a dict with C(drift) and C(markdown), C(reads) what to read on O(host).
    type: str
    default: dict
    choices: [dict, markdown, both, reads]
  host:
    description: With O(output=reads), the host.
    type: str
author:
  - tridc.ovn developers (@tridc)
"""

EXAMPLES = r"""
- name: Compare what the hosts reported with the plan
  ansible.builtin.set_fact:
    audit: "{{ tridc_plan | tridc.ovn.plan_audit(hostvars, output='both') }}"
"""

RETURN = r"""
_value:
  description: The drift list (empty when the network matches the plan), the Markdown report, both, or a host's reads.
  type: raw
"""


def _state(states, host):
    """One host's state from hostvars (registered results) or from a plain dict."""
    try:
        hv = states[host] if host in states else None
    except Exception:  # pylint: disable=broad-except
        hv = None
    if hv is None:
        return None
    if "tridc_audit_state" not in hv and "tridc_audit_ic" not in hv:
        return dict(hv)
    state = {}
    for key in ("tridc_audit_state", "tridc_audit_ic"):
        res = hv.get(key)
        if not isinstance(res, dict) or res.get("skipped"):
            continue
        if res.get("unreachable") or res.get("failed"):
            return {"failed": True, "msg": res.get("msg") or "unreachable"}
        if key == "tridc_audit_ic":
            state["ic"] = {k: res.get(k) for k in ("transit_switches", "availability_zones", "gateways")}
        else:
            state.update({k: res[k] for k in ("ovs", "raft", "nb") if k in res})
    return state


def plan_audit(plan, states=None, output="dict", host=None):
    try:
        views.check_plan_shape(plan)
    except views.ViewError as exc:
        raise AnsibleFilterError("tridc.ovn.plan_audit: %s" % exc) from exc
    if output == "reads":
        return audit.reads_for(plan, host)
    if states is None:
        raise AnsibleFilterError("tridc.ovn.plan_audit: states (hostvars) is required")
    collected = {h: _state(states, h) for h in audit.audited_hosts(plan)}
    drift = audit.compare(plan, collected)
    if output == "markdown":
        return audit.to_markdown(plan, drift)
    if output == "both":
        return {"drift": drift, "markdown": audit.to_markdown(plan, drift)}
    if output != "dict":
        raise AnsibleFilterError("tridc.ovn.plan_audit: output must be dict, markdown, both or reads, got '%s'" % output)
    return drift


class FilterModule:
    """tridc.ovn.plan_audit"""

    def filters(self):
        return {"plan_audit": plan_audit}

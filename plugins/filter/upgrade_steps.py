# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tridc.ovn.upgrade_steps filter."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import upgrade

DOCUMENTATION = r"""
---
name: upgrade_steps
short_description: The ordered steps of an OVN upgrade across the DCs of a plan
version_added: 0.1.0
description:
  - From the plan, the OVN version each host runs and the target version, the steps of the upgrade in the order they
    must run, one host at a time; see C(docs/upgrades.md) of the collection.
  - Fail-safe (from C(tridc.ovn.upgrade_procedure)) - pin every chassis first; then per DC in rollout order, the
    northd version frozen, the central members one at a time (the current raft leaders last), one schema conversion,
    the other chassis (gateways last, the one holding the transit port last of all), the DC's gate; then the IC
    database conversion and the pin removed.
  - Rolling - per DC the chassis first, then the central members, the conversion and the gate; then the IC
    database conversion.
  - A host step whose hosts run the target already is C(done), so that a rerun resumes where a run stopped.
  - An error names the hosts when a host has no version, runs a newer one than the target, or when the hosts run
    two versions besides the target.
options:
  _input:
    description: The plan (C(tridc_plan)).
    type: dict
    required: true
  installed:
    description: Host name to the OVN version it runs (a Debian package version is accepted).
    type: dict
    required: true
  target:
    description: The OVN version to upgrade to.
    type: str
    required: true
  leaders:
    description:
      - DC name to its databases' raft leaders now, each a mapping of C(nb) and C(sb) to a host name.
      - The leaders go last among the DC's central members; IC database members go with their DC.
    type: dict
    required: false
author:
  - tridc.ovn developers (@tridc)
"""

EXAMPLES = r"""
- name: The order of a Debian 12 to 13 upgrade
  ansible.builtin.debug:
    msg: "{{ tridc_plan | tridc.ovn.upgrade_steps(ovn_versions, '25.03.0-1') }}"
  vars:
    ovn_versions: {dc1-n1: 23.03.1-1~deb12u2, dc1-n2: 23.03.1-1~deb12u2, dc1-n3: 23.03.1-1~deb12u2}
"""

RETURN = r"""
_value:
  description:
    - C(procedure), C(from), C(to) and C(reason) as C(tridc.ovn.upgrade_procedure) gives them, and C(steps), a list of
      C({step, dc, hosts, done}) in the order they must run. C(step) is one of C(pin_controllers),
      C(freeze_northd_version), C(central_member), C(convert_schemas), C(node), C(ic_db_member), C(gate),
      C(convert_ic_schemas), C(unpin_controllers).
  type: dict
"""


def upgrade_steps(plan, installed, target, leaders=None):
    try:
        return upgrade.steps(plan, installed, target, leaders=leaders)
    except upgrade.VersionError as exc:
        raise AnsibleFilterError("tridc.ovn.upgrade_steps: %s" % exc) from exc


class FilterModule:
    """tridc.ovn.upgrade_steps"""

    def filters(self):
        return {"upgrade_steps": upgrade_steps}

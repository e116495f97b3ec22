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
    northd version frozen (ovn-northd stopped), the central members' databases one member at a time (the current raft
    leaders last), one schema conversion (then ovn-northd and ovn-ic start on the new binaries), every chassis
    (gateways last, the one holding the transit port last of all), the DC's gate; then the IC database conversion
    and the pin removed.
  - Rolling - per DC the chassis first, then the central members, the conversion and the gate; then the IC
    database conversion.
  - A host step whose hosts run the target already, and are not O(pending), is C(done), so that a rerun resumes where
    a run stopped. Every host step is C(central_member) (the member's databases), C(node) (a chassis - central members
    too - Open vSwitch and ovn-controller) or C(ic_db_member) (an IC database member that is not a central member).
  - An error names the hosts when a host has no version, runs a newer one than the target, or when the hosts run
    two versions besides the target.
options:
  _input:
    description: The plan (C(tridc_plan)).
    type: dict
    required: true
  installed:
    description: Host name to the OVN version it runs (a Debian package version is accepted). Required without O(versions).
    type: dict
  target:
    description: The OVN version to upgrade to. Required without O(versions).
    type: str
  versions:
    description:
      - Instead of O(installed), O(target), O(pending) and O(leaders) - every OVN host's M(tridc.ovn.ovn_versions)
        result read with the plan's package source. The target is the C(ovn-common) the source offers (every host must
        see the same); with O(raft), the leaders come from the hosts too.
      - The result then also has C(slots) (per DC in rollout order, the hosts of each play of C(playbooks/upgrade.yml)
        whose step is not done), C(pin), C(unpin), C(ic_db) and C(pending).
    type: dict
  raft:
    description: With O(versions), every central member's M(tridc.ovn.ovn_cluster) result for C(dbs=[nb, sb]).
    type: dict
  leaders:
    description:
      - DC name to its databases' raft leaders now, each a mapping of C(nb) and C(sb) to a host name.
      - The leaders go last among the DC's central members; IC database members go with their DC.
    type: dict
    required: false
  pending:
    description:
      - Hosts with a daemon that does not run its installed package yet or does not answer (a run stopped in the
        middle of the host); their steps are not C(done), whatever their version.
    type: list
    elements: str
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
      mappings with the keys C(step), C(dc), C(hosts) and C(done), in the order they must run. C(step) is one of
      C(pin_controllers), C(freeze_northd_version), C(central_member), C(convert_schemas), C(node), C(ic_db_member),
      C(gate), C(convert_ic_schemas), C(ic_daemons), C(unpin_controllers).
    - C(hosts) maps each DC to its host steps, each to its hosts in order; C(lines) is the numbered order as
      C(playbooks/upgrade.yml) prints it.
  type: dict
"""


def upgrade_steps(plan, installed=None, target=None, leaders=None, pending=None, versions=None, raft=None):
    try:
        if versions is not None:
            return upgrade.from_reports(plan, versions, raft)
        if installed is None or target is None:
            raise upgrade.VersionError("give installed and target, or versions (the hosts' reports)")
        return upgrade.steps(plan, installed, target, leaders=leaders, pending=pending or ())
    except upgrade.VersionError as exc:
        raise AnsibleFilterError("tridc.ovn.upgrade_steps: %s" % exc) from exc


class FilterModule:
    """tridc.ovn.upgrade_steps"""

    def filters(self):
        return {"upgrade_steps": upgrade_steps}

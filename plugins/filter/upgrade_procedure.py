# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tridc.ovn.upgrade_procedure filter."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import upgrade

DOCUMENTATION = r"""
---
name: upgrade_procedure
short_description: The OVN upgrade procedure (rolling or fail-safe) between two OVN versions
version_added: 0.1.0
description:
  - Says which procedure OVN's upgrade document allows from the installed OVN version to the target one.
  - Rolling (controllers first) within a release series, from an LTS release up to the next LTS release, and from a
    non-LTS release to the very next LTS release; fail-safe (controllers pinned, databases and northd first) otherwise.
  - A downgrade or a string that is not an OVN version is an error.
  - See C(docs/upgrades.md) of the collection.
options:
  _input:
    description: The installed OVN version, for example C(23.03.1-1~deb12u2) (a Debian package version is accepted).
    type: str
    required: true
  target:
    description: The OVN version to upgrade to, for example C(25.03.0-1).
    type: str
    required: true
author:
  - tridc.ovn developers (@tridc)
"""

EXAMPLES = r"""
- name: Debian 12 to 13
  ansible.builtin.debug:
    msg: "{{ '23.03.1-1~deb12u2' | tridc.ovn.upgrade_procedure('25.03.0-1') }}"
  # procedure: fail-safe; order: pin_controllers, freeze_northd_version, databases_and_northd, controllers, ...
"""

RETURN = r"""
_value:
  description:
    - C(procedure) (C(none), C(rolling) or C(fail-safe)), C(from) and C(to) (C(YY.MM.P)), C(order) (the phases in the
      order they must run) and C(reason) (one sentence).
  type: dict
"""


def upgrade_procedure(installed, target):
    try:
        return upgrade.procedure(installed, target)
    except upgrade.VersionError as exc:
        raise AnsibleFilterError("tridc.ovn.upgrade_procedure: %s" % exc) from exc


class FilterModule:
    """tridc.ovn.upgrade_procedure"""

    def filters(self):
        return {"upgrade_procedure": upgrade_procedure}

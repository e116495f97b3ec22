#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: ovn_ic_transit
short_description: Transit switches in the OVN interconnection Northbound database
version_added: 0.1.0
description:
  - Makes the C(Transit_Switch) rows of the C(OVN_IC_Northbound) database match O(switches). C(ovn-ic) in every
    availability zone then creates the transit switch as a logical switch in its zone's Northbound database.
  - The collection's switches carry C(external_ids:tridc-subnet) (the link subnet of the plan, for people and gates).
  - Transit switches that are not listed are left alone unless O(purge=true) and they carry C(external_ids:tridc-subnet),
    so switches made by others (for example Kube-OVN's C(ts)) are never removed.
  - Reads with one C(ovsdb-client transact) (select) and writes with one C(ovn-ic-nbctl) transaction, only when
    something differs.
author:
  - tridc.ovn developers (@tridc)
requirements:
  - C(ovsdb-client) (openvswitch-common) and C(ovn-ic-nbctl) (ovn-common) on the managed node.
extends_documentation_fragment:
  - tridc.ovn.ovn_db_tls
attributes:
  check_mode:
    support: full
    description: Computes the difference and returns the commands without running them.
  diff_mode:
    support: full
    description: Returns the transit switches before and after.
  platform:
    support: full
    platforms: posix
    description: Runs on a host that reaches the IC Northbound database, normally an IC database member (unix socket).
options:
  switches:
    description: The transit switches.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Name of the transit switch (the logical switch name in every AZ).
        type: str
        required: true
      subnet:
        description: The link subnet of the routers on the switch (recorded as C(external_ids:tridc-subnet)).
        type: str
        required: true
  purge:
    description: Remove transit switches marked with C(external_ids:tridc-subnet) that are not in O(switches).
    type: bool
    default: false
  database:
    description: The IC Northbound database. Defaults to the local unix socket C(unix:/var/run/ovn/ovn_ic_nb_db.sock).
    type: str
seealso:
  - module: tridc.ovn.ovn_ic_az
  - module: tridc.ovn.ovn_ic_info
'''

EXAMPLES = r'''
- name: Transit switches of the plan
  tridc.ovn.ovn_ic_transit:
    switches: "{{ tridc_plan.interconnect.transit_switches }}"
    purge: true
'''

RETURN = r'''
switches:
  description: The collection's transit switches after the run (name -> subnet).
  returned: always
  type: dict
  sample: {ts-dr: 169.254.100.0/24}
commands:
  description: The ovn-ic-nbctl commands of the write transaction (empty when nothing differs).
  returned: always
  type: list
  elements: list
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.tridc.ovn.plugins.module_utils.ovn_ic import DB_ARGS, OvnDb, OvnIcError, ctl_value

TAG = 'tridc-subnet'


def main():
    argument_spec = dict(
        switches=dict(type='list', elements='dict', required=True, options=dict(
            name=dict(type='str', required=True),
            subnet=dict(type='str', required=True),
        )),
        purge=dict(type='bool', default=False),
    )
    argument_spec.update(DB_ARGS)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        db = OvnDb.from_params(module, 'ic_nb')
        rows = db.select({'Transit_Switch': ['name', 'external_ids']})['Transit_Switch']
    except OvnIcError as exc:
        module.fail_json(**exc.fail_kwargs())

    existing = dict((r['name'], r['external_ids'].get(TAG)) for r in rows)
    wanted = dict((s['name'], s['subnet']) for s in module.params['switches'])
    commands = []
    for name, subnet in sorted(wanted.items()):
        if name not in existing:
            commands.append(['ts-add', name])
        if existing.get(name) != subnet:
            commands.append(['set', 'Transit_Switch', name, 'external_ids:%s=%s' % (TAG, ctl_value(subnet))])
    after = dict((n, s) for n, s in existing.items() if s is not None)
    after.update(wanted)
    if module.params['purge']:
        for name, subnet in sorted(existing.items()):
            if subnet is not None and name not in wanted:
                commands.append(['ts-del', name])
                after.pop(name)
    before = dict((n, s) for n, s in existing.items() if s is not None)
    result = dict(changed=bool(commands), commands=commands, switches=after)
    if module._diff:
        result['diff'] = dict(before=before, after=after)
    if commands and not module.check_mode:
        try:
            db.ctl(commands)
        except OvnIcError as exc:
            module.fail_json(**exc.fail_kwargs())
    module.exit_json(**result)


if __name__ == '__main__':
    main()

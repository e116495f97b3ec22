#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: ovs_config
short_description: Merge keys into the Open_vSwitch table's external_ids and other_config
version_added: 0.1.0
description:
  - Sets keys of the C(external_ids) and C(other_config) columns of the (only) row of the
    Open vSwitch database's C(Open_vSwitch) table, for example C(system-id), C(hostname),
    C(ovn-remote), C(ovn-encap-ip), C(ovn-bridge-mappings) or C(ovn-bridge-datapath-type).
  - The given keys are B(merged). Keys that are not given are never removed, whoever wrote them
    (ovn-controller, Kube-OVN, an operator). A key is only removed when it is listed in O(absent_keys).
    This avoids overwriting keys that other tools own, such as the C(ovn-bridge-mappings) overwrite
    described in Kube-OVN issue 3074.
  - Reads the row with one C(ovs-vsctl) invocation and writes all differences as one atomic transaction;
    nothing is written when nothing differs.
author:
  - tridc.ovn contributors (!UNKNOWN)
requirements:
  - C(ovs-vsctl) on the managed node and a reachable C(ovsdb-server).
attributes:
  check_mode:
    support: full
    description: Computes the transaction and returns it in RV(commands) without running it.
  diff_mode:
    support: full
    description: Returns both columns before and after the change.
  platform:
    support: full
    platforms: posix
    description: Runs on the node that hosts the Open vSwitch database (or reaches it through O(db)).
options:
  external_ids:
    description:
      - Keys to set in C(external_ids). Values are converted to strings (booleans to V(true)/V(false)).
      - A key with no value is an error; list it in O(absent_keys) to remove it.
    type: dict
    default: {}
  other_config:
    description:
      - Keys to set in C(other_config), for example C(dpdk-init). Same rules as O(external_ids).
    type: dict
    default: {}
  absent_keys:
    description:
      - Keys to remove, each written as V(COLUMN:KEY) with COLUMN one of V(external_ids) or V(other_config),
        for example V(external_ids:ovn-remote). A key may not be both set and listed here.
    type: list
    elements: str
    default: []
  db:
    description: The OVSDB server to talk to, passed to C(ovs-vsctl --db).
    type: str
    default: unix:/var/run/openvswitch/db.sock
  timeout:
    description: Seconds C(ovs-vsctl) waits for the database and for ovs-vswitchd (C(--timeout)); V(0) waits forever.
    type: int
    default: 30
  wait:
    description:
      - Wait until ovs-vswitchd has applied the change. V(false) passes C(--no-wait), which is needed when no
        ovs-vswitchd runs (for example when only C(ovsdb-server) is running).
    type: bool
    default: true
notes:
  - The module runs at most two C(ovs-vsctl) processes, one read and, when something differs, one write transaction.
seealso:
  - module: tridc.ovn.ovs_bridge
'''

EXAMPLES = r'''
- name: Identity and OVN settings of a chassis (other keys are kept)
  tridc.ovn.ovs_config:
    external_ids:
      system-id: dc1-n1
      hostname: dc1-n1
      ovn-bridge-datapath-type: netdev
      ovn-bridge-mappings: "business:br-business,storage:br-storage"

- name: Remove a key
  tridc.ovn.ovs_config:
    absent_keys:
      - external_ids:ovn-remote
'''

RETURN = r'''
commands:
  description:
    - The argv of the one C(ovs-vsctl) write transaction; empty when nothing differs.
    - In check mode the transaction that would have run.
  returned: always
  type: list
  elements: str
  sample: ["/usr/bin/ovs-vsctl", "--db=unix:/var/run/openvswitch/db.sock", "--timeout=30", "--",
           "set", "Open_vSwitch", ".", "external_ids:\"system-id\"=\"dc1-n1\""]
external_ids:
  description: The C(external_ids) column after the change (or as it would be in check mode).
  returned: success
  type: dict
  sample: {system-id: dc1-n1, hostname: dc1-n1}
other_config:
  description: The C(other_config) column after the change (or as it would be in check mode).
  returned: success
  type: dict
  sample: {}
diff:
  description: Both columns before and after.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: C(external_ids) and C(other_config) as they were.
      type: dict
    after:
      description: C(external_ids) and C(other_config) as they are (or would be in check mode).
      type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.tridc.ovn.plugins.module_utils.ovs import (
    OVS_COMMON_ARGUMENT_SPEC,
    OvsError,
    OvsVsctl,
    as_map,
    map_changes,
    merge_map,
    normalize_map,
    parse_absent_keys,
    remove_keys_command,
)

COLUMNS = ['external_ids', 'other_config']


def read_state(vsctl):
    rows = vsctl.read_tables([('Open_vSwitch', ['_uuid'] + COLUMNS)])['Open_vSwitch']
    if not rows:
        return dict((c, {}) for c in COLUMNS), False
    return dict((c, as_map(rows[0][c])) for c in COLUMNS), True


def wanted_state(params, before):
    absent = parse_absent_keys(params['absent_keys'], COLUMNS, 'ovs_config')
    after = {}
    for column in COLUMNS:
        wanted = normalize_map(params[column], column)
        after[column] = merge_map(before[column], wanted, absent[column], column)
    return after


def config_commands(before, after, row_exists):
    commands = []
    set_args, removals = [], []
    for column in COLUMNS:
        args, removed = map_changes(column, before[column], after[column])
        set_args.extend(args)
        if removed:
            removals.append(remove_keys_command('Open_vSwitch', '.', column, removed))
    if (set_args or removals) and not row_exists:
        commands.append(['init'])
    if set_args:
        commands.append(['set', 'Open_vSwitch', '.'] + set_args)
    return commands + removals


def main():
    spec = dict(
        external_ids=dict(type='dict', default={}),
        other_config=dict(type='dict', default={}),
        absent_keys=dict(type='list', elements='str', default=[], no_log=False),
    )
    spec.update(OVS_COMMON_ARGUMENT_SPEC)
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    vsctl = OvsVsctl(module)
    try:
        before, row_exists = read_state(vsctl)
        after = wanted_state(module.params, before)
    except OvsError as exc:
        module.fail_json(**exc.fail_kwargs())
    except ValueError as exc:
        module.fail_json(msg=str(exc))

    commands = config_commands(before, after, row_exists)
    try:
        argv = vsctl.apply(commands)
    except OvsError as exc:
        module.fail_json(**exc.fail_kwargs())

    result = dict(changed=bool(commands), commands=argv, **after)
    if module._diff:
        result['diff'] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == '__main__':
    main()

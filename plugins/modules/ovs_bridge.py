#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: ovs_bridge
short_description: Manage an Open vSwitch bridge and its ports in one OVSDB transaction
version_added: 0.1.0
description:
  - Creates, updates or removes one Open vSwitch bridge together with its ports.
  - The module reads the Bridge, Port and Interface tables with one C(ovs-vsctl) invocation,
    compares them with the wanted state and applies all differences as one atomic
    C(ovs-vsctl) transaction. When nothing differs nothing is written.
  - Map columns (O(external_ids), O(other_config), O(ports[].options), ...) are merged. Keys that
    are not given are left as they are (other software such as ovn-controller writes its own keys).
    A key is only removed when it is listed in O(absent_keys) or O(ports[].absent_keys).
  - Other scalar columns are only managed when their option is given.
  - Ports are single-interface ports; the port and its interface have the same name. Bonds are not supported.
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
    description: Returns the bridge before and after the change.
  platform:
    support: full
    platforms: posix
    description: Runs on the node that hosts the Open vSwitch database (or reaches it through O(db)).
options:
  name:
    description: Name of the bridge.
    type: str
    required: true
    aliases: [bridge]
  state:
    description:
      - V(present) creates or updates the bridge, V(absent) deletes it with all its ports.
    type: str
    choices: [present, absent]
    default: present
  datapath_type:
    description:
      - The bridge's datapath type, for example V(system) (kernel datapath) or V(netdev) (userspace).
      - An empty datapath type in the database is the same as V(system).
      - Left as it is when not given (a new bridge then gets the OVS default, V(system)).
    type: str
  fail_mode:
    description: The bridge's fail mode. Left as it is when not given.
    type: str
    choices: [secure, standalone]
  external_ids:
    description: Keys to set in the bridge's C(external_ids) column (merged, see O(absent_keys)).
    type: dict
  other_config:
    description:
      - Keys to set in the bridge's C(other_config) column (merged, see O(absent_keys)).
      - For example C(hwaddr) sets the MAC address of the bridge's local port.
    type: dict
  absent_keys:
    description:
      - Map keys to remove from the bridge, each written as V(COLUMN:KEY) with COLUMN one of
        V(external_ids) or V(other_config), for example V(other_config:hwaddr).
    type: list
    elements: str
    default: []
  mtu_request:
    description: MTU requested for the bridge's local (internal) interface. Left as it is when not given.
    type: int
  ports:
    description:
      - Ports of the bridge. Ports that are not listed are kept unless O(ports_exclusive=true).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Name of the port and of its interface.
        type: str
        required: true
      state:
        description: V(absent) removes the port from this bridge.
        type: str
        choices: [present, absent]
        default: present
      type:
        description:
          - Interface type, for example V(system) (a network device of the host), V(internal),
            V(patch), V(geneve), V(vxlan), V(tap).
          - A new port without O(ports[].type) becomes a V(system) port; an existing port keeps its type.
        type: str
      tag:
        description:
          - VLAN tag of an access port (0-4095). V(-1) removes the tag. Left as it is when not given.
        type: int
      trunks:
        description:
          - VLANs that the port trunks (0-4095). V(0) in the list means untagged (native VLAN 0) frames
            are accepted. An empty list removes the restriction (all VLANs). Left as it is when not given.
        type: list
        elements: int
      vlan_mode:
        description: The port's VLAN mode. Left as it is when not given.
        type: str
        choices: [access, trunk, native-tagged, native-untagged, dot1q-tunnel]
      mtu_request:
        description: MTU requested for the interface. Left as it is when not given.
        type: int
      external_ids:
        description: Keys to set in the Port's C(external_ids) column (merged).
        type: dict
      other_config:
        description: Keys to set in the Port's C(other_config) column (merged).
        type: dict
      options:
        description:
          - Keys to set in the Interface's C(options) column (merged), for example C(peer) of a patch port
            or C(remote_ip) of a tunnel.
        type: dict
      interface_external_ids:
        description: Keys to set in the Interface's C(external_ids) column (merged), for example C(iface-id).
        type: dict
      absent_keys:
        description:
          - Map keys to remove, each written as V(COLUMN:KEY) with COLUMN one of V(external_ids),
            V(other_config) (Port columns), V(options), V(interface_external_ids) (Interface columns).
        type: list
        elements: str
        default: []
  ports_exclusive:
    description:
      - When V(true), ports of the bridge that are not listed in O(ports) are removed
        (the bridge's own local port is never removed).
      - Note that this also removes ports that other software added, for example the patch ports
        that ovn-controller creates for bridge mappings.
    type: bool
    default: false
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
  - A port that is attached to another bridge is not moved; the module fails instead.
seealso:
  - module: tridc.ovn.ovs_config
'''

EXAMPLES = r'''
- name: Provider bridge with the NIC as trunk port (VLAN 0 = untagged frames)
  tridc.ovn.ovs_bridge:
    name: br-business
    datapath_type: netdev
    other_config:
      hwaddr: "52:54:00:12:34:56"
    ports:
      - name: eth0
        trunks: [0, 101, 102]

- name: A pair of patch ports
  tridc.ovn.ovs_bridge:
    name: br-a
    ports:
      - name: patch-a-to-b
        type: patch
        options:
          peer: patch-b-to-a

- name: Exactly these ports, remove any other
  tridc.ovn.ovs_bridge:
    name: br-test
    ports_exclusive: true
    ports:
      - name: veth0
        tag: 100

- name: Remove one key and one port, keep the rest
  tridc.ovn.ovs_bridge:
    name: br-business
    absent_keys:
      - other_config:hwaddr
    ports:
      - name: old0
        state: absent

- name: Delete the bridge
  tridc.ovn.ovs_bridge:
    name: br-test
    state: absent
'''

RETURN = r'''
commands:
  description:
    - The argv of the one C(ovs-vsctl) write transaction; empty when nothing differs.
    - In check mode the transaction that would have run.
  returned: always
  type: list
  elements: str
  sample: ["/usr/bin/ovs-vsctl", "--db=unix:/var/run/openvswitch/db.sock", "--timeout=30", "--", "add-br", "br0"]
bridge:
  description:
    - The bridge after the change (in check mode, as it would be), in the same form as RV(diff.after)
      - C(state), the bridge's columns and C(ports) by name, including ports that are not managed here.
    - Only C(state=absent) when the bridge does not (or would not) exist.
  returned: success
  type: dict
  sample: {state: present, name: br0, datapath_type: netdev, fail_mode: null, external_ids: {}, other_config: {},
           mtu_request: null, ports: {}}
diff:
  description: The bridge before and after (C(state), columns, and C(ports) by name).
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: Bridge as it was.
      type: dict
    after:
      description: Bridge as it is (or would be in check mode).
      type: dict
  sample:
    before: {state: absent}
    after:
      state: present
      name: br0
      datapath_type: netdev
      fail_mode: null
      external_ids: {}
      other_config: {}
      mtu_request: null
      ports:
        eth0: {type: system, tag: null, trunks: [0, 101], vlan_mode: null, mtu_request: null,
               external_ids: {}, other_config: {}, options: {}, interface_external_ids: {}}
'''

import copy

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.tridc.ovn.plugins.module_utils.ovs import (
    OVS_COMMON_ARGUMENT_SPEC,
    OvsError,
    OvsVsctl,
    as_list,
    as_map,
    as_optional,
    map_changes,
    merge_map,
    normalize_map,
    parse_absent_keys,
    remove_keys_command,
    set_value,
)

BRIDGE_COLUMNS = ['_uuid', 'name', 'ports', 'datapath_type', 'fail_mode', 'external_ids', 'other_config']
PORT_COLUMNS = ['_uuid', 'name', 'interfaces', 'tag', 'trunks', 'vlan_mode', 'external_ids', 'other_config']
INTERFACE_COLUMNS = ['_uuid', 'name', 'type', 'options', 'external_ids', 'other_config', 'mtu_request']

BRIDGE_MAPS = ['external_ids', 'other_config']
# model key -> (table, column)
PORT_MAPS = {
    'external_ids': ('Port', 'external_ids'),
    'other_config': ('Port', 'other_config'),
    'options': ('Interface', 'options'),
    'interface_external_ids': ('Interface', 'external_ids'),
}


def empty_port():
    """What add-port creates: the model a new port is compared with."""
    return dict(type='system', tag=None, trunks=[], vlan_mode=None, mtu_request=None,
                external_ids={}, other_config={}, options={}, interface_external_ids={})


def empty_bridge(name):
    """What add-br creates."""
    return dict(state='present', name=name, datapath_type='system', fail_mode=None,
                external_ids={}, other_config={}, mtu_request=None, ports={})


def read_state(vsctl, name):
    """Current model of bridge ``name`` (or {'state': 'absent'}) and port -> owning bridge."""
    tables = vsctl.read_tables([('Bridge', BRIDGE_COLUMNS), ('Port', PORT_COLUMNS), ('Interface', INTERFACE_COLUMNS)])
    ports = dict((row['_uuid'], row) for row in tables['Port'])
    ifaces = dict((row['_uuid'], row) for row in tables['Interface'])
    owner = {}
    bridge = None
    for row in tables['Bridge']:
        for port_uuid in as_list(row['ports']):
            if port_uuid in ports:
                owner[ports[port_uuid]['name']] = row['name']
        if row['name'] == name:
            bridge = row
    if bridge is None:
        return dict(state='absent'), owner, set()

    model = dict(state='present', name=name,
                 datapath_type=bridge['datapath_type'] or 'system',
                 fail_mode=as_optional(bridge['fail_mode']),
                 external_ids=as_map(bridge['external_ids']),
                 other_config=as_map(bridge['other_config']),
                 mtu_request=None, ports={})
    bonds = set()
    for port_uuid in as_list(bridge['ports']):
        port = ports.get(port_uuid)
        if port is None:
            continue
        iface_rows = [ifaces[u] for u in as_list(port['interfaces']) if u in ifaces]
        if port['name'] == name:
            # the bridge's local port: only its MTU is managed (mtu_request)
            if len(iface_rows) == 1:
                model['mtu_request'] = as_optional(iface_rows[0]['mtu_request'])
            continue
        if len(iface_rows) != 1:
            bonds.add(port['name'])
        iface = iface_rows[0] if iface_rows else dict(type='', options={}, external_ids={}, mtu_request=[])
        model['ports'][port['name']] = dict(
            type=iface['type'] or 'system',
            tag=as_optional(port['tag']),
            trunks=sorted(as_list(port['trunks'])),
            vlan_mode=as_optional(port['vlan_mode']),
            mtu_request=as_optional(iface['mtu_request']),
            external_ids=as_map(port['external_ids']),
            other_config=as_map(port['other_config']),
            options=as_map(iface['options']),
            interface_external_ids=as_map(iface['external_ids']),
        )
    return model, owner, bonds


def check_vlan(value, what):
    if not 0 <= value <= 4095:
        raise ValueError('%s: VLAN %d is not within 0-4095' % (what, value))


def wanted_state(params, before, owner, bonds):
    """The bridge model after the change."""
    name = params['name']
    if params['state'] == 'absent':
        return dict(state='absent')

    after = copy.deepcopy(before) if before['state'] == 'present' else empty_bridge(name)
    for key in ('datapath_type', 'fail_mode', 'mtu_request'):
        if params[key] is not None:
            after[key] = params[key]
    absent = parse_absent_keys(params['absent_keys'], BRIDGE_MAPS, 'bridge %s' % name)
    for column in BRIDGE_MAPS:
        wanted = normalize_map(params[column], 'bridge %s %s' % (name, column))
        after[column] = merge_map(after[column], wanted, absent[column], 'bridge %s %s' % (name, column))

    listed = set()
    for port in params['ports']:
        pname = port['name']
        what = 'port %s' % pname
        if pname in listed:
            raise ValueError('%s is listed more than once' % what)
        listed.add(pname)
        if pname == name:
            raise ValueError('%s is the bridge\'s local port; use mtu_request/other_config of the bridge' % what)
        if port['state'] == 'absent':
            after['ports'].pop(pname, None)
            continue
        if owner.get(pname, name) != name:
            raise ValueError('%s is attached to bridge %s; remove it there first' % (what, owner[pname]))
        if pname in bonds:
            raise ValueError('%s has more than one interface (bond); bonds are not supported' % what)
        model = after['ports'].get(pname) or empty_port()
        if port['type'] is not None:
            model['type'] = port['type'] or 'system'
        if port['tag'] is not None:
            if port['tag'] == -1:
                model['tag'] = None
            else:
                check_vlan(port['tag'], what + ' tag')
                model['tag'] = port['tag']
        if port['trunks'] is not None:
            for vlan in port['trunks']:
                check_vlan(vlan, what + ' trunks')
            model['trunks'] = sorted(set(port['trunks']))
        for key in ('vlan_mode', 'mtu_request'):
            if port[key] is not None:
                model[key] = port[key]
        absent = parse_absent_keys(port['absent_keys'], list(PORT_MAPS), what)
        for key in PORT_MAPS:
            wanted = normalize_map(port[key], '%s %s' % (what, key))
            model[key] = merge_map(model[key], wanted, absent[key], '%s %s' % (what, key))
        after['ports'][pname] = model

    if params['ports_exclusive']:
        for pname in list(after['ports']):
            if pname not in listed:
                del after['ports'][pname]
    return after


def _ovs_type(value):
    return '' if value == 'system' else value


def port_commands(bridge, pname, old, new):
    """Commands that turn port model ``old`` (None = missing) into ``new``."""
    commands = []
    if old is None:
        commands.append(['add-port', bridge, pname])
        old = empty_port()
    port_set, iface_set = [], []
    if new['tag'] != old['tag']:
        if new['tag'] is None:
            commands.append(['clear', 'Port', pname, 'tag'])
        else:
            port_set.append(set_value('tag', new['tag']))
    if new['trunks'] != old['trunks']:
        port_set.append(set_value('trunks', new['trunks']))
    if new['vlan_mode'] != old['vlan_mode']:
        port_set.append(set_value('vlan_mode', new['vlan_mode']))
    if new['type'] != old['type']:
        iface_set.append(set_value('type', _ovs_type(new['type'])))
    if new['mtu_request'] != old['mtu_request']:
        iface_set.append(set_value('mtu_request', new['mtu_request']))
    removals = []
    for key, (table, column) in PORT_MAPS.items():
        args, removed = map_changes(column, old[key], new[key])
        (port_set if table == 'Port' else iface_set).extend(args)
        if removed:
            removals.append(remove_keys_command(table, pname, column, removed))
    if iface_set:
        commands.append(['set', 'Interface', pname] + iface_set)
    if port_set:
        commands.append(['set', 'Port', pname] + port_set)
    return commands + removals


def bridge_commands(before, after):
    """The ovs-vsctl commands (lists of args) that turn ``before`` into ``after``."""
    if after['state'] == 'absent':
        if before['state'] == 'absent':
            return []
        return [['del-br', before['name']]]
    name = after['name']
    commands = []
    if before['state'] == 'absent':
        commands.append(['add-br', name])
        before = empty_bridge(name)
    bridge_set, removals = [], []
    for key in ('datapath_type', 'fail_mode'):
        if after[key] != before[key]:
            bridge_set.append(set_value(key, after[key]))
    for column in BRIDGE_MAPS:
        args, removed = map_changes(column, before[column], after[column])
        bridge_set.extend(args)
        if removed:
            removals.append(remove_keys_command('Bridge', name, column, removed))
    if bridge_set:
        commands.append(['set', 'Bridge', name] + bridge_set)
    commands.extend(removals)
    if after['mtu_request'] != before['mtu_request'] and after['mtu_request'] is not None:
        commands.append(['set', 'Interface', name, set_value('mtu_request', after['mtu_request'])])
    for pname in sorted(before['ports']):
        if pname not in after['ports']:
            commands.append(['del-port', name, pname])
    for pname in sorted(after['ports']):
        old = before['ports'].get(pname)
        if old != after['ports'][pname]:
            commands.extend(port_commands(name, pname, old, after['ports'][pname]))
    return commands


def argument_spec():
    port_spec = dict(
        name=dict(type='str', required=True),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        type=dict(type='str'),
        tag=dict(type='int'),
        trunks=dict(type='list', elements='int'),
        vlan_mode=dict(type='str', choices=['access', 'trunk', 'native-tagged', 'native-untagged', 'dot1q-tunnel']),
        mtu_request=dict(type='int'),
        external_ids=dict(type='dict'),
        other_config=dict(type='dict'),
        options=dict(type='dict'),
        interface_external_ids=dict(type='dict'),
        absent_keys=dict(type='list', elements='str', default=[], no_log=False),
    )
    spec = dict(
        name=dict(type='str', required=True, aliases=['bridge']),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        datapath_type=dict(type='str'),
        fail_mode=dict(type='str', choices=['secure', 'standalone']),
        external_ids=dict(type='dict'),
        other_config=dict(type='dict'),
        absent_keys=dict(type='list', elements='str', default=[], no_log=False),
        mtu_request=dict(type='int'),
        ports=dict(type='list', elements='dict', default=[], options=port_spec),
        ports_exclusive=dict(type='bool', default=False),
    )
    spec.update(OVS_COMMON_ARGUMENT_SPEC)
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    vsctl = OvsVsctl(module)
    try:
        before, owner, bonds = read_state(vsctl, module.params['name'])
        after = wanted_state(module.params, before, owner, bonds)
    except OvsError as exc:
        module.fail_json(**exc.fail_kwargs())
    except ValueError as exc:
        module.fail_json(msg=str(exc))

    commands = bridge_commands(before, after)
    try:
        argv = vsctl.apply(commands)
    except OvsError as exc:
        module.fail_json(**exc.fail_kwargs())

    result = dict(changed=bool(commands), commands=argv, bridge=after)
    if module._diff:
        result['diff'] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == '__main__':
    main()

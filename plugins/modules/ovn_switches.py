#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: ovn_switches
short_description: A DC's subnets as OVN logical switches (VLAN subnets with a localnet port), in one transaction
version_added: 0.2.0
description:
  - Applies the whole set of a DC's subnets (VLAN underlay subnets and overlay subnets) to the DC's Northbound database with B(one) read
    (C(ovsdb-client transact), one snapshot) and at most B(one) C(ovn-nbctl) transaction, only when something differs.
  - Per subnet, a logical switch with C(other_config:subnet) (OVN's IPAM) and C(other_config:exclude_ips) (the gateway
    and the subnet's excluded ranges, so that dynamic addresses never take them), and a localnet port
    (C(type=localnet), C(addresses=unknown), C(options:network_name) = the provider network, C(tag) = the VLAN id;
    no tag for VLAN 0, the native VLAN). Workloads bound to the switch on a chassis whose C(ovn-bridge-mappings) maps
    the provider network reach the physical VLAN at L2.
  - An overlay subnet (no O(switches[].localnet)) is the same switch without a localnet port; the interconnection
    phase attaches it to the DC's router.
  - Per VLAN subnet with O(switches[].dhcp), OVN's DHCP answer for it, a C(DHCP_Options) row for the subnet marked
    like the switch, with the router, the provider network's MTU, the lease time and the server's address and MAC. A
    workload port made by M(tridc.ovn.ovn_port) points at it, so a workload that asks by DHCP gets its fixed address,
    the gateway and the VLAN's MTU from OVN.
  - The switches it creates carry C(external_ids:tridc-owner=tridc.ovn) and C(external_ids:tridc-subnet). A switch of
    the same name that does not carry them was not made by this collection; the module refuses to touch it and says so.
  - With O(purge), a switch that it created and that the plan no longer holds is removed, but only when no workload
    port is on it (a port other than its localnet port); otherwise the run fails, naming the switch and its ports,
    and nothing is written.
author:
  - tridc.ovn developers (@tridc)
requirements:
  - C(ovsdb-client) (openvswitch-common) and C(ovn-nbctl) (ovn-common) on the managed node.
extends_documentation_fragment:
  - tridc.ovn.ovn_db_tls
attributes:
  check_mode:
    support: full
    description: Computes the transaction and returns it in RV(commands) without running it.
  diff_mode:
    support: full
    description: Returns the managed switches before and after.
  platform:
    support: full
    platforms: posix
    description: Runs on a host that reaches the DC's Northbound database, normally a central member (unix socket).
options:
  switches:
    description: The DC's subnet switches (the plan's C(ovn.switches[DC])).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Logical switch name (the plan's subnet name).
        type: str
        required: true
      cidr:
        description: The subnet, for example V(10.101.0.0/24).
        type: str
        required: true
      exclude_ips:
        description: Addresses and ranges (V(a..b)) that OVN must never hand out; the gateway belongs here.
        type: list
        elements: str
        default: []
      localnet:
        description: The localnet port of a VLAN subnet; omit (or null) for an overlay subnet, which has none.
        type: dict
        suboptions:
          port:
            description: Port name.
            type: str
            required: true
          network_name:
            description: The provider network (as in C(ovn-bridge-mappings)).
            type: str
            required: true
          tag:
            description: VLAN id; V(0) or none for the native (untagged) VLAN.
            type: int
      dhcp:
        description: OVN's DHCP answer on the subnet (IPv4); omit (or null) for none.
        type: dict
        suboptions:
          router:
            description: The gateway handed out (option 3), also the server identifier.
            type: str
            required: true
          mtu:
            description: The MTU handed out (option 26), the provider network's.
            type: int
            required: true
          lease_time:
            description: Lease time in seconds.
            type: int
            default: 3600
          server_mac:
            description: The MAC address OVN answers from.
            type: str
            required: true
      subnet:
        description: The plan's subnet name (informational, ignored).
        type: str
      vlan:
        description: The plan's VLAN name (informational, ignored).
        type: str
  purge:
    description: Remove the switches this collection created that are not in O(switches) (only when no workload port is on them).
    type: bool
    default: true
  database:
    description: The Northbound database. Defaults to the local unix socket C(unix:/var/run/ovn/ovnnb_db.sock).
    type: str
seealso:
  - module: tridc.ovn.ovn_ic_az
'''

EXAMPLES = r'''
- name: The DC's underlay switches (from the plan)
  tridc.ovn.ovn_switches:
    switches: "{{ tridc_controller_plan.ovn.switches[dc] }}"
'''

RETURN = r'''
commands:
  description: The ovn-nbctl commands of the write transaction (empty when nothing differs).
  returned: always
  type: list
  elements: list
switches:
  description: The managed switches after the run (as planned; in check mode, as they would be).
  returned: always
  type: dict
removed:
  description: Names of the switches removed (or, in check mode, that would be removed).
  returned: always
  type: list
  elements: str
'''

import ipaddress

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.tridc.ovn.plugins.module_utils.ovn_ic import DB_ARGS, OvnDb, OvnIcError, apply_and_exit, as_list, ctl_value

OWNER_KEY = 'tridc-owner'
OWNER = 'tridc.ovn'
SUBNET_KEY = 'tridc-subnet'


def read(db, names):
    queries = [('owned', 'Logical_Switch', [['external_ids', 'includes', ['map', [[OWNER_KEY, OWNER]]]]],
                ['name', 'ports', 'other_config', 'external_ids'])]
    queries += [('named', 'Logical_Switch', [['name', '==', n]], ['name', 'ports', 'other_config', 'external_ids']) for n in names]
    queries.append(('localnet', 'Logical_Switch_Port', [['type', '==', 'localnet']], ['name', 'type', 'options', 'tag', 'addresses']))
    queries.append(('dhcp', 'DHCP_Options', [['external_ids', 'includes', ['map', [[OWNER_KEY, OWNER]]]]],
                    ['cidr', 'options', 'external_ids']))
    return db.select_where(queries)


def port_names(db, uuids):
    """Names of the given switch ports (only read when a removal is refused, to name them)."""
    rows = db.select_where([('p', 'Logical_Switch_Port', [['_uuid', '==', ['uuid', u]]], ['name']) for u in sorted(uuids)])
    return sorted(r['name'] for r in rows['p'])


def view(snapshot):
    """{name: state} of every switch that is owned or planned by name; duplicates are counted."""
    localnet = dict((p['_uuid'], p) for p in snapshot['localnet'])
    dhcp = {}
    for row in snapshot['dhcp']:
        dhcp.setdefault(row['external_ids'].get(SUBNET_KEY), []).append(row)
    rows = {}
    for row in snapshot['owned'] + snapshot.get('named', []):
        rows.setdefault(row['name'], {})[row['_uuid']] = row
    out = {}
    for name, by_uuid in rows.items():
        row = list(by_uuid.values())[0]
        ports = as_list(row['ports'])
        lns = [localnet[u] for u in ports if u in localnet]
        ln = lns[0] if lns else None
        out[name] = {
            'count': len(by_uuid),
            'uuid': row['_uuid'],
            'owned': row['external_ids'].get(OWNER_KEY) == OWNER,
            'cidr': row['other_config'].get('subnet'),
            'exclude_ips': sorted((row['other_config'].get('exclude_ips') or '').split()),
            'localnet': None if ln is None else {
                'port': ln['name'], 'network_name': ln['options'].get('network_name'),
                'tag': ln['tag'] if isinstance(ln['tag'], int) and ln['tag'] else None},
            'localnet_ports': [p['name'] for p in lns],
            'workload_ports': [u for u in ports if u not in localnet],
            'dhcp_rows': [r['_uuid'] for r in dhcp.get(name, [])],
            'dhcp': None if len(dhcp.get(name, [])) != 1 else {'cidr': dhcp[name][0]['cidr'], 'options': dict(dhcp[name][0]['options'])},
        }
    # DHCP answers of switches that are gone (removed by hand): the purge takes them too
    for name, dh in dhcp.items():
        if name not in out:
            out[name] = {'count': 0, 'owned': True, 'orphan_dhcp': True, 'workload_ports': [], 'dhcp_rows': [r['_uuid'] for r in dh]}
    return out


def wanted(params):
    out = {}
    for sw in params['switches']:
        ln = sw['localnet']
        cidr = str(ipaddress.ip_network(sw['cidr'], strict=False))
        dh = sw.get('dhcp')
        out[sw['name']] = {'cidr': cidr,
                           'exclude_ips': sorted(sw['exclude_ips'] or []),
                           'localnet': None if not ln else
                           {'port': ln['port'], 'network_name': ln['network_name'], 'tag': ln.get('tag') or None},
                           'dhcp': None if not dh else {'cidr': cidr, 'options': {
                               'router': dh['router'], 'server_id': dh['router'], 'server_mac': dh['server_mac'].lower(),
                               'lease_time': str(dh['lease_time']), 'mtu': str(dh['mtu'])}}}
    return out


def check_input(params):
    problems = []
    names = [sw['name'] for sw in params['switches']]
    for name in sorted(set(n for n in names if names.count(n) > 1)):
        problems.append('switch %s is given more than once' % name)
    ports = [sw['localnet']['port'] for sw in params['switches'] if sw['localnet']]
    for port in sorted(set(p for p in ports if ports.count(p) > 1)):
        problems.append('localnet port %s is given for more than one switch' % port)
    for sw in params['switches']:
        try:
            ipaddress.ip_network(sw['cidr'], strict=False)
        except ValueError:
            problems.append('switch %s: cidr %s is not an IP network' % (sw['name'], sw['cidr']))
        tag = (sw['localnet'] or {}).get('tag')
        if tag is not None and not 0 <= tag <= 4095:
            problems.append('switch %s: VLAN tag %s is not between 0 and 4095' % (sw['name'], tag))
    return problems


def plan_commands(cur, want, purge):
    """(commands, removed, problems) that turn cur into want."""
    cmds, removed, problems = [], [], []
    for name in sorted(want):
        w = want[name]
        c = cur.get(name)
        if c is not None and c.get('orphan_dhcp'):
            cmds += [['destroy', 'DHCP_Options', u] for u in c['dhcp_rows']]
            c = None
        ln = w['localnet']
        if c is not None and c['count'] > 1:
            problems.append('%d logical switches are named %s; remove the duplicates first' % (c['count'], name))
            continue
        if c is not None and not c['owned']:
            problems.append('logical switch %s exists and was not created by tridc.ovn (no external_ids:%s=%s); '
                            'the collection does not touch it: rename or remove it, or rename the subnet' % (name, OWNER_KEY, OWNER))
            continue
        sets = []
        if c is None:
            cmds.append(['ls-add', name])
            sets.append('external_ids:%s=%s' % (OWNER_KEY, ctl_value(OWNER)))
            sets.append('external_ids:%s=%s' % (SUBNET_KEY, ctl_value(name)))
        if c is None or c['cidr'] != w['cidr']:
            sets.append('other_config:subnet=%s' % ctl_value(w['cidr']))
        if c is None or c['exclude_ips'] != w['exclude_ips']:
            if w['exclude_ips']:
                sets.append('other_config:exclude_ips=%s' % ctl_value(' '.join(w['exclude_ips'])))
            elif c is not None:
                cmds.append(['remove', 'Logical_Switch', name, 'other_config', 'exclude_ips'])
        if sets:
            cmds.append(['set', 'Logical_Switch', name] + sets)
        cmds += _dhcp_commands(name, c, w['dhcp'])
        have = c['localnet'] if c is not None else None
        if c is not None:
            for extra in c['localnet_ports']:
                if ln is None or extra != ln['port']:
                    cmds.append(['lsp-del', extra])
        if ln is None:  # an overlay subnet: no localnet port
            continue
        if have is None or have['port'] != ln['port']:
            cmds.append(['lsp-add', name, ln['port']])
            cmds.append(['lsp-set-type', ln['port'], 'localnet'])
            cmds.append(['lsp-set-addresses', ln['port'], 'unknown'])
            have = {'port': ln['port'], 'network_name': None, 'tag': None}
        if have['network_name'] != ln['network_name']:
            cmds.append(['lsp-set-options', ln['port'], 'network_name=%s' % ln['network_name']])
        if have['tag'] != ln['tag']:
            if ln['tag']:
                cmds.append(['set', 'Logical_Switch_Port', ln['port'], 'tag=%d' % ln['tag']])
            else:
                cmds.append(['clear', 'Logical_Switch_Port', ln['port'], 'tag'])
    if purge:
        for name in sorted(cur):
            c = cur[name]
            if name in want or not c['owned']:
                continue
            if c['workload_ports']:
                problems.append(('__ports__', name, c['workload_ports']))
                continue
            if not c.get('orphan_dhcp'):
                cmds.append(['ls-del', name])
            cmds += [['destroy', 'DHCP_Options', u] for u in c['dhcp_rows']]
            removed.append(name)
    return cmds, removed, problems


def _dhcp_map(options):
    return '{%s}' % ','.join('%s=%s' % (k, ctl_value(v)) for k, v in sorted(options.items()))


def _dhcp_commands(name, c, want):
    """The switch's DHCP answer: one row marked with the subnet, created, updated or destroyed as planned."""
    rows = c['dhcp_rows'] if c is not None else []
    have = c['dhcp'] if c is not None else None
    if want is None:
        return [['destroy', 'DHCP_Options', u] for u in rows]
    if len(rows) == 1 and have == want:
        return []
    if len(rows) == 1:
        return [['set', 'DHCP_Options', rows[0], 'cidr=%s' % ctl_value(want['cidr']), 'options=%s' % _dhcp_map(want['options'])]]
    cmds = [['destroy', 'DHCP_Options', u] for u in rows]
    cmds.append(['create', 'DHCP_Options', 'cidr=%s' % ctl_value(want['cidr']), 'options=%s' % _dhcp_map(want['options']),
                 'external_ids:%s=%s' % (OWNER_KEY, ctl_value(OWNER)), 'external_ids:%s=%s' % (SUBNET_KEY, ctl_value(name))])
    return cmds


def state_of(cur, want, removed):
    out = {}
    for name, c in cur.items():
        if c['owned'] and name not in removed and not c.get('orphan_dhcp'):
            out[name] = {'cidr': c['cidr'], 'exclude_ips': c['exclude_ips'], 'localnet': c['localnet'], 'dhcp': c['dhcp']}
    for name, w in want.items():
        out[name] = w
    return dict(sorted(out.items()))


def main():
    argument_spec = dict(
        switches=dict(type='list', elements='dict', required=True, options=dict(
            name=dict(type='str', required=True),
            cidr=dict(type='str', required=True),
            exclude_ips=dict(type='list', elements='str', default=[]),
            localnet=dict(type='dict', options=dict(
                port=dict(type='str', required=True),
                network_name=dict(type='str', required=True),
                tag=dict(type='int'))),
            dhcp=dict(type='dict', options=dict(
                router=dict(type='str', required=True),
                mtu=dict(type='int', required=True),
                lease_time=dict(type='int', default=3600),
                server_mac=dict(type='str', required=True))),
            subnet=dict(type='str'),
            vlan=dict(type='str'))),
        purge=dict(type='bool', default=True),
    )
    argument_spec.update(DB_ARGS)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    problems = check_input(params)
    if problems:
        module.fail_json(msg='ovn_switches: %s' % '; '.join(problems), problems=problems)
    try:
        db = OvnDb.from_params(module, 'nb')
        want = wanted(params)
        cur = view(read(db, sorted(want)))
        cmds, removed, problems = plan_commands(cur, want, params['purge'])
        messages = []
        for p in problems:
            if isinstance(p, tuple):
                _tag, name, uuids = p
                messages.append('logical switch %s is no longer planned, but workload ports are on it (%s); '
                                'move or delete them first, nothing was changed' % (name, ', '.join(port_names(db, uuids)) or '?'))
            else:
                messages.append(p)
        if messages:
            module.fail_json(msg='ovn_switches: %s' % '; '.join(messages), problems=messages, commands=cmds)
        before = state_of(cur, {}, [])
        after = state_of(cur, want, removed)
        apply_and_exit(module, db, cmds, before, after, switches=after, removed=removed)
    except OvnIcError as exc:
        module.fail_json(**exc.fail_kwargs())


if __name__ == '__main__':
    main()

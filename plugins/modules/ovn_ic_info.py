#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: ovn_ic_info
short_description: Read the state of OVN interconnection (IC databases, an AZ's learned routes and active gateways)
version_added: 0.1.0
description:
  - Reads, with one C(ovsdb-client transact) per database, what the interconnection gates and the DR playbooks check -
  - From the IC Northbound database - the transit switches.
  - From the IC Southbound database - the registered availability zones, their gateways (chassis with
    C(ovn-is-interconn=true)), the transit switch port bindings (with the chassis that is the active gateway) and the
    advertised routes.
  - Optionally from an AZ's Northbound database - the AZ name, the interconnection options, the routes learned by
    C(ovn-ic) and the DR routes of the given routers and the status of their BFD sessions.
  - Optionally from an AZ's Southbound database - the chassis that currently holds each distributed gateway port
    (the active IC gateway) and the chassis that are IC gateways or remote gateways.
  - Never changes anything.
author:
  - tridc.ovn developers (@tridc)
requirements:
  - C(ovsdb-client) (openvswitch-common) on the managed node.
attributes:
  check_mode:
    support: full
    description: Only reads; the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes.
  platform:
    support: full
    platforms: posix
    description: Runs on a host that reaches the databases (IC database member, central member).
options:
  read:
    description: Which databases to read.
    type: list
    elements: str
    choices: [ic_nb, ic_sb, nb, sb]
    default: [ic_nb, ic_sb]
  routers:
    description: Routers whose learned and DR routes are returned (O(read) with V(nb)).
    type: list
    elements: str
    default: []
  ic_nb_database:
    description: IC Northbound database. Defaults to the local unix socket.
    type: str
  ic_sb_database:
    description: IC Southbound database. Defaults to the local unix socket.
    type: str
  nb_database:
    description: The AZ's Northbound database. Defaults to the local unix socket.
    type: str
  sb_database:
    description: The AZ's Southbound database. Defaults to the local unix socket.
    type: str
  private_key:
    description: TLS private key for C(ssl:) remotes.
    type: path
  certificate:
    description: TLS certificate for C(ssl:) remotes.
    type: path
  ca_cert:
    description: CA certificate for C(ssl:) remotes.
    type: path
  timeout:
    description: Seconds to wait for each database.
    type: int
    default: 30
seealso:
  - module: tridc.ovn.ovn_ic_az
  - module: tridc.ovn.ovn_cluster
'''

EXAMPLES = r'''
- name: What the IC databases hold
  tridc.ovn.ovn_ic_info:
  register: ic

- name: Learned routes and the active gateway of this DC
  tridc.ovn.ovn_ic_info:
    read: [nb, sb]
    routers: [lr-dc1]
  register: az
'''

RETURN = r'''
transit_switches:
  description: Transit switches of the IC Northbound database (name -> C(external_ids:tridc-subnet) or null).
  returned: when O(read) has V(ic_nb)
  type: dict
availability_zones:
  description: Names of the AZs registered in the IC Southbound database.
  returned: when O(read) has V(ic_sb)
  type: list
  elements: str
gateways:
  description: AZ -> its gateways (C(name), C(hostname), C(encaps) list of C(type)/C(ip)).
  returned: when O(read) has V(ic_sb)
  type: dict
gateway_keys:
  description: Every registered gateway as C(AZ/NAME), sorted (for comparisons).
  returned: when O(read) has V(ic_sb)
  type: list
  elements: str
port_bindings:
  description: Transit switch ports of all AZs (C(logical_port), C(transit_switch), C(az), C(gateway), C(address)).
  returned: when O(read) has V(ic_sb)
  type: list
  elements: dict
routes:
  description: AZ -> advertised routes (C(transit_switch), C(prefix) in network form, C(nexthop), C(origin), C(route_table)).
  returned: when O(read) has V(ic_sb)
  type: dict
nb:
  description:
    - C(az) (NB_Global name), C(options) (the C(ic-*) and C(bfd-*) keys), C(learned) and C(dr_routes) (router -> list of
      C(prefix)/C(nexthop)) and C(bfd) (C(PORT/IP) -> status).
  returned: when O(read) has V(nb)
  type: dict
sb:
  description:
    - C(active_gateways) (distributed gateway port -> chassis name or null), C(ic_gateways) (local chassis with
      C(is-interconn)), C(remote_gateways) (chassis of other AZs).
  returned: when O(read) has V(sb)
  type: dict
'''

import json

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.tridc.ovn.plugins.module_utils.ovn_ic import OvnDb, OvnIcError, as_list, norm_prefix, optional

DR_TAG = 'tridc-dr'


def read_ic_nb(db):
    rows = db.select({'Transit_Switch': ['name', 'external_ids']})['Transit_Switch']
    return {'transit_switches': dict((r['name'], r['external_ids'].get('tridc-subnet')) for r in rows)}


def read_ic_sb(db):
    snap = db.select({'Availability_Zone': ['name'], 'Gateway': ['name', 'availability_zone', 'hostname', 'encaps'],
                      'Encap': ['type', 'ip'], 'Port_Binding': ['logical_port', 'transit_switch', 'availability_zone', 'gateway', 'address'],
                      'Route': ['transit_switch', 'availability_zone', 'ip_prefix', 'nexthop', 'origin', 'route_table']})
    azs = dict((r['_uuid'], r['name']) for r in snap['Availability_Zone'])
    encaps = dict((e['_uuid'], {'type': e['type'], 'ip': e['ip']}) for e in snap['Encap'])
    gateways = dict((name, []) for name in azs.values())
    for g in snap['Gateway']:
        gateways.setdefault(azs.get(g['availability_zone'], '?'), []).append(
            {'name': g['name'], 'hostname': g['hostname'], 'encaps': [encaps[e] for e in as_list(g['encaps']) if e in encaps]})
    routes = dict((name, []) for name in azs.values())
    for r in snap['Route']:
        routes.setdefault(azs.get(r['availability_zone'], '?'), []).append(
            {'transit_switch': r['transit_switch'], 'prefix': norm_prefix(r['ip_prefix']), 'nexthop': r['nexthop'],
             'origin': r['origin'], 'route_table': r['route_table']})
    for items in list(gateways.values()) + list(routes.values()):
        items.sort(key=lambda x: json.dumps(x, sort_keys=True))
    bindings = sorted(({'logical_port': p['logical_port'], 'transit_switch': p['transit_switch'], 'az': azs.get(p['availability_zone']),
                        'gateway': p['gateway'], 'address': p['address']} for p in snap['Port_Binding']),
                      key=lambda x: x['logical_port'])
    keys = sorted('%s/%s' % (az, g['name']) for az, items in gateways.items() for g in items)
    return {'availability_zones': sorted(azs.values()), 'gateways': gateways, 'gateway_keys': keys, 'port_bindings': bindings,
            'routes': routes}


def read_nb(db, routers):
    queries = [('nb_global', 'NB_Global', [], ['name', 'options']),
               ('bfd', 'BFD', [], ['logical_port', 'dst_ip', 'status'])]
    queries += [('router:' + r, 'Logical_Router', [['name', '==', r]], ['name', 'static_routes']) for r in routers]
    queries.append(('routes', 'Logical_Router_Static_Route', [], ['ip_prefix', 'nexthop', 'external_ids', 'bfd']))
    snap = db.select_where(queries)
    nb = snap['nb_global'][0] if snap['nb_global'] else {'name': '', 'options': {}}
    routes = dict((r['_uuid'], r) for r in snap['routes'])
    learned, dr = {}, {}
    for name in routers:
        learned[name], dr[name] = [], []
        for row in snap['router:' + name]:
            for uuid in as_list(row['static_routes']):
                r = routes.get(uuid)
                if r is None:
                    continue
                item = {'prefix': norm_prefix(r['ip_prefix']), 'nexthop': r['nexthop']}
                if 'ic-learned-route' in r['external_ids']:
                    learned[name].append(item)
                elif r['external_ids'].get(DR_TAG) == name:
                    dr[name].append(item)
        learned[name].sort(key=lambda x: (x['prefix'], x['nexthop']))
        dr[name].sort(key=lambda x: (x['prefix'], x['nexthop']))
    return {'nb': {'az': nb.get('name') or '',
                   'options': dict((k, v) for k, v in nb.get('options', {}).items() if k.startswith(('ic-', 'bfd-'))),
                   'learned': learned, 'dr_routes': dr,
                   'bfd': dict(('%s/%s' % (b['logical_port'], b['dst_ip']), optional(b['status'])) for b in snap['bfd'])}}


def read_sb(db):
    snap = db.select_where([
        ('chassis', 'Chassis', [], ['name', 'hostname', 'other_config']),
        ('cr', 'Port_Binding', [['type', '==', 'chassisredirect']], ['logical_port', 'chassis']),
    ])
    names = dict((c['_uuid'], c['name']) for c in snap['chassis'])
    active = {}
    for pb in snap['cr']:
        lrp = pb['logical_port'][3:] if pb['logical_port'].startswith('cr-') else pb['logical_port']
        chassis = optional(pb['chassis'])
        active[lrp] = names.get(chassis) if chassis else None
    ic = sorted(c['name'] for c in snap['chassis'] if c['other_config'].get('is-interconn') == 'true')
    remote = sorted(c['name'] for c in snap['chassis'] if c['other_config'].get('is-remote') == 'true')
    return {'sb': {'active_gateways': active, 'ic_gateways': ic, 'remote_gateways': remote}}


def main():
    module = AnsibleModule(argument_spec=dict(
        read=dict(type='list', elements='str', choices=['ic_nb', 'ic_sb', 'nb', 'sb'], default=['ic_nb', 'ic_sb']),
        routers=dict(type='list', elements='str', default=[]),
        ic_nb_database=dict(type='str'), ic_sb_database=dict(type='str'),
        nb_database=dict(type='str'), sb_database=dict(type='str'),
        private_key=dict(type='path', no_log=False), certificate=dict(type='path'), ca_cert=dict(type='path'),
        timeout=dict(type='int', default=30),
    ), supports_check_mode=True)
    result = dict(changed=False)
    try:
        for name in module.params['read']:
            db = OvnDb.from_params(module, name, prefix=name + '_')
            if name == 'ic_nb':
                result.update(read_ic_nb(db))
            elif name == 'ic_sb':
                result.update(read_ic_sb(db))
            elif name == 'nb':
                result.update(read_nb(db, module.params['routers']))
            else:
                result.update(read_sb(db))
    except OvnIcError as exc:
        module.fail_json(**exc.fail_kwargs())
    module.exit_json(**result)


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: ovn_nb_routes
short_description: DR static routes (with BFD and ECMP) and BFD sessions of an OVN logical router
version_added: 0.1.0
description:
  - Makes the static routes and BFD sessions that this module owns in router O(router) exactly O(routes) and O(bfd).
    Owned rows carry C(external_ids:tridc-dr=ROUTER); routes learned by C(ovn-ic) and routes of other tools are never
    touched.
  - A route with O(routes[].bfd=true) is tied to the BFD session of its output port and next hop (created when
    O(bfd) does not list it). C(ovn-northd) installs such a route only while the session is up, so a dead next hop
    is withdrawn within the BFD detection time and a less specific route (the next backup) takes over.
  - Several routes with the same prefix are ECMP routes.
  - Reads with one C(ovsdb-client transact) and writes with one C(ovn-nbctl) transaction, only when something differs.
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
    description: Returns the owned routes and BFD sessions before and after.
  platform:
    support: full
    platforms: posix
    description: Runs on a host that reaches the DC's Northbound database, normally a central member (unix socket).
options:
  router:
    description: The logical router (it must exist, see M(tridc.ovn.ovn_ic_az)).
    type: str
    required: true
  routes:
    description: The owned static routes.
    type: list
    elements: dict
    default: []
    suboptions:
      prefix:
        description: Destination prefix, for example V(10.101.0.0/25).
        type: str
        required: true
      nexthop:
        description: Next hop address.
        type: str
        required: true
      output_port:
        description: Output router port (needed for BFD).
        type: str
      bfd:
        description: Tie the route to the BFD session of O(routes[].output_port) and O(routes[].nexthop).
        type: bool
        default: false
      route_table:
        description: Route table (empty is the main table).
        type: str
        default: ''
      ecmp:
        description: Informational (ignored) - routes with the same prefix are ECMP routes anyway.
        type: bool
      subnet:
        description: Informational (ignored) - the plan's subnet the route carries.
        type: str
      dc:
        description: Informational (ignored) - the DC behind the next hop.
        type: str
      tier:
        description: Informational (ignored) - the route's tier in the plan's prefix-length ladder (0 = preferred).
        type: int
  bfd:
    description: The owned BFD sessions (timers in milliseconds).
    type: list
    elements: dict
    default: []
    suboptions:
      logical_port:
        description: The local router port the session runs on.
        type: str
        required: true
      dst_ip:
        description: The peer address.
        type: str
        required: true
      min_tx:
        description: Minimum transmit interval (ms).
        type: int
        default: 100
      min_rx:
        description: Minimum receive interval (ms).
        type: int
        default: 100
      detect_mult:
        description: Detection multiplier.
        type: int
        default: 3
      peer_dc:
        description: Informational (ignored) - the DC of the peer.
        type: str
  database:
    description: The Northbound database. Defaults to the local unix socket C(unix:/var/run/ovn/ovnnb_db.sock).
    type: str
notes:
  - OVN static routes have no metric; preference between next hops is expressed by prefix length (see the
    plan's C(dr.static_routes), a prefix-length ladder) or by ECMP.
seealso:
  - module: tridc.ovn.ovn_ic_az
'''

EXAMPLES = r'''
- name: DR routes of the DC's interconnection router (from the plan)
  tridc.ovn.ovn_nb_routes:
    router: "{{ tridc_plan.dr.routers[dc].router }}"
    routes: "{{ tridc_plan.dr.static_routes[dc] }}"
    bfd: "{{ tridc_plan.dr.bfd[dc] }}"
'''

RETURN = r'''
commands:
  description: The ovn-nbctl commands of the write transaction (empty when nothing differs).
  returned: always
  type: list
  elements: list
routes:
  description: The owned routes after the run.
  returned: always
  type: list
  elements: dict
bfd_status:
  description: Status of the owned BFD sessions as last reported by ovn-northd (C(peer) -> up, down, init, admin_down).
  returned: always
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.tridc.ovn.plugins.module_utils.ovn_ic import (
    DB_ARGS, OvnDb, OvnIcError, as_list, ctl_value, norm_prefix, optional)

TAG = 'tridc-dr'


def route_key(r):
    return (r['route_table'], norm_prefix(r['prefix']), r['nexthop'], r['output_port'] or '', bool(r['bfd']))


def main():
    argument_spec = dict(
        router=dict(type='str', required=True),
        routes=dict(type='list', elements='dict', default=[], options=dict(
            prefix=dict(type='str', required=True), nexthop=dict(type='str', required=True),
            output_port=dict(type='str'), bfd=dict(type='bool', default=False), route_table=dict(type='str', default=''),
            ecmp=dict(type='bool'), subnet=dict(type='str'), dc=dict(type='str'), tier=dict(type='int'))),
        bfd=dict(type='list', elements='dict', default=[], options=dict(
            logical_port=dict(type='str', required=True), dst_ip=dict(type='str', required=True),
            min_tx=dict(type='int', default=100), min_rx=dict(type='int', default=100), detect_mult=dict(type='int', default=3),
            peer_dc=dict(type='str'))),
    )
    argument_spec.update(DB_ARGS)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    p = module.params
    router = p['router']
    for r in p['routes']:
        if r['bfd'] and not r['output_port']:
            module.fail_json(msg='route %s via %s: BFD needs output_port' % (r['prefix'], r['nexthop']))
    owned = ['external_ids', 'includes', ['map', [[TAG, router]]]]
    try:
        db = OvnDb.from_params(module, 'nb')
        snap = db.select_where([
            ('router', 'Logical_Router', [['name', '==', router]], ['name', 'static_routes']),
            ('routes', 'Logical_Router_Static_Route', [owned],
             ['ip_prefix', 'nexthop', 'output_port', 'bfd', 'route_table', 'policy', 'external_ids']),
            ('bfd', 'BFD', [], ['logical_port', 'dst_ip', 'min_tx', 'min_rx', 'detect_mult', 'status', 'external_ids']),
        ])
    except OvnIcError as exc:
        module.fail_json(**exc.fail_kwargs())
    if len(snap['router']) != 1:
        module.fail_json(msg='%d logical routers are named %s (expected exactly one; ovn_ic_az creates it)' % (len(snap['router']), router))
    in_router = set(as_list(snap['router'][0]['static_routes']))
    bfd_rows = dict((b['_uuid'], b) for b in snap['bfd'])
    bfd_by_key = dict(((b['logical_port'], b['dst_ip']), b) for b in snap['bfd'])

    # BFD sessions: listed ones, plus one per BFD route that has none listed
    want_bfd = {}
    for b in p['bfd']:
        want_bfd[(b['logical_port'], b['dst_ip'])] = dict(b)
    for r in p['routes']:
        if r['bfd'] and (r['output_port'], r['nexthop']) not in want_bfd:
            want_bfd[(r['output_port'], r['nexthop'])] = dict(logical_port=r['output_port'], dst_ip=r['nexthop'],
                                                              min_tx=100, min_rx=100, detect_mult=3)
    cmds = []
    ref = {}
    for n, (key, b) in enumerate(sorted(want_bfd.items())):
        cur = bfd_by_key.get(key)
        timers = ['min_tx=%d' % b['min_tx'], 'min_rx=%d' % b['min_rx'], 'detect_mult=%d' % b['detect_mult']]
        if cur is None:
            name = '@bfd%d' % n
            cmds.append(['--id=%s' % name, 'create', 'BFD', 'logical_port=%s' % ctl_value(key[0]), 'dst_ip=%s' % ctl_value(key[1])]
                        + timers + ['external_ids:%s=%s' % (TAG, ctl_value(router))])
            ref[key] = name
            continue
        ref[key] = cur['_uuid']
        changes = [t for t, (col, val) in zip(timers, (('min_tx', b['min_tx']), ('min_rx', b['min_rx']), ('detect_mult', b['detect_mult'])))
                   if optional(cur[col]) != val]
        if changes:
            cmds.append(['set', 'BFD', cur['_uuid']] + changes)
    # routes
    current = []
    for r in snap['routes']:
        if r['_uuid'] not in in_router:
            continue
        bfd_uuid = optional(r['bfd'])
        b = bfd_rows.get(bfd_uuid) if bfd_uuid else None
        current.append({'uuid': r['_uuid'], 'prefix': r['ip_prefix'], 'nexthop': r['nexthop'], 'output_port': optional(r['output_port']),
                        'route_table': r['route_table'], 'policy': optional(r['policy']) or 'dst-ip',
                        'bfd': bool(b and (b['logical_port'], b['dst_ip']) == (optional(r['output_port']), r['nexthop']))})
    want_routes = [dict(r, prefix=norm_prefix(r['prefix'])) for r in p['routes']]
    want_keys = dict((route_key(r), r) for r in want_routes)
    have = {}
    for r in current:
        if route_key(r) in want_keys and route_key(r) not in have and r['policy'] == 'dst-ip':
            have[route_key(r)] = r
        else:
            cmds.append(['remove', 'Logical_Router', router, 'static_routes', r['uuid']])
    for n, (key, r) in enumerate(sorted(want_keys.items())):
        if key in have:
            continue
        name = '@route%d' % n
        create = ['--id=%s' % name, 'create', 'Logical_Router_Static_Route', 'ip_prefix=%s' % ctl_value(r['prefix']),
                  'nexthop=%s' % ctl_value(r['nexthop']), 'route_table=%s' % ctl_value(r['route_table']),
                  'external_ids:%s=%s' % (TAG, ctl_value(router))]
        if r['output_port']:
            create.append('output_port=%s' % ctl_value(r['output_port']))
        if r['bfd']:
            create.append('bfd=%s' % ref[(r['output_port'], r['nexthop'])])
        cmds.append(create)
        cmds.append(['add', 'Logical_Router', router, 'static_routes', name])
    # BFD sessions owned but no longer wanted (after the routes that used them)
    for b in snap['bfd']:
        if b['external_ids'].get(TAG) == router and (b['logical_port'], b['dst_ip']) not in want_bfd:
            cmds.append(['destroy', 'BFD', b['_uuid']])

    def public_routes(rows):
        return sorted(({'prefix': norm_prefix(r['prefix']), 'nexthop': r['nexthop'], 'output_port': r['output_port'], 'bfd': r['bfd'],
                        'route_table': r['route_table']} for r in rows), key=lambda x: (x['route_table'], x['prefix'], x['nexthop']))

    def public_bfd(items):
        return sorted(({'logical_port': b['logical_port'], 'dst_ip': b['dst_ip'], 'min_tx': optional(b['min_tx']),
                        'min_rx': optional(b['min_rx']), 'detect_mult': optional(b['detect_mult'])} for b in items),
                      key=lambda x: (x['logical_port'], x['dst_ip']))

    before = {'routes': public_routes(current),
              'bfd': public_bfd(b for b in snap['bfd'] if b['external_ids'].get(TAG) == router)}
    after = {'routes': public_routes(want_routes), 'bfd': public_bfd(want_bfd.values())}
    status = dict(('%s/%s' % k, optional(bfd_by_key[k]['status']) if k in bfd_by_key else None) for k in want_bfd)
    result = dict(changed=bool(cmds), commands=cmds, routes=after['routes'], bfd_status=status)
    if module._diff:
        result['diff'] = dict(before=before, after=after)
    if cmds and not module.check_mode:
        try:
            db.ctl(cmds)
        except OvnIcError as exc:
            module.fail_json(**exc.fail_kwargs())
    module.exit_json(**result)


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: ovn_ic_az
short_description: One availability zone's side of OVN interconnection in its Northbound database
version_added: 0.1.0
description:
  - Configures the Northbound database of one OVN deployment (one DC, one availability zone) for OVN-IC, in
    B(one) C(ovn-nbctl) transaction and only when something differs
  - C(NB_Global) - the AZ name (C(name), which C(ovn-ic) registers in the IC Southbound database) and the given
    C(options) keys (route advertisement and learning, the route denylist, BFD timers); other option keys are kept.
  - The interconnection router O(router) with, per transit switch, a router port (MAC, networks), its gateway
    chassis with priorities (exactly the given set; the highest priority is active, the others take over when
    BFD declares it dead) and the C(router) type port on the transit switch.
  - Per attached switch (O(attach)), the logical switch (created when missing) and the router port that is its
    gateway. An overlay switch's port is distributed; C(ovn-ic) advertises these networks to the other AZs. A VLAN
    switch the router sits on (a logical gateway or a u2o address, O(attach[].gateway_chassis) given) gets a distributed
    gateway port on those chassis, so that one chassis at a time answers its address on the VLAN, and its switch
    port C(nat-addresses=router), so that the chassis that takes the port over announces it (gratuitous ARP).
  - Router ports of O(router) that are not planned are removed with their switch-side peer ports (the router is
    owned by this module); other ports of the switches are never touched.
  - A transit switch appears in the Northbound database only after C(ovn-ic) of this AZ has copied it from the IC
    Northbound database; the module waits for it up to O(wait_timeout) seconds.
  - Reads with one C(ovsdb-client transact) (select operations, one consistent snapshot).
  - On the very first run the AZ has no name yet and C(ovn-ic) ignores the zone, so it never creates the transit
    switches; the module then sets the name alone first (RV(bootstrap)), waits for the switches and writes the rest
    in one transaction.
author:
  - tridc.ovn developers (@tridc)
requirements:
  - C(ovsdb-client) (openvswitch-common) and C(ovn-nbctl) (ovn-common) on the managed node.
extends_documentation_fragment:
  - tridc.ovn.ovn_db_tls
attributes:
  check_mode:
    support: full
    description: Computes the transaction and returns it in RV(commands) without running it; does not wait for transit switches.
  diff_mode:
    support: full
    description: Returns the managed part of the database before and after.
  platform:
    support: full
    platforms: posix
    description: Runs on a host that reaches the DC's Northbound database, normally a central member (unix socket).
options:
  az:
    description: The availability zone name (C(NB_Global) C(name)); unique among the interconnected AZs.
    type: str
    required: true
  options:
    description: C(NB_Global) options to set, for example C(ic-route-adv), C(ic-route-learn), C(ic-route-denylist). Merged.
    type: dict
    default: {}
  router:
    description: Name of the interconnection logical router.
    type: str
    required: true
  transit:
    description: The router's ports on transit switches.
    type: list
    elements: dict
    default: []
    suboptions:
      switch:
        description: Transit switch name.
        type: str
        required: true
      lrp:
        description: Router port name.
        type: str
        required: true
      lsp:
        description: Name of the switch port on the transit switch; unique over all AZs (IC Port_Binding).
        type: str
        required: true
      mac:
        description: MAC address of the router port.
        type: str
        required: true
      network:
        description: Address and prefix length of the router port on the transit switch, for example V(169.254.100.1/24).
        type: str
        required: true
      gateway_chassis:
        description: Gateway chassis of the port (chassis name and priority, higher is preferred). Exactly this set.
        type: list
        elements: dict
        required: true
        suboptions: &gateway_chassis
          chassis:
            description: Chassis name (C(system-id)).
            type: str
            required: true
          priority:
            description: Priority 0-32767.
            type: int
            required: true
          host:
            description: Inventory host of the chassis (informational, ignored; the plan's entries can be passed as they are).
            type: str
          failure_domain:
            description: Failure domain of the chassis (informational, ignored).
            type: str
      ip:
        description: The address alone (informational, ignored; see O(transit[].network)).
        type: str
  attach:
    description: Switches attached to the router (the router port is their gateway).
    type: list
    elements: dict
    default: []
    suboptions:
      switch:
        description: Logical switch name (created when missing).
        type: str
        required: true
      lrp:
        description: Router port name.
        type: str
        required: true
      lsp:
        description: Name of the router type port on the switch.
        type: str
        required: true
      mac:
        description: MAC address of the router port.
        type: str
        required: true
      network:
        description: Gateway address and prefix length, for example V(10.210.1.1/24).
        type: str
        required: true
      gateway_chassis:
        description:
          - Gateway chassis of a logical gateway on a VLAN switch (chassis name and priority, higher is preferred),
            exactly this set. Empty for an overlay switch (a distributed router port).
        type: list
        elements: dict
        default: []
        suboptions: *gateway_chassis
      kind:
        description: V(overlay), V(logical_gateway) or V(u2o), as the plan says (informational, ignored).
        type: str
      subnet:
        description: Name of the plan's subnet (informational, ignored).
        type: str
      cidr:
        description: The subnet's CIDR (informational, ignored).
        type: str
  wait_timeout:
    description: Seconds to wait for the transit switches to appear (created by C(ovn-ic)).
    type: int
    default: 60
  database:
    description: The Northbound database. Defaults to the local unix socket C(unix:/var/run/ovn/ovnnb_db.sock).
    type: str
seealso:
  - module: tridc.ovn.ovn_ic_transit
  - module: tridc.ovn.ovn_nb_routes
  - module: tridc.ovn.ovn_ic_info
'''

EXAMPLES = r'''
- name: The DC's side of the interconnection (from the plan)
  tridc.ovn.ovn_ic_az:
    az: "{{ tridc_plan.dr.routers[dc].az }}"
    options: "{{ tridc_plan.dr.routers[dc].options }}"
    router: "{{ tridc_plan.dr.routers[dc].router }}"
    transit: "{{ tridc_plan.dr.routers[dc].transit }}"
    attach: "{{ tridc_plan.dr.routers[dc].attach }}"
'''

RETURN = r'''
commands:
  description: The ovn-nbctl commands of the write transaction (empty when nothing differs).
  returned: always
  type: list
  elements: list
state:
  description: The managed part of the Northbound database after the run (as planned; in check mode, as it would be).
  returned: always
  type: dict
waited:
  description: Seconds spent waiting for transit switches to appear.
  returned: always
  type: float
bootstrap:
  description: Whether the AZ name had to be set first, in its own transaction, so that ovn-ic creates the transit switches.
  returned: always
  type: bool
missing_switches:
  description: Transit switches that are not (yet) in the Northbound database (only in check mode, or on failure).
  returned: always
  type: list
  elements: str
'''

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.tridc.ovn.plugins.module_utils.ovn_ic import (
    DB_ARGS, OvnDb, OvnIcError, as_list, ctl_value, norm_mac, wait_until)

OWNER_KEY = 'tridc-ic'


def read(db, params):
    router = params['router']
    lsp_names = [p['lsp'] for p in params['transit'] + params['attach']]
    switches = sorted(set(p['switch'] for p in params['transit'] + params['attach']))
    queries = [('nb_global', 'NB_Global', [], ['name', 'options']),
               ('router', 'Logical_Router', [['name', '==', router]], ['name', 'ports', 'external_ids']),
               ('lrps', 'Logical_Router_Port', [], ['name', 'mac', 'networks', 'gateway_chassis']),
               ('gwcs', 'Gateway_Chassis', [], ['name', 'chassis_name', 'priority']),
               ('router_lsps', 'Logical_Switch_Port', [['type', '==', 'router']], ['name', 'type', 'addresses', 'options'])]
    queries += [('switches', 'Logical_Switch', [['name', '==', s]], ['name', 'ports', 'other_config']) for s in switches]
    queries += [('lsps', 'Logical_Switch_Port', [['name', '==', n]], ['name', 'type', 'addresses', 'options']) for n in lsp_names]
    return db.select_where(queries)


def view(snapshot, params):
    """The managed part of the database as a plain dict (also used for the diff)."""
    nb = snapshot['nb_global'][0] if snapshot['nb_global'] else {'name': '', 'options': {}}
    routers = snapshot['router']
    lrps = dict((r['_uuid'], r) for r in snapshot['lrps'])
    gwcs = dict((g['_uuid'], g) for g in snapshot['gwcs'])
    ports = {}
    for r in routers:
        for uuid in as_list(r['ports']):
            lrp = lrps.get(uuid)
            if lrp is None:
                continue
            ports[lrp['name']] = {
                'mac': norm_mac(lrp['mac']), 'networks': sorted(as_list(lrp['networks'])),
                'gateway_chassis': dict((gwcs[g]['chassis_name'], gwcs[g]['priority']) for g in as_list(lrp['gateway_chassis']) if g in gwcs)}
    lsp_by_uuid = {}
    for key in ('router_lsps', 'lsps'):
        for p in snapshot[key]:
            lsp_by_uuid[p['_uuid']] = p
    switch_ports = {}
    switches = {}
    for sw in snapshot['switches']:
        switches.setdefault(sw['name'], []).append(sw)
        for uuid in as_list(sw['ports']):
            p = lsp_by_uuid.get(uuid)
            if p is None:
                continue
            switch_ports[p['name']] = {'switch': sw['name'], 'type': p['type'], 'addresses': sorted(as_list(p['addresses'])),
                                       'router_port': p['options'].get('router-port'),
                                       'nat_addresses': p['options'].get('nat-addresses')}
    managed = set(params['options'])
    return {
        'az': nb.get('name') or '',
        'options': dict((k, v) for k, v in nb.get('options', {}).items() if k in managed),
        'router': {'exists': bool(routers), 'count': len(routers), 'owned': any(r['external_ids'].get(OWNER_KEY) == 'true' for r in routers),
                   'ports': ports},
        'switches': dict((name, {'count': len(rows), 'transit': any(r['other_config'].get('interconn-ts') == name for r in rows)})
                         for name, rows in switches.items()),
        'switch_ports': switch_ports,
        'all_router_lsps': dict((p['name'], p['options'].get('router-port')) for p in snapshot['router_lsps']),
        'lsp_names': set(p['name'] for p in snapshot['lsps']),
    }


def wanted(params):
    ports, sports = {}, {}
    for p in params['transit']:
        ports[p['lrp']] = {'mac': norm_mac(p['mac']), 'networks': [p['network']],
                           'gateway_chassis': dict((g['chassis'], g['priority']) for g in p['gateway_chassis'])}
        sports[p['lsp']] = {'switch': p['switch'], 'type': 'router', 'addresses': ['router'], 'router_port': p['lrp'],
                            'nat_addresses': None}
    for p in params['attach']:
        gwc = dict((g['chassis'], g['priority']) for g in p['gateway_chassis'])
        ports[p['lrp']] = {'mac': norm_mac(p['mac']), 'networks': [p['network']], 'gateway_chassis': gwc}
        sports[p['lsp']] = {'switch': p['switch'], 'type': 'router', 'addresses': ['router'], 'router_port': p['lrp'],
                            'nat_addresses': 'router' if gwc else None}
    return {'az': params['az'], 'options': dict((k, str(v)) for k, v in params['options'].items()),
            'router': {'exists': True, 'count': 1, 'owned': True, 'ports': ports}, 'switch_ports': sports}


def plan_commands(cur, want, params):
    router = params['router']
    cmds = []
    errors = []
    if cur['router']['count'] > 1:
        errors.append('%d logical routers are named %s; remove the duplicates first' % (cur['router']['count'], router))
    for name, sw in sorted(cur['switches'].items()):
        if sw['count'] > 1:
            errors.append('%d logical switches are named %s; remove the duplicates first' % (sw['count'], name))
    # NB_Global
    sets = []
    if cur['az'] != want['az']:
        sets.append('name=%s' % ctl_value(want['az']))
    for key, value in sorted(want['options'].items()):
        if cur['options'].get(key) != value:
            sets.append('options:%s=%s' % (ctl_value(key), ctl_value(value)))
    if sets:
        cmds.append(['set', 'NB_Global', '.'] + sets)
    # router
    if not cur['router']['exists']:
        cmds.append(['lr-add', router])
    if not cur['router']['owned']:
        cmds.append(['set', 'Logical_Router', router, 'external_ids:%s=true' % OWNER_KEY])
    # router ports not planned (and their switch-side peers)
    for lrp in sorted(set(cur['router']['ports']) - set(want['router']['ports'])):
        cmds.append(['lrp-del', lrp])
        for lsp, peer in sorted(cur['all_router_lsps'].items()):
            if peer == lrp and lsp not in want['switch_ports']:
                cmds.append(['lsp-del', lsp])
    # switches for attachments
    for p in params['attach']:
        if p['switch'] not in cur['switches'] and not any(c[:2] == ['ls-add', p['switch']] for c in cmds):
            # the subnets phase normally made it already; made here, it is marked as the subnets phase marks its
            # switches, so that phase manages it afterwards
            cmds.append(['ls-add', p['switch']])
            cmds.append(['set', 'Logical_Switch', p['switch'], 'external_ids:tridc-owner=tridc.ovn',
                         'external_ids:tridc-subnet=%s' % ctl_value(p['switch'])])
    # planned router ports
    for lrp, w in sorted(want['router']['ports'].items()):
        c = cur['router']['ports'].get(lrp)
        if c is None:
            cmds.append(['lrp-add', router, lrp, w['mac']] + w['networks'])
            c = {'mac': w['mac'], 'networks': w['networks'], 'gateway_chassis': {}}
        else:
            changes = []
            if c['mac'] != w['mac']:
                changes.append('mac=%s' % ctl_value(w['mac']))
            if sorted(c['networks']) != sorted(w['networks']):
                changes.append('networks=[%s]' % ','.join(ctl_value(n) for n in w['networks']))
            if changes:
                cmds.append(['set', 'Logical_Router_Port', lrp] + changes)
        for chassis in sorted(set(c['gateway_chassis']) - set(w['gateway_chassis'])):
            cmds.append(['lrp-del-gateway-chassis', lrp, chassis])
        for chassis, prio in sorted(w['gateway_chassis'].items()):
            if c['gateway_chassis'].get(chassis) != prio:
                cmds.append(['lrp-set-gateway-chassis', lrp, chassis, str(prio)])
    # planned switch ports
    for lsp, w in sorted(want['switch_ports'].items()):
        c = cur['switch_ports'].get(lsp)
        if c is not None and c['switch'] != w['switch']:
            cmds.append(['lsp-del', lsp])
            c = None
        if c is None:
            if lsp in cur['lsp_names'] and ['lsp-del', lsp] not in cmds:
                # the port exists on another switch
                cmds.append(['lsp-del', lsp])
            cmds.append(['lsp-add', w['switch'], lsp])
            c = {'type': '', 'addresses': [], 'router_port': None, 'nat_addresses': None}
        if c['type'] != 'router':
            cmds.append(['lsp-set-type', lsp, 'router'])
        if c['addresses'] != ['router']:
            cmds.append(['lsp-set-addresses', lsp, 'router'])
        if c['router_port'] != w['router_port'] or c.get('nat_addresses') != w['nat_addresses']:
            # lsp-set-options replaces the whole options column: both keys, always
            cmds.append(['lsp-set-options', lsp, 'router-port=%s' % w['router_port']]
                        + (['nat-addresses=%s' % w['nat_addresses']] if w['nat_addresses'] else []))
    return cmds, errors


def public(state):
    return dict((k, v) for k, v in state.items() if k in ('az', 'options', 'router', 'switch_ports'))


def main():
    gw = dict(chassis=dict(type='str', required=True), priority=dict(type='int', required=True),
              host=dict(type='str'), failure_domain=dict(type='str'))
    argument_spec = dict(
        az=dict(type='str', required=True),
        options=dict(type='dict', default={}),
        router=dict(type='str', required=True),
        transit=dict(type='list', elements='dict', default=[], options=dict(
            switch=dict(type='str', required=True), lrp=dict(type='str', required=True), lsp=dict(type='str', required=True),
            mac=dict(type='str', required=True), network=dict(type='str', required=True), ip=dict(type='str'),
            gateway_chassis=dict(type='list', elements='dict', required=True, options=gw))),
        attach=dict(type='list', elements='dict', default=[], options=dict(
            switch=dict(type='str', required=True), lrp=dict(type='str', required=True), lsp=dict(type='str', required=True),
            mac=dict(type='str', required=True), network=dict(type='str', required=True),
            gateway_chassis=dict(type='list', elements='dict', default=[], options=gw),
            kind=dict(type='str'), subnet=dict(type='str'), cidr=dict(type='str'))),
        wait_timeout=dict(type='int', default=60),
    )
    argument_spec.update(DB_ARGS)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    for p in params['transit'] + params['attach']:
        for g in p['gateway_chassis']:
            if not 0 <= g['priority'] <= 32767:
                module.fail_json(msg='gateway chassis %s of %s: priority %d is not in 0-32767' % (g['chassis'], p['lrp'], g['priority']))
    transit_names = sorted(set(p['switch'] for p in params['transit']))
    waited = 0.0
    bootstrap = False
    try:
        db = OvnDb.from_params(module, 'nb')

        def snapshot():
            return view(read(db, params), params)

        cur = snapshot()

        def missing(state):
            return [n for n in transit_names if not state['switches'].get(n, {}).get('transit')]

        if missing(cur) and not module.check_mode:
            if cur['az'] != params['az']:
                # ovn-ic only works (and copies transit switches) once the AZ has its name
                db.ctl([['set', 'NB_Global', '.', 'name=%s' % ctl_value(params['az'])]])
                bootstrap = True
            start = time.monotonic()
            holder = {'state': cur}

            def ready():
                holder['state'] = snapshot()
                return not missing(holder['state'])

            wait_until(ready, params['wait_timeout'], interval=0.5)
            cur = holder['state']
            waited = round(time.monotonic() - start, 1)
        absent = missing(cur)
        if absent and not module.check_mode:
            module.fail_json(msg='transit switch(es) %s are not in the Northbound database after %ds: ovn-ic of AZ %s copies them '
                                 'from the IC Northbound database - is ovn-ic running, is NB_Global name set, does it reach the IC '
                                 'databases?' % (', '.join(absent), params['wait_timeout'], params['az']),
                             missing_switches=absent, waited=waited)
        want = wanted(params)
        cmds, errors = plan_commands(cur, want, params)
        if bootstrap:
            # report the name as changed (it was set before waiting for the transit switches)
            cmds.insert(0, ['set', 'NB_Global', '.', 'name=%s' % ctl_value(params['az'])])
        if errors:
            module.fail_json(msg='; '.join(errors), commands=cmds, missing_switches=absent, waited=waited)
        result = dict(changed=bool(cmds), commands=cmds, waited=waited, missing_switches=absent, bootstrap=bootstrap,
                      state=dict(public(want), switch_ports=want['switch_ports']))
        if module._diff:
            before = public(cur)
            before['switch_ports'] = dict((k, v) for k, v in cur['switch_ports'].items() if k in want['switch_ports'])
            result['diff'] = dict(before=before, after=result['state'])
        if cmds and not module.check_mode:
            db.ctl(cmds[1:] if bootstrap else cmds)
    except OvnIcError as exc:
        module.fail_json(**exc.fail_kwargs())
    module.exit_json(**result)


if __name__ == '__main__':
    main()

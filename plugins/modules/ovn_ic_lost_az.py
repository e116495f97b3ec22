#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: ovn_ic_lost_az
short_description: Declare an OVN interconnection availability zone lost in the IC Southbound database
version_added: 0.1.0
description:
  - Removes what a lost availability zone registered in the C(OVN_IC_Southbound) database - its gateways, its transit
    switch port bindings and its advertised routes - in B(one) transaction, without contacting the lost AZ.
  - C(ovn-ic) of every surviving AZ then removes the lost AZ's remote gateway chassis, remote ports and learned routes
    from its own databases, so the survivors stop tunnelling to and routing towards the dead zone.
  - The C(Availability_Zone) row itself is kept unless O(remove_az=true); when the zone comes back, its C(ovn-ic)
    registers everything again by itself (see the C(dr_failback.yml) playbook).
  - Reads with one C(ovsdb-client transact); the IC database must have a raft leader (a majority of its members).
author:
  - tridc.ovn developers (@tridc)
requirements:
  - C(ovsdb-client) (openvswitch-common) on the managed node.
extends_documentation_fragment:
  - tridc.ovn.ovn_db_tls
attributes:
  check_mode:
    support: full
    description: Reports what would be removed without removing it.
  diff_mode:
    support: full
    description: Returns the lost AZ's rows before and after.
  platform:
    support: full
    platforms: posix
    description: Runs on a surviving IC database member (unix socket) or any host that reaches the IC Southbound database.
options:
  az:
    description: Name of the lost availability zone.
    type: str
    required: true
  remove_az:
    description: Also remove the C(Availability_Zone) row.
    type: bool
    default: false
  database:
    description: The IC Southbound database. Defaults to the local unix socket C(unix:/var/run/ovn/ovn_ic_sb_db.sock).
    type: str
notes:
  - If the zone is not really lost, its C(ovn-ic) re-registers its gateways, ports and routes within seconds; the
    survivors only ignore its routes while their route denylist carries its prefixes (C(dr_failover.yml) does both).
seealso:
  - module: tridc.ovn.ovn_ic_info
'''

EXAMPLES = r'''
- name: Declare dc1 lost
  tridc.ovn.ovn_ic_lost_az:
    az: az-dc1
'''

RETURN = r'''
removed:
  description: What was (or in check mode would be) removed - C(gateways), C(port_bindings), C(routes) (counts by kind in C(counts)).
  returned: always
  type: dict
known:
  description: Whether the AZ is registered at all.
  returned: always
  type: bool
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.tridc.ovn.plugins.module_utils.ovn_ic import DB_ARGS, OvnDb, OvnIcError, norm_prefix


def main():
    argument_spec = dict(az=dict(type='str', required=True), remove_az=dict(type='bool', default=False))
    argument_spec.update(DB_ARGS)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    az = module.params['az']
    try:
        db = OvnDb.from_params(module, 'ic_sb')
        snap = db.select_where([
            ('az', 'Availability_Zone', [['name', '==', az]], ['name']),
            ('gateways', 'Gateway', [], ['name', 'availability_zone']),
            ('port_bindings', 'Port_Binding', [], ['logical_port', 'availability_zone']),
            ('routes', 'Route', [], ['ip_prefix', 'nexthop', 'transit_switch', 'availability_zone']),
        ])
    except OvnIcError as exc:
        module.fail_json(**exc.fail_kwargs())
    uuids = [r['_uuid'] for r in snap['az']]
    mine = dict((k, [r for r in snap[k] if r['availability_zone'] in uuids]) for k in ('gateways', 'port_bindings', 'routes'))
    removed = {
        'gateways': sorted(r['name'] for r in mine['gateways']),
        'port_bindings': sorted(r['logical_port'] for r in mine['port_bindings']),
        'routes': sorted('%s via %s on %s' % (norm_prefix(r['ip_prefix']), r['nexthop'], r['transit_switch']) for r in mine['routes']),
    }
    removed['counts'] = dict((k, len(v)) for k, v in removed.items())
    ops = []
    for table, key in (('Gateway', 'gateways'), ('Port_Binding', 'port_bindings'), ('Route', 'routes')):
        for r in mine[key]:
            ops.append({'op': 'delete', 'table': table, 'where': [['_uuid', '==', ['uuid', r['_uuid']]]]})
    if module.params['remove_az'] and uuids:
        ops.append({'op': 'delete', 'table': 'Availability_Zone', 'where': [['name', '==', az]]})
    result = dict(changed=bool(ops), removed=removed, known=bool(uuids))
    if module._diff:
        result['diff'] = dict(before=dict((k, v) for k, v in removed.items() if k != 'counts'),
                              after={'gateways': [], 'port_bindings': [], 'routes': []})
    if ops and not module.check_mode:
        try:
            db.transact(ops)
        except OvnIcError as exc:
            module.fail_json(**exc.fail_kwargs())
    module.exit_json(**result)


if __name__ == '__main__':
    main()

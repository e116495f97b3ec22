#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: ovn_state_info
short_description: Read a host's real OVS and OVN state for the drift audit
version_added: 0.1.0
description:
  - Reads what the drift audit (C(playbooks/audit.yml)) compares with the plan, and never changes anything.
  - V(ovs) - the C(Open_vSwitch) external IDs (C(system-id), C(ovn-bridge-mappings), C(ovn-encap-ip),
    C(ovn-encap-type), C(ovn-remote)), and every bridge with its datapath type, external IDs and ports (trunks, tag),
    with one C(ovs-vsctl) JSON read.
  - V(raft) - the raft membership of the Northbound and Southbound databases this host serves
    (C(ovs-appctl cluster/status) on their control sockets); a database without a control socket is reported as not
    running.
  - V(nb) - from the local Northbound database, its AZ name (C(NB_Global) name) and the logical switches with their
    owner tag and localnet port (network name and VLAN tag), with one read-only C(ovsdb-client) transaction.
author:
  - tridc.ovn developers (@tridc)
requirements:
  - C(ovs-vsctl), C(ovs-appctl), C(ovsdb-client) (openvswitch-common) on the managed node.
attributes:
  check_mode:
    support: full
    description: The module only reads; it behaves the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes.
  platform:
    support: full
    platforms: posix
    description: Runs on any node of the plan.
options:
  read:
    description: What to read.
    type: list
    elements: str
    choices: [ovs, raft, nb]
    default: [ovs]
  db:
    description: The Open vSwitch database (C(ovs-vsctl --db)).
    type: str
    default: unix:/var/run/openvswitch/db.sock
  nb_database:
    description: The Northbound database for V(nb). Defaults to the local unix socket.
    type: str
  raft_databases:
    description: The clustered databases whose raft membership V(raft) reads.
    type: list
    elements: str
    choices: [nb, sb, ic_nb, ic_sb]
    default: [nb, sb]
  run_dir:
    description: Where the OVN control sockets are (C(ovnnb_db.ctl), ...).
    type: path
    default: /var/run/ovn
  timeout:
    description: Seconds to wait for each database.
    type: int
    default: 30
seealso:
  - module: tridc.ovn.ovn_ic_info
  - module: tridc.ovn.ovn_chassis_info
'''

EXAMPLES = r'''
- name: Real OVS state of this node
  tridc.ovn.ovn_state_info:
  register: state

- name: Raft membership and the NB switches of a central member
  tridc.ovn.ovn_state_info:
    read: [raft, nb]
  register: central_state
'''

RETURN = r'''
ovs:
  description:
    - C(external_ids) of C(Open_vSwitch), and C(bridges) (name -> C(datapath_type), C(external_ids) and C(ports), port name
      -> C(trunks) (sorted list) and C(tag)).
  returned: when O(read) has V(ovs)
  type: dict
raft:
  description:
    - Per database (C(nb), C(sb), ...) C(running), C(status) (for example C(cluster member)), C(role), C(address) and
      C(servers) (the raft addresses of the cluster configuration, sorted).
  returned: when O(read) has V(raft)
  type: dict
nb:
  description:
    - C(az) (the C(NB_Global) name) and C(switches) (name -> C(owner), the C(tridc-owner) tag or null, and C(localnet),
      C(port)/C(network_name)/C(tag) of its localnet port or null).
  returned: when O(read) has V(nb)
  type: dict
'''

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.tridc.ovn.plugins.module_utils.ovs import OvsError, OvsVsctl, as_list, as_map, as_optional
from ansible_collections.tridc.ovn.plugins.module_utils.ovn import DATABASES, parse_cluster_status
from ansible_collections.tridc.ovn.plugins.module_utils.ovn_ic import OvnDb, OvnIcError

OWNER_KEY = 'tridc-owner'


def read_ovs(module):
    module.params.setdefault('wait', False)  # OvsVsctl's write option; this module never writes
    vsctl = OvsVsctl(module)
    tables = vsctl.read_tables([('Open_vSwitch', ['external_ids']),
                                ('Bridge', ['_uuid', 'name', 'datapath_type', 'external_ids', 'ports']),
                                ('Port', ['_uuid', 'name', 'trunks', 'tag'])])
    ports = {}
    for row in tables['Port']:
        ports[row['_uuid']] = {'name': row['name'], 'trunks': sorted(int(t) for t in as_list(row['trunks'])),
                               'tag': as_optional(row['tag'])}
    bridges = {}
    for row in tables['Bridge']:
        bridges[row['name']] = {
            'datapath_type': row['datapath_type'] or 'system',
            'external_ids': as_map(row['external_ids']),
            'ports': dict((ports[u]['name'], {'trunks': ports[u]['trunks'], 'tag': ports[u]['tag']})
                          for u in as_list(row['ports']) if u in ports),
        }
    ovs = tables['Open_vSwitch'][0] if tables['Open_vSwitch'] else {'external_ids': {}}
    return {'external_ids': as_map(ovs['external_ids']), 'bridges': bridges}


def read_raft(module, databases, run_dir):
    appctl = module.get_bin_path('ovs-appctl', required=True)
    out = {}
    for db in databases:
        info = DATABASES[db]
        ctl = os.path.join(run_dir, info['base'] + '.ctl')
        entry = {'running': False, 'status': None, 'role': None, 'address': None, 'servers': []}
        if os.path.exists(ctl):
            rc, stdout, stderr = module.run_command([appctl, '-T', str(module.params['timeout']), '-t', ctl,
                                                     'cluster/status', info['name']], environ_update=dict(LC_ALL='C'), expand_user_and_vars=False)
            if rc == 0:
                status = parse_cluster_status(stdout)
                entry.update(running=True, status=status['status'], role=status['role'], address=status['address'],
                             servers=sorted(s['address'] for s in status['servers'] if s.get('address')))
            else:
                entry['error'] = (stderr or stdout).strip()
        out[db] = entry
    return out


def read_nb(module):
    db = OvnDb(module, 'nb', database=module.params['nb_database'], timeout=module.params['timeout'])
    snap = db.select_where([('global', 'NB_Global', [], ['name']),
                            ('switches', 'Logical_Switch', [], ['name', 'external_ids', 'ports']),
                            ('localnet', 'Logical_Switch_Port', [['type', '==', 'localnet']], ['name', 'options', 'tag'])])
    localnet = dict((row['_uuid'], row) for row in snap['localnet'])
    switches = {}
    for row in snap['switches']:
        ln = [localnet[u] for u in as_list(row['ports']) if u in localnet]
        port = ln[0] if ln else None
        tag = as_optional(port['tag']) if port else None
        switches[row['name']] = {
            'owner': as_map(row['external_ids']).get(OWNER_KEY),
            'localnet': {'port': port['name'], 'network_name': as_map(port['options']).get('network_name'),
                         'tag': int(tag) if tag not in (None, '') else None} if port else None,
        }
    return {'az': snap['global'][0]['name'] if snap['global'] else None, 'switches': switches}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            read=dict(type='list', elements='str', choices=['ovs', 'raft', 'nb'], default=['ovs']),
            db=dict(type='str', default='unix:/var/run/openvswitch/db.sock'),
            nb_database=dict(type='str'),
            raft_databases=dict(type='list', elements='str', choices=['nb', 'sb', 'ic_nb', 'ic_sb'], default=['nb', 'sb']),
            run_dir=dict(type='path', default='/var/run/ovn'),
            timeout=dict(type='int', default=30),
        ),
        supports_check_mode=True,
    )
    result = dict(changed=False)
    try:
        if 'ovs' in module.params['read']:
            result['ovs'] = read_ovs(module)
        if 'raft' in module.params['read']:
            result['raft'] = read_raft(module, module.params['raft_databases'], module.params['run_dir'])
        if 'nb' in module.params['read']:
            result['nb'] = read_nb(module)
    except (OvsError, OvnIcError) as exc:
        module.fail_json(**dict(exc.fail_kwargs(), **result))
    module.exit_json(**result)


if __name__ == '__main__':
    main()

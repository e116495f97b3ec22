#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: ovn_cluster_check
short_description: Decide bootstrap, join and kick for a raft OVN database, refusing unsafe runs
version_added: 0.1.0
description:
  - Takes what M(tridc.ovn.ovn_cluster) reported on B(every) planned member of one clustered database and
    decides, for each member, whether it creates the cluster, joins it or is already in it, and which servers
    of the current cluster configuration must be kicked (members no longer planned, and the old server of a
    member that is being replaced with an empty database).
  - Never creates a second cluster - as soon as any member has a clustered database file with a cluster ID, all
    other members join that cluster, including the planned bootstrap member.
  - B(Fails) with a message naming the hosts when the run is unsafe - members in two different clusters,
    a database file whose raft address differs from the plan, an existing cluster without a leader, or changes
    (kicks or joins) while fewer than a majority of the current configuration are running planned members that stay.
  - Pure computation; it runs no command and changes nothing.
author:
  - tridc.ovn developers (@tridc)
attributes:
  check_mode:
    support: full
    description: Pure computation; the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes.
  platform:
    support: full
    platforms: posix
    description: Runs anywhere.
options:
  db:
    description: Name of the database, used in messages (for example V(nb), V(sb), V(ic_nb)).
    type: str
    required: true
  label:
    description: Prefix of every message, for example V(central gate dc1/NB).
    type: str
  bootstrap:
    description: The member (C(host)) that creates the cluster when no member has one.
    type: str
    required: true
  members:
    description:
      - One entry per planned member, in plan order - for example the plan's C(dcs[DC].central.members).
      - Each needs O(members[].address), or O(members[].ip) from which O(proto) and O(port) make the address.
    type: list
    elements: dict
    required: true
    suboptions:
      host:
        description: Inventory name of the member.
        type: str
        required: true
      address:
        description: Planned raft address, for example V(ssl:10.90.1.11:6643).
        type: str
      ip:
        description: Planned raft IP address (used with O(proto) and O(port) when O(members[].address) is not given).
        type: str
      cluster:
        description: The RV(tridc.ovn.ovn_cluster#module:cluster) result of the member (overrides O(facts)).
        type: dict
      db_file:
        description: The RV(tridc.ovn.ovn_cluster#module:db_file) result of the member (overrides O(facts)).
        type: dict
  facts:
    description:
      - Per member host, the result of M(tridc.ovn.ovn_cluster) on that host (a dict with C(cluster) and C(db_file)).
      - A member without facts is treated as "no server running, no database file".
    type: dict
    default: {}
  proto:
    description: Raft transport used to build addresses from O(members[].ip).
    type: str
    default: ssl
    choices: [ssl, tcp]
  port:
    description: Raft port used to build addresses from O(members[].ip), for example V(6643) for NB.
    type: int
seealso:
  - module: tridc.ovn.ovn_cluster
  - module: tridc.ovn.ovn_cluster_member
'''

EXAMPLES = r'''
- name: Raft facts of this member
  tridc.ovn.ovn_cluster:
    db: nb
  register: nb_facts

- name: Decide (every member computes the same answer from its DC's members)
  tridc.ovn.ovn_cluster_check:
    db: nb
    label: "central dc1/NB"
    bootstrap: "{{ tridc_plan.dcs.dc1.central.bootstrap }}"
    members: "{{ tridc_plan.dcs.dc1.central.members }}"
    port: 6643
    facts: "{{ dict(hosts | zip(hosts | map('extract', hostvars, 'nb_facts'))) }}"
  vars:
    hosts: "{{ tridc_plan.dcs.dc1.central.members | map(attribute='host') | list }}"
  register: nb_decision

- name: Explicit addresses and facts
  tridc.ovn.ovn_cluster_check:
    db: sb
    bootstrap: dc1-n1
    members:
      - {host: dc1-n1, address: "ssl:10.90.1.11:6644", cluster: {}, db_file: {}}
      - {host: dc1-n2, address: "ssl:10.90.1.12:6644", cluster: {}, db_file: {}}
'''

RETURN = r'''
exists:
  description: Whether a cluster already exists (some member has a clustered file with a cluster ID).
  returned: always
  type: bool
cid:
  description: The cluster ID of the existing cluster, null when none exists.
  returned: always
  type: str
actions:
  description:
    - Per member - V(create) (make the cluster), V(join) (join it; a standalone file is moved aside first),
      V(rejoin) (the member was removed from the configuration; its file is moved aside and it joins again)
      or V(none).
  returned: always
  type: dict
  sample: {dc1-n1: none, dc1-n2: none, dc1-n3: join}
create_from_standalone:
  description: The creating member has a standalone database whose contents seed the cluster.
  returned: always
  type: bool
join_remotes:
  description: Per joining member, the raft addresses it contacts to join.
  returned: always
  type: dict
  sample: {dc1-n3: ["ssl:10.90.1.11:6643", "ssl:10.90.1.12:6643"]}
kick:
  description: Servers to remove from the configuration before anybody joins.
  returned: always
  type: list
  elements: dict
  sample: [{sid: 7a6e, address: "ssl:10.90.1.13:6643", host: dc1-n3, reason: "stale server 7a6e of dc1-n3, which is being replaced"}]
executor:
  description: The member that runs the kicks and the database-wide settings (the leader when it stays).
  returned: always
  type: str
leader:
  description: Short server ID of the leader (existing cluster only).
  returned: always
  type: str
leader_host:
  description: Planned member that leads, null when the leader is not planned or unknown.
  returned: always
  type: str
leader_address:
  description: Raft address of the leader.
  returned: always
  type: str
servers:
  description: The current cluster configuration (existing cluster only).
  returned: always
  type: list
  elements: dict
quorum:
  description: Servers in the configuration, votes needed and running planned members that stay.
  returned: always
  type: dict
  sample: {servers: 3, needed: 2, alive: 2}
survivors:
  description: Running planned members that stay in the configuration.
  returned: always
  type: list
  elements: str
messages:
  description: Informational notes.
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.tridc.ovn.plugins.module_utils.ovn import ClusterRefusal, check_cluster, member_inputs


def main():
    module = AnsibleModule(
        argument_spec=dict(
            db=dict(type='str', required=True),
            label=dict(type='str'),
            bootstrap=dict(type='str', required=True),
            members=dict(type='list', elements='dict', required=True, options=dict(
                host=dict(type='str', required=True),
                address=dict(type='str'),
                ip=dict(type='str'),
                cluster=dict(type='dict'),
                db_file=dict(type='dict'),
            )),
            facts=dict(type='dict', default={}),
            proto=dict(type='str', default='ssl', choices=['ssl', 'tcp']),
            port=dict(type='int'),
        ),
        supports_check_mode=True,
    )
    params = module.params
    label = params['label'] or params['db']
    try:
        members = member_inputs(params['members'], params['facts'], params['proto'], params['port'])
        result = check_cluster(params['db'], members, params['bootstrap'], label)
    except ClusterRefusal as exc:
        module.fail_json(msg=str(exc))
    except ValueError as exc:
        module.fail_json(msg='%s: %s' % (label, exc))
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()

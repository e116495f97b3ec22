#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: ovn_cluster
short_description: Raft facts of a clustered OVN database (NB, SB, IC-NB, IC-SB)
version_added: 0.1.0
description:
  - Reads the raft state of one clustered OVSDB database served by the local C(ovsdb-server) through
    C(ovs-appctl -t CTL cluster/status DB) and returns it parsed - role, term, leader, cluster and server
    IDs, the cluster configuration (servers and their addresses) and the raft connections.
  - Also describes the database file on disk with C(ovsdb-tool) (clustered or standalone, cluster ID,
    server ID, local raft address), so callers can tell "not running" from "never created".
  - Works for C(OVN_Northbound), C(OVN_Southbound) and the interconnection databases C(OVN_IC_Northbound)
    and C(OVN_IC_Southbound) with the Debian/Ubuntu paths of C(ovn-ctl); every path can be overridden.
  - Never changes anything.
author:
  - tridc.ovn developers (@tridc)
requirements:
  - C(ovs-appctl) and C(ovsdb-tool) (Debian package openvswitch-common) on the managed node.
attributes:
  check_mode:
    support: full
    description: The module only reads; it behaves the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is no diff.
  platform:
    support: full
    platforms: posix
    description: Runs on the host of the database server.
options:
  db:
    description:
      - Which database - V(nb) (C(OVN_Northbound)), V(sb) (C(OVN_Southbound)), V(ic_nb) (C(OVN_IC_Northbound))
        or V(ic_sb) (C(OVN_IC_Southbound)).
    type: str
    choices: [nb, sb, ic_nb, ic_sb]
  dbs:
    description:
      - Several databases in one call (each at its C(ovn-ctl) location), instead of O(db). The result is then
        RV(results), one entry per database in this order, shaped like the results of a loop over O(db), so that
        C(register) consumers read C(results[i].cluster) and C(results[i].item) as they would after a loop.
      - One call instead of one per database - this is what a rerun of a role costs per host.
    type: list
    elements: str
    choices: [nb, sb, ic_nb, ic_sb]
  ctl:
    description:
      - The control socket of the C(ovsdb-server) serving the database (only with O(db)).
      - Defaults to the C(ovn-ctl) location, for example C(/var/run/ovn/ovnnb_db.ctl).
    type: path
  db_file:
    description:
      - The database file to describe (only with O(db)). Defaults to the C(ovn-ctl) location, for example C(/var/lib/ovn/ovnnb_db.db).
    type: path
  timeout:
    description: Seconds to wait for the server to answer (C(ovs-appctl -T)).
    type: int
    default: 10
notes:
  - A server that runs the database standalone (not clustered) is reported with RV(cluster.running=true) and
    RV(cluster.clustered=false).
  - The short server IDs (4 hex digits) are those printed by C(cluster/status) and accepted by C(cluster/kick).
seealso:
  - module: tridc.ovn.ovn_cluster_check
  - module: tridc.ovn.ovn_cluster_member
'''

EXAMPLES = r'''
- name: Raft facts of the Southbound database
  tridc.ovn.ovn_cluster:
    db: sb
  register: sb

- name: Fail unless the SB cluster has a leader and three servers
  ansible.builtin.assert:
    that:
      - sb.cluster.healthy
      - sb.cluster.servers | length == 3

- name: NB and SB in one call (registered like a loop - nbsb.results[0].cluster, nbsb.results[1].item == 'sb')
  tridc.ovn.ovn_cluster:
    dbs: [nb, sb]
  register: nbsb

- name: IC Northbound database with non-default paths
  tridc.ovn.ovn_cluster:
    db: ic_nb
    ctl: /run/ovn/ovn_ic_nb_db.ctl
    db_file: /var/lib/ovn/ovn_ic_nb_db.db
'''

RETURN = r'''
results:
  description: With O(dbs) - one entry per database, each with RV(cluster), RV(db_file), RV(db) and C(item) (the
    database's O(dbs) name).
  returned: with O(dbs)
  type: list
  elements: dict
cluster:
  description: The raft state as the local server reports it.
  returned: with O(db)
  type: dict
  contains:
    running:
      description: Whether a server answered on the control socket.
      type: bool
      sample: true
    clustered:
      description: Whether the server serves the database as a raft cluster member.
      type: bool
      sample: true
    name:
      description: Database name.
      type: str
      sample: OVN_Northbound
    cid:
      description: Cluster ID (UUID), null while joining.
      type: str
      sample: 118948c3-293b-48e2-ab3b-b7b8eeb49265
    sid:
      description: Full server ID (UUID).
      type: str
      sample: bf74d714-76ba-4047-bd6f-66b4c69ed4be
    sid_short:
      description: Short server ID (first 4 hex digits).
      type: str
      sample: bf74
    address:
      description: The local raft address.
      type: str
      sample: ssl:10.90.1.11:6643
    status:
      description: V(cluster member), V(joining cluster), V(leaving cluster), V(left cluster), V(failed) or
        V(disconnected from the cluster (election timeout)).
      type: str
      sample: cluster member
    role:
      description: V(leader), V(follower) or V(candidate).
      type: str
      sample: leader
    term:
      description: The current raft term.
      type: int
      sample: 3
    leader:
      description: Short server ID of the leader, null when unknown.
      type: str
      sample: bf74
    leader_address:
      description: Raft address of the leader, null when unknown.
      type: str
      sample: ssl:10.90.1.11:6643
    is_leader:
      description: Whether this server is the leader.
      type: bool
    healthy:
      description: C(status) is V(cluster member) and a leader is known.
      type: bool
    vote:
      description: Short server ID this server voted for in this term.
      type: str
    election_timer:
      description: Election timer in milliseconds.
      type: int
      sample: 1000
    log_start:
      description: First index of the raft log.
      type: int
    log_end:
      description: Index after the last raft log entry.
      type: int
    uncommitted:
      description: Entries not yet committed.
      type: int
    unapplied:
      description: Entries not yet applied.
      type: int
    disconnections:
      description: Number of raft disconnections since start.
      type: int
    last_election_ms:
      description: Milliseconds since the last election started, null if none was seen.
      type: int
    remotes_for_joining:
      description: While joining, the remotes the server tries.
      type: list
      elements: str
    connections:
      description: Raft connections; C(direction) is V(in) or V(out); C(connected) is false while connecting.
      type: list
      elements: dict
      sample: [{sid: 7a6e, direction: in, connected: true}]
    servers:
      description:
        - The cluster configuration as this server sees it. C(last_msg_ms) and the indexes are only known for
          some servers (the leader knows them for all followers).
      type: list
      elements: dict
      sample: [{sid: bf74, address: "ssl:10.90.1.11:6643", self: true, next_index: 2, match_index: 4,
                last_msg_ms: null, voted_for: null}]
    error:
      description: Why the server did not answer or is not clustered (C(ovs-appctl) message), empty otherwise.
      type: str
db_file:
  description: The database file on disk.
  returned: always
  type: dict
  contains:
    path:
      description: The file.
      type: str
      sample: /var/lib/ovn/ovnnb_db.db
    exists:
      description: Whether the file exists.
      type: bool
    clustered:
      description: Whether it is a clustered database file (C(ovsdb-tool db-is-clustered)).
      type: bool
    standalone:
      description: Whether it is a standalone database file.
      type: bool
    cid:
      description: Cluster ID stored in the file; null while the file is still joining.
      type: str
    sid:
      description: Full server ID stored in the file.
      type: str
    local_address:
      description: The raft address the file was created or joined with.
      type: str
      sample: ssl:10.90.1.11:6643
db:
  description: The resolved database name, control socket and file.
  returned: always
  type: dict
  sample: {name: OVN_Northbound, ctl: /var/run/ovn/ovnnb_db.ctl, file: /var/lib/ovn/ovnnb_db.db}
'''

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.tridc.ovn.plugins.module_utils.ovn import (
    DB_CHOICES,
    db_defaults,
    parse_cluster_status,
)


def cluster_facts(module, appctl, ctl, name, timeout):
    """Run cluster/status; an absent socket or a standalone database are not errors."""
    empty = parse_cluster_status('')
    empty.update(running=False, clustered=False, error='')
    if not os.path.exists(ctl):
        empty['error'] = 'control socket %s does not exist' % ctl
        return empty
    argv = [appctl, '-T', str(timeout), '-t', ctl, 'cluster/status', name]
    rc, out, err = module.run_command(argv, expand_user_and_vars=False)
    if rc != 0:
        # "unknown cluster" (standalone or not served) versus "cannot connect" (not running)
        running = 'cannot connect' not in err and 'connection' not in err.lower()
        if running:
            check = module.run_command([appctl, '-T', str(timeout), '-t', ctl, 'ovsdb-server/list-dbs'], expand_user_and_vars=False)
            running = check[0] == 0
        empty.update(running=running, error=(err or out).strip())
        return empty
    facts = parse_cluster_status(out)
    facts.update(running=True, clustered=True, error='')
    return facts


def file_facts(module, tool, path):
    out = dict(path=path, exists=False, clustered=False, standalone=False, cid=None, sid=None, local_address=None)
    if not path or not os.path.exists(path):
        return out
    out['exists'] = True
    out['clustered'] = module.run_command([tool, 'db-is-clustered', path], expand_user_and_vars=False)[0] == 0
    out['standalone'] = module.run_command([tool, 'db-is-standalone', path], expand_user_and_vars=False)[0] == 0
    if out['clustered']:
        for key, cmd in (('cid', 'db-cid'), ('sid', 'db-sid'), ('local_address', 'db-local-address')):
            rc, value, dummy = module.run_command([tool, cmd, path], expand_user_and_vars=False)
            if rc == 0 and value.strip():
                out[key] = value.strip()
    return out


def main():
    module = AnsibleModule(
        argument_spec=dict(
            db=dict(type='str', choices=DB_CHOICES),
            dbs=dict(type='list', elements='str', choices=DB_CHOICES),
            ctl=dict(type='path'),
            db_file=dict(type='path'),
            timeout=dict(type='int', default=10),
        ),
        required_one_of=[('db', 'dbs')],
        mutually_exclusive=[('db', 'dbs'), ('dbs', 'ctl'), ('dbs', 'db_file')],
        supports_check_mode=True,
    )
    appctl = module.get_bin_path('ovs-appctl', required=True, opt_dirs=['/usr/sbin', '/usr/bin'])
    tool = module.get_bin_path('ovsdb-tool', required=True, opt_dirs=['/usr/sbin', '/usr/bin'])

    def describe(db, ctl=None, path=None):
        paths = db_defaults(db)
        ctl = ctl or paths['ctl']
        path = path or paths['file']
        return dict(
            cluster=cluster_facts(module, appctl, ctl, paths['name'], module.params['timeout']),
            db_file=file_facts(module, tool, path),
            db=dict(name=paths['name'], ctl=ctl, file=path),
        )

    if module.params['dbs']:
        module.exit_json(changed=False, results=[dict(describe(db), item=db) for db in module.params['dbs']])
    module.exit_json(changed=False, **describe(module.params['db'], module.params['ctl'], module.params['db_file']))


if __name__ == '__main__':
    main()

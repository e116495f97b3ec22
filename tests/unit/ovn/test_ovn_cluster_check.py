# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovn_cluster_check and ovn_cluster_member on what real raft members report.

Each scenario builds a real cluster, changes it the way an operator or a failure would
(replace a member with an empty machine, lose quorum, create a second cluster, shrink the plan),
collects ``ovn_cluster`` facts from every member and checks the decision.  The replacement
scenario then carries the decision out (kick, join, start) and checks the result.
"""

from __future__ import annotations

import time

from ansible_collections.tridc.ovn.plugins.modules import ovn_cluster, ovn_cluster_check, ovn_cluster_member


def gather(run_module, members):
    out = []
    for m in members:
        res = run_module(ovn_cluster, dict(db=m.cluster.db, ctl=m.ctl, db_file=m.file))
        out.append(dict(host='m%d' % m.index, address=m.address, cluster=res['cluster'], db_file=res['db_file']))
    return out


def check(run_module, members, bootstrap='m0', db='nb'):
    return run_module(ovn_cluster_check, dict(db=db, label='central test/%s' % db, bootstrap=bootstrap,
                                              members=gather(run_module, members)))


def test_fresh_cluster_bootstrap_creates_others_join(run_module, make_cluster):
    cluster = make_cluster('nb', 3)
    res = check(run_module, cluster.members)
    assert res['_rc'] == 0 and res['changed'] is False
    assert res['exists'] is False and res['cid'] is None
    assert res['actions'] == dict(m0='create', m1='join', m2='join')
    assert res['join_remotes']['m1'] == [cluster[0].address, cluster[2].address]
    assert res['kick'] == [] and res['executor'] == 'm0'
    assert res['create_from_standalone'] is False


def test_plan_members_with_ip_port_and_facts_dict(run_module, make_cluster):
    """The role's form: the plan's members [{host, ip}], the raft port, and a host -> facts dict."""
    cluster = make_cluster('sb', 3, same_port=True)
    cluster.bootstrap()
    cluster[1].wipe()
    cluster.wait_leader([cluster[0], cluster[2]])
    facts = dict((g['host'], dict(cluster=g['cluster'], db_file=g['db_file'], changed=False))
                 for g in gather(run_module, cluster.members))
    del facts['m1']                            # an empty machine reports nothing useful anyway
    res = run_module(ovn_cluster_check, dict(
        db='sb', bootstrap='m0', port=cluster[0].port, facts=facts,
        members=[dict(host='m%d' % m.index, ip=m.ip) for m in cluster.members]))
    assert res['_rc'] == 0, res
    assert res['actions'] == dict(m0='none', m1='join', m2='none')
    assert res['join_remotes']['m1'] == [cluster[0].address, cluster[2].address]
    assert [k['host'] for k in res['kick']] == ['m1']
    res = run_module(ovn_cluster_check, dict(db='sb', bootstrap='m0', members=[dict(host='m0', ip='127.0.0.11')]))
    assert res['_rc'] == 1 and 'needs an address' in res['msg']


def test_standalone_bootstrap_seeds_the_cluster(run_module, make_cluster):
    cluster = make_cluster('nb', 3)
    cluster[0].create_standalone()
    cluster[1].create_standalone()
    res = check(run_module, cluster.members)
    assert res['actions'] == dict(m0='create', m1='join', m2='join')
    assert res['create_from_standalone'] is True


def test_standalone_data_on_another_member_is_not_thrown_away(run_module, make_cluster):
    """Quorum restored by hand (cluster-to-standalone) on m2 while the bootstrap member m0 is empty."""
    cluster = make_cluster('nb', 3)
    cluster[2].create_standalone()
    res = check(run_module, cluster.members)
    assert res['actions'] == dict(m0='join', m1='join', m2='create')
    assert res['create_from_standalone'] is True and res['executor'] == 'm2'
    assert 'm2 has the only standalone nb database' in res['messages'][0]


def test_healthy_cluster_needs_nothing(run_module, make_cluster):
    cluster = make_cluster('sb', 3)
    cluster.bootstrap()
    res = check(run_module, cluster.members, db='sb')
    assert res['exists'] is True and res['cid']
    assert res['actions'] == dict(m0='none', m1='none', m2='none')
    assert res['kick'] == [] and res['join_remotes'] == {}
    assert res['quorum'] == dict(servers=3, needed=2, alive=3)
    assert res['executor'] == res['leader_host']


def test_existing_cluster_is_joined_even_by_the_bootstrap_member(run_module, make_cluster):
    """The plan's bootstrap member is new/empty, the cluster lives on the others: never a second cluster."""
    cluster = make_cluster('nb', 3)
    # the cluster was created on m1 (e.g. an earlier plan), m2 joined it; m0 is an empty new machine
    cluster[1].create()
    cluster[1].start()
    cluster[2].join([cluster[1].address])
    cluster[2].start()
    cluster.wait_healthy([cluster[1], cluster[2]])
    res = check(run_module, cluster.members, bootstrap='m0')
    assert res['actions'] == dict(m0='join', m1='none', m2='none')
    assert res['join_remotes']['m0'] == [cluster[1].address, cluster[2].address]
    assert res['kick'] == []


def test_replaced_member_kicked_and_rejoined(run_module, make_cluster):
    cluster = make_cluster('nb', 3)
    cluster.bootstrap()
    old = gather(run_module, [cluster[2]])[0]['cluster']['sid_short']
    cid = gather(run_module, [cluster[0]])[0]['cluster']['cid']
    cluster[2].wipe()                         # container recreated empty, same address
    cluster.wait_leader([cluster[0], cluster[1]])
    res = check(run_module, cluster.members)
    assert res['_rc'] == 0, res
    assert res['actions'] == dict(m0='none', m1='none', m2='join')
    assert [k['sid'] for k in res['kick']] == [old]
    assert res['kick'][0]['host'] == 'm2' and 'replaced' in res['kick'][0]['reason']
    assert res['quorum'] == dict(servers=3, needed=2, alive=2)
    assert res['executor'] in ('m0', 'm1')

    # carry it out: kick on the executor, join with the known cluster ID, start
    executor = cluster[int(res['executor'][1:])]
    args = dict(db='nb', ctl=executor.ctl, sid=old)
    dry = run_module(ovn_cluster_member, args, check=True, diff=True)
    assert dry['changed'] is True and dry['removed']['sid'] == old
    assert old not in [s['sid'] for s in dry['diff']['after']['servers']]
    assert old in executor.status_text()      # check mode kicked nobody
    kicked = run_module(ovn_cluster_member, args)
    assert kicked['changed'] is True and len(kicked['servers']) == 2
    assert old not in [s['sid'] for s in gather(run_module, [cluster[0]])[0]['cluster']['servers']]
    again = run_module(ovn_cluster_member, args)
    assert again['changed'] is False and again['removed'] is None

    cluster[2].join(res['join_remotes']['m2'], cid=cid)
    cluster[2].start()
    states = cluster.wait_healthy()
    assert len(set(s['cid'] for s in states)) == 1 and states[0]['cid'] == cid
    assert len(states[0]['servers']) == 3
    after = check(run_module, cluster.members)
    assert after['actions'] == dict(m0='none', m1='none', m2='none') and after['kick'] == []


def test_refuses_when_quorum_is_lost(run_module, make_cluster):
    cluster = make_cluster('nb', 3)
    cluster.bootstrap()
    cluster[1].wipe()
    cluster[2].wipe()
    res = check(run_module, cluster.members)
    assert res['_rc'] == 1 and res['failed']
    msg = res['msg']
    assert msg.startswith('central test/nb:')
    # either "no leader" (m0 noticed) or "would lose quorum" (m0 still believes in its leadership)
    assert 'no leader' in msg or 'would lose quorum' in msg, msg
    assert 'm1: no database' in msg or 'would lose quorum' in msg, msg


def test_refuses_a_second_cluster(run_module, make_cluster):
    cluster = make_cluster('nb', 3)
    cluster[0].create()
    cluster[0].start()
    cluster[1].create()                        # somebody bootstrapped twice
    cluster[1].start()
    res = check(run_module, cluster.members)
    assert res['_rc'] == 1
    assert '2 different nb clusters' in res['msg'] and 'm0' in res['msg'] and 'm1' in res['msg']


def test_refuses_address_change(run_module, make_cluster):
    cluster = make_cluster('nb', 3)
    cluster.bootstrap()
    members = gather(run_module, cluster.members)
    members[1]['address'] = 'ssl:127.0.0.99:6643'
    res = run_module(ovn_cluster_check, dict(db='nb', bootstrap='m0', members=members))
    assert res['_rc'] == 1
    assert 'm1' in res['msg'] and 'ssl:127.0.0.99:6643' in res['msg'] and cluster[1].address in res['msg']


def test_member_removed_from_plan_is_kicked(run_module, make_cluster):
    cluster = make_cluster('sb', 3)
    cluster.bootstrap()
    res = check(run_module, cluster.members[:2], db='sb')
    assert res['actions'] == dict(m0='none', m1='none')
    assert [k['address'] for k in res['kick']] == [cluster[2].address]
    assert 'not a planned member' in res['kick'][0]['reason']


def test_kick_refuses_the_local_server_and_a_cluster_without_leader(run_module, make_cluster):
    cluster = make_cluster('nb', 3)
    states = cluster.bootstrap()
    me = gather(run_module, [cluster[0]])[0]['cluster']['sid_short']
    res = run_module(ovn_cluster_member, dict(db='nb', ctl=cluster[0].ctl, sid=me))
    assert res['_rc'] == 1 and 'local server' in res['msg']
    other = [m for m in cluster.members if m is not cluster[0]]
    victim = gather(run_module, [other[0]])[0]['cluster']['sid_short']
    for m in other:
        m.stop()
    deadline = time.monotonic() + 20
    while 'disconnected' not in cluster[0].status_text():
        assert time.monotonic() < deadline
        time.sleep(0.3)
    res = run_module(ovn_cluster_member, dict(db='nb', ctl=cluster[0].ctl, sid=victim))
    assert res['_rc'] == 1 and 'no leader' in res['msg']
    assert len(states) == 3

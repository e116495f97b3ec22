# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tridc.ovn.ovn_cluster against real ovsdb-server raft clusters (TLS raft on 127.0.0.x)."""

from __future__ import annotations

import time

import pytest

from ansible_collections.tridc.ovn.plugins.modules import ovn_cluster
from ansible_collections.tridc.ovn.plugins.module_utils.ovn import parse_cluster_status


def facts(run_module, member, check=False):
    return run_module(ovn_cluster, dict(db=member.cluster.db, ctl=member.ctl, db_file=member.file), check=check)


def test_not_running_and_no_file(run_module, make_cluster):
    cluster = make_cluster('nb', 1)
    res = facts(run_module, cluster[0])
    assert res['_rc'] == 0 and res['changed'] is False
    assert res['cluster']['running'] is False
    assert res['cluster']['clustered'] is False
    assert 'does not exist' in res['cluster']['error']
    assert res['db_file'] == dict(path=cluster[0].file, exists=False, clustered=False, standalone=False,
                                  cid=None, sid=None, local_address=None)
    assert res['db']['name'] == 'OVN_Northbound'


def test_three_members_leader_followers(run_module, make_cluster):
    cluster = make_cluster('nb', 3)
    cluster.bootstrap()
    results = [facts(run_module, m) for m in cluster.members]
    leaders = [r for r in results if r['cluster']['is_leader']]
    assert len(leaders) == 1
    leader = leaders[0]['cluster']
    cid = leader['cid']
    for member, res in zip(cluster.members, results):
        c = res['cluster']
        assert c['running'] and c['clustered'] and c['healthy'], c
        assert c['name'] == 'OVN_Northbound'
        assert c['cid'] == cid and c['cid_short'] == cid[:4]
        assert c['address'] == member.address
        assert c['status'] == 'cluster member'
        assert c['role'] in ('leader', 'follower')
        assert c['leader'] == leader['sid_short']
        assert c['leader_address'] == leader['address']
        assert c['term'] >= 1
        assert c['election_timer'] == 1000
        assert sorted(s['address'] for s in c['servers']) == sorted(m.address for m in cluster.members)
        assert [s['self'] for s in c['servers']].count(True) == 1
        # file facts agree with the server
        f = res['db_file']
        assert f['exists'] and f['clustered'] and not f['standalone']
        assert f['cid'] == cid
        assert f['sid'] == c['sid']
        assert f['local_address'] == member.address
    # the leader sees every follower's indexes and message age
    for server in leader['servers']:
        if not server['self']:
            assert server['match_index'] is not None and server['last_msg_ms'] is not None
    assert all(conn['connected'] for conn in leader['connections'])


def test_check_mode_is_the_same(run_module, make_cluster):
    cluster = make_cluster('sb', 1)
    cluster.bootstrap()
    res = facts(run_module, cluster[0], check=True)
    assert res['changed'] is False and res['cluster']['is_leader'] and res['cluster']['name'] == 'OVN_Southbound'


def test_joining_member_with_unreachable_remote(run_module, make_cluster):
    cluster = make_cluster('nb', 2)
    member = cluster[1]
    member.join([cluster[0].address])      # member 0 never started
    member.start()
    res = facts(run_module, member)
    c = res['cluster']
    assert c['status'] == 'joining cluster'
    assert c['cid'] is None and c['healthy'] is False and c['leader'] is None
    assert c['remotes_for_joining'] == [cluster[0].address]
    f = res['db_file']
    assert f['clustered'] and f['cid'] is None and f['sid'] and f['local_address'] == member.address


def test_disconnected_member_without_quorum(run_module, make_cluster):
    cluster = make_cluster('nb', 3)
    cluster.bootstrap()
    cluster[0].stop()
    cluster[1].stop()
    deadline = time.monotonic() + 20
    while True:
        c = facts(run_module, cluster[2])['cluster']
        if c['status'].startswith('disconnected'):
            break
        assert time.monotonic() < deadline, c
        time.sleep(0.3)
    assert c['healthy'] is False and c['leader'] is None and c['role'] == 'candidate'
    assert len(c['servers']) == 3
    assert any(not conn['connected'] for conn in c['connections'])


def test_standalone_database_is_not_clustered(run_module, make_cluster):
    cluster = make_cluster('nb', 1)
    member = cluster[0]
    member.create_standalone()
    member.start()
    res = facts(run_module, member)
    assert res['cluster']['running'] is True
    assert res['cluster']['clustered'] is False
    assert res['cluster']['error']
    assert res['db_file']['standalone'] is True and res['db_file']['clustered'] is False


@pytest.mark.parametrize('db', ['ic_nb', 'ic_sb'])
def test_interconnection_databases(run_module, make_cluster, db):
    cluster = make_cluster(db, 3)
    cluster.bootstrap()
    res = facts(run_module, cluster[1])
    assert res['cluster']['healthy'] and len(res['cluster']['servers']) == 3
    assert res['cluster']['name'] == {'ic_nb': 'OVN_IC_Northbound', 'ic_sb': 'OVN_IC_Southbound'}[db]


def test_parse_real_output_of_every_member(make_cluster):
    cluster = make_cluster('sb', 3)
    cluster.bootstrap()
    texts = [m.status_text() for m in cluster.members]
    parsed = [parse_cluster_status(t) for t in texts]
    assert len(set(p['cid'] for p in parsed)) == 1
    assert len(set(p['sid'] for p in parsed)) == 3
    for text, p in zip(texts, parsed):
        # every server line of the real output was understood
        assert len(p['servers']) == sum(1 for line in text.splitlines() if ' at ssl:' in line)
        assert p['log_end'] >= p['log_start'] >= 1
        assert p['uncommitted'] == 0


def test_parse_ipv6_and_unknown_leader():
    text = '\n'.join([
        'ab12', 'Name: OVN_Southbound', 'Cluster ID: not yet known',
        'Server ID: ab12 (ab12cdef-0000-4000-8000-000000000001)', 'Address: ssl:[fd00::11]:6644',
        'Status: joining cluster', 'Remotes for joining: ssl:[fd00::12]:6644 ssl:[fd00::13]:6644',
        'Role: follower', 'Term: 0', 'Leader: unknown', 'Vote: unknown', '', 'Election timer: 1000',
        'Log: [1, 1]', 'Entries not yet committed: 0', 'Entries not yet applied: 0',
        'Connections: (->0000) (->0000)', 'Disconnections: 0', 'Servers:', ''])
    p = parse_cluster_status(text)
    assert p['cid'] is None and p['sid_short'] == 'ab12' and p['address'] == 'ssl:[fd00::11]:6644'
    assert p['remotes_for_joining'] == ['ssl:[fd00::12]:6644', 'ssl:[fd00::13]:6644']
    assert p['leader'] is None and not p['healthy']
    assert p['connections'] == [dict(sid='0000', direction='out', connected=False)] * 2


def test_several_databases_in_one_call_read_like_a_loop(run_module):
    """dbs: one call, results shaped like a registered loop (item, cluster, db_file, db), equal to one call per db.

    The default ovn-ctl paths hold no server on the test machine: what is compared is the shape and the per-db
    answers (the raft parsing itself is proven on real clusters above)."""
    many = run_module(ovn_cluster, dict(dbs=['nb', 'ic_sb']))
    assert many['_rc'] == 0 and many['changed'] is False and 'cluster' not in many
    assert [r['item'] for r in many['results']] == ['nb', 'ic_sb']
    for res in many['results']:
        one = run_module(ovn_cluster, dict(db=res['item']))
        assert {k: res[k] for k in ('cluster', 'db_file', 'db')} == {k: one[k] for k in ('cluster', 'db_file', 'db')}
    assert many['results'][1]['db']['name'] == 'OVN_IC_Southbound'
    bad = run_module(ovn_cluster, dict(dbs=['nb'], ctl='/tmp/x.ctl'))
    assert bad['failed'] and 'mutually exclusive' in bad['msg']

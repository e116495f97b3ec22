# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""OVN control plane on the converged lab (after ``ansible-playbook playbooks/site.yml``).

* every DC: NB and SB are 3-member raft clusters over TLS with one leader, no plaintext listener;
* a central member replaced by an empty container rejoins the SAME cluster (site.yml rerun);
* pods (network namespaces on br-int bound to logical switch ports this test creates) on two
  chassis of a DC ping each other through the Geneve overlay.

Skipped when the lab is down (conftest ``lab``) or site.yml has not run yet.
Environment: ``TRIDC_LAB_REPLACE_HOST`` (default dc1-n3) is the member the replacement test recreates;
``TRIDC_LAB_SITE_PLAYBOOK`` (default playbooks/site.yml) and ``TRIDC_LAB_SITE_ARGS`` (extra ansible-playbook
arguments, default ``--limit localhost:DC``, the replaced member's DC) are what is rerun after the replacement.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time

import pytest

from ansible_collections.tridc.ovn.plugins.module_utils.ovn import parse_cluster_status
from workloads import plumb, unplumb  # pylint: disable=import-error

DCS = ('dc1', 'dc2', 'dc3')
DBS = {'nb': ('/var/run/ovn/ovnnb_db.ctl', 'OVN_Northbound'), 'sb': ('/var/run/ovn/ovnsb_db.ctl', 'OVN_Southbound')}


def raft(node_run, host, db):
    ctl, name = DBS[db]
    res = node_run(host, 'ovs-appctl', '-T', '10', '-t', ctl, 'cluster/status', name)
    if res.returncode != 0:
        return None
    return parse_cluster_status(res.stdout)


def members(dc):
    return ['%s-n%d' % (dc, i) for i in (1, 2, 3)]


@pytest.fixture(scope='module')
def converged(lab):
    """The lab, with the DCs whose central members run the NB database (site.yml has run there)."""
    ssh = ['ssh', '-i', str(lab.key), '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no',
           '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=5']
    lab.deployed = []
    for dc in DCS:
        res = subprocess.run(ssh + ['root@' + lab.nodes[dc + '-n1'], 'test -S /var/run/ovn/ovnnb_db.ctl'],
                             capture_output=True, text=True, timeout=30, check=False)
        if res.returncode == 0:
            lab.deployed.append(dc)
    if not lab.deployed:
        pytest.skip('the OVN control plane is not deployed on the lab (run playbooks/site.yml)')
    return lab


def need(lab, dc):
    if dc not in lab.deployed:
        pytest.skip('the OVN control plane is not deployed in %s (run playbooks/site.yml)' % dc)


def wait_ssh(node_run, host, timeout=120):
    deadline = time.monotonic() + timeout
    while node_run(host, 'true', timeout=15).returncode != 0:
        assert time.monotonic() < deadline, '%s does not answer on ssh' % host
        time.sleep(2)


@pytest.mark.parametrize('dc', DCS)
def test_raft_tls_one_leader(converged, node_run, dc):
    need(converged, dc)
    for db in DBS:
        states = {h: raft(node_run, h, db) for h in members(dc)}
        assert all(states.values()), '%s %s: not running on %s' % (dc, db, [h for h, s in states.items() if not s])
        assert len({s['cid'] for s in states.values()}) == 1, states
        assert sum(1 for s in states.values() if s['is_leader']) == 1
        for host, s in states.items():
            assert s['healthy'], '%s %s on %s: %s' % (dc, db, host, s['status'])
            assert len(s['servers']) == 3
            assert all(srv['address'].startswith('ssl:') for srv in s['servers'])
    # no ovsdb-server port answers a plaintext client
    listen = node_run(members(dc)[0], 'ss', '-Hltnp').stdout.splitlines()
    ports = sorted({line.split()[3].rsplit(':', 1)[1] for line in listen if 'ovsdb-server' in line})
    assert {'6641', '6642', '6643', '6644'} <= set(ports), ports
    ip = converged.nodes[members(dc)[0]]
    for port in ports:
        res = node_run(members(dc)[0], 'ovsdb-client', '--timeout=3', 'list-dbs', 'tcp:%s:%s' % (ip, port))
        assert res.returncode != 0, 'plaintext answered on %s:%s' % (ip, port)


def test_replaced_central_member_rejoins_the_same_cluster(converged, node_run, ansible):
    host = os.environ.get('TRIDC_LAB_REPLACE_HOST', 'dc1-n3')
    dc = host.split('-')[0]
    need(converged, dc)
    before = {db: {h: raft(node_run, h, db) for h in members(dc)} for db in DBS}
    for db, states in before.items():
        assert all(s and s['healthy'] for s in states.values()), '%s %s is not healthy before the test' % (dc, db)

    # the machine is replaced: a new, empty container with the same name and addresses
    rm = subprocess.run(['podman', 'rm', '--force', '--time', '0', 'tridc-' + host], capture_output=True, text=True,
                        timeout=120, check=False)
    assert rm.returncode == 0, rm.stderr
    up = subprocess.run(['bash', str(converged.root / 'lab' / 'lab.sh'), 'up'], capture_output=True, text=True,
                        timeout=1800, check=False)
    assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
    wait_ssh(node_run, host)
    assert node_run(host, 'test', '-e', '/var/lib/ovn/ovnnb_db.db').returncode != 0, 'the new container is not empty'

    # the remaining two still have a leader: losing one of three keeps quorum
    for db in DBS:
        others = [raft(node_run, h, db) for h in members(dc) if h != host]
        assert any(s['is_leader'] for s in others), '%s %s lost its leader' % (dc, db)

    started = time.monotonic()
    playbook = os.environ.get('TRIDC_LAB_SITE_PLAYBOOK', 'playbooks/site.yml')
    # the operator's run after replacing a machine: the machine's DC (the plan stays the whole inventory's)
    res = ansible.playbook(playbook, *shlex.split(os.environ.get('TRIDC_LAB_SITE_ARGS', '--limit localhost:%s' % dc)))
    took = time.monotonic() - started
    assert res.returncode == 0, res.stdout[-6000:] + res.stderr[-3000:]

    for db in DBS:
        after = {h: raft(node_run, h, db) for h in members(dc)}
        cid = next(iter(before[db].values()))['cid']
        for h, s in after.items():
            assert s and s['healthy'], '%s %s on %s: %s' % (dc, db, h, s and s['status'])
            assert s['cid'] == cid, '%s %s: %s is in cluster %s, not %s (a second cluster)' % (dc, db, h, s['cid'], cid)
            assert len(s['servers']) == 3, s['servers']
        assert after[host]['sid'] != before[db][host]['sid'], 'the replaced member kept its old server ID?'
        old = before[db][host]['sid_short']
        assert old not in [srv['sid'] for srv in after[members(dc)[0] if host != members(dc)[0] else members(dc)[1]]['servers']]
    print('site.yml rerun after replacing %s: %.1f s' % (host, took))


@pytest.mark.parametrize('dc', DCS)
def test_overlay_ping_between_pods_on_two_chassis(converged, node_run, dc):
    need(converged, dc)
    central, pods = members(dc)[0], members(dc)[1:]
    ls = 'tridc-test-pods-%s' % dc
    subnet = '192.168.25%d' % int(dc[-1])
    spec = [dict(host=h, lsp='%s-%s' % (ls, h), mac='0a:58:00:00:%02d:%02d' % (int(dc[-1]), n + 2),
                 ip='%s.%d' % (subnet, n + 2)) for n, h in enumerate(pods)]

    def nbctl(*args):
        res = node_run(central, 'ovn-nbctl', '--no-leader-only', '--timeout=30', *args)
        assert res.returncode == 0, res.stderr
        return res.stdout

    def cleanup():
        for pod in spec:
            unplumb(node_run, pod['host'], 'tridc-test-pod', 'tp-' + pod['lsp'][-5:])
        node_run(central, 'ovn-nbctl', '--no-leader-only', '--if-exists', 'ls-del', ls)

    cleanup()
    try:
        nbctl('ls-add', ls)
        for pod in spec:
            nbctl('lsp-add', ls, pod['lsp'], '--', 'lsp-set-addresses', pod['lsp'], '%s %s' % (pod['mac'], pod['ip']))
        for pod in spec:
            plumb(node_run, pod['host'], 'tridc-test-pod', 'tp-' + pod['lsp'][-5:], pod['lsp'], pod['mac'], pod['ip'] + '/24')
        for pod in spec:
            nbctl('wait-until', 'Logical_Switch_Port', pod['lsp'], 'up=true')
        deadline = time.monotonic() + 60
        while True:
            res = node_run(spec[0]['host'], 'ip', 'netns', 'exec', 'tridc-test-pod', 'ping', '-c', '3', '-W', '2', spec[1]['ip'])
            if res.returncode == 0:
                break
            assert time.monotonic() < deadline, 'no overlay ping %s -> %s in %s:\n%s' % (spec[0]['host'], spec[1]['host'], dc, res.stdout)
            time.sleep(2)
        assert ' 0% packet loss' in res.stdout
    finally:
        cleanup()

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovn_db_remote on a real 3-member TLS raft cluster: listeners appear on every member, TLS only."""

from __future__ import annotations

import json
import socket
import subprocess
import time

from ansible_collections.tridc.ovn.plugins.modules import ovn_db_remote

from .conftest import free_port, tool


def listening(ip, port, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex((ip, port)) == 0:
                return True
        time.sleep(0.1)
    return False


def client(args, timeout=5):
    proc = subprocess.run([tool('ovsdb-client'), '--timeout=%d' % timeout] + args, capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def test_sb_listeners_rbac_tls_only(run_module, make_cluster, pki):
    cluster = make_cluster('sb', 3)
    cluster.bootstrap()
    port_rbac = free_port('127.0.0.11')
    port_priv = free_port('127.0.0.11')
    # write through a follower's unix socket (the module uses --no-leader-only)
    follower = cluster[2]
    args = dict(db='sb', database='unix:' + follower.sock, inactivity_probe=60000, connections=[
        dict(target='pssl:%d' % port_rbac, role='ovn-controller'),
        dict(target='pssl:%d' % port_priv),
    ])
    dry = run_module(ovn_db_remote, args, check=True, diff=True)
    assert dry['_rc'] == 0 and dry['changed'] is True
    assert dry['diff']['before'] == dict(connections=[])
    assert 'set-connection' in dry['command'] and 'role=ovn-controller' in dry['command']
    assert not listening('127.0.0.11', port_rbac, timeout=1)      # check mode wrote nothing

    res = run_module(ovn_db_remote, args, diff=True)
    assert res['changed'] is True
    assert res['connections'] == sorted([
        dict(target='pssl:%d' % port_rbac, role='ovn-controller', inactivity_probe=60000),
        dict(target='pssl:%d' % port_priv, role='', inactivity_probe=60000)], key=lambda r: r['target'])
    # every member listens (the Connection table is replicated by raft)
    for member in cluster.members:
        assert listening(member.ip, port_rbac) and listening(member.ip, port_priv), member.ip

    again = run_module(ovn_db_remote, args)
    assert again['changed'] is False and again['command'] == []

    # TLS works with a CA-signed client certificate ...
    key, crt, ca = pki.cert('client')
    rc, out, err = client(['-p', key, '-c', crt, '-C', ca, 'list-dbs', 'ssl:127.0.0.12:%d' % port_priv])
    assert rc == 0 and 'OVN_Southbound' in out, err
    # ... and a plaintext client gets nothing
    rc, out, err = client(['list-dbs', 'tcp:127.0.0.12:%d' % port_priv], timeout=3)
    assert rc != 0 and 'OVN_Southbound' not in out

    # changing the role of one target is a change; removing a target too
    args['connections'] = [dict(target='pssl:%d' % port_rbac, role='ovn-controller')]
    res = run_module(ovn_db_remote, args)
    assert res['changed'] is True and [c['target'] for c in res['connections']] == ['pssl:%d' % port_rbac]
    out = subprocess.run([tool('ovn-sbctl'), '--db=unix:' + cluster[0].sock, '--no-leader-only', '--format=json',
                          '--columns=target,role', 'list', 'Connection'], capture_output=True, text=True, check=True).stdout
    assert json.loads(out)['data'] == [['pssl:%d' % port_rbac, 'ovn-controller']]


def test_nb_refuses_plaintext_and_roles(run_module, make_cluster):
    cluster = make_cluster('nb', 1)
    cluster.bootstrap()
    base = dict(db='nb', database='unix:' + cluster[0].sock)
    res = run_module(ovn_db_remote, dict(base, connections=[dict(target='ptcp:6641')]))
    assert res['_rc'] == 1 and 'plaintext' in res['msg']
    res = run_module(ovn_db_remote, dict(base, connections=[dict(target='pssl:6641', role='ovn-controller')]))
    assert res['_rc'] == 1 and 'no RBAC' in res['msg']
    res = run_module(ovn_db_remote, dict(base, connections=[dict(target='ssl:1.2.3.4:6641')]))
    assert res['_rc'] == 1 and 'passive' in res['msg']
    port = free_port('127.0.0.11')
    res = run_module(ovn_db_remote, dict(base, connections=[dict(target='pssl:%d:127.0.0.11' % port)]))
    assert res['changed'] is True and res['connections'][0]['inactivity_probe'] is None
    assert listening('127.0.0.11', port)
    res = run_module(ovn_db_remote, dict(base, connections=[dict(target='pssl:%d:127.0.0.11' % port)]))
    assert res['changed'] is False

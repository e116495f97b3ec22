# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovn_db_remote on a real 3-member TLS raft cluster: listeners appear on every member, TLS only, and bound to
each member's own address through a name (never a wildcard)."""

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
    # wildcard targets (what the roles wrote before) need allow_wildcard now; this test is about RBAC and TLS
    args = dict(db='sb', database='unix:' + follower.sock, inactivity_probe=60000, allow_wildcard=True, connections=[
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
    res = run_module(ovn_db_remote, dict(base, connections=[dict(target='pssl:6641:127.0.0.11', role='ovn-controller')]))
    assert res['_rc'] == 1 and 'no RBAC' in res['msg']
    for wildcard in ('pssl:6641', 'pssl:6641:0.0.0.0', 'pssl:6641:[::]', 'pssl:6641:::'):
        res = run_module(ovn_db_remote, dict(base, connections=[dict(target=wildcard)]))
        assert res['_rc'] == 1 and 'refusing wildcard listener' in res['msg'], (wildcard, res)
    res = run_module(ovn_db_remote, dict(base, connections=[dict(target='ssl:1.2.3.4:6641')]))
    assert res['_rc'] == 1 and 'passive' in res['msg']
    port = free_port('127.0.0.11')
    res = run_module(ovn_db_remote, dict(base, connections=[dict(target='pssl:%d:127.0.0.11' % port)]))
    assert res['changed'] is True and res['connections'][0]['inactivity_probe'] is None
    assert listening('127.0.0.11', port)
    res = run_module(ovn_db_remote, dict(base, connections=[dict(target='pssl:%d:127.0.0.11' % port)]))
    assert res['changed'] is False


LISTEN_NAME = 'mgmt.tridc.invalid'


def _listeners(pid):
    """ADDRESS:PORT of the TCP listeners of one process (ss -Hltnp)."""
    out = subprocess.run([tool('ss'), '-Hltnp'], capture_output=True, text=True, check=True).stdout
    return sorted(line.split()[3] for line in out.splitlines() if 'pid=%d,' % pid in line)


def test_listeners_bound_to_each_members_address_through_a_name(run_module, make_cluster, pki, tmp_path):
    """What the central and interconnect roles do: each member's ovsdb-server gets OVS_UNBOUND_CONF, a static zone
    that maps the listeners' name to its own address; the replicated Connection rows name it. Every member then
    listens on its own address only - raft and client listeners - and none on a wildcard address."""
    cluster = make_cluster('sb', 3, same_port=True)

    def env(member):
        conf = tmp_path / ('unbound-m%d.conf' % member.index)
        conf.write_text('server:\n  local-zone: "tridc.invalid." static\n'
                        '  local-data: "%s. IN A %s"\n' % (LISTEN_NAME, member.ip))
        return {'OVS_UNBOUND_CONF': str(conf)}

    cluster.bootstrap(env=env)
    port_rbac, port_priv = free_port('127.0.0.11'), free_port('127.0.0.11')
    args = dict(db='sb', database='unix:' + cluster[1].sock, inactivity_probe=60000, connections=[
        dict(target='pssl:%d:%s' % (port_rbac, LISTEN_NAME), role='ovn-controller'),
        dict(target='pssl:%d:%s' % (port_priv, LISTEN_NAME))])
    res = run_module(ovn_db_remote, args)
    assert res['changed'] is True, res
    for member in cluster.members:
        assert listening(member.ip, port_rbac) and listening(member.ip, port_priv), member.ip
    for member in cluster.members:
        got = _listeners(member.proc.pid)
        assert got == sorted('%s:%d' % (member.ip, p) for p in (member.port, port_rbac, port_priv)), (member.ip, got)
    # a member's listener answers TLS on its own address, and nothing listens on another interface
    key, crt, ca = pki.cert('client')
    rc, out, err = client(['-p', key, '-c', crt, '-C', ca, 'list-dbs', 'ssl:127.0.0.13:%d' % port_priv])
    assert rc == 0 and 'OVN_Southbound' in out, err
    assert not listening('127.0.0.1', port_priv, timeout=1)
    # a member without the name binds nothing (never falls back to a wildcard)
    spare = make_cluster('sb', 1)
    spare.bootstrap()
    res = run_module(ovn_db_remote, dict(args, database='unix:' + spare[0].sock,
                                         connections=[dict(target='pssl:%d:%s' % (free_port('127.0.0.11'), LISTEN_NAME))]))
    assert res['changed'] is True
    time.sleep(1)
    assert _listeners(spare[0].proc.pid) == ['%s:%d' % (spare[0].ip, spare[0].port)]

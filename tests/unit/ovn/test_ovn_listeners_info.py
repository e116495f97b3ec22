# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tridc.ovn.ovn_listeners_info against a real ovsdb-server: a TLS raft port, a plaintext port bound to an address
and a plaintext wildcard port. The module must find all three, flag the wildcard, and probe plaintext on exactly the
two plaintext ports (in parallel: the three probes together take about one probe's time)."""

from __future__ import annotations

import time

from ansible_collections.tridc.ovn.plugins.modules import ovn_listeners_info
from testing_tools import free_port


def test_listeners_wildcards_and_plaintext_probes(run_module, make_cluster):
    cluster = make_cluster('nb', 1)
    member = cluster[0]
    plain, wild = free_port(member.ip), free_port('0.0.0.0')
    member.create()
    member.start(remotes=['ptcp:%d:%s' % (plain, member.ip), 'ptcp:%d' % wild])
    cluster.wait_healthy([member])
    started = time.monotonic()
    res = run_module(ovn_listeners_info, dict(probe_address=member.ip, probe_timeout=3))
    took = time.monotonic() - started
    assert res['_rc'] == 0 and res['changed'] is False, res
    mine = {l['port']: {k: l[k] for k in ('address', 'port', 'wildcard')} for l in res['listeners']
            if l['port'] in (member.port, plain, wild)}
    assert mine == {
        member.port: dict(address=member.ip, port=member.port, wildcard=False),
        plain: dict(address=member.ip, port=plain, wildcard=False),
        wild: dict(address=mine[wild]['address'], port=wild, wildcard=True),
    }, res['listeners']
    assert '%s:%d' % (member.ip, member.port) in res['endpoints']
    assert mine[wild]['address'] in ('0.0.0.0', '*', '[::]')
    opened = set(res['plaintext_open'])
    assert '%s:%d' % (member.ip, plain) in opened and '%s:%d' % (member.ip, wild) in opened
    assert '%s:%d' % (member.ip, member.port) not in opened, 'the TLS raft port must not count as plaintext'
    assert res['connections'] == {}
    assert took < 3 * len(res['listeners']), took


def test_parse_ss_output():
    text = ('LISTEN 0 10 10.90.1.11:6643 0.0.0.0:* users:(("ovsdb-server",pid=7,fd=20))\n'
            'LISTEN 0 10 0.0.0.0:6641 0.0.0.0:* users:(("ovsdb-server",pid=7,fd=21))\n'
            'LISTEN 0 10 [::]:6642 [::]:* users:(("ovsdb-server",pid=8,fd=21))\n'
            'LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=1,fd=3))\n'
            'LISTEN 0 10 [fd00::11]:6644 [::]:* users:(("ovsdb-server",pid=8,fd=22))\n')
    assert [(l['endpoint'], l['wildcard']) for l in ovn_listeners_info.parse_ss(text, 'ovsdb-server')] == [
        ('0.0.0.0:6641', True), ('[::]:6642', True), ('10.90.1.11:6643', False), ('[fd00::11]:6644', False)]
    assert [l['process'] for l in ovn_listeners_info.parse_ss(text + 'LISTEN 0 10 10.90.1.11:6666 0.0.0.0:* '
                                                              'users:(("ovn-northd",pid=9,fd=3))\n', 'ovsdb-server|ovn-[a-z-]+')
            ].count('ovn-northd') == 1
    assert ovn_listeners_info.parse_ss(text, 'ovn-[a-z-]+') == []

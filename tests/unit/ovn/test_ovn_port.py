# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tridc.ovn.ovn_port against a real Northbound database: fixed addresses, port security, refusals."""

from __future__ import annotations

import pytest
from ansible_collections.tridc.ovn.plugins.modules import ovn_port, ovn_switches

from .test_ovn_switches import BIZ101, nbctl


@pytest.fixture
def nb(make_cluster, run_module):
    member = make_cluster('nb', 1).bootstrap()[0]
    res = run_module(ovn_switches, dict(database='unix:' + member.sock, switches=[BIZ101]))
    assert res['_rc'] == 0, res
    return member


def port(nb_member, **kw):
    return dict(dict(database='unix:' + nb_member.sock, switch='biz101', name='vm-a', mac='0a:58:0a:65:00:32', ip='10.101.0.50'), **kw)


def test_port_with_fixed_address_and_port_security_then_nothing(nb, run_module):
    check = run_module(ovn_port, port(nb), check=True, diff=True)
    assert check['_rc'] == 0 and check['changed'] is True and check['diff']['before'] == {}
    assert nbctl(nb, 'lsp-list', 'biz101').stdout.count('vm-a') == 0
    res = run_module(ovn_port, port(nb))
    assert res['changed'] is True and len([c for c in run_module.calls if c[0].endswith('ovn-nbctl')]) == 1
    assert nbctl(nb, 'lsp-get-addresses', 'vm-a').stdout.strip() == '0a:58:0a:65:00:32 10.101.0.50'
    assert nbctl(nb, 'lsp-get-port-security', 'vm-a').stdout.strip() == '0a:58:0a:65:00:32 10.101.0.50'
    again = run_module(ovn_port, port(nb))
    assert again['changed'] is False and again['commands'] == []
    moved = run_module(ovn_port, port(nb, ip='10.101.0.51'), diff=True)
    assert moved['changed'] is True and moved['diff']['after']['addresses'] == ['0a:58:0a:65:00:32 10.101.0.51']
    gone = run_module(ovn_port, port(nb, state='absent'))
    assert gone['changed'] is True and 'vm-a' not in nbctl(nb, 'lsp-list', 'biz101').stdout


@pytest.mark.parametrize('ip,why', [
    ('10.102.0.50', '10.102.0.50 is outside the subnet 10.101.0.0/24'),
    ('10.101.0.1', '10.101.0.1 is the gateway or in an excluded range'),
    ('10.101.0.5', '10.101.0.5 is the gateway or in an excluded range'),
    ('10.101.0.0/24', 'is not an IP address'),
])
def test_refused_addresses_write_nothing(nb, run_module, ip, why):
    res = run_module(ovn_port, port(nb, ip=ip))
    assert res['_rc'] == 1 and why in res['msg'], res['msg']
    assert 'vm-a' not in nbctl(nb, 'lsp-list', 'biz101').stdout


def test_an_address_held_by_another_port_is_refused(nb, run_module):
    nbctl(nb, 'lsp-add', 'biz101', 'theirs', '--', 'lsp-set-addresses', 'theirs', '0a:00:00:00:00:09 10.101.0.50')
    res = run_module(ovn_port, port(nb))
    assert res['_rc'] == 1 and '10.101.0.50 is already held by port theirs' in res['msg']
    # and a port the collection did not create is never changed
    res = run_module(ovn_port, port(nb, name='theirs', ip='10.101.0.60'))
    assert res['_rc'] == 1 and 'was not created by tridc.ovn' in res['msg']
    assert nbctl(nb, 'lsp-get-addresses', 'theirs').stdout.strip() == '0a:00:00:00:00:09 10.101.0.50'


def test_missing_switch_and_bad_mac(nb, run_module):
    res = run_module(ovn_port, port(nb, switch='biz999'))
    assert res['_rc'] == 1 and 'the switch does not exist' in res['msg']
    res = run_module(ovn_port, port(nb, mac='01:00:5e:00:00:01'))
    assert res['_rc'] == 1 and 'is a multicast address' in res['msg']

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tridc.ovn.ovs_bridge against a real ovsdb-server (see conftest.py)."""

from __future__ import annotations

from ansible_collections.tridc.ovn.plugins.modules import ovs_bridge

from .conftest import run_adhoc


def args(ovsdb, **kw):
    base = dict(db=ovsdb.db, wait=False, timeout=10)
    base.update(kw)
    return base


BUSINESS = dict(
    name='br-business',
    datapath_type='netdev',
    external_ids={'tridc-provider': 'business'},
    other_config={'hwaddr': '52:54:00:aa:bb:01'},
    ports=[
        dict(name='eth0', trunks=[0, 101, 102]),
        dict(name='patch-a', type='patch', options={'peer': 'patch-b'}),
        dict(name='vm1', type='internal', tag=101, interface_external_ids={'iface-id': 'lsp-vm1'}),
    ],
)


def business_with_ports(ports):
    out = dict(BUSINESS)
    out['ports'] = ports
    return out


def port_row(ovsdb, name):
    return ovsdb.row('Port', name)


def test_create_bridge_with_ports(ovsdb, run_module):
    result = run_module(ovs_bridge, args(ovsdb, **BUSINESS))
    assert result['changed'] is True
    assert result['_rc'] == 0
    # one JSON read + exactly one write transaction, and it is the returned one
    assert len(run_module.calls) == 2
    assert run_module.writes == [result['commands']]
    assert result['commands'][0].endswith('ovs-vsctl')
    assert '--no-wait' in result['commands']

    bridge = ovsdb.row('Bridge', 'br-business')
    assert bridge['datapath_type'] == 'netdev'
    assert bridge['external_ids'] == {'tridc-provider': 'business'}
    assert bridge['other_config'] == {'hwaddr': '52:54:00:aa:bb:01'}
    assert ovsdb.bridge_ports('br-business') == ['eth0', 'patch-a', 'vm1']
    assert port_row(ovsdb, 'eth0')['trunks'] == [0, 101, 102]
    assert port_row(ovsdb, 'eth0')['tag'] == []
    assert port_row(ovsdb, 'vm1')['tag'] == 101
    assert ovsdb.row('Interface', 'patch-a')['type'] == 'patch'
    assert ovsdb.row('Interface', 'patch-a')['options'] == {'peer': 'patch-b'}
    assert ovsdb.row('Interface', 'vm1')['type'] == 'internal'
    assert ovsdb.row('Interface', 'vm1')['external_ids'] == {'iface-id': 'lsp-vm1'}
    assert ovsdb.row('Interface', 'eth0')['type'] == ''
    # the returned bridge is what is in the database
    assert result['bridge']['datapath_type'] == 'netdev'
    assert sorted(result['bridge']['ports']) == ['eth0', 'patch-a', 'vm1']


def test_second_run_is_idempotent_and_writes_nothing(ovsdb, run_module):
    run_module(ovs_bridge, args(ovsdb, **BUSINESS))
    size = ovsdb.db_size()
    result = run_module(ovs_bridge, args(ovsdb, **BUSINESS))
    assert result['changed'] is False
    assert result['commands'] == []
    assert len(run_module.calls) == 1          # only the read
    assert run_module.writes == []
    assert ovsdb.db_size() == size            # no transaction was committed


def test_change_trunks_only_touches_trunks(ovsdb, run_module):
    run_module(ovs_bridge, args(ovsdb, **BUSINESS))
    ports = [dict(name='eth0', trunks=[102, 0, 103])]
    result = run_module(ovs_bridge, args(ovsdb, name='br-business', ports=ports))
    assert result['changed'] is True
    assert len(run_module.writes) == 1
    tail = result['commands'][result['commands'].index('--', 3):]
    assert tail == ['--', 'set', 'Port', 'eth0', 'trunks=[0,102,103]']
    assert port_row(ovsdb, 'eth0')['trunks'] == [0, 102, 103]
    # ports not listed are kept (ports_exclusive defaults to false), and so is everything else
    assert ovsdb.bridge_ports('br-business') == ['eth0', 'patch-a', 'vm1']
    assert ovsdb.row('Bridge', 'br-business')['other_config'] == {'hwaddr': '52:54:00:aa:bb:01'}
    again = run_module(ovs_bridge, args(ovsdb, name='br-business', ports=ports))
    assert again['changed'] is False


def test_check_mode_reports_and_writes_nothing(ovsdb, run_module):
    size = ovsdb.db_size()
    result = run_module(ovs_bridge, args(ovsdb, **BUSINESS), check=True)
    assert result['changed'] is True
    assert 'add-br' in result['commands']
    assert run_module.writes == []
    assert ovsdb.db_size() == size
    assert ovsdb.row('Bridge', 'br-business') is None
    assert sorted(result['bridge']['ports']) == ['eth0', 'patch-a', 'vm1']   # as it would be

    # check mode on an existing bridge with a pending change
    run_module(ovs_bridge, args(ovsdb, **BUSINESS))
    size = ovsdb.db_size()
    changed = business_with_ports([dict(name='eth0', trunks=[0])])
    result = run_module(ovs_bridge, args(ovsdb, **changed), check=True)
    assert result['changed'] is True
    assert 'trunks=[0]' in result['commands']
    assert ovsdb.db_size() == size
    assert port_row(ovsdb, 'eth0')['trunks'] == [0, 101, 102]


def test_diff_content(ovsdb, run_module):
    result = run_module(ovs_bridge, args(ovsdb, **BUSINESS), diff=True)
    diff = result['diff']
    assert diff['before'] == {'state': 'absent'}
    after = diff['after']
    assert after['state'] == 'present'
    assert after['datapath_type'] == 'netdev'
    assert sorted(after['ports']) == ['eth0', 'patch-a', 'vm1']
    assert after['ports']['eth0']['trunks'] == [0, 101, 102]
    assert after['ports']['patch-a']['options'] == {'peer': 'patch-b'}

    changed = business_with_ports([dict(name='eth0', trunks=[0, 101])])
    result = run_module(ovs_bridge, args(ovsdb, **changed), diff=True)
    before, after = result['diff']['before'], result['diff']['after']
    assert before['ports']['eth0']['trunks'] == [0, 101, 102]
    assert after['ports']['eth0']['trunks'] == [0, 101]
    # only the trunks differ
    before['ports']['eth0']['trunks'] = after['ports']['eth0']['trunks']
    assert before == after

    # without diff mode there is no diff in the result
    assert 'diff' not in run_module(ovs_bridge, args(ovsdb, **changed))


def test_ports_exclusive_removes_unlisted_ports_but_not_local_port(ovsdb, run_module):
    run_module(ovs_bridge, args(ovsdb, **BUSINESS))
    keep = [dict(name='eth0', trunks=[0, 101, 102])]
    result = run_module(ovs_bridge, args(ovsdb, name='br-business', ports=keep, ports_exclusive=True))
    assert result['changed'] is True
    assert len(run_module.writes) == 1
    assert ['del-port', 'br-business', 'patch-a'] == result['commands'][-7:-4]
    assert ovsdb.bridge_ports('br-business') == ['eth0']
    assert ovsdb.row('Interface', 'br-business') is not None   # local port kept
    again = run_module(ovs_bridge, args(ovsdb, name='br-business', ports=keep, ports_exclusive=True))
    assert again['changed'] is False


def test_port_state_absent_and_tag_removal(ovsdb, run_module):
    run_module(ovs_bridge, args(ovsdb, **BUSINESS))
    ports = [dict(name='patch-a', state='absent'), dict(name='vm1', tag=-1), dict(name='nope', state='absent')]
    result = run_module(ovs_bridge, args(ovsdb, name='br-business', ports=ports))
    assert result['changed'] is True
    assert ovsdb.bridge_ports('br-business') == ['eth0', 'vm1']
    assert port_row(ovsdb, 'vm1')['tag'] == []
    assert run_module(ovs_bridge, args(ovsdb, name='br-business', ports=ports))['changed'] is False


def test_maps_are_merged_and_absent_keys_remove(ovsdb, run_module):
    run_module(ovs_bridge, args(ovsdb, **BUSINESS))
    # keys written by someone else (e.g. ovn-controller) must survive
    ovsdb.vsctl('--no-wait', 'set', 'Bridge', 'br-business', 'external_ids:foreign=keep-me')
    ovsdb.vsctl('--no-wait', 'set', 'Interface', 'vm1', 'external_ids:ovn-installed=true')
    ports = [dict(name='vm1', interface_external_ids={'attached-mac': 'aa:bb:cc:dd:ee:ff'})]
    result = run_module(ovs_bridge, args(ovsdb, name='br-business', external_ids={'new': 1}, ports=ports))
    assert result['changed'] is True
    assert ovsdb.row('Bridge', 'br-business')['external_ids'] == {
        'tridc-provider': 'business', 'foreign': 'keep-me', 'new': '1'}
    assert ovsdb.row('Interface', 'vm1')['external_ids'] == {
        'iface-id': 'lsp-vm1', 'ovn-installed': 'true', 'attached-mac': 'aa:bb:cc:dd:ee:ff'}

    ports = [dict(name='vm1', absent_keys=['interface_external_ids:ovn-installed'])]
    result = run_module(ovs_bridge, args(ovsdb, name='br-business', absent_keys=['other_config:hwaddr', 'external_ids:gone'],
                                         ports=ports))
    assert result['changed'] is True
    assert len(run_module.writes) == 1
    assert ovsdb.row('Bridge', 'br-business')['other_config'] == {}
    assert 'ovn-installed' not in ovsdb.row('Interface', 'vm1')['external_ids']
    again = run_module(ovs_bridge, args(ovsdb, name='br-business', absent_keys=['other_config:hwaddr'], ports=ports))
    assert again['changed'] is False


def test_special_characters_round_trip(ovsdb, run_module):
    weird = {'a:b': 'c,d=e "q" {x}', 'sp ace': "it's [1, 2]", 'empty': '', 'flag': True}
    result = run_module(ovs_bridge, args(ovsdb, name='br-x', external_ids=weird))
    assert result['changed'] is True
    expected = dict(weird, flag='true')
    assert ovsdb.row('Bridge', 'br-x')['external_ids'] == expected
    assert run_module(ovs_bridge, args(ovsdb, name='br-x', external_ids=weird))['changed'] is False


def test_bridge_mtu_and_datapath_change(ovsdb, run_module):
    run_module(ovs_bridge, args(ovsdb, name='br-m'))
    assert ovsdb.row('Bridge', 'br-m')['datapath_type'] == ''
    # "system" is the same as the empty default: nothing to write
    assert run_module(ovs_bridge, args(ovsdb, name='br-m', datapath_type='system'))['changed'] is False
    result = run_module(ovs_bridge, args(ovsdb, name='br-m', datapath_type='netdev', mtu_request=1400, fail_mode='secure'))
    assert result['changed'] is True
    assert len(run_module.writes) == 1
    bridge = ovsdb.row('Bridge', 'br-m')
    assert bridge['datapath_type'] == 'netdev'
    assert bridge['fail_mode'] == 'secure'
    assert ovsdb.row('Interface', 'br-m')['mtu_request'] == 1400


def test_port_on_other_bridge_fails_without_writing(ovsdb, run_module):
    ovsdb.vsctl('--no-wait', 'add-br', 'br-other', '--', 'add-port', 'br-other', 'eth7')
    size = ovsdb.db_size()
    result = run_module(ovs_bridge, args(ovsdb, name='br-new', ports=[dict(name='eth7')]))
    assert result.get('failed') is True
    assert 'attached to bridge br-other' in result['msg']
    assert run_module.writes == []
    assert ovsdb.db_size() == size


def test_invalid_input_fails(ovsdb, run_module):
    result = run_module(ovs_bridge, args(ovsdb, name='br-v', ports=[dict(name='p', trunks=[4096])]))
    assert result.get('failed') is True and '4096' in result['msg']
    result = run_module(ovs_bridge, args(ovsdb, name='br-v', external_ids={'k': None}))
    assert result.get('failed') is True and 'absent_keys' in result['msg']
    result = run_module(ovs_bridge, args(ovsdb, name='br-v', absent_keys=['nocolumn']))
    assert result.get('failed') is True and 'COLUMN:KEY' in result['msg']
    result = run_module(ovs_bridge, args(ovsdb, name='br-v', external_ids={'k': 'v'}, absent_keys=['external_ids:k']))
    assert result.get('failed') is True and 'both set' in result['msg']
    assert ovsdb.row('Bridge', 'br-v') is None


def test_state_absent(ovsdb, run_module):
    run_module(ovs_bridge, args(ovsdb, **BUSINESS))
    result = run_module(ovs_bridge, args(ovsdb, name='br-business', state='absent'), diff=True)
    assert result['changed'] is True
    assert result['diff']['after'] == {'state': 'absent'}
    assert ovsdb.row('Bridge', 'br-business') is None
    assert ovsdb.row('Port', 'eth0') is None
    result = run_module(ovs_bridge, args(ovsdb, name='br-business', state='absent'))
    assert result['changed'] is False
    assert result['commands'] == []


def test_db_unreachable_fails(run_module):
    result = run_module(ovs_bridge, dict(name='br0', db='unix:/nonexistent/db.sock', timeout=1, wait=False))
    assert result.get('failed') is True
    assert 'ovs-vsctl failed' in result['msg']


def test_wait_true_passes_no_no_wait_and_times_out_without_vswitchd(ovsdb, run_module):
    # only ovsdb-server runs: with wait=true ovs-vsctl waits for ovs-vswitchd until --timeout
    result = run_module(ovs_bridge, dict(name='br-w', db=ovsdb.db, timeout=1, wait=True))
    assert result.get('failed') is True
    assert '--no-wait' not in result['cmd'] and '--timeout=1' in result['cmd']


def test_through_ansible(ovsdb):
    """The module packaged by ansible (AnsiballZ + collection loader), check, diff, apply, idempotence."""
    a = args(ovsdb, **BUSINESS)
    res = run_adhoc('ovs_bridge', a, check=True, diff=True)
    assert res['changed'] is True and ovsdb.row('Bridge', 'br-business') is None
    assert '-    "state": "absent"' in res['_stdout'] and '+    "datapath_type": "netdev"' in res['_stdout']
    res = run_adhoc('ovs_bridge', a)
    assert res['changed'] is True
    assert ovsdb.bridge_ports('br-business') == ['eth0', 'patch-a', 'vm1']
    res = run_adhoc('ovs_bridge', a)
    assert res['changed'] is False

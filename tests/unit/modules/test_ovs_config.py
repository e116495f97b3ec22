# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tridc.ovn.ovs_config against a real ovsdb-server (see conftest.py)."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings, strategies as st

from ansible_collections.tridc.ovn.plugins.modules import ovs_config

from .conftest import OvsdbServer, run_adhoc


def args(ovsdb, **kw):
    base = dict(db=ovsdb.db, wait=False, timeout=10)
    base.update(kw)
    return base


def ovs_row(ovsdb):
    rows = ovsdb.rows('Open_vSwitch', ['external_ids', 'other_config'])
    assert len(rows) == 1
    return rows[0]


CHASSIS = {
    'system-id': 'dc1-n1',
    'hostname': 'dc1-n1',
    'ovn-bridge-datapath-type': 'netdev',
    'ovn-bridge-mappings': 'business:br-business,storage:br-storage',
}


def test_sets_keys_in_one_transaction(ovsdb, run_module):
    result = run_module(ovs_config, args(ovsdb, external_ids=CHASSIS, other_config={'vlan-limit': 2}))
    assert result['changed'] is True
    assert len(run_module.calls) == 2 and run_module.writes == [result['commands']]
    row = ovs_row(ovsdb)
    assert row['external_ids'] == CHASSIS
    assert row['other_config'] == {'vlan-limit': '2'}
    assert result['external_ids'] == CHASSIS


def test_idempotent_second_run_writes_nothing(ovsdb, run_module):
    run_module(ovs_config, args(ovsdb, external_ids=CHASSIS))
    size = ovsdb.db_size()
    result = run_module(ovs_config, args(ovsdb, external_ids=CHASSIS))
    assert result['changed'] is False
    assert result['commands'] == []
    assert run_module.writes == []
    assert ovsdb.db_size() == size


def test_merge_keeps_foreign_keys(ovsdb, run_module):
    """Kube-OVN #3074: a tool that sets some keys must not drop the ones it does not own."""
    ovsdb.vsctl('--no-wait', 'set', 'Open_vSwitch', '.',
                'external_ids:ovn-bridge-mappings="physnet1:br-ext"', 'external_ids:ovn-remote="tcp:10.0.0.1:6642"',
                'other_config:dpdk-init=false')
    result = run_module(ovs_config, args(ovsdb, external_ids={'system-id': 'n1', 'hostname': 'n1'}))
    assert result['changed'] is True
    row = ovs_row(ovsdb)
    assert row['external_ids'] == {'ovn-bridge-mappings': 'physnet1:br-ext', 'ovn-remote': 'tcp:10.0.0.1:6642',
                                   'system-id': 'n1', 'hostname': 'n1'}
    assert row['other_config'] == {'dpdk-init': 'false'}
    # changing one key only touches that key
    result = run_module(ovs_config, args(ovsdb, external_ids={'ovn-bridge-mappings': 'physnet1:br-ext,business:br-business'}))
    assert result['changed'] is True
    assert result['commands'][-4:] == ['set', 'Open_vSwitch', '.',
                                       'external_ids:"ovn-bridge-mappings"="physnet1:br-ext,business:br-business"']
    assert ovs_row(ovsdb)['external_ids']['ovn-remote'] == 'tcp:10.0.0.1:6642'


def test_absent_keys(ovsdb, run_module):
    run_module(ovs_config, args(ovsdb, external_ids=CHASSIS, other_config={'a': 'b'}))
    absent = ['external_ids:ovn-bridge-mappings', 'other_config:a', 'external_ids:never-there']
    result = run_module(ovs_config, args(ovsdb, absent_keys=absent), diff=True)
    assert result['changed'] is True
    assert len(run_module.writes) == 1
    row = ovs_row(ovsdb)
    expected = dict(CHASSIS)
    del expected['ovn-bridge-mappings']
    assert row['external_ids'] == expected
    assert row['other_config'] == {}
    assert result['diff']['before']['other_config'] == {'a': 'b'}
    assert result['diff']['after']['other_config'] == {}
    again = run_module(ovs_config, args(ovsdb, absent_keys=absent))
    assert again['changed'] is False and run_module.writes == []


def test_check_mode_writes_nothing(ovsdb, run_module):
    size = ovsdb.db_size()
    result = run_module(ovs_config, args(ovsdb, external_ids=CHASSIS), check=True, diff=True)
    assert result['changed'] is True
    assert 'set' in result['commands']
    assert run_module.writes == []
    assert ovsdb.db_size() == size
    assert ovs_row(ovsdb)['external_ids'] == {}
    assert result['diff'] == {'before': {'external_ids': {}, 'other_config': {}},
                              'after': {'external_ids': CHASSIS, 'other_config': {}}}


def test_diff_shows_only_real_change(ovsdb, run_module):
    run_module(ovs_config, args(ovsdb, external_ids=CHASSIS))
    result = run_module(ovs_config, args(ovsdb, external_ids={'hostname': 'renamed'}), diff=True)
    before, after = result['diff']['before'], result['diff']['after']
    assert before['external_ids']['hostname'] == 'dc1-n1'
    assert after['external_ids']['hostname'] == 'renamed'
    after['external_ids']['hostname'] = 'dc1-n1'
    assert before == after


def test_invalid_input(ovsdb, run_module):
    result = run_module(ovs_config, args(ovsdb, external_ids={'a': 'b'}, absent_keys=['external_ids:a']))
    assert result.get('failed') is True and 'both set' in result['msg']
    result = run_module(ovs_config, args(ovsdb, external_ids={'a': None}))
    assert result.get('failed') is True and 'absent_keys' in result['msg']
    result = run_module(ovs_config, args(ovsdb, absent_keys=['options:a']))
    assert result.get('failed') is True
    assert ovs_row(ovsdb)['external_ids'] == {}


def test_through_ansible(ovsdb):
    res = run_adhoc('ovs_config', args(ovsdb, external_ids=CHASSIS), check=True)
    assert res['changed'] is True and ovs_row(ovsdb)['external_ids'] == {}
    assert run_adhoc('ovs_config', args(ovsdb, external_ids=CHASSIS))['changed'] is True
    assert ovs_row(ovsdb)['external_ids'] == CHASSIS
    assert run_adhoc('ovs_config', args(ovsdb, external_ids=CHASSIS))['changed'] is False


KEYS = st.text(alphabet=st.characters(blacklist_categories=('Cs', 'Cc')), min_size=1, max_size=12)
VALUES = st.text(alphabet=st.characters(blacklist_categories=('Cs', 'Cc')), max_size=20)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(KEYS, VALUES, max_size=5))
# found by hypothesis in CI: Ansible's run_command expanded $_ and ~ in the argv (now expand_user_and_vars=False)
@example(data={"0": "$_", "~k": "~/x", "$HOME": "$PATH"})
def test_any_strings_round_trip_and_merge(run_module, data):
    """Arbitrary keys/values (quotes, colons, commas, unicode) survive ovs-vsctl's syntax."""
    server = OvsdbServer()
    try:
        server.vsctl('--no-wait', 'set', 'Open_vSwitch', '.', 'external_ids:"foreign:key"="x,y"')
        result = run_module(ovs_config, args(server, external_ids=data))
        expected = {'foreign:key': 'x,y'}
        assert result['changed'] is any(expected.get(k) != v for k, v in data.items())
        expected.update(data)
        assert ovs_row(server)['external_ids'] == expected
        assert run_module(ovs_config, args(server, external_ids=data))['changed'] is False
    finally:
        server.stop()

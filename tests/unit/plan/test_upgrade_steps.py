# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The order of an upgrade across the DCs (upgrade.steps, docs/upgrades.md): on the lab's and the example bank's
plans, for Debian 12 -> 13 (fail-safe) and a point release (rolling), with a resume after a half-done run."""

import pytest

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import upgrade

OLD, NEW = '23.03.1-1~deb12u2', '25.03.0-1'  # the fixtures lab and bank are the plans of conftest.py


def ovn_hosts(plan):
    return sorted(h for h, n in plan['nodes'].items() if n['central'] or n['chassis'] or n['ic_db'])


def names(out):
    return [(s['step'], s['dc'], tuple(s['hosts'])) for s in out['steps']]


def test_fail_safe_on_the_lab_pins_first_then_each_dc_databases_before_controllers(lab):
    out = upgrade.steps(lab, {h: OLD for h in ovn_hosts(lab)}, NEW,
                        leaders={'dc3': {'nb': 'dc3-n1', 'sb': 'dc3-n1'}, 'dc1': {'nb': 'dc1-n2', 'sb': 'dc1-n1'}})
    assert out['procedure'] == 'fail-safe'
    steps = names(out)
    assert steps[0] == ('pin_controllers', None, ())
    assert steps[-2:] == [('convert_ic_schemas', None, ()), ('unpin_controllers', None, ())]
    # DCs in rollout order, each closed by its gate before the next starts
    gates = [s[1] for s in steps if s[0] == 'gate']
    assert gates == lab['rollout_order'] == ['dc3', 'dc2', 'dc1']
    dc3 = steps[1:steps.index(('gate', 'dc3', ())) + 1]
    # every lab node is a central member: the one leading both dc3 databases goes last, then the schema conversion
    assert dc3 == [('freeze_northd_version', 'dc3', ()), ('central_member', 'dc3', ('dc3-n2',)),
                   ('central_member', 'dc3', ('dc3-n3',)), ('central_member', 'dc3', ('dc3-n1',)),
                   ('convert_schemas', 'dc3', ()), ('gate', 'dc3', ())]
    dc1 = [s[2][0] for s in steps if s[0] == 'central_member' and s[1] == 'dc1']
    assert dc1 == ['dc1-n3', 'dc1-n1', 'dc1-n2']  # n1 and n2 lead one database each: plan order between them
    assert not any(s['done'] for s in out['steps'])


def test_fail_safe_on_the_bank_upgrades_chassis_after_the_databases_gateway_holding_the_port_last(bank):
    out = upgrade.steps(bank, {h: OLD for h in ovn_hosts(bank)}, NEW)
    steps = names(out)
    first = bank['rollout_order'][0]
    d = bank['dcs'][first]
    dc_steps = [s for s in steps if s[1] == first]
    kinds = [s[0] for s in dc_steps]
    # databases and northd (every central member, one at a time), one conversion, then the chassis, then the gate
    assert kinds.index('convert_schemas') > max(i for i, k in enumerate(kinds) if k == 'central_member')
    assert kinds.index('convert_schemas') < min(i for i, k in enumerate(kinds) if k == 'node')
    assert kinds[-1] == 'gate'
    nodes = [s[2][0] for s in dc_steps if s[0] == 'node']
    gws = sorted(d['gateways'], key=lambda g: g['priority'])
    assert nodes[-len(gws):] == [g['host'] for g in gws]  # the highest priority (holding the transit port) last
    assert sorted(nodes) == sorted(h for h in d['nodes'] if bank['nodes'][h]['chassis'])
    # every OVN host of every DC appears exactly once
    hosts = [h for s in out['steps'] for h in s['hosts']]
    assert sorted(hosts) == ovn_hosts(bank)


def test_rolling_point_release_controllers_first_no_pin(bank):
    out = upgrade.steps(bank, {h: '25.03.0-1' for h in ovn_hosts(bank)}, '25.03.2-1')
    assert out['procedure'] == 'rolling'
    kinds = [s['step'] for s in out['steps']]
    assert 'pin_controllers' not in kinds and 'freeze_northd_version' not in kinds
    first = bank['rollout_order'][0]
    dc_kinds = [s['step'] for s in out['steps'] if s['dc'] == first]
    assert dc_kinds.index('node') < dc_kinds.index('central_member')


def test_a_rerun_after_an_interrupted_upgrade_marks_the_done_hosts(lab):
    installed = {h: OLD for h in ovn_hosts(lab)}
    installed.update({'dc3-n1': NEW, 'dc3-n2': NEW})  # killed in the middle of dc3
    out = upgrade.steps(lab, installed, NEW)
    assert out['procedure'] == 'fail-safe' and out['from'] == '23.03.1'
    member = {s['hosts'][0]: s['done'] for s in out['steps'] if s['step'] == 'central_member'}
    assert member['dc3-n1'] and member['dc3-n2'] and not member['dc3-n3'] and not member['dc1-n1']
    # every host on the target: no procedure, no step
    out = upgrade.steps(lab, {h: NEW for h in ovn_hosts(lab)}, NEW)
    assert out['procedure'] == 'none' and out['steps'] == []


@pytest.mark.parametrize('change,message', [
    ({'dc1-n1': None}, 'no installed OVN version for dc1-n1'),
    ({'dc2-n2': '25.09.0'}, 'dc2-n2 run a newer OVN than the target 25.03.0'),
    ({'dc2-n2': '24.03.2'}, 'the hosts run 23.03.1, 24.03.2 besides the target'),
])
def test_inconsistent_versions_are_refused_with_the_hosts_named(lab, change, message):
    installed = {h: OLD for h in ovn_hosts(lab)}
    installed.update(change)
    with pytest.raises(upgrade.VersionError, match=message):
        upgrade.steps(lab, installed, NEW)


def test_the_filter_gives_the_steps_and_names_the_hosts_in_its_error(lab):
    from ansible.errors import AnsibleFilterError  # pylint: disable=import-outside-toplevel
    from ansible_collections.tridc.ovn.plugins.filter.upgrade_steps import FilterModule  # pylint: disable=import-outside-toplevel
    f = FilterModule().filters()['upgrade_steps']
    assert f(lab, {h: OLD for h in ovn_hosts(lab)}, NEW)['steps'][0]['step'] == 'pin_controllers'
    with pytest.raises(AnsibleFilterError, match='no installed OVN version for dc1-n1'):
        f(lab, {}, NEW)

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
    # every ovn-ic restarts only after the IC conversion (a new ovn-ic on the old IC schema drops its learned routes)
    assert steps[-3:] == [('convert_ic_schemas', None, ()), ('ic_daemons', None, ()), ('unpin_controllers', None, ())]
    # DCs in rollout order, each closed by its gate before the next starts
    gates = [s[1] for s in steps if s[0] == 'gate']
    assert gates == lab['rollout_order'] == ['dc3', 'dc2', 'dc1']
    dc3 = steps[1:steps.index(('gate', 'dc3', ())) + 1]
    # every lab node is a central member: the one leading both dc3 databases goes last, then the schema conversion
    # (northd and ovn-ic start on the new binaries), then every chassis, the gateways last: n3 (the lower priority), then
    # n2 (the higher, holding the transit port)
    assert dc3 == [('freeze_northd_version', 'dc3', ()), ('central_member', 'dc3', ('dc3-n2',)),
                   ('central_member', 'dc3', ('dc3-n3',)), ('central_member', 'dc3', ('dc3-n1',)),
                   ('convert_schemas', 'dc3', ()), ('node', 'dc3', ('dc3-n1',)), ('node', 'dc3', ('dc3-n3',)),
                   ('node', 'dc3', ('dc3-n2',)), ('gate', 'dc3', ())]
    assert out['hosts']['dc3'] == {'central_member': ['dc3-n2', 'dc3-n3', 'dc3-n1'],
                                   'node': ['dc3-n1', 'dc3-n3', 'dc3-n2']}
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
    # every chassis has one node step, every central member one central_member step, every other IC database
    # member one ic_db_member step
    for kind, key in (('node', 'chassis'), ('central_member', 'central')):
        hosts = [h for s in out['steps'] if s['step'] == kind for h in s['hosts']]
        assert sorted(hosts) == sorted(h for h, n in bank['nodes'].items() if n[key])
    ic_only = [h for s in out['steps'] if s['step'] == 'ic_db_member' for h in s['hosts']]
    assert sorted(ic_only) == sorted(h for h, n in bank['nodes'].items() if n['ic_db'] and not n['central'])


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
    # every host on the target: no host step, only what finishes an upgrade (idempotent: a run stopped after its
    # last host left the conversions or the pin removal undone)
    out = upgrade.steps(lab, {h: NEW for h in ovn_hosts(lab)}, NEW)
    assert out['procedure'] == 'none' and out['hosts'] == {}
    assert {s['step'] for s in out['steps']} == {'convert_schemas', 'gate', 'convert_ic_schemas', 'ic_daemons',
                                                 'unpin_controllers'}


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


def test_a_host_stopped_between_its_packages_and_its_restarts_is_not_done(lab):
    """All packages on the target but dc1-n2's daemons still run the old binaries (pending): its steps run again."""
    out = upgrade.steps(lab, {h: NEW for h in ovn_hosts(lab)}, NEW, pending=['dc1-n2'])
    assert out['procedure'] == 'none'
    pending = [(s['step'], s['hosts'][0]) for s in out['steps'] if s['hosts'] and not s['done']]
    assert pending == [('central_member', 'dc1-n2'), ('node', 'dc1-n2')]


def report(ovn, current=True, behind=(), offered=NEW):
    """A tridc.ovn.ovn_versions result (the fields upgrade.from_reports reads)."""
    return {'packages': {'ovn-common': ovn}, 'ovn_running': upgrade.procedure(ovn, ovn)['to'], 'current': current,
            'behind': list(behind), 'candidates': {'ovn-common': offered}}


def test_the_plays_hosts_come_from_the_hosts_reports(lab):
    versions = {h: report(OLD, behind=['ovn-common']) for h in ovn_hosts(lab)}
    raft = {'dc3-n1': {'results': [{'item': 'nb', 'cluster': {'is_leader': True}},
                                   {'item': 'sb', 'cluster': {'is_leader': True}}]}}
    out = upgrade.from_reports(lab, versions, raft)
    assert out['procedure'] == 'fail-safe' and out['to'] == '25.03.0'
    first = out['slots'][0]
    assert first['dc'] == 'dc3' and first['central_member'] == ['dc3-n2', 'dc3-n3', 'dc3-n1']  # the leader last
    assert first['freeze'] == first['convert'] == ['dc3-n1', 'dc3-n2', 'dc3-n3']
    assert out['pin'] == out['unpin'] == out['ic_daemons'] == ovn_hosts(lab)
    assert out['ic_db'] == ['dc1-n1', 'dc2-n1', 'dc3-n1']
    # resumed: dc3 done, dc2-n1 stopped after its packages (new packages, old daemons): only what is left
    versions.update({h: report(NEW) for h in ('dc3-n1', 'dc3-n2', 'dc3-n3')})
    versions['dc2-n1'] = report(NEW, current=False)
    versions['dc2-n1']['daemons'] = {'nb': {'current': False}, 'ovn-controller': {'current': False}}
    out = upgrade.from_reports(lab, versions, {})
    dc3, dc2 = out['slots'][0], out['slots'][1]
    assert dc3['central_member'] == dc3['node'] == dc3['freeze'] == [] and dc3['gate'] == ['dc3-n1', 'dc3-n2', 'dc3-n3']
    assert dc2['central_member'] == ['dc2-n1', 'dc2-n2', 'dc2-n3'] and dc2['freeze'] == dc2['convert']
    assert out['pending'] == [h for h in ovn_hosts(lab) if h not in ('dc3-n1', 'dc3-n2', 'dc3-n3')]
    # --check's lines name every step, done ones marked
    assert any(line.endswith('(done)') and 'dc3-n2' in line for line in out['lines'])


@pytest.mark.parametrize('change,message', [
    ({'dc1-n1': {}}, 'no version report from dc1-n1'),
    ({'dc1-n2': report(OLD, offered=None)}, 'the package source offers no ovn-common to dc1-n2'),
    ({'dc1-n3': report(OLD, offered='25.03.1-1')},
     'different ovn-common versions in the package source: 25.03.0-1 to dc1-n1, dc1-n2, dc2-n1'),
])
def test_reports_that_do_not_agree_are_refused_with_the_hosts_named(lab, change, message):
    versions = {h: report(OLD) for h in ovn_hosts(lab)}
    versions.update(change)
    with pytest.raises(upgrade.VersionError, match=message):
        upgrade.from_reports(lab, versions)


def test_a_member_whose_databases_moved_is_done_while_its_controller_waits_for_its_node_step(lab):
    """Fail-safe: a central member's databases move in its central_member step, its ovn-controller only in its node
    step; a run stopped between the two resumes at the node step."""
    versions = {h: report(OLD, behind=['ovn-common']) for h in ovn_hosts(lab)}
    moved = report(NEW, current=False)
    moved['ovn_running'] = OLD[:7]  # its ovn-controller still runs 23.03.1
    moved['daemons'] = {'nb': {'current': True}, 'sb': {'current': True}, 'ovn-controller': {'current': False}}
    versions['dc3-n2'] = moved
    out = upgrade.from_reports(lab, versions)
    done = {(s['step'], s['hosts'][0]): s['done'] for s in out['steps'] if s['hosts'] and s['dc'] == 'dc3'}
    assert done[('central_member', 'dc3-n2')] and not done[('node', 'dc3-n2')]
    assert out['slots'][0]['central_member'] == ['dc3-n1', 'dc3-n3'] and 'dc3-n2' in out['slots'][0]['node']

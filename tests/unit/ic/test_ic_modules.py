# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The interconnection modules against a real OVN-IC (see conftest.py): IC databases clustered over
TLS, three AZs with ovn-northd and ovn-ic. The plan is the lab's. The tests run in file order and
build on each other (transit switch -> AZ routers -> learned routes -> DR routes -> lost AZ)."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.tridc.ovn.plugins.modules import (ovn_ic_az, ovn_ic_info, ovn_ic_lost_az, ovn_ic_transit,
                                                           ovn_nb_routes)

from .conftest import DCS, wait_for


def az_args(plan, env, dc):
    """The module arguments exactly as the role passes them: the plan's routers[dc] entries as they are."""
    r = copy.deepcopy(plan['dr']['routers'][dc])
    return dict(database=env.nb(dc), az=r['az'], options=r['options'], router=r['router'], wait_timeout=30,
                transit=r['transit'], attach=r['attach'])


def test_transit_switch_created_once_and_copied_into_every_az(ic_env, run_module, lab_plan):
    args = dict(ic_env.ssl_params(), database=ic_env.ic_remote('ic_nb'), switches=lab_plan['interconnect']['transit_switches'], purge=True)
    check = run_module(ovn_ic_transit, args, check=True, diff=True)
    assert check['changed'] and check['commands'][0] == ['ts-add', 'ts-dr'] and not run_module.writes()
    assert check['diff'] == {'before': {}, 'after': {'ts-dr': '169.254.100.0/24'}}
    assert 'ts-dr' not in ic_env.icnb('ts-list')
    first = run_module(ovn_ic_transit, args)
    assert first['changed'] and len(run_module.writes()) == 1, 'one ovn-ic-nbctl transaction'
    assert 'ts-dr' in ic_env.icnb('ts-list')
    again = run_module(ovn_ic_transit, args, check=True)
    assert not again['changed'] and again['commands'] == []
    # ovn-ic does nothing in an AZ without a name (NB_Global name): no switch yet
    assert 'ts-dr' not in ic_env.nbctl('dc1', 'ls-list')


def test_transit_purge_keeps_switches_of_others(ic_env, run_module, lab_plan):
    ic_env.icnb('ts-add', 'ts-foreign')
    args = dict(ic_env.ssl_params(), database=ic_env.ic_remote('ic_nb'), switches=lab_plan['interconnect']['transit_switches'], purge=True)
    res = run_module(ovn_ic_transit, args)
    assert not res['changed']
    assert 'ts-foreign' in ic_env.icnb('ts-list')
    ic_env.icnb('ts-del', 'ts-foreign')


def test_values_reach_ovn_as_written_not_shell_expanded(ic_env, run_module, lab_plan):
    """A name with $VAR and ~ in it reaches OVN-IC as written: Ansible's run_command expands both in every argument
    by default (the read's JSON transaction and the ovn-ic-nbctl write), so a rerun would never settle."""
    odd = dict(name='ts-$HOME-~x', subnet='169.254.199.0/24')
    args = dict(ic_env.ssl_params(), database=ic_env.ic_remote('ic_nb'), purge=True,
                switches=lab_plan['interconnect']['transit_switches'] + [odd])
    try:
        assert run_module(ovn_ic_transit, args)['changed']
        assert '(ts-$HOME-~x)' in ic_env.icnb('ts-list').split()
        again = run_module(ovn_ic_transit, args)
        assert not again['changed'] and again['switches']['ts-$HOME-~x'] == '169.254.199.0/24'
    finally:
        args['switches'] = lab_plan['interconnect']['transit_switches']
        run_module(ovn_ic_transit, args)
    assert 'ts-$HOME-~x' not in ic_env.icnb('ts-list')


def test_az_check_mode_then_apply_in_one_transaction(ic_env, run_module, lab_plan):
    args = az_args(lab_plan, ic_env, 'dc1')
    check = run_module(ovn_ic_az, args, check=True, diff=True)
    assert check['changed'] and not run_module.writes()
    assert check['diff']['before']['az'] == '' and check['diff']['after']['az'] == 'az-dc1'
    assert ['lr-add', 'lr-dc1'] in check['commands']
    assert 'lr-dc1' not in ic_env.nbctl('dc1', 'lr-list')
    res = run_module(ovn_ic_az, args)
    # the name goes first on its own (ovn-ic then copies the transit switch), then one transaction
    assert res['changed'] and res['bootstrap'] and len(run_module.writes()) == 2
    assert run_module.writes()[0][-5:] == ['--', 'set', 'NB_Global', '.', 'name="az-dc1"']
    assert res['commands'][0] == ['set', 'NB_Global', '.', 'name="az-dc1"']
    assert res['commands'][2:] == check['commands'][1:]
    assert 'interconn-ts=ts-dr' in ic_env.nbctl('dc1', 'list', 'Logical_Switch', 'ts-dr')
    # what OVN has now, read with ovn-nbctl
    assert ic_env.nbctl('dc1', 'get', 'NB_Global', '.', 'name').strip() == 'az-dc1'
    gws = ic_env.nbctl('dc1', 'lrp-get-gateway-chassis', 'lrp-dc1-ts-dr').split()
    assert gws == ['lrp-dc1-ts-dr-dc1-n2', '20', 'lrp-dc1-ts-dr-dc1-n3', '10']
    assert ic_env.nbctl('dc1', 'lsp-get-type', 'ts-dr-dc1').strip() == 'router'
    assert 'router-port=lrp-dc1-ts-dr' in ic_env.nbctl('dc1', 'lsp-get-options', 'ts-dr-dc1')
    assert '10.210.1.1/24' in ic_env.nbctl('dc1', 'lrp-list', 'lr-dc1') + ic_env.nbctl('dc1', 'show', 'lr-dc1')
    # the logical gateway of the VLAN subnet app104: a distributed gateway port on dc1's gateway chassis, whose switch
    # port announces it (nat-addresses=router) from the chassis that holds it
    assert ic_env.nbctl('dc1', 'lrp-get-gateway-chassis', 'lrp-dc1-app104').split() == [
        'lrp-dc1-app104-dc1-n2', '20', 'lrp-dc1-app104-dc1-n3', '10']
    assert ic_env.nbctl('dc1', 'get', 'Logical_Router_Port', 'lrp-dc1-app104', 'networks').strip() == '["10.104.0.1/24"]'
    assert sorted(ic_env.nbctl('dc1', 'lsp-get-options', 'app104-lr-dc1').split()) == ['nat-addresses=router', 'router-port=lrp-dc1-app104']
    assert ic_env.nbctl('dc1', 'lsp-get-ls', 'app104-lr-dc1').split()[-1] == '(app104)'
    assert ic_env.nbctl('dc1', 'get', 'NB_Global', '.', 'options:ic-route-blacklist').strip().strip('"') == \
        lab_plan['dr']['routers']['dc1']['options']['ic-route-blacklist']
    again = run_module(ovn_ic_az, args, diff=True)
    assert again['commands'] == []
    assert not again['changed'] and again['commands'] == [] and not run_module.writes()


def test_all_azs_learn_exactly_the_planned_routes(ic_env, run_module, lab_plan):
    for dc in ('dc2', 'dc3'):
        res = run_module(ovn_ic_az, az_args(lab_plan, ic_env, dc))
        assert res['changed']
    for dc in DCS:
        router = lab_plan['dr']['routers'][dc]['router']
        planned = set((r['cidr'], r['nexthop']) for r in lab_plan['dr']['routers'][dc]['learn'])
        assert len(planned) == (2 if dc == 'dc1' else 3)  # the overlay subnets of the others, and app104 of dc1
        wait_for(lambda d=dc, r=router, p=planned: ic_env.learned(d, r) == p, 20,
                 what='%s to learn %s (has %s)' % (dc, planned, ic_env.learned(dc, router)))
    # the underlay (except the logical-gateway subnet its owner advertises) and infrastructure prefixes are never exchanged
    adv = ic_env.icsb('--bare', '--columns=ip_prefix', 'list', 'Route').split()
    assert sorted(adv) == ['10.104.0.1/24', '10.210.1.1/24', '10.210.2.1/24', '10.210.3.1/24']


def test_denylist_is_honoured_by_ovn_ic_2303_only_as_blacklist(ic_env, run_module, lab_plan):
    """Real behaviour: OVN 23.03's ovn-ic reads ic-route-blacklist; ic-route-denylist only from 24.09 on.
    The plan therefore sets both keys to the same list."""
    args = az_args(lab_plan, ic_env, 'dc3')
    deny_only = dict(args['options'])
    deny_only['ic-route-denylist'] = deny_only['ic-route-denylist'] + ',10.210.1.0/24'
    run_module(ovn_ic_az, dict(args, options=deny_only))
    # give ovn-ic a moment: the route must still be learned (denylist is ignored by 23.03)
    ic_env.nbctl('dc3', '--wait=sb', 'sync')
    wait_for(lambda: ('10.210.1.0/24', '169.254.100.1') in ic_env.learned('dc3', 'lr-dc3'), 10, what='route kept')
    both = dict(deny_only, **{'ic-route-blacklist': deny_only['ic-route-denylist']})
    res = run_module(ovn_ic_az, dict(args, options=both))
    assert res['changed']
    wait_for(lambda: ('10.210.1.0/24', '169.254.100.1') not in ic_env.learned('dc3', 'lr-dc3'), 20, what='route withdrawn')
    # back to the plan: learned again
    run_module(ovn_ic_az, args)
    wait_for(lambda: ('10.210.1.0/24', '169.254.100.1') in ic_env.learned('dc3', 'lr-dc3'), 20, what='route learned again')


def test_gateways_registered_from_chassis_flag(ic_env, run_module, lab_plan):
    """ovn-controller copies external_ids:ovn-is-interconn into the chassis; here the chassis rows are made by hand."""
    for dc in DCS:
        for gw in lab_plan['dr']['routers'][dc]['transit'][0]['gateway_chassis']:
            ip = lab_plan['nodes'][gw['host']]['encap_ip']
            ic_env.sbctl(dc, 'chassis-add', gw['chassis'], 'geneve', ip, '--', 'set', 'Chassis', gw['chassis'],
                         'other_config:is-interconn=true', 'hostname=%s' % gw['host'])

    def registered():
        r = run_module(ovn_ic_info, dict(ic_env.ssl_params(), ic_nb_database=ic_env.ic_remote('ic_nb'),
                                         ic_sb_database=ic_env.ic_remote('ic_sb')))
        return r if all(len(r['gateways'].get('az-' + d, [])) == 2 for d in DCS) else None

    info = wait_for(registered, 20, what='gateways in IC SB')
    assert info['availability_zones'] == ['az-dc1', 'az-dc2', 'az-dc3']
    assert [g['name'] for g in info['gateways']['az-dc1']] == ['dc1-n2', 'dc1-n3']
    assert info['gateways']['az-dc1'][0]['encaps'] == [{'type': 'geneve', 'ip': '10.91.1.12'}]
    assert info['transit_switches'] == {'ts-dr': '169.254.100.0/24'}
    assert sorted(p['logical_port'] for p in info['port_bindings']) == ['ts-dr-dc1', 'ts-dr-dc2', 'ts-dr-dc3']
    assert info['routes']['az-dc2'] == [{'transit_switch': 'ts-dr', 'prefix': '10.210.2.0/24', 'nexthop': '169.254.100.2',
                                         'origin': 'connected', 'route_table': ''}]
    # the other AZs see them as remote chassis
    wait_for(lambda: 'dc1-n2' in ic_env.sbctl('dc3', '--bare', '--columns=name', 'find', 'Chassis', 'other_config:is-remote=true'), 20,
             what='remote gateway in dc3')
    az = run_module(ovn_ic_info, dict(read=['nb', 'sb'], routers=['lr-dc3'], nb_database=ic_env.nb('dc3'), sb_database=ic_env.sb('dc3')))
    assert az['nb']['az'] == 'az-dc3'
    assert az['nb']['learned']['lr-dc3'] == [
        {'prefix': '10.104.0.0/24', 'nexthop': '169.254.100.1'},
        {'prefix': '10.210.1.0/24', 'nexthop': '169.254.100.1'}, {'prefix': '10.210.2.0/24', 'nexthop': '169.254.100.2'}]
    assert 'dc1-n2' in az['sb']['remote_gateways'] and 'dc3-n2' in az['sb']['ic_gateways']


def test_gateway_priorities_and_ports_converge_back(ic_env, run_module, lab_plan):
    """A hand-made drift (priority swapped, an extra router port) is reverted in one transaction."""
    ic_env.nbctl('dc2', 'lrp-set-gateway-chassis', 'lrp-dc2-ts-dr', 'dc2-n3', '30', '--', 'lrp-add', 'lr-dc2', 'lrp-stray',
                 '0a:00:00:00:00:99', '192.0.2.1/24')
    res = run_module(ovn_ic_az, az_args(lab_plan, ic_env, 'dc2'), diff=True)
    assert res['changed'] and len(run_module.writes()) == 1
    assert ['lrp-del', 'lrp-stray'] in res['commands'] and ['lrp-set-gateway-chassis', 'lrp-dc2-ts-dr', 'dc2-n3', '10'] in res['commands']
    assert res['diff']['before']['router']['ports']['lrp-dc2-ts-dr']['gateway_chassis'] == {'dc2-n2': 20, 'dc2-n3': 30}
    assert ic_env.nbctl('dc2', 'lrp-get-gateway-chassis', 'lrp-dc2-ts-dr').split() == ['lrp-dc2-ts-dr-dc2-n2', '20', 'lrp-dc2-ts-dr-dc2-n3', '10']
    assert not run_module(ovn_ic_az, az_args(lab_plan, ic_env, 'dc2'))['changed']


def test_logical_gateway_moves_with_the_dr_state(ic_env, run_module, lab_plan):
    """dc1 declared lost: dc2's router takes app104's gateway (same address and MAC); the planned state (failback)
    removes it from dc2 again. One transaction each way, and a rerun of each state writes nothing."""
    failover = copy.deepcopy(lab_plan['dr']['failover']['dc1']['routers']['dc2'])
    args = dict(az_args(lab_plan, ic_env, 'dc2'), options=failover['options'], attach=failover['attach'])
    res = run_module(ovn_ic_az, args)
    assert res['changed'] and len(run_module.writes()) == 1
    assert ic_env.nbctl('dc2', 'get', 'Logical_Router_Port', 'lrp-dc2-app104', 'networks').strip() == '["10.104.0.1/24"]'
    mac = ic_env.nbctl('dc2', 'get', 'Logical_Router_Port', 'lrp-dc2-app104', 'mac').strip().strip('"')
    assert mac == lab_plan['dr']['routers']['dc1']['attach'][0]['mac'] == failover['attach'][0]['mac']
    assert ic_env.nbctl('dc2', 'lrp-get-gateway-chassis', 'lrp-dc2-app104').split() == [
        'lrp-dc2-app104-dc2-n2', '20', 'lrp-dc2-app104-dc2-n3', '10']
    assert not run_module(ovn_ic_az, args)['changed'] and not run_module.writes()
    back = run_module(ovn_ic_az, az_args(lab_plan, ic_env, 'dc2'))
    assert back['changed'] and len(run_module.writes()) == 1
    assert ['lrp-del', 'lrp-dc2-app104'] in back['commands'] and ['lsp-del', 'app104-lr-dc2'] in back['commands']
    assert 'lrp-dc2-app104' not in ic_env.nbctl('dc2', 'lrp-list', 'lr-dc2')
    assert not run_module(ovn_ic_az, az_args(lab_plan, ic_env, 'dc2'))['changed']


def test_dr_routes_ladder_with_bfd(ic_env, run_module):
    """Preferred next hop on the two halves, backup on the whole prefix, BFD sessions; learned routes untouched."""
    learned_before = ic_env.settled_learned('dc3', 'lr-dc3')
    routes = [{'prefix': '10.250.0.0/25', 'nexthop': '169.254.100.1', 'output_port': 'lrp-dc3-ts-dr', 'bfd': True},
              {'prefix': '10.250.0.128/25', 'nexthop': '169.254.100.1', 'output_port': 'lrp-dc3-ts-dr', 'bfd': True},
              {'prefix': '10.250.0.0/24', 'nexthop': '169.254.100.2', 'output_port': 'lrp-dc3-ts-dr', 'bfd': True}]
    bfd = [{'logical_port': 'lrp-dc3-ts-dr', 'dst_ip': '169.254.100.1', 'min_tx': 100, 'min_rx': 100, 'detect_mult': 3}]
    args = dict(database=ic_env.nb('dc3'), router='lr-dc3', routes=routes, bfd=bfd)
    check = run_module(ovn_nb_routes, args, check=True, diff=True)
    assert check['changed'] and not run_module.writes()
    assert check['diff']['before'] == {'routes': [], 'bfd': []}
    res = run_module(ovn_nb_routes, args)
    assert res['changed'] and len(run_module.writes()) == 1
    rows = ic_env.router_routes('dc3', 'lr-dc3')
    mine = sorted((r['ip_prefix'], r['nexthop']) for r in rows if r['external_ids'].get('tridc-dr') == 'lr-dc3')
    assert mine == [('10.250.0.0/24', '169.254.100.2'), ('10.250.0.0/25', '169.254.100.1'), ('10.250.0.128/25', '169.254.100.1')]
    assert all(r['bfd'] for r in rows if r['external_ids'].get('tridc-dr'))
    sessions = ic_env.find_json(lambda *a: ic_env.nbctl('dc3', *a), 'BFD')
    assert sorted((s['logical_port'], s['dst_ip'], s['min_tx'], s['detect_mult']) for s in sessions) == [
        ('lrp-dc3-ts-dr', '169.254.100.1', 100, 3), ('lrp-dc3-ts-dr', '169.254.100.2', 100, 3)]
    assert ic_env.learned('dc3', 'lr-dc3') == learned_before
    again = run_module(ovn_nb_routes, args)
    assert not again['changed'] and not run_module.writes()
    assert set(again['bfd_status']) == {'lrp-dc3-ts-dr/169.254.100.1', 'lrp-dc3-ts-dr/169.254.100.2'}
    # northd: without a BFD peer the sessions are not up, so the BFD routes are not installed
    flows = ic_env.sbctl('dc3', 'lflow-list', 'lr-dc3')
    assert '10.250.0.0/25' not in flows


def test_static_route_does_not_stop_learning_a_connected_route(ic_env, run_module):
    """Real behaviour of ovn-ic 23.03: a local static route for 10.210.1.0/24 does not stop it from learning the
    connected route advertised as 10.210.1.1/24 (it compares the strings), which would make the two ECMP.
    The plan therefore puts every prefix it routes statically into the denylist."""
    route = [{'prefix': '10.210.1.0/24', 'nexthop': '169.254.100.2', 'output_port': 'lrp-dc3-ts-dr'}]
    run_module(ovn_nb_routes, dict(database=ic_env.nb('dc3'), router='lr-dc3', routes=route))
    ic_env.nbctl('dc3', '--wait=sb', 'sync')
    assert ('10.210.1.0/24', '169.254.100.1') in ic_env.learned('dc3', 'lr-dc3')


def test_dr_routes_flip_and_clear(ic_env, run_module):
    """Failover: the preferred next hop changes; failback to no DR routes removes routes and sessions."""
    flipped = [{'prefix': '10.250.0.0/24', 'nexthop': '169.254.100.2', 'output_port': 'lrp-dc3-ts-dr', 'bfd': True}]
    res = run_module(ovn_nb_routes, dict(database=ic_env.nb('dc3'), router='lr-dc3', routes=flipped), diff=True)
    assert res['changed'] and len(run_module.writes()) == 1
    assert [r['prefix'] for r in res['diff']['after']['routes']] == ['10.250.0.0/24']
    assert [b['dst_ip'] for b in res['diff']['after']['bfd']] == ['169.254.100.2']
    assert [s['dst_ip'] for s in ic_env.find_json(lambda *a: ic_env.nbctl('dc3', *a), 'BFD')] == ['169.254.100.2']
    res = run_module(ovn_nb_routes, dict(database=ic_env.nb('dc3'), router='lr-dc3', routes=[]))
    assert res['changed']
    assert ic_env.find_json(lambda *a: ic_env.nbctl('dc3', *a), 'BFD') == []
    assert not [r for r in ic_env.router_routes('dc3', 'lr-dc3') if r['external_ids'].get('tridc-dr')]
    assert not run_module(ovn_nb_routes, dict(database=ic_env.nb('dc3'), router='lr-dc3', routes=[]))['changed']


def test_modules_work_through_a_raft_follower(ic_env, run_module, lab_plan):
    follower = next(i for i in range(3) if ic_env.ic_status('ic_nb', i).get('Role') == 'follower')
    args = dict(database=ic_env.ic_socket('ic_nb', follower), switches=lab_plan['interconnect']['transit_switches'] + [
        {'name': 'ts-extra', 'subnet': '169.254.101.0/24'}], purge=True)
    assert run_module(ovn_ic_transit, args)['changed']
    assert 'ts-extra' in ic_env.icnb('ts-list')
    assert run_module(ovn_ic_transit, dict(args, switches=lab_plan['interconnect']['transit_switches']))['changed']
    assert 'ts-extra' not in ic_env.icnb('ts-list')


def test_ic_databases_keep_a_leader_with_one_member_down(ic_env, run_module):
    leader = next(i for i in range(3) if ic_env.ic_status('ic_sb', i).get('Role') == 'leader')
    ic_env.stop('ic_sb%d' % leader)
    try:
        others = [i for i in range(3) if i != leader]
        wait_for(lambda: any(ic_env.ic_status('ic_sb', i).get('Role') == 'leader' for i in others), 20, what='new IC SB leader')
        info = run_module(ovn_ic_info, dict(ic_env.ssl_params(), read=['ic_sb'], ic_sb_database=ic_env.ic_remote('ic_sb')))
        assert info['availability_zones'] == ['az-dc1', 'az-dc2', 'az-dc3']
    finally:
        ic_env.start_ic_member('ic_sb', leader)
    wait_for(lambda: ic_env.ic_status('ic_sb', leader).get('Role') in ('leader', 'follower'), 30, what='member back')


def test_lost_az_is_removed_and_comes_back_by_itself(ic_env, run_module):
    ic_env.stop_ovn_ic('dc1')  # the zone is lost: its ovn-ic is gone
    args = dict(ic_env.ssl_params(), database=ic_env.ic_remote('ic_sb'), az='az-dc1')
    check = run_module(ovn_ic_lost_az, args, check=True, diff=True)
    assert check['changed'] and not run_module.writes()
    assert check['removed']['gateways'] == ['dc1-n2', 'dc1-n3'] and check['removed']['port_bindings'] == ['ts-dr-dc1']
    assert check['removed']['routes'] == ['10.104.0.0/24 via 169.254.100.1 on ts-dr', '10.210.1.0/24 via 169.254.100.1 on ts-dr']
    res = run_module(ovn_ic_lost_az, args)
    assert res['changed'] and len(run_module.writes()) == 1
    assert not run_module(ovn_ic_lost_az, args)['changed']
    # survivors: the learned route and the remote chassis go away
    for dc in ('dc2', 'dc3'):
        wait_for(lambda d=dc: not any(p == '10.210.1.0/24' for p, _n in ic_env.learned(d, 'lr-' + d)), 20, what='route gone in %s' % dc)
        wait_for(lambda d=dc: 'dc1-n2' not in ic_env.sbctl(d, '--bare', '--columns=name', 'list', 'Chassis'), 20, what='chassis gone')
    assert 'availability-zone az-dc1' in ic_env.icsb('show')
    # the zone returns: ovn-ic registers its gateways, port and routes again
    ic_env.start_ovn_ic('dc1')
    wait_for(lambda: ('10.210.1.0/24', '169.254.100.1') in ic_env.learned('dc2', 'lr-dc2'), 30, what='dc1 back')
    wait_for(lambda: 'gateway dc1-n2' in ic_env.icsb('show'), 20, what='gateways back')


@pytest.mark.parametrize('bad', [{'priority': 40000}])
def test_az_refuses_bad_priority(ic_env, run_module, lab_plan, bad):
    args = az_args(lab_plan, ic_env, 'dc1')
    args['transit'][0]['gateway_chassis'][0].update(bad)
    res = run_module(ovn_ic_az, args)
    assert res.get('failed') and '0-32767' in res['msg']

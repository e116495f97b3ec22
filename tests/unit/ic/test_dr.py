# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DR routing computation (plan['dr']) against hand-worked expectations for the lab and the bank."""

from __future__ import annotations

import copy
import ipaddress
import os

import pytest

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import build_plan, dr
from inventory_loader import load_inventory

from .conftest import REPO


@pytest.fixture(scope='module')
def bank():
    return build_plan(load_inventory(os.path.join(REPO, 'inventories', 'example-bank')))


def with_logical_gateway(plan, *subnets, ecmp=()):
    """The lab plan with Kube-OVN's logical gateway on some stretched underlay subnets (Kube-OVN owned: DR static
    routes; a logical gateway the collection owns is advertised over OVN-IC instead), recomputed."""
    p = copy.deepcopy(plan)
    for name in subnets:
        p['subnets'][name]['logical_gateway'] = True
        p['subnets'][name]['owner'] = 'kube-ovn'
    p['interconnect']['ecmp'] = list(ecmp)
    p['dr'] = dr.compute(p)
    return p


def test_existing_keys_unchanged(lab_plan):
    assert lab_plan['dr']['takeover_order'] == {'dc1': ['dc2', 'dc3'], 'dc2': ['dc1', 'dc3'], 'dc3': ['dc1', 'dc2']}
    u = lab_plan['dr']['underlay']['biz101']
    assert (u['active_dc'], u['standby_dcs']) == ('dc1', ['dc2'])
    assert u['announce'] == [{'dc': 'dc1', 'state': 'active', 'preference': 200}, {'dc': 'dc2', 'state': 'standby', 'preference': 150}]
    assert u['fabric'].startswith('announce 10.101.0.0/24 from dc1; prefer it over dc2')
    assert lab_plan['dr']['underlay']['biz103']['standby_dcs'] == []


def test_routers_transit_addresses_macs_and_names(lab_plan):
    routers = lab_plan['dr']['routers']
    assert sorted(routers) == ['dc1', 'dc2', 'dc3']
    ts = [routers[d]['transit'][0] for d in ('dc1', 'dc2', 'dc3')]
    assert [t['network'] for t in ts] == ['169.254.100.1/24', '169.254.100.2/24', '169.254.100.3/24']
    assert [t['lsp'] for t in ts] == ['ts-dr-dc1', 'ts-dr-dc2', 'ts-dr-dc3']
    macs = [t['mac'] for t in ts] + [a['mac'] for d in routers.values() for a in d['attach']]
    assert len(set(macs)) == len(macs)
    for mac in macs:
        first = int(mac.split(':')[0], 16)
        assert first & 2 and not first & 1, 'locally administered unicast'
    assert routers['dc2']['az'] == 'az-dc2' and routers['dc2']['router'] == 'lr-dc2'
    assert routers['dc2']['attach'] == [{'switch': 'pods-dc2', 'subnet': 'pods-dc2', 'cidr': '10.210.2.0/24', 'lrp': 'lrp-dc2-pods-dc2',
                                         'lsp': 'pods-dc2-lr-dc2', 'mac': routers['dc2']['attach'][0]['mac'], 'network': '10.210.2.1/24',
                                         'kind': 'overlay', 'gateway_chassis': []}]


def test_gateway_chassis_follow_the_plan_priorities_over_two_failure_domains(lab_plan):
    for dc in ('dc1', 'dc2', 'dc3'):
        gws = lab_plan['dr']['routers'][dc]['transit'][0]['gateway_chassis']
        assert [(g['chassis'], g['priority']) for g in gws] == [(g['host'], g['priority'])
                                                                for g in lab_plan['interconnect']['gateway_priorities'][dc]]
        assert len({g['failure_domain'] for g in gws}) >= 2


def test_denylist_has_underlay_infrastructure_and_local_prefixes(lab_plan):
    deny = lab_plan['dr']['routers']['dc1']['denylist']
    for cidr in ('10.90.1.0/24', '10.91.3.0/24', '10.101.0.0/24', '10.203.0.0/24', '169.254.100.0/24'):
        assert cidr in deny
    assert not any(c.startswith('10.210.') for c in deny)
    opts = lab_plan['dr']['routers']['dc1']['options']
    assert opts['ic-route-denylist'] == opts['ic-route-blacklist'] == ','.join(deny)
    assert (opts['ic-route-adv'], opts['ic-route-learn'], opts['ic-route-adv-default']) == ('true', 'true', 'false')
    # the lab's tridc_interconnect.bfd (mult 5: its gateways share a 2-core machine); the default is 100/100/3
    assert (opts['bfd-min-rx'], opts['bfd-min-tx'], opts['bfd-mult']) == ('100', '100', '5')
    inv = load_inventory(os.path.join(REPO, 'inventories', 'lab'))
    del inv['globals']['tridc_interconnect']['bfd']
    opts = build_plan(inv)['dr']['routers']['dc1']['options']
    assert (opts['bfd-min-rx'], opts['bfd-min-tx'], opts['bfd-mult']) == ('100', '100', '3')
    # all DCs use the same list
    assert len({tuple(r['denylist']) for r in lab_plan['dr']['routers'].values()}) == 1


def test_subnet_marked_local_is_denied(lab_plan):
    p = copy.deepcopy(lab_plan)
    p['subnets']['pods-dc2']['local'] = True
    out = dr.compute(p)
    assert '10.210.2.0/24' in out['routers']['dc1']['denylist']
    assert out['routers']['dc2']['advertise'] == []
    assert not any(l['cidr'] == '10.210.2.0/24' for l in out['routers']['dc3']['learn'])
    assert next(r for r in out['routes']['dc3'] if r['prefix'] == 'pods-dc2')['via'] == 'none'


def test_full_mesh_of_learned_routes(lab_plan):
    for dc, r in lab_plan['dr']['routers'].items():
        # dc1 also advertises app104, the logical-gateway VLAN subnet it owns
        assert r['advertise'] == (['10.104.0.0/24'] if dc == 'dc1' else []) + ['10.210.%s.0/24' % dc[-1]]
        others = sorted(d for d in ('dc1', 'dc2', 'dc3') if d != dc)
        expected = [('10.210.%s.0/24' % o[-1], '169.254.100.%s' % o[-1], o) for o in others]
        if dc != 'dc1':
            expected.insert(0, ('10.104.0.0/24', '169.254.100.1', 'dc1'))
        assert [(l['cidr'], l['nexthop'], l['from_dc']) for l in r['learn']] == expected


def test_routes_per_dc_and_prefix(lab_plan):
    table = dict((r['prefix'], r) for r in lab_plan['dr']['routes']['dc3'])
    assert table['pods-dc1']['via'] == 'ic-learned' and table['pods-dc1']['preferred'] == {'dc': 'dc1', 'nexthop': '169.254.100.1'}
    assert table['pods-dc1']['backups'] == []
    assert table['biz101']['via'] == 'fabric'
    assert table['biz101']['preferred'] == {'dc': 'dc1', 'nexthop': None}
    assert table['biz101']['backups'] == [{'dc': 'dc2', 'nexthop': None}]
    assert table['biz103']['via'] == 'local' and table['pods-dc3']['via'] == 'local'
    # the lab's logical-gateway subnet (app104, OVN answers its gateway in dc1) is learned from its owner over OVN-IC
    assert table['app104']['via'] == 'ic-learned' and table['app104']['preferred'] == {'dc': 'dc1', 'nexthop': '169.254.100.1'}
    assert table['app104']['backups'] == [{'dc': 'dc2', 'nexthop': '169.254.100.2'}]
    assert lab_plan['dr']['static_routes'] == {'dc1': [], 'dc2': [], 'dc3': []}
    assert lab_plan['dr']['bfd'] == {'dc1': [], 'dc2': [], 'dc3': []}


def test_logical_gateway_has_one_owner_at_a_time(lab_plan):
    """The stretched VLAN's gateway is answered by one DC router: dc1's (primary) while it lives, dc2's once dc1 is
    declared lost; the owner advertises it over OVN-IC, so its route moves with it."""
    def owners(routers):
        return {dc: [a for a in r['attach'] if a['switch'] == 'app104'] for dc, r in routers.items()}
    planned = owners(lab_plan['dr']['routers'])
    assert [dc for dc, a in planned.items() if a] == ['dc1']
    gw = planned['dc1'][0]
    assert (gw['kind'], gw['network'], gw['lrp'], gw['lsp']) == ('logical_gateway', '10.104.0.1/24', 'lrp-dc1-app104', 'app104-lr-dc1')
    # a distributed gateway port on dc1's gateway chassis, in the plan's priority order
    assert [(g['chassis'], g['priority']) for g in gw['gateway_chassis']] == [
        (g['chassis'], g['priority']) for g in lab_plan['dr']['routers']['dc1']['transit'][0]['gateway_chassis']]
    assert gw['gateway_chassis']
    after = owners(lab_plan['dr']['failover']['dc1']['routers'])
    assert [dc for dc, a in after.items() if a] == ['dc2']
    # the same MAC in the new owner: the workloads' ARP entries for the gateway stay valid
    assert after['dc2'][0]['mac'] == gw['mac'] and after['dc2'][0]['network'] == gw['network']
    assert after['dc2'][0]['lrp'] == 'lrp-dc2-app104'
    # advertised over IC by the owner alone; dc2 and dc3 learn it from dc1, and from dc2 once dc1 is lost
    routers = lab_plan['dr']['routers']
    assert [dc for dc, r in routers.items() if '10.104.0.0/24' in r['advertise']] == ['dc1']
    for dc in ('dc2', 'dc3'):
        assert [(l['cidr'], l['from_dc']) for l in routers[dc]['learn'] if l['cidr'] == '10.104.0.0/24'] == [('10.104.0.0/24', 'dc1')]
        assert '10.104.0.0/24' not in routers[dc]['denylist']
    lost = lab_plan['dr']['failover']['dc1']['routers']
    assert [(l['cidr'], l['from_dc']) for l in lost['dc3']['learn'] if l['cidr'] == '10.104.0.0/24'] == [('10.104.0.0/24', 'dc2')]
    assert '10.104.0.0/24' in lost['dc2']['advertise'] and '10.104.0.0/24' not in lost['dc3']['denylist']
    assert 'app104' in lab_plan['dr']['failover']['dc1']['moved']
    # never the DR drill's probe switch
    assert all(r['probe']['switch'].startswith('pods-') for r in routers.values())
    fabric = lab_plan['dr']['underlay']['app104']
    assert fabric['announce'] == [] and fabric['fabric'].startswith('carry VLAN 104 only, with no gateway address')


def test_static_ladder_same_city_before_remote(lab_plan):
    p = with_logical_gateway(lab_plan, 'biz101')
    st = [s for s in p['dr']['static_routes']['dc3'] if s['subnet'] == 'biz101']
    assert [(s['prefix'], s['nexthop'], s['tier'], s['bfd'], s['ecmp']) for s in st] == [
        ('10.101.0.0/25', '169.254.100.1', 0, True, False),
        ('10.101.0.128/25', '169.254.100.1', 0, True, False),
        ('10.101.0.0/24', '169.254.100.2', 1, True, False)]
    assert all(s['output_port'] == 'lrp-dc3-ts-dr' for s in st)
    # the gateway owner (dc1) has no route (the subnet is connected there); the standby home DC routes it to the owner
    assert [s for s in p['dr']['static_routes']['dc1'] if s['subnet'] == 'biz101'] == []
    assert [(s['prefix'], s['nexthop']) for s in p['dr']['static_routes']['dc2'] if s['subnet'] == 'biz101'] == [
        ('10.101.0.0/24', '169.254.100.1')]
    # BFD both ways between every pair with a DR route
    assert [(b['logical_port'], b['dst_ip']) for b in p['dr']['bfd']['dc3']] == [
        ('lrp-dc3-ts-dr', '169.254.100.1'), ('lrp-dc3-ts-dr', '169.254.100.2')]
    assert [(b['logical_port'], b['dst_ip']) for b in p['dr']['bfd']['dc1']] == [
        ('lrp-dc1-ts-dr', '169.254.100.2'), ('lrp-dc1-ts-dr', '169.254.100.3')]
    assert [(b['logical_port'], b['dst_ip']) for b in p['dr']['bfd']['dc2']] == [
        ('lrp-dc2-ts-dr', '169.254.100.1'), ('lrp-dc2-ts-dr', '169.254.100.3')]
    assert '10.101.0.0/24' in p['dr']['routers']['dc3']['denylist']
    route = next(r for r in p['dr']['routes']['dc3'] if r['prefix'] == 'biz101')
    assert route['via'] == 'static' and route['bfd'] and route['preferred']['dc'] == 'dc1'


def test_three_tier_ladder_covers_the_prefix_exactly():
    parts = dr._ladder('10.0.0.0/24', 3)
    assert parts == [['10.0.0.0/26', '10.0.0.64/26', '10.0.0.128/26', '10.0.0.192/26'], ['10.0.0.0/25', '10.0.0.128/25'], ['10.0.0.0/24']]
    for tier in parts:
        nets = [ipaddress.ip_network(n) for n in tier]
        assert sum(n.num_addresses for n in nets) == 256
    assert dr._ladder('10.0.0.1/32', 2) is None


def test_ecmp_where_configured(lab_plan):
    p = with_logical_gateway(lab_plan, 'biz101', ecmp=['biz101'])
    st = [s for s in p['dr']['static_routes']['dc3'] if s['subnet'] == 'biz101']
    assert [(s['prefix'], s['nexthop'], s['ecmp']) for s in st] == [
        ('10.101.0.0/24', '169.254.100.1', True), ('10.101.0.0/24', '169.254.100.2', True)]
    assert next(r for r in p['dr']['routes']['dc3'] if r['prefix'] == 'biz101')['ecmp']


def test_failover_moves_preferences_to_the_survivors(lab_plan):
    f = lab_plan['dr']['failover']['dc1']
    assert f['lost_dc'] == 'dc1' and f['lost_az'] == 'az-dc1' and f['survivors'] == ['dc2', 'dc3']
    assert sorted(f['routers']) == ['dc2', 'dc3']
    for r in f['routers'].values():
        assert '10.210.1.0/24' in r['denylist']
        assert r['options']['ic-route-blacklist'] == ','.join(r['denylist'])
        assert not any(l['from_dc'] == 'dc1' for l in r['learn'])
    assert f['underlay']['biz101']['active_dc'] == 'dc2' and f['underlay']['biz101']['fabric'].startswith('withdraw 10.101.0.0/24 from dc1')
    assert f['underlay']['biz102']['active_dc'] is None
    assert 'biz101' in f['moved'] and 'stor201' in f['moved']
    assert 'pods-dc1' in f['unreachable'] and 'biz102' in f['unreachable']
    # losing the remote DR moves nothing of the city pair
    assert lab_plan['dr']['failover']['dc3']['moved'] == []


def test_failover_flips_static_routes(lab_plan):
    p = with_logical_gateway(lab_plan, 'biz101')
    st = [s for s in p['dr']['failover']['dc1']['static_routes']['dc3'] if s['subnet'] == 'biz101']
    assert [(s['prefix'], s['nexthop']) for s in st] == [('10.101.0.0/24', '169.254.100.2')]
    assert [b['dst_ip'] for b in p['dr']['failover']['dc1']['bfd']['dc3']] == ['169.254.100.2']
    assert 'dc1' not in p['dr']['failover']['dc1']['bfd']


def test_kube_ovn_vpc_routes_for_kube_ovn_owned_networks(bank):
    k = bank['dr']['kube_ovn']
    assert sorted(k) == ['north1', 'north2', 'south1']
    south = k['south1']
    assert south['vpc'] == 'ovn-cluster'
    cidrs = sorted(r['cidr'] for r in south['static_routes'])
    assert cidrs == ['10.64.0.0/16', '10.65.0.0/16']
    nh = dict((r['cidr'], r['next_hop']) for r in south['static_routes'])
    ts = dict((d, bank['dr']['routers'][d]['transit'][0]['ip']) for d in ('north1', 'north2'))
    assert nh == {'10.64.0.0/16': ts['north1'], '10.65.0.0/16': ts['north2']}
    allow = [p for p in south['policy_routes'] if p['action'] == 'allow']
    assert {p['match'] for p in allow} >= {'ip4.dst == 172.17.101.0/24', 'ip4.dst == 10.66.0.0/16'}
    # failover of north1: north2 and south1 no longer route to north1's overlay
    f = bank['dr']['failover']['north1']['kube_ovn']
    assert sorted(f) == ['north2', 'south1']
    assert not any(r['next_hop'] == ts['north1'] for r in f['south1']['static_routes'])


def test_bank_denylist_and_gateways(bank):
    r = bank['dr']['routers']['north1']
    assert '172.16.101.0/24' in r['denylist'] and '10.10.1.0/24' in r['denylist'] and '169.254.200.0/24' in r['denylist']
    assert r['advertise'] == ['10.64.0.0/16']
    gws = r['transit'][0]['gateway_chassis']
    assert len({g['failure_domain'] for g in gws[:2]}) == 2
    assert gws[0]['priority'] > gws[1]['priority']


def test_plan_stays_json_and_deterministic(lab_plan):
    import json
    again = dr.compute(lab_plan)
    assert json.dumps(again, sort_keys=True) == json.dumps(lab_plan['dr'], sort_keys=True)


def test_u2o_interconnection_attaches_the_vlan_at_its_u2o_address(lab_plan):
    """biz101 keeps the fabric's gateway (10.101.0.1); dc1's router sits on the VLAN at the u2o address, on dc1's
    gateway chassis; dc2's once dc1 is lost. The subnet stays routed by the fabric (denylisted, not advertised)."""
    def u2o(routers):
        return {dc: [a for a in r['attach'] if a['switch'] == 'biz101'] for dc, r in routers.items()}
    planned = u2o(lab_plan['dr']['routers'])
    assert [dc for dc, a in planned.items() if a] == ['dc1']
    port = planned['dc1'][0]
    assert (port['kind'], port['network'], port['lrp']) == ('u2o', '10.101.0.2/24', 'lrp-dc1-biz101')
    assert [g['chassis'] for g in port['gateway_chassis']] == ['dc1-n2', 'dc1-n3']
    assert lab_plan['dr']['prefixes']['biz101']['routed_by'] == 'fabric'
    assert '10.101.0.0/24' not in lab_plan['dr']['routers']['dc1']['advertise']
    after = u2o(lab_plan['dr']['failover']['dc1']['routers'])
    assert [dc for dc, a in after.items() if a] == ['dc2'] and after['dc2'][0]['network'] == '10.101.0.2/24'
    # OVN's IPAM never hands the u2o address out (here it is inside the subnet's own excluded range already)
    switch = next(s for s in lab_plan['ovn']['switches']['dc1'] if s['name'] == 'biz101')
    assert switch['exclude_ips'][:2] == ['10.101.0.1', '10.101.0.2..10.101.0.9']

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tridc.ovn.ovn_switches against a real Northbound database (and a real ovn-northd for IPAM)."""

from __future__ import annotations

import subprocess

import pytest
from ansible_collections.tridc.ovn.plugins.modules import ovn_switches
from testing_tools import stop_process, wait_for

from .conftest import tool

BIZ101 = dict(name='biz101', cidr='10.101.0.0/24', exclude_ips=['10.101.0.1', '10.101.0.2..10.101.0.9'],
              localnet=dict(port='ln-biz101', network_name='business', tag=101))
MGMT = dict(name='mgmt10', cidr='10.90.1.0/24', exclude_ips=['10.90.1.1'],
            localnet=dict(port='ln-mgmt10', network_name='business', tag=0))


def nbctl(member, *args, check=True):
    return subprocess.run([tool('ovn-nbctl'), '--db=unix:' + member.sock, '--no-leader-only'] + [str(a) for a in args],
                          check=check, capture_output=True, text=True)


def ctl_calls(runner, name):
    return [c for c in runner.calls if c and c[0].endswith(name)]


@pytest.fixture
def nb(make_cluster):
    cluster = make_cluster('nb', 1)
    cluster.bootstrap()
    return cluster[0]


def test_check_mode_then_one_transaction_then_nothing(nb, run_module):
    args = dict(database='unix:' + nb.sock, switches=[BIZ101, MGMT])
    check = run_module(ovn_switches, args, check=True, diff=True)
    assert check['_rc'] == 0 and check['changed'] is True, check
    assert ['ls-add', 'biz101'] in check['commands'] and ['set', 'Logical_Switch_Port', 'ln-biz101', 'tag=101'] in check['commands']
    assert check['diff']['before'] == {} and set(check['diff']['after']) == {'biz101', 'mgmt10'}
    assert nbctl(nb, 'ls-list').stdout.strip() == ''  # check mode wrote nothing
    assert len(ctl_calls(run_module, 'ovn-nbctl')) == 0

    res = run_module(ovn_switches, args)
    assert res['_rc'] == 0 and res['changed'] is True and res['commands'] == check['commands']
    assert len(ctl_calls(run_module, 'ovn-nbctl')) == 1 and len(ctl_calls(run_module, 'ovsdb-client')) == 1
    assert nbctl(nb, 'get', 'Logical_Switch_Port', 'ln-biz101', 'type').stdout.strip() == 'localnet'
    assert nbctl(nb, 'get', 'Logical_Switch_Port', 'ln-biz101', 'tag').stdout.strip() == '101'
    assert nbctl(nb, 'get', 'Logical_Switch_Port', 'ln-biz101', 'options:network_name').stdout.strip() == 'business'
    assert nbctl(nb, 'get', 'Logical_Switch_Port', 'ln-biz101', 'addresses').stdout.strip() == '[unknown]'
    # the native VLAN has no tag
    assert nbctl(nb, 'get', 'Logical_Switch_Port', 'ln-mgmt10', 'tag').stdout.strip() == '[]'
    assert nbctl(nb, 'get', 'Logical_Switch', 'biz101', 'other_config:subnet').stdout.strip() == '"10.101.0.0/24"'
    assert nbctl(nb, 'get', 'Logical_Switch', 'biz101', 'other_config:exclude_ips').stdout.strip() == '"10.101.0.1 10.101.0.2..10.101.0.9"'
    assert nbctl(nb, 'get', 'Logical_Switch', 'biz101', 'external_ids:tridc-owner').stdout.strip().strip('"') == 'tridc.ovn'

    again = run_module(ovn_switches, args)
    assert again['changed'] is False and again['commands'] == []
    assert len(ctl_calls(run_module, 'ovn-nbctl')) == 0 and len(ctl_calls(run_module, 'ovsdb-client')) == 1


def test_changed_tag_and_excludes_are_updated_in_place(nb, run_module):
    args = dict(database='unix:' + nb.sock, switches=[BIZ101])
    run_module(ovn_switches, args)
    uuid = nbctl(nb, 'get', 'Logical_Switch', 'biz101', '_uuid').stdout.strip()
    moved = dict(BIZ101, exclude_ips=['10.101.0.1'], localnet=dict(BIZ101['localnet'], tag=111))
    res = run_module(ovn_switches, dict(args, switches=[moved]), diff=True)
    assert res['changed'] is True
    assert res['diff']['before']['biz101']['localnet']['tag'] == 101 and res['diff']['after']['biz101']['localnet']['tag'] == 111
    assert nbctl(nb, 'get', 'Logical_Switch_Port', 'ln-biz101', 'tag').stdout.strip() == '111'
    assert nbctl(nb, 'get', 'Logical_Switch', 'biz101', 'other_config:exclude_ips').stdout.strip() == '"10.101.0.1"'
    assert nbctl(nb, 'get', 'Logical_Switch', 'biz101', '_uuid').stdout.strip() == uuid  # same switch, not recreated


def test_a_switch_the_collection_did_not_create_is_never_touched(nb, run_module):
    nbctl(nb, 'ls-add', 'biz101', '--', 'set', 'Logical_Switch', 'biz101', 'other_config:subnet=10.9.9.0/24')
    res = run_module(ovn_switches, dict(database='unix:' + nb.sock, switches=[BIZ101, MGMT]))
    assert res['_rc'] == 1 and 'biz101 exists and was not created by tridc.ovn' in res['msg']
    assert nbctl(nb, 'get', 'Logical_Switch', 'biz101', 'other_config:subnet').stdout.strip() == '"10.9.9.0/24"'
    assert 'mgmt10' not in nbctl(nb, 'ls-list').stdout  # nothing half-applied


def test_removal_refused_while_workloads_are_on_the_switch(nb, run_module):
    args = dict(database='unix:' + nb.sock, switches=[BIZ101, MGMT])
    run_module(ovn_switches, args)
    nbctl(nb, 'lsp-add', 'biz101', 'vm-a', '--', 'lsp-set-addresses', 'vm-a', '0a:00:00:00:01:01 10.101.0.50')
    res = run_module(ovn_switches, dict(args, switches=[MGMT]))
    assert res['_rc'] == 1
    assert 'logical switch biz101 is no longer planned, but workload ports are on it (vm-a)' in res['msg']
    assert 'biz101' in nbctl(nb, 'ls-list').stdout
    nbctl(nb, 'lsp-del', 'vm-a')
    check = run_module(ovn_switches, dict(args, switches=[MGMT]), check=True)
    assert check['removed'] == ['biz101'] and 'biz101' in nbctl(nb, 'ls-list').stdout
    res = run_module(ovn_switches, dict(args, switches=[MGMT]))
    assert res['removed'] == ['biz101'] and 'biz101' not in nbctl(nb, 'ls-list').stdout
    # a switch of someone else is never purged
    nbctl(nb, 'ls-add', 'theirs')
    res = run_module(ovn_switches, dict(args, switches=[MGMT]))
    assert res['changed'] is False and 'theirs' in nbctl(nb, 'ls-list').stdout


def test_bad_input_reports_every_problem_and_touches_nothing(nb, run_module):
    bad = [dict(BIZ101, cidr='10.101.0.0/33'), dict(MGMT, localnet=dict(MGMT['localnet'], tag=5000)), dict(MGMT)]
    res = run_module(ovn_switches, dict(database='unix:' + nb.sock, switches=bad))
    assert res['_rc'] == 1
    assert 'switch mgmt10 is given more than once' in res['msg']
    assert 'cidr 10.101.0.0/33 is not an IP network' in res['msg']
    assert 'VLAN tag 5000 is not between 0 and 4095' in res['msg']
    assert nbctl(nb, 'ls-list').stdout.strip() == ''


def test_ovn_ipam_never_hands_out_the_gateway_or_an_excluded_address(make_cluster, run_module, tmp_path):
    """ovn-northd's IPAM (real northd, NB and SB) reads other_config:subnet and exclude_ips that the module writes."""
    nb = make_cluster('nb', 1).bootstrap()[0]
    sb = make_cluster('sb', 1).bootstrap()[0]
    northd = subprocess.Popen([tool('ovn-northd'), '--ovnnb-db=unix:' + nb.sock, '--ovnsb-db=unix:' + sb.sock,
                               '--unixctl=%s' % (tmp_path / 'northd.ctl'), '-vconsole:off', '--log-file=%s' % (tmp_path / 'northd.log')],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        small = dict(BIZ101, cidr='10.101.0.0/28', exclude_ips=['10.101.0.1', '10.101.0.2..10.101.0.9'])
        res = run_module(ovn_switches, dict(database='unix:' + nb.sock, switches=[small]))
        assert res['_rc'] == 0, res
        for i in range(5):
            nbctl(nb, 'lsp-add', 'biz101', 'dyn%d' % i, '--', 'lsp-set-addresses', 'dyn%d' % i, 'dynamic')

        def dynamic():
            out = [nbctl(nb, 'get', 'Logical_Switch_Port', 'dyn%d' % i, 'dynamic_addresses').stdout.strip().strip('"')
                   for i in range(5)]
            return out if all(' ' in a for a in out) else None
        addrs = wait_for(dynamic, timeout=20, what='ovn-northd to assign dynamic addresses')
        ips = sorted(a.split()[1] for a in addrs)
        # /28: .1 gateway and .2-.9 excluded, so the five ports get .10-.14
        assert ips == ['10.101.0.1%d' % i for i in range(5)], ips
    finally:
        stop_process(northd)


def test_overlay_switch_has_no_localnet_port_and_a_vlan_switch_turned_overlay_loses_it(nb, run_module):
    """An overlay subnet (localnet omitted) is a switch with OVN's IPAM subnet and the gateway excluded, and no
    localnet port; a rerun changes nothing; a switch whose plan entry loses its VLAN loses its localnet port."""
    pods = dict(name='pods-dc1', cidr='10.210.1.0/24', exclude_ips=['10.210.1.1'])
    args = dict(database='unix:' + nb.sock, switches=[BIZ101, pods])
    res = run_module(ovn_switches, args)
    assert res['_rc'] == 0 and res['changed'] is True, res
    assert nbctl(nb, 'get', 'Logical_Switch', 'pods-dc1', 'other_config:subnet').stdout.strip() == '"10.210.1.0/24"'
    assert nbctl(nb, 'get', 'Logical_Switch', 'pods-dc1', 'other_config:exclude_ips').stdout.strip() == '"10.210.1.1"'
    assert nbctl(nb, 'lsp-list', 'pods-dc1').stdout.strip() == ''
    assert res['switches']['pods-dc1']['localnet'] is None
    again = run_module(ovn_switches, args)
    assert again['changed'] is False and again['commands'] == []
    moved = run_module(ovn_switches, dict(args, switches=[dict(BIZ101, localnet=None), pods]))
    assert moved['changed'] is True and ['lsp-del', 'ln-biz101'] in moved['commands'], moved['commands']
    assert nbctl(nb, 'lsp-list', 'biz101').stdout.strip() == ''


def test_dhcp_answer_with_the_vlan_mtu_follows_the_plan_and_goes_with_the_switch(nb, run_module):
    """A VLAN subnet's DHCP answer (router, MTU, lease, server MAC) is one DHCP_Options row, marked like the switch,
    written in the switch's transaction; a new MTU updates it in place, a rerun writes nothing, and the purge of the
    switch takes it too. A workload port made by ovn_port points at it."""
    from ansible_collections.tridc.ovn.plugins.modules import ovn_port  # pylint: disable=import-outside-toplevel
    dhcp = dict(router='10.101.0.1', mtu=1500, lease_time=3600, server_mac='0a:00:00:00:01:01')
    args = dict(database='unix:' + nb.sock, switches=[dict(BIZ101, dhcp=dhcp)])
    res = run_module(ovn_switches, args)
    assert res['changed'] and len(ctl_calls(run_module, 'ovn-nbctl')) == 1
    uuid = nbctl(nb, '--bare', '--columns=_uuid', 'find', 'DHCP_Options', 'external_ids:tridc-subnet=biz101').stdout.strip()
    assert uuid and sorted(nbctl(nb, 'dhcp-options-get-options', uuid).stdout.split()) == [
        'lease_time=3600', 'mtu=1500', 'router=10.101.0.1', 'server_id=10.101.0.1', 'server_mac=0a:00:00:00:01:01']
    assert nbctl(nb, 'get', 'DHCP_Options', uuid, 'cidr').stdout.strip() == '"10.101.0.0/24"'
    assert not run_module(ovn_switches, args)['changed']
    # a workload port on the switch points at it
    res = run_module(ovn_port, dict(database='unix:' + nb.sock, switch='biz101', name='vm-d', mac='0a:58:0a:65:00:40',
                                    ip='10.101.0.60'))
    assert res['changed'] and nbctl(nb, 'lsp-get-dhcpv4-options', 'vm-d').stdout.split()[0] == uuid
    # the provider network's MTU changes (jumbo frames): updated in place, the port keeps pointing at it
    jumbo = dict(args, switches=[dict(BIZ101, dhcp=dict(dhcp, mtu=9000))])
    res = run_module(ovn_switches, jumbo, diff=True)
    assert res['changed'] and res['diff']['after']['biz101']['dhcp']['options']['mtu'] == '9000'
    assert 'mtu=9000' in nbctl(nb, 'dhcp-options-get-options', uuid).stdout.split()
    assert nbctl(nb, 'lsp-get-dhcpv4-options', 'vm-d').stdout.split()[0] == uuid
    nbctl(nb, 'lsp-del', 'vm-d')
    # the plan drops the subnet: the switch and its DHCP answer go
    res = run_module(ovn_switches, dict(args, switches=[]))
    assert res['changed'] and res['removed'] == ['biz101']
    assert nbctl(nb, '--bare', '--columns=_uuid', 'list', 'DHCP_Options').stdout.strip() == ''

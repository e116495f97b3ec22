# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovn_chassis_info against a real (clustered) Southbound database with chassis added by ovn-sbctl."""

from __future__ import annotations

import subprocess

from ansible_collections.tridc.ovn.plugins.modules import ovn_chassis_info

from .conftest import tool


def sbctl(member, *args):
    return subprocess.run([tool('ovn-sbctl'), '--db=unix:' + member.sock, '--no-leader-only'] + list(args),
                          check=True, capture_output=True, text=True).stdout


def test_chassis_encaps_mappings_gateway(run_module, make_cluster):
    cluster = make_cluster('sb', 3)
    cluster.bootstrap()
    leader, follower = cluster[0], cluster[2]
    sbctl(leader, 'chassis-add', 'dc1-n2', 'geneve', '10.91.1.12')
    sbctl(leader, 'set', 'Chassis', 'dc1-n2', 'hostname=dc1-n2',
          'other_config:ovn-bridge-mappings="business:br-business,storage:br-storage"',
          'other_config:ovn-cms-options="enable-chassis-as-gw,availability-zones=az1"')
    sbctl(leader, 'chassis-add', 'dc1-n3', 'geneve,vxlan', '10.91.1.13')
    # read through a follower
    res = run_module(ovn_chassis_info, dict(database='unix:' + follower.sock))
    assert res['_rc'] == 0 and res['changed'] is False
    n2 = res['chassis']['dc1-n2']
    assert n2['hostname'] == 'dc1-n2'
    assert n2['encaps'] == [dict(type='geneve', ip='10.91.1.12')]
    assert n2['bridge_mappings'] == {'business': 'br-business', 'storage': 'br-storage'}
    assert n2['cms_options'] == ['enable-chassis-as-gw', 'availability-zones=az1']
    n3 = res['chassis']['dc1-n3']
    assert n3['encaps'] == [dict(type='geneve', ip='10.91.1.13'), dict(type='vxlan', ip='10.91.1.13')]
    assert n3['bridge_mappings'] == {} and n3['cms_options'] == []

    only = run_module(ovn_chassis_info, dict(database='unix:' + follower.sock, names=['dc1-n3']), check=True)
    assert list(only['chassis']) == ['dc1-n3']


def test_empty_and_unreachable(run_module, make_cluster):
    cluster = make_cluster('sb', 1)
    cluster.bootstrap()
    res = run_module(ovn_chassis_info, dict(database='unix:' + cluster[0].sock))
    assert res['chassis'] == {}
    res = run_module(ovn_chassis_info, dict(database='unix:' + cluster.dir + '/nothing.sock', timeout=2))
    assert res['_rc'] == 1 and 'cannot read' in res['msg']

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tridc.ovn.ovn_state_info (read: ovs) against a real ovsdb-server, fed to the drift audit's comparison: a node
configured as planned shows no drift; each manual change (ovs-vsctl, like an operator) is found, and nothing else;
the module never writes."""

from __future__ import annotations

import os
import sys

from ansible_collections.tridc.ovn.plugins.modules import ovn_state_info, ovs_bridge
from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import build_plan
from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan.audit import compare

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'plan'))
from topo import base_inventory  # noqa: E402  pylint: disable=wrong-import-position,import-error

PLAN = build_plan(base_inventory(nodes_per_dc=4))
HOST = 'dc1-n4'  # a chassis only (the raft part: tests/unit/ovn/test_ovn_state_info.py)


def configure_as_planned(ovsdb, run_module):
    """What the ovs and chassis roles apply on HOST: provider bridges with their NIC trunks, OVN external_ids."""
    node = PLAN['nodes'][HOST]
    for b in node['bridges']:
        res = run_module(ovs_bridge, dict(db=ovsdb.db, wait=False, timeout=10, name=b['name'], datapath_type=node['datapath_type'],
                                          external_ids={'tridc-provider': b['provider']},
                                          ports=[dict(name=b['nic'], trunks=b['trunks'])]))
        assert res['_rc'] == 0, res
    ids = {'system-id': node['system_id'], 'ovn-bridge-mappings': node['bridge_mappings'], 'ovn-encap-ip': node['encap_ip'],
           'ovn-encap-type': node['encap_type'], 'ovn-remote': node['ovn_remote'], 'hostname': HOST}
    ovsdb.vsctl('--no-wait', 'set', 'Open_vSwitch', '.', *['external_ids:%s="%s"' % kv for kv in ids.items()])
    ovsdb.vsctl('--no-wait', 'add-br', 'br-int', '--', 'set', 'Bridge', 'br-int', 'datapath_type=netdev')


def drift_of(ovsdb, run_module):
    res = run_module(ovn_state_info, dict(db=ovsdb.db, read=['ovs'], timeout=10))
    assert res['_rc'] == 0 and res['changed'] is False, res
    assert not run_module.writes  # only reads
    return sorted((d['object'], d['field'], str(d['planned']), str(d['actual']))
                  for d in compare(PLAN, {HOST: {'ovs': res['ovs']}}) if d['host'] == HOST), res


def test_node_as_planned_has_no_drift_and_the_module_only_reads(ovsdb, run_module):
    configure_as_planned(ovsdb, run_module)
    before = ovsdb.db_size()
    drift, res = drift_of(ovsdb, run_module)
    assert drift == []
    assert res['ovs']['bridges']['br-business']['ports']['eth0']['trunks'] == [0, 101]
    assert res['ovs']['external_ids']['ovn-encap-ip'] == '10.91.1.14'
    assert ovsdb.db_size() == before


def test_each_manual_change_is_found_and_nothing_else(ovsdb, run_module):
    configure_as_planned(ovsdb, run_module)
    ovsdb.vsctl('--no-wait', 'set', 'Port', 'eth0', 'trunks=0')                                    # VLAN 101 dropped from the trunk
    ovsdb.vsctl('--no-wait', 'set', 'Open_vSwitch', '.', 'external_ids:ovn-encap-ip=10.91.1.99')    # tunnel address changed
    ovsdb.vsctl('--no-wait', 'add-br', 'br-legacy', '--', 'set', 'Bridge', 'br-legacy', 'external_ids:tridc-provider=legacy')
    ovsdb.vsctl('--no-wait', 'del-br', 'br-storage')                                               # provider bridge removed
    drift, _res = drift_of(ovsdb, run_module)
    assert drift == [
        ('Open_vSwitch', 'external_ids:ovn-encap-ip', '10.91.1.14', '10.91.1.99'),
        ('bridge br-legacy', 'present', 'False', 'True'),
        ('bridge br-storage', 'present', 'True', 'False'),
        ('port eth0 on br-business', 'trunks', '[0, 101]', '[0]'),
    ], drift

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tridc.ovn.ovn_state_info (read: raft, nb) against a real clustered Northbound database, fed to the drift audit:
the raft configuration and the switches the collection owns are compared with the plan; a member removed from the
cluster and a switch changed by hand are found."""

from __future__ import annotations

import os

import pytest
from ansible_collections.tridc.ovn.plugins.modules import ovn_state_info, ovn_switches
from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import audit

from .test_ovn_switches import BIZ101, MGMT, nbctl


@pytest.fixture
def nb3(make_cluster, tmp_path):
    cluster = make_cluster('nb', 3, same_port=True)  # ssl:IP:PORT with one port, like the plan
    cluster.bootstrap()
    run_dir = tmp_path / 'run'
    run_dir.mkdir()
    os.symlink(cluster[0].ctl, str(run_dir / 'ovnnb_db.ctl'))  # where ovn-ctl puts it: /var/run/ovn/ovnnb_db.ctl
    return cluster, str(run_dir)


def plan_for(cluster):
    """The slice of a plan the audit reads for one DC whose central members are the test cluster's servers."""
    members = [{'host': 'm%d' % m.index, 'ip': m.ip} for m in cluster.members]
    return {
        'rollout_order': ['dc1'],
        'settings': {'ports': {'nb_raft': cluster[0].port, 'sb_raft': 6644}},
        'dcs': {'dc1': {'az': 'az-dc1', 'central': {'members': members, 'bootstrap': 'm0'}, 'gateways': []}},
        'nodes': {'m%d' % m.index: {'dc': 'dc1', 'central': True, 'managed_ovs': False} for m in cluster.members},
        'ovn': {'switches': {'dc1': [dict(BIZ101, subnet='biz101', vlan='biz101'), dict(MGMT, subnet='mgmt10', vlan='mgmt10')]}},
        'interconnect': {'members': [], 'transit_switches': []},
    }


def read(run_module, cluster, run_dir):
    res = run_module(ovn_state_info, dict(read=['raft', 'nb'], raft_databases=['nb', 'sb'], run_dir=run_dir,
                                          nb_database='unix:' + cluster[0].sock, timeout=10))
    assert res['_rc'] == 0 and res['changed'] is False, res
    return res


def nb_drift(plan, res):
    out = []
    audit._dc_nb(plan, 'dc1', 'm0', res['nb'], out)  # pylint: disable=protected-access
    # the test cluster has no Southbound database: it is given as planned, so only the NB raft is compared
    sb = {'running': True, 'status': 'cluster member',
          'servers': ['ssl:%s:6644' % m['ip'] for m in plan['dcs']['dc1']['central']['members']]}
    audit._node_raft(plan, 'm0', {'nb': res['raft']['nb'], 'sb': sb}, out)  # pylint: disable=protected-access
    return sorted((d['object'], d['field']) for d in out)


def test_raft_and_switches_as_planned_then_drift(nb3, run_module):
    cluster, run_dir = nb3
    plan = plan_for(cluster)
    res = run_module(ovn_switches, dict(database='unix:' + cluster[0].sock, switches=[BIZ101, MGMT]))
    assert res['_rc'] == 0, res
    nbctl(cluster[0], 'set', 'NB_Global', '.', 'name=az-dc1')
    nbctl(cluster[0], 'ls-add', 'kube-ovn-own')  # not the collection's: never reported
    state = read(run_module, cluster, run_dir)
    assert state['raft']['nb']['running'] and state['raft']['nb']['status'] == 'cluster member'
    assert state['raft']['nb']['servers'] == sorted(m.address for m in cluster.members)
    assert state['raft']['sb'] == {'running': False, 'status': None, 'role': None, 'address': None, 'servers': []}
    assert state['nb']['switches']['biz101'] == {'owner': 'tridc.ovn', 'localnet': {'port': 'ln-biz101', 'network_name': 'business', 'tag': 101}}
    assert state['nb']['switches']['mgmt10']['localnet']['tag'] is None
    assert nb_drift(plan, state) == []

    # by hand: the VLAN tag of a localnet port, a switch deleted, the AZ renamed, a member kicked out of the cluster
    nbctl(cluster[0], 'set', 'Logical_Switch_Port', 'ln-biz101', 'tag=999')
    nbctl(cluster[0], 'ls-del', 'mgmt10')
    nbctl(cluster[0], 'set', 'NB_Global', '.', 'name=other')
    cluster[0].appctl('cluster/kick', 'OVN_Northbound', cluster[2].address)
    cluster.wait_leader(cluster.members[:2])
    state = read(run_module, cluster, run_dir)
    assert nb_drift(plan, state) == [('NB raft', 'servers'), ('NB_Global', 'name (AZ)'), ('switch biz101', 'localnet tag'),
                                     ('switch mgmt10', 'present')]

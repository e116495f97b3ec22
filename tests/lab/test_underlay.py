# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The underlay on the converged lab: site.yml made every VLAN subnet an OVN switch with a localnet port,
and an OVN workload with a fixed IP on it shares the physical VLAN with the legacy VMs (real pings, real ARP).

* the switches of each DC are the plan's (localnet port, VLAN tag, IPAM exclusions);
* a workload on biz101 on a dc1 chassis reaches dc1's legacy VM vm101 at L2 (its neighbour table holds
  the VM's MAC) and the VLAN's gateway on the ToR;
* a workload on biz101 on a dc2 chassis reaches the vm101 of dc1 over the stretched VLAN;
* the workloads join with the collection's modules (tridc.ovn.ovn_port on a central member, tridc.ovn.ovs_bridge
  on the chassis), and ovn_port refuses an address another port holds.
"""

from __future__ import annotations

import json
import time

import pytest
from workloads import plumb, unplumb  # pylint: disable=import-error

# lab/lab.sh: vm101 is 10.101.0.201 in dc1 and 10.101.0.202 in dc2; the ToR answers 10.101.0.1
VM101 = {'dc1': '10.101.0.201', 'dc2': '10.101.0.202'}
GATEWAY = '10.101.0.1'
EXPECTED = {'dc1': ['biz101', 'biz102', 'stor201'], 'dc2': ['biz101', 'stor201'], 'dc3': ['biz103', 'stor203']}


@pytest.fixture(scope='module')
def converged(lab, node_run):
    res = node_run('dc1-n1', 'ovn-nbctl', '--no-leader-only', '--timeout=10', 'ls-list')
    if res.returncode != 0:
        pytest.fail('the lab is not converged: run playbooks/site.yml first (make lab)')
    return lab


def nbctl(node_run, central, *args):
    res = node_run(central, 'ovn-nbctl', '--no-leader-only', '--timeout=30', *args)
    assert res.returncode == 0, res.stderr
    return res.stdout


@pytest.mark.parametrize('dc', sorted(EXPECTED))
def test_each_dc_has_its_vlan_switches_with_localnet_ports(converged, node_run, dc):
    central = '%s-n1' % dc
    out = nbctl(node_run, central, '--format=json', '--columns=name,external_ids', 'list', 'Logical_Switch')
    table = json.loads(out)
    owned = sorted(row[0] for row in table['data']
                   if ['tridc-owner', 'tridc.ovn'] in row[1][1])
    assert owned == EXPECTED[dc]
    for name in EXPECTED[dc]:
        port = 'ln-' + name
        assert nbctl(node_run, central, 'get', 'Logical_Switch_Port', port, 'type').strip() == 'localnet'
        tag = nbctl(node_run, central, 'get', 'Logical_Switch_Port', port, 'tag').strip()
        assert tag == name[-3:], (name, tag)  # biz101 -> 101, stor203 -> 203
        excludes = nbctl(node_run, central, 'get', 'Logical_Switch', name, 'other_config:exclude_ips').strip().strip('"')
        assert excludes.split()[0] == '10.%s.0.1' % name[-3:]  # the gateway first


def _workload(node_run, ansible, central, host, lsp, mac, ip):
    """A workload joins the plane the way the README says: tridc.ovn.ovn_port writes its port (fixed IP and MAC,
    port security) on a central member, tridc.ovn.ovs_bridge binds its veth to it on the chassis."""
    veth = 'uw-' + lsp[-4:]
    plumb(node_run, host, 'tridc-uw', veth, lsp, mac, ip + '/24', bind=False)
    res = ansible(central, '-m', 'tridc.ovn.ovn_port', '-a', json.dumps(dict(switch='biz101', name=lsp, mac=mac, ip=ip)))
    assert res.returncode == 0, res.stdout + res.stderr
    binding = dict(name='br-int', ports=[dict(name=veth, interface_external_ids={'iface-id': lsp})])
    res = ansible(host, '-m', 'tridc.ovn.ovs_bridge', '-a', json.dumps(binding))
    assert res.returncode == 0, res.stdout + res.stderr
    nbctl(node_run, central, 'wait-until', 'Logical_Switch_Port', lsp, 'up=true')


def _ping(node_run, host, target, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        res = node_run(host, 'ip', 'netns', 'exec', 'tridc-uw', 'ping', '-c', '3', '-W', '2', target)
        if res.returncode == 0:
            return res
        assert time.monotonic() < deadline, 'no ping from %s to %s:\n%s' % (host, target, res.stdout)
        time.sleep(2)


@pytest.mark.parametrize('dc,host,ip,mac', [
    ('dc1', 'dc1-n2', '10.101.0.50', '0a:58:0a:65:00:32'),
    ('dc2', 'dc2-n3', '10.101.0.51', '0a:58:0a:65:00:33'),
])
def test_workload_on_biz101_shares_the_vlan_with_the_legacy_vm(converged, node_run, vm_run, ansible, dc, host, ip, mac):
    central = '%s-n1' % dc
    lsp = 'tridc-test-uw-%s' % dc
    unplumb(node_run, host, 'tridc-uw', 'uw-' + lsp[-4:])
    node_run(central, 'ovn-nbctl', '--no-leader-only', '--if-exists', 'lsp-del', lsp)
    try:
        _workload(node_run, ansible, central, host, lsp, mac, ip)
        # dc1's legacy VM, on the same VLAN (for dc2: over the stretched VLAN between the ToRs)
        res = _ping(node_run, host, VM101['dc1'])
        assert ' 0% packet loss' in res.stdout
        link = vm_run('dc1', 'vm101', 'ip', '-o', 'link', 'show', 'eth0').stdout.split()
        vm_mac = link[link.index('link/ether') + 1] if 'link/ether' in link else ''
        neigh = node_run(host, 'ip', '-n', 'tridc-uw', 'neigh', 'show', VM101['dc1']).stdout
        assert vm_mac and vm_mac in neigh, 'L2: the workload should have the VM MAC %s, has: %s' % (vm_mac, neigh)
        # the VLAN's gateway on the ToR, and the VM sees the workload at L2 too
        assert ' 0% packet loss' in _ping(node_run, host, GATEWAY).stdout
        assert mac in vm_run('dc1', 'vm101', 'ip', 'neigh', 'show', ip).stdout
        # the address checks of ovn_port: the VM's own address is refused for another workload
        res = ansible(central, '-m', 'tridc.ovn.ovn_port', '-a',
                      json.dumps(dict(switch='biz101', name=lsp + 'x', mac='0a:58:0a:65:00:99', ip=ip)))
        assert res.returncode != 0 and 'is already held by port %s' % lsp in ' '.join(res.stdout.split()), res.stdout
    finally:
        unplumb(node_run, host, 'tridc-uw', 'uw-' + lsp[-4:])
        node_run(central, 'ovn-nbctl', '--no-leader-only', '--if-exists', 'lsp-del', lsp)

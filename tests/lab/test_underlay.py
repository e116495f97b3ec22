# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The underlay on the converged lab: site.yml made every VLAN subnet an OVN switch with a localnet port,
and an OVN workload with a fixed IP on it shares the physical VLAN with the legacy VMs (real pings, real ARP).

* the switches of each DC are the plan's (localnet port, VLAN tag, IPAM exclusions);
* a workload on biz101 on a dc1 chassis reaches dc1's legacy VM vm101 at L2 (its neighbour table holds
  the VM's MAC) and the VLAN's gateway on the ToR;
* a workload on biz101 on a dc2 chassis reaches the vm101 of dc2, and that of dc1 over the stretched VLAN: its
  frames cross the ToR-to-ToR trunk tagged 101 (tcpdump on the trunk port);
* a dc3 workload on biz103 reaches vm103; a stor201 workload reaches the storage plane and a business workload
  gets no ARP answer from it (the planes stay apart); a workload moved to another chassis keeps its IP and MAC
  and the VM reaches it again (how soon is printed);
* one workload with two NICs (eth0 on dc1's overlay subnet, eth1 on biz101) reaches at the same time a dc3 overlay
  workload through OVN-IC and vm101 at L2;
* app104's gateway is OVN's (a logical gateway): dc1's router answers it on the VLAN and advertises it over OVN-IC,
  and the legacy VM vm104 reaches dc3 through it (the DC-loss test in test_interconnect moves the gateway to dc2);
* biz101's underlay-to-overlay interconnection (u2o): a biz101 workload and dc1's overlay probe pod reach each other
  through dc1's router at the u2o address, while the ToR stays the VLAN's gateway;
* OVN answers DHCP on a VLAN subnet: a workload gets its fixed address, the gateway and the VLAN's MTU;
* the workloads join with the collection's modules (tridc.ovn.ovn_port on a central member, tridc.ovn.ovs_bridge
  on the chassis), and ovn_port refuses an address another port holds.
"""

from __future__ import annotations

import json
import subprocess
import time

import pytest
from probes import APP104_GATEWAY, APP104_VM, app104_routes  # pylint: disable=import-error
from workloads import join as _workload  # pylint: disable=import-error
from workloads import leave as _clean  # pylint: disable=import-error
from workloads import unplumb  # pylint: disable=import-error

# lab/lab.sh: vm101 is 10.101.0.201 in dc1 and 10.101.0.202 in dc2; the ToR answers 10.101.0.1
VM101 = {'dc1': '10.101.0.201', 'dc2': '10.101.0.202'}
GATEWAY = '10.101.0.1'
EXPECTED = {'dc1': ['app104', 'biz101', 'biz102', 'stor201'], 'dc2': ['app104', 'biz101', 'stor201'], 'dc3': ['biz103', 'stor203']}


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
    # the VLAN switches, and the DC's overlay subnet switch (no localnet port; the gateway excluded from IPAM)
    assert owned == sorted(EXPECTED[dc] + ['pods-%s' % dc]), owned
    assert nbctl(node_run, central, 'lsp-list', 'pods-%s' % dc).count('ln-') == 0
    pods_excludes = nbctl(node_run, central, 'get', 'Logical_Switch', 'pods-%s' % dc, 'other_config:exclude_ips')
    assert pods_excludes.strip().strip('"') == '10.210.%s.1' % dc[-1], pods_excludes
    for name in EXPECTED[dc]:
        port = 'ln-' + name
        assert nbctl(node_run, central, 'get', 'Logical_Switch_Port', port, 'type').strip() == 'localnet'
        tag = nbctl(node_run, central, 'get', 'Logical_Switch_Port', port, 'tag').strip()
        assert tag == name[-3:], (name, tag)  # biz101 -> 101, stor203 -> 203
        excludes = nbctl(node_run, central, 'get', 'Logical_Switch', name, 'other_config:exclude_ips').strip().strip('"')
        assert excludes.split()[0] == '10.%s.0.1' % name[-3:]  # the gateway first


def _ping(node_run, host, target, timeout=60, netns='tridc-uw'):
    deadline = time.monotonic() + timeout
    while True:
        res = node_run(host, 'ip', 'netns', 'exec', netns, 'ping', '-c', '3', '-W', '2', target)
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
    _clean(node_run, central, host, lsp)
    try:
        _workload(node_run, ansible, central, host, lsp, mac, ip)
        capture = None
        if dc == 'dc2':
            # the proof that dc2's workload reaches dc1 at L2 over the stretched VLAN: its frames cross the
            # ToR-to-ToR trunk (tor1's port to-tor2) tagged 101 - not a Geneve tunnel, not routed
            capture = subprocess.Popen(['podman', 'exec', 'tridc-tor1', 'timeout', '60', 'tcpdump', '-l', '-e', '-nn',
                                        '-i', 'to-tor2', '-c', '2', 'vlan 101 and icmp and host %s' % ip],
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            time.sleep(2)  # tcpdump is listening
        # dc1's legacy VM, on the same VLAN (for dc2: over the stretched VLAN between the ToRs)
        res = _ping(node_run, host, VM101['dc1'])
        assert ' 0% packet loss' in res.stdout
        if capture is not None:
            frames = capture.communicate(timeout=90)[0]
            assert capture.returncode == 0 and 'vlan 101' in frames and ip in frames, \
                'no frame of %s tagged 101 on the ToR-to-ToR trunk:\n%s' % (ip, frames)
            assert 'Geneve' not in frames and 'ethertype 802.1Q' in frames, frames
            # and its own DC's legacy VM on the same VLAN
            assert ' 0% packet loss' in _ping(node_run, host, VM101['dc2']).stdout
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
        _clean(node_run, central, host, lsp)


def test_dc3_workload_on_biz103_reaches_vm103(converged, node_run, ansible):
    central, host, lsp = 'dc3-n1', 'dc3-n2', 'tridc-test-uw-b103'
    _clean(node_run, central, host, lsp)
    try:
        _workload(node_run, ansible, central, host, lsp, '0a:58:0a:67:00:32', '10.103.0.50', switch='biz103')
        assert ' 0% packet loss' in _ping(node_run, host, '10.103.0.201').stdout  # lab/lab.sh: vm103
    finally:
        _clean(node_run, central, host, lsp)


def test_storage_plane_workload_and_the_planes_stay_apart(converged, node_run, ansible):
    """A stor201 workload reaches the storage plane's peer (the ToR's 10.201.0.1, on eth1/br-storage); a biz101
    workload that ARPs for that storage address on its own segment gets no answer: the planes share no L2."""
    central = 'dc1-n1'
    stor = ('dc1-n3', 'tridc-test-uw-s201', '0a:58:0a:c9:00:32', '10.201.0.50')
    biz = ('dc1-n2', 'tridc-test-uw-bsep', '0a:58:0a:65:00:34', '10.101.0.52')
    for host, lsp, _mac, _ip in (stor, biz):
        _clean(node_run, central, host, lsp)
    try:
        _workload(node_run, ansible, central, stor[0], stor[1], stor[2], stor[3], switch='stor201')
        assert ' 0% packet loss' in _ping(node_run, stor[0], '10.201.0.1').stdout
        _workload(node_run, ansible, central, biz[0], biz[1], biz[2], biz[3], switch='biz101')
        # the storage address, on the business workload's own link: it must ARP for it on biz101
        node_run(biz[0], 'ip', '-n', 'tridc-uw', 'route', 'add', '10.201.0.0/24', 'dev', 'eth0', check=True)
        res = node_run(biz[0], 'ip', 'netns', 'exec', 'tridc-uw', 'ping', '-c', '3', '-W', '1', '10.201.0.1')
        assert res.returncode != 0, 'a business workload reached the storage plane:\n' + res.stdout
        neigh = node_run(biz[0], 'ip', '-n', 'tridc-uw', 'neigh', 'show', '10.201.0.1').stdout
        assert 'lladdr' not in neigh, 'a storage address answered ARP on the business plane: ' + neigh
    finally:
        for host, lsp, _mac, _ip in (stor, biz):
            _clean(node_run, central, host, lsp)


def test_workload_moved_to_another_chassis_keeps_its_address(converged, node_run, vm_run, ansible):
    """The workload (same port, IP and MAC) leaves dc1-n2 and comes up on dc1-n3: the legacy VM reaches it again.
    Prints how soon (from the bind on the new chassis to the first answered ping)."""
    central, lsp, mac, ip = 'dc1-n1', 'tridc-test-uw-move', '0a:58:0a:65:00:35', '10.101.0.53'
    for host in ('dc1-n2', 'dc1-n3'):
        _clean(node_run, central, host, lsp)
    try:
        _workload(node_run, ansible, central, 'dc1-n2', lsp, mac, ip)
        assert ' 0% packet loss' in _ping(node_run, 'dc1-n2', VM101['dc1']).stdout
        unplumb(node_run, 'dc1-n2', 'tridc-uw', 'uw-' + lsp[-4:])
        start = time.monotonic()
        _workload(node_run, ansible, central, 'dc1-n3', lsp, mac, ip)  # ovn_port: unchanged; the binding moves
        bound = time.monotonic()
        # a migrated VM announces itself (the hypervisor's RARP/GARP); here one ping from the workload does it, so the
        # ToR learns the MAC on its new port; from then on the VM reaches it
        while node_run('dc1-n3', 'ip', 'netns', 'exec', 'tridc-uw', 'ping', '-c', '1', '-W', '1', VM101['dc1']).returncode != 0:
            assert time.monotonic() - start < 60, 'the moved workload does not reach the VM'
            time.sleep(0.1)
        answered = time.monotonic()
        res = vm_run('dc1', 'vm101', 'ping', '-c', '3', '-W', '1', ip)
        assert res.returncode == 0, 'the VM does not reach the moved workload:\n' + res.stdout
        print('workload moved dc1-n2 -> dc1-n3: bound (ovn_port + ovs_bridge) in %.1f s, L2 with the VM %.1f s after the bind'
              % (bound - start, answered - bound))
    finally:
        for host in ('dc1-n2', 'dc1-n3'):
            _clean(node_run, central, host, lsp)


def test_multi_nic_workload_on_overlay_and_underlay_at_once(converged, node_run, vm_run, ansible):
    """One workload, two NICs: eth0 on dc1's overlay subnet (pods-dc1, routed by the DC router, over OVN-IC to the
    other DCs), eth1 on biz101 (the physical VLAN). At the same time it reaches an overlay workload in dc3 through
    OVN-IC and dc1's legacy VM vm101 at L2 (the VM's MAC in its neighbour table, on eth1)."""
    host, netns = 'dc1-n2', 'tridc-mn'
    ovl = ('tridc-test-mn-ovl', '0a:58:0a:d2:01:3c', '10.210.1.60')
    biz = ('tridc-test-mn-biz', '0a:58:0a:65:00:37', '10.101.0.55')
    peer = ('dc3-n1', 'dc3-n2', 'tridc-test-mn-dc3', '0a:58:0a:d2:03:3c', '10.210.3.60')

    def clean():
        unplumb(node_run, host, netns, 'uw-' + ovl[0][-4:], 'uw-' + biz[0][-4:])
        unplumb(node_run, peer[1], netns, 'uw-' + peer[2][-4:])
        for central, lsp in (('dc1-n1', ovl[0]), ('dc1-n1', biz[0]), (peer[0], peer[2])):
            node_run(central, 'ovn-nbctl', '--no-leader-only', '--if-exists', 'lsp-del', lsp)

    clean()
    try:
        _workload(node_run, ansible, 'dc1-n1', host, ovl[0], ovl[1], ovl[2], switch='pods-dc1', netns=netns)
        _workload(node_run, ansible, 'dc1-n1', host, biz[0], biz[1], biz[2], switch='biz101', netns=netns, ifname='eth1')
        node_run(host, 'ip', '-n', netns, 'route', 'add', 'default', 'via', '10.210.1.1', 'dev', 'eth0', check=True)
        _workload(node_run, ansible, peer[0], peer[1], peer[2], peer[3], peer[4], switch='pods-dc3', netns=netns)
        node_run(peer[1], 'ip', '-n', netns, 'route', 'add', 'default', 'via', '10.210.3.1', 'dev', 'eth0', check=True)
        _ping(node_run, host, peer[4], netns=netns)  # the IC routes are there (and ARP is resolved)
        # both at the same time: one ping run per NIC, started together
        both = [subprocess.Popen(['podman', 'exec', 'tridc-' + host, 'ip', 'netns', 'exec', netns, 'ping', '-c', '10',
                                  '-i', '0.2', '-W', '2', target], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                for target in (peer[4], VM101['dc1'])]
        outs = [p.communicate(timeout=60)[0] for p in both]
        for proc, out, what in zip(both, outs, ('the dc3 overlay workload over OVN-IC', 'vm101 at L2')):
            assert proc.returncode == 0 and ' 0% packet loss' in out, 'multi-NIC workload to %s:\n%s' % (what, out)
        link = vm_run('dc1', 'vm101', 'ip', '-o', 'link', 'show', 'eth0').stdout.split()
        vm_mac = link[link.index('link/ether') + 1]
        neigh = node_run(host, 'ip', '-n', netns, 'neigh', 'show', VM101['dc1']).stdout
        assert vm_mac in neigh and 'dev eth1' in neigh, neigh
        route = node_run(host, 'ip', '-n', netns, 'route', 'get', peer[4]).stdout
        assert 'dev eth0' in route and 'via 10.210.1.1' in route, route
    finally:
        clean()


def test_logical_gateway_answers_on_the_vlan_and_the_other_dcs_route_to_it(converged, node_run, vm_run, probes):
    """app104 is a stretched VLAN (dc1 + dc2) whose gateway is OVN: dc1's router answers 10.104.0.1 from one of dc1's
    gateway chassis (a distributed gateway port), dc2's router has no port on it. dc1 advertises the subnet over
    OVN-IC, dc2 and dc3 learn it from dc1. The legacy VM vm104 resolves its gateway to the plan's MAC and reaches dc3's
    probe pod through it; dc3's probe pod reaches vm104."""
    assert 'lrp-dc1-app104' in nbctl(node_run, 'dc1-n1', 'lrp-list', 'lr-dc1')
    assert 'app104' not in nbctl(node_run, 'dc2-n1', 'lrp-list', 'lr-dc2')
    gws = nbctl(node_run, 'dc1-n1', 'lrp-get-gateway-chassis', 'lrp-dc1-app104').split()
    assert gws == ['lrp-dc1-app104-dc1-n2', '20', 'lrp-dc1-app104-dc1-n3', '10'], gws
    for dc in ('dc2', 'dc3'):
        deadline = time.monotonic() + 60
        while app104_routes(node_run, dc) != [('10.104.0.0/24', '169.254.100.1', 'learned')]:
            assert time.monotonic() < deadline, '%s does not learn app104 from dc1: %s' % (dc, app104_routes(node_run, dc))
            time.sleep(2)
    res = vm_run(1, 'vm104', 'ping', '-c', '3', '-W', '2', APP104_GATEWAY)
    assert res.returncode == 0, 'vm104 does not reach its (OVN) gateway:\n' + res.stdout
    mac = nbctl(node_run, 'dc1-n1', 'get', 'Logical_Router_Port', 'lrp-dc1-app104', 'mac').strip().strip('"')
    assert mac in vm_run(1, 'vm104', 'ip', 'neigh', 'show', APP104_GATEWAY).stdout
    deadline = time.monotonic() + 60
    while True:
        res = vm_run(1, 'vm104', 'ping', '-c', '3', '-W', '2', '10.210.3.254')  # dc3's probe pod (probes.py)
        if res.returncode == 0:
            break
        assert time.monotonic() < deadline, 'vm104 does not reach dc3 through its logical gateway:\n' + res.stdout
        time.sleep(2)
    res = node_run('dc3-n1', 'ip', 'netns', 'exec', 'tridc-probe', 'ping', '-c', '3', '-W', '2', APP104_VM)
    assert res.returncode == 0, "dc3's probe pod does not reach vm104:\n" + res.stdout


def test_u2o_underlay_workload_and_overlay_pod_talk_through_the_dc_router(converged, node_run, ansible, probes):
    """biz101 has an underlay-to-overlay interconnection: the ToR keeps the gateway, dc1's router sits on VLAN 101 at
    the u2o address 10.101.0.2 (a distributed gateway port on dc1's gateway chassis). A workload on biz101 that routes
    dc1's overlay subnet through that address reaches dc1's probe pod (pods-dc1), and the probe pod reaches it through
    the DC router, without the fabric."""
    assert nbctl(node_run, 'dc1-n1', 'get', 'Logical_Router_Port', 'lrp-dc1-biz101', 'networks').strip() == '["10.101.0.2/24"]'
    assert 'biz101' not in nbctl(node_run, 'dc2-n1', 'lrp-list', 'lr-dc2')
    central, host, lsp, mac, ip = 'dc1-n1', 'dc1-n3', 'tridc-test-uw-u2o1', '0a:58:0a:65:00:38', '10.101.0.56'
    _clean(node_run, central, host, lsp)
    try:
        _workload(node_run, ansible, central, host, lsp, mac, ip, switch='biz101')
        node_run(host, 'ip', '-n', 'tridc-uw', 'route', 'add', '10.210.1.0/24', 'via', '10.101.0.2', check=True)
        assert ' 0% packet loss' in _ping(node_run, host, '10.210.1.254').stdout  # dc1's probe pod (probes.py)
        res = node_run('dc1-n1', 'ip', 'netns', 'exec', 'tridc-probe', 'ping', '-c', '3', '-W', '2', ip)
        assert res.returncode == 0, "dc1's probe pod does not reach the biz101 workload through the u2o port:\n" + res.stdout
    finally:
        _clean(node_run, central, host, lsp)


# A DHCP client for the test (the node image has none): a DHCPREQUEST in the renewing state (RFC 2131 4.3.2: ciaddr =
# the workload's address, unicast to the server identifier), sent from the workload's namespace; prints what OVN acks.
DHCP_CLIENT = r'''
import json, socket, struct, sys
ip, mac, server = sys.argv[1:4]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 68))
s.settimeout(2)
chaddr = bytes.fromhex(mac.replace(":", "")) + bytes(10)
msg = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, 0x74726964, 0, 0, socket.inet_aton(ip), bytes(4), bytes(4),
                  bytes(4), chaddr, b"", b"") + bytes([99, 130, 83, 99, 53, 1, 3, 55, 3, 1, 3, 26, 255])
data = None
for _ in range(5):
    s.sendto(msg, (server, 67))
    try:
        data = s.recv(2048)
        break
    except socket.timeout:
        continue
if data is None:
    sys.exit("no DHCP answer")
opts, i, raw = {}, 240, data
while i < len(raw) and raw[i] != 255:
    if raw[i] == 0:
        i += 1
        continue
    opts[raw[i]] = raw[i + 2:i + 2 + raw[i + 1]]
    i += 2 + raw[i + 1]
print(json.dumps({"yiaddr": socket.inet_ntoa(raw[16:20]), "type": opts.get(53, b"\0")[0],
                  "router": socket.inet_ntoa(opts[3][:4]) if 3 in opts else None,
                  "mtu": struct.unpack("!H", opts[26])[0] if 26 in opts else None}))
'''


def test_dhcp_hands_a_workload_its_fixed_address_gateway_and_the_vlan_mtu(converged, node_run, ansible):
    """OVN answers DHCP on a VLAN subnet (ovn_switches' DHCP answer, ovn_port points the port at it): a biz101 workload
    asks and gets its fixed address, the VLAN's gateway and the provider network's MTU (1500 in the lab)."""
    central, host, lsp, mac, ip = 'dc1-n1', 'dc1-n2', 'tridc-test-uw-dhcp', '0a:58:0a:65:00:39', '10.101.0.57'
    _clean(node_run, central, host, lsp)
    try:
        _workload(node_run, ansible, central, host, lsp, mac, ip, switch='biz101')
        assert nbctl(node_run, central, 'lsp-get-dhcpv4-options', lsp).strip(), 'the port has no DHCP answer'
        res = node_run(host, 'ip', 'netns', 'exec', 'tridc-uw', 'python3', '-c', DHCP_CLIENT, ip, mac, '10.101.0.1')
        assert res.returncode == 0, res.stdout + res.stderr
        ack = json.loads(res.stdout)
        assert ack == {'yiaddr': ip, 'type': 5, 'router': '10.101.0.1', 'mtu': 1500}, ack  # 5 = DHCPACK
    finally:
        _clean(node_run, central, host, lsp)

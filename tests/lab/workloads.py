# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test workloads on the lab's chassis: a network namespace with a veth into br-int, bound to a logical
switch port (external_ids:iface-id), as a VM's tap or a container's veth is. The logical port itself is
written by the test (tridc.ovn.ovn_port, or ovn-nbctl for a test switch); this helper only plumbs the node side."""

from __future__ import annotations

import json


def plumb(node_run, host, netns, veth, lsp, mac, cidr_ip, bind=True, ifname='eth0'):
    """Create ``netns`` on ``host`` (unless it exists) with ``ifname`` (``mac``, ``cidr_ip``) whose peer ``veth`` is on
    br-int as ``lsp`` (``bind=False``: the caller binds ``veth`` to ``lsp`` itself, for example with
    tridc.ovn.ovs_bridge). Called twice with two ifnames, it makes a workload with two NICs."""
    steps = [] if node_run(host, 'ip', 'netns', 'pids', netns).returncode == 0 else [['ip', 'netns', 'add', netns]]
    steps += [
        ['ip', 'link', 'add', veth, 'type', 'veth', 'peer', 'name', ifname, 'netns', netns],
        ['ip', '-n', netns, 'link', 'set', ifname, 'address', mac],
        ['ip', '-n', netns, 'addr', 'add', cidr_ip, 'dev', ifname],
        ['ip', '-n', netns, 'link', 'set', ifname, 'up'],
        ['ip', 'link', 'set', veth, 'up'],
        # the lab's veths have no working TX checksum offload (README, lab facts)
        ['ethtool', '-K', veth, 'tx', 'off'],
        ['ip', 'netns', 'exec', netns, 'ethtool', '-K', ifname, 'tx', 'off']]
    if bind:
        steps.append(['ovs-vsctl', '--timeout=30', 'add-port', 'br-int', veth, '--', 'set', 'Interface', veth,
                      'external_ids:iface-id=' + lsp])
    for argv in steps:
        res = node_run(host, *argv)
        assert res.returncode == 0, '%s: %s: %s' % (host, ' '.join(argv), res.stderr)


def unplumb(node_run, host, netns, *veths):
    for veth in veths:
        node_run(host, 'ovs-vsctl', '--if-exists', 'del-port', 'br-int', veth)
    node_run(host, 'ip', 'netns', 'del', netns)


def join(node_run, ansible, central, host, lsp, mac, ip, switch='biz101', netns='tridc-uw', ifname='eth0'):
    """A workload joins a plane the way the README says: tridc.ovn.ovn_port writes its port (fixed IP and MAC,
    port security) on a central member, tridc.ovn.ovs_bridge binds its veth (``'uw-' + lsp[-4:]``) to it on the
    chassis; returns once the port is up."""
    veth = 'uw-' + lsp[-4:]
    plumb(node_run, host, netns, veth, lsp, mac, ip + '/24', bind=False, ifname=ifname)
    res = ansible(central, '-m', 'tridc.ovn.ovn_port', '-a', json.dumps(dict(switch=switch, name=lsp, mac=mac, ip=ip)))
    assert res.returncode == 0, res.stdout + res.stderr
    binding = dict(name='br-int', ports=[dict(name=veth, interface_external_ids={'iface-id': lsp})])
    res = ansible(host, '-m', 'tridc.ovn.ovs_bridge', '-a', json.dumps(binding))
    assert res.returncode == 0, res.stdout + res.stderr
    res = node_run(central, 'ovn-nbctl', '--no-leader-only', '--timeout=30', 'wait-until', 'Logical_Switch_Port', lsp,
                   'up=true')
    assert res.returncode == 0, res.stderr


def leave(node_run, central, host, lsp, netns='tridc-uw'):
    """Undo :func:`join`: the veth and the namespace on the chassis, the logical port on the central member."""
    unplumb(node_run, host, netns, 'uw-' + lsp[-4:])
    node_run(central, 'ovn-nbctl', '--no-leader-only', '--if-exists', 'lsp-del', lsp)

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test workloads on the lab's chassis: a network namespace with a veth into br-int, bound to a logical
switch port (external_ids:iface-id), as a VM's tap or a container's veth is. The logical port itself is
written by the test (ovn-nbctl on a central member); this helper only plumbs the node side."""

from __future__ import annotations


def plumb(node_run, host, netns, veth, lsp, mac, cidr_ip):
    """Create ``netns`` on ``host`` with eth0 (``mac``, ``cidr_ip``) whose peer ``veth`` is on br-int as ``lsp``."""
    for argv in (
            ['ip', 'netns', 'add', netns],
            ['ip', 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns],
            ['ip', '-n', netns, 'link', 'set', 'eth0', 'address', mac],
            ['ip', '-n', netns, 'addr', 'add', cidr_ip, 'dev', 'eth0'],
            ['ip', '-n', netns, 'link', 'set', 'eth0', 'up'],
            ['ip', 'link', 'set', veth, 'up'],
            # the lab's veths have no working TX checksum offload (README, lab facts)
            ['ethtool', '-K', veth, 'tx', 'off'],
            ['ip', 'netns', 'exec', netns, 'ethtool', '-K', 'eth0', 'tx', 'off'],
            ['ovs-vsctl', '--timeout=30', 'add-port', 'br-int', veth, '--', 'set', 'Interface', veth,
             'external_ids:iface-id=' + lsp]):
        res = node_run(host, *argv)
        assert res.returncode == 0, '%s: %s: %s' % (host, ' '.join(argv), res.stderr)


def unplumb(node_run, host, netns, veth):
    node_run(host, 'ovs-vsctl', '--if-exists', 'del-port', 'br-int', veth)
    node_run(host, 'ip', 'netns', 'del', netns)

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure parts of roles/ovs/files/tridc_ovs_net.py (its commands run for real in molecule/ovs)."""

from __future__ import annotations

import importlib.util
import os

HELPER = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'roles', 'ovs', 'files', 'tridc_ovs_net.py')


def load():
    spec = importlib.util.spec_from_file_location('tridc_ovs_net', HELPER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_route_argv_keeps_every_attribute():
    net = load()
    route = {'dst': 'default', 'gateway': '10.90.1.1', 'metric': 100, 'prefsrc': '10.90.1.11', 'protocol': 'static',
             'scope': 'global', 'onlink': True}
    assert net.route_argv(route, 'br-business') == [
        'ip', '-4', 'route', 'replace', 'default', 'via', '10.90.1.1', 'dev', 'br-business', 'metric', '100',
        'src', '10.90.1.11', 'proto', 'static', 'onlink']
    assert net.route_argv({'dst': '10.0.0.0/8', 'scope': 'link'}, 'eth0') == [
        'ip', '-4', 'route', 'replace', '10.0.0.0/8', 'dev', 'eth0', 'scope', 'link']


def test_merge_routes_later_lists_win_and_order_is_stable():
    net = load()
    saved = [{'dst': 'default', 'gateway': '10.0.0.1'}, {'dst': '10.5.0.0/16', 'gateway': '10.0.0.9'}]
    seen = [{'dst': 'default', 'gateway': '10.0.0.254'}]
    merged = net.merge_routes(saved, seen)
    assert merged == [{'dst': '10.5.0.0/16', 'gateway': '10.0.0.9'}, {'dst': 'default', 'gateway': '10.0.0.254'}]
    assert net.merge_routes(merged, []) == merged


def test_usage_errors():
    net = load()
    assert net.main([]) == 2
    assert net.main(['bogus', 'br0']) == 2
    assert net.main(['apply', 'br0', '--bogus']) == 2


# ------------------------------------------------------------------------------------------------------------------
# The boot command and the saved routes, run for real (security issue, item 7): a network namespace with two veth
# devices standing for the NIC and the bridge's internal port, and the real ovsdb-server of the ovsdb fixture for
# "is the NIC a port of the bridge". The helper runs as a process, with its files under a temporary root.

import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import uuid  # noqa: E402

import pytest  # noqa: E402

from testing_tools import tool  # noqa: E402

NIC, BRIDGE, ADDR, GW = 'tnic0', 'tbr0', '10.77.0.5/24', '10.77.0.1'


class NetNs(object):
    def __init__(self):
        self.ip = tool('ip', 'iproute2')
        self.name = 'tridc-t-' + uuid.uuid4().hex[:8]
        subprocess.run([self.ip, 'netns', 'add', self.name], check=True)

    def run(self, *argv, check=True, env=None):
        return subprocess.run([self.ip, 'netns', 'exec', self.name] + [str(a) for a in argv], capture_output=True,
                              text=True, check=check, env=env, timeout=120)

    def addrs(self, dev):
        out = json.loads(self.run('ip', '-j', '-4', 'addr', 'show', 'dev', dev).stdout or '[]')
        return ['%s/%s' % (a['local'], a['prefixlen']) for link in out for a in link.get('addr_info', [])]

    def routes(self, dev):
        out = json.loads(self.run('ip', '-j', '-4', 'route', 'show', 'dev', dev).stdout or '[]')
        return sorted(r['dst'] for r in out if r.get('protocol') != 'kernel')

    def delete(self):
        subprocess.run([self.ip, 'netns', 'delete', self.name], check=False)


@pytest.fixture
def host(ovsdb, tmp_path):
    """A host whose NIC carries the management address and default route; the bridge exists (OVS and kernel)."""
    ns = NetNs()
    try:
        for dev in (NIC, BRIDGE):
            # veth pairs (the dummy driver may be missing in a container)
            ns.run('ip', 'link', 'add', dev, 'type', 'veth', 'peer', 'name', dev + 'p')
            ns.run('ip', 'link', 'set', dev + 'p', 'up')
            ns.run('ip', 'link', 'set', dev, 'up')
        ns.run('ip', 'addr', 'add', ADDR, 'dev', NIC)
        ns.run('ip', 'route', 'add', 'default', 'via', GW, 'dev', NIC)
        ovsdb.vsctl('--no-wait', 'add-br', BRIDGE)
        conf = tmp_path / 'etc' / 'tridc' / 'ovs-net'
        conf.mkdir(parents=True)
        (conf / (BRIDGE + '.json')).write_text(json.dumps({'bridge': BRIDGE, 'nic': NIC, 'addresses': [ADDR]}))
        ns.env = dict(os.environ, TRIDC_OVS_NET_ROOT=str(tmp_path), OVS_RUNDIR=ovsdb.dir)
        ns.saved = tmp_path / 'var' / 'lib' / 'tridc' / 'ovs-net' / (BRIDGE + '.routes.json')
        ns.helper = lambda *args: ns.run(sys.executable, HELPER, *args, check=False, env=ns.env)
        yield ns
    finally:
        ns.delete()


def test_boot_leaves_the_addresses_on_a_nic_that_is_not_a_port(host):
    """The boot unit is enabled before the migration starts; on a node whose migration never ran or was rolled
    back (the NIC is not a port of the bridge) a boot changes nothing and the unit does not fail."""
    res = host.helper('apply', BRIDGE)
    assert res.returncode == 0, res.stdout + res.stderr
    assert 'stay on %s' % NIC in res.stdout
    assert host.addrs(NIC) == [ADDR] and host.addrs(BRIDGE) == []
    assert host.routes(NIC) == ['default']
    assert not host.saved.exists()


def test_boot_moves_the_addresses_and_saved_routes_follow_the_host(host, ovsdb):
    ovsdb.vsctl('--no-wait', 'add-port', BRIDGE, NIC)
    res = host.helper('apply', BRIDGE)
    assert res.returncode == 0, res.stdout + res.stderr
    assert host.addrs(BRIDGE) == [ADDR] and host.addrs(NIC) == []
    assert host.routes(BRIDGE) == ['default']
    assert [r['dst'] for r in json.loads(host.saved.read_text())] == ['default']
    # an operator adds a route, then deletes it; the saved list follows (what the role and the unit's stop save)
    host.run('ip', 'route', 'add', '10.99.0.0/24', 'via', GW, 'dev', BRIDGE)
    out = json.loads(host.helper('save', BRIDGE).stdout)
    assert out['changed'] is True and sorted(r['dst'] for r in out['routes']) == ['10.99.0.0/24', 'default']
    host.run('ip', 'route', 'del', '10.99.0.0/24')
    out = json.loads(host.helper('save', BRIDGE).stdout)
    assert out['changed'] is True and [r['dst'] for r in out['routes']] == ['default']
    assert json.loads(host.helper('save', BRIDGE).stdout)['changed'] is False
    # reboot: the bridge is empty, the network configuration put the address and default route on the NIC again
    host.run('ip', 'addr', 'flush', 'dev', BRIDGE)
    host.run('ip', 'addr', 'add', ADDR, 'dev', NIC)
    host.run('ip', 'route', 'replace', 'default', 'via', GW, 'dev', NIC)
    res = host.helper('apply', BRIDGE)
    assert res.returncode == 0, res.stdout + res.stderr
    assert host.addrs(BRIDGE) == [ADDR] and host.addrs(NIC) == []
    assert host.routes(BRIDGE) == ['default'], 'the deleted route came back at boot'


def test_saved_routes_are_not_a_growing_list(host, ovsdb):
    """Before: every apply merged the saved list with what the NIC had, and wrote it back (it only grew)."""
    host.saved.parent.mkdir(parents=True, exist_ok=True)
    host.saved.write_text(json.dumps([{'dst': '10.98.0.0/24', 'gateway': GW}, {'dst': 'default', 'gateway': GW}]))
    ovsdb.vsctl('--no-wait', 'add-port', BRIDGE, NIC)
    assert host.helper('apply', BRIDGE).returncode == 0
    # the boot restored the saved route once; the operator deletes it for good
    host.run('ip', 'route', 'del', '10.98.0.0/24')
    host.helper('save', BRIDGE)
    assert [r['dst'] for r in json.loads(host.saved.read_text())] == ['default']


def test_save_does_nothing_before_the_migration(host):
    out = json.loads(host.helper('save', BRIDGE).stdout)
    assert out['changed'] is False and not host.saved.exists()


def test_routes_another_unit_owns_are_not_saved(host, ovsdb):
    """The IC gateways' underlay routes (tridc-ic-underlay.service, protocol 201) are that unit's: saving the bridge's
    routes after the interconnect phase changes nothing (before: the run after a fresh node's first run saved them
    once, changed=1 on every IC gateway)."""
    ovsdb.vsctl('--no-wait', 'add-port', BRIDGE, NIC)
    assert host.helper('apply', BRIDGE).returncode == 0
    assert json.loads(host.helper('save', BRIDGE).stdout)['changed'] is False
    host.run('ip', 'route', 'replace', '10.96.0.0/24', 'via', GW, 'dev', BRIDGE, 'proto', load().OWNED_ELSEWHERE_PROTOCOL)
    out = json.loads(host.helper('save', BRIDGE).stdout)
    assert out['changed'] is False and [r['dst'] for r in out['routes']] == ['default']
    assert '10.96.0.0/24' in host.routes(BRIDGE)


def test_the_interconnect_unit_marks_its_routes_with_the_protocol_the_helper_leaves_out():
    roles = os.path.join(os.path.dirname(HELPER), '..', '..')
    unit = open(os.path.join(roles, 'interconnect', 'templates', 'tridc-ic-underlay.service.j2')).read()
    task = open(os.path.join(roles, 'interconnect', 'tasks', 'underlay.yml')).read()
    variables = open(os.path.join(roles, 'interconnect', 'vars', 'main.yml')).read()
    proto = load().OWNED_ELSEWHERE_PROTOCOL
    assert 'interconnect_route_protocol: "%s"\n' % proto in variables
    assert ' proto {{ interconnect_route_protocol }}\n' in unit
    assert 'proto, "{{ interconnect_route_protocol }}"]' in task
    # the routes already in place are read with that protocol only (ip route show proto ...)
    assert 'argv: [ip, -j, -4, route, show, proto, "{{ interconnect_route_protocol }}"]' in task

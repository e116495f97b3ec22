#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: K bridges x P ports with tridc.ovn.ovs_bridge vs one ovs-vsctl per item.

Runs on a throw-away systemd container (image localhost/tridc-node:bookworm, label tridc.dev=ovs)
reached by ssh over a veth pair, like a lab node. Open vSwitch is installed from the lab mirror
(lab/.cache/mirror, mounted read-only). A wrapper /usr/local/bin/ovs-vsctl in the container counts
every ovs-vsctl process that either approach starts (both find it first in PATH).

  A  "module":   one tridc.ovn.ovs_bridge task per bridge (all its ports in one transaction)
  B  "per item": one ansible.builtin.command task per bridge and per port, one ovs-vsctl each

Each approach runs twice on an empty database: first (create everything) and again (nothing to do).
Prints wall seconds and ovs-vsctl invocations per node, and the ratios B/A.

  .venv/bin/python bench/ovs_apply.py [-k 4] [-p 25] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMAGE = os.environ.get('TRIDC_BENCH_IMAGE', 'localhost/tridc-node:bookworm')
NAME = 'tridc-bench-ovs'
HOST_IF = 'tbench-ovs-e0'
HOST_IP = '10.97.9.1'
NODE_IP = '10.97.9.11'
COUNTER = '/run/ovs-vsctl.count'
WRAPPER = '#!/bin/sh\necho x >> %s\nexec /usr/bin/ovs-vsctl "$@"\n' % COUNTER


def sh(argv, check=True, capture=True):
    proc = subprocess.run(argv, check=False, universal_newlines=True,
                          stdout=subprocess.PIPE if capture else None, stderr=subprocess.PIPE if capture else None)
    if check and proc.returncode != 0:
        raise SystemExit('%s failed (rc=%d): %s' % (' '.join(argv), proc.returncode, (proc.stderr or '').strip()))
    return proc


def node(*argv, check=True):
    return sh(['podman', 'exec', NAME] + list(argv), check=check)


def create(workdir):
    mirror = os.path.join(ROOT, 'lab', '.cache', 'mirror')
    if not os.path.exists(os.path.join(mirror, 'Packages.gz')):
        raise SystemExit('no package mirror in %s (run lab/build-images.sh)' % mirror)
    sh(['podman', 'image', 'exists', IMAGE])
    sh(['podman', 'run', '--detach', '--replace', '--name=' + NAME, '--hostname=bench', '--systemd=always',
        '--network=none', '--cap-add=NET_ADMIN,NET_RAW,SYS_ADMIN,SYS_NICE', '--device=/dev/net/tun',
        '--volume=%s:/srv/tridc-mirror:ro' % mirror, '--label=tridc.dev=ovs', IMAGE])
    pid = sh(['podman', 'inspect', '--format', '{{.State.Pid}}', NAME]).stdout.strip()
    if sh(['ip', 'link', 'show', HOST_IF], check=False).returncode == 0:
        sh(['ip', 'link', 'del', HOST_IF])
    sh(['ip', 'link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pid])
    for argv in (['ethtool', '-K', HOST_IF, 'tx', 'off'], ['ip', 'addr', 'add', HOST_IP + '/24', 'dev', HOST_IF],
                 ['ip', 'link', 'set', HOST_IF, 'up']):
        sh(argv)
    ns = ['nsenter', '-t', pid, '-n', '--']
    for argv in (['ethtool', '-K', 'eth0', 'tx', 'off'], ['ip', 'addr', 'add', NODE_IP + '/24', 'dev', 'eth0'],
                 ['ip', 'link', 'set', 'eth0', 'up'], ['ip', 'link', 'set', 'lo', 'up']):
        sh(ns + argv)
    for dummy in range(100):
        state = node('systemctl', 'is-system-running', check=False).stdout.strip()
        if state in ('running', 'degraded'):
            break
        time.sleep(0.2)
    key = os.path.join(workdir, 'id_ed25519')
    sh(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', key])
    sh(['podman', 'cp', key + '.pub', NAME + ':/root/.ssh/authorized_keys'])
    node('systemctl', 'start', 'ssh')
    source = os.path.join(workdir, 'mirror.list')
    with open(source, 'w') as handle:
        handle.write('deb [trusted=yes] file:/srv/tridc-mirror ./\n')
    sh(['podman', 'cp', source, NAME + ':/etc/apt/sources.list.d/tridc-bench.list'])
    node('apt-get', 'update', '-qq')
    node('env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', 'openvswitch-switch')
    node('systemctl', 'start', 'openvswitch-switch')
    wrapper = os.path.join(workdir, 'ovs-vsctl')
    with open(wrapper, 'w') as handle:
        handle.write(WRAPPER)
    os.chmod(wrapper, 0o755)
    sh(['podman', 'cp', wrapper, NAME + ':/usr/local/bin/ovs-vsctl'])
    inventory = os.path.join(workdir, 'hosts.ini')
    with open(inventory, 'w') as handle:
        handle.write('[bench]\nbench ansible_host=%s ansible_user=root ansible_ssh_private_key_file=%s '
                     'ansible_python_interpreter=/usr/bin/python3\n' % (NODE_IP, key))
    return inventory


def destroy():
    sh(['podman', 'rm', '--force', '--time', '0', '--ignore', NAME], check=False)
    if sh(['ip', 'link', 'show', HOST_IF], check=False).returncode == 0:
        sh(['ip', 'link', 'del', HOST_IF], check=False)


def bridges(k, p):
    return [dict(name='bb%d' % b, ports=[dict(name='bb%d-p%d' % (b, i), type='internal', tag=100 + i) for i in range(p)])
            for b in range(k)]


def playbooks(workdir, k, p):
    data = bridges(k, p)
    module = [dict(name='K bridges x P ports, one ovs_bridge task per bridge', hosts='bench', gather_facts=False,
                   tasks=[{'name': 'Bridge with its ports', 'loop': data, 'loop_control': {'label': '{{ item.name }}'},
                           'tridc.ovn.ovs_bridge': {'name': '{{ item.name }}', 'datapath_type': 'netdev',
                                                    'ports': '{{ item.ports }}'}}])]
    ports = [dict(bridge=b['name'], **port) for b in data for port in b['ports']]
    per_item = [dict(name='K bridges x P ports, one ovs-vsctl per item', hosts='bench', gather_facts=False, tasks=[
        {'name': 'Bridge', 'loop': [b['name'] for b in data], 'changed_when': True,
         'ansible.builtin.command': {'argv': ['ovs-vsctl', '--may-exist', 'add-br', '{{ item }}', '--',
                                              'set', 'Bridge', '{{ item }}', 'datapath_type=netdev']}},
        {'name': 'Port', 'loop': ports, 'loop_control': {'label': '{{ item.name }}'}, 'changed_when': True,
         'ansible.builtin.command': {'argv': ['ovs-vsctl', '--may-exist', 'add-port', '{{ item.bridge }}', '{{ item.name }}',
                                              '--', 'set', 'Interface', '{{ item.name }}', 'type={{ item.type }}',
                                              '--', 'set', 'Port', '{{ item.name }}', 'tag={{ item.tag }}']}},
    ])]
    out = {}
    for name, play in (('module', module), ('per-item', per_item)):
        path = os.path.join(workdir, name + '.yml')
        with open(path, 'w') as handle:
            json.dump(play, handle, indent=1)   # JSON is YAML
        out[name] = path
    return out


def reset_db(k):
    args = []
    for b in range(k):
        args += ['--', '--if-exists', 'del-br', 'bb%d' % b]
    node('/usr/bin/ovs-vsctl', *args)
    node('rm', '-f', COUNTER)


def count():
    proc = node('cat', COUNTER, check=False)
    return len(proc.stdout.split()) if proc.returncode == 0 else 0


def run_playbook(inventory, playbook):
    env = dict(os.environ)
    env.update(ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.build', 'collections'), ANSIBLE_HOST_KEY_CHECKING='False',
               ANSIBLE_PIPELINING='true', ANSIBLE_NOCOLOR='1', ANSIBLE_STDOUT_CALLBACK='ansible.builtin.minimal',
               ANSIBLE_SSH_ARGS='-o ControlMaster=auto -o ControlPersist=120s -o StrictHostKeyChecking=no '
                                '-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR')
    binary = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    start = time.monotonic()
    proc = subprocess.run([binary if os.path.exists(binary) else 'ansible-playbook', '-i', inventory, playbook],
                          env=env, cwd=tempfile.gettempdir(), universal_newlines=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit('%s failed:\n%s\n%s' % (playbook, proc.stdout[-3000:], proc.stderr[-3000:]))
    return wall


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('-k', '--bridges', type=int, default=4)
    parser.add_argument('-p', '--ports', type=int, default=25, help='ports per bridge')
    parser.add_argument('--keep', action='store_true', help='keep the container')
    parser.add_argument('--short', action='store_true', help='1 bridge x 5 ports: proves the benchmark runs, in seconds')
    args = parser.parse_args()
    if args.short:
        args.bridges, args.ports = 1, 5
    link = os.path.join(ROOT, '.build', 'collections', 'ansible_collections', 'tridc', 'ovn')
    if not os.path.exists(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(ROOT, link)
    workdir = tempfile.mkdtemp(prefix='tridc-bench-ovs-')
    results = []
    try:
        t0 = time.monotonic()
        inventory = create(workdir)
        print('node ready in %.1f s (%d bridges x %d ports = %d ports)' % (
            time.monotonic() - t0, args.bridges, args.ports, args.bridges * args.ports))
        books = playbooks(workdir, args.bridges, args.ports)
        for name in ('module', 'per-item'):
            reset_db(args.bridges)
            for run in ('first', 'again'):
                node('rm', '-f', COUNTER)
                wall = run_playbook(inventory, books[name])
                calls = count()
                ports = len(node('/usr/bin/ovs-vsctl', 'list-ports', 'bb0').stdout.split())
                if ports != args.ports:
                    raise SystemExit('%s %s run: bb0 has %d ports, expected %d' % (name, run, ports, args.ports))
                results.append(dict(approach=name, run=run, wall=wall, calls=calls))
                print('%-9s %-6s %7.1f s  %5d ovs-vsctl' % (name, run, wall, calls))
    finally:
        if not args.keep:
            destroy()
        shutil.rmtree(workdir, ignore_errors=True)
    by = dict(((r['approach'], r['run']), r) for r in results)
    print()
    print('| approach | run | wall s | ovs-vsctl per node |')
    print('|---|---|---|---|')
    for r in results:
        print('| %s | %s | %.1f | %d |' % (r['approach'], r['run'], r['wall'], r['calls']))
    for run in ('first', 'again'):
        a, b = by[('module', run)], by[('per-item', run)]
        print('%s run: per-item / module = %.1fx wall time, %.0fx ovs-vsctl invocations' % (
            run, b['wall'] / a['wall'], b['calls'] / max(a['calls'], 1)))


if __name__ == '__main__':
    main()

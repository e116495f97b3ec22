# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures: real OVN raft clusters on this host, with TLS, and an in-process module runner.

Every "member" is a real ``ovsdb-server`` child process serving a clustered OVN database created with
``ovsdb-tool create-cluster`` / ``join-cluster``, talking raft over ``ssl:127.0.0.X:PORT`` with
certificates of a PKI made by ``ovs-pki``.  Nothing is mocked.  When the tools are missing the tests
fail (they are never skipped).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
from testing_tools import ModuleRunner, free_port, stop_process, tool

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
# TRIDC_TEST_SCHEMA_ROOT: a directory holding another OVS/OVN release's usr/share/{ovn,openvswitch}/*.ovsschema (for
# example trixie's .debs unpacked with dpkg-deb -x) to run the same tests against those schemas; default: this host's.
SCHEMA_ROOT = os.environ.get('TRIDC_TEST_SCHEMA_ROOT', '') or '/'


def schema_path(path):
    return os.path.join(SCHEMA_ROOT, path.lstrip('/'))


SCHEMAS = {
    'nb': ('OVN_Northbound', schema_path('/usr/share/ovn/ovn-nb.ovsschema'), 'NB_Global'),
    'sb': ('OVN_Southbound', schema_path('/usr/share/ovn/ovn-sb.ovsschema'), 'SB_Global'),
    'ic_nb': ('OVN_IC_Northbound', schema_path('/usr/share/ovn/ovn-ic-nb.ovsschema'), 'IC_NB_Global'),
    'ic_sb': ('OVN_IC_Southbound', schema_path('/usr/share/ovn/ovn-ic-sb.ovsschema'), 'IC_SB_Global'),
}


def free_port_is(ip, port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((ip, port))
        except OSError:
            return False
        return True


class Pki(object):
    """A CA made with ``ovs-pki init`` and certificates signed by it (CN = name)."""

    def __init__(self, root):
        self.root = root
        self.dir = os.path.join(root, 'pki')
        subprocess.run([tool('ovs-pki'), '-d', self.dir, '-l', os.path.join(root, 'pki.log'), 'init'],
                       check=True, capture_output=True)
        self.cacert = os.path.join(self.dir, 'switchca', 'cacert.pem')
        self.certs = os.path.join(root, 'certs')
        os.makedirs(self.certs)

    def cert(self, name):
        key = os.path.join(self.certs, name + '-privkey.pem')
        crt = os.path.join(self.certs, name + '-cert.pem')
        if not os.path.exists(crt):
            log = os.path.join(self.root, 'pki.log')
            subprocess.run([tool('ovs-pki'), '-u', '-l', log, 'req', name], cwd=self.certs, check=True, capture_output=True)
            subprocess.run([tool('ovs-pki'), '-b', '-d', self.dir, '-l', log, 'sign', name, 'switch'],
                           cwd=self.certs, check=True, capture_output=True)
        return key, crt, self.cacert


@pytest.fixture(scope='session')
def pki():
    root = tempfile.mkdtemp(prefix='tridc-pki-', dir='/tmp')
    try:
        yield Pki(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


class Member(object):
    """One ovsdb-server member of a test cluster."""

    def __init__(self, cluster, index, port=None):
        self.cluster = cluster
        self.index = index
        self.ip = '127.0.0.%d' % (11 + index)
        self.port = port or free_port(self.ip)
        self.address = 'ssl:%s:%d' % (self.ip, self.port)
        base = os.path.join(cluster.dir, 'm%d' % index)
        self.file = base + '.db'
        self.ctl = base + '.ctl'
        self.sock = base + '.sock'
        self.log = base + '.log'
        self.proc = None
        self.key, self.crt, self.cacert = cluster.pki.cert('m%d' % index)

    def create(self, contents=None):
        argv = [tool('ovsdb-tool'), 'create-cluster', self.file, contents or self.cluster.schema, self.address]
        subprocess.run(argv, check=True, capture_output=True)

    def join(self, remotes, cid=None):
        argv = [tool('ovsdb-tool')]
        if cid:
            argv.append('--cid=%s' % cid)
        argv += ['join-cluster', self.file, self.cluster.name, self.address] + list(remotes)
        subprocess.run(argv, check=True, capture_output=True)

    def create_standalone(self):
        subprocess.run([tool('ovsdb-tool'), 'create', self.file, self.cluster.schema], check=True, capture_output=True)

    def start(self, remotes=(), env=None):
        argv = [tool('ovsdb-server'), self.file, '--no-chdir', '-vconsole:off', '--log-file=' + self.log,
                '--unixctl=' + self.ctl, '--remote=punix:' + self.sock,
                '--remote=db:%s,%s,connections' % (self.cluster.name, self.cluster.global_table),
                '--private-key=' + self.key, '--certificate=' + self.crt, '--ca-cert=' + self.cacert]
        argv += ['--remote=%s' % r for r in remotes]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     env=dict(os.environ, **(env or {})))
        deadline = time.monotonic() + 10
        while not (os.path.exists(self.ctl) and os.path.exists(self.sock)):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail('ovsdb-server m%d did not start (rc=%s): %s' % (self.index, self.proc.returncode, self.tail()))
            time.sleep(0.02)

    def stop(self):
        stop_process(self.proc)
        self.proc = None
        for path in (self.ctl, self.sock):
            if os.path.exists(path):
                os.unlink(path)

    def pause(self):
        os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self):
        os.kill(self.proc.pid, signal.SIGCONT)

    def wipe(self):
        """The member is replaced by an empty machine: server gone, database file gone."""
        self.stop()
        if os.path.exists(self.file):
            os.unlink(self.file)

    def tail(self):
        if not os.path.exists(self.log):
            return ''
        with open(self.log) as handle:
            return ''.join(handle.readlines()[-15:])

    def appctl(self, *args):
        proc = subprocess.run([tool('ovs-appctl'), '-T', '10', '-t', self.ctl] + list(args),
                              capture_output=True, text=True, check=False)
        return proc.returncode, proc.stdout, proc.stderr

    def status_text(self):
        return self.appctl('cluster/status', self.cluster.name)[1]


class Cluster(object):
    """A group of members of one clustered database (NB, SB, IC-NB or IC-SB)."""

    def __init__(self, pki, db, size, same_port=False):
        self.pki = pki
        self.db = db
        self.name, self.schema, self.global_table = SCHEMAS[db]
        if not os.path.exists(self.schema):
            pytest.fail('%s is missing (Debian package ovn-common)' % self.schema)
        self.dir = tempfile.mkdtemp(prefix='tridc-raft-', dir='/tmp')
        port = None
        if same_port:
            # one port free on every member address, like a real deployment (ssl:IP:6643 everywhere)
            for dummy in range(50):
                port = free_port('127.0.0.11')
                if all(free_port_is(('127.0.0.%d' % (11 + i)), port) for i in range(size)):
                    break
        self.members = [Member(self, i, port) for i in range(size)]

    def __getitem__(self, index):
        return self.members[index]

    def bootstrap(self, count=None, wait=True, env=None):
        """Create the cluster on member 0 and join members 1..count-1 (all by default). ``env``: member -> extra
        environment of its ovsdb-server."""
        members = self.members[:count or len(self.members)]
        env = env or (lambda member: None)
        members[0].create()
        members[0].start(env=env(members[0]))
        for member in members[1:]:
            member.join([m.address for m in members if m is not member])
            member.start(env=env(member))
        if wait:
            self.wait_healthy(members)
        return members

    def wait_healthy(self, members=None, timeout=30):
        from ansible_collections.tridc.ovn.plugins.module_utils.ovn import parse_cluster_status
        members = members or [m for m in self.members if m.proc is not None]
        deadline = time.monotonic() + timeout
        while True:
            states = [parse_cluster_status(m.status_text()) for m in members]
            if all(s['healthy'] and len(s['servers']) == len(members) for s in states) and \
                    len(set(s['leader'] for s in states)) == 1:
                return states
            if time.monotonic() > deadline:
                pytest.fail('cluster did not become healthy: %s' % json.dumps(states, indent=1)[:3000])
            time.sleep(0.2)

    def wait_leader(self, members, timeout=30):
        from ansible_collections.tridc.ovn.plugins.module_utils.ovn import parse_cluster_status
        deadline = time.monotonic() + timeout
        while True:
            states = [parse_cluster_status(m.status_text()) for m in members]
            if any(s['is_leader'] for s in states) and all(s['leader'] for s in states):
                return states
            if time.monotonic() > deadline:
                pytest.fail('no leader: %s' % json.dumps(states, indent=1)[:3000])
            time.sleep(0.2)

    def destroy(self):
        for member in self.members:
            member.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def make_cluster(pki):
    made = []

    def factory(db='nb', size=3, same_port=False):
        cluster = Cluster(pki, db, size, same_port)
        made.append(cluster)
        return cluster

    yield factory
    for cluster in made:
        cluster.destroy()


@pytest.fixture
def run_module(capsys, monkeypatch):
    return ModuleRunner(capsys, monkeypatch)

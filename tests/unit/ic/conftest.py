# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A real OVN interconnection on this host, and an in-process module runner.

``ic_env`` (module scope) starts, as child processes of the test run:

* the IC Northbound and IC Southbound databases, each a 3-member raft cluster talking raft and
  client traffic over TLS on ``127.0.1.1-3`` (certificates from an ``ovs-pki`` CA);
* three availability zones ``az-dc1..3`` (the lab plan's AZ names), each with its own Northbound and
  Southbound ``ovsdb-server`` (unix sockets), ``ovn-northd`` and ``ovn-ic`` (connected to the IC
  databases over TLS).

Nothing is mocked. When the OVN binaries are missing the tests fail, they are never skipped
(Debian: ``apt-get install ovn-central ovn-ic ovn-ic-db ovn-host``; see scripts/setup.sh).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest
from testing_tools import ModuleRunner, free_port, stop_process, wait_for
from testing_tools import tool as shared_tool

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
# TRIDC_TEST_SCHEMA_ROOT: a directory holding another OVS/OVN release's usr/share/{ovn,openvswitch}/*.ovsschema (for
# example trixie's .debs unpacked with dpkg-deb -x) to run the same tests against those schemas; default: this host's.
SCHEMA_ROOT = os.environ.get('TRIDC_TEST_SCHEMA_ROOT', '') or '/'


def schema_path(path):
    return os.path.join(SCHEMA_ROOT, path.lstrip('/'))


IC = {
    'ic_nb': ('OVN_IC_Northbound', schema_path('/usr/share/ovn/ovn-ic-nb.ovsschema'), 'IC_NB_Global'),
    'ic_sb': ('OVN_IC_Southbound', schema_path('/usr/share/ovn/ovn-ic-sb.ovsschema'), 'IC_SB_Global'),
}
AZ_SCHEMAS = {'nb': schema_path('/usr/share/ovn/ovn-nb.ovsschema'), 'sb': schema_path('/usr/share/ovn/ovn-sb.ovsschema')}
DCS = ('dc1', 'dc2', 'dc3')


def tool(name):
    return shared_tool(name, 'openvswitch-common ovn-common ovn-central ovn-ic ovn-ic-db')


def run(argv, check=True, timeout=60, cwd=None):
    proc = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=timeout, check=False, cwd=cwd)
    if check and proc.returncode != 0:
        pytest.fail('%s failed (rc=%d): %s %s' % (' '.join(str(a) for a in argv), proc.returncode, proc.stdout, proc.stderr))
    return proc


class Env(object):
    """The running interconnection (see the module docstring)."""

    def __init__(self, root):
        self.root = root
        self.procs = {}
        self.pki = os.path.join(root, 'pki')
        run([tool('ovs-pki'), '-d', self.pki, '-l', os.path.join(root, 'pki.log'), 'init'])
        self.cacert = os.path.join(self.pki, 'switchca', 'cacert.pem')
        self.ic = {}
        for db in IC:
            members = []
            for i in range(3):
                ip = '127.0.1.%d' % (i + 1)
                members.append({'ip': ip, 'raft': 'ssl:%s:%d' % (ip, free_port(ip)), 'client_port': free_port(ip),
                                'base': os.path.join(root, '%s%d' % (db, i))})
            self.ic[db] = members
        self.azs = dict((dc, {'name': 'az-' + dc, 'base': os.path.join(root, dc)}) for dc in DCS)

    # -- helpers ---------------------------------------------------------------------------------
    def cert(self, name):
        key = os.path.join(self.root, name + '-privkey.pem')
        crt = os.path.join(self.root, name + '-cert.pem')
        if not os.path.exists(crt):
            log = os.path.join(self.root, 'pki.log')
            run([tool('ovs-pki'), '-u', '-l', log, 'req', name], cwd=self.root)
            run([tool('ovs-pki'), '-b', '-d', self.pki, '-l', log, 'sign', name, 'switch'], cwd=self.root)
        return key, crt

    def ssl(self, name):
        key, crt = self.cert(name)
        return ['--private-key=' + key, '--certificate=' + crt, '--ca-cert=' + self.cacert]

    def ssl_params(self, name='client'):
        key, crt = self.cert(name)
        return {'private_key': key, 'certificate': crt, 'ca_cert': self.cacert}

    def start(self, name, argv, ready):
        log = open(os.path.join(self.root, name + '.out'), 'w')
        self.procs[name] = subprocess.Popen([str(a) for a in argv], stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                            cwd=self.root)
        log.close()
        wait_for(lambda: os.path.exists(ready) or self.procs[name].poll() is not None, 15, what='%s to start' % name)
        if self.procs[name].poll() is not None:
            pytest.fail('%s exited: %s' % (name, self.tail(name)))

    def stop(self, name):
        stop_process(self.procs.pop(name, None))

    def tail(self, name):
        for suffix in ('.log', '.out'):
            path = os.path.join(self.root, name + suffix)
            if os.path.exists(path):
                with open(path) as handle:
                    return ''.join(handle.readlines()[-20:])
        return ''

    # -- the IC databases ------------------------------------------------------------------------
    def ic_remote(self, db):
        return ','.join('ssl:%s:%d' % (m['ip'], m['client_port']) for m in self.ic[db])

    def ic_socket(self, db, index=0):
        return 'unix:' + self.ic[db][index]['base'] + '.sock'

    def start_ic_member(self, db, index):
        name, _schema, _table = IC[db]
        m = self.ic[db][index]
        self.start('%s%d' % (db, index),
                   [tool('ovsdb-server'), m['base'] + '.db', '--no-chdir', '-vconsole:off', '--log-file=' + m['base'] + '.log',
                    '--unixctl=' + m['base'] + '.ctl', '--remote=punix:' + m['base'] + '.sock',
                    '--remote=pssl:%d:%s' % (m['client_port'], m['ip'])] + self.ssl('%s%d' % (db, index)),
                   m['base'] + '.sock')

    def bootstrap_ic(self):
        for db, (name, schema, _table) in IC.items():
            first = self.ic[db][0]
            run([tool('ovsdb-tool'), 'create-cluster', first['base'] + '.db', schema, first['raft']])
            for m in self.ic[db][1:]:
                run([tool('ovsdb-tool'), 'join-cluster', m['base'] + '.db', name, m['raft'], first['raft']])
            for i in range(3):
                self.start_ic_member(db, i)
        for db in IC:
            wait_for(lambda d=db: all(self.ic_status(d, i).get('Role') in ('leader', 'follower') for i in range(3))
                     and any(self.ic_status(d, i).get('Role') == 'leader' for i in range(3)), 30, what='%s leader' % db)
        run([tool('ovn-ic-nbctl'), '--db=' + self.ic_remote('ic_nb')] + self.ssl('client') + ['init'])
        run([tool('ovn-ic-sbctl'), '--db=' + self.ic_remote('ic_sb')] + self.ssl('client') + ['init'])

    def ic_status(self, db, index):
        m = self.ic[db][index]
        proc = run([tool('ovs-appctl'), '-T', '5', '-t', m['base'] + '.ctl', 'cluster/status', IC[db][0]], check=False)
        out = {}
        for line in proc.stdout.splitlines():
            if ':' in line and not line.startswith(' '):
                key, value = line.split(':', 1)
                out[key.strip()] = value.strip()
        return out

    # -- the availability zones ------------------------------------------------------------------
    def nb(self, dc):
        return 'unix:' + self.azs[dc]['base'] + '-nb.sock'

    def sb(self, dc):
        return 'unix:' + self.azs[dc]['base'] + '-sb.sock'

    def start_az(self, dc):
        base = self.azs[dc]['base']
        for db in ('nb', 'sb'):
            if not os.path.exists('%s-%s.db' % (base, db)):
                run([tool('ovsdb-tool'), 'create', '%s-%s.db' % (base, db), AZ_SCHEMAS[db]])
            self.start('%s-%s' % (dc, db), [tool('ovsdb-server'), '%s-%s.db' % (base, db), '--no-chdir', '-vconsole:off',
                                            '--log-file=%s-%s.log' % (base, db), '--unixctl=%s-%s.ctl' % (base, db),
                                            '--remote=punix:%s-%s.sock' % (base, db)], '%s-%s.sock' % (base, db))
        run([tool('ovn-nbctl'), '--db=' + self.nb(dc), 'init'])
        run([tool('ovn-sbctl'), '--db=' + self.sb(dc), 'init'])
        self.start('%s-northd' % dc, [tool('ovn-northd'), '--no-chdir', '-vconsole:off', '--log-file=%s-northd.log' % base,
                                      '--unixctl=%s-northd.ctl' % base, '--ovnnb-db=' + self.nb(dc), '--ovnsb-db=' + self.sb(dc)],
                   '%s-northd.ctl' % base)
        self.start_ovn_ic(dc)

    def start_ovn_ic(self, dc):
        base = self.azs[dc]['base']
        self.start('%s-ic' % dc, [tool('ovn-ic'), '--no-chdir', '-vconsole:off', '--log-file=%s-ic.log' % base,
                                  '--unixctl=%s-ic.ctl' % base, '--ovnnb-db=' + self.nb(dc), '--ovnsb-db=' + self.sb(dc),
                                  '--ic-nb-db=' + self.ic_remote('ic_nb'), '--ic-sb-db=' + self.ic_remote('ic_sb')] + self.ssl('ovn-ic-' + dc),
                   '%s-ic.ctl' % base)

    def stop_ovn_ic(self, dc):
        self.stop('%s-ic' % dc)

    # -- reading ---------------------------------------------------------------------------------
    def nbctl(self, dc, *args):
        return run([tool('ovn-nbctl'), '--db=' + self.nb(dc)] + list(args)).stdout

    def sbctl(self, dc, *args):
        return run([tool('ovn-sbctl'), '--db=' + self.sb(dc)] + list(args)).stdout

    def icsb(self, *args):
        return run([tool('ovn-ic-sbctl'), '--db=' + self.ic_remote('ic_sb')] + self.ssl('client') + list(args)).stdout

    def icnb(self, *args):
        return run([tool('ovn-ic-nbctl'), '--db=' + self.ic_remote('ic_nb')] + self.ssl('client') + list(args)).stdout

    def find_json(self, ctl, table, *conditions):
        """Rows of TABLE (ovn-*ctl --format=json find), as list of {column: value}."""
        out = json.loads(ctl('--format=json', 'find', table, *conditions))
        from ansible_collections.tridc.ovn.plugins.module_utils.ovn_ic import from_ovsdb
        return [dict(zip(out['headings'], (from_ovsdb(v) for v in row))) for row in out['data']]

    def router_routes(self, dc, router):
        """The static routes of a router as dicts (ip_prefix in network form)."""
        from ansible_collections.tridc.ovn.plugins.module_utils.ovn_ic import norm_prefix
        uuids = set(self.nbctl(dc, '--bare', '--columns=static_routes', 'find', 'Logical_Router', 'name=' + router).split())
        rows = self.find_json(lambda *a: self.nbctl(dc, *a), 'Logical_Router_Static_Route')
        return [dict(r, ip_prefix=norm_prefix(r['ip_prefix'])) for r in rows if r['_uuid'] in uuids]

    def learned(self, dc, router):
        """{(prefix, nexthop)} learned by ovn-ic in the router (network form prefixes)."""
        return set((r['ip_prefix'], r['nexthop']) for r in self.router_routes(dc, router) if 'ic-learned-route' in r['external_ids'])

    def settled_learned(self, dc, router, quiet=1.5, timeout=30):
        """learned(), once ovn-ic has stopped changing it for QUIET seconds: what an earlier test changed in the
        advertised routes reaches the other AZs a moment later (a test read it mid-way under load in make test)."""
        deadline = time.monotonic() + timeout
        last, since = self.learned(dc, router), time.monotonic()
        while time.monotonic() - since < quiet and time.monotonic() < deadline:
            time.sleep(0.25)
            now = self.learned(dc, router)
            if now != last:
                last, since = now, time.monotonic()
        return last

    def destroy(self):
        for name in list(self.procs):
            self.stop(name)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope='module')
def ic_env():
    for name in ('ovsdb-server', 'ovsdb-tool', 'ovsdb-client', 'ovn-northd', 'ovn-ic', 'ovn-nbctl', 'ovn-ic-nbctl', 'ovs-pki'):
        tool(name)
    env = Env(tempfile.mkdtemp(prefix='tridc-ic-', dir='/tmp'))
    try:
        env.bootstrap_ic()
        for dc in DCS:
            env.start_az(dc)
        yield env
    finally:
        env.destroy()


class OvnModuleRunner(ModuleRunner):
    """The shared module runner, plus which recorded calls could have changed something."""

    def writes(self):
        """The ovn-*ctl / ovsdb-client calls of the last run that could change something."""
        out = []
        for argv in self.calls:
            name = os.path.basename(argv[0])
            if name.startswith('ovn-') and name.endswith('ctl'):
                out.append(argv)
            elif name == 'ovsdb-client' and '"op": "select"' not in ' '.join(argv):
                out.append(argv)
        return out


@pytest.fixture
def run_module(capsys, monkeypatch):
    return OvnModuleRunner(capsys, monkeypatch)


@pytest.fixture(scope='session')
def lab_plan():
    from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import build_plan
    from inventory_loader import load_inventory
    return build_plan(load_inventory(os.path.join(REPO, 'inventories', 'lab')))

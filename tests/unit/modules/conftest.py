# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures: a real ovsdb-server on a temporary vswitch database, and a module runner.

Nothing is mocked: the modules run their real ``ovs-vsctl`` against a real ``ovsdb-server``.
When the OVS tools are missing the tests FAIL (they are never skipped).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import pytest
from testing_tools import ModuleRunner, stop_process, tool

# TRIDC_TEST_SCHEMA_ROOT: a directory holding another OVS/OVN release's usr/share/{ovn,openvswitch}/*.ovsschema (for
# example trixie's .debs unpacked with dpkg-deb -x) to run the same tests against those schemas; default: this host's.
SCHEMA_ROOT = os.environ.get('TRIDC_TEST_SCHEMA_ROOT', '') or '/'


def schema_path(path):
    return os.path.join(SCHEMA_ROOT, path.lstrip('/'))


SCHEMA = schema_path('/usr/share/openvswitch/vswitch.ovsschema')
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))


def collections_path():
    import ansible_collections  # pylint: disable=import-outside-toplevel
    paths = list(getattr(ansible_collections, '__path__', []))
    return os.pathsep.join(os.path.dirname(p) for p in paths)


def _tool(name):
    return tool(name, 'openvswitch-switch openvswitch-common')


def _decode(value):
    """Tiny independent OVSDB JSON decoder for the assertions."""
    if isinstance(value, list) and len(value) == 2 and value[0] in ('set', 'map', 'uuid'):
        if value[0] == 'set':
            return [_decode(v) for v in value[1]]
        if value[0] == 'map':
            return {k: _decode(v) for k, v in value[1]}
        return value[1]
    return value


class OvsdbServer(object):
    """A running ovsdb-server with a fresh Open_vSwitch database in a temporary directory."""

    def __init__(self):
        self.vsctl_bin = _tool('ovs-vsctl')
        tool = _tool('ovsdb-tool')
        server = _tool('ovsdb-server')
        if not os.path.exists(SCHEMA):
            pytest.fail('%s is missing (package openvswitch-common)' % SCHEMA)
        # short path: unix socket names are limited to ~107 bytes
        self.dir = tempfile.mkdtemp(prefix='tridc-ovsdb-', dir='/tmp')
        self.db_file = os.path.join(self.dir, 'conf.db')
        self.sock = os.path.join(self.dir, 'db.sock')
        self.db = 'unix:' + self.sock
        self.pidfile = os.path.join(self.dir, 'ovsdb-server.pid')
        subprocess.run([tool, 'create', self.db_file, SCHEMA], check=True)
        # a child process (not --detach), so that stop() can reap it
        self.proc = subprocess.Popen([server, self.db_file, '--remote=punix:' + self.sock, '--pidfile=' + self.pidfile,
                                      '--unixctl=' + os.path.join(self.dir, 'ovsdb-server.ctl'),
                                      '--log-file=' + os.path.join(self.dir, 'ovsdb-server.log'),
                                      '--no-chdir', '-vconsole:off'],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # ready when the first transaction (init) succeeds
        deadline = time.monotonic() + 10
        while True:
            init = subprocess.run([self.vsctl_bin, '--db=' + self.db, '--timeout=2', '--no-wait', 'init'],
                                  capture_output=True, text=True, check=False)
            if init.returncode == 0:
                break
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail('ovsdb-server did not start (rc=%s): %s' % (self.proc.returncode, init.stderr))
            time.sleep(0.02)

    def stop(self):
        stop_process(self.proc)
        shutil.rmtree(self.dir, ignore_errors=True)

    def vsctl(self, *args):
        proc = subprocess.run([self.vsctl_bin, '--db=' + self.db, '--timeout=10'] + list(args),
                              check=True, capture_output=True, text=True)
        return proc.stdout

    def rows(self, table, columns=None):
        """All rows of ``table`` as dicts (decoded), keyed by name when there is one."""
        args = ['--format=json', '--data=json']
        if columns:
            args.append('--columns=' + ','.join(columns))
        doc = json.loads(self.vsctl(*(args + ['list', table])))
        rows = [dict(zip(doc['headings'], [_decode(v) for v in data])) for data in doc['data']]
        return rows

    def row(self, table, name):
        matches = [r for r in self.rows(table) if r.get('name') == name]
        return matches[0] if matches else None

    def bridge_ports(self, bridge):
        """Names of the ports of ``bridge`` (ovs-vsctl list-ports: without the local port)."""
        return sorted(self.vsctl('list-ports', bridge).split())

    def db_size(self):
        """The database file only grows when a transaction is committed."""
        return os.path.getsize(self.db_file)


@pytest.fixture
def ovsdb():
    server = OvsdbServer()
    try:
        yield server
    finally:
        server.stop()


class VsctlModuleRunner(ModuleRunner):
    """The shared module runner, plus which recorded ovs-vsctl calls were writes."""

    @property
    def writes(self):
        """Recorded ovs-vsctl invocations that were write transactions (not the JSON read)."""
        return [c for c in self.calls if '--format=json' not in c]


@pytest.fixture
def run_module(capsys, monkeypatch):
    return VsctlModuleRunner(capsys, monkeypatch)


def run_adhoc(module, args, check=False, diff=False):
    """Run the module through ansible itself (AnsiballZ, collection loader) on localhost."""
    env = dict(os.environ)
    env['ANSIBLE_COLLECTIONS_PATH'] = collections_path()
    env['ANSIBLE_LOCALHOST_WARNING'] = 'false'
    env['ANSIBLE_INVENTORY_UNPARSED_WARNING'] = 'false'
    env['ANSIBLE_STDOUT_CALLBACK'] = 'ansible.builtin.minimal'
    env['ANSIBLE_CALLBACK_RESULT_FORMAT'] = 'json'
    env.pop('ANSIBLE_CONFIG', None)   # run in an empty directory: no ansible.cfg applies
    env['ANSIBLE_NOCOLOR'] = 'true'
    ansible = os.path.join(os.path.dirname(sys.executable), 'ansible')
    if not os.path.exists(ansible):
        ansible = shutil.which('ansible')
    cmd = [ansible, 'localhost', '-c', 'local', '-e', 'ansible_python_interpreter=' + sys.executable,
           '-m', 'tridc.ovn.' + module, '-a', json.dumps(args)]
    if check:
        cmd.append('--check')
    if diff:
        cmd.append('--diff')
    with tempfile.TemporaryDirectory() as cwd:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, cwd=cwd)
    assert proc.returncode in (0, 2), proc.stderr + proc.stdout
    # minimal callback: [diff text] then "localhost | CHANGED => {json}"
    marker = re.search(r'^localhost \| [A-Z]+ => ', proc.stdout, re.M)
    assert marker, proc.stdout
    result = json.JSONDecoder().raw_decode(proc.stdout, marker.end())[0]
    result['_stdout'] = proc.stdout
    return result

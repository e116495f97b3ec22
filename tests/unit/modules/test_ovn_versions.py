# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tridc.ovn.ovn_versions through ansible on this host: the real dpkg database and the real apt reading a flat
repository (a directory with a Packages index of our own: apt's candidate logic is what is tested, no package is
installed). The daemons' answers are tested on the lab (tests/lab/test_upgrade.py); here, a daemon that does not run."""

import gzip
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

import pytest

from .conftest import run_adhoc

STANZA = """Package: {name}
Version: {version}
Architecture: all
Maintainer: tridc tests <tests@invalid>
Filename: ./{name}_{version}_all.deb
Size: 1
SHA256: {sha}
Description: test index entry

"""


def installed(name):
    return subprocess.run(['dpkg-query', '-W', '-f', '${Version}', name], capture_output=True, text=True,
                          check=False).stdout.strip() or None


@pytest.fixture
def http_dir(tmp_path):
    """tmp_path served over HTTP on loopback (the lab's mirror is served the same way)."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, '-m', 'http.server', str(port), '--bind', '127.0.0.1', '--directory',
                             str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _attempt in range(100):
        try:
            socket.create_connection(('127.0.0.1', port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield tmp_path, 'http://127.0.0.1:%d/' % port
    proc.terminate()
    proc.wait(timeout=10)


def flat_repo(directory, packages):
    text = ''.join(STANZA.format(name=n, version=v, sha='0' * 64) for n, v in packages)
    (directory / 'Packages').write_text(text)
    (directory / 'Packages.gz').write_bytes(gzip.compress(text.encode()))


def run_failing(module, args):
    """The module through ansible, for a run that fails: its message (run_adhoc reads successful runs only)."""
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK='ansible.builtin.minimal', ANSIBLE_NOCOLOR='true',
               ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
    env.pop('ANSIBLE_CONFIG', None)
    ansible = os.path.join(os.path.dirname(sys.executable), 'ansible')
    with tempfile.TemporaryDirectory() as cwd:
        proc = subprocess.run([ansible, 'localhost', '-c', 'local', '-e', 'ansible_python_interpreter=' + sys.executable,
                               '-m', 'tridc.ovn.' + module, '-a', json.dumps(args)],
                              capture_output=True, text=True, env=env, check=False, cwd=cwd)
    return proc.returncode, proc.stdout + proc.stderr


def lists_state():
    root = '/var/lib/apt/lists'
    return sorted((f, os.stat(os.path.join(root, f)).st_mtime) for f in os.listdir(root)) if os.path.isdir(root) else []


def test_candidates_from_a_source_and_what_would_move_without_touching_apt(http_dir):
    directory, url = http_dir
    flat_repo(directory, [('ovn-common', '99.03.0-1'), ('openvswitch-common', '9.5.0-1')])
    before = lists_state()
    for check in (False, True):
        res = run_adhoc('ovn_versions', {'daemons': ['ovn-ic'], 'source': {'url': url, 'trusted': True}}, check=check)
        assert not res.get('failed') and not res['changed'], res
        assert res['packages']['base-files'] == installed('base-files')
        assert res['packages']['ovn-common'] == installed('ovn-common')
        # offered: the two in the index; base-files is not offered by this source (null, whatever is installed)
        assert res['candidates'] == {'ovn-common': '99.03.0-1', 'openvswitch-common': '9.5.0-1', 'base-files': None}
        assert res['behind'] == ['openvswitch-common', 'ovn-common']
        # no ovn-ic runs on this host: no version, not current, and so not all current
        assert res['daemons']['ovn-ic'] == {'version': None, 'package': 'ovn-common', 'current': False}
        assert res['current'] is False
    assert lists_state() == before  # the host's own package lists are not touched


def test_a_source_that_does_not_answer_is_named_in_the_error(http_dir):
    url = http_dir[1] + 'missing/'
    rc, out = run_failing('ovn_versions', {'source': {'url': url, 'trusted': True}})
    assert rc != 0 and 'cannot read the package source %s' % url in out, out
    assert 'Traceback' not in out, out

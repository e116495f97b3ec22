# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers shared by the unit test packages that run real OVS/OVN processes and modules.

``tests/conftest.py`` puts this directory on ``sys.path`` and makes the collection importable.
Nothing here fakes a tool: a missing binary FAILS the test (never a skip).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time

import pytest


def tool(name, packages='openvswitch-common ovn-common'):
    """The path of the real binary ``name``; fails the test when it is not installed."""
    path = shutil.which(name) or shutil.which(name, path='/usr/sbin:/usr/bin:/sbin:/bin')
    if not path:
        pytest.fail('%s is not installed: these tests need the real tools (Debian: apt-get install %s)'
                    % (name, packages))
    return path


def free_port(ip):
    """A TCP port that is free on ``ip`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((ip, 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout=30, interval=0.2, what='condition'):
    """The first true value of ``predicate()``; fails the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail('timed out after %ss waiting for %s' % (timeout, what))
        time.sleep(interval)


def stop_process(proc):
    """Terminate a child process (SIGKILL after 10 s) and reap it; ``None`` or gone is fine."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class ModuleRunner(object):
    """Runs a module's main() in-process the standard Ansible way (patched module args).

    ``run_command`` is wrapped only to record the argv of each command the module really runs
    (``calls``); the command itself runs unchanged.
    """

    def __init__(self, capsys, monkeypatch):
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        self.calls = []

    def __call__(self, module, args, check=False, diff=False):
        from ansible.module_utils import basic  # pylint: disable=import-outside-toplevel
        from ansible.module_utils.testing import patch_module_args  # pylint: disable=import-outside-toplevel

        calls = self.calls = []
        real = basic.AnsibleModule.run_command

        def recording(mod, argv, *a, **kw):
            calls.append(list(argv))
            return real(mod, argv, *a, **kw)

        self.monkeypatch.setattr(basic.AnsibleModule, 'run_command', recording)
        full = dict(args)
        full['_ansible_check_mode'] = check
        full['_ansible_diff'] = diff
        self.capsys.readouterr()
        try:
            with patch_module_args(full):
                with pytest.raises(SystemExit) as exc:
                    module.main()
        finally:
            self.monkeypatch.setattr(basic.AnsibleModule, 'run_command', real)
        result = json.loads(self.capsys.readouterr().out)
        result['_rc'] = exc.value.code
        return result

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The listener checks of the central and interconnect gates (security issue, item 1), run by ansible-playbook.

The two assert tasks are taken from roles/central/tasks/gate.yml and roles/interconnect/tasks/gate.yml as they
are and run on localhost with `ss -Hltnp` lines given as the registered result (for the central gate, parsed
by tridc.ovn.ovn_listeners_info's own parser, the module the gate reads): the lab's listeners bound to
the management address pass; the same with one wildcard listener (what every OVN listener was before: pssl:PORT
has no address), a listener on another address, or a missing planned listener fail and name it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml
from ansible_collections.tridc.ovn.plugins.modules import ovn_listeners_info

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
PORTS = {'nb': 6641, 'sb': 6642, 'nb_raft': 6643, 'sb_raft': 6644, 'ic_nb': 6645, 'ic_sb': 6646,
         'ic_nb_raft': 6647, 'ic_sb_raft': 6648}
IP = '10.90.1.11'


def ss(*entries):
    """ss -Hltnp lines: (address:port, process)."""
    return ['LISTEN 0      10     %s      0.0.0.0:*    users:(("%s",pid=%d,fd=%d))' % (addr, proc, 100 + i, 20 + i)
            for i, (addr, proc) in enumerate(entries)]


GOOD_CENTRAL = [('%s:%d' % (IP, p), 'ovsdb-server') for p in (6641, 6642, 16642, 6643, 6644)]
GOOD_IC = [('%s:%d' % (IP, p), 'ovsdb-server') for p in (6645, 6646, 6647, 6648)]
SSHD = [('0.0.0.0:22', 'sshd'), ('[::]:22', 'sshd')]


def _task(path, name):
    with open(os.path.join(REPO, path)) as handle:
        for task in yaml.safe_load(handle):
            if task['name'] == name:
                task = dict(task)
                task.pop('when', None)
                return task
    raise AssertionError('%s: no task %r' % (path, name))


def run_gate(tmp_path, role, lines):
    if role == 'central':
        task = _task('roles/central/tasks/gate.yml',
                     'Gate - every OVN listener is on the management address (or loopback), none on a wildcard address')
        role_vars = os.path.join(REPO, 'roles', 'central', 'vars', 'main.yml')
        # the gate reads tridc.ovn.ovn_listeners_info's result: the module's own parser turns the ss lines into it
        listeners = ovn_listeners_info.parse_ss('\n'.join(lines), 'ovsdb-server|ovn-[a-z-]+')
        facts = {'central_gate_listen': {'listeners': listeners, 'endpoints': [x['endpoint'] for x in listeners]},
                 'central_dc': 'dc1', 'central_sb_privileged_port': 16642,
                 'tridc_plan': {'settings': {'ports': PORTS}, 'nodes': {'localhost': {'dc': 'dc1'}},
                                'dcs': {'dc1': {'central': {'members': [{'host': 'localhost', 'ip': IP},
                                                                        {'host': 'dc1-n2', 'ip': '10.90.1.12'}]}}},
                                'interconnect': {'members': [{'host': 'localhost', 'ip': IP}]}}}
    else:
        task = _task('roles/interconnect/tasks/gate.yml',
                     'Gate - the IC listeners are on the management address, no OVN listener is on a wildcard address')
        role_vars = os.path.join(REPO, 'roles', 'interconnect', 'vars', 'main.yml')
        facts = {'interconnect_gate_ss': {'stdout_lines': lines}, 'interconnect_dc': 'dc1',
                 'interconnect_member': {'host': 'localhost', 'ip': IP}, 'interconnect_ip': IP, 'interconnect_ports': PORTS}
    play = [{'name': 'listener gate', 'hosts': 'localhost', 'gather_facts': False, 'vars_files': [role_vars, 'facts.json'],
             'tasks': [task]}]
    (tmp_path / 'facts.json').write_text(json.dumps(facts))
    (tmp_path / 'play.yml').write_text(yaml.safe_dump(play, sort_keys=False))
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_LOCALHOST_WARNING='False',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='False', ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    env.pop('ANSIBLE_CONFIG', None)
    return subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
                           'play.yml'], cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=300, check=False)


def test_central_listeners_on_the_management_address_pass(tmp_path):
    res = run_gate(tmp_path, 'central', ss(*(GOOD_CENTRAL + GOOD_IC + SSHD + [('127.0.0.1:6640', 'ovsdb-server')])))
    assert res.returncode == 0, res.stdout + res.stderr


def test_central_wildcard_listener_fails(tmp_path):
    # before: the Connection rows were pssl:6641, pssl:6642 and pssl:16642 (every interface)
    old = ss(('0.0.0.0:6641', 'ovsdb-server'), ('0.0.0.0:6642', 'ovsdb-server'), ('0.0.0.0:16642', 'ovsdb-server'),
             ('%s:6643' % IP, 'ovsdb-server'), ('%s:6644' % IP, 'ovsdb-server'))
    res = run_gate(tmp_path, 'central', old)
    assert res.returncode != 0
    assert 'wildcard listeners (every interface) 0.0.0.0:6641, 0.0.0.0:6642, 0.0.0.0:16642' in res.stdout, res.stdout
    res = run_gate(tmp_path, 'central', ss(*(GOOD_CENTRAL + [('[::]:6641', 'ovsdb-server')])))
    assert res.returncode != 0 and '[::]:6641' in res.stdout, res.stdout


def test_central_foreign_address_and_missing_listener_fail(tmp_path):
    res = run_gate(tmp_path, 'central', ss(*(GOOD_CENTRAL[1:] + [('10.91.1.11:6641', 'ovsdb-server')])))
    assert res.returncode != 0
    assert 'or loopback: 10.91.1.11;' in res.stdout and 'planned listeners missing: %s:6641' % IP in res.stdout, res.stdout


def test_ic_listeners(tmp_path):
    assert run_gate(tmp_path, 'ic', ss(*(GOOD_IC + SSHD))).returncode == 0
    res = run_gate(tmp_path, 'ic', ss(*(GOOD_IC[2:] + [('*:6645', 'ovsdb-server'), ('0.0.0.0:6646', 'ovsdb-server')])))
    assert res.returncode != 0
    assert 'wildcard listeners (every interface) *:6645, 0.0.0.0:6646' in res.stdout, res.stdout
    missing = res.stdout.split('planned IC listeners missing ', 1)[1].split(' (ss', 1)[0]
    assert sorted(missing.split(', ')) == ['%s:6645' % IP, '%s:6646' % IP], res.stdout

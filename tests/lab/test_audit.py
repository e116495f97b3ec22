# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drift audit on the converged lab (issue 13, part 3): playbooks/audit.yml finds no drift on a converged lab;
after three manual changes, made the way an operator would, it finds each of them and nothing else; it changes
nothing (a rerun finds the same); and after the changes are undone it finds no drift again.

The changes (all harmless to the lab's traffic, and undone in a finally block):
* dc1-n2: VLAN 102 removed from the trunk of eth0 on br-business (ovs-vsctl remove Port eth0 trunks 102);
* dc2-n3: an extra entry in ovn-bridge-mappings (legacy:br-legacy);
* dc3-n1 (dc3's bootstrap central member): the VLAN tag of the localnet port of switch stor203 set to 999.
"""

from __future__ import annotations

import json

import pytest

EXPECTED = {
    ('dc1-n2', 'port eth0 on br-business', 'trunks'),
    ('dc2-n3', 'Open_vSwitch', 'external_ids:ovn-bridge-mappings[legacy]'),
    ('dc3-n1', 'switch stor203', 'localnet tag'),
}


@pytest.fixture(scope='module')
def converged(lab, node_run):
    res = node_run('dc1-n1', 'ovn-nbctl', '--no-leader-only', '--timeout=10', 'ls-list')
    if res.returncode != 0:
        pytest.fail('the lab is not converged: run playbooks/site.yml first (make lab)')
    return lab


def audit(ansible, tmp_path, name):
    out = tmp_path / name
    res = ansible.playbook('playbooks/audit.yml', '-e', 'audit_dir=%s' % out, '-e', 'audit_fail_on_drift=false')
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    recap = [line for line in res.stdout.split('PLAY RECAP')[-1].splitlines() if ' : ok=' in line]
    # read-only on every managed host (only localhost writes audit.md and audit.json)
    assert recap and all('changed=0' in line for line in recap if not line.startswith('localhost')), recap
    drift = json.loads((out / 'audit.json').read_text())
    return {(d['host'], d['object'], d['field']) for d in drift}, drift, res


def ok(res):
    assert res.returncode == 0, res.stdout + res.stderr
    return res.stdout.strip()


def test_audit_finds_each_manual_change_and_nothing_else(converged, node_run, ansible, tmp_path):
    found, drift, _res = audit(ansible, tmp_path, 'before')
    assert found == set(), drift
    mappings = ok(node_run('dc2-n3', 'ovs-vsctl', '--timeout=10', 'get', 'Open_vSwitch', '.', 'external_ids:ovn-bridge-mappings'))
    tag = ok(node_run('dc3-n1', 'ovn-nbctl', '--no-leader-only', '--timeout=10', 'get', 'Logical_Switch_Port', 'ln-stor203', 'tag'))
    trunks = json.loads(ok(node_run('dc1-n2', 'ovs-vsctl', '--timeout=10', '--format=json', '--columns=trunks', 'list', 'Port', 'eth0')))
    cell = trunks['data'][0][0]  # OVSDB JSON: ["set", [...]] for several trunks, the bare integer for one
    trunks = sorted(cell[1]) if isinstance(cell, list) else [cell]
    assert 102 in trunks, trunks
    try:
        ok(node_run('dc1-n2', 'ovs-vsctl', '--timeout=10', 'remove', 'Port', 'eth0', 'trunks', '102'))
        ok(node_run('dc2-n3', 'ovs-vsctl', '--timeout=10', 'set', 'Open_vSwitch', '.',
                    'external_ids:ovn-bridge-mappings="%s,legacy:br-legacy"' % mappings.strip('"')))
        ok(node_run('dc3-n1', 'ovn-nbctl', '--no-leader-only', '--timeout=10', 'set', 'Logical_Switch_Port', 'ln-stor203', 'tag=999'))
        found, drift, res = audit(ansible, tmp_path, 'changed')
        assert found == EXPECTED, drift
        by_key = {(d['host'], d['object'], d['field']): d for d in drift}
        assert by_key[('dc1-n2', 'port eth0 on br-business', 'trunks')]['actual'] == [t for t in trunks if t != 102]
        assert by_key[('dc3-n1', 'switch stor203', 'localnet tag')]['actual'] == 999
        md = (tmp_path / 'changed' / 'audit.md').read_text()
        assert '**3 difference(s)** on 3 host(s)' in md
        # the audit changed nothing: a second run finds the same
        again, _drift, _res = audit(ansible, tmp_path, 'again')
        assert again == EXPECTED
        # with the default audit_fail_on_drift the playbook fails and says why
        res = ansible.playbook('playbooks/audit.yml', '-e', 'audit_dir=%s' % (tmp_path / 'fail'))
        assert res.returncode != 0 and 'drift: 3 difference(s)' in res.stdout
    finally:
        node_run('dc1-n2', 'ovs-vsctl', '--timeout=10', 'add', 'Port', 'eth0', 'trunks', '102')
        node_run('dc2-n3', 'ovs-vsctl', '--timeout=10', 'set', 'Open_vSwitch', '.', 'external_ids:ovn-bridge-mappings=%s' % mappings)
        node_run('dc3-n1', 'ovn-nbctl', '--no-leader-only', '--timeout=10', 'set', 'Logical_Switch_Port', 'ln-stor203', 'tag=%s' % tag)
    found, drift, _res = audit(ansible, tmp_path, 'after')
    assert found == set(), drift

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tridc.ovn.host_files on the real filesystem of the test machine (a temporary directory): what it writes, what a
rerun leaves alone, check mode and diff, validation that refuses a file, and the mode and owner it fixes.

``daemon_reload`` runs ``systemctl daemon-reload``; the test machine has no systemd, so that part is proven where
systemd runs: the lab's site.yml (ovs, central, interconnect phases) and the molecule scenarios."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.tridc.ovn.plugins.modules import host_files

from .conftest import run_adhoc


@pytest.fixture
def run(capsys, monkeypatch):
    from testing_tools import ModuleRunner  # pylint: disable=import-outside-toplevel
    return ModuleRunner(capsys, monkeypatch)


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_writes_directories_and_files_then_a_rerun_changes_nothing(run, tmp_path):
    conf = tmp_path / 'etc' / 'tridc'
    args = dict(directories=[dict(path=str(conf), mode='0700')],
                files=[dict(path=str(conf / 'a.json'), content='{"a": 1}\n'),
                       dict(path=str(tmp_path / 'b.conf'), content='b=2\n', mode='0600')])
    first = run(host_files, args)
    assert first['changed'] is True and first['_rc'] == 0
    assert first['changed_paths'] == [str(conf), str(conf / 'a.json'), str(tmp_path / 'b.conf')]
    assert (conf / 'a.json').read_text() == '{"a": 1}\n' and (tmp_path / 'b.conf').read_text() == 'b=2\n'
    assert mode_of(conf) == 0o700 and mode_of(conf / 'a.json') == 0o644 and mode_of(tmp_path / 'b.conf') == 0o600
    again = run(host_files, args)
    assert again['changed'] is False and again['changed_paths'] == [] and again['daemon_reloaded'] is False
    assert run.calls == []  # nothing to run: the rerun is one read


def test_check_mode_reports_and_writes_nothing_and_diff_shows_each_change(run, tmp_path):
    (tmp_path / 'old.conf').write_text('x=1\n')
    os.chmod(tmp_path / 'old.conf', 0o644)
    args = dict(directories=[dict(path=str(tmp_path / 'new'))],
                files=[dict(path=str(tmp_path / 'old.conf'), content='x=2\n'),
                       dict(path=str(tmp_path / 'new' / 'f'), content='new\n')])
    res = run(host_files, args, check=True, diff=True)
    assert res['changed'] is True
    assert res['changed_paths'] == [str(tmp_path / 'new'), str(tmp_path / 'old.conf'), str(tmp_path / 'new' / 'f')]
    assert (tmp_path / 'old.conf').read_text() == 'x=1\n' and not (tmp_path / 'new').exists()
    diffs = res['diff']
    assert [d['before_header'] for d in diffs] == [str(tmp_path / 'new'), str(tmp_path / 'old.conf'),
                                                   str(tmp_path / 'new' / 'f')]
    assert diffs[0]['before'] == 'absent\n' and diffs[0]['after'].startswith('directory, mode 0755')
    assert (diffs[1]['before'], diffs[1]['after']) == ('x=1\n', 'x=2\n')
    assert (diffs[2]['before'], diffs[2]['after']) == ('', 'new\n')


def test_mode_alone_is_fixed_without_rewriting_the_content(run, tmp_path):
    path = tmp_path / 'f'
    path.write_text('same\n')
    os.chmod(path, 0o666)
    inode = os.stat(path).st_ino
    res = run(host_files, dict(files=[dict(path=str(path), content='same\n', mode='0640')]), diff=True)
    assert res['changed_paths'] == [str(path)] and mode_of(path) == 0o640 and os.stat(path).st_ino == inode
    assert 'mode 0666' in res['diff'][0]['before_header'] and 'mode 0640' in res['diff'][0]['after_header']


def test_validation_refuses_bad_content_and_keeps_the_file(run, tmp_path):
    path = tmp_path / 'numbers'
    path.write_text('1\n')
    # a real validator: grep exits 1 when the new content has no line made of digits only
    check = ['/bin/grep', '-qx', '[0-9]*', '%s']
    bad = run(host_files, dict(files=[dict(path=str(path), content='one\n', validate=check)]))
    assert bad['failed'] is True and 'failed validation' in bad['msg'] and str(path) in bad['msg']
    assert path.read_text() == '1\n' and os.listdir(tmp_path) == ['numbers']  # no temporary file left
    good = run(host_files, dict(files=[dict(path=str(path), content='2\n', validate=check)]))
    assert good['changed'] is True and path.read_text() == '2\n'
    assert [c[:3] for c in run.calls] == [['/bin/grep', '-qx', '[0-9]*']]


def test_refuses_a_file_whose_directory_is_missing_before_writing_anything(run, tmp_path):
    res = run(host_files, dict(files=[dict(path=str(tmp_path / 'ok'), content='1\n'),
                                      dict(path=str(tmp_path / 'no' / 'such'), content='2\n')]))
    assert res['failed'] is True and str(tmp_path / 'no' / 'such') in res['msg']
    assert not (tmp_path / 'ok').exists()


def test_through_ansible_itself(tmp_path):
    """The module as a role calls it (AnsiballZ on localhost): check mode, then the real run, then the rerun."""
    args = dict(files=[dict(path=str(tmp_path / 'f'), content='through ansible\n')])
    assert run_adhoc('host_files', args, check=True)['changed'] is True and not (tmp_path / 'f').exists()
    assert run_adhoc('host_files', args)['changed'] is True
    assert run_adhoc('host_files', args)['changed'] is False
    assert (tmp_path / 'f').read_text() == 'through ansible\n'

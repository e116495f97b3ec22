#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: host_files
short_description: A role's directories and configuration files written in one call
version_added: 0.3.0
description:
  - Makes the given directories and writes the given files, each with its content, mode and owner, in one call.
    What a role's several C(file), C(copy) and C(template) tasks did in as many calls (about two module runs each
    for a file that is already right); a rerun that changes nothing is this one read.
  - Each file is written to a temporary file beside it, validated when asked, and moved into place; a file whose
    content, mode and owner are already right is not touched.
  - Directories are made before files, in the given order. Fails before writing anything when a file's directory
    neither exists nor is in O(directories).
  - Not for secrets - the diff shows every changed file's content. Keys stay with M(tridc.ovn.pki_host).
author:
  - tridc.ovn developers (@tridc)
attributes:
  check_mode:
    support: full
    description: Reports the directories and files it would make or change, writing nothing.
  diff_mode:
    support: full
    description: One diff per changed directory or file (content, and mode or owner when they change).
  platform:
    support: full
    platforms: posix
    description: Any POSIX host (C(daemon_reload) needs systemd).
options:
  directories:
    description: Directories to make (with their parents) or whose mode and owner to fix.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute path.
        type: path
        required: true
      mode:
        description: Octal mode as a string.
        type: str
        default: '0755'
      owner:
        description: Owner.
        type: str
        default: root
      group:
        description: Group.
        type: str
        default: root
  files:
    description: Files with their whole content.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute path.
        type: path
        required: true
      content:
        description: The file's whole content.
        type: str
        required: true
      mode:
        description: Octal mode as a string.
        type: str
        default: '0644'
      owner:
        description: Owner.
        type: str
        default: root
      group:
        description: Group.
        type: str
        default: root
      validate:
        description:
          - A command that checks the new content before it replaces the file, as an argument list in which
            V(%s) stands for the temporary file (for example V([/usr/sbin/nft, -c, -f, '%s'])). A non-zero exit
            fails the call and leaves the file as it was.
        type: list
        elements: str
      daemon_reload:
        description: The file is a systemd unit or drop-in; when it changes, C(systemctl daemon-reload) runs once
          after all files are written.
        type: bool
        default: false
seealso:
  - module: tridc.ovn.host_services
  - module: ansible.builtin.copy
'''

EXAMPLES = r'''
- name: Files of ovn-central (options, firewall rules, the unit that loads them)
  tridc.ovn.host_files:
    directories:
      - path: /etc/systemd/system/ovn-northd.service.d
    files:
      - path: /etc/default/ovn-central
        content: "{{ lookup('ansible.builtin.template', 'ovn-central.j2') }}"
      - path: /etc/nftables.d/tridc-ovn.nft
        content: "{{ lookup('ansible.builtin.template', 'tridc-ovn-firewall.nft.j2') }}"
        validate: [/usr/sbin/nft, -c, -f, "%s"]
      - path: /etc/systemd/system/tridc-ovn-firewall.service
        content: "{{ lookup('ansible.builtin.template', 'tridc-ovn-firewall.service.j2') }}"
        daemon_reload: true
  register: central_files

- name: Restart ovn-northd when its options changed
  ansible.builtin.systemd_service:
    name: ovn-northd
    state: restarted
  when: "'/etc/default/ovn-central' in central_files.changed_paths"
'''

RETURN = r'''
changed_paths:
  description: The directories and files made or changed (or that check mode would make or change), in the given
    order.
  returned: always
  type: list
  elements: str
  sample: [/etc/default/ovn-central]
daemon_reloaded:
  description: Whether C(systemctl daemon-reload) ran (or would run, in check mode).
  returned: always
  type: bool
'''

import grp
import os
import pwd
import stat
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_text


def _ids(module, entry):
    try:
        uid = pwd.getpwnam(entry['owner']).pw_uid
    except KeyError:
        module.fail_json(msg='%s: no such user on this host: %s' % (entry['path'], entry['owner']))
    try:
        gid = grp.getgrnam(entry['group']).gr_gid
    except KeyError:
        module.fail_json(msg='%s: no such group on this host: %s' % (entry['path'], entry['group']))
    return uid, gid


def _mode(module, entry):
    try:
        mode = int(entry['mode'], 8)
    except ValueError:
        module.fail_json(msg='%s: mode %s is not an octal mode such as 0644' % (entry['path'], entry['mode']))
    if mode < 0 or mode > 0o7777:
        module.fail_json(msg='%s: mode %s is not an octal mode such as 0644' % (entry['path'], entry['mode']))
    return mode


def _attrs(st):
    return stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid


def _attr_text(mode, uid, gid):
    try:
        owner = pwd.getpwuid(uid).pw_name
    except KeyError:
        owner = str(uid)
    try:
        group = grp.getgrgid(gid).gr_name
    except KeyError:
        group = str(gid)
    return 'mode %04o, owner %s:%s' % (mode, owner, group)


def _read(path):
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def plan_directory(module, entry):
    """(change, diff) for one directory; change is None when it is as wanted."""
    path = entry['path']
    want = (_mode(module, entry),) + _ids(module, entry)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return 'create', dict(before_header=path, after_header=path, before='absent\n',
                              after='directory, %s\n' % _attr_text(*want))
    if not stat.S_ISDIR(st.st_mode):
        module.fail_json(msg='%s exists and is not a directory' % path)
    if _attrs(st) != want:
        return 'attrs', dict(before_header=path, after_header=path, before='directory, %s\n' % _attr_text(*_attrs(st)),
                             after='directory, %s\n' % _attr_text(*want))
    return None, None


def plan_file(module, entry):
    """(change, diff, wanted bytes) for one file; change is None when it is as wanted."""
    path = entry['path']
    want = (_mode(module, entry),) + _ids(module, entry)
    data = to_bytes(entry['content'], errors='surrogate_or_strict')
    if os.path.isdir(path):
        module.fail_json(msg='%s is a directory, not a file' % path)
    old = _read(path)
    if old is None:
        return 'create', dict(before_header=path, after_header='%s (%s)' % (path, _attr_text(*want)), before='',
                              after=to_text(data, errors='surrogate_or_replace')), data
    have = _attrs(os.stat(path))
    if old == data and have == want:
        return None, None, data
    diff = dict(before_header=path, after_header=path, before=to_text(old, errors='surrogate_or_replace'),
                after=to_text(data, errors='surrogate_or_replace'))
    if have != want:
        diff['before_header'] = '%s (%s)' % (path, _attr_text(*have))
        diff['after_header'] = '%s (%s)' % (path, _attr_text(*want))
    return ('content' if old != data else 'attrs'), diff, data


def apply_directory(module, entry):
    mode = _mode(module, entry)
    uid, gid = _ids(module, entry)
    os.makedirs(entry['path'], mode=mode, exist_ok=True)
    os.chown(entry['path'], uid, gid)
    os.chmod(entry['path'], mode)


def apply_file(module, entry, data, change):
    path = entry['path']
    mode = _mode(module, entry)
    uid, gid = _ids(module, entry)
    if change == 'attrs':
        os.chown(path, uid, gid)
        os.chmod(path, mode)
        return
    fd, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(data)
        os.chown(tmp, uid, gid)
        os.chmod(tmp, mode)
        if entry.get('validate'):
            argv = [tmp if arg == '%s' else arg for arg in entry['validate']]
            if tmp not in argv:
                module.fail_json(msg='%s: validate must name the file to check as %%s' % path)
            rc, out, err = module.run_command(argv, expand_user_and_vars=False)
            if rc != 0:
                module.fail_json(msg='%s: the new content failed validation (%s): %s'
                                 % (path, ' '.join(entry['validate']), (err or out).strip()))
        os.rename(tmp, path)
        tmp = None
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)


def main():
    owner_group = dict(owner=dict(type='str', default='root'), group=dict(type='str', default='root'))
    module = AnsibleModule(
        argument_spec=dict(
            directories=dict(type='list', elements='dict', default=[], options=dict(
                path=dict(type='path', required=True), mode=dict(type='str', default='0755'), **owner_group)),
            files=dict(type='list', elements='dict', default=[], options=dict(
                path=dict(type='path', required=True), content=dict(type='str', required=True),
                validate=dict(type='list', elements='str'), daemon_reload=dict(type='bool', default=False),
                mode=dict(type='str', default='0644'), **owner_group))),
        supports_check_mode=True,
    )
    directories, files = module.params['directories'], module.params['files']
    for entry in directories + files:
        if not os.path.isabs(entry['path']):
            module.fail_json(msg='%s: the path must be absolute' % entry['path'])
    made = set(os.path.normpath(d['path']) for d in directories)
    missing = [f['path'] for f in files if os.path.normpath(os.path.dirname(f['path'])) not in made
               and not os.path.isdir(os.path.dirname(f['path']))]
    if missing:
        module.fail_json(msg='the directory of %s does not exist and is not in directories' % ', '.join(missing))

    dir_plans = [(entry,) + plan_directory(module, entry) for entry in directories]
    file_plans = [(entry,) + plan_file(module, entry) for entry in files]
    changed_paths = [e['path'] for e, change, _d in dir_plans if change] + [e['path'] for e, change, _d, _b in file_plans if change]
    reload_needed = any(change and entry['daemon_reload'] for entry, change, _d, _b in file_plans)
    if not module.check_mode:
        for entry, change, _diff in dir_plans:
            if change:
                apply_directory(module, entry)
        for entry, change, _diff, data in file_plans:
            if change:
                apply_file(module, entry, data, change)
        if reload_needed:
            module.run_command([module.get_bin_path('systemctl', required=True), 'daemon-reload'], check_rc=True, expand_user_and_vars=False)
    result = dict(changed=bool(changed_paths), changed_paths=changed_paths, daemon_reloaded=reload_needed)
    if module._diff:
        result['diff'] = [d for _e, change, d in dir_plans if change] + [d for _e, change, d, _b in file_plans if change]
    module.exit_json(**result)


if __name__ == '__main__':
    main()

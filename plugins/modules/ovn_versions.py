#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: ovn_versions
short_description: What OVS/OVN a host has installed, what its daemons run, and what a package source offers
version_added: 0.1.0
description:
  - Reads, and never changes, what an upgrade (C(playbooks/upgrade.yml)) decides on - the installed versions of the
    OVN and Open vSwitch packages and of C(base-files) (the Debian release), the host's Debian release, and the
    version each given daemon runs now, asked through its control socket (C(ovs-appctl version) or
    C(ovn-appctl version)).
  - A daemon that runs an older binary than its installed package - packages upgraded, daemon not restarted yet, as a
    stopped upgrade leaves it - is reported with C(current=false), and so is a daemon that does not answer, and an
    C(ovn-controller) that is paused (C(debug/status); the upgrade pauses a starting ovn-controller while the BFD
    sessions of its node heal, and an upgrade stopped in that moment leaves it paused).
  - With O(source), also the version of each of those packages that the source offers (the candidate), read with
    C(apt-get update) and C(apt-cache policy) into a temporary directory - the host's own apt configuration, lists and
    cache are not touched, so this works the same in check mode.
author:
  - tridc.ovn developers (@tridc)
requirements:
  - C(dpkg-query), C(ovs-appctl), C(ovn-appctl); C(apt-get) and C(apt-cache) with O(source).
attributes:
  check_mode:
    support: full
    description: The module only reads; it behaves the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is no diff.
  platform:
    support: full
    platforms: debian
    description: Debian and its derivatives (dpkg and apt).
options:
  daemons:
    description:
      - The daemons to ask for their version. V(ovsdb-server) and V(ovs-vswitchd) are the local Open vSwitch pair
        (package C(openvswitch-common)); V(nb), V(sb), V(ic_nb) and V(ic_sb) are the clustered OVN database servers
        (C(ovsdb-server) binaries, package C(openvswitch-common)); V(ovn-northd), V(ovn-controller) and V(ovn-ic) are
        the OVN daemons (package C(ovn-common)).
    type: list
    elements: str
    default: []
    choices: [ovsdb-server, ovs-vswitchd, nb, sb, ic_nb, ic_sb, ovn-northd, ovn-controller, ovn-ic]
  source:
    description:
      - A package source in the plan's C(settings.package_source) shape; its candidates are returned in
        RV(candidates). Omitted or without C(url), no candidate is read.
    type: dict
    suboptions:
      url:
        description: The repository's URL.
        type: str
      suite:
        description: The suite, or V(./) for a flat repository.
        type: str
        default: ./
      components:
        description: The components (none for a flat repository).
        type: list
        elements: str
        default: []
      trusted:
        description: Whether the source is read without a signature check (an offline mirror without a key).
        type: bool
        default: false
      key_url:
        description: Not used here (the host's keyring in C(/etc/apt/keyrings) is used as the ovs role installed it).
        type: str
'''

EXAMPLES = r'''
- name: What this host runs, and what the target package source offers
  tridc.ovn.ovn_versions:
    daemons: [ovsdb-server, ovs-vswitchd, ovn-controller, nb, sb, ovn-northd]
    source: "{{ tridc_plan.settings.package_source }}"
  register: versions

- name: Every daemon runs its package's version
  ansible.builtin.assert:
    that: versions.current
'''

RETURN = r'''
os:
  description: The Debian release (C(/etc/os-release)).
  returned: always
  type: dict
  sample: {version_id: "12", codename: bookworm}
packages:
  description: Installed version of each package (null when not installed).
  returned: always
  type: dict
  sample: {ovn-common: 23.03.1-1~deb12u2, openvswitch-common: 3.1.0-2+deb12u1, base-files: 12.4+deb12u8}
daemons:
  description: Per asked daemon, the version it runs (null when it does not answer), its package and whether it runs
    that package's version (for C(ovn-controller), and is not paused; C(paused) says whether it is).
  returned: always
  type: dict
  sample: {ovn-controller: {version: 23.03.1, package: ovn-common, current: true, paused: false}}
current:
  description: Every asked daemon answers and runs its package's installed version.
  returned: always
  type: bool
ovn_running:
  description: The lowest of the installed C(ovn-common) and the versions the asked OVN daemons run (null when
    C(ovn-common) is not installed). What C(tridc.ovn.upgrade_steps) takes as the version a host runs.
  returned: always
  type: str
  sample: 23.03.1
candidates:
  description: With O(source), the version of each package the source offers (null when it offers none).
  returned: when source has a url
  type: dict
  sample: {ovn-common: 25.03.0-1, openvswitch-common: 3.5.0-1+b1, base-files: 13.8+deb13u1}
behind:
  description: With O(source), the packages the source offers in another version than the installed one (what a
    distribution upgrade from it would move), sorted.
  returned: when source has a url
  type: list
  elements: str
  sample: [base-files, openvswitch-common, ovn-common]
'''

import os
import re
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule

PACKAGES = ('ovn-common', 'openvswitch-common', 'base-files')
# daemon -> (control tool, target, package)
DAEMONS = {
    'ovsdb-server': ('ovs-appctl', 'ovsdb-server', 'openvswitch-common'),
    'ovs-vswitchd': ('ovs-appctl', 'ovs-vswitchd', 'openvswitch-common'),
    'nb': ('ovs-appctl', '/var/run/ovn/ovnnb_db.ctl', 'openvswitch-common'),
    'sb': ('ovs-appctl', '/var/run/ovn/ovnsb_db.ctl', 'openvswitch-common'),
    'ic_nb': ('ovs-appctl', '/var/run/ovn/ovn_ic_nb_db.ctl', 'openvswitch-common'),
    'ic_sb': ('ovs-appctl', '/var/run/ovn/ovn_ic_sb_db.ctl', 'openvswitch-common'),
    'ovn-northd': ('ovn-appctl', 'ovn-northd', 'ovn-common'),
    'ovn-controller': ('ovn-appctl', 'ovn-controller', 'ovn-common'),
    'ovn-ic': ('ovn-appctl', 'ovn-ic', 'ovn-common'),
}
_VERSION = re.compile(r'(?:^|\s)(?:\d+:)?(\d+)\.(\d+)(?:\.(\d+))?')


def triple(text):
    """'23.03.1-1~deb12u2', 'ovn-northd 23.03.1', 'ovs-vswitchd (Open vSwitch) 3.1.0' -> (23, 3, 1)."""
    m = _VERSION.search(text or '')
    return (int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)) if m else None


def fmt(t, package='ovn-common'):
    """OVN numbers its releases YY.MM.P (23.03.1), Open vSwitch X.Y.Z (3.1.0)."""
    if not t:
        return None
    return ('%d.%02d.%d' if package == 'ovn-common' else '%d.%d.%d') % t


def os_release():
    out = {}
    try:
        with open('/etc/os-release') as f:
            for line in f:
                key, sep, value = line.strip().partition('=')
                if sep and key in ('VERSION_ID', 'VERSION_CODENAME'):
                    out[key.lower().replace('version_', '')] = value.strip('"')
    except OSError:
        pass
    return {'version_id': out.get('id'), 'codename': out.get('codename')}


def installed(module):
    argv = ['dpkg-query', '-W', '-f', '${Package} ${db:Status-Abbrev} ${Version}\\n'] + list(PACKAGES)
    _rc, out, _err = module.run_command(argv, expand_user_and_vars=False)  # rc 1 when one is unknown: the others are still printed
    found = dict.fromkeys(PACKAGES)
    for line in out.splitlines():
        words = line.split()
        if len(words) == 3 and words[1].startswith('ii'):
            found[words[0]] = words[2]
    return found


def daemon_version(module, name):
    tool, target, package = DAEMONS[name]
    rc, out, _err = module.run_command([tool, '-T', '5', '-t', target, 'version'], expand_user_and_vars=False)
    if rc != 0:
        return None
    return fmt(triple(out.splitlines()[0] if out else ''), package)


def controller_paused(module):
    rc, out, _err = module.run_command(['ovn-appctl', '-T', '5', '-t', 'ovn-controller', 'debug/status'], expand_user_and_vars=False)
    return rc == 0 and out.strip() == 'paused'


def candidates(module, source):
    """The versions a package source offers, read into a scratch directory (the host's apt state is not touched)."""
    scratch = tempfile.mkdtemp(prefix='tridc-ovn-versions.')
    try:
        parts = os.path.join(scratch, 'sources.list.d')
        lists = os.path.join(scratch, 'lists')
        os.makedirs(os.path.join(lists, 'partial'))
        os.makedirs(parts)
        with open(os.path.join(parts, 'target.sources'), 'w') as f:
            f.write('Types: deb\nURIs: %s\nSuites: %s\n' % (source['url'], source.get('suite') or './'))
            if source.get('components'):
                f.write('Components: %s\n' % ' '.join(source['components']))
            if source.get('trusted'):
                f.write('Trusted: yes\n')
        opts = ['-o', 'Dir::Etc::SourceList=/dev/null', '-o', 'Dir::Etc::SourceParts=%s' % parts,
                '-o', 'Dir::State::Lists=%s' % lists, '-o', 'Dir::Cache::pkgcache=', '-o', 'Dir::Cache::srcpkgcache=',
                '-o', 'APT::Get::List-Cleanup=false', '-o', 'APT::Sandbox::User=root']
        rc, out, err = module.run_command(['apt-get', '-q', 'update'] + opts, expand_user_and_vars=False)
        if rc != 0 or re.search(r'^E:', out + err, re.M):
            module.fail_json(msg='cannot read the package source %s: %s' % (source['url'], (err or out).strip()))
        rc, out, err = module.run_command(['apt-cache'] + opts + ['policy'] + list(PACKAGES), expand_user_and_vars=False)
        if rc != 0:
            module.fail_json(msg='apt-cache policy failed: %s' % (err or out).strip())
        found, package = dict.fromkeys(PACKAGES), None
        for line in out.splitlines():
            if line and not line[0].isspace() and line.endswith(':'):
                package = line[:-1]
            elif package in found and line.strip().startswith('Candidate:'):
                value = line.split(':', 1)[1].strip()
                found[package] = None if value == '(none)' else value
        # apt-cache policy names the installed version the candidate when the source offers none: ask the source
        rc, out, _err = module.run_command(['apt-cache'] + opts + ['madison'] + list(PACKAGES), expand_user_and_vars=False)
        offered = {}
        for line in out.splitlines():
            cols = [c.strip() for c in line.split('|')]
            if len(cols) >= 3 and source['url'].rstrip('/') in cols[2]:
                offered.setdefault(cols[0], cols[1])
        return dict((p, found[p] if p in offered else None) for p in PACKAGES)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            daemons=dict(type='list', elements='str', default=[], choices=sorted(DAEMONS)),
            source=dict(type='dict', options=dict(
                url=dict(type='str'), suite=dict(type='str', default='./'),
                components=dict(type='list', elements='str', default=[]),
                trusted=dict(type='bool', default=False), key_url=dict(type='str', no_log=False))),
        ),
        supports_check_mode=True,
    )
    packages = installed(module)
    daemons = {}
    for name in module.params['daemons']:
        package = DAEMONS[name][2]
        version = daemon_version(module, name)
        daemons[name] = dict(version=version, package=package,
                             current=version is not None and triple(version) == triple(packages.get(package)))
        if name == 'ovn-controller':
            daemons[name]['paused'] = version is not None and controller_paused(module)
            daemons[name]['current'] = daemons[name]['current'] and not daemons[name]['paused']
    ovn = [triple(packages['ovn-common'])] if packages['ovn-common'] else []
    ovn += [triple(d['version']) for d in daemons.values() if d['package'] == 'ovn-common' and d['version']]
    result = dict(changed=False, os=os_release(), packages=packages, daemons=daemons,
                  current=all(d['current'] for d in daemons.values()),
                  ovn_running=fmt(min(ovn)) if packages['ovn-common'] else None)
    source = module.params['source'] or {}
    if source.get('url'):
        result['candidates'] = candidates(module, source)
        result['behind'] = sorted(p for p, v in result['candidates'].items() if v and v != packages.get(p))
    module.exit_json(**result)


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: ovn_db_remote
short_description: Set the listeners (Connection table) of an OVN database - TLS only by default
version_added: 0.1.0
description:
  - Makes the C(Connection) rows of an OVN database (C(OVN_Northbound), C(OVN_Southbound) or an interconnection
    database) exactly the given list of passive targets, with the given RBAC role (Southbound only) and
    inactivity probe. The C(ovsdb-server) of every cluster member listens on these targets.
  - Plaintext targets (C(ptcp:), C(tcp:)) are refused unless O(allow_plaintext=true).
  - Wildcard targets (no address, C(0.0.0.0), C([::])) listen on every interface of every member and are refused
    unless O(allow_wildcard=true). The rows are replicated to every cluster member, so a per-member address is
    given as a name that each member resolves to its own address (C(ovsdb-server) resolves it with libunbound,
    configured by E(OVS_UNBOUND_CONF); the roles point that at a file mapping the name to the member's management
    address), for example V(pssl:6641:mgmt.tridc.invalid).
  - Reads with one C(ovn-*ctl) call and writes with one C(set-connection) transaction only when something differs.
author:
  - tridc.ovn developers (@tridc)
requirements:
  - The C(ovn-nbctl), C(ovn-sbctl), C(ovn-ic-nbctl) or C(ovn-ic-sbctl) utility (Debian package ovn-common).
attributes:
  check_mode:
    support: full
    description: Computes the difference and reports it without writing.
  diff_mode:
    support: full
    description: Returns the connections before and after.
  platform:
    support: full
    platforms: posix
    description: Runs on a host that reaches the database, normally a cluster member through its unix socket.
options:
  db:
    description: Which database.
    type: str
    required: true
    choices: [nb, sb, ic_nb, ic_sb]
  connections:
    description: The wanted listeners, in any order.
    type: list
    elements: dict
    required: true
    suboptions:
      target:
        description: A passive target with an address or a name, for example V(pssl:6642:10.90.1.11) or
          V(pssl:6641:mgmt.tridc.invalid); V(pssl:6641) (every interface) only with O(allow_wildcard=true).
        type: str
        required: true
      role:
        description:
          - RBAC role of clients on this target (C(OVN_Southbound) only), V(ovn-controller) for chassis.
          - An empty role disables RBAC on the target (for ovn-northd and ovn-ic).
        type: str
        default: ''
  inactivity_probe:
    description: Inactivity probe in milliseconds for all targets; V(0) disables it. Omit to leave the server default.
    type: int
  database:
    description: How to reach the database. Defaults to the local unix socket of C(ovn-ctl), for example
      C(unix:/var/run/ovn/ovnnb_db.sock). Reads and writes work on any cluster member (C(--no-leader-only)).
    type: str
  allow_plaintext:
    description: Allow C(ptcp:) targets. Off by default - the collection only uses TLS listeners.
    type: bool
    default: false
  allow_wildcard:
    description: Allow targets that listen on every interface (no address, C(0.0.0.0), C(::)). Off by default - the
      collection binds every listener to the management address.
    type: bool
    default: false
  timeout:
    description: Seconds to wait for the database (C(--timeout)).
    type: int
    default: 30
seealso:
  - module: tridc.ovn.ovn_cluster
'''

EXAMPLES = r'''
- name: Northbound listens with TLS only, on the name each member resolves to its management address
  tridc.ovn.ovn_db_remote:
    db: nb
    inactivity_probe: 60000
    connections:
      - target: pssl:6641:mgmt.tridc.invalid

- name: Southbound - RBAC for chassis, a second TLS listener without RBAC for ovn-northd and ovn-ic
  tridc.ovn.ovn_db_remote:
    db: sb
    inactivity_probe: 60000
    connections:
      - {target: "pssl:6642:mgmt.tridc.invalid", role: ovn-controller}
      - {target: "pssl:16642:mgmt.tridc.invalid"}
'''

RETURN = r'''
connections:
  description: The listeners after the change (in check mode, as they would be), sorted by target.
  returned: always
  type: list
  elements: dict
  sample: [{target: "pssl:6642:mgmt.tridc.invalid", role: ovn-controller, inactivity_probe: 60000}]
command:
  description: The argv of the write, empty when nothing differed.
  returned: always
  type: list
  elements: str
'''

import json

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.tridc.ovn.plugins.module_utils.ovn import (
    DB_CHOICES,
    DBS_WITH_ROLE,
    db_defaults,
)

PLAINTEXT = ('ptcp:', 'tcp:')
WILDCARDS = ('', '0.0.0.0', '::', '[::]', '*', '::ffff:0.0.0.0', '[::ffff:0.0.0.0]')


def passive_address(target):
    """The address (or name) of a passive TCP/TLS target: ``pssl:6641:10.0.0.1`` -> ``10.0.0.1``,
    ``pssl:6641:[fd00::1]`` -> ``[fd00::1]``, ``pssl:6641`` -> ``''``; None for ``punix:``."""
    if not target.startswith(('pssl:', 'ptcp:')):
        return None
    rest = target.split(':', 1)[1]
    return rest.split(':', 1)[1] if ':' in rest else ''


def _atom(value):
    # OVSDB JSON: an optional column is ["set", []] when empty, the bare atom otherwise
    if isinstance(value, list) and len(value) == 2 and value[0] == 'set':
        return value[1][0] if value[1] else None
    return value


def read_connections(module, base, has_role):
    columns = ['target', 'inactivity_probe'] + (['role'] if has_role else [])
    argv = base + ['--format=json', '--columns=%s' % ','.join(columns), 'list', 'Connection']
    rc, out, err = module.run_command(argv, expand_user_and_vars=False)
    if rc != 0:
        module.fail_json(msg='cannot read the Connection table: %s' % (err or out).strip(), cmd=argv, rc=rc)
    data = json.loads(out)
    heads = data['headings']
    rows = []
    for raw in data['data']:
        row = dict(zip(heads, [_atom(v) for v in raw]))
        rows.append(dict(target=row['target'], role=row.get('role') or '', inactivity_probe=row.get('inactivity_probe')))
    return sorted(rows, key=lambda r: r['target'])


def main():
    module = AnsibleModule(
        argument_spec=dict(
            db=dict(type='str', required=True, choices=DB_CHOICES),
            connections=dict(type='list', elements='dict', required=True, options=dict(
                target=dict(type='str', required=True),
                role=dict(type='str', default=''),
            )),
            inactivity_probe=dict(type='int'),
            database=dict(type='str'),
            allow_plaintext=dict(type='bool', default=False),
            allow_wildcard=dict(type='bool', default=False),
            timeout=dict(type='int', default=30),
        ),
        supports_check_mode=True,
    )
    params = module.params
    paths = db_defaults(params['db'])
    has_role = params['db'] in DBS_WITH_ROLE
    database = params['database'] or 'unix:%s' % paths['sock']
    wanted = []
    for item in params['connections']:
        target = item['target'].strip()
        if not target.startswith(('pssl:', 'punix:', 'ptcp:')):
            module.fail_json(msg='%s: %r is not a passive target (pssl:PORT[:IP], punix:FILE)' % (paths['name'], target))
        if target.startswith(PLAINTEXT) and not params['allow_plaintext']:
            module.fail_json(msg='%s: refusing plaintext listener %r; use pssl: (or set allow_plaintext)' % (paths['name'], target))
        if passive_address(target) in WILDCARDS and not params['allow_wildcard']:
            module.fail_json(msg='%s: refusing wildcard listener %r (every interface); give the management address or a '
                                 'name the members resolve to it, e.g. pssl:PORT:ADDRESS (or set allow_wildcard)'
                                 % (paths['name'], target))
        if item['role'] and not has_role:
            module.fail_json(msg='%s has no RBAC; remove role %r from %s' % (paths['name'], item['role'], target))
        wanted.append(dict(target=target, role=item['role'] or '', inactivity_probe=params['inactivity_probe']))
    wanted.sort(key=lambda r: r['target'])
    if len(set(w['target'] for w in wanted)) != len(wanted):
        module.fail_json(msg='%s: a target is listed twice' % paths['name'])

    util = module.get_bin_path(paths['ctl_util'], required=True, opt_dirs=['/usr/bin', '/usr/sbin'])
    base = [util, '--db=%s' % database, '--no-leader-only', '--timeout=%d' % params['timeout']]
    before = read_connections(module, base, has_role)

    def comparable(rows):
        return [(r['target'], r['role'] if has_role else '',
                 r['inactivity_probe'] if params['inactivity_probe'] is not None else None) for r in rows]

    after = wanted
    if params['inactivity_probe'] is None:
        # keep what the rows have
        probes = dict((r['target'], r['inactivity_probe']) for r in before)
        after = [dict(w, inactivity_probe=probes.get(w['target'])) for w in wanted]
    changed = comparable(before) != comparable(wanted)
    command = []
    if changed:
        command = list(base) + ['--']
        if params['inactivity_probe'] is not None:
            command.append('--inactivity-probe=%d' % params['inactivity_probe'])
        command.append('set-connection')
        for row in wanted:
            if has_role:
                command.append('role=%s' % row['role'])
            command.append(row['target'])
    result = dict(changed=changed, connections=after if changed else before, command=command)
    if module._diff:
        result['diff'] = dict(before=dict(connections=before), after=dict(connections=after if changed else before))
    if changed and not module.check_mode:
        rc, out, err = module.run_command(command, expand_user_and_vars=False)
        if rc != 0:
            module.fail_json(msg='set-connection failed: %s' % (err or out).strip(), cmd=command, rc=rc, stdout=out, stderr=err)
        result['connections'] = read_connections(module, base, has_role)
    module.exit_json(**result)


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: ovn_cluster_member
short_description: Remove (kick) a server from a raft OVN database cluster
version_added: 0.1.0
description:
  - Removes one server from the configuration of a clustered OVSDB database with
    C(ovs-appctl -t CTL cluster/kick DB SERVER), run on any running member (the request is forwarded to the
    leader), and waits until the server is gone from the configuration.
  - Used to remove the stale server of a member that is being replaced with an empty database (same address,
    new server ID) and servers that are no longer planned.
  - Does nothing when the server is not in the configuration.
author:
  - tridc.ovn developers (@tridc)
requirements:
  - C(ovs-appctl) on the managed node, which must run a member of the cluster.
attributes:
  check_mode:
    support: full
    description: Reports whether the server would be kicked without kicking it.
  diff_mode:
    support: full
    description: Returns the server list before and after.
  platform:
    support: full
    platforms: posix
    description: Runs on a host that runs a member of the cluster.
options:
  db:
    description: Which database.
    type: str
    required: true
    choices: [nb, sb, ic_nb, ic_sb]
  ctl:
    description: Control socket of the local member. Defaults to the C(ovn-ctl) location.
    type: path
  sid:
    description:
      - Server ID to remove, short (4 hex digits, as printed by C(cluster/status)) or full.
      - Prefer it over O(address) - a replaced member has a new server with the B(same) address.
    type: str
  address:
    description: Raft address of the server to remove. Refused when two servers have this address.
    type: str
  state:
    description: Only V(absent) is supported; servers are added by joining (see the C(tridc.ovn.central) role).
    type: str
    choices: [absent]
    default: absent
  wait_timeout:
    description: Seconds to wait until the server has left the configuration.
    type: int
    default: 60
notes:
  - The local server must see a leader, otherwise the module fails without changing anything.
seealso:
  - module: tridc.ovn.ovn_cluster
  - module: tridc.ovn.ovn_cluster_check
'''

EXAMPLES = r'''
- name: Remove the stale server of a replaced member
  tridc.ovn.ovn_cluster_member:
    db: nb
    sid: 7a6e
    state: absent
'''

RETURN = r'''
removed:
  description: The server that was (or in check mode would be) removed, null when it was not in the configuration.
  returned: always
  type: dict
  sample: {sid: 7a6e, address: "ssl:10.90.1.13:6643"}
servers:
  description: The configuration after the change (in check mode, as it would be).
  returned: always
  type: list
  elements: dict
'''

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.tridc.ovn.plugins.module_utils.ovn import (
    DB_CHOICES,
    db_defaults,
    normalize_address,
    parse_cluster_status,
)


def status(module, appctl, ctl, name):
    argv = [appctl, '-T', '10', '-t', ctl, 'cluster/status', name]
    rc, out, err = module.run_command(argv, expand_user_and_vars=False)
    if rc != 0:
        module.fail_json(msg='cannot read the raft status of %s from %s: %s' % (name, ctl, (err or out).strip()),
                         cmd=argv, rc=rc)
    return parse_cluster_status(out)


def find(servers, sid, address):
    if sid:
        sid = sid.lower()
        return [s for s in servers if s['sid'] == sid[:4]]
    want = normalize_address(address)
    return [s for s in servers if normalize_address(s['address']) == want]


def brief(servers):
    return [dict(sid=s['sid'], address=s['address']) for s in servers]


def main():
    module = AnsibleModule(
        argument_spec=dict(
            db=dict(type='str', required=True, choices=DB_CHOICES),
            ctl=dict(type='path'),
            sid=dict(type='str'),
            address=dict(type='str'),
            state=dict(type='str', choices=['absent'], default='absent'),
            wait_timeout=dict(type='int', default=60),
        ),
        required_one_of=[('sid', 'address')],
        mutually_exclusive=[('sid', 'address')],
        supports_check_mode=True,
    )
    params = module.params
    paths = db_defaults(params['db'])
    ctl = params['ctl'] or paths['ctl']
    appctl = module.get_bin_path('ovs-appctl', required=True, opt_dirs=['/usr/sbin', '/usr/bin'])
    try:
        before = status(module, appctl, ctl, paths['name'])
        matches = find(before['servers'], params['sid'], params['address'])
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    if not matches:
        module.exit_json(changed=False, removed=None, servers=brief(before['servers']))
    if len(matches) > 1:
        module.fail_json(msg='%s matches %d servers of %s (%s); name the server ID instead'
                         % (params['sid'] or params['address'], len(matches), paths['name'],
                            ', '.join('%s at %s' % (s['sid'], s['address']) for s in matches)))
    target = matches[0]
    if target['self']:
        module.fail_json(msg='refusing to kick server %s from %s: it is the local server on %s; run this on another member'
                         % (target['sid'], paths['name'], ctl))
    if not before['leader']:
        module.fail_json(msg='%s has no leader as seen by %s (status: %s); not kicking %s'
                         % (paths['name'], ctl, before['status'], target['sid']))
    after_servers = [s for s in before['servers'] if s['sid'] != target['sid']]
    result = dict(changed=True, removed=dict(sid=target['sid'], address=target['address']),
                  servers=brief(after_servers))
    if module._diff:
        result['diff'] = dict(before=dict(servers=brief(before['servers'])), after=dict(servers=brief(after_servers)))
    if module.check_mode:
        module.exit_json(**result)

    argv = [appctl, '-T', '10', '-t', ctl, 'cluster/kick', paths['name'], target['sid']]
    rc, out, err = module.run_command(argv, expand_user_and_vars=False)
    if rc != 0:
        module.fail_json(msg='cluster/kick of %s from %s failed: %s' % (target['sid'], paths['name'], (err or out).strip()),
                         cmd=argv, rc=rc, stdout=out, stderr=err)
    deadline = time.time() + params['wait_timeout']
    while True:
        now = status(module, appctl, ctl, paths['name'])
        if not [s for s in now['servers'] if s['sid'] == target['sid']]:
            result['servers'] = brief(now['servers'])
            module.exit_json(**result)
        if time.time() > deadline:
            module.fail_json(msg='server %s is still in the %s configuration %ds after cluster/kick (leader: %s)'
                             % (target['sid'], paths['name'], params['wait_timeout'], now['leader']),
                             servers=brief(now['servers']))
        time.sleep(0.5)


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: ovn_listeners_info
short_description: What the OVN database servers of a host listen on, in one call
version_added: 0.3.0
description:
  - Reads the TCP ports the given process (C(ovsdb-server) by default) listens on (C(ss -Hltnp)), whether each is
    bound to a wildcard address, and, optionally, whether any of them answers a plaintext OVSDB client
    (C(ovsdb-client list-dbs tcp:ADDRESS:PORT); the probes run in parallel).
  - Optionally reads the C(Connection) tables of the given databases (C(ovn-nbctl get-connection) and the like).
  - Never changes anything. What a gate asserts on comes from this one call instead of one task per port.
author:
  - tridc.ovn developers (@tridc)
requirements:
  - C(ss) (iproute2), C(ovsdb-client) (openvswitch-common), the C(ovn-*ctl) utilities for O(connections).
attributes:
  check_mode:
    support: full
    description: Only reads; the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes.
  platform:
    support: full
    platforms: posix
    description: Runs on the host whose listeners are read (a central or IC database member).
options:
  process:
    description: The listening processes to report, a regular expression matched in full against the process name
      C(ss -p) shows (for example V(ovsdb-server|ovn-[a-z-]+) for every OVN daemon).
    type: str
    default: ovsdb-server
  probe_plaintext:
    description: Try a plaintext OVSDB client on every listening port.
    type: bool
    default: true
  probe_address:
    description: The address to probe a wildcard listener on (the host's management address).
    type: str
    default: 127.0.0.1
  probe_timeout:
    description: Seconds each plaintext probe waits.
    type: int
    default: 3
  connections:
    description: Databases whose C(Connection) table to read (through the local unix socket, any cluster member).
    type: list
    elements: str
    choices: [nb, sb, ic_nb, ic_sb]
    default: []
  timeout:
    description: Seconds to wait for a database (C(--timeout)) when reading O(connections).
    type: int
    default: 10
'''

EXAMPLES = r'''
- name: What ovsdb-server listens on, and whether any port takes plaintext
  tridc.ovn.ovn_listeners_info:
    probe_address: 10.90.1.11
    connections: [nb, sb]
  register: listeners

- name: No plaintext, no wildcard
  ansible.builtin.assert:
    that:
      - listeners.plaintext_open == []
      - listeners.listeners | selectattr('wildcard') | list == []
'''

RETURN = r'''
listeners:
  description: The listening TCP sockets of O(process).
  returned: always
  type: list
  elements: dict
  contains:
    address:
      description: The bound address (C(0.0.0.0), C(*) or C([::]) for a wildcard).
      type: str
    port:
      description: The port.
      type: int
    wildcard:
      description: Whether the socket listens on every address.
      type: bool
    endpoint:
      description: C(ADDRESS:PORT), as C(ss) prints it.
      type: str
    process:
      description: The listening process.
      type: str
  sample: [{address: 10.90.1.11, port: 6643, wildcard: false, endpoint: "10.90.1.11:6643", process: ovsdb-server}]
endpoints:
  description: C(ADDRESS:PORT) of every listener of RV(listeners).
  returned: always
  type: list
  elements: str
plaintext_open:
  description: C(ADDRESS:PORT) of the listeners that answered a plaintext OVSDB client (should be empty).
  returned: always
  type: list
  elements: str
connections:
  description: Each database of O(connections) to the lines of its C(get-connection) output.
  returned: always
  type: dict
  sample: {nb: ["pssl:6641"], sb: ["pssl:16642", "role=\"ovn-controller\" pssl:6642"]}
'''

import re
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.basic import AnsibleModule

CTL = {'nb': 'ovn-nbctl', 'sb': 'ovn-sbctl', 'ic_nb': 'ovn-ic-nbctl', 'ic_sb': 'ovn-ic-sbctl'}
WILDCARDS = ('0.0.0.0', '*', '[::]', '::', '[::ffff:0.0.0.0]')


def parse_ss(text, process):
    """Listening sockets of the processes matching ``process`` (a regular expression) in ``ss -Hltnp`` output:
    [{address, port, wildcard, endpoint, process}], sorted, unique."""
    seen = {}
    pattern = re.compile(r'users:\(\("(%s)"' % process)
    for line in text.splitlines():
        fields = line.split()
        match = pattern.search(line)
        if len(fields) < 6 or not match:
            continue
        address, _sep, port = fields[3].rpartition(':')
        if not port.isdigit():
            continue
        address = re.sub(r'%\S+$', '', address)  # 0.0.0.0%lo style interface suffixes
        seen[(address, int(port))] = dict(address=address, port=int(port), wildcard=address in WILDCARDS,
                                          endpoint='%s:%s' % (address, port), process=match.group(1))
    return [seen[k] for k in sorted(seen, key=lambda k: (k[1], k[0]))]


def main():
    module = AnsibleModule(
        argument_spec=dict(
            process=dict(type='str', default='ovsdb-server'),
            probe_plaintext=dict(type='bool', default=True),
            probe_address=dict(type='str', default='127.0.0.1'),
            probe_timeout=dict(type='int', default=3),
            connections=dict(type='list', elements='str', choices=list(CTL), default=[]),
            timeout=dict(type='int', default=10),
        ),
        supports_check_mode=True,
    )
    p = module.params
    ss = module.get_bin_path('ss', required=True, opt_dirs=['/usr/sbin', '/sbin', '/usr/bin'])
    rc, out, err = module.run_command([ss, '-Hltnp'], expand_user_and_vars=False)
    if rc != 0:
        module.fail_json(msg='ss -Hltnp failed: %s' % (err or out).strip())
    listeners = parse_ss(out, p['process'])

    plaintext_open = []
    if p['probe_plaintext'] and listeners:
        client = module.get_bin_path('ovsdb-client', required=True, opt_dirs=['/usr/sbin', '/usr/bin'])

        def target(item):
            host = p['probe_address'] if item['wildcard'] else item['address']
            if ':' in host and not host.startswith('['):
                host = '[%s]' % host
            return '%s:%d' % (host, item['port'])

        def probe(where):
            return where, module.run_command([client, '--timeout=%d' % p['probe_timeout'], 'list-dbs', 'tcp:' + where], expand_user_and_vars=False)[0]

        targets = sorted(set(target(item) for item in listeners))
        with ThreadPoolExecutor(max_workers=min(8, len(targets))) as pool:
            plaintext_open = [where for where, rc in pool.map(probe, targets) if rc == 0]

    connections = {}
    for db in p['connections']:
        ctl = module.get_bin_path(CTL[db], required=True, opt_dirs=['/usr/bin'])
        rc, out, err = module.run_command([ctl, '--no-leader-only', '--timeout=%d' % p['timeout'], 'get-connection'], expand_user_and_vars=False)
        if rc != 0:
            module.fail_json(msg='%s get-connection failed: %s' % (CTL[db], (err or out).strip()),
                             listeners=listeners, plaintext_open=plaintext_open)
        connections[db] = [line.strip() for line in out.splitlines() if line.strip()]

    module.exit_json(changed=False, listeners=listeners, endpoints=[item['endpoint'] for item in listeners],
                     plaintext_open=plaintext_open, connections=connections)


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: ovn_chassis_info
short_description: The chassis registered in an OVN Southbound database
version_added: 0.1.0
description:
  - Lists the C(Chassis) rows of the OVN Southbound database with their tunnel endpoints (C(Encap)), bridge mappings,
    CMS options (for example C(enable-chassis-as-gw)) and the configuration sequence number the chassis reached.
  - Reads with C(ovn-sbctl --no-leader-only), so it works on any member of a clustered Southbound database.
  - Never changes anything.
author:
  - tridc.ovn developers (@tridc)
requirements:
  - C(ovn-sbctl) (Debian package ovn-common).
attributes:
  check_mode:
    support: full
    description: The module only reads.
  diff_mode:
    support: none
    description: Nothing changes.
  platform:
    support: full
    platforms: posix
    description: Runs on a host that reaches the Southbound database, normally a central member.
options:
  database:
    description: How to reach the database (C(ovn-sbctl --db)).
    type: str
    default: unix:/var/run/ovn/ovnsb_db.sock
  names:
    description: Only these chassis (by name, that is system-id). All chassis when empty.
    type: list
    elements: str
    default: []
  timeout:
    description: Seconds to wait for the database.
    type: int
    default: 30
seealso:
  - module: tridc.ovn.ovn_cluster
'''

EXAMPLES = r'''
- name: Chassis of the DC
  tridc.ovn.ovn_chassis_info:
  register: sb_chassis

- name: dc1-n2 is registered with its planned tunnel IP
  ansible.builtin.assert:
    that: sb_chassis.chassis['dc1-n2'].encaps | selectattr('ip', 'equalto', '10.91.1.12') | list | length == 1
'''

RETURN = r'''
chassis:
  description: Per chassis name.
  returned: always
  type: dict
  sample:
    dc1-n2:
      name: dc1-n2
      hostname: dc1-n2
      encaps: [{type: geneve, ip: 10.91.1.12}]
      bridge_mappings: {business: br-business, storage: br-storage}
      cms_options: [enable-chassis-as-gw]
      other_config: {ovn-bridge-mappings: "business:br-business,storage:br-storage"}
      nb_cfg: 0
'''

import json

from ansible.module_utils.basic import AnsibleModule


def decode(value):
    """OVSDB JSON datum (ovn-sbctl --data=json) to plain Python."""
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], str):
        kind, payload = value
        if kind == 'set':
            return [decode(v) for v in payload]
        if kind == 'map':
            return dict((decode(k), decode(v)) for k, v in payload)
        if kind == 'uuid':
            return payload
    return value


def as_list(value):
    return value if isinstance(value, list) else [value]


def read(module, base, table, columns):
    argv = base + ['--format=json', '--data=json', '--columns=%s' % ','.join(columns), 'list', table]
    rc, out, err = module.run_command(argv, expand_user_and_vars=False)
    if rc != 0:
        module.fail_json(msg='cannot read %s: %s' % (table, (err or out).strip()), cmd=argv, rc=rc)
    doc = json.loads(out)
    return [dict(zip(doc['headings'], [decode(v) for v in row])) for row in doc['data']]


def parse_mappings(text):
    out = {}
    for entry in (text or '').split(','):
        network, sep, bridge = entry.strip().partition(':')
        if sep and network:
            out[network] = bridge
    return out


def main():
    module = AnsibleModule(
        argument_spec=dict(
            database=dict(type='str', default='unix:/var/run/ovn/ovnsb_db.sock'),
            names=dict(type='list', elements='str', default=[]),
            timeout=dict(type='int', default=30),
        ),
        supports_check_mode=True,
    )
    sbctl = module.get_bin_path('ovn-sbctl', required=True, opt_dirs=['/usr/bin'])
    base = [sbctl, '--db=%s' % module.params['database'], '--no-leader-only', '--timeout=%d' % module.params['timeout']]
    encaps = dict((row['_uuid'], row) for row in read(module, base, 'Encap', ['_uuid', 'type', 'ip']))
    chassis = {}
    for row in read(module, base, 'Chassis', ['name', 'hostname', 'encaps', 'other_config', 'external_ids', 'nb_cfg']):
        name = row['name']
        if module.params['names'] and name not in module.params['names']:
            continue
        # OVN 22.x moved these from external_ids to other_config; read both
        config = dict(row['external_ids'])
        config.update(row['other_config'])
        chassis[name] = dict(
            name=name,
            hostname=row['hostname'],
            encaps=sorted([dict(type=encaps[u]['type'], ip=encaps[u]['ip']) for u in as_list(row['encaps']) if u in encaps],
                          key=lambda e: (e['type'], e['ip'])),
            bridge_mappings=parse_mappings(config.get('ovn-bridge-mappings')),
            cms_options=[o.strip() for o in config.get('ovn-cms-options', '').split(',') if o.strip()],
            other_config=row['other_config'],
            nb_cfg=row['nb_cfg'],
        )
    module.exit_json(changed=False, chassis=chassis)


if __name__ == '__main__':
    main()

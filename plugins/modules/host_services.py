#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: host_services
short_description: Several systemd units enabled and started in one call
version_added: 0.3.0
description:
  - Reads the state of every given unit with one C(systemctl show) call and enables or starts only the units that
    are not yet as wanted (one C(systemctl enable) and one C(systemctl start) for all of them, in the given order).
  - What a role's several C(systemd_service) tasks did in as many calls, in one; a rerun that changes nothing is
    this one read.
  - Never stops, restarts or disables a unit (restarts stay the roles' handlers, done one member at a time).
author:
  - tridc.ovn developers (@tridc)
requirements:
  - systemd (C(systemctl)).
attributes:
  check_mode:
    support: full
    description: Reports the units it would enable or start.
  diff_mode:
    support: full
    description: The units' enablement and activity before and after.
  platform:
    support: full
    platforms: posix
    description: A host run by systemd.
options:
  services:
    description: The units, in the order they are started.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The unit (V(ovn-controller) or V(ovn-controller.service); templates as V(unit@instance.service)).
        type: str
        required: true
      enabled:
        description: Enable the unit at boot.
        type: bool
        default: true
      started:
        description: Start the unit now.
        type: bool
        default: true
seealso:
  - module: ansible.builtin.systemd_service
'''

EXAMPLES = r'''
- name: The OVN database servers, now and at boot
  tridc.ovn.host_services:
    services:
      - name: ovn-ovsdb-server-nb
      - name: ovn-ovsdb-server-sb
      - name: ovn-central
        started: false
'''

RETURN = r'''
enabled:
  description: The units enabled by this call (or that check mode would enable).
  returned: always
  type: list
  elements: str
started:
  description: The units started by this call (or that check mode would start).
  returned: always
  type: list
  elements: str
units:
  description: Each unit's C(UnitFileState) and C(ActiveState) as read before the call.
  returned: always
  type: dict
  sample: {ovn-controller.service: {UnitFileState: enabled, ActiveState: active}}
'''

from ansible.module_utils.basic import AnsibleModule

ENABLED = ('enabled', 'enabled-runtime', 'static', 'alias', 'indirect', 'generated')


def unit_name(name):
    return name if '.' in name.rsplit('@', 1)[-1] else name + '.service'


def parse_show(text):
    """``systemctl show -p Id,LoadState,UnitFileState,ActiveState u1 u2`` output: blocks separated by blank lines."""
    units = []
    for block in text.strip().split('\n\n'):
        props = dict(line.split('=', 1) for line in block.splitlines() if '=' in line)
        if props:
            units.append(props)
    return units


def main():
    module = AnsibleModule(
        argument_spec=dict(services=dict(type='list', elements='dict', required=True, options=dict(
            name=dict(type='str', required=True),
            enabled=dict(type='bool', default=True),
            started=dict(type='bool', default=True)))),
        supports_check_mode=True,
    )
    systemctl = module.get_bin_path('systemctl', required=True)
    services = [dict(s, unit=unit_name(s['name'])) for s in module.params['services']]
    names = [s['unit'] for s in services]
    rc, out, err = module.run_command([systemctl, 'show', '-p', 'Id,LoadState,UnitFileState,ActiveState', '--'] + names, expand_user_and_vars=False)
    if rc != 0:
        module.fail_json(msg='systemctl show failed: %s' % (err or out).strip())
    shown = parse_show(out)
    if len(shown) != len(names):
        module.fail_json(msg='systemctl show returned %d units for %d asked (%s)' % (len(shown), len(names), ', '.join(names)))
    units = dict((name, props) for name, props in zip(names, shown))
    missing = [n for n in names if units[n].get('LoadState') == 'not-found']
    if missing:
        module.fail_json(msg='no such systemd unit on this host: %s (is its package installed?)' % ', '.join(missing), units=units)
    to_enable = [s['unit'] for s in services if s['enabled'] and units[s['unit']].get('UnitFileState') not in ENABLED]
    to_start = [s['unit'] for s in services if s['started'] and units[s['unit']].get('ActiveState') != 'active']
    if not module.check_mode:
        if to_enable:
            module.run_command([systemctl, 'enable', '--'] + to_enable, check_rc=True, expand_user_and_vars=False)
        for unit in to_start:  # in the given order: a unit may need the one before it
            rc, out, err = module.run_command([systemctl, 'start', '--', unit], expand_user_and_vars=False)
            if rc != 0:
                module.fail_json(msg='systemctl start %s failed: %s' % (unit, (err or out).strip()),
                                 enabled=to_enable, started=to_start[:to_start.index(unit)], units=units)
    result = dict(changed=bool(to_enable or to_start), enabled=to_enable, started=to_start,
                  units=dict((n, {'UnitFileState': u.get('UnitFileState'), 'ActiveState': u.get('ActiveState')})
                             for n, u in units.items()))
    if module._diff:
        result['diff'] = dict(
            before=''.join('%s: %s, %s\n' % (n, units[n].get('UnitFileState'), units[n].get('ActiveState')) for n in names),
            after=''.join('%s: %s, %s\n' % (n, 'enabled' if n in to_enable else units[n].get('UnitFileState'),
                                            'active' if n in to_start else units[n].get('ActiveState')) for n in names))
    module.exit_json(**result)


if __name__ == '__main__':
    main()

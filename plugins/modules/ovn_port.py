#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: ovn_port
short_description: A workload's logical switch port with a fixed IP and MAC on a plan subnet, with address checks
version_added: 0.2.0
description:
  - Writes the Northbound side of a workload (a bare-metal container's veth, a VM's tap) on an OVN switch of the plan
    (made by M(tridc.ovn.ovn_switches)), that is the logical switch port with its fixed C(addresses) and C(port_security), in
    B(one) C(ovn-nbctl) transaction, only when something differs.
  - Before writing, it checks the address against what the switch itself says (C(other_config:subnet) and
    C(exclude_ips), which hold the gateway) and against every other port of the switch (fixed and dynamic addresses).
    An address outside the subnet, excluded, the gateway, or held by another port is refused with a clear error, and
    nothing is written.
  - When the subnet has OVN's DHCP answer (M(tridc.ovn.ovn_switches), VLAN subnets), the port points at it
    (C(dhcpv4_options)), so a workload that asks by DHCP gets its fixed address, the gateway and the VLAN's MTU.
  - The chassis side is the binding of the workload's interface to the port on C(br-int)
    (C(external_ids:iface-id) = O(name)); M(tridc.ovn.ovs_bridge) with C(interface_external_ids) writes it.
  - The ports it creates carry C(external_ids:tridc-owner=tridc.ovn); a port of the same name that does not, or that is
    on another switch, is never touched.
author:
  - tridc.ovn developers (@tridc)
requirements:
  - C(ovsdb-client) (openvswitch-common) and C(ovn-nbctl) (ovn-common) on the host that runs it (a central member).
extends_documentation_fragment:
  - tridc.ovn.ovn_db_tls
attributes:
  check_mode:
    support: full
    description: Checks the address and returns the commands in RV(commands) without running them.
  diff_mode:
    support: full
    description: Returns the port before and after.
  platform:
    support: full
    platforms: posix
    description: Runs on a host that reaches the DC's Northbound database, normally a central member (delegate_to).
options:
  switch:
    description: The logical switch (the plan's subnet name).
    type: str
    required: true
  name:
    description: The logical switch port name; the workload's interface on the chassis carries it as C(iface-id).
    type: str
    required: true
  mac:
    description: The workload's MAC address.
    type: str
  ip:
    description: The workload's fixed IP address (without prefix length).
    type: str
  state:
    description: V(absent) removes the port (only one this collection created).
    type: str
    choices: [present, absent]
    default: present
  database:
    description: The Northbound database. Defaults to the local unix socket C(unix:/var/run/ovn/ovnnb_db.sock).
    type: str
seealso:
  - module: tridc.ovn.ovn_switches
  - module: tridc.ovn.ovs_bridge
'''

EXAMPLES = r'''
- name: The VM's port on biz101 (Northbound, on a central member of its DC)
  tridc.ovn.ovn_port:
    switch: biz101
    name: vm-payments-01
    mac: "0a:58:0a:65:00:32"
    ip: 10.101.0.50
  delegate_to: "{{ tridc_plan.dcs[tridc_plan.scope.dc].central.members[0].host }}"

- name: Its tap on the chassis, bound to the port
  tridc.ovn.ovs_bridge:
    name: br-int
    ports:
      - name: tap-payments-01
        interface_external_ids: {iface-id: vm-payments-01}
'''

RETURN = r'''
commands:
  description: The ovn-nbctl commands of the write transaction (empty when nothing differs).
  returned: always
  type: list
  elements: list
port:
  description: The port after the run (switch, addresses, port_security); empty when absent.
  returned: always
  type: dict
'''

import ipaddress
import re

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.tridc.ovn.plugins.module_utils.ovn_ic import DB_ARGS, OvnDb, OvnIcError, apply_and_exit, as_list, ctl_value

OWNER_KEY = 'tridc-owner'
OWNER = 'tridc.ovn'
SUBNET_KEY = 'tridc-subnet'
MAC_RE = re.compile(r'^[0-9a-f]{2}(:[0-9a-f]{2}){5}$')


def excluded(spec, ip):
    """True when ``ip`` is in OVN's exclude_ips text (addresses and ``a..b`` ranges, space separated)."""
    for item in (spec or '').split():
        low, _sep, high = item.partition('..')
        try:
            if ipaddress.ip_address(low) <= ip <= ipaddress.ip_address(high or low):
                return True
        except ValueError:
            continue
    return False


def addresses_of(row):
    """Every IP a port holds: fixed (addresses) and dynamic (dynamic_addresses)."""
    out = set()
    for text in as_list(row.get('addresses')) + as_list(row.get('dynamic_addresses')):
        for word in str(text).split()[1:]:
            try:
                out.add(ipaddress.ip_address(word.split('/')[0]))
            except ValueError:
                continue
    return out


def main():
    argument_spec = dict(
        switch=dict(type='str', required=True),
        name=dict(type='str', required=True),
        mac=dict(type='str'),
        ip=dict(type='str'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
    )
    argument_spec.update(DB_ARGS)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True,
                           required_if=[('state', 'present', ('mac', 'ip'))])
    p = module.params
    label = 'port %s on switch %s' % (p['name'], p['switch'])
    problems = []
    mac = (p['mac'] or '').lower()
    ip = None
    if p['state'] == 'present':
        if not MAC_RE.match(mac):
            problems.append('mac %s is not a MAC address' % p['mac'])
        elif int(mac[:2], 16) & 1:
            problems.append('mac %s is a multicast address' % p['mac'])
        try:
            ip = ipaddress.ip_address(p['ip'])
        except ValueError:
            problems.append('ip %s is not an IP address (give it without prefix length)' % p['ip'])
    if problems:
        module.fail_json(msg='ovn_port: %s: %s' % (label, '; '.join(problems)), problems=problems)
    try:
        db = OvnDb.from_params(module, 'nb')
        snap = db.select_where([
            ('switch', 'Logical_Switch', [['name', '==', p['switch']]], ['name', 'ports', 'other_config']),
            ('port', 'Logical_Switch_Port', [['name', '==', p['name']]],
             ['name', 'addresses', 'port_security', 'external_ids', 'dhcpv4_options']),
            ('dhcp', 'DHCP_Options', [['external_ids', 'includes', ['map', [[OWNER_KEY, OWNER], [SUBNET_KEY, p['switch']]]]]],
             ['cidr'])])
        if len(snap['switch']) != 1:
            module.fail_json(msg='ovn_port: %s: %s' % (label, 'the switch does not exist (is the subnet in this DC, and has site.yml run?)'
                                                       if not snap['switch'] else '%d switches have that name' % len(snap['switch'])))
        switch = snap['switch'][0]
        port = snap['port'][0] if snap['port'] else None
        on_switch = port is not None and port['_uuid'] in as_list(switch['ports'])
        owned = port is not None and port['external_ids'].get(OWNER_KEY) == OWNER
        before = {}
        if port is not None:
            before = {'switch': p['switch'] if on_switch else '(another switch)', 'addresses': sorted(as_list(port['addresses'])),
                      'port_security': sorted(as_list(port['port_security'])),
                      'dhcp': 'yes' if as_list(port['dhcpv4_options']) else 'no'}
        # OVN's DHCP answer of the subnet (ovn_switches), when it has one: the port points at it
        dhcp = snap['dhcp'][0]['_uuid'] if len(snap['dhcp']) == 1 else None
        if port is not None and (not on_switch or not owned):
            why = 'is on another switch' if not on_switch else 'was not created by tridc.ovn (no external_ids:%s=%s)' % (OWNER_KEY, OWNER)
            module.fail_json(msg='ovn_port: %s: a port of that name %s; nothing was changed' % (label, why))
        cmds = []
        after = {}
        if p['state'] == 'absent':
            if port is not None:
                cmds.append(['lsp-del', p['name']])
        else:
            cidr = switch['other_config'].get('subnet')
            if not cidr:
                problems.append('the switch has no other_config:subnet (not a subnet switch of the plan)')
            elif ip not in ipaddress.ip_network(cidr, strict=False):
                problems.append('%s is outside the subnet %s' % (ip, cidr))
            elif excluded(switch['other_config'].get('exclude_ips'), ip):
                problems.append('%s is the gateway or in an excluded range of the subnet (exclude_ips: %s)'
                                % (ip, switch['other_config'].get('exclude_ips')))
            others = [u for u in as_list(switch['ports']) if port is None or u != port['_uuid']]
            if others and not problems:
                rows = db.select_where([('p', 'Logical_Switch_Port', [['_uuid', '==', ['uuid', u]]],
                                         ['name', 'addresses', 'dynamic_addresses']) for u in others])['p']
                holders = sorted(r['name'] for r in rows if ip in addresses_of(r))
                if holders:
                    problems.append('%s is already held by port %s' % (ip, ', '.join(holders)))
            if problems:
                module.fail_json(msg='ovn_port: %s: %s; nothing was changed' % (label, '; '.join(problems)), problems=problems)
            entry = '%s %s' % (mac, ip)
            after = {'switch': p['switch'], 'addresses': [entry], 'port_security': [entry], 'dhcp': 'yes' if dhcp else 'no'}
            if port is None:
                cmds.append(['lsp-add', p['switch'], p['name']])
                cmds.append(['set', 'Logical_Switch_Port', p['name'], 'external_ids:%s=%s' % (OWNER_KEY, ctl_value(OWNER))])
            if before.get('addresses') != [entry]:
                cmds.append(['lsp-set-addresses', p['name'], entry])
            if before.get('port_security') != [entry]:
                cmds.append(['lsp-set-port-security', p['name'], entry])
            have = as_list(port['dhcpv4_options']) if port is not None else []
            if dhcp and have != [dhcp]:
                cmds.append(['lsp-set-dhcpv4-options', p['name'], dhcp])
            elif not dhcp and have:
                cmds.append(['clear', 'Logical_Switch_Port', p['name'], 'dhcpv4_options'])
        apply_and_exit(module, db, cmds, before, after, port=after)
    except OvnIcError as exc:
        module.fail_json(**exc.fail_kwargs())


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: pki_ca
short_description: An ovs-pki CA signs the certificate requests of many hosts in one call
version_added: 0.3.0
description:
  - Makes the CA with C(ovs-pki init) when O(dir) has none, then signs each request that has no certificate
    yet (C(ovs-pki sign), one after the other, as ovs-pki keeps an index) and returns every certificate and the
    CA certificate.
  - A request is filed as C(NAME-HASH-req.pem) (HASH = the first 12 hex digits of the request's SHA-256), so a
    host's new key gets a new certificate and an unchanged request is never signed twice.
  - Runs once per batch of hosts on the CA host (the controller by default).
  - Trust by role (O(trust=by_role)) - C(ovs-pki init) makes two CAs. The holders named in O(control) (central
    and IC database members, the control plane) are signed by the control CA (C(controllerca)), every other holder
    (a chassis) by the chassis CA (C(switchca)). Clients trust the control CA only (RV(cacert)); the Southbound
    servers accept both (RV(sb_cacert)), where SB RBAC confines a chassis; every other server accepts the control
    CA only, so a chassis certificate is refused by the NB, the IC databases and the NB raft.
  - O(trust=single) is the trust of tridc.ovn before 0.4.0 - every holder signed by the chassis CA, which every
    server accepts. A running deployment keeps it until its certificates are moved (docs/control-plane.md).
  - With O(operator), also makes an operator key and certificate on the CA host (signed by the control CA), for
    C(ovn-nbctl) and C(ovn-ic-nbctl) from the operator's station.
author:
  - tridc.ovn developers (@tridc)
requirements:
  - C(ovs-pki) (Debian package openvswitch-common).
attributes:
  check_mode:
    support: full
    description: Reports the CA and the certificates it would make, and writes nothing; a certificate it would
      sign is returned empty.
  diff_mode:
    support: none
    description: The certificates are returned; no diff.
  platform:
    support: full
    platforms: posix
    description: Runs on the CA host (O(dir) is there).
options:
  dir:
    description: The CA directory (C(ovs-pki --dir)).
    type: path
    required: true
  key_bits:
    description: RSA key size of a new CA.
    type: int
    default: 2048
  requests:
    description: The requests to sign, each holder's name (its common name) to its request (PEM).
    type: dict
    default: {}
  control:
    description: The holders (names in O(requests)) of the control plane, signed by the control CA with O(trust=by_role).
    type: list
    elements: str
    default: []
  trust:
    description: C(by_role) (a CA for the control plane, another for the chassis) or C(single) (one CA for all).
    type: str
    choices: [by_role, single]
    default: by_role
  operator:
    description: The common name of an operator certificate to make on the CA host (under O(dir)/operators); empty for none.
    type: str
    default: ''
seealso:
  - module: tridc.ovn.pki_host
'''

EXAMPLES = r'''
- name: Sign the requests of every host of the batch
  tridc.ovn.pki_ca:
    dir: /var/lib/tridc-ovn/pki
    requests:
      dc1-n1: "{{ host_pki.request }}"
      dc1-c7: "{{ other_host_pki.request }}"
    control: [dc1-n1]
    operator: operator
  delegate_to: localhost
  run_once: true
'''

RETURN = r'''
certs:
  description: Each holder's certificate (PEM) by name; empty for one that check mode would sign.
  returned: always
  type: dict
cacert:
  description: The CA certificate clients verify servers with (PEM) - the control CA with O(trust=by_role), the
    chassis CA with O(trust=single); empty in check mode when the CA does not exist yet.
  returned: always
  type: str
sb_cacert:
  description: The CA certificates the Southbound servers accept (PEM bundle) - control and chassis CA with
    O(trust=by_role), the chassis CA with O(trust=single).
  returned: always
  type: str
chassis_cacert:
  description: The chassis CA certificate (PEM).
  returned: always
  type: str
operator:
  description: Paths on the CA host of the operator's key, certificate and CA certificate (O(operator) set).
  returned: when O(operator) is set
  type: dict
  sample: {key: /var/lib/tridc-ovn/pki/operators/operator-privkey.pem, cert: /var/lib/tridc-ovn/pki/operators/operator-cert.pem,
           cacert: /var/lib/tridc-ovn/pki/controllerca/cacert.pem}
changes:
  description: What was (or, in check mode, would be) done.
  returned: always
  type: list
  elements: str
'''

import hashlib
import os

from ansible.module_utils.basic import AnsibleModule


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return ''


def _sign(module, ca_dir, log, cwd, name, control):
    """ovs-pki signs NAME-req.pem in ``cwd`` (NAME-cert.pem next to it) with the control or the chassis CA."""
    module.run_command(['ovs-pki', '--batch', '--dir', ca_dir, '--log', log, 'sign', name,
                        'controller' if control else 'switch'], cwd=cwd, check_rc=True)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            dir=dict(type='path', required=True),
            key_bits=dict(type='int', default=2048),
            requests=dict(type='dict', default={}),
            control=dict(type='list', elements='str', default=[]),
            trust=dict(type='str', choices=['by_role', 'single'], default='by_role'),
            operator=dict(type='str', default=''),
        ),
        supports_check_mode=True,
    )
    p = module.params
    ca_dir, check, by_role = p['dir'], module.check_mode, p['trust'] == 'by_role'
    log = os.path.join(os.path.dirname(ca_dir.rstrip('/')), 'ovs-pki.log')
    requests_dir = os.path.join(ca_dir, 'requests')
    chassis_ca = os.path.join(ca_dir, 'switchca', 'cacert.pem')
    control_ca = os.path.join(ca_dir, 'controllerca', 'cacert.pem')
    changes = []
    unknown = sorted(set(p['control']) - set(p['requests']))
    if unknown:
        module.fail_json(msg='pki CA: control names without a request: %s' % ', '.join(unknown))

    if not os.path.exists(chassis_ca):
        changes.append('make the CA in %s' % ca_dir)
        if not check:
            os.makedirs(os.path.dirname(ca_dir.rstrip('/')) or '/', mode=0o700, exist_ok=True)
            module.run_command(['ovs-pki', '--dir', ca_dir, '--log', log, '--bits', str(p['key_bits']),
                                'init'], check_rc=True)
    if not check or os.path.isdir(ca_dir):
        if not os.path.isdir(requests_dir):
            if not check:
                os.makedirs(requests_dir, mode=0o700)

    certs = {}
    for name, pem in sorted(p['requests'].items()):
        if not isinstance(pem, str) or '-----BEGIN CERTIFICATE REQUEST-----' not in pem:
            module.fail_json(msg='pki CA: the request of %s is not a PEM certificate request' % name)
        control = by_role and name in p['control']
        # the chassis CA's files keep the name they had before trust by role (a CA made earlier signs nothing again)
        filed = '%s-%s%s' % (name, 'control-' if control else '', hashlib.sha256(pem.encode()).hexdigest()[:12])
        cert = _read(os.path.join(requests_dir, filed + '-cert.pem'))
        if not cert:
            changes.append('sign the request of %s (%s CA)' % (name, 'control' if control else 'chassis'))
            if not check:
                req_path = os.path.join(requests_dir, filed + '-req.pem')
                with open(os.open(req_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'w') as f:
                    f.write(pem)
                _sign(module, ca_dir, log, requests_dir, filed, control)
                cert = _read(os.path.join(requests_dir, filed + '-cert.pem'))
        certs[name] = cert

    result = dict(certs=certs, chassis_cacert=_read(chassis_ca))
    result['cacert'] = _read(control_ca) if by_role else result['chassis_cacert']
    result['sb_cacert'] = (result['cacert'] + result['chassis_cacert']) if by_role else result['chassis_cacert']

    if p['operator']:
        ops = os.path.join(ca_dir, 'operators')
        name = p['operator']
        paths = dict(key=os.path.join(ops, name + '-privkey.pem'), cert=os.path.join(ops, name + '-cert.pem'),
                     cacert=control_ca if by_role else chassis_ca)
        if not os.path.exists(paths['cert']):
            changes.append('make the operator certificate %s (%s CA)' % (name, 'control' if by_role else 'chassis'))
            if not check:
                os.makedirs(ops, mode=0o700, exist_ok=True)
                for stale in (paths['key'], os.path.join(ops, name + '-req.pem')):
                    if os.path.exists(stale):
                        os.unlink(stale)
                module.run_command(['ovs-pki', '--bits', str(p['key_bits']), '--log', log, 'req', name],
                                   cwd=ops, check_rc=True)
                _sign(module, ca_dir, log, ops, name, by_role)
        result['operator'] = paths

    module.exit_json(changed=bool(changes), changes=changes, **result)


if __name__ == '__main__':
    main()

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
seealso:
  - module: tridc.ovn.pki_host
'''

EXAMPLES = r'''
- name: Sign the requests of every host of the batch
  tridc.ovn.pki_ca:
    dir: /var/lib/tridc-ovn/pki
    requests:
      dc1-n1: "{{ host_pki.request }}"
  delegate_to: localhost
  run_once: true
'''

RETURN = r'''
certs:
  description: Each holder's certificate (PEM) by name; empty for one that check mode would sign.
  returned: always
  type: dict
cacert:
  description: The CA certificate (PEM); empty in check mode when the CA does not exist yet.
  returned: always
  type: str
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


def main():
    module = AnsibleModule(
        argument_spec=dict(
            dir=dict(type='path', required=True),
            key_bits=dict(type='int', default=2048),
            requests=dict(type='dict', default={}),
        ),
        supports_check_mode=True,
    )
    ca_dir, check = module.params['dir'], module.check_mode
    log = os.path.join(os.path.dirname(ca_dir.rstrip('/')), 'ovs-pki.log')
    requests_dir = os.path.join(ca_dir, 'requests')
    cacert_path = os.path.join(ca_dir, 'switchca', 'cacert.pem')
    changes = []

    if not os.path.exists(cacert_path):
        changes.append('make the CA in %s' % ca_dir)
        if not check:
            os.makedirs(os.path.dirname(ca_dir.rstrip('/')) or '/', mode=0o700, exist_ok=True)
            module.run_command(['ovs-pki', '--dir', ca_dir, '--log', log, '--bits', str(module.params['key_bits']),
                                'init'], check_rc=True)
    if not check or os.path.isdir(ca_dir):
        if not os.path.isdir(requests_dir):
            if not check:
                os.makedirs(requests_dir, mode=0o700)

    certs = {}
    for name, pem in sorted(module.params['requests'].items()):
        if not isinstance(pem, str) or '-----BEGIN CERTIFICATE REQUEST-----' not in pem:
            module.fail_json(msg='pki CA: the request of %s is not a PEM certificate request' % name)
        filed = '%s-%s' % (name, hashlib.sha256(pem.encode()).hexdigest()[:12])
        cert_path = os.path.join(requests_dir, filed + '-cert.pem')
        cert = _read(cert_path)
        if not cert:
            changes.append('sign the request of %s' % name)
            if not check:
                req_path = os.path.join(requests_dir, filed + '-req.pem')
                with open(os.open(req_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'w') as f:
                    f.write(pem)
                module.run_command(['ovs-pki', '--batch', '--dir', ca_dir, '--log', log, 'sign', filed, 'switch'],
                                   cwd=requests_dir, check_rc=True)
                cert = _read(cert_path)
        certs[name] = cert

    module.exit_json(changed=bool(changes), changes=changes, certs=certs, cacert=_read(cacert_path))


if __name__ == '__main__':
    main()

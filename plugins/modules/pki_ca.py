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
    yet (C(openssl ca) with the CA's ovs-pki configuration, as C(ovs-pki sign) does, one after the other, as
    the CA keeps an index) and returns every certificate and the
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
  - Certificates are valid for O(cert_days). A host renews its certificate with a new key and request
    (M(tridc.ovn.pki_host), its O(tridc.ovn.pki_host#module:renew_days)), which this module signs like any new
    request - the OVN daemons load a new certificate only with a new key. The operator certificate on the CA host is made
    again once it expires within O(renew_days).
  - CA rotation (O(rotation)), in three steps that a caller runs on every host in turn - C(trust) makes a next CA
    pair under O(dir)/next which every host is to trust beside the current one (the returned bundles hold both);
    C(sign) makes the next CA sign every request (refused while a host in O(installed) does not trust it yet);
    C(finish) retires the current CA to O(dir)/retired/TIMESTAMP and makes the next one the CA (refused while a
    host in O(requests) has not installed its certificate of the next CA). The step reached is kept in
    O(dir)/rotation, so that a run with C(keep) (a rollout in the middle of a rotation) signs and trusts as the
    rotation does. A certificate of a retired CA, like that of a member removed before the rotation, is no longer
    accepted by any host once the hosts have installed the bundles of C(finish).
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
  cert_days:
    description: Lifetime in days of the certificates the CA signs (not of the CA itself, which C(ovs-pki init) makes
      for ten years and O(rotation) replaces).
    type: int
    default: 365
  renew_days:
    description: The operator certificate is made again (new key) once it expires within this many days.
    type: int
    default: 120
  rotation:
    description: The CA rotation step to take - C(keep) (none; follow the step O(dir) is in), C(trust), C(sign)
      or C(finish); see the description.
    type: str
    choices: [keep, trust, sign, finish]
    default: keep
  installed:
    description: What the holders have installed, one item a holder with its C(cn), C(cert) and C(cacert) (PEM),
      as M(tridc.ovn.pki_host) returns them (other keys are ignored); the C(sign) and C(finish) steps check it.
    type: list
    elements: dict
    default: []
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

- name: First step of a CA rotation - every host is to trust a next CA too
  tridc.ovn.pki_ca:
    dir: /var/lib/tridc-ovn/pki
    rotation: trust
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
next_cacert:
  description: The next CA's certificates (control and chassis, PEM) while a rotation is under way, else empty; what
    M(tridc.ovn.pki_host) checks a host's certificate against in the sign step (its
    O(tridc.ovn.pki_host#module:issuers)).
  returned: always
  type: str
rotation_phase:
  description: The CA rotation step O(dir) is in after the call - C(trust), C(sign), or empty when no rotation is
    under way.
  returned: always
  type: str
changes:
  description: What was (or, in check mode, would be) done.
  returned: always
  type: list
  elements: str
'''

import datetime
import hashlib
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.tridc.ovn.plugins.module_utils.pki import openssl as _openssl, read_text as _read

PHASES = ('trust', 'sign')


def _write(path, text, mode=0o600):
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode), 'w') as f:
        f.write(text)


def _certs_in(pem):
    """The certificates of a PEM text (a bundle or one), each ending with its END line."""
    end = '-----END CERTIFICATE-----'
    return [part.split('-----BEGIN CERTIFICATE-----', 1)[-1].strip() for part in pem.split(end) if 'BEGIN' in part]


class CA(object):
    """One generation of the ovs-pki CA pair under ``root`` (controllerca, switchca, requests, operators)."""

    def __init__(self, module, root, log, days):
        self.module, self.root, self.log, self.days = module, root, log, days
        self.requests = os.path.join(root, 'requests')
        self.operators = os.path.join(root, 'operators')

    def cacert_path(self, control):
        return os.path.join(self.root, 'controllerca' if control else 'switchca', 'cacert.pem')

    def cacert(self, control):
        return _read(self.cacert_path(control))

    def exists(self):
        return os.path.exists(self.cacert_path(False))

    def init(self, bits):
        os.makedirs(os.path.dirname(self.root) or '/', mode=0o700, exist_ok=True)  # ovs-pki makes the root itself
        self.module.run_command(['ovs-pki', '--dir', self.root, '--log', self.log, '--bits', str(bits), 'init'],
                                check_rc=True, expand_user_and_vars=False)

    def sign(self, req_path, cert_path, control):
        """openssl ca with the CA's own ca.cnf (as C(ovs-pki sign) does) and the lifetime asked for."""
        tmp = cert_path + '.tmp'
        self.module.run_command(['openssl', 'ca', '-config', 'ca.cnf', '-extensions', 'usr_cert', '-batch', '-notext',
                                 '-days', str(self.days), '-in', req_path, '-out', tmp],
                                cwd=os.path.dirname(self.cacert_path(control)), check_rc=True, expand_user_and_vars=False)
        os.rename(tmp, cert_path)
        return _read(cert_path)


def _expires_within(module, cert, days):
    return _openssl(module, ['x509', '-noout', '-checkend', str(days * 86400)], cert)[0] != 0


def _same_key(module, cert, request):
    """Whether a certificate and a request hold the same public key."""
    keys = [out.strip() if rc == 0 else None for rc, out in (_openssl(module, ['x509', '-noout', '-pubkey'], cert),
                                                             _openssl(module, ['req', '-noout', '-pubkey'], request))]
    return keys[0] is not None and keys[0] == keys[1]


def main():
    module = AnsibleModule(
        argument_spec=dict(
            dir=dict(type='path', required=True),
            key_bits=dict(type='int', default=2048),
            requests=dict(type='dict', default={}),
            control=dict(type='list', elements='str', default=[]),
            trust=dict(type='str', choices=['by_role', 'single'], default='by_role'),
            operator=dict(type='str', default=''),
            cert_days=dict(type='int', default=365),
            renew_days=dict(type='int', default=120),
            rotation=dict(type='str', choices=['keep', 'trust', 'sign', 'finish'], default='keep'),
            installed=dict(type='list', elements='dict', default=[]),
        ),
        supports_check_mode=True,
    )
    p = module.params
    ca_dir, check, by_role = p['dir'].rstrip('/'), module.check_mode, p['trust'] == 'by_role'
    log = os.path.join(os.path.dirname(ca_dir), 'ovs-pki.log')
    changes, problems = [], []
    unknown = sorted(set(p['control']) - set(p['requests']))
    if unknown:
        problems.append('control names without a request: %s' % ', '.join(unknown))
    if p['cert_days'] < 2:
        problems.append('cert_days must be at least 2 (got %d)' % p['cert_days'])
    if not 0 <= p['renew_days'] < p['cert_days']:
        problems.append('renew_days must be at least 0 and less than cert_days (got %d and %d)'
                        % (p['renew_days'], p['cert_days']))
    for name, pem in sorted(p['requests'].items()):
        if not isinstance(pem, str) or '-----BEGIN CERTIFICATE REQUEST-----' not in pem:
            problems.append('the request of %s is not a PEM certificate request' % name)
    if problems:
        module.fail_json(msg='pki CA: ' + '; '.join(problems))

    installed = dict((item.get('cn'), item) for item in p['installed'])
    current = CA(module, ca_dir, log, p['cert_days'])
    nxt = CA(module, os.path.join(ca_dir, 'next'), log, p['cert_days'])
    phase_file = os.path.join(ca_dir, 'rotation')
    phase = _read(phase_file).strip() if nxt.exists() else ''
    if nxt.exists() and phase not in PHASES:
        phase = 'trust'  # a next CA without its phase file: trusted, not signing

    if not current.exists():
        changes.append('make the CA in %s' % ca_dir)
        if not check:
            current.init(p['key_bits'])

    def client_ca(ca):  # what clients verify servers with: the control CA (by role) or the one CA (single)
        return ca.cacert(by_role)

    # rotation: trust (a next CA every host trusts too) -> sign (the next CA signs) -> finish (the next CA is the CA)
    rotation = p['rotation']
    if rotation == 'trust' and not nxt.exists():
        changes.append('make the next CA in %s (trusted beside the current one, signing nothing yet)' % nxt.root)
        if not check:
            nxt.init(p['key_bits'])
            _write(phase_file, 'trust\n')
        phase = 'trust'
    if rotation == 'sign' and phase != 'sign':
        if not nxt.exists():
            module.fail_json(msg='pki CA: rotation sign needs the trust step first (rotation: trust), so that every '
                                 'host trusts the next CA before any presents a certificate of it; nothing was changed')
        late = sorted(n for n, inst in installed.items()
                      if _certs_in(client_ca(nxt))[0] not in _certs_in((inst or {}).get('cacert') or ''))
        if late:
            module.fail_json(msg='pki CA: rotation sign: these hosts do not trust the next CA yet: %s (run the trust '
                                 'step on them first); nothing was changed' % ', '.join(late))
        changes.append('the next CA signs from now on')
        if not check:
            _write(phase_file, 'sign\n')
        phase = 'sign'
    if rotation == 'finish' and nxt.exists() and phase != 'sign':
        module.fail_json(msg='pki CA: rotation finish needs the sign step first (rotation: sign); nothing was changed')

    signer = nxt if phase == 'sign' else current
    if not check and not os.path.isdir(signer.requests):
        os.makedirs(signer.requests, mode=0o700)

    certs, left_behind = {}, []
    for name, pem in sorted(p['requests'].items()):
        control = by_role and name in p['control']
        # the chassis CA's files keep the name they had before trust by role (a CA made earlier signs nothing again)
        filed = '%s-%s%s' % (name, 'control-' if control else '', hashlib.sha256(pem.encode()).hexdigest()[:12])
        cert_path = os.path.join(signer.requests, filed + '-cert.pem')
        cert = _read(cert_path)
        what = '%s CA%s' % ('control' if control else 'chassis', ', next' if signer is nxt else '')
        held = (installed.get(name) or {}).get('cert') or ''
        if not cert and signer is nxt and held and (rotation != 'sign' or _same_key(module, held, pem)):
            # a host that has a certificate moves to the next CA in the sign step, with a new key (the only way its
            # daemons load a new certificate): a rollout in the middle of a rotation, or a request of the key the
            # host has, leaves it as it is
            certs[name] = held
            left_behind.append(name)
            continue
        if not cert:
            changes.append('sign the request of %s (%s)' % (name, what))
        if not cert and not check:
            req_path = os.path.join(signer.requests, filed + '-req.pem')
            _write(req_path, pem)
            cert = signer.sign(req_path, cert_path, control)
        certs[name] = cert

    operator_paths = None
    if p['operator']:
        name = p['operator']
        paths = dict(key=os.path.join(signer.operators, name + '-privkey.pem'),
                     cert=os.path.join(signer.operators, name + '-cert.pem'),
                     cacert=signer.cacert_path(by_role))
        cert = _read(paths['cert'])
        if not cert or _expires_within(module, cert, p['renew_days']):
            changes.append('%s the operator certificate %s (%s CA%s)'
                           % ('renew' if cert else 'make', name, 'control' if by_role else 'chassis',
                              ', next' if signer is nxt else ''))
            if not check:
                os.makedirs(signer.operators, mode=0o700, exist_ok=True)
                for stale in (paths['key'], os.path.join(signer.operators, name + '-req.pem'), paths['cert']):
                    if os.path.exists(stale):
                        os.unlink(stale)
                module.run_command(['ovs-pki', '--bits', str(p['key_bits']), '--log', log, 'req', name],
                                   cwd=signer.operators, check_rc=True, expand_user_and_vars=False)
                signer.sign(os.path.join(signer.operators, name + '-req.pem'), paths['cert'], by_role)
        operator_paths = paths

    if rotation == 'finish' and nxt.exists():
        behind = sorted(n for n in p['requests'] if n in left_behind or not certs.get(n)
                        or (installed.get(n) or {}).get('cert') != certs[n])
        if behind:
            module.fail_json(msg='pki CA: rotation finish: these hosts do not have their certificate of the next CA '
                                 'installed: %s (run the sign step on them first); the current CA is kept, nothing '
                                 'was changed' % ', '.join(behind))
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime('%Y%m%dT%H%M%SZ')
        retired = os.path.join(ca_dir, 'retired', stamp)
        changes.append('retire the current CA to %s; the next CA becomes the CA' % retired)
        if not check:
            os.makedirs(retired, mode=0o700)
            for part in ('controllerca', 'switchca', 'requests', 'operators'):
                if os.path.exists(os.path.join(ca_dir, part)):
                    os.rename(os.path.join(ca_dir, part), os.path.join(retired, part))
            for part in sorted(os.listdir(nxt.root)):
                os.rename(os.path.join(nxt.root, part), os.path.join(ca_dir, part))
            os.unlink(phase_file)
            os.rmdir(nxt.root)
            if operator_paths:
                operator_paths = {k: v.replace(nxt.root, ca_dir, 1) for k, v in operator_paths.items()}
        # the hosts trust the (former next) CA alone from now on; in check mode its files are still under next/
        trusted = [nxt if check else current]
        phase = ''
    else:
        trusted = [current] + ([nxt] if nxt.exists() else [])

    result = dict(certs=certs, rotation_phase=phase,
                  next_cacert='' if rotation == 'finish' else nxt.cacert(True) + nxt.cacert(False))
    result['chassis_cacert'] = ''.join(ca.cacert(False) for ca in trusted)
    result['cacert'] = ''.join(client_ca(ca) for ca in trusted)
    result['sb_cacert'] = (''.join(ca.cacert(True) for ca in trusted) + result['chassis_cacert']) if by_role \
        else result['chassis_cacert']
    if operator_paths:
        result['operator'] = operator_paths
    module.exit_json(changed=bool(changes), changes=changes, **result)


if __name__ == '__main__':
    main()

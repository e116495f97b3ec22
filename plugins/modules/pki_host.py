#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: pki_host
short_description: A host's TLS key, certificate request and installed certificates, in one call
version_added: 0.3.0
description:
  - Makes the key directory (C(0700 root:root)), and, when the host has no key, the private key and certificate
    request with C(ovs-pki req) (the key never leaves the host); the key is C(0600 root:root).
  - Returns the certificate request and the certificate and CA certificate installed now, so that a CA
    (M(tridc.ovn.pki_ca)) can sign the request and the caller install the result only when it differs.
  - With O(cert) and O(cacert), installs them (atomically, C(0644)) where they differ from the files on the host.
  - A new key for a new certificate - the OVN daemons and ovsdb-server load a new certificate only together with a
    new key (they look at the certificate file only once the key file changed). When the installed certificate
    expires within O(renew_days), or was not issued by one of O(issuers), the host makes a next key and request
    (in O(dir)/next, once) and returns that request; once O(cert) is the certificate of the next key, it is
    installed first and the next key moved in place after it, so that a daemon that looks in between still sees
    the old pair.
  - One call per host does the whole host side of a run that changes nothing.
author:
  - tridc.ovn developers (@tridc)
requirements:
  - C(ovs-pki) (Debian package openvswitch-common) when the host has no key yet.
attributes:
  check_mode:
    support: full
    description: Reports the directory, key and certificate files it would make or replace, and writes nothing.
  diff_mode:
    support: full
    description: Lists the files before and after (certificates by their SHA-256; the key never appears).
  platform:
    support: full
    platforms: posix
    description: Runs on the host that gets the certificate; C(root) (the key is C(0600 root:root)).
options:
  dir:
    description: Directory of the key and certificates.
    type: path
    required: true
  cn:
    description: Common name; the files are C(CN-privkey.pem), C(CN-req.pem) and C(CN-cert.pem), plus C(cacert.pem).
    type: str
    required: true
  key_bits:
    description: RSA key size of a new key.
    type: int
    default: 2048
  cert:
    description: The signed certificate (PEM) to install as C(CN-cert.pem). Omit to only read.
    type: str
  cacert:
    description: The CA certificate (PEM) to install as C(cacert.pem) - what the host's clients verify servers with,
      and what its servers other than the Southbound accept. Omit to only read.
    type: str
  sb_cacert:
    description: The CA certificates (PEM bundle) to install as C(sb-cacert.pem) - what a Southbound server on the
      host accepts (central members). Omit to only read.
    type: str
  renew_days:
    description: Make a next key and request when the installed certificate expires within this many days.
    type: int
    default: 120
  issuers:
    description: CA certificates (PEM bundle); make a next key and request when the installed certificate was not
      issued by one of them (a CA rotation's sign step). Empty for no such check.
    type: str
    default: ''
seealso:
  - module: tridc.ovn.pki_ca
'''

EXAMPLES = r'''
- name: Key and request on the host; what it has installed
  tridc.ovn.pki_host:
    dir: /etc/ovn/pki
    cn: dc1-n1
  register: host_pki

- name: Install what the CA signed
  tridc.ovn.pki_host:
    dir: /etc/ovn/pki
    cn: dc1-n1
    cert: "{{ signed_cert }}"
    cacert: "{{ ca_cert }}"
'''

RETURN = r'''
cn:
  description: The common name (O(cn)), so that a CA task run once for a batch finds each host's request.
  returned: always
  type: str
request:
  description: The certificate request (PEM) to sign - that of the next key when the host makes one (renewal,
    rotation), else that of the key; empty in check mode when the key does not exist yet.
  returned: always
  type: str
cert:
  description: The certificate installed after the call (PEM), empty when none.
  returned: always
  type: str
cacert:
  description: The CA certificate installed after the call (PEM), empty when none.
  returned: always
  type: str
sb_cacert:
  description: The Southbound servers' CA bundle installed after the call (PEM), empty when none.
  returned: always
  type: str
key:
  description: Path of the private key.
  returned: always
  type: str
  sample: /etc/ovn/pki/dc1-n1-privkey.pem
changes:
  description: What was (or, in check mode, would be) done.
  returned: always
  type: list
  elements: str
  sample: ["make the key directory /etc/ovn/pki", "make the key and request of dc1-n1"]
renewing:
  description: Why the host makes or holds a next key (empty when it does not) - the certificate expires soon, or was
    not issued by O(issuers).
  returned: always
  type: str
'''

import hashlib
import os
import stat
import tempfile

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.tridc.ovn.plugins.module_utils.pki import openssl as _openssl, read_text as _read


def _digest(text):
    return ('sha256:' + hashlib.sha256(text.encode()).hexdigest()[:16]) if text else '(none)'


def _write(module, path, content, mode):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix='.tridc-pki-')
    with os.fdopen(fd, 'w') as f:
        f.write(content)
    os.chmod(tmp, mode)
    os.chown(tmp, 0, 0)
    module.atomic_move(tmp, path)


def _root_only(path, mode, change, changes, check):
    """``path`` owned by root:root with ``mode``; records ``change`` when it was not (and, unless ``check``, fixes it)."""
    st = os.stat(path)
    if stat.S_IMODE(st.st_mode) != mode or st.st_uid != 0 or st.st_gid != 0:
        changes.append(change)
        if not check:
            os.chown(path, 0, 0)
            os.chmod(path, mode)


def _pubkey_of_cert(module, cert):
    rc, out = _openssl(module, ['x509', '-noout', '-pubkey'], cert)
    return out.strip() if rc == 0 else ''


def _pubkey_of_key(module, path):
    rc, out, _err = module.run_command(['openssl', 'pkey', '-pubout', '-in', path], expand_user_and_vars=False)
    return out.strip() if rc == 0 else ''


def _issued_by(module, issuers, cert):
    fd, path = tempfile.mkstemp(prefix='.tridc-pki-issuers-')
    try:
        with os.fdopen(fd, 'w') as f:
            f.write(issuers)
        rc, _out = _openssl(module, ['verify', '-CAfile', path], cert)
        return rc == 0
    finally:
        os.unlink(path)


def _make_key(module, where, cn, bits):
    req = os.path.join(where, '%s-req.pem' % cn)
    if os.path.exists(req):  # a request left without its key is worthless
        os.unlink(req)
    module.run_command(['ovs-pki', '--unique', '--bits', str(bits), '--log', os.path.join(where, 'ovs-pki.log'),
                        'req', cn], cwd=where, check_rc=True, expand_user_and_vars=False)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            dir=dict(type='path', required=True),
            cn=dict(type='str', required=True),
            key_bits=dict(type='int', default=2048),
            cert=dict(type='str'),
            cacert=dict(type='str'),
            sb_cacert=dict(type='str'),
            renew_days=dict(type='int', default=120),
            issuers=dict(type='str', default=''),
        ),
        supports_check_mode=True,
    )
    p = module.params
    pki_dir, cn, check = p['dir'], p['cn'], module.check_mode
    key = os.path.join(pki_dir, '%s-privkey.pem' % cn)
    req = os.path.join(pki_dir, '%s-req.pem' % cn)
    next_dir = os.path.join(pki_dir, 'next')
    next_key, next_req = os.path.join(next_dir, '%s-privkey.pem' % cn), os.path.join(next_dir, '%s-req.pem' % cn)
    files = {'cert': os.path.join(pki_dir, '%s-cert.pem' % cn), 'cacert': os.path.join(pki_dir, 'cacert.pem'),
             'sb_cacert': os.path.join(pki_dir, 'sb-cacert.pem')}
    changes = []
    before = {}
    after = {}

    if not os.path.isdir(pki_dir):
        changes.append('make the key directory %s' % pki_dir)
        if not check:
            os.makedirs(pki_dir, mode=0o700)
    if os.path.isdir(pki_dir):
        _root_only(pki_dir, 0o700, 'make %s 0700 root:root' % pki_dir, changes, check)

    request = ''
    if not os.path.exists(key):
        changes.append('make the key and request of %s' % cn)
        before['key'], after['key'] = 'absent', 'present'
        if not check:
            _make_key(module, pki_dir, cn, p['key_bits'])
    if os.path.exists(key):
        _root_only(key, 0o600, 'make the key of %s 0600 root:root' % cn, changes, check)
        request = _read(req)
        if not request:
            module.fail_json(msg='pki on this host: %s exists but its certificate request %s does not; remove the '
                                 'key to make a new pair' % (key, req))

    installed = {name: _read(path) for name, path in files.items()}
    # renewal and rotation: a next key, made once, whose request replaces the key's until its certificate is in place
    renewing = ''
    if installed['cert']:
        rc, _out = _openssl(module, ['x509', '-noout', '-checkend', str(p['renew_days'] * 86400)], installed['cert'])
        if rc != 0:
            renewing = 'the certificate expires within %d days' % p['renew_days']
        elif p['issuers'] and not _issued_by(module, p['issuers'], installed['cert']):
            renewing = 'the certificate is not of the CA that signs now'
    if renewing or os.path.exists(next_key):
        renewing = renewing or 'a next key is waiting for its certificate'
        if not os.path.exists(next_key):
            changes.append('make the next key and request of %s (%s)' % (cn, renewing))
            before['next_key'], after['next_key'] = 'absent', 'present'
            if not check:
                if not os.path.isdir(next_dir):
                    os.makedirs(next_dir, mode=0o700)
                _make_key(module, next_dir, cn, p['key_bits'])
        if os.path.exists(next_key):
            _root_only(next_key, 0o600, 'make the next key of %s 0600 root:root' % cn, changes, check)
            request = _read(next_req)

    swap_key = False
    wanted_cert = p['cert']
    if wanted_cert is not None and os.path.exists(next_key) and wanted_cert != installed['cert']:
        cert_key = _pubkey_of_cert(module, wanted_cert)
        if cert_key and cert_key == _pubkey_of_key(module, next_key):
            swap_key = True
        elif cert_key != _pubkey_of_key(module, key):
            module.fail_json(msg='pki on this host: the certificate given for %s is neither of its key nor of its next '
                                 'key; nothing was installed' % cn)

    # the certificate before the key: a daemon looks at the certificate file only after the key file changed
    for name, path in files.items():
        wanted = p[name]
        if wanted is None or wanted == installed[name]:
            continue
        changes.append('install %s' % path)
        before[name], after[name] = _digest(installed[name]), _digest(wanted)
        if not check:
            _write(module, path, wanted, 0o644)
        installed[name] = wanted
    if swap_key:
        changes.append('put the next key of %s in place' % cn)
        before['key'], after['key'] = 'current', 'next'
        if not check:
            os.rename(next_req, req)
            os.rename(next_key, key)
            for leftover in os.listdir(next_dir):
                os.unlink(os.path.join(next_dir, leftover))
            os.rmdir(next_dir)
        renewing, request = '', _read(req) or request

    result = dict(changed=bool(changes), changes=changes, cn=cn, request=request, key=key, renewing=renewing,
                  cert=installed['cert'], cacert=installed['cacert'], sb_cacert=installed['sb_cacert'])
    if module._diff:
        result['diff'] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == '__main__':
    main()

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real secret material and a search for any trace of it in a log (security issue, item 5).

``SecretMaterial`` makes fresh credentials with the ``cryptography`` package (a dependency of ansible-core):
an EC private key (PEM, and base64 of the PEM as kubeconfigs carry it), a client certificate for it, a bearer
token and a password. ``find_traces(text, material)`` looks for each secret in the text as a whole, in every
window of ``WINDOW`` characters (a truncated or wrapped copy), after base64 decoding (the PEM lines of a
``client-key-data``) and in the forms JSON, YAML and Python reprs escape them to.

Used by tests/unit/kube_ovn/test_no_secret_in_logs.py; a case for another role (tridc.ovn.pki with a supplied
key) adds its runner there and checks its output with the same ``find_traces``.
"""

from __future__ import annotations

import base64
import datetime
import json
import secrets

WINDOW = 24


class SecretMaterial(object):
    def __init__(self, cn="tridc-secret-test"):
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        self.key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption()).decode()
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now)
                .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
        self.cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
        self.key_data = base64.b64encode(self.key_pem.encode()).decode()
        self.token = "tridc-" + secrets.token_urlsafe(32)
        self.password = "pw-" + secrets.token_hex(12)

    def public(self):
        """The certificate's PEM body on one line: public, whatever it shares with the key."""
        return "".join(line for line in self.cert_pem.splitlines() if not line.startswith("-----"))

    def secrets(self):
        """{label: secret string}; the certificate is public and not listed."""
        body = "".join(line for line in self.key_pem.splitlines() if not line.startswith("-----"))
        return {"private key (PEM body)": body, "private key (base64 of the PEM)": self.key_data,
                "bearer token": self.token, "password": self.password}

    def kubeconfig(self, server="https://127.0.0.1:9"):
        return {
            "apiVersion": "v1", "kind": "Config", "current-context": "dc1",
            "clusters": [{"name": "dc1", "cluster": {"server": server, "insecure-skip-tls-verify": True}}],
            "contexts": [{"name": "dc1", "context": {"cluster": "dc1", "user": "tridc-admin"}}],
            "users": [{"name": "tridc-admin", "user": {
                "token": self.token,
                "client-key-data": self.key_data,
                "client-certificate-data": base64.b64encode(self.cert_pem.encode()).decode(),
                "username": "tridc-admin", "password": self.password}}],
        }


def _forms(secret):
    yield secret
    yield json.dumps(secret)[1:-1]
    yield repr(secret)[1:-1]
    yield secret.replace("\n", "\\n")


def find_traces(text, material):
    """[(label, what was found)] for every secret of ``material`` with a trace in ``text``. A window that is also in
    the material's public part (``material.public()``: an EC private key carries its public point, which the
    certificate carries too, and their base64 lines up when the two DER offsets agree modulo 3) is not a trace."""
    public = material.public() if hasattr(material, "public") else ""
    found = []
    for label, secret in material.secrets().items():
        hit = None
        for form in _forms(secret):
            if form in text:
                hit = "the whole value"
                break
            for start in range(0, max(1, len(form) - WINDOW + 1), WINDOW // 2):
                window = form[start:start + WINDOW]
                if len(window) == WINDOW and window in text and window not in public:
                    hit = "the %d characters %r" % (WINDOW, window)
                    break
            if hit:
                break
        if hit is None and label.startswith("private key (base64"):
            # a decoded copy of the kubeconfig's client-key-data
            for line in base64.b64decode(secret).decode().splitlines():
                if not line.startswith("-----") and len(line) >= WINDOW and line in text:
                    hit = "a decoded PEM line"
                    break
        if hit:
            found.append((label, hit))
    return found


def count_traces(text, material):
    """How many times any of the secrets (whole, or a PEM line of the key) occurs in ``text``: the figure reported
    old vs new."""
    needles = set(material.secrets().values())
    needles.update(line for line in material.key_pem.splitlines() if not line.startswith("-----") and len(line) >= WINDOW)
    return sum(text.count(n) for n in needles)

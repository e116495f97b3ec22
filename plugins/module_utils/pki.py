# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared code of the tridc.ovn pki modules (pki_ca on the CA host, pki_host on each host)."""

from __future__ import annotations


def read_text(path):
    """A file's text, or '' when it does not exist."""
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return ''


def openssl(module, argv, pem):
    """openssl with a PEM text on its standard input: (rc, stdout)."""
    rc, out, _err = module.run_command(['openssl'] + argv, data=pem, binary_data=True, expand_user_and_vars=False)
    return rc, out

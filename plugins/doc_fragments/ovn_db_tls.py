# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options shared by the modules that reach an OVN database (module_utils/ovn_ic.py DB_ARGS)."""

from __future__ import annotations


class ModuleDocFragment(object):  # pylint: disable=too-few-public-methods
    """TLS client files and timeout of a connection to an OVN database."""

    DOCUMENTATION = r'''
options:
  private_key:
    description: TLS private key, needed when O(database) is an C(ssl:) remote.
    type: path
  certificate:
    description: TLS certificate for an C(ssl:) remote.
    type: path
  ca_cert:
    description: CA certificate for an C(ssl:) remote.
    type: path
  timeout:
    description: Seconds to wait for the database.
    type: int
    default: 30
'''

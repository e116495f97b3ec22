# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared code of the tridc.ovn interconnection and DR routing modules.

* :class:`OvnDb` - one OVN database (NB, SB, IC-NB, IC-SB) reached through a unix socket or TLS:
  :meth:`OvnDb.select` reads any set of tables with ONE read-only ``ovsdb-client transact``
  (a consistent snapshot), :meth:`OvnDb.ctl` runs ONE ``ovn-*ctl`` invocation whose commands are
  separated by ``--`` (one atomic transaction), :meth:`OvnDb.transact` runs one raw transaction.
* :func:`from_ovsdb` - OVSDB JSON values (``["uuid", ..]``, ``["set", ..]``, ``["map", ..]``) to Python.
* :func:`ctl_value` / :func:`ctl_map` - values for ``ovn-*ctl`` generic commands (quoted strings).
* :func:`norm_prefix` - ``10.210.1.1/24`` -> ``10.210.1.0/24`` (ovn-ic copies interface addresses).

Commands are always argv lists, never shell strings.
"""

from __future__ import annotations

import ipaddress
import json
import time

from ansible_collections.tridc.ovn.plugins.module_utils.ovs import OvsError, as_list, as_optional, decode_datum  # noqa: F401 pylint: disable=unused-import

SOCKETS = {
    'nb': 'unix:/var/run/ovn/ovnnb_db.sock',
    'sb': 'unix:/var/run/ovn/ovnsb_db.sock',
    'ic_nb': 'unix:/var/run/ovn/ovn_ic_nb_db.sock',
    'ic_sb': 'unix:/var/run/ovn/ovn_ic_sb_db.sock',
}
SCHEMAS = {'nb': 'OVN_Northbound', 'sb': 'OVN_Southbound', 'ic_nb': 'OVN_IC_Northbound', 'ic_sb': 'OVN_IC_Southbound'}
CTLS = {'nb': 'ovn-nbctl', 'sb': 'ovn-sbctl', 'ic_nb': 'ovn-ic-nbctl', 'ic_sb': 'ovn-ic-sbctl'}

# options every module connecting to a database accepts (merged into argument_spec)
DB_ARGS = dict(
    database=dict(type='str'),
    private_key=dict(type='path', no_log=False),
    certificate=dict(type='path'),
    ca_cert=dict(type='path'),
    timeout=dict(type='int', default=30),
)


class OvnIcError(OvsError):
    """A command failed or returned something unexpected (msg, argv, rc, stdout, stderr; fail_kwargs())."""


# OVSDB JSON values to Python (uuid -> str, set -> list, map -> dict) and optional columns: shared with ovs.py
from_ovsdb = decode_datum
optional = as_optional


def ctl_value(value):
    """A string value for an ovn-*ctl generic command (always double-quoted, so ':' '=' ',' are literal)."""
    return json.dumps(str(value))


def ctl_map(column, mapping):
    """``column={"k"="v", ...}`` for ``ovn-*ctl set``; an empty map clears the column."""
    items = ','.join('%s=%s' % (ctl_value(k), ctl_value(v)) for k, v in sorted(mapping.items()))
    return '%s={%s}' % (column, items)


def norm_prefix(prefix):
    """Network form of an IP prefix; unparsable input is returned unchanged."""
    try:
        return str(ipaddress.ip_network(prefix, strict=False))
    except (TypeError, ValueError):
        return prefix


def norm_mac(mac):
    return (mac or '').lower()


class OvnDb(object):
    """One OVN database reached from the managed node."""

    def __init__(self, module, db, database=None, private_key=None, certificate=None, ca_cert=None, timeout=30):
        if db not in SCHEMAS:
            raise ValueError('unknown database %r' % (db,))
        self.module = module
        self.db = db
        self.schema = SCHEMAS[db]
        self.database = database or SOCKETS[db]
        self.timeout = int(timeout)
        self.ssl = []
        for flag, value in (('--private-key', private_key), ('--certificate', certificate), ('--ca-cert', ca_cert)):
            if value:
                self.ssl.append('%s=%s' % (flag, value))
        if any(r.startswith('ssl:') for r in self.remotes()) and len(self.ssl) != 3:
            raise OvnIcError('%s: a TLS database (%s) needs private_key, certificate and ca_cert' % (self.db, self.database))

    @classmethod
    def from_params(cls, module, db, prefix=''):
        p = module.params
        return cls(module, db, database=p.get(prefix + 'database'), private_key=p.get('private_key'),
                   certificate=p.get('certificate'), ca_cert=p.get('ca_cert'), timeout=p.get('timeout') or 30)

    def remotes(self):
        return [r.strip() for r in self.database.split(',') if r.strip()]

    # -- reading -------------------------------------------------------------------------------
    def _client(self, transaction):
        """Run one ovsdb-client transact; try the remotes in order (a raft follower answers too)."""
        last = None
        for remote in self.remotes():
            argv = [self.module.get_bin_path('ovsdb-client', required=True), '--timeout=%d' % self.timeout] + self.ssl + \
                ['transact', remote, json.dumps([self.schema] + transaction, sort_keys=True)]
            rc, out, err = self.module.run_command(argv, expand_user_and_vars=False)
            if rc != 0:
                last = OvnIcError('%s: ovsdb-client transact on %s failed: %s' % (self.db, remote, (err or out).strip()),
                                  argv=argv, rc=rc, stdout=out, stderr=err)
                continue
            try:
                result = json.loads(out)
            except ValueError:
                raise OvnIcError('%s: ovsdb-client returned no JSON' % self.db, argv=argv, rc=rc, stdout=out, stderr=err)
            errors = [r for r in result if isinstance(r, dict) and r.get('error')]
            if errors or len(result) < len(transaction):
                raise OvnIcError('%s: transaction failed: %s' % (self.db, json.dumps(errors or result)), argv=argv, rc=rc, stdout=out, stderr=err)
            return result
        raise last or OvnIcError('%s: no database remote given' % self.db)

    def select(self, tables):
        """``{table: [columns]}`` -> ``{table: [row dicts]}``; every row carries ``_uuid``. One call, one snapshot."""
        return self.select_where([(name, name, [], columns) for name, columns in sorted(tables.items())])

    def select_where(self, queries):
        """``[(key, table, where, columns), ...]`` -> ``{key: [row dicts]}`` in ONE read-only transaction.

        Several queries may read the same table with different conditions (for example one switch port
        by name each), so a large database is never read whole.
        """
        ops = []
        for _key, table, where, columns in queries:
            op = {'op': 'select', 'table': table, 'where': where}
            if columns:
                op['columns'] = sorted(set(columns) | set(['_uuid']))
            ops.append(op)
        out = dict((key, []) for key, _t, _w, _c in queries)
        if not ops:
            return out
        result = self._client(ops)
        for (key, _t, _w, _c), res in zip(queries, result):
            out[key].extend(dict((k, from_ovsdb(v)) for k, v in row.items()) for row in res.get('rows', []))
        return out

    def transact(self, ops):
        """One raw write transaction (list of OVSDB operations)."""
        return self._client(ops)

    # -- writing ---------------------------------------------------------------------------------
    def ctl_argv(self, commands):
        """ONE ovn-*ctl invocation; ``commands`` is a list of argv lists joined with ``--``."""
        argv = [self.module.get_bin_path(CTLS[self.db], required=True), '--db=%s' % self.database, '--no-leader-only',
                '--timeout=%d' % self.timeout] + self.ssl
        for command in commands:
            argv.append('--')
            argv.extend(str(a) for a in command)
        return argv

    def ctl(self, commands):
        if not commands:
            return ''
        argv = self.ctl_argv(commands)
        rc, out, err = self.module.run_command(argv, expand_user_and_vars=False)
        if rc != 0:
            raise OvnIcError('%s: %s failed: %s' % (self.db, CTLS[self.db], (err or out).strip()), argv=argv, rc=rc, stdout=out, stderr=err)
        return out


def wait_until(predicate, timeout, interval=0.5):
    """Call predicate() until it returns something truthy or timeout seconds passed; returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def apply_and_exit(module, db, commands, before, after, **returns):
    """The end of every single-transaction module: diff, ONE ovn-*ctl transaction unless check mode, exit.

    ``commands`` is the whole write transaction (empty: nothing differs, nothing runs).
    """
    result = dict(returns, changed=bool(commands), commands=commands)
    if module._diff:  # pylint: disable=protected-access
        result['diff'] = {'before': before, 'after': after}
    if commands and not module.check_mode:
        db.ctl(commands)
    module.exit_json(**result)

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared code of the tridc.ovn OVS modules.

One read, one write: the whole relevant OVSDB state is read with a single ``ovs-vsctl``
invocation (``--format=json --data=json``, one ``list`` command per table), the modules
compare it with the wanted state, and all changes go into one atomic ``ovs-vsctl``
transaction (commands separated by ``--``).  Nothing is written when nothing differs,
and in check mode the transaction is only computed and reported.

Values are passed to ``ovs-vsctl`` as argv items (never through a shell).  Strings are
always written in ``ovs-vsctl``'s double-quoted form, so keys and values may contain
``:``, ``,``, ``=``, spaces and quotes.
"""

from __future__ import annotations

import json

OVS_DEFAULT_DB = 'unix:/var/run/openvswitch/db.sock'

OVS_COMMON_ARGUMENT_SPEC = dict(
    db=dict(type='str', default=OVS_DEFAULT_DB),
    timeout=dict(type='int', default=30),
    wait=dict(type='bool', default=True),
)


class OvsError(Exception):
    """An ovs-vsctl invocation failed or returned something unexpected."""

    def __init__(self, msg, argv=None, rc=None, stdout=None, stderr=None):
        super(OvsError, self).__init__(msg)
        self.msg = msg
        self.argv = argv
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr

    def fail_kwargs(self):
        """Keyword arguments for AnsibleModule.fail_json()."""
        out = dict(msg=self.msg)
        for key in ('rc', 'stdout', 'stderr'):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.argv is not None:
            out['cmd'] = self.argv
        return out


def decode_datum(value):
    """Decode one OVSDB JSON datum into plain Python.

    ``["set", [...]]`` becomes a list, ``["map", [[k, v], ...]]`` a dict, ``["uuid", u]``
    and ``["named-uuid", u]`` the UUID string; atoms stay as they are.  A set with exactly
    one member is sent by OVSDB as the bare atom; callers that expect a set use
    :func:`as_list`.
    """
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], str):
        kind, payload = value
        if kind == 'set':
            return [decode_datum(v) for v in payload]
        if kind == 'map':
            return dict((decode_datum(k), decode_datum(v)) for k, v in payload)
        if kind in ('uuid', 'named-uuid'):
            return payload
    return value


def as_list(value):
    """A decoded set column as a list (OVSDB sends 1-member sets as a bare atom; None is empty)."""
    if isinstance(value, list):
        return value
    if value is None:
        return []
    return [value]


def as_optional(value):
    """A decoded optional (0..1) column: the value or None."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def as_map(value):
    """A decoded map column as a dict of strings."""
    if isinstance(value, dict):
        return dict((str(k), str(v)) for k, v in value.items())
    return {}


def stringify(value):
    """OVSDB maps hold strings: bools become true/false, everything else str()."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


def quote(value):
    """A string in ovs-vsctl's quoted form (a JSON string literal)."""
    return json.dumps(stringify(value))


def set_map_key(column, key, value):
    """``column:"key"="value"`` for ``ovs-vsctl set``."""
    return '%s:%s=%s' % (column, quote(key), quote(value))


def set_value(column, value):
    """``column=value`` for ``ovs-vsctl set`` (ints, lists of ints or strings)."""
    if isinstance(value, (list, tuple)):
        return '%s=[%s]' % (column, ','.join(_atom(v) for v in value))
    return '%s=%s' % (column, _atom(value))


def _atom(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, int):
        return str(value)
    return quote(value)


def normalize_map(value, what):
    """Module input map -> dict of str -> str.  None values are refused (use absent_keys)."""
    out = {}
    for key, item in (value or {}).items():
        if item is None:
            raise ValueError('%s: key %r has no value; to remove a key list it in absent_keys' % (what, key))
        out[stringify(key)] = stringify(item)
    return out


def parse_absent_keys(items, columns, what):
    """``['external_ids:foo', ...]`` -> ``{'external_ids': ['foo'], ...}``.

    Only the map columns in ``columns`` are allowed.
    """
    out = dict((c, []) for c in columns)
    for item in items or []:
        column, sep, key = str(item).partition(':')
        if not sep or not key or column not in columns:
            raise ValueError('%s: absent_keys entry %r must look like COLUMN:KEY with COLUMN one of %s'
                             % (what, item, ', '.join(columns)))
        if key not in out[column]:
            out[column].append(key)
    return out


def merge_map(current, wanted, absent, what):
    """Merge ``wanted`` into ``current`` and drop the ``absent`` keys; returns a new dict."""
    clash = sorted(set(wanted) & set(absent))
    if clash:
        raise ValueError('%s: keys both set and listed in absent_keys: %s' % (what, ', '.join(clash)))
    out = dict(current)
    out.update(wanted)
    for key in absent:
        out.pop(key, None)
    return out


def map_changes(column, before, after):
    """(set_args, removed_keys) that turn map ``before`` into ``after``."""
    set_args = [set_map_key(column, k, after[k]) for k in sorted(after) if before.get(k) != after[k]]
    removed = [k for k in sorted(before) if k not in after]
    return set_args, removed


def remove_keys_command(table, record, column, keys):
    """``remove TABLE RECORD COLUMN "k1" "k2"`` (removes map entries by key)."""
    return ['remove', table, record, column] + [quote(k) for k in keys]


class OvsVsctl(object):
    """Runs ovs-vsctl for a module: one JSON read, at most one write transaction."""

    def __init__(self, module):
        self.module = module
        self.binary = module.get_bin_path('ovs-vsctl', required=True)
        self.db = module.params['db']
        self.timeout = module.params['timeout']
        self.wait = module.params['wait']
        self.invocations = 0

    def base_argv(self):
        argv = [self.binary, '--db=%s' % self.db]
        if self.timeout:
            argv.append('--timeout=%d' % self.timeout)
        return argv

    def _run(self, argv):
        self.invocations += 1
        rc, out, err = self.module.run_command(argv, check_rc=False, environ_update=dict(LC_ALL='C'),
                                               expand_user_and_vars=False)
        if rc != 0:
            raise OvsError('ovs-vsctl failed (rc=%s): %s' % (rc, (err or out).strip()),
                           argv=argv, rc=rc, stdout=out, stderr=err)
        return out

    def read_tables(self, tables):
        """Read several tables in one invocation.

        ``tables`` is a list of ``(table, [columns])``.  Returns ``{table: [row, ...]}``
        with each row a dict of decoded column values.
        """
        argv = self.base_argv() + ['--format=json', '--data=json']
        for table, columns in tables:
            argv += ['--', '--columns=%s' % ','.join(columns), 'list', table]
        out = self._run(argv)
        documents = _json_documents(out)
        if len(documents) != len(tables):
            raise OvsError('ovs-vsctl returned %d result(s) for %d table(s)' % (len(documents), len(tables)),
                           argv=argv, stdout=out)
        result = {}
        for (table, dummy), doc in zip(tables, documents):
            headings = doc.get('headings', [])
            rows = []
            for data in doc.get('data', []):
                rows.append(dict((h, decode_datum(v)) for h, v in zip(headings, data)))
            result[table] = rows
        return result

    def transaction_argv(self, commands):
        """The argv of one ovs-vsctl transaction made of ``commands`` (lists of args)."""
        if not commands:
            return []
        argv = self.base_argv()
        if not self.wait:
            argv.append('--no-wait')
        for command in commands:
            argv.append('--')
            argv.extend(command)
        return argv

    def apply(self, commands):
        """Run the transaction unless in check mode or empty; returns its argv."""
        argv = self.transaction_argv(commands)
        if argv and not self.module.check_mode:
            self._run(argv)
        return argv


def _json_documents(text):
    """ovs-vsctl prints one JSON document per command; decode them all."""
    decoder = json.JSONDecoder()
    docs = []
    idx = 0
    text = text or ''
    while True:
        while idx < len(text) and text[idx].isspace():
            idx += 1
        if idx >= len(text):
            break
        doc, idx = decoder.raw_decode(text, idx)
        docs.append(doc)
    return docs

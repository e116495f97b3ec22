# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared code of the tridc.ovn OVN control-plane modules.

* :data:`DATABASES` - where the Debian OVN packages keep the four OVN databases
  (control socket, client socket, database file, schema, ctl utility).
* :func:`parse_cluster_status` - parse ``ovs-appctl -t CTL cluster/status DB`` (OVS 3.x raft).
* :func:`parse_address` / :func:`format_address` - OVSDB connection strings
  (``ssl:10.0.0.1:6643``, ``ssl:[fd00::1]:6643``).
* :func:`check_cluster` - the pure decision logic behind ``ovn_cluster_check``: from what every
  planned member reports, decide who creates the cluster, who joins, which stale servers are
  kicked, and refuse (with a message) what would create a second cluster or lose quorum.

Commands are always run as argv lists, never through a shell.
"""

from __future__ import annotations

import os
import re

from ansible_collections.tridc.ovn.plugins.module_utils.ovs import OvsError

OVN_RUNDIR = '/var/run/ovn'
OVN_DBDIR = '/var/lib/ovn'
OVN_DATADIR = '/usr/share/ovn'

# short name -> facts about the database as packaged by Debian/Ubuntu (ovn-ctl defaults)
DATABASES = {
    'nb': dict(name='OVN_Northbound', base='ovnnb_db', schema='ovn-nb.ovsschema', ctl_util='ovn-nbctl'),
    'sb': dict(name='OVN_Southbound', base='ovnsb_db', schema='ovn-sb.ovsschema', ctl_util='ovn-sbctl'),
    'ic_nb': dict(name='OVN_IC_Northbound', base='ovn_ic_nb_db', schema='ovn-ic-nb.ovsschema', ctl_util='ovn-ic-nbctl'),
    'ic_sb': dict(name='OVN_IC_Southbound', base='ovn_ic_sb_db', schema='ovn-ic-sb.ovsschema', ctl_util='ovn-ic-sbctl'),
}
DB_CHOICES = sorted(DATABASES)

# the roles a Connection row may carry (only OVN_Southbound has RBAC)
DBS_WITH_ROLE = ('sb',)

STATUS_MEMBER = 'cluster member'
STATUS_JOINING = 'joining cluster'


class OvnError(OvsError):
    """A command failed or returned something unexpected (msg, argv, rc, stdout, stderr; fail_kwargs())."""


def db_defaults(db):
    """Paths of database ``db`` (one of :data:`DB_CHOICES`)."""
    if db not in DATABASES:
        raise ValueError('unknown database %r, expected one of %s' % (db, ', '.join(DB_CHOICES)))
    info = DATABASES[db]
    return dict(
        db=db,
        name=info['name'],
        ctl=os.path.join(OVN_RUNDIR, info['base'] + '.ctl'),
        sock=os.path.join(OVN_RUNDIR, info['base'] + '.sock'),
        file=os.path.join(OVN_DBDIR, info['base'] + '.db'),
        schema=os.path.join(OVN_DATADIR, info['schema']),
        ctl_util=info['ctl_util'],
    )


# ---------------------------------------------------------------------------------------------
# addresses

_ADDR_RE = re.compile(r'^(?P<proto>[a-z]+):(?:\[(?P<ip6>[^\]]+)\]|(?P<host>[^:\[\]]+)):(?P<port>\d+)$')


def parse_address(address):
    """``ssl:10.0.0.1:6643`` -> ``('ssl', '10.0.0.1', 6643)``; IPv6 in brackets.

    Raises ValueError for anything else (including passive ``pssl:`` targets that carry the
    port first, which are not raft addresses).
    """
    match = _ADDR_RE.match(address or '')
    if not match:
        raise ValueError('not an OVSDB address of the form PROTO:HOST:PORT: %r' % (address,))
    host = match.group('ip6') or match.group('host')
    return match.group('proto'), host, int(match.group('port'))


def format_address(proto, host, port):
    """Inverse of :func:`parse_address` (brackets IPv6 literals)."""
    if ':' in host:
        host = '[%s]' % host
    return '%s:%s:%d' % (proto, host, int(port))


def normalize_address(address):
    """Canonical form of an address for comparisons (``SSL:A:1`` and ``ssl:a:01`` are equal)."""
    proto, host, port = parse_address(address)
    return format_address(proto.lower(), host.lower(), port)


def split_remotes(value):
    """``"ssl:a:1,ssl:b:1"`` (or a list) -> list of addresses."""
    if isinstance(value, (list, tuple)):
        items = value
    else:
        items = (value or '').split(',')
    return [i.strip() for i in items if i and i.strip()]


# ---------------------------------------------------------------------------------------------
# cluster/status

_SERVER_RE = re.compile(r'^\s+(?P<sid>[0-9a-f]{4,})\s+\((?P<nick>\S+) at (?P<address>\S+)\)(?P<rest>.*)$')
_SID_RE = re.compile(r'^(?P<short>[0-9a-f]{4,})(?:\s+\((?P<full>[0-9a-f-]{36})\))?$')
_CONN_RE = re.compile(r'^(?P<open>\()?(?P<dir><-|->)(?P<sid>[0-9a-f]{4,})\)?$')
_INT_KEYS = {
    'Term': 'term',
    'Election timer': 'election_timer',
    'Entries not yet committed': 'uncommitted',
    'Entries not yet applied': 'unapplied',
    'Disconnections': 'disconnections',
}


def _parse_sid(value):
    match = _SID_RE.match(value.strip())
    if not match:
        return None, None
    return match.group('short'), match.group('full')


def _parse_server(line):
    match = _SERVER_RE.match(line)
    if not match:
        return None
    rest = match.group('rest')
    server = dict(
        sid=match.group('sid'),
        address=match.group('address'),
        self='(self)' in rest,
        next_index=None,
        match_index=None,
        last_msg_ms=None,
        voted_for=None,
    )
    for key in ('next_index', 'match_index'):
        found = re.search(r'\b%s=(\d+)' % key, rest)
        if found:
            server[key] = int(found.group(1))
    found = re.search(r'last msg (\d+) ms ago', rest)
    if found:
        server['last_msg_ms'] = int(found.group(1))
    found = re.search(r'\(voted for ([0-9a-f]+)\)', rest)
    if found:
        server['voted_for'] = found.group(1)
    return server


def parse_cluster_status(text):
    """Parse the output of ``ovs-appctl -t CTL cluster/status DB``.

    Returns a dict with the keys ``name, cid, cid_short, sid, sid_short, address, status,
    remotes_for_joining, role, term, leader, leader_address, is_leader, vote, election_timer,
    log_start, log_end, uncommitted, unapplied, disconnections, connections, servers,
    last_election_ms, healthy``.  ``leader`` is the short server ID of the leader (the own one
    when the server leads) or None when unknown.  ``servers`` lists the cluster configuration
    as the server sees it.
    """
    out = dict(
        name=None, cid=None, cid_short=None, sid=None, sid_short=None, address=None, status=None,
        remotes_for_joining=[], role=None, term=None, leader=None, leader_address=None, is_leader=False,
        vote=None, election_timer=None, log_start=None, log_end=None, uncommitted=None, unapplied=None,
        disconnections=None, connections=[], servers=[], last_election_ms=None, healthy=False,
    )
    in_servers = False
    for raw in text.splitlines():
        if in_servers:
            server = _parse_server(raw)
            if server is not None:
                out['servers'].append(server)
                continue
            if raw.startswith((' ', '\t')) or not raw.strip():
                continue
            in_servers = False
        if ':' not in raw:
            continue
        key, value = raw.split(':', 1)
        key = key.strip()
        value = value.strip()
        if key == 'Servers':
            in_servers = True
        elif key == 'Name':
            out['name'] = value
        elif key == 'Cluster ID':
            out['cid_short'], out['cid'] = _parse_sid(value)
        elif key == 'Server ID':
            out['sid_short'], out['sid'] = _parse_sid(value)
        elif key == 'Address':
            out['address'] = value
        elif key == 'Status':
            out['status'] = value
        elif key == 'Remotes for joining':
            out['remotes_for_joining'] = value.split()
        elif key == 'Role':
            out['role'] = value
        elif key == 'Leader':
            out['leader'] = None if value == 'unknown' else value
        elif key == 'Vote':
            out['vote'] = None if value == 'unknown' else value
        elif key in _INT_KEYS:
            try:
                out[_INT_KEYS[key]] = int(value.split()[0])
            except (ValueError, IndexError):
                pass
        elif key == 'Log':
            found = re.match(r'\[(\d+),\s*(\d+)\]', value)
            if found:
                out['log_start'], out['log_end'] = int(found.group(1)), int(found.group(2))
        elif key == 'Connections':
            for item in value.split():
                found = _CONN_RE.match(item)
                if found:
                    out['connections'].append(dict(
                        sid=found.group('sid'),
                        direction='in' if found.group('dir') == '<-' else 'out',
                        connected=not found.group('open'),
                    ))
        elif key == 'Last Election started':
            found = re.match(r'(\d+) ms ago', value)
            if found:
                out['last_election_ms'] = int(found.group(1))
    if out['leader'] == 'self':
        out['leader'] = out['sid_short']
    if out['vote'] == 'self':
        out['vote'] = out['sid_short']
    out['is_leader'] = out['role'] == 'leader'
    for server in out['servers']:
        if out['leader'] and server['sid'] == out['leader']:
            out['leader_address'] = server['address']
    if out['is_leader'] and not out['leader_address']:
        out['leader_address'] = out['address']
    out['healthy'] = out['status'] == STATUS_MEMBER and out['leader'] is not None
    return out


# ---------------------------------------------------------------------------------------------
# decision logic (pure; used by ovn_cluster_check)

class ClusterRefusal(Exception):
    """The run must stop: continuing would create a second cluster, lose quorum or lose data."""


def _member_view(member):
    """Normalize one entry of ovn_cluster_check's ``members`` option."""
    cluster = member.get('cluster') or {}
    db_file = member.get('db_file') or {}
    address = normalize_address(member['address'])
    file_address = db_file.get('local_address')
    return dict(
        host=member['host'],
        address=address,
        running=bool(cluster.get('running')),
        status=cluster.get('status'),
        cid=cluster.get('cid') or db_file.get('cid'),
        sid=cluster.get('sid_short') or (db_file.get('sid') or '')[:4] or None,
        leader=cluster.get('leader'),
        is_leader=bool(cluster.get('is_leader')),
        servers=cluster.get('servers') or [],
        file_exists=bool(db_file.get('exists')),
        clustered=bool(db_file.get('clustered')) or bool(cluster.get('running') and cluster.get('cid')),
        standalone=bool(db_file.get('standalone')),
        file_address=normalize_address(file_address) if file_address else None,
        running_address=normalize_address(cluster['address']) if cluster.get('address') else None,
    )


def _describe(view):
    """A member's state in a few words, for messages."""
    if view['running'] and view['status']:
        return view['status']
    if view['clustered']:
        return 'clustered database of cluster %s, server not running' % ((view['cid'] or 'unknown')[:8])
    if view['standalone']:
        return 'standalone database'
    return 'no database'


def majority(count):
    """The number of votes a raft cluster of ``count`` servers needs."""
    return count // 2 + 1


def member_inputs(members, facts=None, proto='ssl', port=None):
    """Build :func:`check_cluster`'s member list.

    ``members`` are dicts with ``host`` and either ``address`` or ``ip`` (then ``proto`` and ``port``
    make the address), optionally with ``cluster``/``db_file``; ``facts`` maps a host to what
    ``ovn_cluster`` returned there (``{cluster, db_file}``) and fills what the member lacks.
    """
    facts = facts or {}
    out = []
    for member in members:
        host = member['host']
        address = member.get('address')
        if not address:
            if not member.get('ip') or not port:
                raise ValueError('member %s needs an address, or an ip and the port' % host)
            address = format_address(proto, member['ip'], port)
        found = facts.get(host) or {}
        out.append(dict(host=host, address=address,
                        cluster=member.get('cluster') or found.get('cluster') or {},
                        db_file=member.get('db_file') or found.get('db_file') or {}))
    return out


def check_cluster(db, members, bootstrap, label=None):
    """Decide bootstrap/join/kick for one clustered database of one group of planned members.

    ``members`` is a list of dicts ``{host, address, cluster, db_file}`` (see :func:`member_inputs`)
    where ``cluster`` and ``db_file`` are what ``ovn_cluster`` returned on that host (``cluster``
    may be empty when the server is not running).  ``bootstrap`` is the host that may create the
    cluster when no member has one.

    Returns a dict (see ovn_cluster_check RETURN).  Raises :class:`ClusterRefusal` with a message
    naming the hosts when the run must stop.
    """
    label = label or db
    views = [_member_view(m) for m in members]
    by_host = dict((v['host'], v) for v in views)
    if bootstrap not in by_host:
        raise ClusterRefusal('%s: the bootstrap member %s is not one of the planned members %s'
                             % (label, bootstrap, ', '.join(sorted(by_host))))
    planned = dict((v['address'], v['host']) for v in views)
    if len(planned) != len(views):
        raise ClusterRefusal('%s: two planned members share one raft address: %s'
                             % (label, ', '.join('%s=%s' % (v['host'], v['address']) for v in views)))

    problems = []
    for view in views:
        own = view['running_address'] or view['file_address']
        if own and view['clustered'] and own != view['address']:
            problems.append('%s: its %s database file belongs to raft address %s but the plan says %s '
                            '(an address change needs the member removed and re-added; move the file away first)'
                            % (view['host'], db, own, view['address']))
    cids = {}
    for view in views:
        if view['clustered'] and view['cid']:
            cids.setdefault(view['cid'], []).append(view['host'])
    if len(cids) > 1:
        problems.append('the members belong to %d different %s clusters (%s); refusing to continue, '
                        'a second cluster must never be merged automatically'
                        % (len(cids), db, '; '.join('%s: %s' % (cid, ', '.join(sorted(h))) for cid, h in sorted(cids.items()))))
    if problems:
        raise ClusterRefusal('%s: %s' % (label, ' | '.join(problems)))

    cid = next(iter(cids), None)
    # a member whose clustered file has no cid yet is still joining some cluster
    joining = [v['host'] for v in views if v['clustered'] and not v['cid']]
    exists = cid is not None

    result = dict(
        db=db, exists=exists, cid=cid, leader=None, leader_host=None, leader_address=None,
        servers=[], actions={}, kick=[], join_remotes={}, executor=None, quorum=None,
        survivors=[], create_from_standalone=False, messages=[],
    )

    if not exists:
        # nobody has a cluster: the bootstrap member creates it, everybody else joins it. If only other
        # members have a standalone database (e.g. restored with ovsdb-tool cluster-to-standalone), the
        # first of them creates the cluster from it, so that its data is not replaced by an empty database.
        creator = bootstrap
        if not by_host[bootstrap]['standalone'] and not by_host[bootstrap]['clustered']:
            creator = next((v['host'] for v in views if v['standalone']), bootstrap)
        if creator != bootstrap:
            result['messages'].append('%s has the only standalone %s database: it seeds the new cluster instead of %s'
                                      % (creator, db, bootstrap))
        for view in views:
            if view['host'] == creator:
                if view['clustered']:
                    # a joining file on the bootstrap member (earlier failed run); never create on top of it
                    result['actions'][view['host']] = 'none'
                else:
                    result['actions'][view['host']] = 'create'
                    result['create_from_standalone'] = view['standalone']
            else:
                result['actions'][view['host']] = 'none' if view['clustered'] else 'join'
            if result['actions'][view['host']] == 'join':
                result['join_remotes'][view['host']] = [v['address'] for v in views if v['host'] != view['host']]
        if joining and result['actions'].get(creator) == 'create':
            result['messages'].append('members %s have a joining database from an earlier run; they will join the new cluster'
                                      % ', '.join(sorted(joining)))
        result['executor'] = creator
        return result

    # the cluster exists: never create, only join it
    live = [v for v in views if v['running'] and v['status'] == STATUS_MEMBER and v['cid'] == cid]
    reference = next((v for v in live if v['is_leader']), None) or next((v for v in live if v['leader']), None) \
        or (live[0] if live else None)
    if reference is None:
        seen = max([len(v['servers']) for v in views] + [len(cids[cid])])
        raise ClusterRefusal(
            '%s: the %s cluster %s has no leader among the planned members (%s); it has %d servers and needs %d. '
            'Refusing to create, join or kick anything: bring the old members back, or restore quorum by hand '
            '(ovsdb-tool cluster-to-standalone on the member with the newest data, then let the others join)'
            % (label, db, cid, '; '.join('%s: %s' % (v['host'], _describe(v)) for v in views), seen, majority(seen)))
    servers = [dict(s, address=normalize_address(s['address'])) for s in reference['servers']]
    config_sids = set(s['sid'] for s in servers)
    leader_sid = reference['leader']
    result['servers'] = servers
    result['leader'] = leader_sid
    for server in servers:
        if server['sid'] == leader_sid:
            result['leader_address'] = server['address']
            result['leader_host'] = planned.get(server['address'])
    if not leader_sid:
        raise ClusterRefusal('%s: the %s cluster %s has no leader (as seen by %s: %s); %d of %d servers are needed, '
                             'refusing to change membership'
                             % (label, db, cid, reference['host'], reference['status'], majority(len(servers)), len(servers)))

    kick = []
    for view in views:
        in_config = view['sid'] in config_sids if view['sid'] else False
        if view['clustered'] and view['cid'] == cid and in_config:
            result['actions'][view['host']] = 'none'
        elif view['clustered'] and not view['cid'] and view['sid'] and not in_config:
            # still joining (e.g. started by an earlier run); let it finish
            result['actions'][view['host']] = 'none'
        elif view['clustered'] and view['cid'] == cid:
            # it was removed from the configuration (kicked, left): it must join again
            result['actions'][view['host']] = 'rejoin'
        else:
            result['actions'][view['host']] = 'join'
    for server in servers:
        host = planned.get(server['address'])
        if host is None:
            kick.append(dict(sid=server['sid'], address=server['address'], host=None,
                             reason='%s is not a planned member' % server['address']))
        elif result['actions'][host] in ('join', 'rejoin') or (by_host[host]['sid'] and by_host[host]['sid'] != server['sid']):
            kick.append(dict(sid=server['sid'], address=server['address'], host=host,
                             reason='stale server %s of %s, which is being replaced' % (server['sid'], host)))
    kick_sids = set(k['sid'] for k in kick)
    survivors = [v for v in live if v['sid'] in config_sids and v['sid'] not in kick_sids]
    need = majority(len(servers))
    result['quorum'] = dict(servers=len(servers), needed=need, alive=len(survivors))
    result['survivors'] = sorted(v['host'] for v in survivors)
    changes = bool(kick) or any(a != 'none' for a in result['actions'].values())
    if changes and len(survivors) < need:
        raise ClusterRefusal(
            '%s: changing the %s cluster %s would lose quorum: it has %d servers, %d are needed, and only %d '
            '(%s) are running planned members that stay; kicking %s and joining %s now could leave the cluster '
            'without a leader. Bring the other members back first.'
            % (label, db, cid, len(servers), need, len(survivors), ', '.join(result['survivors']) or 'none',
               ', '.join(k['sid'] for k in kick) or 'nobody',
               ', '.join(sorted(h for h, a in result['actions'].items() if a != 'none')) or 'nobody'))
    result['kick'] = kick
    live_addresses = [v['address'] for v in survivors]
    for host, action in result['actions'].items():
        if action in ('join', 'rejoin'):
            result['join_remotes'][host] = [a for a in live_addresses if a != by_host[host]['address']]
    result['executor'] = result['leader_host'] if result['leader_host'] in result['survivors'] else \
        (result['survivors'][0] if result['survivors'] else None)
    return result

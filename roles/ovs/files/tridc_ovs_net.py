# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tridc-ovs-net: move a NIC's host addresses to its Open vSwitch bridge, with rollback.

Installed by the tridc.ovn ``ovs`` role as /usr/local/lib/tridc-ovn/tridc_ovs_net.py and run as
``python3 /usr/local/lib/tridc-ovn/tridc_ovs_net.py COMMAND ...`` (called tridc-ovs-net below). Every
external command is run as an argv list (no shell). IPv4 only; IPv6 link-local addresses stay.

  tridc-ovs-net arm BRIDGE SECONDS   start the rollback timer tridc-ovs-rollback-BRIDGE.timer
  tridc-ovs-net start BRIDGE DELAY   run "apply BRIDGE --migrate" as the detached transient unit
                                     tridc-ovs-migrate-BRIDGE, DELAY seconds from now
  tridc-ovs-net apply BRIDGE [--migrate]
                                     add the NIC to the bridge (--migrate only: the ovs-vsctl
                                     transaction in /run/tridc-ovs-net/BRIDGE.port.json), bring
                                     both up, move the addresses and routes from the NIC to the
                                     bridge. Without --migrate (boot, tridc-ovs-net@BRIDGE.service)
                                     nothing is moved when the NIC is not a port of the bridge (a
                                     migration that never ran or was rolled back): the addresses stay
                                     on the NIC and the command succeeds. Afterwards the saved routes
                                     are the routes the bridge has.
  tridc-ovs-net save BRIDGE          save the routes the bridge has now (when the NIC is its port and
                                     the addresses are on it): what the next boot puts back. Run by
                                     the role on every run and by the boot unit when it stops
                                     (shutdown), so a route an operator deleted does not come back.
  tridc-ovs-net rollback BRIDGE      undo: NIC out of the bridge, addresses and routes back
  tridc-ovs-net confirm BRIDGE       stop the rollback timer; exit 0 when the migration
                                     succeeded and was not rolled back, else roll back (if not
                                     done yet) and exit 3. Prints one JSON object.

Files: /etc/tridc/ovs-net/BRIDGE.json (written by the role: bridge, nic, addresses,
tx_offload_off), /var/lib/tridc/ovs-net/BRIDGE.routes.json (the routes the host had on the bridge
when they were last saved: what a boot restores; not a growing list),
/run/tridc-ovs-net/BRIDGE.* (migration snapshot, result, rollback marker).
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import time

# TRIDC_OVS_NET_ROOT: a directory that stands for / (tests only)
_ROOT = os.environ.get('TRIDC_OVS_NET_ROOT', '')
CONF_DIR = _ROOT + '/etc/tridc/ovs-net'
STATE_DIR = _ROOT + '/var/lib/tridc/ovs-net'
RUN_DIR = _ROOT + '/run/tridc-ovs-net'
SELF = [sys.executable or '/usr/bin/python3', os.path.abspath(__file__)]
OVS_VSCTL = 'ovs-vsctl'
# Routes another unit of the collection puts back itself carry this routing protocol number (tridc.ovn.interconnect's
# tridc-ic-underlay.service: the IC gateways' routes to the other DCs' underlay networks). They are that unit's, not
# the host's: the bridge's saved list leaves them out, so saving after the interconnect phase changes nothing.
OWNED_ELSEWHERE_PROTOCOL = '201'


class Failure(Exception):
    """A step failed."""


def log(msg):
    sys.stdout.write('tridc-ovs-net: %s\n' % msg)
    sys.stdout.flush()


def run(argv, check=True):
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    if check and proc.returncode != 0:
        raise Failure('%s failed (rc=%d): %s' % (' '.join(argv), proc.returncode, proc.stderr.strip()))
    return proc


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def read_json(path, default=None):
    try:
        with open(path) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return default


def write_json(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + '.tmp'
    with open(tmp, 'w') as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        handle.write('\n')
    os.replace(tmp, path)


def paths(bridge):
    return dict(
        conf=os.path.join(CONF_DIR, bridge + '.json'),
        routes=os.path.join(STATE_DIR, bridge + '.routes.json'),
        port=os.path.join(RUN_DIR, bridge + '.port.json'),
        snapshot=os.path.join(RUN_DIR, bridge + '.snapshot.json'),
        result=os.path.join(RUN_DIR, bridge + '.result.json'),
        marker=os.path.join(RUN_DIR, bridge + '.rolled-back.json'),
    )


def load_conf(bridge):
    conf = read_json(paths(bridge)['conf'])
    if not conf or conf.get('bridge') != bridge or not conf.get('nic'):
        raise Failure('no valid configuration in %s' % paths(bridge)['conf'])
    return conf


def ipv4_addresses(dev):
    """The IPv4 addresses of ``dev`` as ADDRESS/PREFIX (empty when dev is missing)."""
    proc = run(['ip', '-j', '-4', 'addr', 'show', 'dev', dev], check=False)
    if proc.returncode != 0 or not proc.stdout.strip():
        return []
    out = []
    for link in json.loads(proc.stdout):
        for info in link.get('addr_info', []):
            if info.get('family') == 'inet':
                out.append('%s/%s' % (info['local'], info['prefixlen']))
    return out


def routes_on(dev):
    """IPv4 routes of the main table through ``dev``, without the kernel's connected routes and without the routes
    another unit of the collection owns (OWNED_ELSEWHERE_PROTOCOL)."""
    proc = run(['ip', '-j', '-4', 'route', 'show', 'dev', dev], check=False)
    if proc.returncode != 0 or not proc.stdout.strip():
        return []
    routes = []
    for route in json.loads(proc.stdout):
        if route.get('protocol') in ('kernel', OWNED_ELSEWHERE_PROTOCOL):
            continue
        keep = dict((k, route[k]) for k in ('dst', 'gateway', 'metric', 'prefsrc', 'protocol', 'scope') if k in route)
        if 'onlink' in route.get('flags', []):
            keep['onlink'] = True
        routes.append(keep)
    return routes


def route_argv(route, dev):
    argv = ['ip', '-4', 'route', 'replace', route['dst']]
    if route.get('gateway'):
        argv += ['via', route['gateway']]
    argv += ['dev', dev]
    if route.get('metric') is not None:
        argv += ['metric', str(route['metric'])]
    if route.get('prefsrc'):
        argv += ['src', route['prefsrc']]
    if route.get('protocol') and route['protocol'] not in ('kernel',):
        argv += ['proto', str(route['protocol'])]
    if route.get('scope') and route['scope'] != 'global':
        argv += ['scope', route['scope']]
    if route.get('onlink'):
        argv.append('onlink')
    return argv


def merge_routes(*lists):
    """Routes by (dst, metric), later lists win."""
    out = {}
    for routes in lists:
        for route in routes or []:
            out[(route['dst'], route.get('metric'))] = route
    return [out[k] for k in sorted(out, key=lambda k: (str(k[0]), k[1] or 0))]


def port_bridge(nic):
    proc = run([OVS_VSCTL, '--timeout=10', 'port-to-br', nic], check=False)
    return proc.stdout.strip() if proc.returncode == 0 else None


def tx_offload_off(nic):
    proc = run(['ethtool', '-k', nic], check=False)
    if 'tx-checksumming: on' in proc.stdout:
        run(['ethtool', '-K', nic, 'tx', 'off'])
        log('%s: tx checksum offload turned off' % nic)


# ---------------------------------------------------------------------------------- commands

def cmd_apply(bridge, migrate):
    conf = load_conf(bridge)
    nic, addresses = conf['nic'], conf.get('addresses', [])
    p = paths(bridge)
    steps = []
    result = dict(bridge=bridge, nic=nic, started=now(), migrate=migrate, steps=steps, ok=False)
    try:
        nic_routes = routes_on(nic)
        owner = port_bridge(nic)
        if owner not in (bridge, None):
            raise Failure('%s is a port of bridge %s, not %s' % (nic, owner, bridge))
        if owner is None and not migrate:
            # boot after a migration that never ran or was rolled back: the NIC keeps its addresses (the unit is
            # enabled before the migration starts, so that a node migrated in a batch that failed boots right)
            log('%s is not a port of %s: addresses and routes stay on %s' % (nic, bridge, nic))
            return 0
        if migrate:
            # what the rollback restores: the NIC's addresses and routes as they are now
            if not os.path.exists(p['snapshot']):
                write_json(p['snapshot'], dict(nic=nic, addresses=ipv4_addresses(nic), routes=nic_routes, taken=now()))
            steps.append('snapshot of %s saved' % nic)
            # what the host has now (on the NIC, and on the bridge if it already carries some); not older lists
            routes = merge_routes(routes_on(bridge), nic_routes)
        else:
            # boot: what was saved from the bridge, and what the network configuration put on the NIC now
            routes = merge_routes(read_json(p['routes'], []), nic_routes)

        if owner is None:
            argv = read_json(p['port'], [])
            if not argv:
                raise Failure('%s is not a port of %s; addresses left on %s' % (nic, bridge, nic))
            run(argv)
            steps.append('%s added to %s' % (nic, bridge))
        if conf.get('tx_offload_off'):
            tx_offload_off(nic)
        run(['ip', 'link', 'set', 'dev', nic, 'up'])
        run(['ip', 'link', 'set', 'dev', bridge, 'up'])
        for address in addresses:
            run(['ip', '-4', 'addr', 'replace', address, 'dev', bridge])
        for route in routes:
            run(route_argv(route, bridge), check=False)
        on_nic = ipv4_addresses(nic)
        for address in addresses:
            if address in on_nic:
                run(['ip', '-4', 'addr', 'del', address, 'dev', nic])
        # removing the NIC's last address flushes its routes; make sure they are on the bridge
        for route in routes:
            run(route_argv(route, bridge))
        steps.append('addresses %s and %d route(s) on %s' % (', '.join(addresses) or '-', len(routes), bridge))
        save_routes(bridge, nic, addresses)
        result['ok'] = True
    except Failure as exc:
        result['error'] = str(exc)
        log('ERROR: %s' % exc)
    result['finished'] = now()
    if migrate:
        write_json(p['result'], result)
    for step in steps:
        log(step)
    return 0 if result['ok'] else 1


def cmd_rollback(bridge):
    p = paths(bridge)
    conf = read_json(p['conf'], {}) or {}
    snap = read_json(p['snapshot'], {}) or {}
    nic = snap.get('nic') or conf.get('nic')
    marker = dict(bridge=bridge, nic=nic, started=now(), restored=[], errors=[])
    write_json(p['marker'], marker)   # first: confirm must see that a rollback began
    if not nic:
        marker['errors'].append('nothing known about %s' % bridge)
        write_json(p['marker'], marker)
        return 1
    addresses = snap.get('addresses') or conf.get('addresses', [])
    # what the NIC had when the migration began, and what the bridge has now (not the saved list of a boot)
    routes = merge_routes(routes_on(bridge), snap.get('routes', [])) if snap else read_json(p['routes'], [])
    proc = run([OVS_VSCTL, '--timeout=10', '--if-exists', 'del-port', bridge, nic], check=False)
    if proc.returncode != 0:
        proc = run([OVS_VSCTL, '--timeout=10', '--no-wait', '--if-exists', 'del-port', bridge, nic], check=False)
    if proc.returncode == 0:
        marker['restored'].append('port %s removed from %s' % (nic, bridge))
    else:
        marker['errors'].append('del-port %s %s: %s' % (bridge, nic, proc.stderr.strip()))
    run(['ip', 'link', 'set', 'dev', nic, 'up'], check=False)
    for address in addresses:
        run(['ip', '-4', 'addr', 'del', address, 'dev', bridge], check=False)
        proc = run(['ip', '-4', 'addr', 'replace', address, 'dev', nic], check=False)
        if proc.returncode == 0:
            marker['restored'].append('address %s back on %s' % (address, nic))
        else:
            marker['errors'].append('address %s on %s: %s' % (address, nic, proc.stderr.strip()))
    for route in routes:
        proc = run(route_argv(route, nic), check=False)
        if proc.returncode == 0:
            marker['restored'].append('route %s%s back on %s' % (
                route['dst'], ' via %s' % route['gateway'] if route.get('gateway') else '', nic))
        else:
            marker['errors'].append('route %s: %s' % (route['dst'], proc.stderr.strip()))
    marker['finished'] = now()
    write_json(p['marker'], marker)
    for line in marker['restored']:
        log('rollback: ' + line)
    for line in marker['errors']:
        log('rollback ERROR: ' + line)
    return 0 if not marker['errors'] else 1


def save_routes(bridge, nic, addresses):
    """Save the routes the bridge has now, when the NIC is its port and it carries the addresses. Returns True when
    the saved list changed."""
    if port_bridge(nic) != bridge:
        return False
    on_bridge = ipv4_addresses(bridge)
    if any(a not in on_bridge for a in addresses):
        return False
    path = paths(bridge)['routes']
    routes = merge_routes(routes_on(bridge))
    if read_json(path) == routes:
        return False
    write_json(path, routes)
    return True


def cmd_save(bridge):
    conf = load_conf(bridge)
    changed = save_routes(bridge, conf['nic'], conf.get('addresses', []))
    print(json.dumps(dict(bridge=bridge, changed=changed, routes=read_json(paths(bridge)['routes'], []))))
    return 0


def unit_names(bridge):
    return 'tridc-ovs-rollback-' + bridge, 'tridc-ovs-migrate-' + bridge


def stop_units(*names):
    for name in names:
        for suffix in ('.timer', '.service'):
            run(['systemctl', 'stop', name + suffix], check=False)
            run(['systemctl', 'reset-failed', name + suffix], check=False)


def cmd_arm(bridge, seconds):
    load_conf(bridge)
    p = paths(bridge)
    rollback, migrate = unit_names(bridge)
    stop_units(rollback, migrate)
    for key in ('snapshot', 'result', 'marker'):
        if os.path.exists(p[key]):
            os.unlink(p[key])
    run(['systemd-run', '--unit=' + rollback, '--on-active=%ds' % seconds, '--timer-property=AccuracySec=1s',
         '--description=tridc.ovn: roll back the migration of %s unless confirmed' % bridge] + SELF + ['rollback', bridge])
    print(json.dumps(dict(armed=rollback + '.timer', seconds=seconds)))
    return 0


def cmd_start(bridge, delay):
    load_conf(bridge)
    dummy, migrate = unit_names(bridge)
    run(['systemd-run', '--unit=' + migrate, '--on-active=%ds' % delay, '--timer-property=AccuracySec=100ms',
         '--description=tridc.ovn: move the host addresses of %s to its bridge' % bridge] + SELF + ['apply', bridge, '--migrate'])
    print(json.dumps(dict(started=migrate, delay=delay)))
    return 0


def unit_active(name):
    return run(['systemctl', 'is-active', name], check=False).stdout.strip() in ('active', 'activating', 'deactivating')


def wait_inactive(name, seconds):
    deadline = time.monotonic() + seconds
    while unit_active(name) and time.monotonic() < deadline:
        time.sleep(0.2)


def cmd_confirm(bridge):
    p = paths(bridge)
    conf = load_conf(bridge)
    rollback, migrate = unit_names(bridge)
    # 1. no rollback from now on; a rollback that already began runs to its end
    run(['systemctl', 'stop', rollback + '.timer'], check=False)
    wait_inactive(rollback + '.service', 60)
    marker = read_json(p['marker'])
    out = dict(bridge=bridge, nic=conf['nic'])
    if marker is None:
        # 2. the migration's own result (it may still be running on a slow node)
        deadline = time.monotonic() + 30
        while not os.path.exists(p['result']) and time.monotonic() < deadline:
            time.sleep(0.2)
        wait_inactive(migrate + '.service', 30)
        result = read_json(p['result'], {}) or {}
        on_bridge = ipv4_addresses(bridge)
        missing = [a for a in conf.get('addresses', []) if a not in on_bridge]
        if result.get('ok') and not missing and port_bridge(conf['nic']) == bridge:
            out.update(confirmed=True, rolled_back=False, migration=result,
                       msg='%s: %s moved to %s, rollback timer cancelled' % (bridge, conf['nic'], bridge))
            print(json.dumps(out))
            return 0
        # 3. the connection came back but the migration did not complete: roll back now
        out['migration'] = result
        out['reason'] = result.get('error') or 'addresses missing on %s: %s' % (bridge, ', '.join(missing))
        run(['systemd-run', '--unit=%s-now' % rollback, '--wait', '--collect',
             '--description=tridc.ovn: roll back the migration of %s' % bridge] + SELF + ['rollback', bridge], check=False)
        marker = read_json(p['marker'], {}) or {}
    else:
        out['migration'] = read_json(p['result'], {}) or {}
        out['reason'] = 'the rollback timer fired before the controller could confirm the migration'
    out.update(confirmed=False, rolled_back=True, rollback=marker)
    out['msg'] = ('%s: migrating %s to %s failed (%s) and was ROLLED BACK at %s: %s%s' % (
        bridge, conf['nic'], bridge, out['reason'], marker.get('started', '?'),
        '; '.join(marker.get('restored', [])) or 'nothing restored',
        ('; errors: ' + '; '.join(marker['errors'])) if marker.get('errors') else ''))
    print(json.dumps(out))
    return 3


def main(argv):
    usage = ('usage: tridc-ovs-net {arm BRIDGE SECONDS|start BRIDGE DELAY|apply BRIDGE [--migrate]|save BRIDGE|'
             'rollback BRIDGE|confirm BRIDGE}')
    if len(argv) < 2:
        sys.stderr.write(usage + '\n')
        return 2
    command, bridge, rest = argv[0], argv[1], argv[2:]
    try:
        if command == 'apply' and rest in ([], ['--migrate']):
            return cmd_apply(bridge, bool(rest))
        if command == 'save' and not rest:
            return cmd_save(bridge)
        if command == 'rollback' and not rest:
            return cmd_rollback(bridge)
        if command == 'confirm' and not rest:
            return cmd_confirm(bridge)
        if command == 'arm' and len(rest) == 1:
            return cmd_arm(bridge, int(rest[0]))
        if command == 'start' and len(rest) == 1:
            return cmd_start(bridge, int(rest[0]))
    except Failure as exc:
        sys.stderr.write('tridc-ovs-net: %s\n' % exc)
        return 1
    sys.stderr.write(usage + '\n')
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

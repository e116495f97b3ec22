# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The probe pods of the lab's DCs (interconnect role, tasks_from probe) and pings between them, for the lab tests
that watch cross-DC traffic (test_interconnect, test_pki_rotation). The fixture ``probes`` is in conftest.py."""

import datetime
import re
import shlex
import subprocess

PROBES = {"dc1": ("dc1-n1", "10.210.1.254"), "dc2": ("dc2-n1", "10.210.2.254"), "dc3": ("dc3-n1", "10.210.3.254")}
PROBE_PLAY = """
- name: Plan
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Build the plan
      tridc.ovn.plan:
- name: Probe pods
  hosts: ovn_central:ovn_chassis
  gather_facts: false
  vars:
    tridc_plan: "{{ hostvars['localhost']['tridc_plan'] }}"
  tasks:
    - name: A probe pod per DC
      ansible.builtin.include_role:
        name: tridc.ovn.interconnect
        tasks_from: probe
"""


def run_playbook(lab, path, *args, timeout=2400):
    """ansible-playbook on the lab inventory (module-scoped fixtures cannot use the ansible fixture)."""
    import os  # pylint: disable=import-outside-toplevel
    env = dict(os.environ, ANSIBLE_HOST_KEY_CHECKING="False")
    env.setdefault("ANSIBLE_CONFIG", str(lab.root / "ansible.cfg"))
    argv = [str(lab.root / ".venv" / "bin" / "ansible-playbook"), "-i", str(lab.inventory), str(lab.root / path), *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env, cwd=str(lab.root), check=False)


def make_probes(lab, directory, *args):
    """The probe pods (PROBE_PLAY) on the lab; ``args`` go to ansible-playbook (e.g. ``--limit``). Idempotent: it
    makes again what a restarted container lost."""
    path = directory / "probes.yml"
    path.write_text(PROBE_PLAY)
    return run_playbook(lab, path, *args, timeout=600)


def probe_ping(node_run, src_dc, dst_dc, count=3):
    host, _ip = PROBES[src_dc]
    return node_run(host, "ip", "netns", "exec", "tridc-probe", "ping", "-c", str(count), "-i", "0.2", "-W", "2", PROBES[dst_dc][1])


def ssh_popen(lab, host, argv, stdout=subprocess.PIPE):
    """``argv`` on a lab node over ssh, in the background (stdout and stderr together, as text). ``stdout``: a pipe
    (the default, read at the end), or an open file for a command that runs for minutes: a pipe nobody reads fills at
    64 KB (about 800 lines of ping) and then stops the command."""
    ssh = ["ssh", "-i", str(lab.key), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
           "-o", "LogLevel=ERROR", "root@" + lab.nodes[host], shlex.join(argv)]
    return subprocess.Popen(ssh, stdout=stdout, stderr=subprocess.STDOUT, text=True)


def start_ping(lab, src_dc, dst_dc, seconds, interval=0.02):
    host, _ip = PROBES[src_dc]
    return ssh_popen(lab, host, ["ip", "netns", "exec", "tridc-probe", "ping", "-D", "-O", "-n", "-i", str(interval),
                                 "-W", "1", "-c", str(int(seconds / interval)), PROBES[dst_dc][1]])


def ping_result(proc, interval=0.02):
    return ping_stats(proc.communicate(timeout=600)[0], interval)


def ping_stats(out, interval=0.02):
    """What a ``ping -D -O -i INTERVAL`` printed: packets sent and answered, the time lost, each gap (ms) and when it
    began (the epoch of the last answer before it)."""
    seqs = sorted(int(m.group(1)) for m in re.finditer(r"bytes from .*icmp_seq=(\d+) ", out))
    sent = int(re.search(r"(\d+) packets transmitted", out).group(1)) if "packets transmitted" in out else 0
    gaps = [int((b - a) * interval * 1000) for a, b in zip(seqs, seqs[1:]) if b - a > 1]
    # ping -D: "[EPOCH] 64 bytes from ...": the time of the last answer before each gap (for the logs of that moment)
    stamps = {int(m.group(2)): float(m.group(1)) for m in re.finditer(r"^\[(\d+\.\d+)\] .*icmp_seq=(\d+) ", out, re.M)}
    gaps_at = [stamps[a] for a, b in zip(seqs, seqs[1:]) if b - a > 1 and a in stamps]
    return {"sent": sent, "received": len(seqs), "lost_ms": int((sent - len(seqs)) * interval * 1000), "gaps_ms": gaps,
            "gaps_at": gaps_at}


LOGS = ("/var/log/ovn/ovn-controller.log", "/var/log/ovn/ovn-northd.log", "/var/log/ovn/ovn-ic.log",
        "/var/log/openvswitch/ovs-vswitchd.log")


def logs_around(node_run, hosts, moments, before=3.0, after=2.0):
    """The OVN and OVS daemon log lines of ``hosts`` from ``before`` seconds before to ``after`` seconds after each of
    ``moments`` (epoch seconds): what a test prints when traffic was lost, so that a failure says what happened."""
    lines = []
    for host in hosts:
        res = node_run(host, "tail", "-q", "-n", "3000", *LOGS)
        for line in res.stdout.splitlines():
            try:
                ts = datetime.datetime.strptime(line[:23], "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc).timestamp()
            except ValueError:
                continue
            if any(m - before <= ts <= m + after for m in moments) and "|memory" not in line:
                lines.append((ts, "%s %s" % (host, line)))
    return "\n".join(text for _ts, text in sorted(lines))


# lab/lab.sh: vm104 (tor1, VLAN 104) has OVN's logical gateway of app104 as its gateway; the ToRs carry VLAN 104
# without an address on it
APP104_VM, APP104_GATEWAY = '10.104.0.201', '10.104.0.1'


def app104_routes(node_run, dc):
    """The DC router's routes to app104 (the lab's logical-gateway subnet) as (prefix, next hop, kind): the owner DC
    advertises it over OVN-IC, the others learn it from there."""
    res = node_run('%s-n1' % dc, 'ovn-nbctl', '--no-leader-only', '--timeout=30', 'lr-route-list', 'lr-%s' % dc)
    assert res.returncode == 0, res.stderr
    return sorted((f[0], f[1], f[-1].strip('()')) for f in (line.split() for line in res.stdout.splitlines())
                  if f and f[0].startswith('10.104.0.'))

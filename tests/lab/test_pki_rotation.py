# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CA and certificate rotation on the converged lab (security issue, item 4; docs/control-plane.md, "Certificates"):
playbooks/pki_rotate.yml runs while

- every DC's NB and SB and the IC NB and SB are watched on one member each (``cluster/status`` every 0.3 s): the
  seconds without a raft leader are counted (the figure printed; before the rotation existed there was no rotation
  at all);
- probe pods ping across the DCs over OVN-IC, both ways between dc2 and dc3: the packets lost are counted;

and afterwards
- every host's certificate is of the new CA and the old CA is retired;
- a certificate the old CA signed for a control-plane member that was removed before the rotation (made here the
  way the pki role signs a member) was accepted by the NB before, and is refused after, with its real error;
- the new operator certificate works, the gates passed (in the playbook), chassis stay registered.
Later tests (test_site: rerun changed=0, test_trust) run on the rotated lab."""

from __future__ import annotations

import pathlib
import re
import shlex
import subprocess
import time

import pytest

from probes import logs_around, ping_result, probe_ping, ssh_popen, start_ping

CA = pathlib.Path("/var/lib/tridc-ovn/pki")
WATCH = {  # host -> the databases watched there (ovn-appctl target, database name)
    "dc1-n1": [("/var/run/ovn/ovnnb_db.ctl", "OVN_Northbound"), ("/var/run/ovn/ovnsb_db.ctl", "OVN_Southbound"),
               ("/run/ovn/ovn_ic_nb_db.ctl", "OVN_IC_Northbound"), ("/run/ovn/ovn_ic_sb_db.ctl", "OVN_IC_Southbound")],
    "dc2-n2": [("/var/run/ovn/ovnnb_db.ctl", "OVN_Northbound"), ("/var/run/ovn/ovnsb_db.ctl", "OVN_Southbound")],
    "dc3-n2": [("/var/run/ovn/ovnnb_db.ctl", "OVN_Northbound"), ("/var/run/ovn/ovnsb_db.ctl", "OVN_Southbound")],
}
INTERVAL = 0.3


def run(*argv, timeout=60, **kw):
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=timeout, check=False, **kw)


def start_watch(lab, host, dbs, seconds):
    """A loop on the member: one line per round, the time and each database's leader ("unknown" without one)."""
    rounds = []
    for ctl, db in dbs:
        rounds.append("l=$(ovn-appctl -t %s cluster/status %s 2>&1 | sed -n 's/^Leader: //p'); printf ' %s=%%s' \"${l:-none}\""
                      % (shlex.quote(ctl), db, db))
    script = "end=$(($(date +%%s)+%d)); while [ $(date +%%s) -lt $end ]; do printf '%%s' $(date +%%s.%%N); %s; echo; sleep %s; done" % (
        seconds, "; ".join(rounds), INTERVAL)
    return ssh_popen(lab, host, ["sh", "-c", script])


def leaderless_seconds(text):
    """Per database, the seconds (sum of round gaps) in which the watched member saw no leader."""
    out, last = {}, {}
    for line in text.splitlines():
        parts = line.split()
        if not parts or not re.match(r"^\d+\.\d+$", parts[0]):
            continue
        ts = float(parts[0])
        for item in parts[1:]:
            db, _sep, leader = item.partition("=")
            out.setdefault(db, 0.0)
            if leader in ("unknown", "none") and db in last:
                out[db] += ts - last[db]
            last[db] = ts
    return out


@pytest.fixture(scope="module")
def removed_member(lab, tmp_path_factory):
    """A certificate the current control CA signs for a member that then leaves (as the pki role signs members)."""
    d = tmp_path_factory.mktemp("removed")
    name = "dc1-n9"
    for argv in (["ovs-pki", "--log", d / "pki.log", "req", name],
                 ["ovs-pki", "--batch", "--dir", CA, "--log", d / "pki.log", "sign", name, "controller"]):
        res = run(*argv, cwd=d)
        assert res.returncode == 0, res.stdout + res.stderr
    return ["-p", d / (name + "-privkey.pem"), "-c", d / (name + "-cert.pem"), "-C", CA / "controllerca" / "cacert.pem"]


def nb_list_dbs(tls):
    return run("ovsdb-client", *tls, "--timeout=10", "list-dbs", "ssl:10.90.1.11:6641")


def test_rotation_keeps_raft_leaders_and_pings_and_retires_the_old_ca(lab, ansible, node_run, probes, removed_member):
    old_ca = (CA / "controllerca" / "cacert.pem").read_text()
    accepted = nb_list_dbs(removed_member)
    assert accepted.returncode == 0 and "OVN_Northbound" in accepted.stdout, accepted.stderr
    for src, dst in (("dc2", "dc3"), ("dc3", "dc2")):
        assert probe_ping(node_run, src, dst).returncode == 0, "no ping %s -> %s before the rotation" % (src, dst)

    seconds = 420
    watches = {h: start_watch(lab, h, dbs, seconds) for h, dbs in WATCH.items()}
    flows = [start_ping(lab, "dc2", "dc3", seconds, interval=0.05), start_ping(lab, "dc3", "dc2", seconds, interval=0.05)]
    time.sleep(3)
    t0 = time.monotonic()
    res = ansible.playbook("playbooks/pki_rotate.yml", timeout=1200)
    took = time.monotonic() - t0
    time.sleep(3)
    for p in list(watches.values()) + flows:
        p.terminate()
    leaderless = {}
    for host, p in watches.items():
        out = p.communicate(timeout=60)[0]
        for db, secs in leaderless_seconds(out).items():
            leaderless["%s/%s" % (host, db)] = round(secs, 1)
    # the pings are cut when the playbook is done (no summary line): what was lost is what is missing between the
    # first and the last answer (ping -O reports each unanswered request in order)
    pings, gaps_at = [], []
    for p in flows:
        r = ping_result(p, interval=0.05)
        pings.append(dict(received=r["received"], lost=sum(g // 50 - 1 for g in r["gaps_ms"]), gaps_ms=r["gaps_ms"]))
        gaps_at += r["gaps_at"]
    out = res.stdout + res.stderr
    assert res.returncode == 0, out[-5000:]
    print("pki_rotate.yml: %.0f s; seconds without a raft leader: %s; pings dc2<->dc3: %s" % (took, leaderless, pings))
    assert len(leaderless) == 8, leaderless
    assert all(v == 0 for v in leaderless.values()), "a database lost its leader during the rotation: %s" % leaderless
    if gaps_at:  # what the daemons of the two DCs did at those moments (printed, and in the failure message)
        gaps_at = logs_around(node_run, [h for h in lab.nodes if h[:3] in ("dc2", "dc3")], gaps_at)
        print(gaps_at)
    for r in pings:
        assert r["received"] > 100 and sum(r["gaps_ms"]) <= 500, "cross-DC pings were lost during the rotation: %s\n%s" % (
            r, gaps_at)

    # the old CA is retired, the hosts hold certificates of the new CA
    new_ca = (CA / "controllerca" / "cacert.pem").read_text()
    assert new_ca != old_ca and not (CA / "next").exists()
    assert any(old_ca == p.read_text() for p in (CA / "retired").glob("*/controllerca/cacert.pem"))
    for host in ("dc1-n1", "dc2-n2", "dc3-n3"):
        cacert = node_run(host, "cat", "/etc/ovn/pki/cacert.pem").stdout
        assert cacert.strip() == new_ca.strip(), host
    # the removed member's certificate (old CA) is refused now, the operator's (new CA) works. The reason is the
    # server's: with TLS 1.3 (Debian 13's OpenSSL) the client may see only a broken pipe, as the server refuses its
    # certificate after the handshake, so the NB server's own log must say why (read from the attempt on)
    log = "/var/log/ovn/ovsdb-server-nb.log"
    before = int(node_run("dc1-n1", "wc", "-l", log).stdout.split()[0])
    refused = nb_list_dbs(removed_member)
    server = node_run("dc1-n1", "tail", "-n", "+%d" % (before + 1), log).stdout
    print("NB with the removed member's certificate: rc=%d %s; the server: %s" % (
        refused.returncode, refused.stderr.strip(), server.strip()))
    assert refused.returncode != 0, refused.stdout
    assert re.search(r"SSL_accept: .*(certificate verify failed|unknown ca)", server), (refused.stderr, server)
    op = ["-p", CA / "operators" / "operator-privkey.pem", "-c", CA / "operators" / "operator-cert.pem",
          "-C", CA / "controllerca" / "cacert.pem"]
    ok = nb_list_dbs(op)
    assert ok.returncode == 0 and "OVN_Northbound" in ok.stdout, ok.stderr
    sb = node_run("dc1-n1", "ovn-sbctl", "--no-leader-only", "--columns=name", "list", "Chassis")
    assert sb.returncode == 0 and len(re.findall(r"^name\s+:", sb.stdout, re.M)) >= 3, sb.stdout + sb.stderr

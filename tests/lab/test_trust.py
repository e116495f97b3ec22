# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Trust by role on the converged lab (security issue, items 2-3), with the real clients and each refusal shown by
its real error (docs/control-plane.md, "Trust by role"):

- a chassis certificate - signed by the lab CA's chassis CA, exactly as the pki role signs a host that is only a
  chassis (every lab node is also a central member, so the lab has no such host: the test makes the certificate
  with the lab's CA) - is refused by the NB and by the IC NB and SB;
- on the SB (port 6642, RBAC role ovn-controller) it reads, and cannot change another chassis' row;
- northd's SB port (16642, no RBAC) and the raft ports answer only the DC's central members (nftables), even to
  the operator's certificate;
- the operator certificate (made by the pki role on the CA host) works for ovn-nbctl, ovn-sbctl and ovn-ic-nbctl.

Printed: the databases that accept a chassis certificate beyond the SB's RBAC port (before trust by role: 4 - the
NB, northd's SB port, the IC NB and the IC SB, all of which accepted any certificate of the one CA; now 0)."""

from __future__ import annotations

import pathlib
import socket
import subprocess

import pytest

CA = pathlib.Path("/var/lib/tridc-ovn/pki")
DC1 = ("10.90.1.11", "10.90.1.12", "10.90.1.13")
IC = ("10.90.1.11", "10.90.2.11", "10.90.3.11")


def run(*argv, timeout=30):
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def creds(lab, tmp_path_factory):
    """The operator's files (made by the pki role) and a chassis certificate signed by the lab's chassis CA."""
    op = dict(key=CA / "operators" / "operator-privkey.pem", cert=CA / "operators" / "operator-cert.pem",
              ca=CA / "controllerca" / "cacert.pem")
    assert all(p.exists() for p in op.values()), "the pki role made no operator certificate: %s" % op
    d = tmp_path_factory.mktemp("trust")
    name = "tridc-test-chassis"
    for argv in (["ovs-pki", "--log", d / "pki.log", "req", name],
                 ["ovs-pki", "--batch", "--dir", CA, "--log", d / "pki.log", "sign", name, "switch"]):
        res = subprocess.run([str(a) for a in argv], cwd=d, capture_output=True, text=True, timeout=60, check=False)
        assert res.returncode == 0, res.stdout + res.stderr
    chassis = dict(key=d / (name + "-privkey.pem"), cert=d / (name + "-cert.pem"), ca=op["ca"])
    return dict(operator=op, chassis=chassis, chassis_name=name)


def tls(c):
    return ["-p", c["key"], "-c", c["cert"], "-C", c["ca"]]


def list_dbs(c, ip, port):
    return run("ovsdb-client", *tls(c), "--timeout=10", "list-dbs", "ssl:%s:%s" % (ip, port))


def member_tls(node_run, host):
    """A central member's own key, certificate and CA (the files the pki role installed; CN = system-id)."""
    sysid = node_run(host, "ovs-vsctl", "get", "Open_vSwitch", ".", "external_ids:system-id").stdout.strip().strip('"')
    return ["-p", "/etc/ovn/pki/%s-privkey.pem" % sysid, "-c", "/etc/ovn/pki/%s-cert.pem" % sysid,
            "-C", "/etc/ovn/pki/cacert.pem"]


def test_a_chassis_certificate_is_refused_beyond_the_southbound_rbac_port(creds):
    targets = {"NB": (DC1[0], 6641, "OVN_Northbound"), "IC NB": (IC[0], 6645, "OVN_IC_Northbound"),
               "IC SB": (IC[1], 6646, "OVN_IC_Southbound")}
    accepted = {}
    for what, (ip, port, db) in targets.items():
        ok = list_dbs(creds["operator"], ip, port)
        assert ok.returncode == 0 and db in ok.stdout, "operator on %s: %s" % (what, ok.stderr)
        res = list_dbs(creds["chassis"], ip, port)
        print("%s ssl:%s:%s with a chassis certificate: rc=%d %s" % (what, ip, port, res.returncode, res.stderr.strip()))
        if res.returncode == 0:
            accepted[what] = res.stdout.strip()
    # northd's SB port: the firewall answers a non-member before TLS does (test below); from a member, the
    # chassis certificate is accepted there (OVSDB has one CA list per server) - the limit docs/control-plane.md names
    print("databases that accept a chassis certificate beyond the SB via RBAC: %d (before: 4)" % len(accepted))
    assert accepted == {}, "a chassis certificate was accepted: %s" % accepted


def test_on_the_southbound_a_chassis_reads_and_cannot_change_another_chassis(creds, node_run):
    other = node_run("dc1-n1", "ovs-vsctl", "get", "Open_vSwitch", ".", "external_ids:system-id").stdout.strip().strip('"')
    assert other, "no system-id on dc1-n1"
    db = ",".join("ssl:%s:6642" % ip for ip in DC1)
    read = run("ovn-sbctl", *tls(creds["chassis"]), "--db=" + db, "--timeout=20", "--columns=name", "list", "Chassis")
    assert read.returncode == 0 and other in read.stdout, read.stderr
    write = run("ovn-sbctl", *tls(creds["chassis"]), "--db=" + db, "--timeout=20",
                "set", "Chassis", other, "external_ids:tridc-trust-test=1")
    print("ovn-sbctl set Chassis %s with a chassis certificate: rc=%d %s" % (other, write.returncode, write.stderr.strip()))
    assert write.returncode != 0 and "RBAC rules for client" in write.stderr, write.stdout + write.stderr
    after = run("ovn-sbctl", *tls(creds["operator"]), "--db=" + db, "--timeout=20", "get", "Chassis", other, "external_ids")
    assert after.returncode == 0 and "tridc-trust-test" not in after.stdout, after.stdout + after.stderr


def test_northd_port_and_raft_ports_answer_only_the_central_members(creds, node_run):
    # the controller (10.99.1.1) is not a central member: even the operator's certificate gets a TCP reset
    res = list_dbs(creds["operator"], DC1[0], 16642)
    print("ssl:%s:16642 from the controller: rc=%d %s" % (DC1[0], res.returncode, res.stderr.strip()))
    assert res.returncode != 0 and "Connection refused" in res.stderr, res.stdout + res.stderr
    for port in (6643, 6644):
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((DC1[0], port), timeout=5).close()
    # a central member of another DC is not one of dc1's either
    other_dc = node_run("dc2-n1", "ovsdb-client", *member_tls(node_run, "dc2-n1"), "--timeout=10",
                        "list-dbs", "ssl:%s:16642" % DC1[0])
    assert other_dc.returncode != 0 and "Connection refused" in other_dc.stderr, other_dc.stdout + other_dc.stderr
    # a member of the DC reaches it (northd's path)
    member = node_run("dc1-n2", "ovsdb-client", *member_tls(node_run, "dc1-n2"), "--timeout=10",
                      "list-dbs", "ssl:%s:16642" % DC1[0])
    assert member.returncode == 0 and "OVN_Southbound" in member.stdout, member.stdout + member.stderr
    rules = node_run("dc1-n1", "nft", "list", "table", "inet", "tridc_ovn")
    assert rules.returncode == 0 and "reject with tcp reset" in rules.stdout, rules.stdout + rules.stderr


def test_the_operator_certificate_works_with_the_ovn_clients(creds):
    op = tls(creds["operator"])
    nb = run("ovn-nbctl", *op, "--db=" + ",".join("ssl:%s:6641" % ip for ip in DC1), "--timeout=20", "ls-list")
    assert nb.returncode == 0 and nb.stdout.strip(), nb.stderr
    sb = run("ovn-sbctl", *op, "--db=" + ",".join("ssl:%s:6642" % ip for ip in DC1), "--timeout=20", "show")
    assert sb.returncode == 0 and "Chassis" in sb.stdout, sb.stderr
    ic = run("ovn-ic-nbctl", *op, "--db=" + ",".join("ssl:%s:6645" % ip for ip in IC), "--timeout=20", "ts-list")
    assert ic.returncode == 0, ic.stderr

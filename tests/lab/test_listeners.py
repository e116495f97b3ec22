# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every OVN and OVN-IC listener of the converged lab is bound to the member's management address (security issue,
item 1): raft, NB, SB (RBAC), the privileged SB port 16642, IC-NB, IC-SB. None listens on a wildcard address, and
the gates check it (site.yml --check passes them: test_site). The figure printed is the number of wildcard OVN
listeners in the lab (before this change: 27 on the central members - NB 6641, SB 6642 and SB 16642 on each of
the 9 - plus 6 on the IC members; now 0).

The listeners' name (mgmt.tridc.invalid) is resolved by each ovsdb-server through OVS_UNBOUND_CONF; the address
the chassis, ovn-northd and ovn-ic use is the management address, so they stay connected, and a TLS client reaches
the database there but not on the node's underlay address."""

import re

CENTRAL_PORTS = ("6641", "6642", "16642", "6643", "6644")
IC_PORTS = ("6645", "6646", "6647", "6648")
IC_MEMBERS = ("dc1-n1", "dc2-n1", "dc3-n1")
WILDCARD = re.compile(r"^(0\.0\.0\.0|\*|\[::\]|\[::ffff:0\.0\.0\.0\]):\d+$")
OVN_PROC = re.compile(r'users:\(\("(ovsdb-server|ovn-[a-z-]+)"')


def ovn_listeners(node_run, host):
    res = node_run(host, "ss", "-Hltnp")
    assert res.returncode == 0, res.stderr
    return sorted(line.split()[3] for line in res.stdout.splitlines() if OVN_PROC.search(line))


def test_no_ovn_listener_on_a_wildcard_address(lab, node_run):
    wildcard, foreign, missing = {}, {}, {}
    for host, ip in sorted(lab.nodes.items()):
        got = ovn_listeners(node_run, host)
        if [a for a in got if WILDCARD.match(a)]:
            wildcard[host] = [a for a in got if WILDCARD.match(a)]
        others = [a for a in got if not WILDCARD.match(a) and a.rsplit(":", 1)[0] != ip and not a.startswith("127.")]
        if others:
            foreign[host] = others
        want = {"%s:%s" % (ip, p) for p in CENTRAL_PORTS + (IC_PORTS if host in IC_MEMBERS else ())}
        if want - set(got):
            missing[host] = sorted(want - set(got))
    print("wildcard OVN listeners in the lab: %d" % sum(len(v) for v in wildcard.values()))
    assert wildcard == {}, "OVN listeners on every interface: %s" % wildcard
    assert foreign == {}, "OVN listeners on other addresses than the management address: %s" % foreign
    assert missing == {}, "planned listeners not on the management address: %s" % missing


def test_connection_rows_name_the_management_address(lab, node_run):
    def rows(text):
        # get-connection prints "[read-write ][role="..." ]TARGET" per row: compare the role and the target
        return sorted(re.sub(r'^(read-write|read-only) ', '', line.strip()).replace('role="" ', '')
                      for line in text.splitlines() if line.strip())

    nb = rows(node_run("dc1-n2", "ovn-nbctl", "--no-leader-only", "get-connection").stdout)
    sb = rows(node_run("dc1-n2", "ovn-sbctl", "--no-leader-only", "get-connection").stdout)
    assert nb == ["pssl:6641:mgmt.tridc.invalid"], nb
    assert sb == sorted(['role="ovn-controller" pssl:6642:mgmt.tridc.invalid', 'pssl:16642:mgmt.tridc.invalid']), sb
    ic = node_run("dc2-n1", "ovn-ic-nbctl", "--db=unix:/var/run/ovn/ovn_ic_nb_db.sock", "--no-leader-only", "get-connection")
    assert ic.stdout.split() == ["pssl:6645:mgmt.tridc.invalid"], ic.stdout + ic.stderr


def test_clients_reach_the_management_address_only(lab, node_run):
    """From dc1-n1 (a TLS client with its host certificate): dc1-n2's SB answers on 10.90.1.12, nothing listens on
    its underlay address 10.91.1.12; every chassis of dc1 is connected to its SB."""
    # the host certificate the central role gave ovn-northd (whatever the pki role names its files)
    opts = node_run("dc1-n1", "cat", "/etc/default/ovn-central").stdout
    paths = dict(re.findall(r"--ovn-northd-ssl-(key|cert|ca-cert)=(\S+?)[\s\"]", opts))
    assert set(paths) == {"key", "cert", "ca-cert"}, opts
    tls = ["-p", paths["key"], "-c", paths["cert"], "-C", paths["ca-cert"]]
    ok = node_run("dc1-n1", "ovsdb-client", "--timeout=5", *tls, "list-dbs", "ssl:10.90.1.12:16642")
    assert ok.returncode == 0 and "OVN_Southbound" in ok.stdout, ok.stdout + ok.stderr
    refused = node_run("dc1-n1", "ovsdb-client", "--timeout=5", *tls, "list-dbs", "ssl:10.91.1.12:16642")
    assert refused.returncode != 0, "dc1-n2 answers on its underlay address: " + refused.stdout
    for host in ("dc1-n1", "dc1-n2", "dc1-n3"):
        status = node_run(host, "ovn-appctl", "-t", "ovn-controller", "connection-status")
        assert status.stdout.strip() == "connected", (host, status.stdout, status.stderr)

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DR playbooks stop before any change when a safety check fails (security issue, item 6), on the lab.

The IC database member of dc3 (dc3-n1) is stopped, so its IC leader check fails while dc2's still passes (dc1-n1
and dc2-n1 keep a majority). dr_failover.yml -e dc=dc1 must stop in its check play: before the fix dc3-n1 dropped
out and the other survivors went on to write the new denylist (a half-applied failover). What a failover writes
is read before and after on every survivor: the DC's interconnection options (denylist), DR static routes and
BFD sessions in its Northbound database, and the IC Southbound availability zones, gateways and routes.
Nothing may differ. The lab is restored (IC member started; on a failure, dr_failback.yml)."""

import json
import time

import pytest

IC_UNITS = ["ovn-ovsdb-server-ic-nb", "ovn-ovsdb-server-ic-sb"]
SURVIVOR_CENTRAL = {"dc2": "dc2-n2", "dc3": "dc3-n2"}   # read each DC's Northbound database on one central member
IC_MEMBER = "dc2-n1"                                    # a surviving IC member that keeps its leader


def _json_rows(node_run, host, db_sock, db, table, columns):
    txn = json.dumps([db, {"op": "select", "table": table, "where": [], "columns": columns}])
    res = node_run(host, "ovsdb-client", "--timeout=20", "query", "unix:" + db_sock, txn, timeout=60)
    assert res.returncode == 0, "%s: %s %s" % (host, res.stdout, res.stderr)
    return sorted(json.dumps(r, sort_keys=True) for r in json.loads(res.stdout)[0]["rows"])


def written_state(node_run):
    """What dr_failover.yml writes, read on the survivors."""
    state = {}
    for dc, host in SURVIVOR_CENTRAL.items():
        opts = node_run(host, "ovn-nbctl", "--no-leader-only", "--timeout=20", "get", "NB_Global", ".", "options", timeout=60)
        assert opts.returncode == 0, opts.stderr
        state[dc + " NB options"] = opts.stdout.strip()
        state[dc + " static routes"] = _json_rows(node_run, host, "/var/run/ovn/ovnnb_db.sock", "OVN_Northbound",
                                                  "Logical_Router_Static_Route",
                                                  ["ip_prefix", "nexthop", "output_port", "policy", "route_table", "options", "bfd"])
        state[dc + " BFD"] = _json_rows(node_run, host, "/var/run/ovn/ovnnb_db.sock", "OVN_Northbound", "BFD",
                                        ["logical_port", "dst_ip", "min_tx", "min_rx", "detect_mult"])
    for table, cols in (("Availability_Zone", ["name"]), ("Gateway", ["name", "availability_zone"]),
                        ("Route", ["ip_prefix", "nexthop", "origin", "availability_zone"])):
        state["IC SB " + table] = _json_rows(node_run, IC_MEMBER, "/var/run/ovn/ovn_ic_sb_db.sock", "OVN_IC_Southbound",
                                             table, cols)
    return state


def test_failover_with_a_failing_ic_leader_check_writes_nothing(lab, ansible, node_run):
    before = written_state(node_run)
    assert before["dc2 NB options"] and before["IC SB Availability_Zone"], before
    stop = node_run("dc3-n1", "systemctl", "stop", *IC_UNITS)
    assert stop.returncode == 0, stop.stderr
    failed_over = False
    try:
        res = ansible.playbook("playbooks/dr_failover.yml", "-e", "dc=dc1", timeout=1200)
        out = res.stdout + res.stderr
        failed_over = "PLAY [DR failover · survivors]" in out
        assert res.returncode != 0, "dr_failover.yml passed with the IC member of dc3 down:\n" + out[-4000:]
        assert "dc3-n1: the ic_nb database has no leader" in out or "dc3-n1: the ic_sb database has no leader" in out, out[-4000:]
        assert not failed_over, "the survivors play ran after the IC leader check failed:\n" + out[-4000:]
        after = written_state(node_run)
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        assert changed == {}, "dr_failover.yml wrote although its safety check failed: %s" % changed
    finally:
        node_run("dc3-n1", "systemctl", "start", *IC_UNITS)
        for _attempt in range(60):
            res = ansible("dc3-n1", "-m", "tridc.ovn.ovn_cluster", "-a", "db=ic_sb", "-o")
            if '"healthy": true' in res.stdout:
                break
            time.sleep(2)
        else:
            pytest.fail("dc3-n1: the IC Southbound member did not rejoin: %s" % res.stdout[-1500:])
        if failed_over:
            ansible.playbook("playbooks/dr_failback.yml", timeout=1200)

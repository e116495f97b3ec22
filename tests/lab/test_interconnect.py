# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""OVN interconnection on the running lab (after site.yml): real pings between probe pods of the three DCs.

* the interconnection phase ran in site.yml (test_site reruns it changed=0); the planned DR state is what runs;
* full mesh of pings between the DCs' probe pods over OVN-IC;
* the active IC gateway of dc1 loses its tunnel link: traffic is back within about a second (dr_drill.yml);
* every container of dc1 is stopped: dc2 and dc3 keep talking, the IC databases keep a leader, dr_failover.yml
  completes and moves the gateway of the logical-gateway subnet app104 to dc2, dc3 learns it from dc2 and reaches
  the legacy VM vm104 (on tor1, over the stretched VLAN) through dc2; dc1 is started again, dr_failback.yml restores the
  plan (the gateway is dc1's again), site.yml brings dc1's containers back and changes nothing on dc2 and dc3, and
  dc1's probe pod (made again) talks to dc2 and dc3.

The tests run in file order (the DC loss comes last) and restore the lab when they fail.
"""

import json
import re
import subprocess
import time

import pytest

from probes import APP104_VM, PROBES, app104_routes, make_probes, ping_result, probe_ping, start_ping

RECAP = re.compile(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def recap(text):
    return {m.group(1): {"changed": int(m.group(3)), "unreachable": int(m.group(4)), "failed": int(m.group(5))}
            for m in RECAP.finditer(text)}


def changed_hosts(text):
    return {h: s["changed"] for h, s in recap(text).items() if s["changed"]}


def test_interconnection_gate_passes_on_the_converged_lab(lab, ansible, probes):
    """site.yml ran (and test_site reran it changed=0) with the interconnection phase: its gate passes on every DC."""
    res = ansible.playbook("playbooks/dr_failback.yml", "--check", timeout=1200)
    out = res.stdout + res.stderr
    assert res.returncode == 0, out[-4000:]
    assert changed_hosts(res.stdout) == {}, "the planned DR state is not what the lab runs:\n" + out[-4000:]
    assert "Gate interconnect" in res.stdout


def test_full_mesh_of_pings_between_the_dcs(lab, node_run, probes):
    failures = []
    for src in PROBES:
        for dst in PROBES:
            if src == dst:
                continue
            for _attempt in range(10):
                res = probe_ping(node_run, src, dst)
                if res.returncode == 0:
                    break
                time.sleep(2)
            else:
                failures.append("%s -> %s: %s" % (src, dst, res.stdout[-300:]))
    assert not failures, "\n".join(failures)


def test_gateway_loss_recovers_within_about_a_second(lab, ansible, probes, tmp_path):
    """The failover benchmark's short mode (bench/failover.py --short: dr_drill.yml, the gateway loss only) is this test:
    make test runs the benchmark once, and the test asserts on its report."""
    report = tmp_path / "gateway.json"
    res = subprocess.run([str(lab.root / ".venv" / "bin" / "python"), str(lab.root / "bench" / "failover.py"), "--short",
                          "--dc", "dc1", "--report", str(report)], capture_output=True, text=True, timeout=1200,
                         cwd=str(lab.root), check=False)
    assert res.returncode == 0, (res.stdout + res.stderr)[-4000:]
    assert "gateway_loss_ms=" in res.stdout, res.stdout
    results = json.loads(report.read_text())["results"]
    assert len(results) == 2
    for r in results:
        assert r["ok"] and r["sent"] > 500, r
        # the first outage is the failover to the other gateway; later ones are the move back when it returns
        assert r["outages_ms"], "no outage measured: was the active gateway cut? %s" % r
        assert r["outages_ms"][0] <= 1500, "traffic took %d ms to come back after the gateway loss: %s" % (r["outages_ms"][0], r)
        assert r["longest_ms"] <= 3000, r


def test_dc_loss_survivors_keep_talking_failover_and_failback(lab, ansible, node_run, probes, tmp_path):
    containers = ["tridc-dc1-n%d" % i for i in (1, 2, 3)]
    flows = [start_ping(lab, "dc2", "dc3", 40), start_ping(lab, "dc3", "dc2", 40)]
    time.sleep(3)
    lost_at = time.monotonic()
    stopped = subprocess.run(["podman", "stop", "--time", "0"] + containers, capture_output=True, text=True, check=False)
    try:
        assert stopped.returncode == 0, stopped.stderr
        # the IC databases keep a leader on the two surviving members
        for host in ("dc2-n1", "dc3-n1"):
            for _attempt in range(30):
                res = ansible(host, "-m", "tridc.ovn.ovn_cluster", "-a", "db=ic_sb", "-o")
                if '"healthy": true' in res.stdout:
                    break
                time.sleep(1)
            else:
                pytest.fail("%s: no IC Southbound leader after losing dc1: %s" % (host, res.stdout[-1500:]))
        failover = ansible.playbook("playbooks/dr_failover.yml", "-e", "dc=dc1", timeout=1200)
        assert failover.returncode == 0, (failover.stdout + failover.stderr)[-4000:]
        assert not any(h.startswith("dc1-") for h in recap(failover.stdout)), "dr_failover.yml contacted the lost DC"
        failed_over = time.monotonic()
        # dc2 owns app104's gateway now (same address and MAC) and advertises it: dc3 learns it from dc2 and reaches
        # vm104 on tor1 through dc2 and the ToR-to-ToR trunk
        assert "lrp-dc2-app104" in node_run("dc2-n1", "ovn-nbctl", "--no-leader-only", "lrp-list", "lr-dc2").stdout
        while app104_routes(node_run, "dc3") != [("10.104.0.0/24", "169.254.100.2", "learned")]:
            assert time.monotonic() - failed_over < 60, "dc3 does not learn app104 from dc2: %s" % app104_routes(node_run, "dc3")
            time.sleep(0.2)
        learned = time.monotonic()
        while node_run("dc3-n1", "ip", "netns", "exec", "tridc-probe", "ping", "-c", "1", "-W", "1", APP104_VM).returncode != 0:
            assert time.monotonic() - failed_over < 60, "dc3 does not reach vm104 through dc2 after the failover"
        answered = time.monotonic()
        print("app104 (logical gateway) after dr_failover.yml: dc3 learned it from dc2 in %.1f s, vm104 answered dc3 %.1f s "
              "after the playbook ended (%.1f s after the loss)" % (learned - failed_over, answered - failed_over, answered - lost_at))
        results = [ping_result(p) for p in flows]
        for r in results:
            # dc2 <-> dc3 does not depend on dc1: at most a few packets
            assert r["sent"] > 1000 and r["lost_ms"] <= 200, "survivors lost traffic when dc1 was lost: %s" % results
    finally:
        for p in flows:
            if p.poll() is None:
                p.kill()
        subprocess.run(["podman", "start"] + containers, capture_output=True, text=True, check=False)
        subprocess.run(["bash", str(lab.root / "lab" / "lab.sh"), "up"], capture_output=True, text=True, check=False, timeout=600)
    # dc1's containers came back as rebooted hosts: Open vSwitch started with ovs-ctl --system-id=random, and each
    # chassis keeps its planned name (the ovs role's system-id.conf), before any playbook ran on them again
    for host in ("dc1-n1", "dc1-n2", "dc1-n3"):
        for _attempt in range(30):
            res = node_run(host, "ovs-vsctl", "--timeout=2", "get", "Open_vSwitch", ".", "external_ids:system-id")
            if res.returncode == 0:
                break
            time.sleep(1)
        assert res.stdout.strip().strip('"') == host, (host, "renamed by the restart", res.stdout + res.stderr)
    # the documented return: dr_failback.yml (the survivors give back what they took over), then site.yml, which
    # brings back what dc1's restarted containers lost and changes nothing on dc2 and dc3
    failback = ansible.playbook("playbooks/dr_failback.yml", timeout=1200)
    assert failback.returncode == 0, (failback.stdout + failback.stderr)[-4000:]
    res = ansible.playbook("playbooks/site.yml", timeout=2400)
    assert res.returncode == 0, (res.stdout + res.stderr)[-4000:]
    assert not [h for h in changed_hosts(res.stdout) if not h.startswith("dc1-")], \
        "site.yml after failback changed a survivor:\n" + res.stdout[-4000:]
    # the gateway is dc1's again, and dc3 learns app104 from dc1
    assert "app104" not in node_run("dc2-n1", "ovn-nbctl", "--no-leader-only", "lrp-list", "lr-dc2").stdout
    deadline = time.monotonic() + 60
    while app104_routes(node_run, "dc3") != [("10.104.0.0/24", "169.254.100.1", "learned")]:
        assert time.monotonic() < deadline, "dc3 does not learn app104 from dc1 again: %s" % app104_routes(node_run, "dc3")
        time.sleep(1)
    # dc1's probe pod went with its containers: made again (the lab as the test found it), it talks to dc2 and dc3
    made = make_probes(lab, tmp_path, "--limit", "localhost:dc1")
    assert made.returncode == 0, (made.stdout + made.stderr)[-4000:]
    for src, dst in (("dc1", "dc2"), ("dc1", "dc3"), ("dc3", "dc1")):
        for _attempt in range(30):
            if probe_ping(node_run, src, dst).returncode == 0:
                break
            time.sleep(1)
        else:
            pytest.fail("no ping %s -> %s after the failback" % (src, dst))

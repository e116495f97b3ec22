# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Debian 12 -> 13 on the running lab with playbooks/upgrade.yml (OVN 23.03 -> 25.03, OVS 3.1 -> 3.5; issue 10),
with traffic the whole time (overlay across the DCs through the IC gateways, and underlay: a legacy VM on the ToR
and a workload with a fixed IP on the same VLAN, on a chassis), and the run killed once in the middle of the first DC
and resumed.

The package source moves to the lab's trixie mirror in one of two ways a bank moves its own, TRIDC_LAB_UPGRADE_SOURCE:
  inventory (default, make lab-upgrade)  the inventory's source changes: -e @lab/debian13.yml (/mirror-trixie/);
  mirror    (meant for make test)        the inventory stays, the mirror behind its address moves: lab.sh up with
                                         TRIDC_LAB_SUITE=trixie serves trixie at /mirror/; the lab tests that run
                                         after it (TRIDC_LAB_SUITE=trixie) find the upgraded lab with the source
                                         they expect.
It needs the lab on Debian 12 with site.yml applied, as make lab and make test leave it."""

import os
import re
import signal
import subprocess
import time

from probes import PROBES, logs_around, ping_stats, ssh_popen  # pylint: disable=import-error
from workloads import join, leave  # pylint: disable=import-error

# cross-DC overlay between the probe pods: each through both DCs' IC gateways
FLOWS = [("dc1", "dc3"), ("dc2", "dc3"), ("dc1", "dc2")]
# underlay: dc1's legacy VM vm101 (VLAN 101 on the ToR) pings a workload with a fixed IP on biz101 on the chassis
# dc1-n2, which the upgrade restarts (its own node: the goal there is at most 1 s lost)
UNDERLAY = {"vm": (1, "vm101"), "central": "dc1-n1", "host": "dc1-n2", "lsp": "tridc-upgrade-uw",
            "mac": "0a:58:0a:65:00:3c", "ip": "10.101.0.60"}
INTERVAL = 0.05
OLD, NEW = "23.03.1", "25.03.0"
OVS_NEW = "3.5.0"
SOURCE = os.environ.get("TRIDC_LAB_UPGRADE_SOURCE", "inventory")
# the extra variables of every upgrade.yml run: the inventory's source changed to the trixie mirror, or none
TRIXIE = ("-e", "@lab/debian13.yml") if SOURCE == "inventory" else ()


def os_release(node_run, host):
    res = node_run(host, "sh", "-c", ". /etc/os-release; echo $VERSION_ID")
    return res.stdout.strip()


def start_flow(lab, src, dst, path):
    host, _ip = PROBES[src]
    # no count: the flow runs until the test stops it with SIGINT (ping then prints its summary); its output goes to
    # PATH, not to a pipe (a pipe read only at the end fills after about 800 answers and stops ping)
    with path.open("w") as out:
        return ssh_popen(lab, host, ["ip", "netns", "exec", "tridc-probe", "ping", "-D", "-O", "-n", "-i", str(INTERVAL),
                                     "-W", "1", PROBES[dst][1]], stdout=out)


def start_vm_flow(lab, dc, vm, target, path):
    # lab.sh vm: ping in the VM's namespace on the ToR, in a process group of its own (SIGINT to it: ping stops and
    # prints its summary); its output goes to PATH
    with path.open("w") as out:
        return subprocess.Popen(["bash", str(lab.root / "lab" / "lab.sh"), "vm", str(dc), vm, "ping", "-D", "-O", "-n",
                                 "-i", str(INTERVAL), "-W", "1", target],
                                stdout=out, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def upgrade_popen(lab):
    env = dict(os.environ, ANSIBLE_HOST_KEY_CHECKING="False")
    env.setdefault("ANSIBLE_CONFIG", str(lab.root / "ansible.cfg"))
    argv = [str(lab.root / ".venv" / "bin" / "ansible-playbook"), "-i", str(lab.inventory),
            str(lab.root / "playbooks" / "upgrade.yml"), *TRIXIE]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            cwd=str(lab.root), start_new_session=True)


def test_debian12_to_13_in_ovn_order_resumes_after_a_kill_and_keeps_cross_dc_traffic(lab, ansible, node_run, probes,
                                                                                     tmp_path):
    versions = {h: os_release(node_run, h) for h in lab.nodes}
    assert set(versions.values()) == {"12"}, (
        "the upgrade test needs the lab on Debian 12 (lab.sh down; lab.sh up; site.yml): %s"
        % versions)
    assert SOURCE in ("inventory", "mirror"), "TRIDC_LAB_UPGRADE_SOURCE is inventory or mirror, not %r" % SOURCE
    if SOURCE == "mirror":
        # the lab's mirror moves to trixie under the inventory's address (the containers stay as they are)
        moved = subprocess.run(["bash", str(lab.root / "lab" / "lab.sh"), "up"], capture_output=True, text=True,
                               timeout=600, check=False, env=dict(os.environ, TRIDC_LAB_SUITE="trixie"))
        assert moved.returncode == 0, moved.stdout[-2000:] + moved.stderr[-2000:]

    # --check: the procedure and every host's steps, and nothing changes
    res = ansible.playbook("playbooks/upgrade.yml", "--check", *TRIXIE)
    assert res.returncode == 0, res.stdout[-6000:] + res.stderr[-3000:]
    print(res.stdout[res.stdout.find("fail-safe upgrade"):][:3000])
    assert "fail-safe upgrade %s -> %s" % (OLD, NEW) in res.stdout
    order = re.findall(r"^\s*-\s*['\"]?\s*\d+\. (\w+)\s+(\w+)\s+(\S.*?)['\"]?$", res.stdout, re.M)
    steps = [(s, dc) for s, dc, _h in order]
    assert steps[0] == ("pin_controllers", "all") and steps[-1] == ("unpin_controllers", "all")
    assert [dc for s, dc in steps if s == "gate"] == ["dc3", "dc2", "dc1"]
    assert {os_release(node_run, h) for h in lab.nodes} == {"12"}

    wl = UNDERLAY
    leave(node_run, wl["central"], wl["host"], wl["lsp"])
    join(node_run, ansible, wl["central"], wl["host"], wl["lsp"], wl["mac"], wl["ip"], switch="biz101")
    underlay = "%s->%s" % (wl["vm"][1], wl["host"])
    # each flow's ping output, in a file
    outputs = {"%s->%s" % f: tmp_path / ("%s-%s.ping" % f) for f in FLOWS}
    outputs[underlay] = tmp_path / "underlay.ping"
    flows = {"%s->%s" % f: start_flow(lab, *f, outputs["%s->%s" % f]) for f in FLOWS}
    flows[underlay] = start_vm_flow(lab, *wl["vm"], wl["ip"], outputs[underlay])
    # the nodes whose logs explain a gap of a flow
    flow_hosts = {"%s->%s" % f: [PROBES[f[0]][0], PROBES[f[1]][0]] for f in FLOWS}
    flow_hosts[underlay] = [wl["host"]]
    t0 = time.time()
    try:
        # run 1: killed in the middle of the first DC, as the second central member's databases restart
        proc = upgrade_popen(lab)
        seen, out = 0, []
        for line in proc.stdout:
            out.append(line)
            if "Database restart on the new ovsdb-server - nb" in line:
                seen += 1
                if seen == 2:
                    os.killpg(proc.pid, signal.SIGKILL)
                    break
        proc.wait(timeout=60)
        assert seen == 2, "the first run ended before the second member: " + "".join(out)[-6000:]
        killed_after = time.time() - t0

        # run 2: resumes (the first member is done) and completes
        res = ansible.playbook("playbooks/upgrade.yml", *TRIXIE, timeout=3000)
        assert res.returncode == 0, res.stdout[-8000:] + res.stderr[-3000:]
        assert re.search(r"central_member\s+dc3\s+\S+\s+\(done\)", res.stdout), res.stdout[-8000:]
        took = time.time() - t0
        print(res.stdout[res.stdout.rfind("PLAY RECAP"):])  # the recap and the per-phase times of the resumed run
    finally:
        for src, _dst in FLOWS:
            node_run(PROBES[src][0], "pkill", "-INT", "-f", "ping -D -O -n -i %s" % INTERVAL)
        try:
            os.killpg(flows[underlay].pid, signal.SIGINT)
        except ProcessLookupError:
            pass
    for pinger in flows.values():
        pinger.wait(timeout=120)
    results = {f: ping_stats(outputs[f].read_text(), interval=INTERVAL) for f in flows}
    leave(node_run, wl["central"], wl["host"], wl["lsp"])

    print("\nupgrade: killed after %.0f s, resumed and finished after %.0f s in all" % (killed_after, took))
    print("%-14s %8s %8s %10s %s" % ("flow", "sent", "lost", "lost ms", "longest gap ms"))
    for flow, r in results.items():
        print("%-14s %8d %8d %10d %s" % (flow, r["sent"], r["sent"] - r["received"], r["lost_ms"], max(r["gaps_ms"] or [0])))
    # when each gap began (UTC, the last answer before it) and how long it was: to match them with the upgrade's steps
    for flow, r in results.items():
        gaps = ["%s %d ms" % (time.strftime("%H:%M:%S", time.gmtime(at)), ms) for at, ms in zip(r["gaps_at"], r["gaps_ms"])]
        print("%-14s gaps: %s" % (flow, ", ".join(gaps) or "none"))

    # every node on Debian 13, ovn-controller on OVN 25.03 and ovs-vswitchd on OVS 3.5 (upgrade.yml's gates checked every
    # daemon of each DC), the pin gone
    assert {os_release(node_run, h) for h in lab.nodes} == {"13"}
    for host in lab.nodes:
        res = node_run(host, "ovn-appctl", "-t", "ovn-controller", "version")
        assert res.stdout.startswith("ovn-controller %s" % NEW), (host, res.stdout)
        # Open vSwitch 3.5: the running ovs-vswitchd, not only its package
        res = node_run(host, "ovs-appctl", "version")
        assert res.stdout.startswith("ovs-vswitchd (Open vSwitch) %s" % OVS_NEW), (host, res.stdout)
        res = node_run(host, "ovs-vsctl", "--if-exists", "get", "Open_vSwitch", ".", "external_ids:ovn-match-northd-version")
        assert res.stdout.strip() == "", (host, res.stdout)
        # the node step pauses a starting ovn-controller while its BFD sessions heal, and always resumes it
        res = node_run(host, "ovn-appctl", "-t", "ovn-controller", "debug/status")
        assert res.stdout.strip() == "running", (host, res.stdout)
    # every chassis kept its name through the Open vSwitch restarts (the ovs role's system-id.conf: a chassis renamed
    # by ovs-ctl no longer matches its certificate, and the Southbound RBAC refuses every write of its ovn-controller)
    for host in lab.nodes:
        res = node_run(host, "ovs-vsctl", "get", "Open_vSwitch", ".", "external_ids:system-id")
        assert res.stdout.strip().strip('"') == host, (host, res.stdout)
        res = node_run(host, "grep", "-c", "permission error", "/var/log/ovn/ovn-controller.log")
        assert res.stdout.strip() == "0", (host, "the Southbound refused ovn-controller's writes", res.stdout)
    for dc in ("dc1", "dc2", "dc3"):
        res = node_run(dc + "-n1", "ovn-sbctl", "--no-leader-only", "--bare", "--columns=name", "list", "Chassis")
        assert set(res.stdout.split()) <= set(lab.nodes), (dc, "a chassis not named as planned", res.stdout)
    res = node_run("dc1-n1", "ovsdb-client", "get-schema-version", "unix:/var/run/ovn/ovnsb_db.sock", "OVN_Southbound")
    assert res.stdout.strip() == "20.41.0", res.stdout + res.stderr
    res = node_run("dc1-n1", "ovsdb-client", "get-schema-version", "unix:/var/run/ovn/ovn_ic_nb_db.sock",
                   "OVN_IC_Northbound")
    assert res.stdout.strip() == "1.2.0", res.stdout + res.stderr

    # traffic: every flow answered all along but for short gaps (the netdev datapath: an OVS restart on the node of
    # a probe stops its forwarding until the saved flows are back and BFD is up again; a restart of the DC's active
    # IC gateway moves its ports to the standby and back; docs/upgrades.md) - the figures are printed above. 3 s: the
    # longest seen is 2 s; a standby gateway that takes the active one's ports (6-9.6 s) or an active gateway whose
    # ports stay unbound while its ovn-controller waits (4 s) fail it
    for flow, r in results.items():
        assert r["sent"] > took / INTERVAL * 0.5, (flow, r)
        worst = max(r["gaps_ms"] or [0])
        if worst > 3000:
            # the daemons' logs around the long gaps only, to their end
            print(logs_around(node_run, flow_hosts[flow], [at for at, ms in zip(r["gaps_at"], r["gaps_ms"]) if ms > 3000],
                              after=worst / 1000 + 1))
        assert worst <= 3000, "%s: a gap of %d ms (gaps %s)" % (flow, worst, r["gaps_ms"])

    # a rerun has nothing left to do: --check prints the finishing steps only
    res = ansible.playbook("playbooks/upgrade.yml", "--check", *TRIXIE)
    assert res.returncode == 0 and "none upgrade %s -> %s" % (NEW, NEW) in res.stdout, res.stdout[-4000:]

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""NIC moves in a DC batch where one node fails (security issue, item 7), on the lab.

The three nodes of dc3 are put back in the not-yet-migrated state of a fresh node: eth0 out of br-business, the
management address and default route on eth0, the boot unit tridc-ovs-net@br-business disabled. dc3-n3's
migration is made to fail (a drop-in makes its transient migration unit fail before it moves anything): its
confirm rolls it back and the ovs phase stops the whole batch (any_errors_fatal), right after dc3-n1 and dc3-n2
confirmed their migration. Before the fix their boot unit was enabled only after that point: a reboot put the
management address back on eth0, an OVS port, and the node was unreachable.

Then the peers' containers are restarted. In the lab a restarted node gets its NICs from lab.sh (the management
address on eth0, as ifupdown does at boot), after systemd started; so the test runs the boot unit once the NIC
exists, as a real host's boot does after networking.service, and reaches the peers on their management address,
now on br-business. Their saved routes are the routes they have (default via the ToR), and a route deleted on the
bridge does not come back.

The lab is restored: the drop-in is removed and site.yml runs (it migrates dc3-n3 again)."""

import json
import subprocess
import time

import pytest

DC, VICTIM, PEERS = "dc3", "dc3-n3", ("dc3-n1", "dc3-n2")
BRIDGE, NIC, GW = "br-business", "eth0", "10.90.3.1"
UNIT = "tridc-ovs-net@%s.service" % BRIDGE
DROPIN_DIR = "/etc/systemd/system/tridc-ovs-migrate-%s.service.d" % BRIDGE
ROUTES = "/var/lib/tridc/ovs-net/%s.routes.json" % BRIDGE


def console(host, *argv, check=True):
    """Through the container (not the network)."""
    return subprocess.run(["podman", "exec", "tridc-" + host, *argv], capture_output=True, text=True, timeout=120, check=check)


def bridged(node_run, host):
    res = node_run(host, "ovs-vsctl", "list-ports", BRIDGE)
    return res.returncode == 0 and NIC in res.stdout.split()


def addrs(host):
    out = json.loads(console(host, "ip", "-j", "-4", "addr", "show").stdout)
    return {i["ifname"]: [a["local"] for a in i.get("addr_info", [])] for i in out}


def unmigrate(host, mgmt):
    console(host, "systemctl", "disable", UNIT)
    console(host, "ovs-vsctl", "--if-exists", "del-port", BRIDGE, NIC)
    console(host, "ip", "addr", "replace", mgmt + "/24", "dev", NIC)
    console(host, "ip", "route", "replace", "default", "via", GW, "dev", NIC)
    console(host, "ip", "addr", "flush", "dev", BRIDGE)


@pytest.fixture
def converged(lab, node_run):
    if not all(bridged(node_run, h) for h in lab.nodes):
        pytest.fail("the lab is not converged: run playbooks/site.yml first (make lab)")
    return lab


def test_failed_node_in_a_batch_leaves_no_peer_that_loses_its_address_at_reboot(converged, node_run, ansible):
    for host in (VICTIM,) + PEERS:
        unmigrate(host, converged.nodes[host])
        assert node_run(host, "true").returncode == 0, host
    console(VICTIM, "mkdir", "-p", DROPIN_DIR)
    console(VICTIM, "sh", "-c", "printf '[Service]\\nExecStartPre=/bin/false\\n' > %s/tridc-test-fail.conf" % DROPIN_DIR)
    console(VICTIM, "systemctl", "daemon-reload")
    try:
        res = ansible.playbook("tests/lab/playbooks/ovs_batch.yml", "-e", "batch=" + DC, timeout=900)
        out = res.stdout + res.stderr
        assert res.returncode != 0, "the batch passed although %s's migration failed:\n%s" % (VICTIM, out[-4000:])
        assert "ROLLED BACK" in out, out[-4000:]
        # the victim undid it and keeps its address on eth0
        assert converged.nodes[VICTIM] in addrs(VICTIM).get(NIC, []), addrs(VICTIM)
        # the peers migrated and are ready to boot that way
        for host in PEERS:
            assert bridged(node_run, host), host
            assert console(host, "systemctl", "is-enabled", UNIT, check=False).stdout.strip() == "enabled", \
                "%s: migrated but %s is not enabled - a reboot loses its management address" % (host, UNIT)
            saved = json.loads(console(host, "cat", ROUTES).stdout)
            assert [r["dst"] for r in saved] == ["default"], (host, saved)

        # a route an operator adds and deletes again is not brought back by a boot
        peer = PEERS[0]
        console(peer, "ip", "route", "add", "10.250.0.0/24", "via", GW, "dev", BRIDGE)
        console(peer, "python3", "/usr/local/lib/tridc-ovn/tridc_ovs_net.py", "save", BRIDGE)
        console(peer, "ip", "route", "del", "10.250.0.0/24")

        # restart the peers' containers; lab.sh gives them their NICs (address on eth0, like ifupdown)
        restarted = subprocess.run(["podman", "restart", "--time", "0"] + ["tridc-" + h for h in PEERS],
                                   capture_output=True, text=True, timeout=300, check=False)
        assert restarted.returncode == 0, restarted.stderr
        up = subprocess.run(["bash", str(converged.root / "lab" / "lab.sh"), "up"], capture_output=True, text=True,
                            timeout=900, check=False)
        assert up.returncode == 0, (up.stdout + up.stderr)[-3000:]
        for host in PEERS:
            for _attempt in range(60):
                if console(host, "systemctl", "is-active", "openvswitch-switch", check=False).stdout.strip() == "active":
                    break
                time.sleep(1)
            # the boot unit, now that the NIC exists (after networking.service on a real host)
            console(host, "systemctl", "restart", UNIT)
            assert node_run(host, "true").returncode == 0, "%s is unreachable after its restart" % host
            links = addrs(host)
            assert converged.nodes[host] in links.get(BRIDGE, []) and links.get(NIC, []) == [], (host, links)
        routes = console(peer, "ip", "-4", "route", "show", "dev", BRIDGE).stdout
        assert "10.250.0.0/24" not in routes, "a deleted route came back at boot:\n" + routes
    finally:
        console(VICTIM, "rm", "-rf", DROPIN_DIR, check=False)
        console(VICTIM, "systemctl", "daemon-reload", check=False)
        # a restarted container lost what the roles set at run time: site.yml migrates dc3-n3 and brings dc3 back
        fixed = ansible.playbook("playbooks/site.yml", timeout=2400)
        assert fixed.returncode == 0, (fixed.stdout + fixed.stderr)[-3000:]
    for host in (VICTIM,) + PEERS:
        assert bridged(node_run, host), host

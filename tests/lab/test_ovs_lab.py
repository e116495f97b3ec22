"""The ovs role in the lab: provider bridges carry the fabric VLANs, migrated NICs stay reachable,
and a migration that cuts the node off is rolled back by the node itself."""

import json
import subprocess
import time

import pytest

# legacy VM per DC on a business VLAN, and the test address the node gets on that VLAN
VLAN_CASES = {
    "dc1": ("vm101", 101, "10.101.0.211"),
    "dc2": ("vm101", 101, "10.101.0.221"),
    "dc3": ("vm103", 103, "10.103.0.231"),
}


def podman_exec(container, *argv, check=True):
    return subprocess.run(["podman", "exec", container, *argv], capture_output=True, text=True, timeout=60, check=check)


def bridged(lab, node_run, host):
    res = node_run(host, "ovs-vsctl", "--format=json", "list-ports", "br-business")
    return res.returncode == 0 and "eth0" in res.stdout.split()


@pytest.fixture(scope="module")
def converged(lab, node_run):
    if not all(bridged(lab, node_run, h) for h in lab.nodes):
        pytest.fail("the lab is not converged: run playbooks/site.yml first (make lab)")
    return lab


@pytest.mark.parametrize("dc", sorted(VLAN_CASES))
def test_legacy_vm_reaches_the_provider_bridge_over_its_vlan(converged, node_run, vm_run, dc):
    vm, vlan, addr = VLAN_CASES[dc]
    host = dc + "-n1"
    port = "tv%d" % vlan
    node_run(host, "ovs-vsctl", "--if-exists", "del-port", "br-business", port)
    try:
        node_run(host, "ovs-vsctl", "add-port", "br-business", port, "tag=%d" % vlan, "--", "set", "interface", port, "type=internal",
                 check=True)
        node_run(host, "ip", "addr", "add", addr + "/24", "dev", port, check=True)
        node_run(host, "ip", "link", "set", port, "up", check=True)
        res = vm_run(dc, vm, "ping", "-c", "3", "-i", "0.3", "-W", "2", addr, timeout=30)
        assert res.returncode == 0, "legacy VM %s in %s cannot reach %s on VLAN %d of %s:\n%s" % (vm, dc, addr, vlan, host, res.stdout)
    finally:
        node_run(host, "ovs-vsctl", "--if-exists", "del-port", "br-business", port)


def test_management_addresses_moved_to_bridges_and_reachable(converged, node_run, ansible):
    for host, mgmt in converged.nodes.items():
        res = node_run(host, "ip", "-j", "-4", "addr", "show")
        links = {i["ifname"]: [a["local"] for a in i.get("addr_info", [])] for i in json.loads(res.stdout)}
        assert mgmt in links.get("br-business", []), (host, links)
        assert links.get("eth0", []) == [], (host, links)
    res = ansible("lab_nodes", "-m", "ansible.builtin.ping", "-o")
    assert res.returncode == 0 and res.stdout.count("SUCCESS") == len(converged.nodes), res.stdout


def test_bad_migration_rolls_back_and_node_stays_reachable(converged, node_run, ansible):
    """dc3-n3's management NIC is migrated again with a plan that forgets the untagged VLAN (an easy
    inventory mistake): the node is cut off, its watchdog restores eth0, the run fails saying so."""
    host, mgmt, container = "dc3-n3", converged.nodes["dc3-n3"], "tridc-dc3-n3"
    # return the node to a not-yet-migrated state (through the console, not the network)
    podman_exec(container, "ovs-vsctl", "--if-exists", "del-port", "br-business", "eth0")
    podman_exec(container, "ip", "addr", "replace", mgmt + "/24", "dev", "eth0")
    podman_exec(container, "ip", "route", "replace", "default", "via", "10.90.3.1", "dev", "eth0")
    podman_exec(container, "ip", "addr", "flush", "dev", "br-business")
    assert node_run(host, "true").returncode == 0
    broken = {"tridc_provider_networks": [
        {"name": "business", "default_nic": "eth0",
         "vlans": [{"name": "biz101", "id": 101, "dcs": ["dc1", "dc2"]}, {"name": "biz102", "id": 102, "dcs": ["dc1"]},
                   {"name": "biz103", "id": 103, "dcs": ["dc3"]}, {"name": "app104", "id": 104, "dcs": ["dc1", "dc2"]}]},
        {"name": "storage", "default_nic": "eth1",
         "vlans": [{"name": "stor201", "id": 201, "dcs": ["dc1", "dc2"]}, {"name": "stor203", "id": 203, "dcs": ["dc3"]},
                   {"name": "under20", "id": 0, "dcs": ["dc1", "dc2", "dc3"]}]}],
        "tridc_ovs_rollback_timeout": 20}
    start = time.monotonic()
    res = ansible.playbook("tests/lab/playbooks/ovs_only.yml", "--limit", "localhost," + host, "-e", json.dumps(broken), timeout=600)
    elapsed = time.monotonic() - start
    out = res.stdout + res.stderr
    try:
        assert res.returncode != 0, out
        assert "ROLLED BACK" in out and "back on eth0" in out, out[-3000:]
        # the node undid it by itself and is reachable again on its management address, on eth0
        assert node_run(host, "true").returncode == 0
        addrs = node_run(host, "ip", "-4", "-o", "addr", "show", "dev", "eth0").stdout
        assert mgmt in addrs
        print("rollback detected and reported after %.1f s" % elapsed)
    finally:
        # the correct plan migrates it again
        fixed = ansible.playbook("tests/lab/playbooks/ovs_only.yml", "--limit", "localhost," + host, timeout=600)
        assert fixed.returncode == 0, (fixed.stdout + fixed.stderr)[-3000:]
    assert bridged(converged, node_run, host)

"""The lab's own fabric, before any role ran (proposed for tests/lab/; uses tests/lab/conftest.py)."""

import pytest


def test_ansible_reaches_all_nodes(ansible, lab):
    res = ansible("all", "-m", "ping")
    assert res.returncode == 0, res.stdout + res.stderr
    for host in lab.nodes:
        assert f"{host} | SUCCESS" in res.stdout


@pytest.mark.parametrize("dc,vm", [(1, "vm101"), (2, "vm101"), (3, "vm103")])
def test_legacy_vm_pings_its_gateway(vm_run, lab, dc, vm):
    _addr, _vlan, gateway = lab.vms[(dc, vm)]
    res = vm_run(dc, vm, "ping", "-c", "2", "-W", "2", gateway)
    assert res.returncode == 0, res.stdout + res.stderr


def test_stretched_vlan_101_dc2_to_dc1(vm_run):
    res = vm_run(2, "vm101", "ping", "-c", "2", "-W", "2", "10.101.0.201")
    assert res.returncode == 0, res.stdout + res.stderr


def test_dc1_n1_pings_dc3_n1_across_the_wan(node_run):
    res = node_run("dc1-n1", "ping", "-c", "2", "-W", "2", "10.90.3.11")
    assert res.returncode == 0, res.stdout + res.stderr


def test_nodes_reach_the_package_mirror(node_run):
    """The mirror of the lab's Debian suite at /mirror/, the lab inventory's source (lab.sh serves each built suite's
    mirror beside it: /mirror-bookworm/, /mirror-trixie/)."""
    code = ('import urllib.request;'
            'print(urllib.request.urlopen("http://10.99.0.1:8181/mirror/Packages").status)')
    res = node_run("dc3-n3", "python3", "-c", code)
    assert res.returncode == 0 and res.stdout.strip() == "200", res.stdout + res.stderr

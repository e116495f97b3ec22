"""Fixtures for tests against the running three-DC lab (lab/lab.sh, lab/README.md).

The tests here need the lab to be up (``make lab-up`` / ``lab/lab.sh up``). When it is not,
they are skipped, unless ``TRIDC_LAB_UP=1`` is set: then the session brings it up first.

Fixtures:
  lab        session; skips unless the lab is up. Has .root, .nodes, .vms
  node_run   node_run("dc1-n1", "ip", "-br", "a") -> CompletedProcess (over ssh, like Ansible)
  tor_run    tor_run(1, "ovs-vsctl", "show") -> CompletedProcess (inside ToR 1)
  vm_run     vm_run(3, "vm103", "ping", "-c1", "10.103.0.1") -> CompletedProcess (legacy VM)
  ansible    ansible("all", "-m", "ping") / ansible.playbook("playbooks/x.yml") -> CompletedProcess
"""

import os
import pathlib
import shlex
import subprocess
from types import SimpleNamespace

import pytest

ROOT = pathlib.Path(os.environ.get("TRIDC_ROOT") or pathlib.Path(__file__).resolve().parents[2])
LAB_SH = ROOT / "lab" / "lab.sh"
KEY = ROOT / "lab" / ".state" / "ssh" / "id_ed25519"
INVENTORY = ROOT / "inventories" / "lab"
VENV_BIN = ROOT / ".venv" / "bin"

# name -> management address (inventories/lab/hosts.yml)
NODES = {f"dc{d}-n{i}": f"10.90.{d}.1{i}" for d in (1, 2, 3) for i in (1, 2, 3)}
# (dc, netns name) -> (address, VLAN, gateway)   (lab/lab.sh VMS)
VMS = {
    (1, "vm101"): ("10.101.0.201", 101, "10.101.0.1"),
    (2, "vm101"): ("10.101.0.202", 101, "10.101.0.1"),
    (3, "vm103"): ("10.103.0.201", 103, "10.103.0.1"),
    # its gateway is OVN's (the logical gateway of app104): dc1's router, dc2's after dr_failover.yml
    (1, "vm104"): ("10.104.0.201", 104, "10.104.0.1"),
}
SSH_OPTS = [
    "-i", str(KEY), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
    "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=5",
]


def pytest_configure(config):
    config.addinivalue_line("markers", "lab: needs the running three-DC lab (lab/lab.sh up)")


def pytest_collection_modifyitems(config, items):
    here = pathlib.Path(__file__).resolve().parent
    for item in items:
        if here in pathlib.Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.lab)


def _run(argv, timeout=120, check=False, **kw):
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True,
                          timeout=timeout, check=check, **kw)


def _lab_is_up():
    if not KEY.exists() or not (ROOT / "lab" / ".state" / "up").exists():
        return False
    res = _run(["ssh", *SSH_OPTS, "root@" + NODES["dc1-n1"], "true"], timeout=20)
    return res.returncode == 0


@pytest.fixture(scope="session")
def lab():
    if not _lab_is_up():
        if os.environ.get("TRIDC_LAB_UP") == "1":
            res = _run(["bash", LAB_SH, "up"], timeout=1800)
            assert res.returncode == 0, f"lab/lab.sh up failed:\n{res.stdout}\n{res.stderr}"
        else:
            pytest.skip("the lab is not up (run `make lab-up` or set TRIDC_LAB_UP=1)")
    return SimpleNamespace(root=ROOT, nodes=dict(NODES), vms=dict(VMS), key=KEY,
                           inventory=INVENTORY)


@pytest.fixture(scope="session")
def node_run(lab):
    def run(host, *argv, timeout=60, check=False):
        addr = NODES.get(host, host)
        # ssh takes one command line: quote every argument
        return _run(["ssh", *SSH_OPTS, "root@" + addr, shlex.join(str(a) for a in argv)],
                    timeout=timeout, check=check)
    return run


@pytest.fixture(scope="session")
def tor_run(lab):
    def run(dc, *argv, timeout=60, check=False):
        return _run(["bash", LAB_SH, "tor", str(dc).removeprefix("dc"), *argv], timeout=timeout, check=check)
    return run


@pytest.fixture(scope="session")
def vm_run(lab):
    def run(dc, vm, *argv, timeout=60, check=False):
        return _run(["bash", LAB_SH, "vm", str(dc).removeprefix("dc"), vm, *argv], timeout=timeout, check=check)
    return run


@pytest.fixture(scope="session")
def ansible(lab):
    env = dict(os.environ, ANSIBLE_HOST_KEY_CHECKING="False")
    env.setdefault("ANSIBLE_CONFIG", str(ROOT / "ansible.cfg"))

    def adhoc(pattern, *args, timeout=600):
        return _run([VENV_BIN / "ansible", "-i", INVENTORY, pattern, *args],
                    timeout=timeout, env=env, cwd=ROOT)

    def playbook(path, *args, timeout=1800):
        return _run([VENV_BIN / "ansible-playbook", "-i", INVENTORY, ROOT / path, *args],
                    timeout=timeout, env=env, cwd=ROOT)

    adhoc.playbook = playbook
    return adhoc


@pytest.fixture(scope="session")
def probes(lab, tmp_path_factory):
    """A probe pod per DC (interconnect role, tasks_from probe; tests/lab/probes.py), made once a session. The DC
    loss test (test_interconnect) stops dc1's containers, which takes dc1's probe with them; it makes it again after
    the failback."""
    from probes import PROBES, make_probes  # pylint: disable=import-outside-toplevel
    res = make_probes(lab, tmp_path_factory.mktemp("probe"))
    assert res.returncode == 0, (res.stdout + res.stderr)[-4000:]
    return PROBES

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""No secret reaches a log at any verbosity (security issue, item 5).

The kube_ovn role runs with ansible-playbook -vvv against real secret material (tests/unit/secret_traces.py: a
fresh EC private key, a client certificate, a bearer token, a password) in a kubeconfig, and the whole output
(stdout and stderr) is searched for any trace of it: the whole value, any 24-character window, decoded base64.

The role runs its whole path: preflight, rendering, helm (a stand-in ``helm`` script that checks it got the
kubeconfig file, never prints it), the server-side apply and the gate with the real kubernetes client and the
module, against the in-memory API server of fake_apiserver.py served over HTTP on 127.0.0.1. One case gives
the kubeconfig inline (a dict, as from a vault, through tridc_kube_ovn_kubeconfigs), one as a file, one points
it at an address nobody listens on (the failure path prints more: invocation, tracebacks).

CASES maps a case name to its runner. The pki role runs too: with pki_mode supplied (the user's real key is copied
to the host) and with ovs-pki (the key made on the host: no trace of it either).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from ansible_collections.tridc.ovn.plugins.plugin_utils.kube_ovn import render_plan

from secret_traces import SecretMaterial, count_traces, find_traces

from .conftest import REPO
from .fake_apiserver import FakeApiServer
from .helpers import add_nodes, kube_ovn_controller
from .plans import base_plan

CHART_VERSION = "v1.15.24"

FAKE_HELM = textwrap.dedent("""\
    #!%(python)s
    # Stand-in for the helm CLI: answers what the kube_ovn role asks, checks the kubeconfig file it is given
    # (private, holds the token), never prints it.
    import json, os, stat, sys
    args = sys.argv[1:]
    with open(%(log)r, "a") as log:
        log.write(json.dumps(args) + "\\n")
    if args[:1] == ["version"]:
        print("v3.15.0+gtridc"); sys.exit(0)
    if args[:2] == ["show", "chart"]:
        print("apiVersion: v2\\nname: kube-ovn\\nversion: %(version)s"); sys.exit(0)
    conf = args[args.index("--kubeconfig") + 1]
    if os.path.basename(conf).endswith(".kubeconfig") and stat.S_IMODE(os.stat(conf).st_mode) != 0o600:
        print("kubeconfig file is not private", file=sys.stderr); sys.exit(3)
    if %(token)r not in open(conf).read():
        print("kubeconfig file without the token", file=sys.stderr); sys.exit(4)
    if args[:1] == ["list"]:
        print("[]"); sys.exit(0)
    if args[:2] == ["get", "values"]:
        print("Error: release: not found", file=sys.stderr); sys.exit(1)
    if args[:2] == ["upgrade", "--install"]:
        print("Release %%s has been upgraded. Happy Helming!" %% args[2]); sys.exit(0)
    print("unexpected helm call %%s" %% args, file=sys.stderr); sys.exit(2)
    """)


class _Handler(BaseHTTPRequestHandler):
    fake = None

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else None
        resp = self.fake.request(self.command, self.path, body=body, headers={"Content-Type": self.headers.get("Content-Type", "")})
        data = resp.read()
        self.send_response(resp.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PATCH = do_PUT = do_DELETE = do_POST = _serve

    def log_message(self, *_args):
        pass


@pytest.fixture
def apiserver():
    plan = base_plan()
    nodes = sorted(h for h, n in plan["nodes"].items() if n.get("kube_ovn_node") and n["dc"] == "dc1")
    fake = FakeApiServer(controller=kube_ovn_controller(nodes))
    add_nodes(fake, nodes)
    handler = type("Handler", (_Handler,), {"fake": fake})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d" % httpd.server_address[1], fake
    httpd.shutdown()
    httpd.server_close()


def run_kube_ovn(tmp_path, material, kubeconfig_var, tasks_from="main", verbosity="-vvv"):
    plan = base_plan()
    plan = dict(plan, kube_ovn=render_plan(plan))
    (tmp_path / "plan.json").write_text(json.dumps({"tridc_plan": plan}))
    helm = tmp_path / "helm"
    helm.write_text(FAKE_HELM % {"python": sys.executable, "log": str(tmp_path / "helm.log"), "version": CHART_VERSION,
                                 "token": material.token})
    helm.chmod(0o755)
    role_vars = {"kube_ovn_dc": "dc1", "kube_ovn_render_dir": str(tmp_path / "render"), "kube_ovn_install_method": "helm",
                 "kube_ovn_helm_binary": str(helm), "kube_ovn_chart_ref": str(tmp_path / "chart"),
                 "kube_ovn_chart_version": CHART_VERSION, "kube_ovn_wait_timeout": 20}
    playbook = [{"name": "Kube-OVN role with a secret kubeconfig", "hosts": "localhost", "gather_facts": False,
                 "vars_files": ["plan.json", "kubeconfig.yml"],
                 "tasks": [{"name": "Run the role", "ansible.builtin.include_role": {"name": "tridc.ovn.kube_ovn",
                                                                                     "tasks_from": tasks_from},
                            "vars": role_vars}]}]
    # the kubeconfig comes the way an inventory or a vault gives it
    (tmp_path / "kubeconfig.yml").write_text(yaml.safe_dump(kubeconfig_var))
    (tmp_path / "play.yml").write_text(yaml.safe_dump(playbook))
    (tmp_path / "ansible.cfg").write_text("[defaults]\nstdout_callback = default\n")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".build", "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_INVENTORY_UNPARSED_WARNING="False",
               ANSIBLE_CONFIG=str(tmp_path / "ansible.cfg"), ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    env.pop("KUBECONFIG", None)
    bindir = os.path.dirname(sys.executable)
    return subprocess.run([os.path.join(bindir, "ansible-playbook"), verbosity, "--diff", "-i", "localhost,", "-c", "local",
                           "play.yml"], cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=600, check=False)


def case_kube_ovn_inline(tmp_path, material, server):
    """kubeconfig as a dict (tridc_kube_ovn_kubeconfigs[dc], as from a vault): helm install, apply, gate."""
    conf = {"tridc_kube_ovn_kubeconfigs": {"dc1": material.kubeconfig(server)}}
    main = run_kube_ovn(tmp_path, material, conf)
    assert main.returncode == 0, (main.stdout + main.stderr)[-6000:]
    assert "Helm upgrade --install" in main.stdout and "Apply ProviderNetworks" in main.stdout
    gate = run_kube_ovn(tmp_path, material, conf, tasks_from="gate")
    assert gate.returncode == 0, (gate.stdout + gate.stderr)[-6000:]
    return [main, gate]


def case_kube_ovn_file(tmp_path, material, server):
    """kubeconfig as a file on the controller."""
    path = tmp_path / "dc1.kubeconfig.yml"
    path.write_text(yaml.safe_dump(material.kubeconfig(server)))
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    main = run_kube_ovn(tmp_path, material, {"tridc_kube_ovn_kubeconfigs": {"dc1": str(path)}})
    assert main.returncode == 0, (main.stdout + main.stderr)[-6000:]
    return [main]


def case_kube_ovn_unreachable(tmp_path, material, _server):
    """inline kubeconfig, no API server: the apply fails (failure output carries the invocation and the error)."""
    conf = {"tridc_kube_ovn_kubeconfigs": {"dc1": material.kubeconfig("https://127.0.0.1:9")}}
    main = run_kube_ovn(tmp_path, material, conf)
    assert main.returncode != 0 and "Apply ProviderNetworks" in main.stdout, (main.stdout + main.stderr)[-6000:]
    return [main]


def run_pki(tmp_path, role_vars):
    """tridc.ovn.pki on localhost (the CA host too) with -vvv --diff; keys and CA under tmp_path."""
    playbook = [{"name": "pki role with a real key", "hosts": "localhost", "gather_facts": False,
                 "tasks": [{"name": "Run the role", "ansible.builtin.include_role": {"name": "tridc.ovn.pki"},
                            "vars": dict(role_vars, pki_cn="tridc-secret-test", pki_dir=str(tmp_path / "host-pki"),
                                         pki_ca_dir=str(tmp_path / "ca" / "pki"), pki_key_bits=1024)}]}]
    (tmp_path / "pki-play.yml").write_text(yaml.safe_dump(playbook))
    (tmp_path / "ansible.cfg").write_text("[defaults]\nstdout_callback = default\n")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".build", "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_INVENTORY_UNPARSED_WARNING="False",
               ANSIBLE_CONFIG=str(tmp_path / "ansible.cfg"), ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    bindir = os.path.dirname(sys.executable)
    return subprocess.run([os.path.join(bindir, "ansible-playbook"), "-vvv", "--diff", "-i", "localhost,", "-c", "local",
                           "pki-play.yml"], cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=600,
                          check=False)


def case_pki_supplied_key(tmp_path, material, _server):
    """pki_mode supplied: the user's private key (a real one) is copied to the host."""
    for name, text in (("key.pem", material.key_pem), ("cert.pem", material.cert_pem), ("ca.pem", material.cert_pem)):
        (tmp_path / name).write_text(text)
    run = run_pki(tmp_path, {"pki_mode": "supplied", "pki_supplied_key": str(tmp_path / "key.pem"),
                             "pki_supplied_cert": str(tmp_path / "cert.pem"), "pki_supplied_ca_cert": str(tmp_path / "ca.pem")})
    assert run.returncode == 0, (run.stdout + run.stderr)[-6000:]
    assert (tmp_path / "host-pki" / "tridc-secret-test-privkey.pem").read_text() == material.key_pem
    return [run]


class _HostKey(object):
    """The key ovs-pki made on the host during the run, as secret material for find_traces."""

    def __init__(self, path):
        self.key_pem = path.read_text()

    def secrets(self):
        return {"host private key (PEM body)": "".join(line for line in self.key_pem.splitlines() if not line.startswith("-----"))}


def case_pki_ovs_pki(tmp_path, material, _server):
    """pki_mode ovs-pki: the key is made on the host and never leaves it; nothing of it is in the output (checked
    against the key the run made, on top of the material, which this case never uses)."""
    run = run_pki(tmp_path, {"pki_mode": "ovs-pki", "pki_operator_cn": ""})
    assert run.returncode == 0, (run.stdout + run.stderr)[-6000:]
    key = tmp_path / "host-pki" / "tridc-secret-test-privkey.pem"
    traces = find_traces(run.stdout + run.stderr, _HostKey(key))
    assert not traces, "pki ovs-pki: traces of the host key in the -vvv output: %s" % traces
    return [run]


CASES = {
    "kube_ovn-inline-kubeconfig": case_kube_ovn_inline,
    "kube_ovn-kubeconfig-file": case_kube_ovn_file,
    "kube_ovn-api-unreachable": case_kube_ovn_unreachable,
    "pki-supplied-key": case_pki_supplied_key,
    "pki-ovs-pki-key": case_pki_ovs_pki,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_trace_of_a_secret_at_vvv(tmp_path, apiserver, case):
    url, _fake = apiserver
    material = SecretMaterial()
    runs = CASES[case](tmp_path, material, url)
    for proc in runs:
        out = proc.stdout + "\n" + proc.stderr
        assert "<localhost> EXEC" in out or "ESTABLISH LOCAL CONNECTION" in out, "not a -vvv run"
        traces = find_traces(out, material)
        assert not traces, "%s: %d trace(s) of secrets in the -vvv output: %s" % (case, count_traces(out, material), traces)

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The kube_ovn role run by ansible-playbook on localhost: preflight, rendering for GitOps, version skew.

No cluster and no helm are involved: these are the paths that need neither (the helm and apply paths need a
cluster: molecule/kube_ovn_live)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml

from ansible_collections.tridc.ovn.plugins.plugin_utils.kube_ovn import render_plan

from .conftest import REPO
from .plans import base_plan


def run_role(tmp_path, plan, extra, tasks_from="main"):
    plan = dict(plan, kube_ovn=render_plan(plan))
    (tmp_path / "plan.json").write_text(json.dumps({"tridc_plan": plan}))
    playbook = [{"name": "Kube-OVN role", "hosts": "localhost", "gather_facts": False, "vars_files": ["plan.json"],
                 "tasks": [{"name": "Run the role", "ansible.builtin.include_role": {"name": "tridc.ovn.kube_ovn",
                                                                                     "tasks_from": tasks_from},
                            "vars": extra}]}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(playbook))
    (tmp_path / "ansible.cfg").write_text("[defaults]\nstdout_callback = default\n")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".build", "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_INVENTORY_UNPARSED_WARNING="False", ANSIBLE_CONFIG=str(tmp_path / "ansible.cfg"),
               ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    bindir = os.path.dirname(sys.executable)
    proc = subprocess.run([os.path.join(bindir, "ansible-playbook"), "-i", "localhost,", "-c", "local", "play.yml"],
                          cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=300, check=False)
    return proc


def test_gitops_render_without_helm(tmp_path):
    out_dir = tmp_path / "render"
    proc = run_role(tmp_path, base_plan(), {"kube_ovn_dc": "dc1", "kube_ovn_render_dir": str(out_dir),
                                            "kube_ovn_helm_binary": str(tmp_path / "no-helm-here")})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "was NOT installed" in proc.stdout and "GitOps" in proc.stdout
    values = yaml.safe_load((out_dir / "dc1" / "values.yaml").read_text())
    assert values["installMode"] == "full" and values["global"]["images"]["kubeovn"]["tag"] == "v1.15.24"
    docs = [d for d in yaml.safe_load_all((out_dir / "dc1" / "resources.yaml").read_text()) if d]
    assert [d["kind"] for d in docs] == ["ProviderNetwork", "ProviderNetwork", "Vlan", "Vlan", "Subnet", "Subnet", "Subnet",
                                         "ConfigMap"]
    assert docs == render_plan(base_plan())["dc1"]["provider_networks"] + render_plan(base_plan())["dc1"]["vlans"] + \
        render_plan(base_plan())["dc1"]["subnets"] + [render_plan(base_plan())["dc1"]["ic_config"]]
    assert "kube-ovn v1.15.24" in (out_dir / "dc1" / "README.txt").read_text()


def test_values_overrides_are_merged(tmp_path):
    out_dir = tmp_path / "render"
    proc = run_role(tmp_path, base_plan(), {"kube_ovn_dc": "dc1", "kube_ovn_render_dir": str(out_dir),
                                            "kube_ovn_install_method": "gitops",
                                            "kube_ovn_values_overrides": {"global": {"registry": {"address": "mirror.bank/kubeovn"}}}})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    values = yaml.safe_load((out_dir / "dc1" / "values.yaml").read_text())
    assert values["global"]["registry"]["address"] == "mirror.bank/kubeovn"
    assert values["global"]["images"]["kubeovn"]["tag"] == "v1.15.24"


def test_helm_required_but_missing_fails(tmp_path):
    proc = run_role(tmp_path, base_plan(), {"kube_ovn_dc": "dc1", "kube_ovn_render_dir": str(tmp_path / "r"),
                                            "kube_ovn_install_method": "helm", "kube_ovn_helm_binary": str(tmp_path / "nohelm")})
    assert proc.returncode != 0
    assert "A helm install needs the helm CLI" in proc.stdout


def test_data_plane_only_ovn_version_skew_fails_preflight(tmp_path):
    plan = base_plan()
    plan["settings"]["kube_ovn"].update(install_mode="data_plane_only", interconnection=False,
                                        external_central={"endpoint": "10.90.1.10", "nb_port": 16641, "sb_port": 16642})
    extra = {"kube_ovn_dc": "dc1", "kube_ovn_render_dir": str(tmp_path / "r"), "kube_ovn_install_method": "gitops",
             "kube_ovn_central_ovn_version": "23.03.1"}
    proc = run_role(tmp_path, plan, extra)
    assert proc.returncode != 0
    assert "OVN version skew" in proc.stdout and "runs OVN 23.03.1 but Kube-OVN v1.15.24 bundles OVN 25.03" in proc.stdout
    extra["kube_ovn_central_ovn_version"] = "25.03.2"
    proc = run_role(tmp_path, plan, extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_missing_slice_and_kube_chassis_conflict(tmp_path):
    proc = run_role(tmp_path, base_plan(), {"kube_ovn_dc": "dc9", "kube_ovn_install_method": "gitops"})
    assert proc.returncode != 0 and "The plan has no Kube-OVN resources for DC 'dc9'" in proc.stdout
    plan = base_plan()
    plan["nodes"]["dc1-k1"]["chassis"] = True
    proc = run_role(tmp_path, plan, {"kube_ovn_dc": "dc1", "kube_ovn_install_method": "gitops",
                                     "kube_ovn_render_dir": str(tmp_path / "r")})
    assert proc.returncode != 0 and "dc1-k1 are both kube_ovn_node and ovn_chassis" in proc.stdout

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tridc.ovn.kube_ovn_apply with the real kubernetes client over the in-memory API server.

Only the HTTP transport is fake (fake_apiserver.py); the client's request building and (de)serialization,
server-side apply semantics (field managers, conflicts, dry run) and the module's logic run for real."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from ansible.module_utils.testing import patch_module_args

from ansible_collections.tridc.ovn.plugins.module_utils import kube_ovn_apply as engine
from ansible_collections.tridc.ovn.plugins.modules import kube_ovn_apply as module
from ansible_collections.tridc.ovn.plugins.plugin_utils.kube_ovn import render_dc

from .helpers import add_nodes, kube_ovn_controller
from .plans import base_plan

NODES = ["dc1-k1", "dc1-k2", "dc1-k3", "dc1-n1", "dc1-n2", "dc1-n3"]


def rendered():
    return render_dc(base_plan(), "dc1")


def params(resources=None, **kw):
    out = dict(resources=resources if resources is not None else rendered(), dc="dc1", state="present",
               field_manager="tridc.ovn", force_conflicts=False, allow_ic_reestablish=False, kube_ovn_version="v1.15.24",
               prune=False, wait=False, wait_timeout=1, wait_interval=0.05, expect_ready_nodes={}, check_node_labels=True)
    out.update(kw)
    return out


def actions(result):
    return {(r["kind"], r["name"]): r["action"] for r in result["resources"]}


def test_create_then_noop(api, server):
    res = engine.run(params(), api)
    assert res["changed"] is True
    assert set(actions(res).values()) == {"create"}
    sub = server.get_object("Subnet", "biz101")
    assert sub["spec"]["vlan"] == "biz101" and sub["spec"]["provider"] == "ovn"
    assert sub["metadata"]["labels"]["tridc.ovn/created"] == "true"
    # every object went through a dry run first, then the real apply, with our field manager
    patches = [q for m, _p, q, c in server.requests if m == "PATCH"]
    assert all(q["fieldManager"] == "tridc.ovn" and q["fieldValidation"] == "Strict" for q in patches)
    assert all(c == "application/apply-patch+yaml" for m, _p, _q, c in server.requests if m == "PATCH")
    assert len(server.writes(dry_run=True)) == len(server.writes(dry_run=False)) == 8
    server.requests.clear()
    again = engine.run(params(), api)
    assert again["changed"] is False and set(actions(again).values()) == {"none"}
    assert server.writes(dry_run=False) == []


def test_check_mode_uses_server_dry_run_only(api, server):
    res = engine.run(params(), api, check_mode=True)
    assert res["changed"] is True and set(actions(res).values()) == {"create"}
    assert server.objects == {}
    assert server.writes(dry_run=False) == [] and len(server.writes(dry_run=True)) == 8
    assert res["diff"]["before"]["Subnet biz101"] is None
    assert res["diff"]["after"]["Subnet biz101"]["spec"]["cidrBlock"] == "10.101.0.0/24"


def test_update_with_diff_and_kube_ovn_owned_fields_untouched(api, server):
    engine.run(params(), api)
    # kube-ovn-controller writes fields of its own with an Update (formatSubnet sets enableLb)
    live = server.get_object("Subnet", "biz101")
    live = copy.deepcopy(live)
    live["spec"]["enableLb"] = True
    server.put_object(live, manager="kube-ovn-controller")
    plan = base_plan()
    plan["subnets"]["biz101"]["exclude_ips"].append("10.101.0.100")
    res = engine.run(params(render_dc(plan, "dc1")), api, check_mode=True)
    assert actions(res)[("Subnet", "biz101")] == "update" and actions(res)[("Vlan", "biz101")] == "none"
    assert "10.101.0.100" in res["diff"]["after"]["Subnet biz101"]["spec"]["excludeIps"]
    assert "10.101.0.100" not in server.get_object("Subnet", "biz101")["spec"]["excludeIps"]
    res = engine.run(params(render_dc(plan, "dc1")), api)
    assert res["changed"] is True
    spec = server.get_object("Subnet", "biz101")["spec"]
    assert "10.101.0.100" in spec["excludeIps"] and spec["enableLb"] is True


@pytest.mark.parametrize("kind,name,change,field", [
    ("ProviderNetwork", "business", lambda p: p["provider_networks"]["business"].update(default_nic="eth7"), "defaultInterface"),
    ("Vlan", "biz101", lambda p: p["vlans"]["biz101"].update(id=111), "id"),
    ("Vlan", "stor201", lambda p: p["vlans"]["stor201"].update(provider="business"), "provider"),
    ("Subnet", "biz101", lambda p: p["subnets"]["biz101"].update(cidr="10.101.0.0/23"), "cidrBlock"),
])
def test_immutable_refusal_applies_nothing(api, server, kind, name, change, field):
    engine.run(params(), api)
    before = copy.deepcopy(server.objects)
    plan = base_plan()
    change(plan)
    server.requests.clear()
    with pytest.raises(engine.ApplyError) as err:
        engine.run(params(render_dc(plan, "dc1")), api)
    msg = err.value.msg
    assert "%s %s: spec.%s is immutable" % (kind, name, field) in msg and "a recreate deletes" in msg
    assert server.writes() == []            # not even a dry run once a refusal is known
    assert server.objects == before


def test_immutable_message_says_host_ips_move(api, server):
    engine.run(params(), api)
    plan = base_plan()
    plan["provider_networks"]["business"]["default_nic"] = "eth7"
    with pytest.raises(engine.ApplyError) as err:
        engine.run(params(render_dc(plan, "dc1")), api, check_mode=True)
    assert "moves the host IPs and routes back from br-business to bond0" in err.value.msg


def test_subnet_vpc_may_be_set_when_empty(api, server):
    """Kube-OVN allows vpc '' -> ovn-cluster; it is not refused (the other writer's field still conflicts)."""
    obj = copy.deepcopy(rendered()["subnets"][0])
    obj["spec"]["vpc"] = ""
    server.put_object(obj, manager="kubectl")
    assert engine.immutable_refusals(rendered()["subnets"][0], server.get_object("Subnet", "biz101")) == []
    with pytest.raises(engine.ApplyError) as err:
        engine.run(params([rendered()["subnets"][0]]), api)
    assert 'conflict with "kubectl": .spec.vpc' in err.value.msg
    res = engine.run(params([rendered()["subnets"][0]], force_conflicts=True), api)
    assert res["changed"] is True and server.get_object("Subnet", "biz101")["spec"]["vpc"] == "ovn-cluster"


def test_conflict_with_another_manager(api, server):
    foreign = copy.deepcopy(rendered()["provider_networks"][0])
    foreign["metadata"]["labels"] = {}
    foreign["spec"]["excludeNodes"] = ["dc1-n1"]
    server.put_object(foreign, manager="kube-ovn-controller")
    with pytest.raises(engine.ApplyError) as err:
        engine.run(params([rendered()["provider_networks"][0]]), api)
    assert 'conflict with "kube-ovn-controller": .spec.excludeNodes' in err.value.msg
    assert "force_conflicts=true" in err.value.msg
    res = engine.run(params([rendered()["provider_networks"][0]], force_conflicts=True), api)
    assert res["changed"] is True
    live = server.get_object("ProviderNetwork", "business")
    assert live["spec"]["excludeNodes"] == ["dc1-n1", "dc1-n2", "dc1-n3"]
    # the object existed before: it is not marked as created by the collection
    assert "tridc.ovn/created" not in live["metadata"]["labels"]


def test_wait_until_ready(api, server):
    add_nodes(server, NODES)
    server.controller = kube_ovn_controller(NODES)
    out = rendered()
    res = engine.run(params(out, wait=True, expect_ready_nodes=out["gate"]["provider_networks"]), api)
    assert res["pending"] == []
    labels = server.get_object("Node", "dc1-k2")["metadata"]["labels"]
    assert labels["business.provider-network.kubernetes.io/ready"] == "true"
    gate = engine.run(params(out, state="ready", expect_ready_nodes=out["gate"]["provider_networks"]), api)
    assert gate["changed"] is False and gate["pending"] == [] and server.writes(dry_run=False)[-1][0] == "PATCH"


def test_wait_timeout_names_what_is_not_ready(api, server):
    add_nodes(server, NODES)
    out = rendered()
    engine.run(params(out), api)
    pn_key = server._key("ProviderNetwork", "business")
    server.set_status(pn_key, {"ready": False, "readyNodes": ["dc1-k1", "dc1-k3"], "notReadyNodes": ["dc1-k2"],
                               "conditions": [{"node": "dc1-k2", "type": "Ready", "status": "False",
                                               "reason": "InitOVSBridgeFailed", "message": "link bond0 not found"}]})
    with pytest.raises(engine.ApplyError) as err:
        engine.run(params(out, state="ready", wait_timeout=0.3, expect_ready_nodes=out["gate"]["provider_networks"]), api)
    msg = err.value.msg
    assert msg.startswith("timed out after 0.3s waiting for Kube-OVN")
    assert "ProviderNetwork business: not ready on dc1-k2 (dc1-k2: link bond0 not found)" in msg
    assert "Vlan biz101: not yet registered on ProviderNetwork business" in msg
    assert "Subnet biz101: not Ready" in msg


def test_vlan_conflict_fails_fast(api, server):
    out = rendered()
    engine.run(params(out), api)
    server.set_status(server._key("Vlan", "biz101"), {"conflict": True})
    with pytest.raises(engine.ApplyError) as err:
        engine.run(params(out, state="ready", wait_timeout=30), api)
    assert "Vlan biz101: Kube-OVN reports a conflict" in err.value.msg


def test_ic_config_reestablish_needs_opt_in_but_gw_nodes_is_in_place(api, server):
    engine.run(params(), api)
    plan = base_plan()
    plan["settings"]["kube_ovn"]["dcs"] = {"dc1": {"ic_gateway_nodes": ["dc1-k1", "dc1-k3"]}}
    res = engine.run(params(render_dc(plan, "dc1")), api, check_mode=True)
    assert res["ic_change"] == "in_place"
    # v1.16.2 predates the in-place gw-nodes reconcile: the same change tears interconnection down
    with pytest.raises(engine.ApplyError) as err:
        engine.run(params(render_dc(plan, "dc1"), kube_ovn_version="v1.16.2"), api, check_mode=True)
    assert "tear down and re-establish" in err.value.msg
    plan["settings"]["kube_ovn"]["az_name"] = "az-dc1-kube"
    server.requests.clear()
    with pytest.raises(engine.ApplyError) as err:
        engine.run(params(render_dc(plan, "dc1")), api)
    assert "changing az-name, gw-nodes makes Kube-OVN v1.15.24 tear down and re-establish interconnection" in err.value.msg
    assert "kube_ovn_allow_ic_reestablish" in err.value.msg
    assert server.get_object("ConfigMap", "ovn-ic-config", "kube-system")["data"]["az-name"] == "az-dc1-k8s"
    res = engine.run(params(render_dc(plan, "dc1"), allow_ic_reestablish=True), api)
    assert res["ic_change"] == "reestablish" and any("re-established" in w for w in res["warnings"])
    assert server.get_object("ConfigMap", "ovn-ic-config", "kube-system")["data"]["az-name"] == "az-dc1-kube"


def test_classify_ic_change_versions():
    on = {"enable-ic": "true", "gw-nodes": "a"}
    assert engine.classify_ic_change(on, dict(on, **{"gw-nodes": "b"}), "v1.15.24") == ("in_place", ["gw-nodes"])
    assert engine.classify_ic_change(on, dict(on, **{"gw-nodes": "b"}), "v1.15.23")[0] == "reestablish"
    assert engine.classify_ic_change(on, dict(on, **{"gw-nodes": "b"}), "1.16.3")[0] == "in_place"
    assert engine.classify_ic_change(on, dict(on, **{"enable-ic": "false"}), "v1.17.0")[0] == "disable"
    assert engine.classify_ic_change({}, on, "v1.17.0")[0] == "establish"
    assert engine.classify_ic_change(on, on, "v1.17.0") == ("none", [])


def test_prune_deletes_only_what_it_created(api, server):
    foreign = {"apiVersion": "kubeovn.io/v1", "kind": "Subnet", "metadata": {"name": "team-a", "labels": {"tridc.ovn/dc": "dc1"}},
               "spec": {"cidrBlock": "10.99.0.0/24"}}
    server.put_object(foreign, manager="kubectl")
    engine.run(params(), api)
    plan = base_plan()
    plan["subnets"]["pods-dc1"]["owner"] = "ovn"         # no longer rendered for Kube-OVN
    plan["subnets"]["stor201"]["owner"] = "ovn"
    server.set_status(server._key("Subnet", "stor201"), {"v4usingIPs": 3})
    res = engine.run(params(render_dc(plan, "dc1"), prune=True), api)
    assert actions(res)[("Subnet", "pods-dc1")] == "delete"
    assert server.get_object("Subnet", "pods-dc1") is None
    assert server.get_object("Subnet", "stor201") is not None            # addresses in use: kept, warned
    assert any("stor201: not pruned" in w for w in res["warnings"])
    assert server.get_object("Subnet", "team-a") is not None             # never created by the collection
    assert ("Subnet", "team-a") not in actions(res)


def test_module_main_with_a_kubeconfig_file(tmp_path, monkeypatch, server, capsys):
    """The module entry point: real kubeconfig loading, the real client, only the transport swapped."""
    from kubernetes.client import rest
    monkeypatch.setattr(rest.urllib3, "PoolManager", lambda *a, **kw: server)
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "dc1",
        "clusters": [{"name": "dc1", "cluster": {"server": "https://kube-api.invalid:6443", "insecure-skip-tls-verify": True}}],
        "users": [{"name": "admin", "user": {"token": "not-a-secret"}}],
        "contexts": [{"name": "dc1", "context": {"cluster": "dc1", "user": "admin"}}]}))
    args = {"resources": rendered(), "dc": "dc1", "kubeconfig": str(kubeconfig), "wait": False, "_ansible_check_mode": True,
            "_ansible_diff": True}
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exit_:
            module.main()
    out = json.loads(capsys.readouterr().out)
    assert exit_.value.code == 0, out
    assert out["changed"] is True and out["diff"]["after"]["Vlan biz101"]["spec"] == {"id": 101, "provider": "business"}
    assert server.objects == {}
    auth = list(server.requests)
    assert auth and all(q.get("dryRun") == "All" for m, _p, q, _c in auth if m == "PATCH")

    immutable = rendered()
    engine.run(params(), _client_for(server))
    immutable["vlans"][0]["spec"]["id"] = 999
    args.update(resources=immutable, _ansible_check_mode=False)
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exit_:
            module.main()
    out = json.loads(capsys.readouterr().out)
    assert exit_.value.code == 1 and out["failed"] is True and "Vlan biz101: spec.id is immutable" in out["msg"]


def _client_for(server):
    from kubernetes import client
    api_client = client.ApiClient(client.Configuration(host="https://kube-api.invalid:6443"))
    api_client.rest_client.pool_manager = server
    return api_client

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Everything the plan renders validates against the v1.17.0 CRD schemas (jsonschema), passes the semantic
rules, and the Helm values use only keys that the charts' values.yaml define.

Covers hand-built plans (every option) and the real inventories through the plan engine."""

from __future__ import annotations

import copy
import os

import jsonschema
import pytest

from ansible_collections.tridc.ovn.plugins.plugin_utils.kube_ovn import (
    render_dc, render_plan, validate_plan_for_kube_ovn, validate_resources)
from ansible_collections.tridc.ovn.plugins.plugin_utils.kube_ovn.values import leaf_paths

from .conftest import REPO
from .plans import base_plan


def _variants():
    out = {"base": base_plan()}
    plan = base_plan()
    plan["settings"]["kube_ovn"].update(install_mode="data_plane_only", interconnection=False,
                                        external_central={"endpoint": "10.90.1.10", "nb_port": 16641, "sb_port": 16642})
    out["data_plane_only"] = plan
    plan = base_plan()
    plan["settings"]["kube_ovn"].update(default_subnet="biz101", image_registry="registry.bank.internal/kubeovn",
                                        master_nodes=["10.90.1.21"], tunnel_type="vxlan")
    plan["dcs"]["dc1"]["kube_ovn"] = {"vpc_routes": [{"cidr": "10.230.0.0/16", "next_hop": "10.101.0.254", "policy": "policyDst"}]}
    plan["subnets"]["stor201"]["kube_ovn_spec"] = {"u2oInterconnection": True, "u2oInterconnectionIP": "10.201.0.254",
                                                   "natOutgoing": False, "private": True, "allowSubnets": ["10.101.0.0/24"]}
    out["vlan_default"] = plan
    v2 = copy.deepcopy(plan)
    v2["settings"]["kube_ovn"]["chart"] = "kube-ovn-v2"
    out["vlan_default_v2"] = v2
    plan = base_plan()
    plan["subnets"]["pods-dc1"].update(cidr="10.210.1.0/24,fd00:10:1::/64", gateway="10.210.1.1,fd00:10:1::1")
    plan["settings"]["kube_ovn"].update(pod_cidr="10.16.0.0/16,fd00:10:16::/112", svc_cidr="10.96.0.0/16,fd00:10:96::/112",
                                        join_cidr="100.64.0.0/16,fd00:100:64::/112")
    out["dual_stack"] = plan
    dual_v2 = copy.deepcopy(plan)
    dual_v2["settings"]["kube_ovn"]["chart"] = "kube-ovn-v2"
    out["dual_stack_v2"] = dual_v2
    return out


VARIANTS = _variants()


def _check_rendered(rendered, crd_schemas, chart_values):
    objs = rendered["provider_networks"] + rendered["vlans"] + rendered["subnets"] + rendered["vpc_routes"]
    assert objs, "nothing rendered"
    for obj in objs:
        schema = crd_schemas[obj["kind"]]
        jsonschema.Draft7Validator(schema).validate(obj)
    cm = rendered["ic_config"]
    if cm is not None:
        assert cm["apiVersion"] == "v1" and cm["kind"] == "ConfigMap"
        assert all(isinstance(v, str) for v in cm["data"].values())
    assert validate_resources(rendered) == []
    chart = rendered["meta"]["chart"]
    defaults = chart_values[chart]
    for path in leaf_paths(rendered["values"]):
        node = defaults
        for key in path:
            assert isinstance(node, dict) and key in node, "values key %s is not in the %s chart" % (".".join(path), chart)
            node = node[key]
        leaf = rendered["values"]
        for key in path:
            leaf = leaf[key]
        if not isinstance(leaf, dict) and node is not None:
            assert type(leaf) is type(node), "values %s: %r is not of the chart's type %s" % (".".join(path), leaf, type(node))


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_hand_built_plans(variant, crd_schemas, chart_values):
    plan = VARIANTS[variant]
    assert validate_plan_for_kube_ovn(plan) == []
    for dc in ("dc1", "dc2"):
        _check_rendered(render_dc(plan, dc), crd_schemas, chart_values)


def test_schema_check_catches_a_wrong_type(crd_schemas):
    bad = render_dc(base_plan(), "dc1")["vlans"][0]
    bad["spec"]["id"] = "101"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(crd_schemas["Vlan"]).validate(bad)


def test_values_key_check_catches_an_unknown_key(chart_values):
    assert ("networking", "NETWORK_TYPE") in leaf_paths(render_dc(base_plan(), "dc1")["values"])
    assert "MTU" not in chart_values["kube-ovn"]["networking"]


def _real_plan(name):
    from tests.unit.inventory_loader import load_inventory  # the lead's loader (Ansible inventory -> engine input)
    from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import build_plan
    return build_plan(load_inventory(os.path.join(REPO, "inventories", name)))


@pytest.mark.parametrize("inventory", ["lab", "example-bank"])
def test_real_inventories(inventory, crd_schemas, chart_values):
    plan = _real_plan(inventory)
    assert validate_plan_for_kube_ovn(plan) == []
    rendered = render_plan(plan)
    if inventory == "lab":
        # the lab has no kube_ovn_node hosts and no kube-ovn owned subnets: nothing to render
        assert rendered == {}
        return
    assert sorted(rendered) == ["north1", "north2", "south1"]
    for dc, out in sorted(rendered.items()):
        _check_rendered(out, crd_schemas, chart_values)
        kube_subnets = sorted(n for n, s in plan["subnets"].items() if s["owner"] == "kube-ovn" and dc in s["dcs"])
        assert sorted(o["metadata"]["name"] for o in out["subnets"]) == kube_subnets
        for pn in out["provider_networks"]:
            excluded = set(pn["spec"].get("excludeNodes", []))
            assert excluded >= {h for h in plan["dcs"][dc]["nodes"] if h not in plan["dcs"][dc]["kube_ovn_nodes"]}
            assert set(out["gate"]["provider_networks"][pn["metadata"]["name"]]).isdisjoint(excluded)

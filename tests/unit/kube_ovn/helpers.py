# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared helpers: a small simulation of what kube-ovn-controller/kube-ovn-cni write back."""

from __future__ import annotations

from .fake_apiserver import KUBEOVN


def kube_ovn_controller(nodes):
    """A controller hook for FakeApiServer: marks ProviderNetworks ready on their non-excluded nodes (status and
    node labels), registers Vlans on their ProviderNetwork and sets Subnets Ready, like Kube-OVN does."""

    def hook(server, key):
        obj = server.objects.get(key)
        if obj is None or key[0] != KUBEOVN:
            return
        name, spec = key[3], obj.get("spec") or {}
        if key[1] == "provider-networks":
            ready = [n for n in nodes if n not in (spec.get("excludeNodes") or [])]
            status = dict(obj.get("status") or {}, ready=True, readyNodes=ready)
            server.set_status(key, status)
            for node in ready:
                nkey = ("v1", "nodes", None, node)
                if nkey in server.objects:
                    server.objects[nkey]["metadata"].setdefault("labels", {})[
                        "%s.provider-network.kubernetes.io/ready" % name] = "true"
        elif key[1] == "vlans":
            pkey = (KUBEOVN, "provider-networks", None, spec.get("provider"))
            if pkey in server.objects:
                pn = server.objects[pkey]
                vlans = sorted(set((pn.get("status") or {}).get("vlans") or []) | {name})
                server.set_status(pkey, dict(pn.get("status") or {}, vlans=vlans))
        elif key[1] == "subnets":
            server.set_status(key, {"conditions": [{"type": "Validated", "status": "True"},
                                                   {"type": "Ready", "status": "True", "reason": "ResourceReady"}],
                                    "v4usingIPs": 0, "v4availableIPs": 200})
    return hook


def add_nodes(server, names):
    for name in names:
        server.put_object({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": {}}})

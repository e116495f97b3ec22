# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Server-side apply of Kube-OVN resources with the ``kubernetes`` client (used by tridc.ovn.kube_ovn_apply).

No Ansible imports: ``run()`` takes the parameters, a ``kubernetes.client.ApiClient`` and check mode, and
returns the result dict (or raises ``ApplyError`` with the result so far).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import copy
import json
import re
import time

try:
    from kubernetes.client import CoreV1Api, CustomObjectsApi
    from kubernetes.client.exceptions import ApiException
    HAS_KUBERNETES = True
    KUBERNETES_IMPORT_ERROR = None
except ImportError as _exc:  # pragma: no cover - reported by the module
    HAS_KUBERNETES = False
    KUBERNETES_IMPORT_ERROR = _exc
    ApiException = Exception

FIELD_MANAGER = "tridc.ovn"
LABEL_MANAGED_BY = "app.kubernetes.io/managed-by"
LABEL_DC = "tridc.ovn/dc"
LABEL_CREATED = "tridc.ovn/created"
APPLY_CONTENT_TYPE = "application/apply-patch+yaml"
GROUP, VERSION = "kubeovn.io", "v1"

KINDS = {  # kind -> plural (kubeovn.io/v1, cluster scoped)
    "ProviderNetwork": "provider-networks",
    "Vlan": "vlans",
    "Subnet": "subnets",
    "Vpc": "vpcs",
}
ORDER = ("ProviderNetwork", "Vlan", "Subnet", "ConfigMap", "Vpc")
IC_CONFIGMAP = ("kube-system", "ovn-ic-config")

IMMUTABLE = {
    "ProviderNetwork": ("defaultInterface",),
    "Vlan": ("id", "provider"),
    "Subnet": ("cidrBlock", "protocol", "vpc"),
}
RECREATE = {
    ("ProviderNetwork", "defaultInterface"): (
        "a recreate deletes ProviderNetwork {name}: kube-ovn-cni removes bridge br-{name} from every node and moves the "
        "host IPs and routes back from br-{name} to {old}, then the new object moves them from {new} onto a new "
        "br-{name}; every Vlan and Subnet on it must be recreated with it and their pods lose the network meanwhile"),
    ("Vlan", "id"): (
        "a recreate deletes Vlan {name} (only possible once no Subnet uses it: {subnets}) and creates it with VLAN "
        "{new}; the pods of those Subnets move from VLAN {old} to {new} and the fabric must trunk the new id first"),
    ("Vlan", "provider"): (
        "a recreate deletes Vlan {name} (only possible once no Subnet uses it: {subnets}) and creates it on "
        "ProviderNetwork {new}; the Subnets' pods move from br-{old} to br-{new}"),
    ("Subnet", "cidrBlock"): (
        "a recreate deletes Subnet {name} (only possible once no pod or IP uses it: {used}) and creates it with "
        "{new}; every workload on it gets a new address"),
    ("Subnet", "protocol"): (
        "a recreate deletes Subnet {name} (only possible once no pod or IP uses it: {used}) and creates it as {new}; "
        "every workload on it gets new addresses"),
    ("Subnet", "vpc"): (
        "a recreate deletes Subnet {name} (only possible once no pod or IP uses it: {used}) and creates it in Vpc "
        "{new}; its logical switch moves to the other router and every workload is re-addressed"),
}
# ovn-ic-config: Kube-OVN releases whose ic-controller updates gw-nodes in place (classifyICConfig); older ones,
# and any change of another key, disable interconnection and establish it again.
IC_GW_IN_PLACE = {(1, 15): (1, 15, 24), (1, 16): (1, 16, 3)}
IC_GW_IN_PLACE_FROM = (1, 17, 0)
_VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)")
_STRIP_META = ("managedFields", "resourceVersion", "generation", "creationTimestamp", "uid", "selfLink")


class ApplyError(Exception):
    def __init__(self, msg, result=None):
        Exception.__init__(self, msg)
        self.msg = msg
        self.result = result or {}


def parse_version(text):
    match = _VERSION.match(str(text or ""))
    return tuple(int(x) for x in match.groups()) if match else None


def gw_nodes_in_place(version):
    ver = parse_version(version)
    if ver is None:
        return False
    if ver >= IC_GW_IN_PLACE_FROM:
        return True
    since = IC_GW_IN_PLACE.get(ver[:2])
    return since is not None and ver >= since


def classify_ic_change(live_data, new_data, version):
    """('none'|'establish'|'in_place'|'reestablish'|'disable', [changed keys]) for an ovn-ic-config change."""
    live_data = live_data or {}
    new_data = new_data or {}
    keys = sorted(k for k in set(live_data) | set(new_data) if live_data.get(k) != new_data.get(k))
    if not keys:
        return "none", []
    live_on = live_data.get("enable-ic") == "true"
    new_on = new_data.get("enable-ic") == "true"
    if not live_on:
        return ("establish" if new_on else "none"), keys
    if not new_on:
        return "disable", keys
    if keys == ["gw-nodes"] and gw_nodes_in_place(version):
        return "in_place", keys
    return "reestablish", keys


def flatten_resources(resources):
    """Objects in apply order from render_dc's dict or a list; (kind, name) duplicates rejected."""
    if isinstance(resources, dict):
        objs = []
        for key in ("provider_networks", "vlans", "subnets", "vpc_routes"):
            objs.extend(resources.get(key) or [])
        if resources.get("ic_config"):
            objs.append(resources["ic_config"])
    else:
        objs = list(resources or [])
    seen = set()
    for obj in objs:
        if not isinstance(obj, dict) or obj.get("kind") not in ORDER:
            what = obj.get("kind") if isinstance(obj, dict) else obj
            raise ApplyError("unsupported resource %r: kinds are %s" % (what, ", ".join(ORDER)))
        if obj["kind"] == "ConfigMap" and (_ns(obj), _name(obj)) != IC_CONFIGMAP:
            raise ApplyError("ConfigMap %s/%s: only %s/%s is managed" % (_ns(obj), _name(obj), IC_CONFIGMAP[0], IC_CONFIGMAP[1]))
        ident = (obj["kind"], _name(obj))
        if ident in seen:
            raise ApplyError("%s %s is given twice" % ident)
        seen.add(ident)
    return sorted(objs, key=lambda o: ORDER.index(o["kind"]))


def _name(obj):
    return (obj.get("metadata") or {}).get("name")


def _ns(obj):
    return (obj.get("metadata") or {}).get("namespace")


def label(obj):
    if obj.get("kind") == "ConfigMap":
        return "ConfigMap %s/%s" % (_ns(obj), _name(obj))
    return "%s %s" % (obj.get("kind"), _name(obj))


def comparable(obj):
    """What a change is judged on: identity, labels, annotations and spec/data (no status, no server fields)."""
    if obj is None:
        return None
    out = {k: copy.deepcopy(v) for k, v in obj.items() if k != "status"}
    meta = out.get("metadata") or {}
    for key in _STRIP_META:
        meta.pop(key, None)
    for key in ("labels", "annotations"):
        if key in meta and not meta[key]:
            del meta[key]
    return out


class Cluster(object):
    """The few API calls the module makes, as plain dicts."""

    def __init__(self, api_client, field_manager=FIELD_MANAGER, field_validation="Strict"):
        self.client = api_client
        self.custom = CustomObjectsApi(api_client)
        self.core = CoreV1Api(api_client)
        self.field_manager = field_manager
        self.field_validation = field_validation

    @staticmethod
    def _json(response):
        """The raw JSON body. Every call uses _preload_content=False: the generated client only deserializes the
        status codes in its response map, and a server-side apply that creates an object answers 201."""
        data = response.data
        if isinstance(data, bytes):
            data = data.decode("utf-8")
        return json.loads(data) if data else None

    def get(self, kind, name, namespace=None):
        try:
            if kind == "ConfigMap":
                return self._json(self.core.read_namespaced_config_map(name, namespace, _preload_content=False))
            if kind == "Node":
                return self._json(self.core.read_node(name, _preload_content=False))
            return self._json(self.custom.get_cluster_custom_object(GROUP, VERSION, KINDS[kind], name, _preload_content=False))
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise

    def apply(self, obj, dry_run, force):
        kwargs = {"field_manager": self.field_manager, "force": bool(force), "_content_type": APPLY_CONTENT_TYPE,
                  "field_validation": self.field_validation, "_preload_content": False}
        if dry_run:
            kwargs["dry_run"] = "All"
        if obj["kind"] == "ConfigMap":
            return self._json(self.core.patch_namespaced_config_map(_name(obj), _ns(obj), obj, **kwargs))
        return self._json(self.custom.patch_cluster_custom_object(GROUP, VERSION, KINDS[obj["kind"]], _name(obj), obj, **kwargs))

    def list(self, kind, selector):
        if kind == "ConfigMap":
            resp = self.core.list_namespaced_config_map(IC_CONFIGMAP[0], label_selector=selector, _preload_content=False)
        else:
            resp = self.custom.list_cluster_custom_object(GROUP, VERSION, KINDS[kind], label_selector=selector,
                                                          _preload_content=False)
        return (self._json(resp) or {}).get("items") or []

    def delete(self, kind, name, namespace=None, dry_run=False):
        kwargs = {"dry_run": "All"} if dry_run else {}
        if kind == "ConfigMap":
            return self.core.delete_namespaced_config_map(name, namespace, **kwargs)
        return self.custom.delete_cluster_custom_object(GROUP, VERSION, KINDS[kind], name, **kwargs)


def api_error_text(exc):
    body = getattr(exc, "body", None)
    if body:
        try:
            return json.loads(body).get("message") or str(body)
        except (ValueError, AttributeError):
            return str(body)
    return str(exc)


# ------------------------------------------------------------------------------------- immutables
def immutable_refusals(desired, live):
    """Messages for each immutable field the desired object would change on the live one."""
    if live is None or desired["kind"] not in IMMUTABLE:
        return []
    out = []
    dspec = desired.get("spec") or {}
    lspec = live.get("spec") or {}
    status = live.get("status") or {}
    for field in IMMUTABLE[desired["kind"]]:
        if field not in dspec:
            continue
        new, old = dspec.get(field), lspec.get(field)
        if old in (None, "") or new == old:
            continue  # unset fields may be set (e.g. Subnet vpc "" -> ovn-cluster, which Kube-OVN also allows)
        used = "%s IPv4 and %s IPv6 addresses in use" % (status.get("v4usingIPs", "?"), status.get("v6usingIPs", "?"))
        why = RECREATE[(desired["kind"], field)].format(name=_name(desired), old=old, new=new, used=used,
                                                        subnets=", ".join(status.get("subnets") or []) or "none known")
        out.append("%s: spec.%s is immutable ('%s' -> '%s'); refusing to change it. %s." % (label(desired), field, old, new, why))
    return out


# ------------------------------------------------------------------------------------------ apply
def _prepare(obj, live, dc):
    body = copy.deepcopy(obj)
    meta = body.setdefault("metadata", {})
    labels = meta.setdefault("labels", {})
    labels[LABEL_MANAGED_BY] = "tridc.ovn"
    if dc:
        labels[LABEL_DC] = dc
    live_labels = ((live or {}).get("metadata") or {}).get("labels") or {}
    if live is None or live_labels.get(LABEL_CREATED) == "true":
        labels[LABEL_CREATED] = "true"  # the marker that makes an object eligible for pruning
    body.pop("status", None)
    return body


def _conflict_message(obj, exc):
    return ("%s: server-side apply conflict: %s. Another field manager owns these fields with other values; "
            "fix the plan or the other writer, or set force_conflicts=true to take them over."
            % (label(obj), api_error_text(exc)))


def apply_all(cluster, params, check_mode, result):
    objs = flatten_resources(params["resources"])
    dc = params.get("dc")
    lives = {}
    refusals = []
    for obj in objs:
        live = cluster.get(obj["kind"], _name(obj), _ns(obj))
        lives[(obj["kind"], _name(obj))] = live
        refusals.extend(immutable_refusals(obj, live))
    if refusals:
        raise ApplyError("refusing immutable changes (nothing was applied):\n" + "\n".join(refusals), result)

    version = params.get("kube_ovn_version")
    items = []
    for obj in objs:
        live = lives[(obj["kind"], _name(obj))]
        body = _prepare(obj, live, dc)
        try:
            dry = cluster.apply(body, dry_run=True, force=params.get("force_conflicts"))
        except ApiException as exc:
            if exc.status == 409:
                raise ApplyError(_conflict_message(obj, exc), result)
            raise ApplyError("%s: the API server rejected the apply (dry run): %s" % (label(obj), api_error_text(exc)), result)
        before, after = comparable(live), comparable(dry)
        action = "create" if live is None else ("update" if before != after else "none")
        item = {"kind": obj["kind"], "name": _name(obj), "action": action}
        if obj["kind"] == "ConfigMap":
            impact, keys = classify_ic_change((live or {}).get("data"), (dry or {}).get("data"), version)
            item["ic_change"] = impact
            item["ic_changed_keys"] = keys
            result["ic_change"] = impact
            if impact in ("reestablish", "disable") and not params.get("allow_ic_reestablish"):
                raise ApplyError(
                    "%s: changing %s makes Kube-OVN %s %s interconnection (%s); transit-switch ports, gateway "
                    "chassis and learned routes of the AZ are removed and cross-DC traffic of the cluster stops "
                    "until it is re-established. Set allow_ic_reestablish=true (role: kube_ovn_allow_ic_reestablish) "
                    "to proceed." % (label(obj), ", ".join(keys), version or "?",
                                     "tear down and re-establish" if impact == "reestablish" else "tear down",
                                     "only a gw-nodes change is reconciled in place from v1.15.24/v1.16.3/v1.17.0 on"),
                    result)
            if impact in ("reestablish", "disable"):
                result["warnings"].append("%s: interconnection of the cluster will be %s (%s changed)" % (
                    label(obj), "re-established" if impact == "reestablish" else "disabled", ", ".join(keys)))
        if action != "none":
            result["diff"]["before"][label(obj)] = before
            result["diff"]["after"][label(obj)] = after
            if not check_mode:
                try:
                    cluster.apply(body, dry_run=False, force=params.get("force_conflicts"))
                except ApiException as exc:
                    if exc.status == 409:
                        raise ApplyError(_conflict_message(obj, exc), result)
                    raise ApplyError("%s: apply failed: %s" % (label(obj), api_error_text(exc)), result)
            result["changed"] = True
        items.append(item)
        result["resources"].append(item)
    return objs


def prune(cluster, params, objs, check_mode, result):
    """Delete objects this collection created for the DC that the plan no longer has. Never others."""
    dc = params.get("dc")
    if not dc:
        raise ApplyError("prune needs dc (objects are selected by the %s label)" % LABEL_DC, result)
    wanted = {(o["kind"], _name(o)) for o in objs}
    selector = "%s=true,%s=%s,%s=tridc.ovn" % (LABEL_CREATED, LABEL_DC, dc, LABEL_MANAGED_BY)
    for kind in reversed(ORDER):
        for live in cluster.list(kind, selector):
            if (kind, _name(live)) in wanted:
                continue
            status = live.get("status") or {}
            used = [k for k in ("v4usingIPs", "v6usingIPs") if float(status.get(k) or 0) > 0]
            if kind == "Subnet" and used:
                result["warnings"].append("Subnet %s: not pruned, it still has addresses in use" % _name(live))
                continue
            if kind == "ConfigMap":
                result["warnings"].append("ConfigMap %s/%s: not pruned; delete it yourself to disable interconnection"
                                          % (_ns(live), _name(live)))
                continue
            if not check_mode:
                cluster.delete(kind, _name(live), _ns(live))
            result["changed"] = True
            result["resources"].append({"kind": kind, "name": _name(live), "action": "delete"})
            result["diff"]["before"]["%s %s" % (kind, _name(live))] = comparable(live)


# ------------------------------------------------------------------------------------------- wait
def _pn_pending(cluster, name, expected, check_labels):
    live = cluster.get("ProviderNetwork", name)
    if live is None:
        return "ProviderNetwork %s: not found" % name
    status = live.get("status") or {}
    ready_nodes = set(status.get("readyNodes") or [])
    missing = [n for n in expected if n not in ready_nodes]
    if not status.get("ready") or missing:
        detail = []
        for cond in status.get("conditions") or []:
            if cond.get("type") == "Ready" and cond.get("status") != "True":
                detail.append("%s: %s" % (cond.get("node"), cond.get("message") or cond.get("reason")))
        return "ProviderNetwork %s: not ready on %s%s" % (
            name, ", ".join(missing or sorted(status.get("notReadyNodes") or [])) or "some nodes",
            " (%s)" % "; ".join(detail) if detail else "")
    if check_labels:
        key = "%s.provider-network.kubernetes.io/ready" % name
        for node in expected:
            obj = cluster.get("Node", node)
            labels = ((obj or {}).get("metadata") or {}).get("labels") or {}
            if labels.get(key) != "true":
                return "ProviderNetwork %s: node %s has no label %s=true" % (name, node, key)
    return None


def _vlan_pending(cluster, name):
    live = cluster.get("Vlan", name)
    if live is None:
        return "Vlan %s: not found" % name, False
    if (live.get("status") or {}).get("conflict"):
        return "Vlan %s: Kube-OVN reports a conflict (another Vlan has VLAN %s on ProviderNetwork %s)" % (
            name, (live.get("spec") or {}).get("id"), (live.get("spec") or {}).get("provider")), True
    provider = (live.get("spec") or {}).get("provider")
    pn = cluster.get("ProviderNetwork", provider) if provider else None
    if pn is None or name not in ((pn.get("status") or {}).get("vlans") or []):
        return "Vlan %s: not yet registered on ProviderNetwork %s" % (name, provider), False
    return None, False


def _subnet_pending(cluster, name):
    live = cluster.get("Subnet", name)
    if live is None:
        return "Subnet %s: not found" % name
    conds = {c.get("type"): c for c in (live.get("status") or {}).get("conditions") or []}
    ready = conds.get("Ready")
    if ready and ready.get("status") == "True":
        gen = (live.get("metadata") or {}).get("generation")
        seen = ready.get("observedGeneration")
        if gen is None or seen is None or seen >= gen:
            return None
    worst = conds.get("Validated") if (conds.get("Validated") or {}).get("status") == "False" else ready
    why = ""
    if worst:
        why = " (%s: %s)" % (worst.get("reason") or worst.get("type"), worst.get("message") or "")
    return "Subnet %s: not Ready%s" % (name, why)


def wait_ready(cluster, params, objs, result, clock=time.monotonic, sleep=time.sleep):
    expect = params.get("expect_ready_nodes") or {}
    pns = [_name(o) for o in objs if o["kind"] == "ProviderNetwork"]
    vlans = [_name(o) for o in objs if o["kind"] == "Vlan"]
    subnets = [_name(o) for o in objs if o["kind"] == "Subnet"]
    for pn in expect:
        if pn not in pns:
            pns.append(pn)
    deadline = clock() + float(params.get("wait_timeout") or 0)
    while True:
        pending = []
        for pn in pns:
            msg = _pn_pending(cluster, pn, expect.get(pn) or [], params.get("check_node_labels", True))
            if msg:
                pending.append(msg)
        for vlan in vlans:
            msg, fatal = _vlan_pending(cluster, vlan)
            if fatal:
                raise ApplyError(msg, result)
            if msg:
                pending.append(msg)
        for sn in subnets:
            msg = _subnet_pending(cluster, sn)
            if msg:
                pending.append(msg)
        result["pending"] = pending
        if not pending:
            return
        if clock() >= deadline:
            raise ApplyError("timed out after %ss waiting for Kube-OVN:\n%s" % (params.get("wait_timeout"), "\n".join(pending)),
                             result)
        sleep(float(params.get("wait_interval") or 1))


def run(params, api_client, check_mode=False, clock=time.monotonic, sleep=time.sleep):
    """Apply (state=present) or only verify readiness (state=ready). Returns the module result."""
    result = {"changed": False, "resources": [], "diff": {"before": {}, "after": {}}, "warnings": [],
              "ic_change": "none", "pending": []}
    cluster = Cluster(api_client, params.get("field_manager") or FIELD_MANAGER)
    objs = flatten_resources(params.get("resources") or [])
    if params.get("state", "present") == "present":
        objs = apply_all(cluster, params, check_mode, result)
        if params.get("prune"):
            prune(cluster, params, objs, check_mode, result)
        if params.get("wait") and not check_mode:
            wait_ready(cluster, params, objs, result, clock, sleep)
    else:
        wait_ready(cluster, params, objs, result, clock, sleep)
    return result

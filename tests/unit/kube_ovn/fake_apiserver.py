# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An in-memory Kubernetes API server behind a urllib3-PoolManager-shaped object.

This is the one fake the tests use: it replaces the HTTP transport of the real ``kubernetes`` client
(``ApiClient.rest_client.pool_manager``), so the client's request building, serialization and error
handling, and the module's code, all run for real. It implements what the module relies on:

* GET of objects (404 Status when absent) and of collections with an equality ``labelSelector``;
* server-side apply: ``PATCH`` with ``Content-Type: application/apply-patch+yaml``, ``fieldManager``
  (required), ``force``, ``dryRun=All``; field ownership per manager with conflicts (409) on fields
  another manager owns with a different value; removal of fields the applier stopped applying;
  ``metadata.managedFields``, ``resourceVersion``, ``generation``;
* ``PUT`` updates by other managers (operation Update, as kube-ovn-controller does) and the ``status``
  subresource (apply and update ignore ``status``; ``/status`` changes only status);
* DELETE.

Lists are atomic and maps granular, which is what the Kube-OVN CRDs (no list-type markers) get.
"""

from __future__ import annotations

import copy
import io
import json
from urllib.parse import urlparse, parse_qs

import urllib3

KUBEOVN = "kubeovn.io/v1"
PLURALS = {"provider-networks": "ProviderNetwork", "vlans": "Vlan", "subnets": "Subnet", "vpcs": "Vpc"}
IDENTITY = {("apiVersion",), ("kind",), ("metadata", "name"), ("metadata", "namespace")}
SERVER_META = ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields")


def _paths(obj, prefix=()):
    """Owned field paths of an applied object: leaves, lists atomic, maps granular; status excluded."""
    out = set()
    for key, value in obj.items():
        path = prefix + (key,)
        if path in IDENTITY or path == ("status",) or (len(path) == 2 and path[0] == "metadata" and key in SERVER_META):
            continue
        if isinstance(value, dict) and value:
            out |= _paths(value, path)
        else:
            out.add(path)
    return out


def _get(obj, path):
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return KeyError
        obj = obj[key]
    return obj


def _set(obj, path, value):
    for key in path[:-1]:
        obj = obj.setdefault(key, {})
    obj[path[-1]] = copy.deepcopy(value)


def _delete(obj, path):
    parents = []
    for key in path[:-1]:
        if key not in obj:
            return
        parents.append((obj, key))
        obj = obj[key]
    obj.pop(path[-1], None)
    for parent, key in reversed(parents):
        if parent[key] == {}:
            del parent[key]


def _fields_v1(paths):
    tree = {}
    for path in sorted(paths):
        node = tree
        for key in path:
            node = node.setdefault("f:" + key, {})
    return tree


class Response(urllib3.HTTPResponse):
    pass


class FakeApiServer(object):
    """Stores objects keyed (api, plural, namespace, name); ``request`` answers like kube-apiserver."""

    def __init__(self, controller=None):
        self.objects = {}
        self.managed = {}     # key -> {manager: {"operation": str, "fields": set}}
        self.requests = []    # (method, path, query dict, content-type)
        self.rv = 100
        self.uid = 0
        self.controller = controller  # callable(server, key) run after every stored write (simulates controllers)

    # ---------------------------------------------------------------- urllib3 PoolManager interface
    def request(self, method, url, fields=None, body=None, headers=None, **_kw):
        parsed = urlparse(url)
        query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        headers = headers or {}
        ctype = headers.get("Content-Type", "")
        self.requests.append((method, parsed.path, query, ctype))
        try:
            status, payload = self._dispatch(method, parsed.path, query, ctype, body)
        except _HttpError as exc:
            status, payload = exc.code, self._status(exc.code, exc.reason, exc.message, exc.details)
        data = json.dumps(payload).encode()
        return Response(body=io.BytesIO(data), status=status, headers={"Content-Type": "application/json"},
                        preload_content=False, reason=_REASONS.get(status, "OK"))

    def clear(self):
        pass

    # --------------------------------------------------------------------------------- helpers
    def put_object(self, obj, manager="kubectl", status=None):
        """Create or replace an object as an Update by ``manager`` (test setup, or a controller's write)."""
        key = self._key_of(obj)
        self._update(key, copy.deepcopy(obj), manager)
        if status is not None:
            self.set_status(key, status)
        return key

    def set_status(self, key, status):
        obj = self.objects[key]
        obj["status"] = copy.deepcopy(status)
        self._bump(obj, spec_changed=False)

    def get_object(self, kind_or_plural, name, namespace=None):
        return self.objects.get(self._key(kind_or_plural, name, namespace))

    def writes(self, dry_run=None):
        out = []
        for method, path, query, _ctype in self.requests:
            if method in ("PATCH", "PUT", "POST", "DELETE"):
                if dry_run is None or (query.get("dryRun") == "All") == dry_run:
                    out.append((method, path))
        return out

    @staticmethod
    def _key(kind_or_plural, name, namespace=None):
        table = {v: k for k, v in PLURALS.items()}
        if kind_or_plural in table:
            return (KUBEOVN, table[kind_or_plural], None, name)
        if kind_or_plural in ("ConfigMap", "configmaps"):
            return ("v1", "configmaps", namespace or "kube-system", name)
        if kind_or_plural in ("Node", "nodes"):
            return ("v1", "nodes", None, name)
        return (KUBEOVN, kind_or_plural, None, name)

    def _key_of(self, obj):
        meta = obj.get("metadata") or {}
        return self._key(obj["kind"], meta.get("name"), meta.get("namespace"))

    # -------------------------------------------------------------------------------- routing
    def _route(self, path):
        parts = [p for p in path.split("/") if p]
        sub = None
        if parts[:3] == ["apis", "kubeovn.io", "v1"] and len(parts) >= 4 and parts[3] in PLURALS:
            rest = parts[4:]
            api, plural, ns = KUBEOVN, parts[3], None
        elif parts[:2] == ["api", "v1"] and len(parts) >= 3 and parts[2] == "nodes":
            rest = parts[3:]
            api, plural, ns = "v1", "nodes", None
        elif parts[:3] == ["api", "v1", "namespaces"] and len(parts) >= 5 and parts[4] == "configmaps":
            rest = parts[5:]
            api, plural, ns = "v1", "configmaps", parts[3]
        else:
            raise _HttpError(404, "NotFound", "the server could not find the requested resource")
        name = rest[0] if rest else None
        if len(rest) > 1:
            sub = rest[1]
            if sub != "status" or len(rest) > 2:
                raise _HttpError(404, "NotFound", "no such subresource %s" % "/".join(rest[1:]))
        return api, plural, ns, name, sub

    def _dispatch(self, method, path, query, ctype, body):
        api, plural, ns, name, sub = self._route(path)
        payload = json.loads(body) if body else None
        if name is None:
            if method != "GET":
                raise _HttpError(405, "MethodNotAllowed", "method %s not allowed on a collection" % method)
            return 200, self._list(api, plural, ns, query.get("labelSelector"))
        key = (api, plural, ns, name)
        if method == "GET":
            return 200, self._get_or_404(key)
        if method == "DELETE":
            obj = self._get_or_404(key)
            if query.get("dryRun") != "All":
                del self.objects[key]
                self.managed.pop(key, None)
            return 200, obj
        if method == "PATCH":
            if not ctype.startswith("application/apply-patch"):
                raise _HttpError(415, "UnsupportedMediaType", "only server-side apply is implemented, got %s" % ctype)
            if sub == "status":
                raise _HttpError(405, "MethodNotAllowed", "apply to status is not used by the module")
            manager = query.get("fieldManager")
            if not manager:
                raise _HttpError(400, "BadRequest", "PATCH /apply requires fieldManager")
            return self._apply(key, payload, manager, query.get("force") == "true", query.get("dryRun") == "All")
        if method == "PUT":
            manager = query.get("fieldManager", "kube-ovn-controller")
            if sub == "status":
                self._get_or_404(key)
                self.set_status(key, (payload or {}).get("status") or {})
                return 200, copy.deepcopy(self.objects[key])
            return 200, self._update(key, payload, manager)
        raise _HttpError(405, "MethodNotAllowed", "method %s" % method)

    # ------------------------------------------------------------------------------ semantics
    def _get_or_404(self, key):
        if key not in self.objects:
            kind = PLURALS.get(key[1], key[1])
            raise _HttpError(404, "NotFound", '%s "%s" not found' % (key[1], key[3]),
                             {"name": key[3], "kind": kind.lower() if key[1] in PLURALS else key[1]})
        return self._render(key)

    def _render(self, key):
        obj = copy.deepcopy(self.objects[key])
        managed = []
        for manager, entry in sorted(self.managed.get(key, {}).items()):
            managed.append({"manager": manager, "operation": entry["operation"], "apiVersion": key[0],
                            "fieldsType": "FieldsV1", "fieldsV1": _fields_v1(entry["fields"])})
        obj["metadata"]["managedFields"] = managed
        return obj

    def _list(self, api, plural, ns, selector):
        want = {}
        for term in (selector or "").split(","):
            if term:
                k, _sep, v = term.partition("=")
                want[k] = v
        items = []
        for key in sorted(self.objects):
            if key[:2] != (api, plural) or (ns is not None and key[2] != ns):
                continue
            labels = self.objects[key]["metadata"].get("labels") or {}
            if all(labels.get(k) == v for k, v in want.items()):
                items.append(self._render(key))
        kind = PLURALS.get(plural, {"configmaps": "ConfigMap", "nodes": "Node"}.get(plural))
        return {"apiVersion": api, "kind": kind + "List", "metadata": {"resourceVersion": str(self.rv)}, "items": items}

    def _bump(self, obj, spec_changed):
        self.rv += 1
        obj["metadata"]["resourceVersion"] = str(self.rv)
        if spec_changed:
            obj["metadata"]["generation"] = obj["metadata"].get("generation", 0) + 1

    def _new(self, key, kind):
        self.uid += 1
        meta = {"name": key[3], "uid": "uid-%d" % self.uid, "creationTimestamp": "2025-01-01T00:00:00Z", "generation": 0}
        if key[2]:
            meta["namespace"] = key[2]
        return {"apiVersion": key[0], "kind": kind, "metadata": meta}

    def _check_identity(self, key, payload):
        kind = PLURALS.get(key[1], {"configmaps": "ConfigMap", "nodes": "Node"}.get(key[1]))
        if not isinstance(payload, dict):
            raise _HttpError(400, "BadRequest", "body must be an object")
        if payload.get("apiVersion") != key[0] or payload.get("kind") != kind:
            raise _HttpError(400, "BadRequest", "apiVersion/kind %s/%s do not match the URL (%s %s)"
                             % (payload.get("apiVersion"), payload.get("kind"), key[0], kind))
        meta = payload.get("metadata") or {}
        if meta.get("name") != key[3]:
            raise _HttpError(400, "BadRequest", "the name of the object (%s) does not match the name on the URL (%s)"
                             % (meta.get("name"), key[3]))
        return kind

    def _apply(self, key, payload, manager, force, dry_run):
        kind = self._check_identity(key, payload)
        current = self.objects.get(key)
        applied = _paths(payload)
        owners = self.managed.get(key, {})
        conflicts = []
        if current is not None:
            for path in sorted(applied):
                old = _get(current, path)
                if old is KeyError or old == _get(payload, path):
                    continue
                for other, entry in sorted(owners.items()):
                    if other != manager and path in entry["fields"]:
                        conflicts.append((other, path))
        if conflicts and not force:
            causes = [{"type": "FieldManagerConflict", "message": 'conflict with "%s"' % o, "field": "." + ".".join(p)}
                      for o, p in conflicts]
            text = "; ".join('conflict with "%s": .%s' % (o, ".".join(p)) for o, p in conflicts)
            raise _HttpError(409, "Conflict", "Apply failed with %d conflict%s: %s" % (
                len(conflicts), "" if len(conflicts) == 1 else "s", text), {"name": key[3], "causes": causes})
        new = copy.deepcopy(current) if current is not None else self._new(key, kind)
        mine = owners.get(manager, {"fields": set()})["fields"]
        others = set()
        for other, entry in owners.items():
            if other != manager:
                others |= entry["fields"]
        for path in mine - applied:
            if path not in others:
                _delete(new, path)
        for path in applied:
            _set(new, path, _get(payload, path))
        changed = current is None or {k: v for k, v in new.items() if k != "status"} != \
            {k: v for k, v in current.items() if k != "status"}
        if changed:
            if not dry_run:
                self.rv += 1
                new["metadata"]["resourceVersion"] = str(self.rv)
            if current is None or new.get("spec") != current.get("spec") or new.get("data") != current.get("data"):
                new["metadata"]["generation"] = new["metadata"].get("generation", 0) + 1
        new_owners = {m: {"operation": e["operation"], "fields": set(e["fields"])} for m, e in owners.items()}
        if force:
            for other, path in conflicts:
                new_owners[other]["fields"].discard(path)
        new_owners[manager] = {"operation": "Apply", "fields": set(applied)}
        for m in [m for m, e in new_owners.items() if not e["fields"]]:
            del new_owners[m]
        if dry_run:
            saved, saved_m = self.objects.get(key), self.managed.get(key)
            self.objects[key], self.managed[key] = new, new_owners
            try:
                return (201 if current is None else 200), self._render(key)
            finally:
                if saved is None:
                    del self.objects[key]
                    self.managed.pop(key, None)
                else:
                    self.objects[key], self.managed[key] = saved, saved_m
        self.objects[key], self.managed[key] = new, new_owners
        if self.controller is not None and changed:
            self.controller(self, key)
        return (201 if current is None else 200), self._render(key)

    def _update(self, key, payload, manager):
        kind = self._check_identity(key, payload)
        current = self.objects.get(key)
        new = copy.deepcopy(payload)
        base = current if current is not None else self._new(key, kind)
        new["metadata"] = dict(base["metadata"], **{k: v for k, v in (payload.get("metadata") or {}).items()
                                                    if k not in SERVER_META})
        if current is not None and "status" in current:
            new["status"] = copy.deepcopy(current["status"])
        else:
            new.pop("status", None)
        owners = {m: {"operation": e["operation"], "fields": set(e["fields"])} for m, e in self.managed.get(key, {}).items()}
        touched = set()
        for path in _paths(new):
            if current is None or _get(current, path) != _get(new, path):
                touched.add(path)
        if current is not None:
            touched |= {p for p in _paths(current) if _get(new, p) is KeyError}
        for entry in owners.values():
            entry["fields"] -= touched
        mine = owners.setdefault(manager, {"operation": "Update", "fields": set()})
        mine["fields"] |= {p for p in touched if _get(new, p) is not KeyError}
        for m in [m for m, e in owners.items() if not e["fields"]]:
            del owners[m]
        self.objects[key], self.managed[key] = new, owners
        self._bump(new, spec_changed=current is None or current.get("spec") != new.get("spec"))
        return self._render(key)

    def _status(self, code, reason, message, details=None):
        out = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
               "reason": reason, "code": code}
        if details:
            out["details"] = details
        return out


class _HttpError(Exception):
    def __init__(self, code, reason, message, details=None):
        Exception.__init__(self, message)
        self.code, self.reason, self.message, self.details = code, reason, message, details


_REASONS = {200: "OK", 201: "Created", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
            409: "Conflict", 415: "Unsupported Media Type", 422: "Unprocessable Entity"}

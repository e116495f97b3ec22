# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the Kube-OVN tests: collection import, the reference data, a real kubernetes client whose
HTTP transport is the in-memory API server (fake_apiserver.py, the only fake)."""

from __future__ import annotations

import os

import pytest
import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
REF_DIR = os.environ.get("KUBE_OVN_REF_DIR") or os.path.join(REPO, "..", "shared", "kube-ovn")


def ref_file(name):
    path = os.path.join(REF_DIR, name)
    if not os.path.exists(path):
        pytest.fail("Kube-OVN reference data %s is missing (expected shared/kube-ovn beside the repository, "
                    "or set KUBE_OVN_REF_DIR)" % path)
    return path


@pytest.fixture(scope="session")
def crd_schemas():
    """{kind: openAPIV3Schema} from the v1.17.0 CRDs."""
    out = {}
    with open(ref_file("kube-ovn-crd.yaml")) as handle:
        for doc in yaml.safe_load_all(handle):
            if not doc:
                continue
            version = doc["spec"]["versions"][0]
            out[doc["spec"]["names"]["kind"]] = version["schema"]["openAPIV3Schema"]
    return out


@pytest.fixture(scope="session")
def chart_values():
    out = {}
    for chart, name in (("kube-ovn", "kube-ovn-v1-values.yaml"), ("kube-ovn-v2", "kube-ovn-v2-values.yaml")):
        with open(ref_file(name)) as handle:
            out[chart] = yaml.safe_load(handle)
    return out


@pytest.fixture
def server():
    from .fake_apiserver import FakeApiServer
    return FakeApiServer()


@pytest.fixture
def api(server):
    """A real kubernetes ApiClient whose pool manager is the fake server."""
    from kubernetes import client
    api_client = client.ApiClient(client.Configuration(host="https://kube-api.invalid:6443"))
    api_client.rest_client.pool_manager = server
    return api_client

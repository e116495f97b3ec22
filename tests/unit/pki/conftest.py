# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the pki modules: the real ovs-pki and openssl, in a temporary directory."""

from __future__ import annotations

import pytest
from testing_tools import ModuleRunner


@pytest.fixture
def run_module(capsys, monkeypatch):
    return ModuleRunner(capsys, monkeypatch)

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plans of inventories/lab and inventories/example-bank, built once per test module."""

import os

import pytest

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import build_plan
from inventory_loader import load_inventory

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


@pytest.fixture(scope="module")
def lab():
    return build_plan(load_inventory(os.path.join(ROOT, "inventories", "lab")))


@pytest.fixture(scope="module")
def bank():
    return build_plan(load_inventory(os.path.join(ROOT, "inventories", "example-bank")))

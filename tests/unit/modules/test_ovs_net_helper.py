# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure parts of roles/ovs/files/tridc_ovs_net.py (its commands run for real in molecule/ovs)."""

from __future__ import annotations

import importlib.util
import os

HELPER = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'roles', 'ovs', 'files', 'tridc_ovs_net.py')


def load():
    spec = importlib.util.spec_from_file_location('tridc_ovs_net', HELPER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_route_argv_keeps_every_attribute():
    net = load()
    route = {'dst': 'default', 'gateway': '10.90.1.1', 'metric': 100, 'prefsrc': '10.90.1.11', 'protocol': 'static',
             'scope': 'global', 'onlink': True}
    assert net.route_argv(route, 'br-business') == [
        'ip', '-4', 'route', 'replace', 'default', 'via', '10.90.1.1', 'dev', 'br-business', 'metric', '100',
        'src', '10.90.1.11', 'proto', 'static', 'onlink']
    assert net.route_argv({'dst': '10.0.0.0/8', 'scope': 'link'}, 'eth0') == [
        'ip', '-4', 'route', 'replace', '10.0.0.0/8', 'dev', 'eth0', 'scope', 'link']


def test_merge_routes_later_lists_win_and_order_is_stable():
    net = load()
    saved = [{'dst': 'default', 'gateway': '10.0.0.1'}, {'dst': '10.5.0.0/16', 'gateway': '10.0.0.9'}]
    seen = [{'dst': 'default', 'gateway': '10.0.0.254'}]
    merged = net.merge_routes(saved, seen)
    assert merged == [{'dst': '10.5.0.0/16', 'gateway': '10.0.0.9'}, {'dst': 'default', 'gateway': '10.0.0.254'}]
    assert net.merge_routes(merged, []) == merged


def test_usage_errors():
    net = load()
    assert net.main([]) == 2
    assert net.main(['bogus', 'br0']) == 2
    assert net.main(['apply', 'br0', '--bogus']) == 2

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which OVN upgrade procedure a version step needs (docs/upgrades.md, OVN's ovn-upgrades.rst)."""

import pytest
from hypothesis import given, strategies as st

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import upgrade


@pytest.mark.parametrize("installed,target,expected", [
    ("23.03.1-1~deb12u2", "25.03.0-1", "fail-safe"),   # Debian 12 -> 13: past the next LTS (24.03)
    ("23.03.1", "24.03.2", "rolling"),                 # non-LTS -> the very next LTS
    ("22.03.0", "24.03.0", "rolling"),                 # LTS -> next LTS
    ("22.03.0", "23.09.1", "rolling"),                 # LTS -> a non-LTS before the next LTS
    ("22.03.3", "24.09.0", "fail-safe"),               # LTS -> past the next LTS
    ("22.09.0", "23.03.0", "fail-safe"),               # non-LTS -> non-LTS
    ("24.03.1", "25.03.0", "rolling"),
    ("24.09.0", "26.03.0", "rolling"),
    ("25.03.0-1", "25.03.2-1", "rolling"),             # point release
    ("25.03.0", "25.03.0-1", "none"),
])
def test_procedure(installed, target, expected):
    assert upgrade.procedure(installed, target)["procedure"] == expected


def test_fail_safe_order_pins_first_and_unpins_last():
    out = upgrade.procedure("23.03.1-1~deb12u2", "25.03.0-1")
    assert out["from"] == "23.03.1" and out["to"] == "25.03.0"
    order = out["order"]
    assert order[0] == "pin_controllers" and order[-1] == "unpin_controllers"
    assert order.index("databases_and_northd") < order.index("controllers")
    assert order.index("interconnect_daemons") < order.index("interconnect_databases")
    assert "24.03" in out["reason"]


def test_rolling_order_controllers_first():
    order = upgrade.procedure("24.03.1", "25.03.0")["order"]
    assert order.index("controllers") < order.index("databases_and_northd")
    assert order.index("interconnect_daemons") < order.index("interconnect_databases")


@pytest.mark.parametrize("installed,target", [("25.03.0", "23.03.1"), ("x", "25.03.0"), ("23.03.1", "")])
def test_refused(installed, target):
    with pytest.raises(upgrade.VersionError):
        upgrade.procedure(installed, target)


def test_lts_series():
    assert [s for s in [(y, m) for y in range(21, 29) for m in (3, 9)] if upgrade.is_lts(s)] == [(22, 3), (24, 3), (26, 3), (28, 3)]


series = st.tuples(st.integers(22, 40), st.sampled_from([3, 9]))


@given(series, series)
def test_properties(a, b):
    """Equal -> none; older target -> refused; rolling never jumps past the next LTS."""
    va, vb = "%d.%02d.0" % a, "%d.%02d.0" % b
    if b < a:
        with pytest.raises(upgrade.VersionError):
            upgrade.procedure(va, vb)
        return
    out = upgrade.procedure(va, vb)
    if a == b:
        assert out["procedure"] == "none"
    elif out["procedure"] == "rolling":
        assert b <= upgrade.next_lts(a)
    else:
        assert out["procedure"] == "fail-safe" and (b > upgrade.next_lts(a) or not upgrade.is_lts(a))


def test_filter():
    from ansible_collections.tridc.ovn.plugins.filter.upgrade_procedure import FilterModule
    from ansible.errors import AnsibleFilterError
    f = FilterModule().filters()["upgrade_procedure"]
    assert f("23.03.1-1~deb12u2", "25.03.0-1")["procedure"] == "fail-safe"
    with pytest.raises(AnsibleFilterError):
        f("25.03.0", "23.03.1")

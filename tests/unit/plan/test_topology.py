"""The review picture (issue 13, part 1): bounded whatever the number of nodes, readable, with the review's content."""

import re
import shutil
import subprocess

import pytest

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import build_plan, check_plan
from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan.report import to_dot

from topo import base_inventory


def scale_inventory(nodes_per_dc):
    import os
    import sys
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "bench"))
    from plan_scale import synthetic  # pylint: disable=import-error,import-outside-toplevel
    return synthetic(nodes_per_dc, 60)


def render(source, fmt="svg"):
    dot = shutil.which("dot")
    if not dot:
        pytest.fail("graphviz (dot) is not installed; scripts/setup.sh installs it")
    return subprocess.run([dot, "-T" + fmt], input=source.encode(), capture_output=True, check=True).stdout


def svg_size(svg):
    m = re.search(rb'<svg width="(\d+)pt" height="(\d+)pt"', svg)
    return int(m.group(1)), int(m.group(2))


def test_overview_is_bounded_from_60_to_6000_nodes():
    small, problems = check_plan(scale_inventory(20))
    assert not problems
    big, problems = check_plan(scale_inventory(2000))
    assert not problems
    a, b = to_dot(small), to_dot(big)
    assert a.count("\n") == b.count("\n")  # the same rows: one per failure domain, provider network and plane
    assert len(b) < 1.2 * len(a) and len(b) < 40000
    assert "dc1-n01999" not in b and "n01999" not in b  # no node listed by name at scale
    width, height = svg_size(render(b))
    assert width < 2400 and height < 1600, (width, height)  # points; about 3200 x 2100 px at 100 %
    # text is never scaled below 12 points
    assert "fontsize=12" in b and not re.search(r'POINT-SIZE="([0-9]|1[01])"', b)


def test_overview_content_for_the_review():
    plan = build_plan(base_inventory())
    dot = to_dot(plan)
    for dc, role in (("dc1", "primary"), ("dc2", "same-city DR"), ("dc3", "remote DR")):
        assert "%s  ·  %s" % (dc, role) in dot
    assert "OVN central, raft of 3: n1 10.90.1.11 (bootstrap), n2 10.90.1.12, n3 10.90.1.13" in dot
    assert "IC database member: n1 10.90.1.11" in dot and "IC gateways in rack2: n2 prio 20" in dot
    assert "business: VLAN 101<" in dot and "management: VLAN untagged<" in dot and "business: VLAN 201<" in dot
    # stretched VLANs only between the same-city pair, across the DC boundary
    edges = re.findall(r'"dc:(\w+)":pn -> "dc:(\w+)":pn .*label="L2 stretched, (\d+) VLAN', dot)
    assert edges == [("dc1", "dc2", "3")], edges
    assert "OVN-IC transit switch ts1\\n169.254.100.0/24" in dot
    for dc, ip in (("dc1", "169.254.100.1"), ("dc2", "169.254.100.2"), ("dc3", "169.254.100.3")):
        assert '"dc:%s":ic -> "ts:ts1" [penwidth=2, color="#5e35b1", label="%s"]' % (dc, ip) in dot
    assert "DR preference ladder" in dot and "dc1 lost" in dot
    render(dot)


def test_dc_detail_page_lists_nodes_up_to_a_bound():
    plan = build_plan(base_inventory(nodes_per_dc=6))
    page = to_dot(plan, "dc2")
    for i in range(1, 7):
        assert "n%d" % i in page
    big, _problems = check_plan(scale_inventory(2000))
    page = to_dot(big, "dc1")
    assert "+76 more (plan.md lists every node)" in page  # 100 chassis per failure domain, 24 named
    render(page)

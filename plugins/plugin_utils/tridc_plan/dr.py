# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DR routing computation: which DC takes over for which DC and which subnet.

This is the one place the DR preferences are computed; the interconnection/DR roles and the
plan report read `plan['dr']`. Preference is by DR role: the primary first, then the
same-city DR (no WAN crossing between the cities), then the remote DR.
"""

from __future__ import annotations

ROLE_RANK = {"primary": 0, "same_city_dr": 1, "remote_dr": 2}


def _rank(plan, dc):
    return (ROLE_RANK.get(plan["dcs"][dc]["dr_role"], 9), dc)


def takeover_order(plan, lost_dc):
    """Survivors of lost_dc, best first: same region before the other region, then by DR role."""
    region = plan["dcs"][lost_dc]["region"]
    survivors = [d for d in plan["dcs"] if d != lost_dc]
    return sorted(survivors, key=lambda d: (plan["dcs"][d]["region"] != region,) + _rank(plan, d))


def compute(plan):
    out = {"takeover_order": {dc: takeover_order(plan, dc) for dc in sorted(plan["dcs"])}, "underlay": {}}
    for name, sn in sorted(plan["subnets"].items()):
        if sn["kind"] != "underlay":
            continue
        dcs = sorted((d for d in sn["dcs"] if d in plan["dcs"]), key=lambda d: _rank(plan, d))
        if not dcs:
            continue
        out["underlay"][name] = {
            "cidr": sn["cidr"], "vlan_id": sn["vlan_id"], "active_dc": dcs[0], "standby_dcs": dcs[1:],
            "fabric": ("announce %s from %s; %s" % (sn["cidr"], dcs[0],
                       ("prefer it over %s (lower preference there) and move it on DC loss" % ", ".join(dcs[1:]))
                       if dcs[1:] else "no standby: the subnet is local to %s" % dcs[0])),
        }
    return out

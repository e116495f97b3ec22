# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which upgrade procedure OVN allows between two versions (docs/upgrades.md).

OVN's "OVN Upgrades" document (Documentation/intro/install/ovn-upgrades.rst) supports a rolling
upgrade (controllers first) only
  * from an LTS release to the very next LTS release, or to a non-LTS release between the two;
  * from a non-LTS release to the very next LTS release;
and, within one release series, between its point releases. Every other step needs the fail-safe
procedure (pin the controllers with ovn-match-northd-version, databases and northd first, then the
controllers). The LTS releases are 22.03 and every two years after it (24.03, 26.03, ...).

Pure Python, standard library only.
"""

from __future__ import annotations

import re

FIRST_LTS = (22, 3)

_VERSION = re.compile(r"^(?:\d+:)?(\d+)\.(\d+)(?:\.(\d+))?")


class VersionError(ValueError):
    """A version string that is not an OVN version."""


def parse(version):
    """'23.03.1-1~deb12u2' (Debian), '25.03.0', '1:24.03' -> (23, 3, 1); the point release defaults to 0."""
    m = _VERSION.match(str(version).strip())
    if not m:
        raise VersionError("%r is not an OVN version (YY.MM[.P], optionally a Debian revision)" % (version,))
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)


def is_lts(series):
    """(YY, MM) -> True for 22.03, 24.03, 26.03, ..."""
    year, month = series
    return month == FIRST_LTS[1] and year >= FIRST_LTS[0] and (year - FIRST_LTS[0]) % 2 == 0


def next_lts(series):
    """The first LTS series strictly after ``series``."""
    year, month = series
    cand = (year if (year, month) < (year, FIRST_LTS[1]) else year + 1, FIRST_LTS[1])
    cand = max(cand, FIRST_LTS)
    while not is_lts(cand) or cand <= series:
        cand = (cand[0] + 1, FIRST_LTS[1])
    return cand


def _fmt(series):
    return "%02d.%02d" % series


def procedure(installed, target):
    """The procedure for moving from ``installed`` to ``target`` (version strings).

    Returns ``{"procedure": "none" | "rolling" | "fail-safe", "from": "YY.MM.P", "to": "YY.MM.P",
    "order": [...], "reason": str}``; ``order`` names the phases in the order they must run.
    Raises VersionError for an unparsable version or a downgrade (OVN documents no downgrade path).
    """
    a, b = parse(installed), parse(target)
    sa, sb = a[:2], b[:2]
    out = {"from": "%d.%02d.%d" % a, "to": "%d.%02d.%d" % b}
    if b == a:
        out.update(procedure="none", order=[], reason="both are %s" % out["to"])
        return out
    if b < a:
        raise VersionError("%s -> %s is a downgrade; OVN documents no downgrade procedure" % (out["from"], out["to"]))
    rolling_order = ["controllers", "databases_and_northd", "interconnect_daemons", "interconnect_databases"]
    fail_safe_order = ["pin_controllers", "freeze_northd_version", "databases_and_northd", "controllers",
                       "interconnect_daemons", "interconnect_databases", "unpin_controllers"]
    if sb == sa:
        reason = "point release within the %s series" % _fmt(sa)
        rolling = True
    elif is_lts(sa):
        limit = next_lts(sa)
        rolling = sb <= limit
        reason = ("%s is an LTS release; rolling upgrades reach up to the next LTS %s" % (_fmt(sa), _fmt(limit)))
    else:
        limit = next_lts(sa)
        rolling = sb == limit
        reason = ("%s is not an LTS release; a rolling upgrade reaches only the very next LTS %s"
                  % (_fmt(sa), _fmt(limit)))
    if rolling:
        out.update(procedure="rolling", order=rolling_order, reason=reason)
    else:
        out.update(procedure="fail-safe", order=fail_safe_order, reason=reason + ", not %s" % _fmt(sb))
    return out

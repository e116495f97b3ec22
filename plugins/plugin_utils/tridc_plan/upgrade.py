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


def _leaders_last(members, leaders):
    """Central members in plan order, the ones that lead a database now last (those leading two after those leading
    one): a leader steps down only when it is stopped, and each stop should cost the cluster one election at most."""
    led = {}
    for host in (leaders or {}).values():
        led[host] = led.get(host, 0) + 1
    return sorted(members, key=lambda h: (led.get(h, 0), members.index(h)))


def _gateways_last(chassis, gateways):
    """The DC's chassis, one at a time: plain chassis first, then the gateways lowest priority first, so that the
    gateway holding the transit port goes last and its standby (another failure domain) has already been upgraded
    and is healthy when the port moves to it."""
    prio = {g["host"]: g.get("priority", 0) for g in gateways}
    return [h for h in chassis if h not in prio] + sorted((h for h in chassis if h in prio), key=lambda h: (prio[h], h))


def steps(plan, installed, target, leaders=None):
    """The ordered steps of upgrading every OVN host of ``plan`` from the versions in ``installed`` (host -> the OVN
    version it runs) to ``target`` (docs/upgrades.md).

    ``leaders`` maps a DC name to its databases' raft leaders now, e.g. ``{"dc1": {"nb": "dc1-n1", "sb": "dc1-n2"}}``;
    they go last among the DC's central members. IC database members go with their DC (one per DC, so one at a
    time), whatever the IC leader.

    Returns ``{"procedure", "from", "to", "reason", "steps": [...]}``; each step is ``{"step", "dc", "hosts",
    "done"}`` in the order they must run: DCs in ``plan.rollout_order``, one host at a time. ``done`` is true for a
    host step whose hosts all run ``target`` already, so a rerun after an interrupted upgrade resumes at the first
    step not done. Raises VersionError when a host of the plan has no version, runs a version newer than ``target``,
    or when the hosts run more than one version other than ``target`` (an earlier upgrade left half done to another
    version: finish that first).
    """
    hosts = sorted(h for h, n in plan["nodes"].items() if n.get("central") or n.get("chassis") or n.get("ic_db"))
    missing = [h for h in hosts if not installed.get(h)]
    if missing:
        raise VersionError("no installed OVN version for %s" % ", ".join(missing))
    want = parse(target)
    runs = {h: parse(installed[h]) for h in hosts}
    newer = sorted(h for h in hosts if runs[h] > want)
    if newer:
        raise VersionError("%s run a newer OVN than the target %s; OVN documents no downgrade procedure"
                           % (", ".join(newer), "%d.%02d.%d" % want))
    old = sorted(set(runs.values()) - {want})
    if len(old) > 1:
        raise VersionError("the hosts run %s besides the target: finish the earlier upgrade first"
                           % ", ".join("%d.%02d.%d" % v for v in old))
    source = "%d.%02d.%d" % (old[0] if old else want)
    out = procedure(source, target)
    out_steps = []

    def add(step, dc, members):
        out_steps.append({"step": step, "dc": dc, "hosts": list(members),
                          "done": bool(members) and all(runs[h] == want for h in members)})

    fail_safe = out["procedure"] == "fail-safe"
    if out["procedure"] != "none":
        if fail_safe:
            add("pin_controllers", None, [])
        for dc in plan["rollout_order"]:
            d = plan["dcs"][dc]
            members = [m["host"] for m in d["central"]["members"]]
            # the DC's chassis that are not central members (those go with their central step)
            nodes = _gateways_last([h for h in d["nodes"] if plan["nodes"][h].get("chassis") and h not in members],
                                   d.get("gateways", []))
            if not fail_safe:  # rolling: the controllers may run ahead of northd
                for host in nodes:
                    add("node", dc, [host])
            else:
                add("freeze_northd_version", dc, [])
            for host in _leaders_last(members, (leaders or {}).get(dc)):
                add("central_member", dc, [host])
            add("convert_schemas", dc, [])
            if fail_safe:
                for host in nodes:
                    add("node", dc, [host])
            for host in [h for h in d["nodes"] if plan["nodes"][h].get("ic_db") and h not in members]:
                add("ic_db_member", dc, [host])
            add("gate", dc, [])
        add("convert_ic_schemas", None, [])
        if fail_safe:
            add("unpin_controllers", None, [])
    out["steps"] = out_steps
    return out

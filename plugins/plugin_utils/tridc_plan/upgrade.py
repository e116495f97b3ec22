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


def steps(plan, installed, target, leaders=None, pending=(), done=None):
    """The ordered steps of upgrading every OVN host of ``plan`` from the versions in ``installed`` (host -> the OVN
    version it runs: the lowest of its ovn-common package and its running OVN daemons) to ``target``
    (docs/upgrades.md).

    Two kinds of host step. ``central_member``: the member's packages move to the target and its clustered database
    servers (NB, SB and, on an IC database member, IC-NB and IC-SB) restart on them, one member at a time, the
    current raft leaders last (``leaders`` maps a DC name to its leaders now, e.g. ``{"dc1": {"nb": "dc1-n1", "sb":
    "dc1-n2"}}``). ``node``: every chassis of the DC (central members too), one at a time, gateways last: packages,
    then Open vSwitch and ovn-controller restart keeping the flows. IC database members that are not central members
    get an ``ic_db_member`` step after their DC's chassis.

    Fail-safe: the controllers are pinned first; per DC the northd version is frozen (ovn-northd stops on every
    member), the members' databases move, ``convert_schemas`` converts NB and SB once and starts ovn-northd on the new
    binary, then the chassis; after the last DC the IC databases are converted, every AZ's ovn-ic restarts on the new
    binary (``ic_daemons``: a 25.03 ovn-ic on the 23.03 IC schema drops the routes it learned, measured in the lab,
    while the old ovn-ic works on the converted NB, SB and IC databases), and the pin is removed.
    Rolling: per DC the chassis first, then the members (northd restarts with its member), the conversion.

    Returns ``{"procedure", "from", "to", "reason", "steps": [...], "hosts": {dc: {step: [hosts in order]}}}``; each
    step is ``{"step", "dc", "hosts", "done"}`` in the order they must run. ``done`` is true for a host step whose
    host runs ``target`` already and is not in ``pending`` (hosts with a daemon that does not run its installed
    package yet, or does not answer: a run stopped in the middle of a host), so that a rerun resumes at the first
    step not done; the steps without hosts are idempotent and run again. ``done`` (``{"STEP:HOST": bool}``, from the
    hosts' daemons: from_reports) overrides that for the host steps it names. When every host runs ``target`` the
    procedure is ``none`` and the steps only finish
    (conversions, gates, the pin removed): what a run stopped after its last host left undone. Raises VersionError
    when a host of the plan has no version, runs a version newer than ``target``, or when the hosts run more than
    one version other than ``target`` (an earlier upgrade left half done to another version: finish that first).
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
    by_dc = {}

    def add(step, dc, members):
        finished = [(done or {}).get("%s:%s" % (step, h), runs[h] == want and h not in pending) for h in members]
        out_steps.append({"step": step, "dc": dc, "hosts": list(members), "done": bool(members) and all(finished)})
        if members:
            by_dc.setdefault(dc, {}).setdefault(step, []).extend(members)

    fail_safe = out["procedure"] == "fail-safe"
    moving = out["procedure"] != "none" or any(h in pending for h in hosts)
    # finishing hosts a stopped run left (every package on the target): databases before controllers, as fail-safe
    dbs_first = fail_safe or out["procedure"] == "none"
    if fail_safe:
        add("pin_controllers", None, [])
    for dc in plan["rollout_order"]:
        d = plan["dcs"][dc]
        members = [m["host"] for m in d["central"]["members"]]
        chassis = _gateways_last([h for h in d["nodes"] if plan["nodes"][h].get("chassis")], d.get("gateways", []))
        ic_only = [h for h in d["nodes"] if plan["nodes"][h].get("ic_db") and h not in members]
        if fail_safe:
            add("freeze_northd_version", dc, [])
        if moving and not dbs_first:  # rolling: the controllers may run ahead of northd
            for host in chassis:
                add("node", dc, [host])
        if moving:
            for host in _leaders_last(members, (leaders or {}).get(dc)):
                add("central_member", dc, [host])
        add("convert_schemas", dc, [])
        if moving and dbs_first:
            for host in chassis:
                add("node", dc, [host])
        if moving:
            for host in ic_only:
                add("ic_db_member", dc, [host])
        add("gate", dc, [])
    add("convert_ic_schemas", None, [])
    add("ic_daemons", None, [])
    if fail_safe or not moving:
        add("unpin_controllers", None, [])
    out["steps"] = out_steps
    out["hosts"] = by_dc
    out["lines"] = ["%2d. %-22s %-4s %s%s" % (i, s["step"], s["dc"] or "all", ", ".join(s["hosts"]) or "-",
                                              "  (done)" if s["done"] else "")
                    for i, s in enumerate(out_steps, 1)]
    return out


def from_reports(plan, versions, raft=None):
    """The upgrade of ``plan`` as the hosts report it: ``versions`` maps every OVN host to its tridc.ovn.ovn_versions
    result (read with the plan's package source), ``raft`` every central member to its tridc.ovn.ovn_cluster result
    for NB and SB (``results``). The target is the ovn-common the package source offers; every host must see the
    same. Returns steps() for the hosts' state, plus ``slots``: per DC in rollout order the hosts of each play of
    playbooks/upgrade.yml, the steps not done only (``freeze``: the DC's central members while one of them is not
    done, fail-safe; ``convert`` and ``gate``: every central member and every OVN host of the DC), and ``pin``
    (every chassis, fail-safe), ``unpin`` (every chassis), ``ic_db`` (every IC database member) and ``ic_daemons``
    (every central member: ovn-ic)."""
    hosts = sorted(h for h, n in plan["nodes"].items() if n.get("central") or n.get("chassis") or n.get("ic_db"))
    unread = [h for h in hosts if not (versions.get(h) or {}).get("packages")]
    if unread:
        raise VersionError("no version report from %s" % ", ".join(unread))
    offered = {h: (versions[h].get("candidates") or {}).get("ovn-common") for h in hosts}
    none = [h for h in hosts if not offered[h]]
    if none:
        raise VersionError("the package source offers no ovn-common to %s" % ", ".join(none))
    targets = sorted(set(offered.values()))
    if len(targets) > 1:
        raise VersionError("the hosts see different ovn-common versions in the package source: %s" % "; ".join(
            "%s to %s" % (t, ", ".join(h for h in hosts if offered[h] == t)) for t in targets))
    installed = {h: versions[h].get("ovn_running") for h in hosts}
    pending = [h for h in hosts if not versions[h].get("current", True) or versions[h].get("behind")]
    leaders = {}
    for host, result in (raft or {}).items():
        for entry in (result or {}).get("results") or []:
            if (entry.get("cluster") or {}).get("is_leader"):
                leaders.setdefault(plan["nodes"][host]["dc"], {})[entry["item"]] = host
    # a host step is done when the host's packages are the source's and the daemons of that step run them
    daemons_of = {"central_member": ("nb", "sb", "ic_nb", "ic_sb"), "ic_db_member": ("ic_nb", "ic_sb"),
                  "node": ("ovsdb-server", "ovs-vswitchd", "ovn-controller")}
    done = {}
    for h in hosts:
        for step, names in daemons_of.items():
            daemons = versions[h].get("daemons") or {}
            done["%s:%s" % (step, h)] = not versions[h].get("behind") and all(
                d.get("current") for name, d in daemons.items() if name in names)
    out = steps(plan, installed, targets[0], leaders=leaders, pending=pending, done=done)
    todo = {}
    for s in out["steps"]:
        if s["hosts"] and not s["done"]:
            todo.setdefault((s["dc"], s["step"]), []).extend(s["hosts"])
    fail_safe = out["procedure"] == "fail-safe"
    chassis = [h for h in hosts if plan["nodes"][h].get("chassis")]
    out["slots"] = []
    for dc in plan["rollout_order"]:
        d = plan["dcs"][dc]
        members = [m["host"] for m in d["central"]["members"]]
        out["slots"].append({
            "dc": dc,
            "freeze": members if fail_safe and todo.get((dc, "central_member")) else [],
            "central_member": todo.get((dc, "central_member"), []),
            "convert": members,
            "node": todo.get((dc, "node"), []),
            "ic_db_member": todo.get((dc, "ic_db_member"), []),
            "gate": [h for h in d["nodes"] if h in hosts],
        })
    out["pin"] = chassis if fail_safe else []
    out["unpin"] = chassis
    out["ic_db"] = [h for h in hosts if plan["nodes"][h].get("ic_db")]
    out["ic_daemons"] = [h for h in hosts if plan["nodes"][h].get("central")]
    out["pending"] = pending
    return out

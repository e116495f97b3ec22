#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: site.yml on the three-DC lab, first run and rerun, against an ad-hoc ping of the same hosts.

  .venv/bin/python bench/rollout.py [--fresh] [--pings 3]

--fresh recreates the lab's node containers first (lab/lab.sh down + up; images and mirror are kept),
so the first run installs and configures everything; without it the "first run" is whatever state
the lab is in. Then site.yml runs again on the converged lab (the rerun: every task checks, nothing
changes), and `ansible -m ansible.builtin.ping` runs on the same hosts. Prints wall seconds, the
changed counts of each run and the ratio rerun / ping: how much a no-op rollout costs beyond
reaching every host once. The rerun's per-DC/phase seconds and its N slowest tasks
(--slowest N, from the rollout_summary callback) follow: where a no-op rollout spends its time.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INVENTORY = os.path.join(ROOT, "inventories", "lab")
RECAP = re.compile(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)
HOSTS = "ovn_chassis:ovn_central:ovn_ic_db"


def env():
    e = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
             ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "collections"))
    e["PATH"] = os.path.join(ROOT, ".venv", "bin") + os.pathsep + e.get("PATH", "")
    return e


def timed(argv, extra_env=None):
    start = time.monotonic()
    proc = subprocess.run(argv, cwd=ROOT, env=dict(env(), **(extra_env or {})), capture_output=True, text=True,
                          check=False)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        # what failed first (the task and its message), then the end of the run (the rollout summary)
        failed = re.search(r"(?ms)^TASK \[[^\n]*\n(?:(?!^TASK \[).)*?^fatal: .*?(?=^\S|\Z)", proc.stdout)
        sys.stderr.write((failed.group(0)[-3000:] + "\n...\n" if failed else "") + proc.stdout[-3000:] + proc.stderr[-2000:])
        sys.exit("FAILED (rc=%d): %s" % (proc.returncode, " ".join(argv)))
    return wall, proc.stdout


def changed(text):
    return sum(int(m.group(3)) for m in RECAP.finditer(text))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="recreate the lab's containers before the first run")
    parser.add_argument("--pings", type=int, default=3, help="ad-hoc ping repetitions (the best is reported)")
    parser.add_argument("--slowest", type=int, default=15, help="slowest tasks of the rerun to list")
    parser.add_argument("--short", action="store_true",
                        help="one rerun and one ping on the converged lab (no first run); fails unless the rerun is changed=0")
    parser.add_argument("--log", default=None, help="with --short: write the rerun's output to this file")
    args = parser.parse_args()
    if args.short:
        return short(args)

    site = ["ansible-playbook", "-i", INVENTORY, os.path.join(ROOT, "playbooks", "site.yml")]
    if args.fresh:
        for action in ("down", "up"):
            subprocess.run(["bash", os.path.join(ROOT, "lab", "lab.sh"), action], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)
    first, out1 = timed(site)
    rerun, out2 = timed(site, {"TRIDC_ROLLOUT_SLOWEST": str(args.slowest)})
    pings = [timed(["ansible", "-i", INVENTORY, HOSTS, "-m", "ansible.builtin.ping", "-o"])[0] for _attempt in range(args.pings)]
    ping = min(pings)
    hosts = len(RECAP.findall(out2)) - 1  # minus localhost (the plan)
    print("site.yml on the lab (%d hosts, 3 DCs)%s" % (hosts, "" if args.fresh else " [not --fresh]"))
    print("  first run  %8.1f s  changed=%d" % (first, changed(out1)))
    print("  rerun      %8.1f s  changed=%d" % (rerun, changed(out2)))
    print("  ansible -m ping (best of %d) %6.1f s" % (len(pings), ping))
    print("  rerun / ping ratio  %.1fx" % (rerun / ping))
    if "tridc.ovn rollout summary" in out2:
        print("rerun, from the rollout summary:")
        print(out2.split("tridc.ovn rollout summary", 1)[1].strip("\n"))


def short(args):
    """The short mode: one rerun of site.yml on the converged lab (changed must be 0) and one ping; --log keeps its output."""
    site = ["ansible-playbook", "-i", INVENTORY, os.path.join(ROOT, "playbooks", "site.yml")]
    rerun, out = timed(site, {"TRIDC_ROLLOUT_SLOWEST": str(args.slowest)})
    if args.log:
        with open(args.log, "w", encoding="utf-8") as handle:
            handle.write(out)
    ping, _out = timed(["ansible", "-i", INVENTORY, HOSTS, "-m", "ansible.builtin.ping", "-o"])
    hosts = len(RECAP.findall(out)) - 1
    print("site.yml rerun on the lab (%d hosts, 3 DCs) [short mode: one rerun, one ping]" % hosts)
    print("  rerun      %8.1f s  changed=%d" % (rerun, changed(out)))
    print("  ansible -m ping %6.1f s" % ping)
    print("  rerun / ping ratio  %.1fx" % (rerun / ping))
    if "tridc.ovn rollout summary" in out:
        print("rerun, from the rollout summary:")
        print(out.split("tridc.ovn rollout summary", 1)[1].strip("\n"))
    if changed(out):
        raise SystemExit("the rerun changed something on the converged lab")
    return 0


if __name__ == "__main__":
    main()

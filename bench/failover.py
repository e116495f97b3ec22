# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Failover benchmark on the lab: runs playbooks/dr_drill.yml and prints the loss in milliseconds.

    .venv/bin/python bench/failover.py [--runs N] [--dc dc1] [--no-dc-loss] [--interval 0.02] [--hold 8]

Each run: continuous pings (one every INTERVAL s) between the DCs' probe pods while (1) the active IC
gateway of DC loses its tunnel link for HOLD s and comes back, (2) every container of DC is stopped,
dr_failover.yml runs, the DC is started again and dr_failback.yml restores the plan.

Output, one line per scenario and flow, then the summary lines
    gateway_loss_ms=<worst loss over the flows, median over the runs> gateway_outage_ms=<longest gap>
    dc_loss_ms=<worst loss between the survivors> dc_outage_ms=<longest gap between the survivors>
Loss in ms = lost packets x interval; an outage is the time between the two answers around a gap.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_drill(args, report):
    env = dict(os.environ)
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", os.path.join(ROOT, ".build", "collections"))
    env.setdefault("ANSIBLE_CONFIG", os.path.join(ROOT, "ansible.cfg"))
    argv = [os.path.join(ROOT, ".venv", "bin", "ansible-playbook"), "-i", os.path.join(ROOT, "inventories", "lab"),
            os.path.join(ROOT, "playbooks", "dr_drill.yml"), "-e", "dr_drill_report=%s" % report,
            "-e", "dr_drill_interval=%s" % args.interval, "-e", "dr_drill_hold=%d" % args.hold,
            "-e", "dr_drill_dc_loss=%s" % ("false" if args.no_dc_loss else "true")]
    if args.dc:
        argv += ["-e", "dr_drill_dc=%s" % args.dc]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-6000:] + proc.stderr[-2000:])
        raise SystemExit("dr_drill.yml failed (rc=%d)" % proc.returncode)
    with open(report) as handle:
        return json.load(handle)


def worst(results, prefix, key):
    values = [r[key] for r in results if r["scenario"].startswith(prefix)]
    return max(values) if values else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--dc", default=None, help="the DC whose gateway / whole DC is lost (default: the primary)")
    parser.add_argument("--no-dc-loss", action="store_true", help="only the gateway loss")
    parser.add_argument("--interval", type=float, default=0.02, help="ping interval in seconds")
    parser.add_argument("--hold", type=int, default=8, help="seconds the gateway stays down")
    parser.add_argument("--short", action="store_true",
                        help="one run, the gateway loss only, held 3 s: proves the benchmark runs, in about a minute")
    parser.add_argument("--report", default=None, help="also write the last run's drill report (JSON) to this file")
    args = parser.parse_args()
    if args.short:
        args.runs, args.no_dc_loss, args.hold = 1, True, 3

    summary = {"gateway_loss_ms": [], "gateway_outage_ms": [], "dc_loss_ms": [], "dc_outage_ms": []}
    with tempfile.TemporaryDirectory(prefix="tridc-failover-") as tmp:
        for run in range(1, args.runs + 1):
            data = run_drill(args, os.path.join(tmp, "run%d.json" % run))
            if args.report:
                with open(args.report, "w", encoding="utf-8") as handle:
                    json.dump(data, handle)
            for r in data["results"]:
                print("run=%d scenario=%r flow=%r sent=%d lost=%d loss_ms=%d outages_ms=%s" % (
                    run, r["scenario"], r["flow"], r["sent"], r["lost"], r["loss_ms"], r["outages_ms"]))
            for key, prefix, field in (("gateway_loss_ms", "gateway loss", "loss_ms"), ("gateway_outage_ms", "gateway loss", "longest_ms"),
                                       ("dc_loss_ms", "DC loss", "loss_ms"), ("dc_outage_ms", "DC loss", "longest_ms")):
                value = worst(data["results"], prefix, field)
                if value is not None:
                    summary[key].append(value)
    print(" ".join("%s=%s" % (k, int(statistics.median(v)) if v else "n/a") for k, v in summary.items()))


if __name__ == "__main__":
    main()

"""plan.yml end to end at bank scale: Ansible parses a generated inventory, builds the plan, writes the report,
the pictures (overview and one page per DC, SVG) and the plan diff against an approved plan.

Full mode: 3 DCs x 2,000 nodes, 200 VLANs. --short: 3 x 20 nodes, 40 VLANs (seconds; proves it runs).
Two runs: the approved plan (no baseline), then the same inventory with one VLAN added, with -e plan_baseline.
Prints the wall time of each run and the plan engine's time alone on the same inventory (target < 2 s),
and fails if the engine takes 2 s or more, or the diff misses the change.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plan_scale import synthetic, check_plan  # noqa: E402  pylint: disable=wrong-import-position,import-error

ROLE_GROUPS = ("ovn_central", "ovn_chassis", "ovn_ic_db", "ovn_gateway", "kube_ovn_node")


def write_inventory(inv, path):
    """An Ansible inventory directory: hosts.yml (DC groups and role groups) and group_vars/all/topology.yml."""
    os.makedirs(os.path.join(path, "group_vars", "all"), exist_ok=True)
    children = {}
    for host, hv in inv["hosts"].items():
        children.setdefault(hv["tridc_dc"], {"hosts": {}})["hosts"][host] = {k: v for k, v in hv.items() if k != "tridc_dc"}
    for dc in children:
        children[dc]["vars"] = {"tridc_dc": dc}
    for group in ROLE_GROUPS:
        children[group] = {"hosts": {h: None for h in inv["groups"][group]}}
    with open(os.path.join(path, "hosts.yml"), "w") as handle:
        json.dump({"all": {"children": children}}, handle)  # JSON is YAML
    with open(os.path.join(path, "group_vars", "all", "topology.yml"), "w") as handle:
        json.dump(inv["globals"], handle)


def run_plan(inventory, out, *extra):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "collections"))
    playbook = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    start = time.perf_counter()
    res = subprocess.run([playbook, os.path.join(ROOT, "playbooks", "plan.yml"), "-i", inventory, "-e", "plan_dir=%s" % out,
                          "-e", '{"plan_pictures": ["svg"]}'] + list(extra), capture_output=True, text=True, env=env, cwd=ROOT,
                         check=False)
    seconds = time.perf_counter() - start
    if res.returncode != 0:
        raise SystemExit("plan.yml failed:\n%s\n%s" % (res.stdout[-3000:], res.stderr[-2000:]))
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="3 x 20 nodes, 40 VLANs: proves the benchmark runs, in seconds")
    parser.add_argument("--nodes", type=int, help="nodes per DC (default 2000, --short 20)")
    parser.add_argument("--keep", action="store_true", help="keep the generated inventory and outputs (printed)")
    args = parser.parse_args()
    per_dc = args.nodes or (20 if args.short else 2000)
    vlans = 40 if args.short else 200
    inv = synthetic(per_dc, vlans)
    work = tempfile.mkdtemp(prefix="tridc-plan-review-")
    try:
        approved = os.path.join(work, "approved")
        write_inventory(inv, approved)
        first = run_plan(approved, os.path.join(work, "out-approved"))
        changed = json.loads(json.dumps(inv))
        changed["globals"]["tridc_provider_networks"][0]["vlans"].append({"name": "v-new", "id": 4000, "dcs": ["dc1", "dc2"]})
        proposed = os.path.join(work, "proposed")
        write_inventory(changed, proposed)
        out = os.path.join(work, "out-proposed")
        second = run_plan(proposed, out, "-e", "plan_baseline=%s" % os.path.join(work, "out-approved", "plan.json"))
        diff = json.load(open(os.path.join(out, "plan-diff.json")))
        if diff["network"].get("vlans", {}).get("added") != ["v-new"]:
            raise SystemExit("the plan diff misses the added VLAN: %s" % json.dumps(diff["network"])[:500])
        start = time.perf_counter()
        plan, problems = check_plan(changed)
        engine = time.perf_counter() - start
        if problems:
            raise SystemExit("generated inventory invalid: %s" % problems[:3])
        sizes = {name: os.path.getsize(os.path.join(out, name)) for name in ("plan.json", "plan.md", "plan-diff.md", "topology.svg")}
        print("nodes=%d vlans=%d" % (len(plan["nodes"]), vlans))
        print("plan.yml (parse inventory, plan, report, pictures): %.1f s" % first)
        print("plan.yml with -e plan_baseline (the same + plan diff): %.1f s; hosts touched by the change: %d"
              % (second, diff["counts"]["hosts_touched"]))
        print("engine alone (normalize, validate, compute): %.3f s (target < 2 s)" % engine)
        print("outputs: %s" % ", ".join("%s %.1f MiB" % (k, v / 2**20) for k, v in sizes.items()))
        if args.keep:
            print("kept in %s" % work)
        if engine >= 2.0:
            raise SystemExit("the plan engine took %.2f s for %d nodes: the target is under 2 s" % (engine, len(plan["nodes"])))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

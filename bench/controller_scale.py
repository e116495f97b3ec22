#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller cost per host and task at bank scale: the plan's host views against Ansible's own cost.

    .venv/bin/python bench/controller_scale.py [--short] [--sizes 50,500,2000] [--serial 200] [--forks 20]
                                               [--vlans 200] [--legacy] [--tasks 5] [--declare-controller-plan]

For each size (hosts per DC) it writes an inventory of 3 DCs x SIZE chassis from bench/plan_scale.py's
synthetic topology (200 VLANs, 8 gateways and 3 central members per DC), every host with
``ansible_connection: local``, and runs one playbook (forks 20, the collection's ansible.cfg):

  1. playbooks/plan_hosts.yml, the import every rollout playbook starts with: the plan action on the
     controller and, per batch of tridc_rollout_serial hosts, the batch's share of the host views
     (tridc.ovn.host_views: the views' common part once and each host's node, registered on the batch);
  2. the plan reads of the roles, as site.yml runs them: one play per DC over the DC's chassis, in batches of
     tridc_rollout_serial (--serial, default 200: the README's setting; 100% is one batch per DC), each host
     making the roles' reads: the assert that the host is in the plan, the argument validation Ansible prepends
     to the roles that run on every chassis (ovs, chassis, interconnect: their own meta/argument_specs.yml, which
     renders every declared option from the host's variables), the node slice, the bridge mappings and bridges,
     the DC's central members and ports (TASKS tasks; no module touches a host). The plays name the controller's
     plan tridc_controller_plan and compose each host's view, tridc_plan, from its batch's share
     (a play variable, as site.yml's plays have);
  3. a gate's read on one host: every chassis of the DC with its system-id, from the controller's plan.

Printed per size: hosts, seconds of the whole run and of the reads, the controller's ms per host-task in
the reads, and the peak RSS of ansible-playbook (the controller; its forks are smaller).

First it prints what one fork and exit of a Python process costs at 50, 200 and 800 MB of small objects
(--short: 50 and 200): Ansible forks its controller for every host and task, and a fork copies the page
tables of the whole process, so the controller's memory is paid per host-task. It is why the views are
small and plain data (no Ansible tags), and why Ansible's own cost (the control) grows with the inventory.

--legacy runs the same reads the way the roles read before the host views: a play variable
``tridc_plan: "{{ hostvars['localhost']['tridc_plan'] }}"`` and the plan as a fact of localhost.
It gave the README's older whole-plan-per-host figures (sessions 4 and 5); the table's first column is the
issue's own measurement of that style.

The control runs the same reads on a tiny stand-in of the same shape: Ansible's own cost per host-task.
Ansible's linear strategy pays a little per host of the play on every host-task (the play's host lists
among the magic variables, the iterator's host states copied per result pass), which the batches bound.

--styles control,views,stored also measures the views as the roles read them from session 14 to 19 (`stored`): per
batch, every host's view as JSON text, then each host's own copy stored with set_fact. It is the "before" of
the shared batches (--stored-max caps its sizes, default 500 hosts per DC).

--declare-controller-plan validates as if the roles declared tridc_controller_plan as an option (the interconnect
role did before session 18): Ansible then renders the whole plan on every host, a cost per host that grows with the
inventory; the short mode fails with it.

--short: 3 x 10 and 3 x 100 hosts, 20 VLANs (the plan is then mostly hosts), 2 tasks (the assert and the argument
validation); fails when the
views' ms per host-task grows more than 1.5x the control's growth from the small to the large size (a cost
that grows with the inventory again). The full mode also fails when the views' ms per host-task grows more
than 1.5x from the smallest to the largest size (the issue's goal: flat within 1.5x).
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from plan_scale import synthetic  # noqa: E402  pylint: disable=wrong-import-position,import-error

PLAN_STEPS = {
    "views": "- name: Plan and host views\n  ansible.builtin.import_playbook: %s\n" % os.path.join(ROOT, "playbooks", "plan_hosts.yml"),
    "control": """- name: Bench · control (no plan; a tiny tridc_plan of the same shape, Ansible's own cost per host-task)
  hosts: ovn_chassis
  gather_facts: false
  tasks:
    - name: Tiny stand-in
      ansible.builtin.set_fact:
        tridc_plan:
          nodes: "{{ {inventory_hostname: {'dc': tridc_dc, 'bridge_mappings': 'business:br-business', 'bridges': []}} }}"
          dcs: "{{ {tridc_dc: {'central': {'members': []}}} }}"
          settings: {ports: {nb: 6641}}
""",
    # the views as the roles read them in sessions 14 to 19: every host of the batch stored its own copy of its view
    "stored": """- name: Plan · plan
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Build and validate the network plan
      tridc.ovn.plan:
        fact: false
      register: tridc_plan_build

- name: Plan · host views, stored per host
  hosts: ovn_chassis:ovn_central:ovn_ic_db:kube_ovn_node
  gather_facts: false
  serial: "{{ tridc_rollout_serial | default('100%') }}"
  tasks:
    - name: The views of this batch's hosts, as JSON text
      bench_stored_views:
        hosts: "{{ ansible_play_batch }}"
      delegate_to: localhost
      run_once: true
      register: tridc_plan_views

    - name: Hand each host its view
      ansible.builtin.set_fact:
        tridc_plan: "{{ tridc_plan_views.views[inventory_hostname] | from_json }}"

    - name: Drop the views' text
      ansible.builtin.assert:
        that: tridc_plan is mapping
        quiet: true
      delegate_to: localhost
      run_once: true
      register: tridc_plan_views
""",
    "legacy": """- name: Plan · plan
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Build and validate the network plan (as a fact of localhost)
      tridc.ovn.plan:
""",
}

# The argument validation Ansible prepends to a role: the options of the entry points that run on every chassis
# (ovs, chassis, interconnect; their meta/argument_specs.yml), each rendered from the host's variables. --declare-
# controller-plan adds the whole plan as an option, as the interconnect role declared it before session 18.
SPEC_ROLES = ("ovs", "chassis", "interconnect")


def role_options(declare_controller_plan=False):
    import yaml  # pylint: disable=import-outside-toplevel
    options = {}
    for role in SPEC_ROLES:
        with open(os.path.join(ROOT, "roles", role, "meta", "argument_specs.yml"), encoding="utf-8") as fh:
            options.update(yaml.safe_load(fh)["argument_specs"]["main"]["options"])
    if declare_controller_plan:
        options["tridc_controller_plan"] = {"type": "dict", "required": False, "description": "The whole plan."}
    return options


READS = [
    ("Plan holds the host", "ansible.builtin.assert:\n        that: inventory_hostname in tridc_plan.nodes\n        quiet: true"),
    ("The roles' argument validation (ovs, chassis, interconnect)",
     "ansible.builtin.validate_argument_spec:\n        argument_spec: %(spec)s"),
    ("Node slice", "ansible.builtin.set_fact:\n        bench_node: \"{{ tridc_plan.nodes[inventory_hostname] }}\""),
    ("Bridge mappings and bridges", "ansible.builtin.set_fact:\n        bench_mappings: \"{{ tridc_plan.nodes[inventory_hostname].bridge_mappings }}\"\n"
                                    "        bench_bridges: \"{{ tridc_plan.nodes[inventory_hostname].bridges | map(attribute='name') | list }}\""),
    ("DC central members and ports", "ansible.builtin.set_fact:\n        bench_members: \"{{ tridc_plan.dcs[tridc_plan.nodes[inventory_hostname].dc]"
                                     ".central.members | map(attribute='ip') | list }}\"\n"
                                     "        bench_ports: \"{{ tridc_plan.settings.ports }}\""),
]

GATE = """- name: Bench · gate read (one host per DC, every chassis of the DC from the controller's plan)
  hosts: ovn_central
  gather_facts: false
  tasks:
    - name: Chassis system-ids of the DC
      ansible.builtin.set_fact:
        bench_ids: "{{ %s.dcs[bench_dc].chassis | map('extract', %s.nodes, 'system_id') | list }}"
      vars:
        bench_dc: "{{ %s.nodes[inventory_hostname].dc }}"
      run_once: true

"""


DCS = ("dc1", "dc2", "dc3")

# each host's view as the roles read it: composed at each read from its batch's share (playbooks/plan_hosts.yml)
BATCH_VIEW = ("dict(tridc_plan_batch.common, nodes={inventory_hostname: tridc_plan_batch.nodes[inventory_hostname]}, "
              "scope={'host': inventory_hostname, 'dc': tridc_plan_batch.nodes[inventory_hostname].dc})")
# the stored style's action (the tridc.ovn.host_views of sessions 14 to 19), written beside the bench's playbook
# (Ansible loads action_plugins/ next to a playbook)
STORED_ACTION = """
import json

from ansible.plugins.action import ActionBase
from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan.views import host_views


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        plan = task_vars.get("hostvars").raw_get("localhost").get("tridc_plan_build")["plan"]
        views = host_views(plan, [str(h) for h in self._task.args["hosts"]])
        result.update(changed=False, views={h: json.dumps(v, separators=(",", ":")) for h, v in views.items()})
        return result
"""


def playbook(style, tasks, declare_controller_plan=False):
    """The plan step of STYLE, then the reads as site.yml runs them: one play per DC over its chassis, in
    batches of tridc_rollout_serial (site.yml's ovs and chassis phases take the same variable), with the
    controller's plan as site.yml's plays name it (tridc_controller_plan)."""
    spec = json.dumps(role_options(declare_controller_plan))
    reads = "".join("    - name: %s\n      %s\n" % (name, body % {"spec": spec} if "%(spec)s" in body else body)
                    for name, body in READS[:tasks])
    controller_plan = {"legacy": "hostvars['localhost']['tridc_plan']", "control": "tridc_plan",
                       "views": "hostvars['localhost']['tridc_plan_build']['plan']",
                       "stored": "hostvars['localhost']['tridc_plan_build']['plan']"}[style]
    play_vars = "  vars:\n    tridc_controller_plan: \"{{ %s }}\"\n" % controller_plan
    if style == "legacy":
        play_vars += "    tridc_plan: \"{{ hostvars['localhost']['tridc_plan'] }}\"\n"
    if style == "views":
        play_vars += "    tridc_plan: \"{{ %s }}\"\n" % BATCH_VIEW
    gate_plan = "hostvars['localhost']['tridc_plan']" if style == "legacy" else "hostvars['localhost']['tridc_plan_build']['plan']"
    gate = GATE % (gate_plan, gate_plan, gate_plan) if style != "control" else ""
    clock = """- name: Bench · clock %s
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Clock %s
      ansible.builtin.set_fact:
        bench_%s: "{{ now().timestamp() }}"

"""
    per_dc = "".join("""- name: Bench · reads %s
  hosts: bench_%s:&ovn_chassis
  gather_facts: false
  serial: "{{ tridc_rollout_serial | default('100%%') }}"
%s  tasks:
%s
""" % (dc, dc, play_vars, reads) for dc in DCS)
    return PLAN_STEPS[style] + "\n" + clock % ("start", "start", "t0") + per_dc + clock % ("stop", "stop", "t1") + gate + """- name: Bench · result
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Result
      ansible.builtin.copy:
        content: "BENCH reads_seconds={{ (bench_t1 | float) - (bench_t0 | float) }}"
        dest: "{{ bench_result }}"
        mode: "0644"
"""


def inventory(per_dc, vlans):
    inv = synthetic(per_dc, vlans)
    hosts = {name: dict(hv, ansible_connection="local", ansible_python_interpreter=sys.executable)
             for name, hv in inv["hosts"].items()}
    children = {g: {"hosts": {h: None for h in members}} for g, members in inv["groups"].items() if members}
    # one group per DC: the reads run DC by DC, as site.yml's rollout slots do
    for dc in DCS:
        children["bench_" + dc] = {"hosts": {h: None for h, hv in inv["hosts"].items() if hv["tridc_dc"] == dc}}
    return {"all": {"hosts": hosts, "vars": inv["globals"], "children": children}}


def run(per_dc, style, tasks, vlans, workdir, serial="100%", forks=20, profile=None, declare=False):
    inv_path = os.path.join(workdir, "hosts-%d.json" % per_dc)
    with open(inv_path, "w", encoding="utf-8") as fh:
        json.dump(inventory(per_dc, vlans), fh)
    os.makedirs(os.path.join(workdir, "action_plugins"), exist_ok=True)
    with open(os.path.join(workdir, "action_plugins", "bench_stored_views.py"), "w", encoding="utf-8") as fh:
        fh.write(STORED_ACTION)
    book = os.path.join(workdir, "bench-%s.yml" % style)
    with open(book, "w", encoding="utf-8") as fh:
        fh.write("---\n" + playbook(style, tasks, declare))
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_FORKS=str(forks),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default",
               ANSIBLE_CALLBACK_RESULT_FORMAT="json", ANSIBLE_DISPLAY_OK_HOSTS="false",
               ANSIBLE_DISPLAY_SKIPPED_HOSTS="false")
    env["PATH"] = os.path.join(ROOT, ".venv", "bin") + os.pathsep + env.get("PATH", "")
    # a wrapper process reports the peak RSS of ansible-playbook (and of its forks) once it has ended
    wrapper = ("import resource, subprocess, sys, time\nt = time.monotonic()\n"
               "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
               "sys.stdout.write(p.stdout + p.stderr)\n"
               "print('WALL %.3f RC %d RSS_KB %d' % (time.monotonic() - t, p.returncode,"
               " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n")
    result = os.path.join(workdir, "result-%s-%d.txt" % (style, per_dc))
    # --profile: the controller process under cProfile (its workers are forks of it and are not profiled)
    command = ([sys.executable, "-m", "cProfile", "-o", profile, shutil.which("ansible-playbook", path=env["PATH"])]
               if profile else ["ansible-playbook"])
    argv = [sys.executable, "-c", wrapper] + command + ["-i", inv_path, book, "-e", "bench_result=" + result,
                                                        "-e", "tridc_rollout_serial=" + str(serial)]
    proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    out = proc.stdout
    tail = re.search(r"WALL ([\d.]+) RC (\d+) RSS_KB (\d+)", out)
    reads = None
    if os.path.exists(result):
        with open(result, encoding="utf-8") as fh:
            reads = re.search(r"BENCH reads_seconds=([\d.]+)", fh.read())
    if not tail or tail.group(2) != "0" or not reads:
        raise SystemExit("ansible-playbook failed at %d hosts per DC (%s):\n%s" % (per_dc, style, out[-4000:] + proc.stderr[-2000:]))
    hosts = 3 * per_dc
    wall, reads_s, rss_kb = float(tail.group(1)), float(reads.group(1)), int(tail.group(3))
    return {"hosts": hosts, "wall": wall, "reads": reads_s, "ms": 1000.0 * reads_s / (hosts * tasks), "rss_mb": rss_kb / 1024.0,
            "outside_ms": 1000.0 * (wall - reads_s) / hosts}


FORK_PROBE = """
import os, resource, sys, time
heap = [{"id": i, "name": str(i), "vlans": [i, i + 1]} for i in range(int(sys.argv[1]) * 2500)]
start = time.perf_counter()
for _ in range(int(sys.argv[2])):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
print("%.2f %d" % ((time.perf_counter() - start) * 1000 / int(sys.argv[2]),
                   resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024))
"""


def fork_cost(heap_mb, forks=30):
    """ms per fork and exit of a Python process holding about HEAP_MB of small objects, and its RSS in MB:
    what Ansible's controller pays per host and task for its worker process, at a given controller size."""
    out = subprocess.run([sys.executable, "-c", FORK_PROBE, str(heap_mb), str(forks)], capture_output=True, text=True,
                         check=True).stdout.split()
    return float(out[0]), int(out[1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="3 x 10 and 3 x 100 hosts, 2 tasks; fails on growth above 1.5x")
    parser.add_argument("--sizes", default="50,500,2000", help="hosts per DC, comma-separated")
    parser.add_argument("--tasks", type=int, default=len(READS), help="plan-reading tasks per host (1-%d)" % len(READS))
    parser.add_argument("--vlans", type=int, default=200, help="VLANs (and subnets) of the synthetic topology")
    parser.add_argument("--legacy", action="store_true", help="also measure the whole-plan-per-host style (the 'before')")
    parser.add_argument("--styles", default="control,views",
                        help="styles to measure (control and views always pair: the check compares their growth)")
    parser.add_argument("--serial", default="200",
                        help="tridc_rollout_serial: the batch of the plays over a DC's chassis (the README's setting; 100%% = one batch)")
    parser.add_argument("--forks", type=int, default=20, help="Ansible forks")
    parser.add_argument("--profile", type=int, metavar="SIZE",
                        help="only profile the views at SIZE hosts per DC (cProfile of the controller process) and print where its time goes")
    parser.add_argument("--declare-controller-plan", action="store_true",
                        help="declare the whole plan (tridc_controller_plan) in the validated role options, as the "
                             "interconnect role did before session 18: what that option cost per host")
    parser.add_argument("--stored-max", type=int, default=500,
                        help="largest size (hosts per DC) for the stored style (sessions 14 to 19)")
    parser.add_argument("--legacy-max", type=int, default=500,
                        help="largest size (hosts per DC) for --legacy; its cost grows with the square of the inventory")
    args = parser.parse_args()
    sizes = [10, 100] if args.short else [int(s) for s in args.sizes.split(",")]
    tasks = 2 if args.short else max(1, min(args.tasks, len(READS)))
    # short: few VLANs, so that the plan's size is made of hosts and a per-host cost that follows it shows
    vlans = 20 if args.short else args.vlans
    styles = [st for st in ("control", "views", "stored", "legacy")
              if st in args.styles.split(",") or (st == "legacy" and args.legacy)]
    if not {"control", "views"} <= set(styles):
        parser.error("--styles must include control and views")
    # what a fork costs at the controller sizes measured below (Ansible forks a worker per host and task)
    for heap_mb in ((50, 200) if args.short else (50, 200, 800)):
        ms, rss = fork_cost(heap_mb)
        print("fork  process_rss_mb=%4d ms_per_fork_and_exit=%5.1f" % (rss, ms), flush=True)
    workdir = tempfile.mkdtemp(prefix="tridc-bench-ctl-")
    if args.profile:
        try:
            prof = os.path.join(workdir, "controller.prof")
            r = run(args.profile, "views", tasks, vlans, workdir, args.serial, args.forks, profile=prof,
                    declare=args.declare_controller_plan)
            print("views hosts=%d ms_per_host_task=%.1f (under cProfile)" % (r["hosts"], r["ms"]))
            stats = pstats.Stats(prof)
            stats.sort_stats("tottime").print_stats(15)
            # the per-host-of-the-play costs of the linear strategy and the forks, by caller
            stats.print_callers(r"\{method 'copy' of 'dict' objects\}|\{built-in method posix.fork\}")
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return
    results = {}
    try:
        # one size after the other, its styles back to back: what else the machine runs weighs on both alike
        for per_dc in sizes:
            for style in styles:
                if (style == "legacy" and per_dc > args.legacy_max) or (style == "stored" and per_dc > args.stored_max):
                    continue
                r = results[(style, per_dc)] = run(per_dc, style, tasks, vlans, workdir, args.serial, args.forks,
                                                   declare=args.declare_controller_plan)
                print("%-6s hosts=%5d wall=%7.1f s reads=%7.1f s ms_per_host_task=%6.1f outside_reads_ms_per_host=%6.1f "
                      "controller_peak_rss_mb=%6.0f" % (style, r["hosts"], r["wall"], r["reads"], r["ms"], r["outside_ms"],
                                                        r["rss_mb"]), flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print("| hosts | style | whole run s | plan reads s | ms per host-task | outside the reads, ms per host | controller peak RSS MB |")
    print("|---|---|---|---|---|---|---|")
    for (style, per_dc), r in sorted(results.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        row = (r["hosts"], style, r["wall"], r["reads"], r["ms"], r["outside_ms"], r["rss_mb"])
        print("| %d | %s | %.1f | %.1f | %.1f | %.1f | %.0f |" % row)
    # outside the reads the views' run builds the plan and hands out the views (plan_hosts.yml) and reads one gate;
    # the control's run only starts: the difference per host is what building and publishing cost per host
    for per_dc in sizes:
        if ("views", per_dc) in results and ("control", per_dc) in results:
            print("plan and views at %d hosts: %.1f ms per host (views minus control, outside the reads)"
                  % (3 * per_dc, results[("views", per_dc)]["outside_ms"] - results[("control", per_dc)]["outside_ms"]))
    growth = {}
    for style in styles:
        done = [n for n in sizes if (style, n) in results]
        small, large = results[(style, done[0])], results[(style, done[-1])]
        growth[style] = large["ms"] / small["ms"]
        print("%s: %dx hosts -> %.2fx ms per host-task (flat = 1.0x)" % (style, large["hosts"] // small["hosts"], growth[style]))
    # Ansible's own cost per host-task grows a little with the inventory (the control); the plan must add
    # no growth of its own beyond that: within 1.5x of the control's growth
    ratio = growth["views"] / growth["control"]
    print("views growth / control growth = %.2f (limit 1.5)" % ratio)
    if ratio > 1.5:
        raise SystemExit("the plan's cost per host-task grows with the inventory: %.2fx the control's growth" % ratio)
    if not args.short and growth["views"] > 1.5:
        raise SystemExit("not flat: the views' ms per host-task grows %.2fx from %d to %d hosts (goal: within 1.5x)"
                         % (growth["views"], 3 * sizes[0], 3 * sizes[-1]))


if __name__ == "__main__":
    main()

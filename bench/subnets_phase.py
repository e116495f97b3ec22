#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: the subnets phase of one DC with 200 VLAN subnets, first run and rerun (wall time, NB transactions).

    .venv/bin/python bench/subnets_phase.py [--short] [--vlans 200] [--nodes 10] [--slowest N] [--keep]

No lab and no root: a real ``ovsdb-server`` with the OVN Northbound schema runs in a temporary directory
(a standalone database file, a unix socket), initialised with ``ovn-nbctl init`` as ovn-northd would.

The topology is bench/plan_scale.py's synthetic one (3 DCs x NODES hosts, 3 central members per DC) with
its VLANS VLAN subnets (``owner: ovn``, on the two provider networks) all in dc1. The plan comes from
the plan engine: the bench checks it with ``check_plan`` (``plan.ovn.switches.dc1`` must hold VLANS
switches), and the playbook builds it again with ``playbooks/plan_hosts.yml`` (the plan action and the
host views), as ``site.yml`` does.

  ansible  ``ansible-playbook`` (every host ``ansible_connection: local``): plan_hosts.yml, then the two
           plays of the subnets phase as playbooks/dc_rollout.yml has them ("Rollout · subnets": role
           tridc.ovn.subnets; "Rollout · gate subnets": its gate) on dc1's central members, with
           ``module_defaults`` pointing tridc.ovn.ovn_switches at the temporary database. The phase's
           seconds are the tridc.ovn.rollout_summary callback's (the figure the lab's rollout summary
           prints per DC and phase); the whole ansible-playbook process (start-up and plan included) too.
  module   the module alone: ``python ovn_switches.py ARGS.json`` with dc1's switches from the plan, on a
           second fresh database (one process, as Ansible's local module execution minus Ansible).

Each runs twice: first (no switch in NB) and rerun (nothing to change). Transactions are counted by the
server: ``ovsdb-tool show-log`` lists one record per committed transaction of a standalone database file
(read-only transactions write nothing), so the count is the number of records a run added.

Fails (non-zero exit) unless: the first run commits at most one transaction and reports changed, the rerun
commits none and reports changed=false (the whole ansible-playbook: changed=0 on every host), the gate
passes both times, and NB holds exactly VLANS switches, each with one localnet port carrying the plan's
VLAN tag and provider network, and the plan's IPAM subnet and exclusions.
--short: 20 VLANs (a few seconds), the same checks.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from plan_scale import synthetic  # noqa: E402  pylint: disable=wrong-import-position,import-error
from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import check_plan  # noqa: E402  pylint: disable=wrong-import-position,import-error

DC = "dc1"
SCHEMA = "/usr/share/ovn/ovn-nb.ovsschema"
MODULE = os.path.join(ROOT, "plugins", "modules", "ovn_switches.py")


def tool(name):
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
    if not path:
        raise SystemExit("%s is not installed (Debian: openvswitch-common, openvswitch-switch, ovn-common; scripts/setup.sh)" % name)
    return path


def sh(argv, **kwargs):
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)
    if proc.returncode != 0:
        raise SystemExit("%s failed (rc=%d): %s" % (" ".join(argv), proc.returncode, (proc.stderr or proc.stdout).strip()[-3000:]))
    return proc.stdout


class Northbound(object):
    """A standalone OVN NB database served by a real ovsdb-server on a unix socket."""

    def __init__(self, workdir, name):
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir)
        self.file = os.path.join(self.dir, "nb.db")
        self.sock = os.path.join(self.dir, "nb.sock")
        self.ctl = os.path.join(self.dir, "nb.ctl")
        self.database = "unix:" + self.sock
        self.proc = None

    def start(self):
        if not os.path.exists(SCHEMA):
            raise SystemExit("%s is missing (Debian package ovn-common)" % SCHEMA)
        sh([tool("ovsdb-tool"), "create", self.file, SCHEMA])
        self.proc = subprocess.Popen([tool("ovsdb-server"), self.file, "--no-chdir", "-vconsole:off",
                                      "--log-file=" + os.path.join(self.dir, "nb.log"), "--unixctl=" + self.ctl,
                                      "--remote=punix:" + self.sock],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not (os.path.exists(self.sock) and os.path.exists(self.ctl)):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("ovsdb-server did not start (rc=%s), see %s" % (self.proc.returncode, self.dir))
            time.sleep(0.02)
        # NB_Global, as ovn-northd creates it on a new central: the phase meets an initialised, empty NB
        sh([tool("ovn-nbctl"), "--db=" + self.database, "init"])

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def records(self):
        """The committed transactions in the file: (record number, comment) after the schema record."""
        out = sh([tool("ovsdb-tool"), "show-log", self.file])
        recs = re.findall(r'^record (\d+):[^"]*"?(.*?)"?$', out, re.M)
        return [(int(n), text) for n, text in recs if int(n) > 0]

    def select(self, table, columns):
        txn = json.dumps(["OVN_Northbound", {"op": "select", "table": table, "where": [], "columns": columns}])
        return json.loads(sh([tool("ovsdb-client"), "transact", self.database, txn]))[0]["rows"]


def ovsdb_map(value):
    return dict(value[1]) if isinstance(value, list) and value[0] == "map" else {}


def ovsdb_set(value):
    if isinstance(value, list) and value and value[0] == "set":
        return value[1]
    return [value]


def check_nb(nb, switches):
    """Problems: NB must hold exactly the planned switches, each with one localnet port as planned."""
    problems = []
    ports = dict((r["_uuid"][1], r) for r in nb.select("Logical_Switch_Port", ["_uuid", "name", "type", "tag", "options", "addresses"]))
    rows = nb.select("Logical_Switch", ["name", "ports", "other_config", "external_ids"])
    have = dict((r["name"], r) for r in rows)
    if len(rows) != len(switches) or set(have) != set(sw["name"] for sw in switches):
        problems.append("NB holds %d switches, the plan %d" % (len(rows), len(switches)))
    for sw in switches:
        row = have.get(sw["name"])
        if row is None:
            continue
        lsps = [ports[p[1]] for p in ovsdb_set(row["ports"]) if p and p[1] in ports]
        want_tag = sw["localnet"]["tag"] or []
        if len(lsps) != 1:
            problems.append("%s: %d ports, expected one localnet port" % (sw["name"], len(lsps)))
            continue
        lsp = lsps[0]
        tag = ovsdb_set(lsp["tag"])
        got = (lsp["name"], lsp["type"], tag[0] if tag else [], ovsdb_map(lsp["options"]).get("network_name"),
               ovsdb_map(row["other_config"]).get("subnet"), sorted(ovsdb_map(row["other_config"]).get("exclude_ips", "").split()),
               ovsdb_map(row["external_ids"]).get("tridc-owner"))
        want = (sw["localnet"]["port"], "localnet", want_tag, sw["localnet"]["network_name"], sw["cidr"], sorted(sw["exclude_ips"]),
                "tridc.ovn")
        if got != want:
            problems.append("%s: (port, type, tag, network_name, subnet, exclude_ips, owner) is %s, planned %s" % (sw["name"], got, want))
    return problems


def topology(vlans, nodes):
    """plan_scale's synthetic inventory with every VLAN and subnet in dc1 only."""
    inv = synthetic(nodes, vlans)
    g = inv["globals"]
    for pn in g["tridc_provider_networks"]:
        for vlan in pn["vlans"]:
            vlan["dcs"] = [DC]
    for subnet in g["tridc_subnets"]:
        subnet["dcs"] = [DC]
    return inv


def write_inventory(inv, path):
    hosts = {name: dict(hv, ansible_connection="local", ansible_python_interpreter=sys.executable)
             for name, hv in inv["hosts"].items()}
    children = {grp: {"hosts": {h: None for h in members}} for grp, members in inv["groups"].items() if members}
    # the DC's central members: the tridc_slot_N:&ovn_central of dc_rollout.yml, for dc1 alone
    children["bench_dc_central"] = {"hosts": {h: None for h in inv["groups"]["ovn_central"] if hosts[h]["tridc_dc"] == DC}}
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"all": {"hosts": hosts, "vars": inv["globals"], "children": children}}, fh)


PLAYBOOK = """---
- name: Plan and host views
  ansible.builtin.import_playbook: %(plan_hosts)s

# the subnets phase of playbooks/dc_rollout.yml, for one DC, the module pointed at the bench's database
- name: Rollout · subnets
  hosts: bench_dc_central
  gather_facts: false
  max_fail_percentage: 0
  any_errors_fatal: true
  module_defaults:
    tridc.ovn.ovn_switches:
      database: "%(database)s"
  vars:
    tridc_plan: >-
      {{ dict(tridc_plan_batch.common, nodes={inventory_hostname: tridc_plan_batch.nodes[inventory_hostname]},
      scope={'host': inventory_hostname, 'dc': tridc_plan_batch.nodes[inventory_hostname].dc}) }}
    tridc_controller_plan: "{{ hostvars['localhost']['tridc_plan_build']['plan'] }}"
  roles:
    - role: tridc.ovn.subnets

- name: Rollout · gate subnets
  hosts: bench_dc_central
  gather_facts: false
  max_fail_percentage: 0
  any_errors_fatal: true
  module_defaults:
    tridc.ovn.ovn_switches:
      database: "%(database)s"
  vars:
    tridc_plan: >-
      {{ dict(tridc_plan_batch.common, nodes={inventory_hostname: tridc_plan_batch.nodes[inventory_hostname]},
      scope={'host': inventory_hostname, 'dc': tridc_plan_batch.nodes[inventory_hostname].dc}) }}
    tridc_controller_plan: "{{ hostvars['localhost']['tridc_plan_build']['plan'] }}"
  tasks:
    - name: Gate subnets (the planned VLAN switches, localnet ports and IPAM exclusions)
      ansible.builtin.include_role:
        name: tridc.ovn.subnets
        tasks_from: gate
"""


def run_playbook(workdir, inventory, book, slowest=0):
    env = dict(os.environ, TRIDC_ROLLOUT_SLOWEST=str(slowest), ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "collections"),
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default", ANSIBLE_DISPLAY_SKIPPED_HOSTS="false",
               ANSIBLE_DISPLAY_OK_HOSTS="false", ANSIBLE_CALLBACKS_ENABLED="tridc.ovn.rollout_summary")
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    binary = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    start = time.monotonic()
    proc = subprocess.run([binary if os.path.exists(binary) else "ansible-playbook", "-i", inventory, book],
                          cwd=workdir, env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - start
    out = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise SystemExit("ansible-playbook failed (rc=%d):\n%s" % (proc.returncode, out[-5000:]))
    # rollout summary rows: DC, phase, changed, seconds, result / gates
    rows = dict(((m.group(1), m.group(2).strip()), (int(m.group(3)), float(m.group(4)), m.group(5).strip()))
                for m in re.finditer(r"^(%s)\s+(subnets|gate subnets)\s+(\d+)\s+([\d.]+)\s+(.*)$" % DC, out, re.M))
    recap = re.findall(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)", out, re.M)
    if (DC, "subnets") not in rows or (DC, "gate subnets") not in rows or not recap:
        raise SystemExit("no rollout summary or recap for %s in the output:\n%s" % (DC, out[-5000:]))
    return {"wall": wall, "subnets": rows[(DC, "subnets")], "gate": rows[(DC, "gate subnets")],
            "changed_total": sum(int(c) for _h, c in recap), "output": out,
            "summary": out[out.find("tridc.ovn rollout summary"):].rstrip()}


def run_module(workdir, nb, switches, run):
    args = os.path.join(workdir, "module-args.json")
    with open(args, "w", encoding="utf-8") as fh:
        json.dump({"ANSIBLE_MODULE_ARGS": {"switches": switches, "database": nb.database, "_ansible_diff": False}}, fh)
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, ".build", "collections"))
    start = time.monotonic()
    proc = subprocess.run([sys.executable, MODULE, args], capture_output=True, text=True, check=False, env=env, cwd=workdir)
    wall = time.monotonic() - start
    try:
        result = json.loads(proc.stdout)
    except ValueError:
        raise SystemExit("module (%s run) printed no JSON (rc=%d): %s" % (run, proc.returncode, (proc.stdout + proc.stderr)[-3000:]))
    if proc.returncode != 0 or result.get("failed"):
        raise SystemExit("module (%s run) failed: %s" % (run, result.get("msg")))
    return wall, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--short", action="store_true", help="20 VLANs: proves the benchmark and its checks run, in seconds")
    parser.add_argument("--vlans", type=int, default=200, help="VLAN subnets in dc1")
    parser.add_argument("--nodes", type=int, default=10, help="hosts per DC of the synthetic topology (at least 3)")
    parser.add_argument("--slowest", type=int, default=0, help="print each run's rollout summary with its N slowest tasks")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (databases, inventory, playbook)")
    args = parser.parse_args()
    if args.short:
        args.vlans = 20
    link = os.path.join(ROOT, ".build", "collections", "ansible_collections", "tridc", "ovn")
    if not os.path.exists(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(ROOT, link)

    inv = topology(args.vlans, args.nodes)
    plan, problems = check_plan(inv)
    if problems:
        raise SystemExit("synthetic topology invalid: %s" % [str(p) for p in problems[:5]])
    switches = plan["ovn"]["switches"][DC]
    if len(switches) != args.vlans or not all(plan["subnets"][sw["subnet"]]["owner"] == "ovn" for sw in switches):
        raise SystemExit("the plan holds %d owner=ovn VLAN switches in %s, expected %d" % (len(switches), DC, args.vlans))
    print("plan: %s has %d VLAN subnets -> %d switches (%d hosts in 3 DCs)" % (DC, args.vlans, len(switches), len(inv["hosts"])),
          flush=True)

    workdir = tempfile.mkdtemp(prefix="tridc-bench-subnets-")
    failures = []
    results = []
    nbs = []
    try:
        inventory = os.path.join(workdir, "hosts.json")
        write_inventory(inv, inventory)
        nb = Northbound(workdir, "nb-ansible")
        nbs.append(nb)
        nb.start()
        book = os.path.join(workdir, "subnets.yml")
        with open(book, "w", encoding="utf-8") as fh:
            fh.write(PLAYBOOK % {"plan_hosts": os.path.join(ROOT, "playbooks", "plan_hosts.yml"), "database": nb.database})
        for run in ("first", "rerun"):
            before = nb.records()
            res = run_playbook(workdir, inventory, book, args.slowest)
            txns = nb.records()[len(before):]
            if len(nb.records()) < len(before):
                failures.append("ansible %s run: the database file was compacted during the run; transactions not countable" % run)
            changed, seconds, _gates = res["subnets"]
            gate_changed, gate_seconds, gate_result = res["gate"]
            results.append(dict(how="ansible", run=run, wall=res["wall"], phase=seconds + gate_seconds, apply=seconds,
                                gate=gate_seconds, changed=changed, txns=len(txns)))
            print("ansible %-5s: phase %.1f s (subnets %.1f + gate %.1f), ansible-playbook %.1f s, changed=%d, %d NB transaction(s) %s"
                  % (run, seconds + gate_seconds, seconds, gate_seconds, res["wall"], changed, len(txns),
                     [t[1][:60] for t in txns]), flush=True)
            if args.slowest:
                print(res["summary"] + "\n", flush=True)
            if "passed" not in gate_result or gate_changed:
                failures.append("ansible %s run: gate %s, changed=%d" % (run, gate_result, gate_changed))
            if run == "first" and (changed != 1 or len(txns) > 1):
                failures.append("ansible first run: changed=%d and %d transactions (expected 1 changed task, at most 1)" % (changed, len(txns)))
            if run == "rerun" and (changed or res["changed_total"] or txns):
                failures.append("ansible rerun: changed=%d (playbook total %d) and %d transactions (expected 0 and 0)"
                                % (changed, res["changed_total"], len(txns)))
            failures += ["ansible %s run: %s" % (run, p) for p in check_nb(nb, switches)]

        mod_nb = Northbound(workdir, "nb-module")
        nbs.append(mod_nb)
        mod_nb.start()
        for run in ("first", "rerun"):
            before = mod_nb.records()
            wall, result = run_module(workdir, mod_nb, switches, run)
            txns = mod_nb.records()[len(before):]
            results.append(dict(how="module", run=run, wall=wall, phase=None, changed=int(bool(result["changed"])),
                                txns=len(txns), commands=len(result["commands"])))
            print("module  %-5s: %.2f s, changed=%s, %d ovn-nbctl commands in %d NB transaction(s)"
                  % (run, wall, result["changed"], len(result["commands"]), len(txns)), flush=True)
            if run == "first" and (not result["changed"] or len(txns) > 1):
                failures.append("module first run: changed=%s and %d transactions" % (result["changed"], len(txns)))
            if run == "rerun" and (result["changed"] or result["commands"] or txns):
                failures.append("module rerun: changed=%s, %d commands, %d transactions" % (result["changed"], len(result["commands"]), len(txns)))
            failures += ["module %s run: %s" % (run, p) for p in check_nb(mod_nb, switches)]
    finally:
        for nb in nbs:
            nb.stop()
        if args.keep:
            print("kept %s" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print()
    print("| %d VLAN subnets in one DC | run | subnets phase s (apply + gate) | ansible-playbook s | changed | NB transactions |" % args.vlans)
    print("|---|---|---|---|---|---|")
    for r in results:
        if r["how"] == "ansible":
            print("| site.yml's subnets plays | %s | %.1f (%.1f + %.1f) | %.1f | %d | %d |" % (
                r["run"], r["phase"], r["apply"], r["gate"], r["wall"], r["changed"], r["txns"]))
        else:
            print("| ovn_switches alone | %s | %.2f | - | %d | %d |" % (r["run"], r["wall"], r["changed"], r["txns"]))
    if failures:
        print()
        for f in failures[:40]:
            print("FAIL: %s" % f)
        raise SystemExit("subnets phase benchmark: %d check(s) failed" % len(failures))
    print("checks passed: first run <= 1 NB transaction, rerun changed=0 and 0 transactions, gate passed, "
          "%d switches with one localnet port each, as planned" % args.vlans)


if __name__ == "__main__":
    main()

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Aggregate callback: a per-DC, per-phase summary of a tridc.ovn rollout."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: rollout_summary
type: aggregate
short_description: Per DC and phase, what changed and how the gates went
version_added: 0.1.0
description:
  - At the end of a playbook, prints a table with one row per DC and rollout phase, taken from
    the play name after C(·) (for example C(Rollout · ovs)). Each row counts the changed tasks,
    names failed or unreachable hosts, gives the wall seconds of the phase's plays, and the
    result of every gate task (task names starting with C(Gate)).
  - With O(slowest) set, also lists the slowest tasks of the run (wall seconds from a task's start
    to the next task's start, summed over the DCs and plays that ran it).
  - The DC of a host is its DC in the plan, or its C(tridc_dc) variable for a host outside the plan.
  - Enable it with C(callbacks_enabled = tridc.ovn.rollout_summary) in C(ansible.cfg).
requirements:
  - enabled in configuration
options:
  slowest:
    description: How many of the slowest tasks to list after the summary (V(0) lists none).
    type: int
    default: 0
    env:
      - name: TRIDC_ROLLOUT_SLOWEST
    ini:
      - section: callback_tridc_rollout_summary
        key: slowest
author:
  - tridc.ovn developers (@tridc)
"""

import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    """Collect per (DC, phase) counters and print them after the play recap."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "tridc.ovn.rollout_summary"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._phase = None
        self._play = None
        self._dc_of = {}
        self._rows = {}
        self._order = []
        self._rollout_order = []
        self._play_started = None
        self._play_rows = set()
        self._task = None            # (label, start) of the running task
        self._task_seconds = {}      # label -> [seconds, runs]

    def _close_task(self, now):
        if self._task is not None:
            label, start = self._task
            spent = self._task_seconds.setdefault(label, [0.0, 0])
            spent[0] += now - start
            spent[1] += 1
            self._task = None

    def _close_play(self, now):
        self._close_task(now)
        if self._play_started is not None:
            for key in self._play_rows:
                self._rows[key]["seconds"] += now - self._play_started
        self._play_started = None
        self._play_rows = set()

    def v2_playbook_on_task_start(self, task, is_conditional):
        now = time.monotonic()
        self._close_task(now)
        self._task = (task.get_name(), now)   # "role : task" for a role's tasks

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def v2_playbook_on_play_start(self, play):
        now = time.monotonic()
        self._close_play(now)
        self._play_started = now
        self._play = play
        name = play.get_name() or ""
        self._phase = name.split("·", 1)[1].strip() if "·" in name else None

    def _row(self, result):
        if self._phase is None:
            return None
        host = result._host  # pylint: disable=protected-access
        dc = self._dc_of.get(host.get_name())
        if dc is None:
            # tridc_dc is usually a group variable: ask the variable manager once per host
            try:
                hostvars = self._play.get_variable_manager().get_vars(play=self._play, host=host, include_hostvars=False)
                dc = str(hostvars.get("tridc_dc", "-"))
            except Exception:  # pylint: disable=broad-except
                dc = "-"
            self._dc_of[host.get_name()] = dc
        slot = str((self._play.vars or {}).get("tridc_slot", ""))
        if dc == "-" and slot.isdigit() and int(slot) < len(self._rollout_order):
            # a controller play of a DC's rollout (e.g. the CNI phase): the DC of its rollout slot
            dc = self._rollout_order[int(slot)]
        key = (dc, self._phase)
        if key not in self._rows:
            self._rows[key] = {"changed": 0, "ok": 0, "failed": set(), "unreachable": set(), "gates": {},
                               "seconds": 0.0}
            self._order.append(key)
        self._play_rows.add(key)
        return self._rows[key]

    def _gate(self, row, result, status):
        task = result._task  # pylint: disable=protected-access
        name = task.get_name()
        # gates are the playbook's own tasks; the roles' inner checks roll up into them
        if name.startswith("Gate") and getattr(task, "_role", None) is None:
            gates = row["gates"]
            if status == "failed" or gates.get(name) not in ("failed", "passed"):
                gates[name] = status

    # the tasks whose result may carry the plan: the plan action's result, or (until the plan is known) a fact
    # tridc_plan with the rollout order
    _PLAN_ACTIONS = frozenset(("tridc.ovn.plan", "plan"))
    _FACT_ACTIONS = frozenset(("ansible.builtin.set_fact", "set_fact"))

    def _learn_plan(self, result):
        # only where a plan can be: reading a result's data makes Ansible copy it into native types, a cost per
        # result that would be paid on every host and task otherwise
        task = result._task  # pylint: disable=protected-access
        action = getattr(task, "resolved_action", None) or getattr(task, "action", None)
        if action not in self._PLAN_ACTIONS and (self._rollout_order or action not in self._FACT_ACTIONS):
            return
        data = result._result  # pylint: disable=protected-access
        facts = data.get("ansible_facts") or {}
        plan = data.get("plan") or facts.get("tridc_plan")
        if isinstance(plan, dict) and plan.get("rollout_order"):
            self._rollout_order = list(plan["rollout_order"])
            # every planned host's DC from the plan at once: no variable lookup per host later
            for host, node in (plan.get("nodes") or {}).items():
                if isinstance(node, dict) and node.get("dc"):
                    self._dc_of.setdefault(str(host), str(node["dc"]))

    def v2_runner_on_ok(self, result):
        self._learn_plan(result)
        row = self._row(result)
        if row is None:
            return
        row["ok"] += 1
        if result.is_changed():
            row["changed"] += 1
        self._gate(row, result, "passed")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        row = self._row(result)
        if row is None or ignore_errors:
            return
        row["failed"].add(result._host.get_name())  # pylint: disable=protected-access
        self._gate(row, result, "failed")

    def v2_runner_on_skipped(self, result):
        row = self._row(result)
        if row is not None:
            self._gate(row, result, "skipped")

    def v2_runner_on_unreachable(self, result):
        row = self._row(result)
        if row is None:
            return
        row["unreachable"].add(result._host.get_name())  # pylint: disable=protected-access
        self._gate(row, result, "failed")

    def v2_playbook_on_stats(self, stats):
        self._close_play(time.monotonic())
        if not self._rows:
            return
        lines = ["", "tridc.ovn rollout summary",
                 "%-10s %-22s %8s %8s %s" % ("DC", "phase", "changed", "seconds", "result / gates")]
        for key in self._order:
            dc, phase = key
            row = self._rows[key]
            problems = []
            if row["failed"]:
                problems.append("FAILED on " + ", ".join(sorted(row["failed"])))
            if row["unreachable"]:
                problems.append("UNREACHABLE " + ", ".join(sorted(row["unreachable"])))
            gates = ["%s: %s" % (g, s) for g, s in row["gates"].items()]
            result = "; ".join(problems + gates) or "ok"
            lines.append("%-10s %-22s %8d %8.1f %s" % (dc, phase, row["changed"], row["seconds"], result))
        slowest = int(self.get_option("slowest") or 0)
        if slowest > 0 and self._task_seconds:
            lines += ["", "slowest tasks (seconds summed over DCs and plays, runs)"]
            ranked = sorted(self._task_seconds.items(), key=lambda item: -item[1][0])[:slowest]
            lines += ["%8.1f %4d  %s" % (spent, runs, label) for label, (spent, runs) in ranked]
        self._display.display("\n".join(lines))

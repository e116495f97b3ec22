# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin behind tridc.ovn.host_views: a batch of hosts' share of a built plan's views, on the controller."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan.views import ViewError, batch_views, plain

NOT_A_PLAN = "'plan' must be the plan that tridc.ovn.plan returns (its registered result's plan, with nodes and dcs)"


class ActionModule(ActionBase):
    """The views' common part once and the given hosts' nodes: the value a batch of hosts shares."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("plan", "plan_from", "hosts"))

    def _plan(self, task_vars, name):
        if self._task.args.get("plan") is not None:
            # as Ansible hands it over (lazy containers): one walk makes it plain data
            return plain(self._task.args["plan"])
        # localhost's registered result NAME, read as stored: no templating, no copy, whatever its size
        try:
            return (task_vars.get("hostvars").raw_get("localhost").get(name) or {}).get("plan")
        except (AttributeError, TypeError):
            return None

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        name = self._task.args.get("plan_from") or "tridc_plan_build"
        plan = self._plan(task_vars or {}, name)
        if not isinstance(plan, dict) or not isinstance(plan.get("nodes"), dict) or not isinstance(plan.get("dcs"), dict):
            result.update(failed=True, msg="tridc.ovn.host_views: " + (
                NOT_A_PLAN if self._task.args.get("plan") is not None else
                "localhost has no plan in '%s' (register tridc.ovn.plan's result under that name first)" % name))
            return result
        hosts = self._task.args.get("hosts")
        if hosts is not None and (isinstance(hosts, str) or not isinstance(hosts, (list, tuple))):
            result.update(failed=True, msg="tridc.ovn.host_views: 'hosts' must be a list of inventory hostnames")
            return result
        try:
            batch = batch_views(plan, None if hosts is None else [str(h) for h in hosts])
        except ViewError as exc:
            result.update(failed=True, msg="tridc.ovn.host_views: %s" % exc)
            return result
        # registered once per batch (run_once): Ansible copies the result once and registers that one copy on every
        # host of the batch, so the common part is held once per batch, and each host's view is composed from it at
        # each read (playbooks/plan_hosts.yml)
        result.update(changed=False, common=batch["common"], nodes=batch["nodes"])
        return result

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin behind tridc.ovn.plan: build and validate the network plan on the controller."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import GLOBAL_KEYS, HOST_KEYS, check_plan
from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan.model import ROLE_GROUPS
from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan.views import plain


def _names(hostvars_of_host):
    """The variable names of one host (HostVarsVars or a dict), without templating any value."""
    try:
        return [str(key) for key in hostvars_of_host]
    except Exception:  # pylint: disable=broad-except
        return []


def _allowed(value):
    if isinstance(value, (list, tuple)):
        return [str(x) for x in value]
    return []


class ActionModule(ActionBase):
    """Collect the topology variables of every inventory host, build the plan, report all problems."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("fact",))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        fact = self._task.args.get("fact", True)
        hostvars = task_vars.get("hostvars", {})
        groups = task_vars.get("groups", {})
        hosts = {}
        host_names = {}
        for name in groups.get("all", []):
            hv = hostvars.get(name, {})
            hosts[name] = {key: hv[key] for key in HOST_KEYS if key in hv}
            # only the names of tridc_* variables (typos are reported with a did-you-mean); values stay untouched
            host_names[name] = [key for key in _names(hv) if key.startswith("tridc_")]
        inventory = {
            "globals": {key: task_vars[key] for key in GLOBAL_KEYS if key in task_vars},
            "hosts": hosts,
            "groups": {g: list(groups.get(g, [])) for g in ROLE_GROUPS},
            "variables": {"globals": [key for key in task_vars if str(key).startswith("tridc_")],
                          "hosts": host_names,
                          "allowed": _allowed(task_vars.get("tridc_allow_unknown_vars"))},
        }
        try:
            # plain data, without Ansible's tags: the plan and every host's view are built from these values
            plan, problems = check_plan(plain(inventory))
        except Exception as exc:  # pylint: disable=broad-except
            # The engine reports bad input as problems; anything else is a bug, shown without a traceback.
            result.update(failed=True, msg="tridc.ovn plan engine failed unexpectedly: %s: %s" % (type(exc).__name__, exc))
            return result
        result["changed"] = False
        if problems:
            result["failed"] = True
            result["problems"] = [p.as_dict() for p in problems]
            result["msg"] = "the network plan is invalid (%d problem%s); no host was contacted:\n%s" % (
                len(problems), "" if len(problems) == 1 else "s", "\n".join("  - %s" % p for p in problems))
            return result
        result["plan"] = plan
        result["summary"] = {
            "dcs": {dc: {"nodes": len(d["nodes"]), "central": len(d["central"]["members"]), "gateways": len(d["gateways"])}
                    for dc, d in plan["dcs"].items()},
            "rollout_order": plan["rollout_order"],
        }
        if fact:
            result["ansible_facts"] = {"tridc_plan": plan}
        return result

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin behind tridc.ovn.host_views: every host's view of a built plan, on the controller."""

from __future__ import annotations

import json

from ansible.plugins.action import ActionBase

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan.views import host_views, plain


class ActionModule(ActionBase):
    """Every host's view of the plan, keyed by host, each as compact JSON text."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("plan",))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        # one walk over the plan as Ansible hands it over (lazy containers), then one pass for every view
        plan = plain(self._task.args.get("plan"))
        if not isinstance(plan, dict) or not isinstance(plan.get("nodes"), dict) or not isinstance(plan.get("dcs"), dict):
            result.update(failed=True, msg="tridc.ovn.host_views: 'plan' must be the plan that tridc.ovn.plan returns "
                                           "(its registered result's plan, with nodes and dcs)")
            return result
        views = host_views(plan)
        # text, not data: Ansible copies a registered result's dicts and lists value by value, a string it keeps as
        # it is (a view is about 8.5 KB as compact JSON, about three times that as Python objects)
        result.update(changed=False, views={host: json.dumps(view, separators=(",", ":")) for host, view in views.items()})
        return result

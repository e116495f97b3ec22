"""Load an Ansible inventory directory into the plan engine's input dict (tests and bench)."""

from __future__ import annotations

from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.vars.manager import VariableManager

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import GLOBAL_KEYS, HOST_KEYS
from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan.model import ROLE_GROUPS


def load_inventory(path):
    loader = DataLoader()
    inv = InventoryManager(loader=loader, sources=[str(path)])
    vm = VariableManager(loader=loader, inventory=inv)
    hosts = {}
    globals_ = {}
    for host in inv.get_hosts():
        hv = vm.get_vars(host=host, include_hostvars=False)
        hosts[host.name] = {k: hv[k] for k in HOST_KEYS if k in hv}
        if not globals_:
            globals_ = {k: hv[k] for k in GLOBAL_KEYS if k in hv}
    groups = {g: [h.name for h in inv.groups[g].get_hosts()] if g in inv.groups else [] for g in ROLE_GROUPS}
    return {"globals": globals_, "hosts": hosts, "groups": groups}

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Host key checking is off for the lab inventory only (security issue, item 8).

ansible.cfg is the configuration every inventory gets: it must leave Ansible's default (check host keys).
The lab inventory, whose containers get new host keys each time they are recreated, turns it off for its
own hosts; the production-shaped example inventory does not."""

import configparser
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


def _env():
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    for key in ("ANSIBLE_HOST_KEY_CHECKING", "ANSIBLE_SSH_HOST_KEY_CHECKING"):
        env.pop(key, None)
    return env


def _hostvars(inventory, host):
    res = subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", os.path.join(ROOT, "inventories", inventory),
                          "--host", host], capture_output=True, text=True, cwd=ROOT, env=_env(), check=True, timeout=120)
    return json.loads(res.stdout)


def test_ansible_cfg_does_not_turn_host_key_checking_off():
    cfg = configparser.ConfigParser()
    cfg.read(os.path.join(ROOT, "ansible.cfg"))
    for section in cfg.sections():
        for key in ("host_key_checking",):
            assert not cfg.has_option(section, key) or cfg.getboolean(section, key), \
                "ansible.cfg [%s] %s turns host key checking off for every inventory" % (section, key)
    res = subprocess.run([os.path.join(BIN, "ansible-config"), "dump", "--only-changed", "--format", "json"],
                         capture_output=True, text=True, cwd=ROOT, env=_env(), check=True, timeout=120)
    changed = {item["name"]: item.get("value") for item in json.loads(res.stdout) if isinstance(item, dict) and "name" in item}
    assert changed.get("HOST_KEY_CHECKING", True) is True, changed


def test_only_the_lab_inventory_turns_it_off():
    lab = _hostvars("lab", "dc1-n1")
    assert lab.get("ansible_host_key_checking") is False, lab
    bank = _hostvars("example-bank", sorted(_bank_hosts())[0])
    assert "ansible_host_key_checking" not in bank and "ansible_ssh_host_key_checking" not in bank, bank
    assert "StrictHostKeyChecking=no" not in str(bank.get("ansible_ssh_common_args", "")), bank


def _bank_hosts():
    res = subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", os.path.join(ROOT, "inventories", "example-bank"),
                          "--list"], capture_output=True, text=True, cwd=ROOT, env=_env(), check=True, timeout=120)
    return json.loads(res.stdout)["_meta"]["hostvars"].keys()

"""Host views (controller scale): a host's tridc_plan holds its own slice, and its size does not follow the inventory."""

import json
import os
import re
import subprocess
import sys

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import check_plan, views

from test_filters import adhoc  # noqa: E402  pylint: disable=wrong-import-position,import-error

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "bench"))

from plan_scale import synthetic  # noqa: E402  pylint: disable=wrong-import-position,import-error


def _plan(per_dc, vlans=20):
    plan, problems = check_plan(synthetic(per_dc, vlans))
    assert not problems
    return plan


def test_view_holds_the_host_alone_and_no_host_lists():
    plan = _plan(20)
    view = views.host_plan(plan, "dc2-n00005")
    assert list(view["nodes"]) == ["dc2-n00005"]
    assert view["nodes"]["dc2-n00005"] == plan["nodes"]["dc2-n00005"]
    assert view["scope"] == {"host": "dc2-n00005", "dc": "dc2"}
    assert set(view["dcs"]) == {"dc1", "dc2", "dc3"}
    for dc in view["dcs"].values():
        assert not set(dc) & {"nodes", "chassis", "kube_ovn_nodes", "vlans", "subnets"}
        assert dc["central"]["members"]  # what the gates need of several hosts stays
    assert not set(view) & {"physical", "kube_ovn", "dr", "subnets", "vlans"}
    assert view["settings"] == plan["settings"] and view["rollout_order"] == plan["rollout_order"]


def _types(value, seen):
    seen.add(type(value))
    if isinstance(value, dict):
        for key, item in value.items():
            _types(key, seen)
            _types(item, seen)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _types(item, seen)
    return seen


def test_view_is_plain_data_without_ansible_tags():
    """Ansible hands inventory values over tagged with their origin (an int so tagged is a subclass with a
    mapping of tags); tagged as Ansible itself tags them here, the plan and each view come out as plain types."""
    from ansible._internal._datatag._tags import Origin  # pylint: disable=import-outside-toplevel

    origin = Origin(path="/inventory/hosts.yml")

    def tag(value):
        if isinstance(value, dict):
            return origin.tag({tag(k): tag(v) for k, v in value.items()})
        if isinstance(value, list):
            return origin.tag([tag(v) for v in value])
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return origin.tag(value)
        return value

    inventory = synthetic(5, 20)
    tagged = tag(inventory)
    vlan_id = tagged["globals"]["tridc_provider_networks"][0]["vlans"][0]["id"]
    assert vlan_id == 100 and vlan_id.__class__ is not int  # the tags are real
    plain_input = views.plain(tagged)
    assert plain_input == inventory
    plan, problems = check_plan(plain_input)
    assert not problems
    plain_types = {dict, list, tuple, str, int, float, bool, type(None)}
    assert _types(plan, set()) <= plain_types
    # the filter makes a view plain even from a tagged plan (one read from a file, say)
    assert _types(views.host_plan(tag(plan), "dc1-n00002"), set()) <= plain_types


def test_view_size_does_not_follow_the_number_of_hosts():
    small, large = _plan(10), _plan(400)
    size = [len(json.dumps(views.host_plan(p, "dc1-n00005"))) for p in (small, large)]
    whole = [len(json.dumps(p)) for p in (small, large)]
    assert whole[1] > 10 * whole[0] / 2  # the plan itself grows with the hosts...
    # ...the view does not (only the host names' width in member lists may differ by a few bytes)
    assert abs(size[1] - size[0]) < 64, size


def test_unknown_host_is_a_clear_error_in_the_engine_and_the_filter(tmp_path):
    try:
        views.host_plan(_plan(10), "nope")
    except views.ViewError as exc:
        assert "host 'nope' is not in the plan" in str(exc)
    else:
        raise AssertionError("no error for an unknown host")
    res = adhoc("{{ tridc_plan | tridc.ovn.host_plan('nope') }}", tmp_path)
    assert res.get("failed") and "tridc.ovn.host_plan: host 'nope' is not in the plan" in res["output"]


def test_not_a_plan_is_named_in_plain_words_not_a_python_type():
    for value, words in [(None, "nothing (null)"), ("text", "a string ('text')"), (3, "a number (3)"),
                         (True, "a boolean (true)"), ([], "a list"), ({"nodes": {}}, "a mapping without 'dcs'"),
                         ({}, "a mapping without 'nodes' and 'dcs'")]:
        message = None
        try:
            views.host_plan(value, "dc1-n00005")
        except views.ViewError as exc:
            message = str(exc)
        assert message is not None, "no error for %r" % (value,)
        assert message.endswith("got " + words), message
        assert not re.search(r"\b(dict|str|int|bool|tuple|NoneType|None)\b", message), message


def test_filter_returns_the_view(tmp_path):
    res = adhoc("{{ (tridc_plan | tridc.ovn.host_plan('dc3-n2')) | to_json }}", tmp_path)
    view = json.loads(res["msg"])
    assert list(view["nodes"]) == ["dc3-n2"] and view["scope"] == {"host": "dc3-n2", "dc": "dc3"}
    assert "chassis" not in view["dcs"]["dc3"] and view["dcs"]["dc3"]["central"]["members"]


def test_host_views_are_every_host_plan_built_once():
    """The plan action's views (one pass over the plan) are the filter's views, host by host, and survive JSON."""
    plan = _plan(10, vlans=40)
    every = views.host_views(plan)
    assert sorted(every) == sorted(plan["nodes"])
    for host, view in every.items():
        assert view == views.host_plan(plan, host)
        assert json.loads(json.dumps(view)) == view  # a module result: no tuple, no key that is not a string
    one, two = every["dc1-n00001"], every["dc3-n00002"]
    assert one["dcs"] is two["dcs"] and one["nodes"]["dc1-n00001"] is plan["nodes"]["dc1-n00001"]  # shared, not copied


def test_a_batch_shares_one_common_part_and_each_view_is_composed_from_it():
    """batch_views holds what every view has alike once and each host's node; batch_view composes a host's view
    from it (what host_plan gives) without copying the common part."""
    plan = _plan(10, vlans=40)
    hosts = ["dc1-n00001", "dc2-n00003", "dc3-n00002"]
    batch = views.batch_views(plan, hosts)
    assert sorted(batch) == ["common", "nodes"] and list(batch["nodes"]) == hosts
    assert "nodes" not in batch["common"] and "scope" not in batch["common"]
    composed = {host: views.batch_view(batch, host) for host in hosts}
    for host, view in composed.items():
        assert view == views.host_plan(plan, host), host
    assert composed["dc1-n00001"]["dcs"] is composed["dc3-n00002"]["dcs"] is batch["common"]["dcs"]
    # the common part does not follow the inventory: 10 or 400 hosts per DC, the same size
    size = [len(json.dumps(views.batch_views(_plan(n, vlans=40), ["dc1-n00001"])["common"])) for n in (10, 400)]
    assert abs(size[1] - size[0]) < 64, size


def test_a_host_without_a_share_of_the_views_is_told_to_import_plan_hosts():
    """No tridc_plan_batch (a play that did not import plan_hosts.yml), a value that is not one, a host outside the
    batch: each a message naming what to do, in the inventory's words."""
    batch = views.batch_views(_plan(3, vlans=4), ["dc1-n00001"])
    for value, host, words in [(None, "dc1-n00001", "tridc_plan_batch is nothing (null)): import playbooks/plan_hosts.yml"),
                               ({}, "dc1-n00001", "tridc_plan_batch is a mapping without 'common' and 'nodes'"),
                               ("x", "dc1-n00001", "tridc_plan_batch is a string ('x')"),
                               (batch, "dc2-n00001", "host 'dc2-n00001' has no view in its batch's share")]:
        try:
            views.batch_view(value, host)
        except views.ViewError as exc:
            assert words in str(exc), str(exc)
            assert not re.search(r"\b(dict|str|NoneType|None)\b", str(exc)), str(exc)
        else:
            raise AssertionError("no error for %r" % (value,))


def test_plan_hosts_gives_each_host_its_view(tmp_path):
    """playbooks/plan_hosts.yml on the example bank (42 of its 45 nodes get a view), then a play as site.yml's are, with
    batches of 10: every host's tridc_plan, composed at the read, is the view the filter gives of the registered plan,
    and no host stores a view of its own."""
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "collections"))
    book = tmp_path / "publish.yml"
    book.write_text("""---
- name: Plan and views
  ansible.builtin.import_playbook: %s

- name: A role's play reads its view
  hosts: ovn_chassis:ovn_central:ovn_ic_db:kube_ovn_node
  gather_facts: false
  vars:
    tridc_plan: >-
      {{ dict(tridc_plan_batch.common, nodes={inventory_hostname: tridc_plan_batch.nodes[inventory_hostname]},
      scope={'host': inventory_hostname, 'dc': tridc_plan_batch.nodes[inventory_hostname].dc}) }}
  tasks:
    - name: The view as this host reads it
      ansible.builtin.set_fact:
        read_view: "{{ tridc_plan }}"

- name: Dump
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Plan, every host's view, what the hosts store
      ansible.builtin.copy:
        content: "{{ {'plan': tridc_plan_build.plan, 'views': views, 'batches': batches, 'stored': stored} | to_json }}"
        dest: "%s"
        mode: "0644"
      vars:
        read: "{{ groups['all'] | map('extract', hostvars) | selectattr('read_view', 'defined') }}"
        views: "{{ dict(read | map(attribute='inventory_hostname') | zip(read | map(attribute='read_view'))) }}"
        batches: "{{ read | map(attribute='tridc_plan_batch') | map(attribute='nodes') | map('list') | unique }}"
        stored: "{{ groups['all'] | map('extract', hostvars) | selectattr('tridc_plan', 'defined') | list | length }}"
""" % (os.path.join(ROOT, "playbooks", "plan_hosts.yml"), tmp_path / "out.json"))
    res = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(book),
                          "-i", os.path.join(ROOT, "inventories", "example-bank"), "-e", "tridc_rollout_serial=10"],
                         capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    out = json.loads((tmp_path / "out.json").read_text())
    published = {h for h, node in out["plan"]["nodes"].items()
                 if node["central"] or node["chassis"] or node["ic_db"] or node["kube_ovn_node"]}
    assert sorted(out["views"]) == sorted(published) and len(published) > 40
    for host, view in out["views"].items():
        assert view == views.host_plan(out["plan"], host), host
    # one share per batch of 10, each with its batch's nodes alone; no host holds a tridc_plan of its own
    assert len(out["batches"]) == -(-len(published) // 10) and all(len(b) <= 10 for b in out["batches"])
    assert sorted(h for b in out["batches"] for h in b) == sorted(published)
    assert out["stored"] == 0


def test_host_views_action_reports_bad_input_clearly():
    """Not a plan, no registered plan on localhost, a host the plan does not hold, hosts not a list: each a clear
    message, no traceback."""
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "collections"))
    plan = _plan(3, vlans=4)
    cases = [({"plan": {"nodes": {}}}, "tridc.ovn.host_views: 'plan' must be the plan that tridc.ovn.plan returns"),
             ({"plan_from": "tridc_plan_build"}, "tridc.ovn.host_views: localhost has no plan in 'tridc_plan_build'"),
             ({"plan": plan, "hosts": ["dc1-n00001", "nope"]}, "tridc.ovn.host_views: host 'nope' is not in the plan"),
             ({"plan": plan, "hosts": "dc1-n00001"}, "tridc.ovn.host_views: 'hosts' must be a list of inventory hostnames")]
    for args, message in cases:
        res = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible"), "localhost", "-m", "tridc.ovn.host_views",
                              "-a", json.dumps(args)], capture_output=True, text=True, env=env, cwd=ROOT, check=False)
        assert res.returncode != 0 and message in res.stdout, res.stdout
        assert "Traceback" not in res.stdout + res.stderr
    res = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible"), "localhost", "-m", "tridc.ovn.host_views",
                          "-a", json.dumps({"plan": plan, "hosts": ["dc2-n00001"]}), "-o"], capture_output=True, text=True,
                         env=env, cwd=ROOT, check=False)
    assert res.returncode == 0, res.stdout
    got = json.loads(res.stdout.split(" => ", 1)[1])
    assert list(got["nodes"]) == ["dc2-n00001"]
    assert views.batch_view(got, "dc2-n00001") == views.host_plan(plan, "dc2-n00001")

"""Validation, class by class, as property tests: each class of mistake is generated broadly (hypothesis), and
each run must report it naming the inventory's object and field, with no internal type name and no 'None', and
without follow-on problems. Issue 13, part 4."""

import ipaddress
import re

from hypothesis import HealthCheck, assume, given, settings, strategies as st

from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import KNOWN_VARS, GLOBAL_KEYS, HOST_KEYS, check_plan
from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan.kube_settings import TYPES

from topo import base_inventory

DCS = ("dc1", "dc2", "dc3")
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BAD_WORDS = re.compile(r"None|_Ansible|NoneType|<class|Tagged")


def problems(inv):
    plan, probs = check_plan(inv)
    assert (plan is None) == bool(probs)
    out = [str(p) for p in probs]
    for text in out:
        assert not BAD_WORDS.search(text), text
    return out


def g(inv):
    return inv["globals"]


def dc_of(inv, name):
    return next(d for d in g(inv)["tridc_dcs"] if d["name"] == name)


def hosts_of(inv, dc):
    return sorted(h for h, hv in inv["hosts"].items() if hv["tridc_dc"] == dc)


def with_kube(inv, settings_=None):
    """dc1 gets a Kubernetes node (kube_ovn_node), so Kube-OVN runs there."""
    inv["hosts"]["dc1-k1"] = {"tridc_dc": "dc1", "tridc_failure_domain": "rack1",
                              "tridc_nics": {"eth0": {"addresses": ["10.90.1.40/24"]}, "eth1": {}}}
    inv["groups"]["kube_ovn_node"] = ["dc1-k1"]
    # keep the chart's default service network (10.96.0.0/12) clear of the test subnets
    g(inv)["tridc_kube_ovn"] = dict({"svc_cidr": "10.240.0.0/16"}, **(settings_ or {}))
    return inv


def test_base_and_kube_base_are_valid():
    assert problems(base_inventory()) == []
    assert problems(with_kube(base_inventory())) == []


# --- a VLAN kept in a DC where every node is excluded from its provider network -------------------------------

@FAST
@given(st.sampled_from([("business", "b101", "dc1"), ("business", "b101", "dc2"), ("business", "b103", "dc3"),
                        ("storage", "s201", "dc1"), ("storage", "s201", "dc2")]),
       st.integers(min_value=3, max_value=6))
def test_vlan_in_dc_where_every_node_is_excluded(case, nodes):
    provider, vlan, dc = case
    inv = base_inventory(nodes_per_dc=nodes)
    pn = next(p for p in g(inv)["tridc_provider_networks"] if p["name"] == provider)
    pn["exclude_nodes"] = hosts_of(inv, dc)
    out = problems(inv)
    assert any(p.startswith("vlan '%s': dcs: kept in dc '%s'" % (vlan, dc)) for p in out), out
    # every problem is about a VLAN (or a subnet on one) of that provider in that DC: nothing else is blamed
    assert all("dc '%s'" % dc in p and ("vlan '" in p or "subnet '" in p) for p in out), out
    # one node left on the provider network is enough
    pn["exclude_nodes"] = hosts_of(inv, dc)[1:]
    assert problems(inv) == []


# --- a transit switch subnet too small for three DCs ----------------------------------------------------------

@FAST
@given(st.integers(min_value=22, max_value=32), st.integers(min_value=0, max_value=255))
def test_transit_switch_subnet_must_hold_a_port_per_dc(prefix, third):
    net = ipaddress.ip_network("169.254.%d.0/%d" % (third, prefix), strict=False)
    inv = base_inventory()
    g(inv)["tridc_interconnect"]["transit_switches"] = [{"name": "ts1", "subnet": str(net)}]
    out = problems(inv)
    usable = len(list(net.hosts()))
    if usable >= 3:
        assert out == []
    else:
        assert len(out) == 1 and out[0].startswith("transit switch 'ts1': subnet: %s has %d usable" % (net, usable)), out


# --- a host address equal to its DC's underlay gateway ---------------------------------------------------------

@FAST
@given(st.sampled_from(DCS), st.integers(min_value=1, max_value=3), st.booleans(), st.integers(min_value=2, max_value=9))
def test_host_address_is_the_underlay_gateway(dc, index, explicit, gw_last):
    inv = base_inventory()
    d = DCS.index(dc) + 1
    host = "%s-n%d" % (dc, index)
    gateway = "10.91.%d.%d" % (d, gw_last if explicit else 1)
    if explicit:
        dc_of(inv, dc)["underlay_gateway"] = gateway
    inv["hosts"][host]["tridc_nics"]["eth1"]["addresses"] = [gateway + "/24"]
    out = problems(inv)
    assert any(p.startswith("host '%s': tridc_encap_ip: %s is dc '%s' underlay gateway" % (host, gateway, dc)) for p in out), out
    assert all(p.startswith("host '%s'" % host) for p in out), out


# --- subnets overlapping the DC's own management or underlay network -----------------------------------------

@FAST
@given(st.sampled_from([("b101", ("dc1", "dc2")), ("b103", ("dc3",)), ("pods1", ("dc1",)), ("pods3", ("dc3",))]),
       st.sampled_from(["mgmt_network", "underlay_network"]), st.integers(min_value=0, max_value=1),
       st.integers(min_value=20, max_value=28))
def test_subnet_overlapping_its_dcs_infrastructure(case, key, which, prefix):
    name, dcs = case
    dc = dcs[min(which, len(dcs) - 1)]
    inv = base_inventory()
    infra = ipaddress.ip_network(dc_of(inv, dc)[key])
    cidr = ipaddress.ip_network("%s/%d" % (infra.network_address, prefix), strict=False)
    sn = next(s for s in g(inv)["tridc_subnets"] if s["name"] == name)
    sn.update(cidr=str(cidr), gateway=str(next(cidr.hosts())), exclude_ips=[])
    out = problems(inv)
    assert any(p.startswith("subnet '%s': cidr: %s overlaps dc '%s' %s %s" % (name, cidr, dc, key, infra)) for p in out), out


# --- Kube-OVN pod, service and join networks overlapping each other or the bank's networks ---------------------

BANK = ["10.90.1.0/24", "10.91.2.0/24", "10.101.0.0/24", "10.210.3.0/24", "169.254.100.0/24"]
FREE = ["10.200.0.0/16", "10.201.0.0/16", "10.202.0.0/16", "172.30.0.0/16"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(BANK + FREE), min_size=3, max_size=3), st.lists(st.integers(min_value=8, max_value=26), min_size=3, max_size=3))
def test_kube_ovn_networks_overlap_oracle(picks, prefixes):
    blocks = {}
    for key, pick, prefix in zip(("pod_cidr", "svc_cidr", "join_cidr"), picks, prefixes):
        blocks[key] = ipaddress.ip_network("%s/%d" % (pick.split("/")[0], prefix), strict=False)
    inv = with_kube(base_inventory(), {k: str(v) for k, v in blocks.items()})
    out = problems(inv)
    kube = [p for p in out if p.startswith("tridc_kube_ovn")]
    assert kube == out, out  # nothing else is blamed
    bank = [ipaddress.ip_network(n) for n in ("10.90.1.0/24", "10.91.1.0/24", "10.90.2.0/24", "10.91.2.0/24", "10.90.3.0/24",
                                              "10.91.3.0/24", "169.254.100.0/24", "10.101.0.0/24", "10.103.0.0/24",
                                              "10.210.1.0/24", "10.210.3.0/24")]
    for key, net in blocks.items():
        others = [v for k, v in blocks.items() if k != key]
        expect = any(net.overlaps(b) for b in bank) or any(net.overlaps(o) for o in others)
        reported = any(("tridc_kube_ovn: %s:" % key) in p or ("network %s" % net) in p.split("overlaps")[-1] for p in kube)
        assert expect == reported, (key, net, kube)


# --- wrong YAML types in Kube-OVN settings; unknown keys under tridc_kube_ovn and its dcs ---------------------

# junk text never holds a word BAD_WORDS looks for: a message quotes the inventory's own value ("got a string
# ('None')", found by hypothesis in CI), and the check could not tell that quote from a leak
def _text(max_size, min_size=1):
    return st.text(min_size=min_size, max_size=max_size).filter(lambda t: not BAD_WORDS.search(t))


JUNK = st.one_of(st.booleans(), st.integers(min_value=-5, max_value=70000), _text(6),
                 st.lists(_text(4), min_size=1, max_size=3),
                 st.dictionaries(_text(4), st.integers(), min_size=1, max_size=2))


def _kind_ok(key, value):
    kinds = TYPES[key]
    if isinstance(value, bool):
        return "bool" in kinds
    if isinstance(value, int):
        return "int" in kinds or ("str" in kinds and key not in ("pod_cidr", "svc_cidr", "join_cidr", "pod_gateway"))
    if isinstance(value, str):
        return "str" in kinds
    if isinstance(value, list):
        return "list" in kinds
    return "dict" in kinds


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(TYPES)), JUNK, st.sampled_from(["", "dcs.dc1."]))
def test_kube_ovn_setting_with_wrong_type_is_reported_by_its_inventory_name(key, junk, where):
    assume(not _kind_ok(key, junk))
    inv = with_kube(base_inventory())
    if where:
        g(inv)["tridc_kube_ovn"]["dcs"] = {"dc1": {key: junk}}
    else:
        g(inv)["tridc_kube_ovn"][key] = junk
    out = problems(inv)
    field = "tridc_kube_ovn: %s%s" % (where, key)
    assert any(p.startswith(field + ": must be") for p in out), out
    assert all(p.startswith("tridc_kube_ovn: %s%s" % (where, key)) for p in out), out  # no follow-on


NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=12)


@FAST
@given(NAMES, NAMES)
def test_unknown_keys_under_tridc_kube_ovn_and_its_dcs(dc_key, setting):
    assume(dc_key not in DCS and setting not in TYPES and setting != "dcs")
    inv = with_kube(base_inventory())
    g(inv)["tridc_kube_ovn"]["dcs"] = {dc_key: {}, "dc2": {setting: "x"}}
    g(inv)["tridc_kube_ovn"][setting] = "x"
    out = problems(inv)
    assert any(p.startswith("tridc_kube_ovn: dcs.%s: '%s' is not a DC of tridc_dcs" % (dc_key, dc_key)) for p in out), out
    assert any(p.startswith("tridc_kube_ovn: dcs.dc2.%s: unknown Kube-OVN setting" % setting) for p in out), out
    assert any(p.startswith("tridc_kube_ovn: %s: unknown Kube-OVN setting" % setting) for p in out), out
    assert len(out) == 3, out


def test_wrongly_typed_kube_setting_never_reaches_the_chart_values():
    """The settings the plan renders are the checked ones: a correct value renders as given."""
    inv = with_kube(base_inventory(), {"pod_cidr": "10.200.0.0/16", "master_nodes": ["10.90.1.40"]})
    plan, probs = check_plan(inv)
    assert probs == []
    values = plan["kube_ovn"]["dc1"]["values"]
    assert values["ipv4"]["POD_CIDR"] == "10.200.0.0/16" and values["MASTER_NODES"] == "10.90.1.40"


# --- typos of top-level and host variables ------------------------------------------------------------------------

@st.composite
def typos(draw, names):
    name = draw(st.sampled_from(names))
    i = draw(st.integers(min_value=7, max_value=len(name) - 1))
    op = draw(st.sampled_from(["drop", "swap", "double"]))
    if op == "drop":
        typo = name[:i] + name[i + 1:]
    elif op == "swap" and i + 1 < len(name):
        typo = name[:i] + name[i + 1] + name[i] + name[i + 2:]
    else:
        typo = name[:i] + name[i] + name[i:]
    assume(typo != name and typo not in KNOWN_VARS)
    return name, typo


@FAST
@given(typos(list(GLOBAL_KEYS)))
def test_typo_of_a_global_variable(pair):
    name, typo = pair
    inv = base_inventory()
    inv["variables"] = {"globals": sorted(set(g(inv)) | {typo}), "hosts": {}}
    out = problems(inv)
    assert out and out[0].startswith("inventory: %s: unknown variable" % typo), out
    assert "did you mean tridc_" in out[0]
    inv["variables"]["allowed"] = [typo]
    assert problems(inv) == []


@FAST
@given(typos([k for k in HOST_KEYS if k.startswith("tridc_")]), st.sets(st.sampled_from(sorted(base_inventory()["hosts"])), min_size=1))
def test_typo_of_a_host_variable(pair, hosts):
    name, typo = pair
    inv = base_inventory()
    inv["variables"] = {"globals": [], "hosts": {h: ["tridc_dc", typo] for h in hosts}}
    out = problems(inv)
    assert len(out) == (len(hosts) if len(hosts) <= 3 else 1), out
    assert all(": %s: unknown host variable; did you mean %s?" % (typo, name) in p for p in out), out


# --- messages: no internal type names, no None, the inventory's names -------------------------------------------

class _AnsibleTaggedStr(str):
    """What Ansible 2.19 hands a plugin for a YAML string: a str subclass with an internal name."""


class _AnsibleTaggedList(list):
    pass


class _AnsibleTaggedDict(dict):
    pass


def tag(value):
    if isinstance(value, str):
        return _AnsibleTaggedStr(value)
    if isinstance(value, list):
        return _AnsibleTaggedList(tag(v) for v in value)
    if isinstance(value, dict):
        return _AnsibleTaggedDict((k, tag(v)) for k, v in value.items())
    return value


ANY = st.recursive(st.none() | st.booleans() | st.integers() | _text(6, 0),
                   lambda c: st.lists(c, max_size=3) | st.dictionaries(_text(6, 0), c, max_size=3), max_leaves=6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([("tridc_dcs", 0), ("tridc_provider_networks", 0), ("tridc_subnets", 0), ("tridc_subnets", 2)]),
       st.sampled_from(["name", "region", "dr_role", "az", "mgmt_network", "underlay_network", "underlay_gateway",
                        "failure_domains", "default_nic", "nic_overrides", "exclude_nodes", "mtu", "vlans", "cidr", "gateway",
                        "exclude_ips", "vlan", "dcs", "owner", "routing_domain", "local"]), ANY)
def test_messages_never_show_internal_types_or_none(where, field, junk):
    inv = with_kube(base_inventory())
    key, index = where
    g(inv)[key][index][field] = junk
    inv["globals"] = tag(inv["globals"])
    inv["hosts"] = tag(inv["hosts"])
    problems(inv)  # asserts the wording of every message


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["tridc_dc", "tridc_failure_domain", "tridc_nics", "tridc_mgmt_ip", "tridc_encap_ip"]), ANY)
def test_host_garbage_messages_are_clean(key, junk):
    inv = base_inventory()
    inv["hosts"]["dc2-n2"][key] = tag(junk)
    problems(inv)


# --- one root cause, one line -------------------------------------------------------------------------------------

@FAST
@given(st.sampled_from(DCS), st.sampled_from(["mgmt_network", "underlay_network"]), st.integers(min_value=16, max_value=28))
def test_network_without_prefix_length_blames_the_network_not_the_hosts(dc, key, nodes):
    inv = base_inventory(nodes_per_dc=3 + nodes % 5)
    net = dc_of(inv, dc)[key]
    dc_of(inv, dc)[key] = net.split("/")[0]
    out = problems(inv)
    assert out == ["dc '%s': %s: '%s' is not a network: has no prefix length; write the network as address/length "
                   "(for example %s/24)" % (dc, key, net.split("/")[0], net.split("/")[0])], out


@FAST
@given(st.sampled_from(DCS), st.sampled_from(["mgmt_network", "underlay_network"]), st.integers(min_value=3, max_value=12),
       st.integers(min_value=150, max_value=200))  # clear of the topology's subnets (10.101, 10.103, 10.210)
def test_wrong_dc_network_is_one_problem_not_one_per_host(dc, key, nodes, other):
    inv = base_inventory(nodes_per_dc=nodes)
    dc_of(inv, dc)[key] = "10.%d.0.0/24" % other
    out = problems(inv)
    assert len(out) == 1 and out[0].startswith("dc '%s': %s: 10.%d.0.0/24 holds none of the" % (dc, key, other)), out


@FAST
@given(st.sampled_from(["a string", 7, {"a": 1}]), st.sampled_from(DCS))
def test_failure_domains_of_wrong_type_do_not_blame_every_host(junk, dc):
    inv = base_inventory()
    dc_of(inv, dc)["failure_domains"] = junk
    out = problems(inv)
    assert len(out) == 1 and out[0].startswith("dc '%s': failure_domains: must be a list, got" % dc), out


def test_dc_without_hosts_is_one_problem():
    inv = base_inventory()
    for h in hosts_of(inv, "dc2"):
        inv["hosts"][h]["tridc_dc"] = "dc9"
    out = problems(inv)
    assert "dc 'dc2': hosts: no host of the inventory is in this DC (no host has tridc_dc: dc2); it needs central members, " \
           "an IC database member and gateways" in out
    assert not any(p.startswith("dc 'dc2': ovn_") for p in out), out


# --- core and Kube-OVN problems are reported together ---------------------------------------------------------

@FAST
@given(st.sampled_from([("tridc_subnets", 0, "cidr", "10.101.0.0"), ("tridc_dcs", 1, "az", "az-dc1"),
                        ("tridc_provider_networks", 0, "mtu", "jumbo")]),
       st.sampled_from([("pod_cidr", ["10.16.0.0/16"]), ("svc_cidr", "10.90.1.0/24"), ("verison", "v1.17.0")]))
def test_core_and_kube_ovn_problems_come_together(core, kube):
    key, index, field, value = core
    inv = with_kube(base_inventory(), {kube[0]: kube[1]})
    g(inv)[key][index][field] = value
    out = problems(inv)
    assert any(not p.startswith("tridc_kube_ovn") for p in out), out
    assert any(p.startswith("tridc_kube_ovn: %s" % kube[0]) for p in out), out

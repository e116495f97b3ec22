# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kube-OVN's semantic rules (beyond the CRD schemas), one test per rule."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, strategies as st

from ansible_collections.tridc.ovn.plugins.plugin_utils.kube_ovn import validate_resources, validate_object
from ansible_collections.tridc.ovn.plugins.plugin_utils.kube_ovn import addr

SUBNET = {"apiVersion": "kubeovn.io/v1", "kind": "Subnet", "metadata": {"name": "biz101"},
          "spec": {"cidrBlock": "10.1.1.0/24", "gateway": "10.1.1.1", "excludeIps": ["10.1.1.1"], "protocol": "IPv4",
                   "provider": "ovn", "vpc": "ovn-cluster", "vlan": "biz101", "gatewayType": "distributed"}}
VLAN = {"apiVersion": "kubeovn.io/v1", "kind": "Vlan", "metadata": {"name": "biz101"}, "spec": {"id": 101, "provider": "business"}}
PN = {"apiVersion": "kubeovn.io/v1", "kind": "ProviderNetwork", "metadata": {"name": "business"},
      "spec": {"defaultInterface": "bond0"}}


def subnet(**spec):
    obj = copy.deepcopy(SUBNET)
    for key, value in spec.items():
        if value is None:
            obj["spec"].pop(key, None)
        else:
            obj["spec"][key] = value
    return obj


def errs(obj):
    return validate_object(obj)


def test_valid_set_has_no_errors():
    assert validate_resources([PN, VLAN, SUBNET]) == []


def test_exclude_range_start_after_end_message_names_object_field_and_value():
    out = errs(subnet(excludeIps=["10.1.1.1", "10.1.1.20..10.1.1.30", "10.1.1.5..10.1.1.2"]))
    assert out == ["Subnet biz101: spec.excludeIps[2] '10.1.1.5..10.1.1.2': range start after end"]


@pytest.mark.parametrize("item,reason", [
    ("10.1.1.5..10.1.1.6..10.1.1.7", "more than one '..'"),
    ("10.1.1.x", "is not an IP address"),
    ("10.1.1.5...10.1.1.6", "is not an IP address"),
    ("10.1.1.5..fd00::1", "mixes IPv4 and IPv6"),
    ("FD00::1", "upper case"),
    ("10.1.2.5", "outside 10.1.1.0/24"),
    ("10.1.1.250..10.1.2.3", "outside 10.1.1.0/24"),
])
def test_exclude_ip_syntax(item, reason):
    out = errs(subnet(excludeIps=[item]))
    assert len(out) == 1 and out[0].startswith("Subnet biz101: spec.excludeIps[0] ") and reason in out[0], out


def test_logical_gateway_xor_u2o():
    out = errs(subnet(logicalGateway=True, u2oInterconnection=True))
    assert out == ["Subnet biz101: spec.logicalGateway: logicalGateway and u2oInterconnection cannot both be true"]
    assert errs(subnet(logicalGateway=True)) == []
    assert errs(subnet(u2oInterconnection=True)) == []


def test_u2o_ip_inside_cidr_and_not_gateway():
    assert errs(subnet(u2oInterconnection=True, u2oInterconnectionIP="10.1.1.100")) == []
    out = errs(subnet(u2oInterconnection=True, u2oInterconnectionIP="10.9.9.9"))
    assert out == ["Subnet biz101: spec.u2oInterconnectionIP '10.9.9.9': '10.9.9.9' is not inside spec.cidrBlock"]
    out = errs(subnet(u2oInterconnection=True, u2oInterconnectionIP="10.1.1.1"))
    assert out == ["Subnet biz101: spec.u2oInterconnectionIP '10.1.1.1': '10.1.1.1' is the subnet gateway"]
    out = errs(subnet(u2oInterconnectionIP="10.1.1.100"))
    assert "without spec.u2oInterconnection" in out[0]


def test_overlay_only_routing_needs_u2o_and_vlan():
    out = errs(subnet(u2oFeatures={"overlayOnlyRouting": True}, vlan=None))
    assert any("needs spec.u2oInterconnection" in e for e in out)
    assert any("only for underlay subnets" in e for e in out)


@pytest.mark.parametrize("field,value,fragment", [
    ("gatewayType", "Distributed", "must be one of distributed, centralized"),
    ("gatewayType", "ecmp", "must be one of distributed, centralized"),
    ("protocol", "ipv4", "must be one of IPv4, IPv6, Dual"),
    # the development line's "Mac" is in no release: v1.15.24's CRD and v1.16.2's validator refuse it
    ("protocol", "Mac", "must be one of IPv4, IPv6, Dual"),
    ("protocol", "IPv6", "cidrBlock is IPv4"),
])
def test_enums(field, value, fragment):
    out = errs(subnet(**{field: value}))
    assert len(out) == 1 and ("spec.%s '%s'" % (field, value)) in out[0] and fragment in out[0], out


def test_unknown_and_mistyped_keys_rejected():
    obj = subnet(excludeIPs=["10.1.1.9"], natOutgoing="yes")
    obj["extra"] = 1
    obj["metadata"]["resourceVersion"] = "5"
    out = errs(obj)
    assert "Subnet biz101: spec.excludeIPs: unknown field (not in Kube-OVN's Subnet)" in out
    assert "Subnet biz101: spec.natOutgoing: must be of type boolean" in out
    assert "Subnet biz101: extra: unknown top-level key (the API server would prune it)" in out
    assert "Subnet biz101: metadata.resourceVersion: unknown or server-managed metadata key" in out


@pytest.mark.parametrize("gateway,fragment", [
    ("10.1.2.1", "is not inside 10.1.1.0/24"),
    ("10.1.1.0", "network address"),
    ("10.1.1.255", "broadcast address"),
    ("fd00::1", "no IPv6 CIDR"),
])
def test_gateway(gateway, fragment):
    out = errs(subnet(gateway=gateway, excludeIps=[]))
    assert len(out) == 1 and fragment in out[0], out


def test_cidr_rules():
    assert any("no room for addresses" in e for e in errs(subnet(cidrBlock="10.1.1.1/32", gateway=None, excludeIps=[])))
    assert any("not a global unicast" in e for e in errs(subnet(cidrBlock="127.0.0.0/8", gateway=None, excludeIps=[])))
    assert any("at most one IPv4 and one IPv6" in e
               for e in errs(subnet(cidrBlock="10.1.1.0/24,10.2.0.0/24", gateway=None, excludeIps=[], protocol=None)))
    dual = subnet(cidrBlock="10.1.1.0/24,fd00:10::/64", gateway="10.1.1.1,fd00:10::1", protocol="Dual",
                  excludeIps=["10.1.1.1", "fd00:10::1"])
    assert errs(dual) == []
    assert any("spec.cidrBlock: required" in e for e in errs(subnet(cidrBlock=None, vlan=None, gateway=None, excludeIps=None)))


def test_vlan_is_a_name_and_provider_is_not_a_provider_network():
    out = errs(subnet(vlan="101"))
    assert out == ["Subnet biz101: spec.vlan '101': is the name of a Vlan resource, not a VLAN id"]
    out = validate_resources([PN, VLAN, subnet(provider="business")])
    assert any(e.startswith("Subnet biz101: spec.provider 'business': is") for e in out), out
    out = validate_resources([PN, VLAN, subnet(vlan="biz999")])
    assert "Subnet biz101: spec.vlan 'biz999': no Vlan of that name (spec.vlan names a Vlan resource)" in out


def test_provider_network_name_limit_and_interfaces():
    long_pn = copy.deepcopy(PN)
    long_pn["metadata"]["name"] = "business-net1"
    out = errs(long_pn)
    assert out == ["ProviderNetwork business-net1: metadata.name 'business-net1': 13 characters; Kube-OVN names the "
                   "bridge br-<name> and Linux interface names stop at 15, so at most 12"]
    ok = copy.deepcopy(PN)
    ok["metadata"]["name"] = "business-net"
    assert errs(ok) == []
    bad = copy.deepcopy(PN)
    bad["spec"] = {"defaultInterface": "a-very-long-nic-name",
                   "customInterfaces": [{"interface": "eth1", "nodes": ["k1"]}, {"interface": "eth2", "nodes": ["k1"]}],
                   "excludeNodes": ["k1"]}
    out = errs(bad)
    assert any("spec.defaultInterface 'a-very-long-nic-name': not a Linux interface name" in e for e in out)
    assert any("spec.customInterfaces[1].nodes 'k1': node already uses interface eth1" in e for e in out)
    assert any("spec.excludeNodes 'k1': node is excluded but also has a custom interface" in e for e in out)


def test_two_vlans_same_provider_and_id():
    other = copy.deepcopy(VLAN)
    other["metadata"]["name"] = "biz101b"
    out = validate_resources([PN, VLAN, other])
    assert out == ["Vlan biz101b: spec.id '101': Vlan biz101 already uses VLAN 101 on ProviderNetwork business"]
    other["spec"]["provider"] = "storage"
    pn2 = copy.deepcopy(PN)
    pn2["metadata"]["name"] = "storage"
    assert validate_resources([PN, pn2, VLAN, other]) == []


def test_vlan_rules():
    out = errs({"apiVersion": "kubeovn.io/v1", "kind": "Vlan", "metadata": {"name": "v"}, "spec": {"id": 4096}})
    assert "Vlan v: spec.provider: required: the name of the ProviderNetwork" in out
    assert "Vlan v: spec.id '4096': must be an integer 0..4095" in out


def test_cidr_overlap_in_same_vpc_and_vlan():
    other = subnet(cidrBlock="10.1.0.0/16", gateway="10.1.0.1", excludeIps=["10.1.0.1"])
    other["metadata"]["name"] = "wide"
    out = validate_resources([PN, VLAN, SUBNET, other])
    assert out == ["Subnet wide: spec.cidrBlock '10.1.0.0/16': overlaps Subnet biz101 (10.1.1.0/24) in the same Vpc and Vlan"]


def test_vpc_routes_and_ic_config():
    vpc = {"apiVersion": "kubeovn.io/v1", "kind": "Vpc", "metadata": {"name": "ovn-cluster"},
           "spec": {"staticRoutes": [{"cidr": "10.2.0.0/16", "nextHopIP": "10.1.1.254", "policy": "policyDst"},
                                     {"cidr": "10.3.0.0/16", "nextHopIP": "fd00::1", "policy": "dst"}]}}
    out = errs(vpc)
    assert out == ["Vpc ovn-cluster: spec.staticRoutes[1].policy 'dst': must be one of policySrc, policyDst",
                   "Vpc ovn-cluster: spec.staticRoutes[1].nextHopIP 'fd00::1': IP family differs from cidr"]
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ovn-ic-config", "namespace": "kube-system"},
          "data": {"enable-ic": "yes", "az-name": "az1", "ic-db-host": "10.0.0.1,ic.example", "ic-nb-port": "6645",
                   "ic-sb-port": "x", "gw-nodes": "k1,k1", "colour": "red"}}
    out = errs(cm)
    assert "ConfigMap kube-system/ovn-ic-config: data.enable-ic 'yes': must be 'true' or 'false'" in out
    assert any(e.startswith("ConfigMap kube-system/ovn-ic-config: data.colour: unknown key") for e in out)
    cm["data"]["enable-ic"] = "true"
    out = errs(cm)
    assert "ConfigMap kube-system/ovn-ic-config: data.ic-sb-port 'x': not a TCP port" in out
    assert "ConfigMap kube-system/ovn-ic-config: data.ic-db-host '10.0.0.1,ic.example': 'ic.example' is not an IP address" in out
    assert "ConfigMap kube-system/ovn-ic-config: data.gw-nodes 'k1,k1': lists a node twice" in out


# ---------------------------------------------------------------- excludeIps normalization (as the controller)
def test_normalize_matches_controller_format():
    got = addr.normalize_exclude_ips(["10.1.1.200..10.1.1.254", "10.1.1.2..10.1.1.9", "10.1.1.5..10.1.1.20",
                                      "10.1.1.9", "10.1.1.21"], "10.1.1.1")
    # overlapping ranges merged, adjacent ones (20/21) kept apart, gateway added, string-sorted like Go's sort.Strings
    assert got == ["10.1.1.1", "10.1.1.2..10.1.1.20", "10.1.1.200..10.1.1.254", "10.1.1.21"]
    assert addr.normalize_exclude_ips([], "10.1.1.1,fd00::1") == ["10.1.1.1", "fd00::1"]
    assert addr.normalize_exclude_ips(["10.1.1.5..10.1.1.2"], "10.1.1.1") is None


@given(st.lists(st.tuples(st.integers(2, 250), st.integers(0, 30)), max_size=8))
def test_normalize_is_idempotent_and_covers_the_same_addresses(pairs):
    items = ["10.9.0.%d" % a if not n else "10.9.0.%d..10.9.0.%d" % (a, min(a + n, 254)) for a, n in pairs]
    once = addr.normalize_exclude_ips(items, "10.9.0.1")
    assert addr.normalize_exclude_ips(once, "10.9.0.1") == once

    def covered(lst):
        out = set()
        for item in lst:
            start, end = addr.parse_exclude(item)
            out |= set(range(int(start), int(end) + 1))
        return out
    assert covered(once) == covered(items) | {int(addr.ip("10.9.0.1"))}

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drift audit: where the running network differs from the plan, per node and object.

``expected_node(plan, host)`` is what a host must show (what the roles apply); ``compare(plan, states)`` takes
what ``playbooks/audit.yml`` read on every host (module ``ovn_state_info``: ``ovs``, ``raft``, ``nb``; module
``ovn_ic_info`` on the IC database members: ``ic``) and returns the drift as a list of dicts
``{host, dc, object, field, planned, actual}``, sorted. Only what the collection manages is compared:

* node (``ovs``): ``system-id``, ``ovn-bridge-mappings`` (entry by entry), ``ovn-encap-ip``, ``ovn-encap-type``,
  ``ovn-remote``; each planned provider bridge (present, datapath type, its NIC port, the NIC's trunks); provider
  bridges the plan no longer has (``external_ids:tridc-provider``);
* central member (``raft``): NB and SB databases running, a cluster member, and the raft configuration equal to
  the planned members (``ssl:<mgmt ip>:<raft port>``);
* DC (``nb`` on its bootstrap member): the AZ name, and the OVN switches the collection owns (``tridc-owner``):
  none missing, none extra, localnet port with the planned provider network and VLAN tag;
* interconnection (``ic`` on an IC database member): transit switches, registered availability zones, and the
  IC gateways each AZ registered.

A host whose state could not be read is one drift entry (``object: host``), not a drift per field.
Pure functions; nothing here contacts a host.
"""

from __future__ import annotations

from .views import parse_bridge_mappings, ViewError

MANAGED = ("system-id", "ovn-bridge-mappings", "ovn-encap-ip", "ovn-encap-type", "ovn-remote")
PROVIDER_KEY = "tridc-provider"
OWNER = "tridc.ovn"


def _drift(out, host, dc, obj, field, planned, actual):
    out.append({"host": host, "dc": dc, "object": obj, "field": field, "planned": planned, "actual": actual})


def expected_node(plan, host):
    """The OVS state the roles apply on a host that runs the collection's OVS (``managed_ovs``)."""
    n = plan["nodes"][host]
    ids = {"system-id": n["system_id"], "ovn-bridge-mappings": n["bridge_mappings"], "ovn-encap-ip": n["encap_ip"],
           "ovn-encap-type": n["encap_type"], "ovn-remote": n["ovn_remote"]}
    bridges = {b["name"]: {"provider": b["provider"], "nic": b["nic"], "trunks": sorted(b["trunks"])} for b in n["bridges"]}
    return {"external_ids": ids, "bridges": bridges, "datapath_type": n["datapath_type"]}


def _mappings(text):
    try:
        return parse_bridge_mappings(text or "")
    except ViewError:
        return None


def _node_ovs(plan, host, ovs, out):
    n = plan["nodes"][host]
    dc = n["dc"]
    want = expected_node(plan, host)
    have_ids = ovs.get("external_ids") or {}
    for key in MANAGED:
        planned, actual = want["external_ids"][key], have_ids.get(key)
        if key == "ovn-bridge-mappings":
            pm, am = _mappings(planned), _mappings(actual)
            if am is None:
                _drift(out, host, dc, "Open_vSwitch", "external_ids:" + key, planned, actual)
                continue
            for network in sorted(set(pm) | set(am)):
                if pm.get(network) != am.get(network):
                    _drift(out, host, dc, "Open_vSwitch", "external_ids:%s[%s]" % (key, network), pm.get(network), am.get(network))
        elif (planned or None) != (actual or None):
            _drift(out, host, dc, "Open_vSwitch", "external_ids:" + key, planned, actual)
    bridges = ovs.get("bridges") or {}
    for name, b in sorted(want["bridges"].items()):
        have = bridges.get(name)
        if have is None:
            _drift(out, host, dc, "bridge " + name, "present", True, False)
            continue
        if (have.get("datapath_type") or "system") != want["datapath_type"]:
            _drift(out, host, dc, "bridge " + name, "datapath_type", want["datapath_type"], have.get("datapath_type"))
        port = (have.get("ports") or {}).get(b["nic"])
        if port is None:
            _drift(out, host, dc, "bridge " + name, "port " + b["nic"], "attached", "missing")
            continue
        trunks = sorted(port.get("trunks") or [])
        if trunks != b["trunks"]:
            _drift(out, host, dc, "port %s on %s" % (b["nic"], name), "trunks", b["trunks"], trunks)
        if port.get("tag") not in (None, [], ""):
            _drift(out, host, dc, "port %s on %s" % (b["nic"], name), "tag", None, port.get("tag"))
    for name, have in sorted(bridges.items()):
        provider = (have.get("external_ids") or {}).get(PROVIDER_KEY)
        if provider and name not in want["bridges"]:
            _drift(out, host, dc, "bridge " + name, "present", False, True)


def _node_raft(plan, host, raft, out):
    n = plan["nodes"][host]
    dc = n["dc"]
    central = plan["dcs"][dc]["central"]
    ports = plan["settings"]["ports"]
    for db, port_key in (("nb", "nb_raft"), ("sb", "sb_raft")):
        have = (raft or {}).get(db) or {}
        planned = sorted("ssl:%s:%d" % (m["ip"], ports[port_key]) for m in central["members"])
        label = "%s raft" % db.upper()
        if not have.get("running"):
            _drift(out, host, dc, label, "running", True, False)
            continue
        if have.get("status") != "cluster member":
            _drift(out, host, dc, label, "status", "cluster member", have.get("status"))
        if sorted(have.get("servers") or []) != planned:
            _drift(out, host, dc, label, "servers", planned, sorted(have.get("servers") or []))


def _dc_nb(plan, dc, host, nb, out):
    d = plan["dcs"][dc]
    if nb.get("az") != d["az"]:
        _drift(out, host, dc, "NB_Global", "name (AZ)", d["az"], nb.get("az"))
    planned = {sw["name"]: sw for sw in ((plan.get("ovn") or {}).get("switches") or {}).get(dc, [])}
    have = {name: sw for name, sw in (nb.get("switches") or {}).items() if sw.get("owner") == OWNER}
    for name in sorted(set(planned) | set(have)):
        if name not in have:
            _drift(out, host, dc, "switch " + name, "present", True, False)
        elif name not in planned:
            _drift(out, host, dc, "switch " + name, "present", False, True)
        else:
            ln_p = planned[name]["localnet"]
            ln_a = have[name].get("localnet") or {}
            if ln_p is None:  # an overlay subnet: no localnet port
                if ln_a:
                    _drift(out, host, dc, "switch " + name, "localnet port", None, ln_a.get("port"))
                continue
            tag = ln_p["tag"] or None
            if ln_a.get("network_name") != ln_p["network_name"]:
                _drift(out, host, dc, "switch " + name, "localnet network_name", ln_p["network_name"], ln_a.get("network_name"))
            if (ln_a.get("tag") or None) != tag:
                _drift(out, host, dc, "switch " + name, "localnet tag", tag, ln_a.get("tag"))


def _ic(plan, host, ic, out):
    dc = plan["nodes"][host]["dc"]
    planned = sorted(t["name"] for t in plan["interconnect"]["transit_switches"])
    have = sorted((ic.get("transit_switches") or {}))
    if planned != have:
        _drift(out, host, dc, "IC transit switches", "names", planned, have)
    azs = sorted(plan["dcs"][d]["az"] for d in plan["dcs"])
    have_azs = sorted(ic.get("availability_zones") or [])
    if azs != have_azs:
        _drift(out, host, dc, "IC availability zones", "registered", azs, have_azs)
    gateways = ic.get("gateways") or {}
    for d in sorted(plan["dcs"]):
        az = plan["dcs"][d]["az"]
        if az not in have_azs:
            continue
        want = sorted(plan["nodes"][g["host"]]["system_id"] for g in plan["dcs"][d]["gateways"])
        got = sorted(g.get("name") for g in gateways.get(az) or [])
        if want != got:
            _drift(out, host, dc, "IC gateways of %s" % az, "registered", want, got)


def reads_for(plan, host):
    """What audit.yml reads on one host: ``ovs`` (managed OVS), ``raft`` (central), ``nb`` (the DC's bootstrap
    member), ``ic`` (the first IC database member of the rollout order). Constant work per host."""
    n = plan["nodes"].get(host)
    if n is None:
        return []
    read = []
    if n.get("managed_ovs"):
        read.append("ovs")
    if n.get("central"):
        read.append("raft")
        if plan["dcs"][n["dc"]]["central"]["bootstrap"] == host:
            read.append("nb")
    members = plan["interconnect"]["members"]
    if members and members[0]["host"] == host:
        read.append("ic")
    return read


def audited_hosts(plan):
    """Host -> reads_for(plan, host), for the hosts where something is read."""
    out = {}
    for host in sorted(plan["nodes"]):
        read = reads_for(plan, host)
        if read:
            out[host] = read
    return out


def compare(plan, states):
    """states: host -> {ovs, raft, nb, ic, failed, msg}. Returns the sorted drift list."""
    out = []
    for host, reads in sorted(audited_hosts(plan).items()):
        dc = plan["nodes"][host]["dc"]
        state = states.get(host)
        if not isinstance(state, dict) or state.get("failed") or state.get("unreachable"):
            msg = (state or {}).get("msg") if isinstance(state, dict) else None
            _drift(out, host, dc, "host", "state read", "readable", "unreachable or failed: %s" % (msg or "no state"))
            continue
        if "ovs" in reads:
            _node_ovs(plan, host, state.get("ovs") or {}, out)
        if "raft" in reads:
            _node_raft(plan, host, state.get("raft") or {}, out)
        if "nb" in reads:
            _dc_nb(plan, dc, host, state.get("nb") or {}, out)
        if "ic" in reads:
            _ic(plan, host, state.get("ic") or {}, out)
    out.sort(key=lambda x: (plan["rollout_order"].index(x["dc"]) if x["dc"] in plan["rollout_order"] else 9,
                            x["host"], x["object"], x["field"]))
    return out


def _fmt(value):
    if value is None:
        return "(absent)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    return "`%s`" % value


def to_markdown(plan, drift):
    lines = ["# Drift audit", "",
             "The running network compared with the plan (read-only: nothing was changed). Hosts audited: %d."
             % len(audited_hosts(plan)), ""]
    if not drift:
        lines += ["**No drift**: every audited object matches the plan.", ""]
        return "\n".join(lines)
    hosts = sorted({d["host"] for d in drift})
    lines += ["**%d difference(s)** on %d host(s): %s." % (len(drift), len(hosts), ", ".join(hosts[:20]) +
                                                           (" …" if len(hosts) > 20 else "")), ""]
    for dc in plan["rollout_order"]:
        items = [d for d in drift if d["dc"] == dc]
        if not items:
            continue
        lines += ["## %s" % dc, "", "| host | object | field | planned | actual |", "|---|---|---|---|---|"]
        for d in items:
            lines.append("| %s | %s | %s | %s | %s |" % (d["host"], d["object"], d["field"], _fmt(d["planned"]), _fmt(d["actual"])))
        lines.append("")
    return "\n".join(lines)

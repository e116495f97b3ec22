# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Address helpers with Kube-OVN's semantics (comma-separated dual-stack values, ``a..b`` ranges)."""

from __future__ import annotations

import ipaddress


def ip(text):
    """An ipaddress object for a plain address (no prefix, no zone), or None."""
    if not isinstance(text, str) or not text or "/" in text or "%" in text:
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def network(text):
    """An ip_network for ``a.b.c.d/n`` (host bits allowed, as Kube-OVN accepts them), or None."""
    if not isinstance(text, str) or "/" not in text:
        return None
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def split(value):
    """Kube-OVN's comma-separated multi-value fields."""
    if not isinstance(value, str) or value == "":
        return []
    return value.split(",")


def protocol_of(cidr_block):
    """'IPv4', 'IPv6', 'Dual' or '' as Kube-OVN's CheckProtocol derives it from a cidrBlock."""
    nets = [network(c) for c in split(cidr_block)]
    if not nets or any(n is None for n in nets):
        return ""
    versions = sorted({n.version for n in nets})
    if len(nets) == 1:
        return "IPv%d" % nets[0].version
    if len(nets) == 2 and versions == [4, 6]:
        return "Dual"
    return ""


def normalize_cidr_block(cidr_block):
    """Networks with host bits cleared (what kube-ovn-controller writes back), or the input if invalid."""
    nets = [network(c) for c in split(cidr_block)]
    if not nets or any(n is None for n in nets):
        return cidr_block
    return ",".join(str(n) for n in nets)


def parse_exclude(item):
    """(start, end) for an excludeIps entry ``ip`` or ``ip..ip``; raises ValueError with the reason."""
    if not isinstance(item, str):
        raise ValueError("not a string")
    if item != item.lower():
        raise ValueError("upper case is not allowed")
    parts = item.split("..")
    if len(parts) > 2:
        raise ValueError("not a valid range (more than one '..')")
    addrs = [ip(p) for p in parts]
    for p, a in zip(parts, addrs):
        if a is None:
            raise ValueError("'%s' is not an IP address" % p)
    start, end = addrs[0], addrs[-1]
    if start.version != end.version:
        raise ValueError("range mixes IPv4 and IPv6")
    if int(start) > int(end):
        raise ValueError("range start after end")
    return start, end


def _fmt(start, end):
    return str(start) if start == end else "%s..%s" % (start, end)


def merge_ranges(ranges):
    """Merge overlapping (not merely adjacent) ranges, as kube-ovn-controller does."""
    out = []
    for fam in (4, 6):
        items = sorted((r for r in ranges if r[0].version == fam), key=lambda r: (int(r[0]), int(r[1])))
        cur = None
        for start, end in items:
            if cur is not None and int(start) <= int(cur[1]):
                if int(end) > int(cur[1]):
                    cur = (cur[0], end)
                continue
            if cur is not None:
                out.append(cur)
            cur = (start, end)
        if cur is not None:
            out.append(cur)
    return out


def normalize_exclude_ips(exclude_ips, gateway):
    """excludeIps in the form kube-ovn-controller writes back (merged, gateway added, string-sorted).

    Returns None when an entry is invalid (the caller keeps the raw list so validation reports it).
    """
    gws = [ip(g) for g in split(gateway)]
    try:
        ranges = [parse_exclude(x) for x in (exclude_ips or [])]
    except ValueError:
        return None
    if not ranges:
        return sorted(str(g) for g in gws if g is not None)
    merged = merge_ranges(ranges)
    texts = [_fmt(s, e) for s, e in merged]
    for g in gws:
        if g is None:
            continue
        if not any(s.version == g.version and int(s) <= int(g) <= int(e) for s, e in merged):
            texts.append(str(g))
    return sorted(texts)


def first_host(net):
    """The first usable address of a network (Kube-OVN's default gateway)."""
    if net.num_addresses == 1:
        return net.network_address
    return net.network_address + 1


def contains(cidr_block, address):
    """True if the address (a string) lies in one of the block's networks."""
    a = ip(address)
    if a is None:
        return False
    return any(n is not None and n.version == a.version and a in n for n in (network(c) for c in split(cidr_block)))

"""Plan engine scale benchmark: 3 DCs x {200, 2000} nodes per DC x 200 VLANs.

Prints seconds and peak memory per size (the engine only: normalize, validate, compute).
The last line reads `nodes=6000 seconds=<s>`; the target is under 2 s on a 2-core machine
with linear growth.
"""

import argparse
import os
import sys
import time
import tracemalloc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLL = os.path.join(ROOT, ".build", "collections")
sys.path.insert(0, COLL)
_LINK = os.path.join(COLL, "ansible_collections", "tridc", "ovn")
if not os.path.exists(_LINK):
    os.makedirs(os.path.dirname(_LINK), exist_ok=True)
    os.symlink(ROOT, _LINK)

# the engine is a package inside the collection (it imports ..kube_ovn): import it the way Ansible does
from ansible_collections.tridc.ovn.plugins.plugin_utils.tridc_plan import check_plan  # noqa: E402  pylint: disable=wrong-import-position,import-error


def synthetic(nodes_per_dc, vlans=200):
    dcs = [("dc1", "city-a", "primary"), ("dc2", "city-a", "same_city_dr"), ("dc3", "city-b", "remote_dr")]
    fds = ["rack%d" % i for i in range(1, 21)]
    per_dc = vlans // 3
    vlist = []
    subnets = []
    for k in range(vlans):
        vid = 100 + k
        dc_set = ["dc1", "dc2"] if k < per_dc * 2 and k % 2 == 0 else [dcs[k % 3][0]]
        vlist.append({"name": "v%d" % vid, "id": vid, "dcs": dc_set})
        subnets.append({"name": "s%d" % vid, "cidr": "10.%d.%d.0/24" % (100 + k // 250, k % 250), "gateway": "10.%d.%d.1" % (100 + k // 250, k % 250),
                        "vlan": "v%d" % vid, "dcs": dc_set, "exclude_ips": ["10.%d.%d.2..10.%d.%d.9" % (100 + k // 250, k % 250, 100 + k // 250, k % 250)]})
    g = {"tridc_regions": [{"name": "city-a"}, {"name": "city-b"}],
         "tridc_dcs": [{"name": n, "region": r, "dr_role": role, "az": "az-" + n, "mgmt_network": "10.%d.0.0/16" % (10 + i),
                        "underlay_network": "10.%d.0.0/16" % (20 + i), "failure_domains": fds}
                       for i, (n, r, role) in enumerate(dcs, 1)],
         "tridc_provider_networks": [{"name": "business", "default_nic": "bond0", "vlans": vlist[: vlans // 2]},
                                     {"name": "storage", "default_nic": "bond1", "vlans": vlist[vlans // 2:]}],
         "tridc_subnets": subnets,
         "tridc_interconnect": {"transit_switches": [{"name": "ts1", "subnet": "169.254.100.0/24"}]}}
    hosts = {}
    groups = {"ovn_central": [], "ovn_chassis": [], "ovn_ic_db": [], "ovn_gateway": [], "kube_ovn_node": []}
    for d, (dc, _r, _role) in enumerate(dcs, 1):
        for i in range(nodes_per_dc):
            name = "%s-n%05d" % (dc, i)
            hosts[name] = {"tridc_dc": dc, "tridc_failure_domain": fds[i % len(fds)],
                           "tridc_nics": {"eno1": {"addresses": ["10.%d.%d.%d/16" % (10 + d, 1 + i // 250, i % 250 + 1)]},
                                          "eno2": {"addresses": ["10.%d.%d.%d/16" % (20 + d, 1 + i // 250, i % 250 + 1)]},
                                          "bond0": {}, "bond1": {}}}
            groups["ovn_chassis"].append(name)
            if i < 3:
                groups["ovn_central"].append(name)
            if i == 0:
                groups["ovn_ic_db"].append(name)
            if i < 8:
                groups["ovn_gateway"].append(name)
    return {"globals": g, "hosts": hosts, "groups": groups}


def measure(nodes_per_dc, vlans=200):
    inv = synthetic(nodes_per_dc, vlans)
    tracemalloc.start()
    start = time.perf_counter()
    plan, problems = check_plan(inv)
    seconds = time.perf_counter() - start
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if problems:
        raise SystemExit("synthetic topology invalid: %s" % problems[:5])
    # timing without tracemalloc's overhead
    start = time.perf_counter()
    check_plan(inv)
    plain = time.perf_counter() - start
    return plain, seconds, peak, len(plan["nodes"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true",
                        help="small sizes (3 x 20 and 3 x 200 nodes, 40 VLANs): proves the benchmark runs, in seconds")
    args = parser.parse_args()
    sizes, vlans = ((20, 200), 40) if args.short else ((200, 2000), 200)
    results = []
    for per_dc in sizes:
        plain, traced, peak, nodes = measure(per_dc, vlans)
        results.append((nodes, plain))
        print("nodes=%d vlans=%d seconds=%.3f peak_mem_mib=%.1f (traced run %.3f s)" % (nodes, vlans, plain, peak / 2**20, traced))
    (n1, s1), (n2, s2) = results
    growth = s2 / s1
    print("growth: %.1fx nodes -> %.1fx time (linear = %.1fx)" % (n2 / n1, growth, n2 / n1))
    print("nodes=%d seconds=%.3f" % (n2, s2))
    # a regression to quadratic growth fails the run (10x nodes -> 100x time); linear is 10x
    if growth > 3 * n2 / n1:
        raise SystemExit("plan engine growth %.1fx for %.1fx nodes: worse than 3x linear" % (growth, n2 / n1))


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# `helm template` of the pinned Kube-OVN release's real charts (as lab/build-kube.sh cached
# them) with the Helm values this collection renders, for a few plan variants built from the
# unit tests' base plan (tests/unit/kube_ovn/plans.py): both charts, full and data-plane-only,
# overlay and underlay default network. For each variant it reports
#   - value keys the collection sets that the chart's values.yaml does not define (helm ignores
#     them silently, so the setting is lost),
#   - whether helm template succeeds, and what it renders (kinds; ovn-central or not).
# Exit status 1 when any variant fails. Output: one line per variant, then details.
#
#   lab/kube-helm-template.sh            # KEEP=1 leaves the rendered files in the temp dir
set -euo pipefail

LAB=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$LAB")
OUT=${KUBE_CACHE:-$LAB/.cache/kube}
# shellcheck source=lab/kube-pins.sh
. "$LAB/kube-pins.sh"
VERSION=$KUBE_OVN_VERSION
HELM=$OUT/helm-$HELM_VERSION/helm
CHARTS=$OUT/kube-ovn-$VERSION/charts
if [ ! -x "$HELM" ] || [ ! -d "$CHARTS" ]; then echo "missing $HELM or $CHARTS (run lab/build-kube.sh)" >&2; exit 1; fi

TMP=$(mktemp -d /tmp/tridc-helm-template.XXXXXX)
trap '[ "${KEEP:-0}" = 1 ] && echo "kept $TMP" >&2 || rm -rf "$TMP"' EXIT

python3 - "$REPO" "$VERSION" "$HELM" "$CHARTS" "$TMP" <<'PY'
import copy, os, subprocess, sys
import yaml

repo, version, helm, charts, tmp = sys.argv[1:]
sys.path.insert(0, os.path.join(repo, "tests"))
import conftest  # noqa: E402,F401  (the collection importable as for the tests: tests/conftest.py)
from ansible_collections.tridc.ovn.plugins.plugin_utils.kube_ovn import render_plan  # noqa: E402
from ansible_collections.tridc.ovn.plugins.plugin_utils.kube_ovn.values import leaf_paths  # noqa: E402
from kube_ovn.plans import base_plan  # noqa: E402


def variant(chart, **kube_ovn):
    plan = base_plan()
    plan["settings"]["kube_ovn"].update(version=version, chart=chart, **kube_ovn)
    return plan


DPO = dict(install_mode="data_plane_only", interconnection=False,
           external_central={"endpoint": "10.90.1.10", "nb_port": 6641, "sb_port": 6642})
VARIANTS = [
    ("v1-full-overlay", variant("kube-ovn")),
    ("v1-full-underlay-default", variant("kube-ovn", default_subnet="biz101")),
    ("v1-full-masters", variant("kube-ovn", master_nodes=["10.90.1.11", "10.90.1.12", "10.90.1.13"])),
    ("v1-data-plane-only", variant("kube-ovn", **DPO)),
    ("v2-full-overlay", variant("kube-ovn-v2", master_nodes=["10.90.1.11"])),
    ("v2-full-underlay-default", variant("kube-ovn-v2", default_subnet="biz101", master_nodes=["10.90.1.11"])),
]


def chart_paths(chart):
    with open(os.path.join(charts, chart, "values.yaml")) as f:
        return set(leaf_paths(yaml.safe_load(f)))


failed = 0
details = []
for name, plan in VARIANTS:
    dc = render_plan(plan)["dc1"]
    chart, values = dc["meta"]["chart"], dc["values"]
    unknown = sorted(".".join(p) for p in set(leaf_paths(values)) - chart_paths(chart))
    vfile = os.path.join(tmp, name + ".values.yaml")
    with open(vfile, "w") as f:
        yaml.safe_dump(values, f, sort_keys=True)
    proc = subprocess.run([helm, "template", "kube-ovn", os.path.join(charts, chart), "--namespace", "kube-system",
                           "--values", vfile], capture_output=True, text=True, check=False)
    with open(os.path.join(tmp, name + ".yaml"), "w") as f:
        f.write(proc.stdout)
    if proc.returncode != 0:
        failed += 1
        status = "FAIL"
        err = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "rc=%d" % proc.returncode
        details.append("%s: helm template failed: %s" % (name, err))
        kinds = ""
    else:
        docs = [d for d in yaml.safe_load_all(proc.stdout) if d]
        kinds = "%d objects" % len(docs)
        central = [d["metadata"]["name"] for d in docs if d["kind"] in ("Deployment", "StatefulSet")
                   and "central" in d["metadata"]["name"]]
        workloads = sorted("%s/%s" % (d["kind"], d["metadata"]["name"]) for d in docs
                           if d["kind"] in ("Deployment", "DaemonSet", "StatefulSet"))
        status = "ok" if not unknown else "ok-but-keys-ignored"
        kinds += ", ovn-central %s" % ("rendered" if central else "not rendered")
        details.append("%s: workloads %s" % (name, ", ".join(workloads)))
        if unknown and name.endswith("data-plane-only") and central:
            status = "WRONG"
            failed += 1
            details.append("%s: data-plane-only values ignored by this chart: it renders ovn-central" % name)
    if unknown:
        details.append("%s: keys not in %s %s values.yaml (helm ignores them): %s" % (name, chart, version, ", ".join(unknown)))
    print("%-26s %-20s chart %-12s %s" % (name, status, chart, kinds))
print()
print("\n".join(details))
sys.exit(1 if failed else 0)
PY

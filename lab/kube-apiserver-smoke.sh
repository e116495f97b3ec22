#!/usr/bin/env bash
# Smoke test of the binaries lab/build-kube.sh built: a real etcd + kube-apiserver on
# 127.0.0.1 with TLS everywhere (certificates made with openssl in a temporary directory),
# the Kube-OVN CRDs of the pinned release, a Node, and a ProviderNetwork, Vlan and Subnet
# created and read back. Prints startup times and the memory (RSS) of etcd and kube-apiserver,
# then stops both and removes everything (nothing outside the temporary directory is touched;
# no lab container is involved).
#
#   lab/kube-apiserver-smoke.sh            # KEEP=1 leaves the temporary directory
set -euo pipefail

LAB=$(cd "$(dirname "$0")" && pwd)
OUT=${KUBE_CACHE:-$LAB/.cache/kube}
# shellcheck source=lab/kube-pins.sh
. "$LAB/kube-pins.sh"
K8S=$OUT/kubernetes-$K8S_VERSION
ETCD=$OUT/etcd-$ETCD_VERSION
KOVN=$OUT/kube-ovn-$KUBE_OVN_VERSION

log() { printf '[smoke %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}'; }

for f in "$K8S/kube-apiserver" "$K8S/kubectl" "$ETCD/etcd" "$KOVN/crds/kube-ovn-crd.yaml"; do
  [ -e "$f" ] || die "missing $f (run lab/build-kube.sh)"
done
for tool in openssl curl python3; do command -v "$tool" >/dev/null || die "missing $tool"; done

TMP=$(mktemp -d /tmp/tridc-kube-smoke.XXXXXX)
ETCD_PID='' API_PID=''
cleanup() {
  local rc=$?
  [ -n "$API_PID" ] && kill "$API_PID" 2>/dev/null && wait "$API_PID" 2>/dev/null
  [ -n "$ETCD_PID" ] && kill "$ETCD_PID" 2>/dev/null && wait "$ETCD_PID" 2>/dev/null
  if [ "$rc" != 0 ]; then
    log "failed; last lines of the logs:"
    tail -15 "$TMP/etcd.log" "$TMP/apiserver.log" >&2 2>/dev/null || true
  fi
  if [ "${KEEP:-0}" = 1 ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT

# three free TCP ports on 127.0.0.1
read -r P_ETCD P_PEER P_API < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(3)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')

# ---------------------------------------------------------------- PKI (openssl)
PKI=$TMP/pki; mkdir -p "$PKI"
ossl() { openssl "$@" 2>/dev/null; }
ossl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=tridc-smoke-ca -keyout "$PKI/ca.key" -out "$PKI/ca.crt"
cert() {  # cert NAME SUBJECT EXTFILE-LINES: key + certificate signed by the CA
  local name=$1 subj=$2 ext=$3
  ossl req -newkey rsa:2048 -nodes -subj "$subj" -keyout "$PKI/$name.key" -out "$PKI/$name.csr"
  printf '%s\n' "$ext" >"$PKI/$name.ext"
  ossl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 1 \
    -extfile "$PKI/$name.ext" -out "$PKI/$name.crt"
}
SERVER_EXT=$'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth'
CLIENT_EXT=$'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth'
cert etcd /CN=etcd "$SERVER_EXT"$'\nsubjectAltName=IP:127.0.0.1,DNS:localhost'
cert apiserver-etcd-client /CN=kube-apiserver-etcd-client "$CLIENT_EXT"
cert apiserver /CN=kube-apiserver "$SERVER_EXT"$'\nsubjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local'
cert admin "/O=system:masters/CN=tridc-admin" "$CLIENT_EXT"
ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$PKI/sa.key"
ossl pkey -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub"
chmod 0600 "$PKI"/*.key

# ---------------------------------------------------------------- etcd
T=$(now)
"$ETCD/etcd" --name smoke --data-dir "$TMP/etcd" \
  --listen-client-urls "https://127.0.0.1:$P_ETCD" --advertise-client-urls "https://127.0.0.1:$P_ETCD" \
  --listen-peer-urls "http://127.0.0.1:$P_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$P_PEER" \
  --initial-cluster "smoke=http://127.0.0.1:$P_PEER" \
  --cert-file "$PKI/etcd.crt" --key-file "$PKI/etcd.key" --trusted-ca-file "$PKI/ca.crt" --client-cert-auth \
  --listen-metrics-urls '' --log-level warn >"$TMP/etcd.log" 2>&1 &
ETCD_PID=$!
for _ in $(seq 100); do
  curl -sf --cacert "$PKI/ca.crt" --cert "$PKI/apiserver-etcd-client.crt" --key "$PKI/apiserver-etcd-client.key" \
    "https://127.0.0.1:$P_ETCD/health" 2>/dev/null | grep -q '"health":"true"' && break
  kill -0 "$ETCD_PID" 2>/dev/null || die "etcd exited"
  sleep 0.1
done
ETCD_READY=$(since "$T")
log "etcd $("$ETCD/etcd" --version | awk '/etcd Version/ {print $3}') healthy on 127.0.0.1:$P_ETCD (TLS, client certificates) in ${ETCD_READY} s"

# ---------------------------------------------------------------- kube-apiserver
T=$(now)
"$K8S/kube-apiserver" \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$P_API" \
  --etcd-servers="https://127.0.0.1:$P_ETCD" --etcd-cafile="$PKI/ca.crt" \
  --etcd-certfile="$PKI/apiserver-etcd-client.crt" --etcd-keyfile="$PKI/apiserver-etcd-client.key" \
  --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
  --client-ca-file="$PKI/ca.crt" \
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
  --service-cluster-ip-range=10.96.0.0/16 --allow-privileged=true \
  --cert-dir="$TMP/apiserver-certs" --profiling=false >"$TMP/apiserver.log" 2>&1 &
API_PID=$!
CURL=(curl -sf --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key")
for _ in $(seq 600); do
  [ "$("${CURL[@]}" "https://127.0.0.1:$P_API/readyz" 2>/dev/null)" = ok ] && break
  kill -0 "$API_PID" 2>/dev/null || die "kube-apiserver exited"
  sleep 0.1
done
[ "$("${CURL[@]}" "https://127.0.0.1:$P_API/readyz")" = ok ] || die "kube-apiserver not ready after 60 s"
API_READY=$(since "$T")
log "kube-apiserver $("$K8S/kube-apiserver" --version | awk '{print $2}') ready on https://127.0.0.1:$P_API in ${API_READY} s"

export KUBECONFIG=$TMP/admin.kubeconfig
cat >"$KUBECONFIG" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: smoke
  cluster: {server: "https://127.0.0.1:$P_API", certificate-authority: "$PKI/ca.crt"}
users:
- name: admin
  user: {client-certificate: "$PKI/admin.crt", client-key: "$PKI/admin.key"}
contexts:
- name: smoke
  context: {cluster: smoke, user: admin}
current-context: smoke
EOF
chmod 0600 "$KUBECONFIG"
kc() { "$K8S/kubectl" "$@"; }

# RBAC is on: an authenticated user outside system:masters may not list nodes
cert nobody /CN=nobody "$CLIENT_EXT"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$PKI/ca.crt" --cert "$PKI/nobody.crt" --key "$PKI/nobody.key" \
  "https://127.0.0.1:$P_API/api/v1/nodes")
[ "$code" = 403 ] || die "RBAC: a user without roles got HTTP $code listing nodes (expected 403)"
log "RBAC: user without roles gets 403 on nodes"

# ---------------------------------------------------------------- Kube-OVN CRDs
T=$(now)
kc apply --server-side --field-manager=tridc-smoke -f "$KOVN/crds/kube-ovn-crd.yaml" >/dev/null
kc wait --for condition=established --timeout=60s crd --all >/dev/null
NCRD=$(kc get crd -o name | grep -c 'kubeovn.io$' || true)
log "$NCRD Kube-OVN CRDs ($(cat "$KOVN/VERSION")) established in $(since "$T") s"

# ---------------------------------------------------------------- Node + ProviderNetwork/Vlan/Subnet
kc apply --server-side --field-manager=tridc-smoke -f - >/dev/null <<'EOF'
apiVersion: v1
kind: Node
metadata:
  name: dc1-n1
  labels: {kubernetes.io/hostname: dc1-n1, kubernetes.io/os: linux}
---
apiVersion: kubeovn.io/v1
kind: ProviderNetwork
metadata: {name: business}
spec:
  defaultInterface: eth1
  excludeNodes: [dc1-n3]
---
apiVersion: kubeovn.io/v1
kind: Vlan
metadata: {name: biz101}
spec: {id: 101, provider: business}
---
apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: biz101}
spec:
  protocol: IPv4
  cidrBlock: 10.101.0.0/24
  gateway: 10.101.0.1
  excludeIps: [10.101.0.1, 10.101.0.200..10.101.0.254]
  vlan: biz101
  provider: ovn
  natOutgoing: false
EOF
got=$(kc get node dc1-n1 -o jsonpath='{.metadata.name}')
[ "$got" = dc1-n1 ] || die "Node not read back"
got=$(kc get provider-network business -o jsonpath='{.spec.defaultInterface}|{.spec.excludeNodes[0]}')
[ "$got" = "eth1|dc1-n3" ] || die "ProviderNetwork read back as $got"
got=$(kc get vlan biz101 -o jsonpath='{.spec.id}|{.spec.provider}')
[ "$got" = "101|business" ] || die "Vlan read back as $got"
got=$(kc get subnet biz101 -o jsonpath='{.spec.cidrBlock}|{.spec.gateway}|{.spec.vlan}|{.spec.excludeIps[1]}')
[ "$got" = "10.101.0.0/24|10.101.0.1|biz101|10.101.0.200..10.101.0.254" ] || die "Subnet read back as $got"
log "Node, ProviderNetwork, Vlan, Subnet created and read back"
# the server prunes unknown fields of these CRDs (structural schemas): a misspelt field is lost
kc apply --server-side --field-manager=tridc-smoke -f - >/dev/null 2>"$TMP/prune.err" <<'EOF' || true
apiVersion: kubeovn.io/v1
kind: Vlan
metadata: {name: biz101}
spec: {id: 101, provider: business, vlanID: 7}
EOF
if [ -s "$TMP/prune.err" ]; then
  log "unknown field spec.vlanID refused by server-side apply: $(head -c 200 "$TMP/prune.err" | tr '\n' ' ')"
else
  log "unknown field spec.vlanID: $(kc get vlan biz101 -o jsonpath='{.spec.vlanID}' | grep -q . && echo kept || echo pruned)"
fi

# ---------------------------------------------------------------- the collection's own resources
# dc1 of the unit tests' base plan (tests/unit/kube_ovn/plans.py), rendered by the collection for
# the pinned version; applied server-side twice: the second apply must change nothing.
REPO=$(dirname "$LAB")
kc delete subnet/biz101 vlan/biz101 provider-network/business --wait=true >/dev/null
if python3 -c 'import yaml' 2>/dev/null; then
  python3 - "$REPO" "$KUBE_OVN_VERSION" >"$TMP/resources.yaml" <<'PY'
import os, sys
import yaml
repo, version = sys.argv[1:]
sys.path.insert(0, os.path.join(repo, "tests"))
import conftest  # noqa: E402,F401  (the collection importable as for the tests: tests/conftest.py)
from ansible_collections.tridc.ovn.plugins.plugin_utils.kube_ovn import render_plan
from kube_ovn.plans import base_plan
plan = base_plan()
plan["settings"]["kube_ovn"]["version"] = version
dc = render_plan(plan)["dc1"]
objs = dc["provider_networks"] + dc["vlans"] + dc["subnets"] + ([dc["ic_config"]] if dc["ic_config"] else [])
yaml.safe_dump_all(objs, sys.stdout, sort_keys=True)
PY
  n=$(grep -c '^kind:' "$TMP/resources.yaml")
  kc apply --server-side --field-manager=tridc.ovn --dry-run=server -f "$TMP/resources.yaml" >/dev/null
  kc apply --server-side --field-manager=tridc.ovn -f "$TMP/resources.yaml" >/dev/null
  rv() { kc get -f "$TMP/resources.yaml" -o jsonpath='{range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion} {end}'; }
  before=$(rv)
  kc apply --server-side --field-manager=tridc.ovn -f "$TMP/resources.yaml" >/dev/null
  after=$(rv)
  [ "$before" = "$after" ] || die "second server-side apply changed resourceVersions: $before -> $after"
  log "collection-rendered dc1 resources ($n objects: $(grep '^kind:' "$TMP/resources.yaml" | awk '{print $2}' | sort | uniq -c | awk '{printf "%s%s %s", (NR>1?", ":""), $1, $2}')) applied; second apply changed nothing"
else
  log "python3 yaml missing: collection-rendered resources skipped"
fi

# ---------------------------------------------------------------- memory
rss() { awk '/^VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }
hwm() { awk '/^VmHWM/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }
log "RSS now (peak): etcd $(rss "$ETCD_PID") MiB ($(hwm "$ETCD_PID") MiB), kube-apiserver $(rss "$API_PID") MiB ($(hwm "$API_PID") MiB)"
printf 'RESULT etcd_ready_s=%s apiserver_ready_s=%s etcd_rss_mib=%s etcd_peak_mib=%s apiserver_rss_mib=%s apiserver_peak_mib=%s crds=%s\n' \
  "$ETCD_READY" "$API_READY" "$(rss "$ETCD_PID")" "$(hwm "$ETCD_PID")" "$(rss "$API_PID")" "$(hwm "$API_PID")" "$NCRD"
log "OK"

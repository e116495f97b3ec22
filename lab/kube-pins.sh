# shellcheck shell=bash
# Versions lab/build-kube.sh builds; sourced by it, lab/kube-apiserver-smoke.sh and lab/kube-helm-template.sh.
# Pins. Kube-OVN v1.16.2: newest v1.16.x tag; its images build OVS branch-3.5 and OVN
# branch-25.03 (dist/images/Dockerfile.base), Debian 13's OVS 3.5 / OVN 25.03.
# KUBE_OVN_VERSION=v1.15.24 builds the newest v1.15.x instead (also OVS 3.5 / OVN 25.03).
KUBE_OVN_VERSION=${KUBE_OVN_VERSION:-v1.16.2}
# The k8s.io/kubernetes version that Kube-OVN release's go.mod requires (checked below).
case $KUBE_OVN_VERSION in
  v1.16.2)  K8S_VERSION=v1.35.3 ;;
  v1.15.24) K8S_VERSION=v1.34.11 ;;
  *) K8S_VERSION=${K8S_VERSION:?"unknown Kube-OVN $KUBE_OVN_VERSION: set K8S_VERSION to the k8s.io/kubernetes version its go.mod requires"} ;;
esac
# etcd: newest 3.5.x (kube-apiserver 1.35 supports etcd >= 3.5).
ETCD_VERSION=v3.5.35
# helm v3: newest v3 release; its go.mod says go 1.26.0.
HELM_VERSION=v3.22.0

# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source this file
# Versions lab/build-kube.sh builds; sourced by it, lab/kube-apiserver-smoke.sh and lab/kube-helm-template.sh.
# Kube-OVN v1.15.24: the collection's default (plugins/plugin_utils/kube_ovn/constants.py) - the newest release
# built on OVS branch-3.5 / OVN branch-25.03 (Debian 13's) whose classic chart has installMode and
# externalOvnCentral. KUBE_OVN_VERSION=v1.16.2 builds the newest v1.16.x (its classic chart has neither).
KUBE_OVN_VERSION=${KUBE_OVN_VERSION:-v1.15.24}
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

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Facts about Kube-OVN that the rendering and the validation rely on (checked against the v1.15.24 and v1.16.2
releases' own source and charts, and the reference data of the development line, v1.17.0-dev)."""

from __future__ import annotations

GROUP = "kubeovn.io"
VERSION = "v1"
API_VERSION = GROUP + "/" + VERSION

FIELD_MANAGER = "tridc.ovn"
LABEL_MANAGED_BY = "app.kubernetes.io/managed-by"
LABEL_DC = "tridc.ovn/dc"
MANAGED_BY = "tridc.ovn"

NAMESPACE = "kube-system"
IC_CONFIGMAP = "ovn-ic-config"
DEFAULT_VPC = "ovn-cluster"
OVN_PROVIDER = "ovn"
RELEASE_NAME = "kube-ovn"

# The bridge of a ProviderNetwork is "br-<name>" and Linux interface names stop at 15 characters.
PN_NAME_MAX = 12
IFNAME_MAX = 15

# The newest Kube-OVN release built on OVN 25.03 / OVS 3.5 (Debian 13's) whose classic chart has every value the
# collection renders (installMode and externalOvnCentral included: v1.16.2's classic chart has neither). v1.17.0 is
# not released.
DEFAULT_KUBE_OVN_VERSION = "v1.15.24"
# Series whose classic chart has no installMode/externalOvnCentral (helm ignores them: a full install with its own
# ovn-central); checked on v1.16.2.
NO_DATA_PLANE_ONLY_V1_CHART = ("1.16",)
CHART_V1 = "kube-ovn"
CHART_V2 = "kube-ovn-v2"
CHARTS = (CHART_V1, CHART_V2)

# OVN release series built into the kube-ovn image (dist/images/Dockerfile.base clones ovn branch-<series>).
# ovs-ovn sets external-ids:ovn-match-northd-version=true, so its ovn-controller stops programming flows
# while the northd it talks to runs another OVN version: in dataPlaneOnly mode the DC's central must run
# the same OVN series.
BUNDLED_OVN = {
    "1.13": "24.03",
    "1.14": "24.03",
    "1.15": "25.03",
    "1.16": "25.03",
    "1.17": "25.03",
}

INSTALL_MODES = {"full": "full", "data_plane_only": "dataPlaneOnly"}
TUNNEL_TYPES = ("geneve", "vxlan", "stt")

# Subnet enums (pkg/apis/kubeovn/v1/subnet.go)
GATEWAY_TYPES = ("distributed", "centralized")
# "Mac" is in the development line only: v1.15.24's CRD enum is IPv4, IPv6, Dual and v1.16.2's validator refuses it
PROTOCOLS = ("IPv4", "IPv6", "Dual")
# Vpc enums (pkg/apis/kubeovn/v1/vpc.go)
ROUTE_POLICIES = ("policySrc", "policyDst")
POLICY_ROUTE_ACTIONS = ("allow", "drop", "reroute")

# ovn-ic-config keys read by the ic-controller
IC_KEYS = ("enable-ic", "az-name", "ic-db-host", "ic-nb-port", "ic-sb-port", "gw-nodes", "auto-route")

# Known spec fields per kind (v1.17.0 types) with their JSON type; anything else is rejected because the
# API server would silently prune it.
STR, BOOL, INT, LIST, DICT = "string", "boolean", "integer", "array", "object"
SUBNET_SPEC = {
    "default": BOOL, "vpc": STR, "protocol": STR, "namespaces": LIST, "cidrBlock": STR, "gateway": STR,
    "excludeIps": LIST, "provider": STR, "gatewayType": STR, "gatewayNode": STR, "gatewayNodeSelectors": LIST,
    "natOutgoing": BOOL, "externalEgressGateway": STR, "policyRoutingPriority": INT, "policyRoutingTableID": INT,
    "mtu": INT, "private": BOOL, "allowSubnets": LIST, "vlan": STR, "vips": LIST, "logicalGateway": BOOL,
    "disableGatewayCheck": BOOL, "disableInterConnection": BOOL, "enableDHCP": BOOL, "dhcpV4Options": STR,
    "dhcpV6Options": STR, "enableIPv6RA": BOOL, "ipv6RAConfigs": STR, "acls": LIST, "allowEWTraffic": BOOL,
    "natOutgoingPolicyRules": LIST, "u2oInterconnectionIP": STR, "u2oInterconnection": BOOL, "u2oFeatures": DICT,
    "enableLb": BOOL, "enableEcmp": BOOL, "enableMulticastSnoop": BOOL, "enableExternalLBAddress": BOOL,
    "routeTable": STR, "namespaceSelectors": LIST, "nodeNetwork": STR,
}
VLAN_SPEC = {"id": INT, "provider": STR, "vlanId": INT, "providerInterfaceName": STR}
PN_SPEC = {
    "defaultInterface": STR, "customInterfaces": LIST, "nodeSelector": DICT, "excludeNodes": LIST,
    "exchangeLinkName": BOOL, "autoCreateVlanSubinterfaces": BOOL, "preserveVlanInterfaces": BOOL,
    "vlanInterfaces": LIST,
}
VPC_SPEC = {
    "defaultSubnet": STR, "namespaces": LIST, "staticRoutes": LIST, "policyRoutes": LIST, "vpcPeerings": LIST,
    "enableExternal": BOOL, "extraExternalSubnets": LIST, "enableBfd": BOOL, "bfdPort": DICT,
}
STATIC_ROUTE_KEYS = ("policy", "cidr", "nextHopIP", "ecmpMode", "bfdId", "routeTable")
POLICY_ROUTE_KEYS = ("priority", "match", "action", "nextHopIP")
SPECS = {"Subnet": SUBNET_SPEC, "Vlan": VLAN_SPEC, "ProviderNetwork": PN_SPEC, "Vpc": VPC_SPEC}
TOP_KEYS = ("apiVersion", "kind", "metadata", "spec")
CM_TOP_KEYS = ("apiVersion", "kind", "metadata", "data")
META_KEYS = ("name", "namespace", "labels", "annotations")

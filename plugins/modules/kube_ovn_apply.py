#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

DOCUMENTATION = r"""
---
module: kube_ovn_apply
short_description: Server-side apply Kube-OVN ProviderNetworks, Vlans, Subnets, ovn-ic-config and Vpc routes
version_added: "0.1.0"
description:
  - Applies the Kube-OVN resources that C(tridc.ovn)'s plan renders for one DC (see C(render_dc) in
    C(plugins/plugin_utils/kube_ovn)) with Kubernetes server-side apply, field manager C(tridc.ovn).
  - Every object is first applied with C(dryRun=All); the difference between the live object and the dry-run
    result decides whether anything changes and is the C(--diff) output. In check mode nothing else is sent.
  - Refuses to change immutable fields (ProviderNetwork C(defaultInterface), Vlan C(id)/C(provider), Subnet
    C(cidrBlock)/C(protocol)/C(vpc)) and says what a recreate would do; nothing is applied when one is refused.
  - Refuses an C(ovn-ic-config) change that makes Kube-OVN tear interconnection down (any change but a
    C(gw-nodes)-only change on releases that reconcile it in place) unless O(allow_ic_reestablish=true).
  - Never deletes an object it did not create. With O(prune=true) it deletes only objects labelled
    C(tridc.ovn/created=true) and C(tridc.ovn/dc=<dc>) that are no longer in O(resources), never a Subnet with
    addresses in use and never the C(ovn-ic-config) ConfigMap.
  - Waits until every ProviderNetwork is ready on the expected nodes (status and the node label
    C(<pn>.provider-network.kubernetes.io/ready=true)), every Vlan is registered without conflict and every
    Subnet has condition C(Ready). With O(state=ready) it only waits and checks (the CNI phase gate).
author:
  - tridc.ovn contributors (!UNKNOWN)
requirements:
  - kubernetes (Python client) on the host that runs the module (usually the controller)
options:
  resources:
    description:
      - The objects to apply, either the dict C(render_dc) returns (keys C(provider_networks), C(vlans),
        C(subnets), C(ic_config), C(vpc_routes); other keys are ignored) or a list of objects.
      - Kinds are C(ProviderNetwork), C(Vlan), C(Subnet), C(Vpc) (kubeovn.io/v1) and the ConfigMap
        C(kube-system/ovn-ic-config).
    type: raw
    required: true
  dc:
    description:
      - The DC the objects belong to; set as label C(tridc.ovn/dc) and used to select objects for O(prune).
    type: str
  state:
    description:
      - C(present) applies and (with O(wait)) waits; C(ready) changes nothing and fails unless everything is ready
        before O(wait_timeout).
    type: str
    choices: [present, ready]
    default: present
  kubeconfig:
    description:
      - Path of a kubeconfig file, or the kubeconfig itself as a dict (for example from a vault).
      - Default is the client's default (E(KUBECONFIG) or C(~/.kube/config)).
      - Never logged. In the results of an inline kubeconfig, every string except the names, server addresses and
        CA settings (C(apiVersion), C(kind), C(name), C(cluster), C(user), C(namespace), C(server),
        C(certificate-authority), C(tls-server-name), C(current-context), ...) is masked wherever it appears; the
        whole C(user) entry of every user (tokens, client keys and certificates, passwords, exec and
        auth-provider settings) is always masked.
    type: raw
  context:
    description: Context of the kubeconfig to use.
    type: str
  field_manager:
    description: Server-side apply field manager.
    type: str
    default: tridc.ovn
  force_conflicts:
    description:
      - Take over fields another field manager owns with other values. Without it such a conflict fails the task
        and names the manager and the fields.
    type: bool
    default: false
  allow_ic_reestablish:
    description:
      - Allow an C(ovn-ic-config) change that makes Kube-OVN disable and re-establish interconnection.
    type: bool
    default: false
  kube_ovn_version:
    description:
      - Kube-OVN release running in the cluster; decides whether a C(gw-nodes)-only change of C(ovn-ic-config)
        is reconciled in place (v1.15.24+, v1.16.3+, v1.17.0+).
    type: str
    default: v1.15.24
  prune:
    description: Delete objects this module created for O(dc) that are not in O(resources) any more.
    type: bool
    default: false
  wait:
    description: After applying, wait for readiness as described above (not in check mode).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for readiness.
    type: int
    default: 300
  wait_interval:
    description: Seconds between readiness polls.
    type: float
    default: 5
  expect_ready_nodes:
    description:
      - Per ProviderNetwork, the nodes that must be ready (C(gate.provider_networks) of C(render_dc)). Without an
        entry a ProviderNetwork only needs C(status.ready).
    type: dict
    default: {}
  check_node_labels:
    description: Also require the node label C(<pn>.provider-network.kubernetes.io/ready=true) on expected nodes.
    type: bool
    default: true
seealso:
  - name: Kube-OVN underlay networking
    description: ProviderNetwork, Vlan and Subnet resources.
    link: https://kubeovn.github.io/docs/stable/en/start/underlay/
notes:
  - Supports C(check_mode) and C(diff_mode) through server-side dry run, so check mode needs a reachable API server.
"""

EXAMPLES = r"""
- name: Apply the DC's Kube-OVN resources from the plan
  tridc.ovn.kube_ovn_apply:
    resources: "{{ tridc_plan.kube_ovn['dc1'] }}"
    dc: dc1
    kubeconfig: /etc/tridc/kubeconfig-dc1
    kube_ovn_version: "{{ tridc_plan.kube_ovn['dc1'].meta.kube_ovn_version }}"
    expect_ready_nodes: "{{ tridc_plan.kube_ovn['dc1'].gate.provider_networks }}"
  delegate_to: localhost

- name: Gate - every ProviderNetwork ready on its nodes, every Subnet Ready
  tridc.ovn.kube_ovn_apply:
    resources: "{{ tridc_plan.kube_ovn['dc1'] }}"
    dc: dc1
    state: ready
    kubeconfig: "{{ vault_kubeconfigs['dc1'] }}"
    expect_ready_nodes: "{{ tridc_plan.kube_ovn['dc1'].gate.provider_networks }}"
    wait_timeout: 600
  delegate_to: localhost
"""

RETURN = r"""
resources:
  description: One entry per object with the action taken or, in check mode, that would be taken.
  returned: always
  type: list
  elements: dict
  sample: [{"kind": "Subnet", "name": "biz101", "action": "create"}, {"kind": "Vlan", "name": "biz101", "action": "none"}]
ic_change:
  description:
    - What the C(ovn-ic-config) change does to Kube-OVN's interconnection, C(none), C(establish), C(in_place),
      C(reestablish) or C(disable).
  returned: always
  type: str
  sample: in_place
pending:
  description: Readiness problems still open at the last poll (empty when ready).
  returned: always
  type: list
  elements: str
  sample: ["ProviderNetwork business: not ready on node dc1-k2 (link bond0 not found)"]
diff:
  description: Live objects and dry-run results of the objects that change (with C(--diff)).
  returned: when changed and diff mode
  type: dict
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.tridc.ovn.plugins.module_utils import kube_ovn_apply as engine

try:
    from kubernetes import config as kube_config
    from kubernetes.config.config_exception import ConfigException
except ImportError:
    kube_config = None
    ConfigException = Exception


# Keys of an inline kubeconfig whose values are not credentials (names, server addresses, CA settings). Every
# other string is a possible credential and stays masked in the results; so is everything under users[].user.
KUBECONFIG_PUBLIC_KEYS = frozenset(("apiVersion", "kind", "current-context", "name", "cluster", "user", "namespace",
                                    "server", "certificate-authority", "certificate-authority-data",
                                    "insecure-skip-tls-verify", "tls-server-name", "disable-compression"))


def _strings(obj):
    if isinstance(obj, dict):
        for value in obj.values():
            yield from _strings(value)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            yield from _strings(value)
    elif obj is not None and not isinstance(obj, bool):
        text = str(obj)
        if text:
            yield text


def kubeconfig_public(kubeconfig):
    """The strings of an inline kubeconfig that are not credentials: values of KUBECONFIG_PUBLIC_KEYS outside of
    users[].user (the credential object, masked whole)."""
    out = set()

    def walk(obj, in_user):
        if isinstance(obj, dict):
            for key, value in obj.items():
                if in_user or (key == "user" and isinstance(value, dict)):
                    continue  # users[].user: credentials, all masked
                if key in KUBECONFIG_PUBLIC_KEYS and not isinstance(value, (dict, list)):
                    out.update(_strings(value))
                else:
                    walk(value, in_user)
        elif isinstance(obj, list):
            for value in obj:
                walk(value, in_user)

    walk(kubeconfig, False)
    return out


def kubeconfig_secrets(kubeconfig):
    """Every string of an inline kubeconfig that is not known to be public (see kubeconfig_public)."""
    public = kubeconfig_public(kubeconfig)
    secrets = set()

    def walk(obj, in_user):
        if isinstance(obj, dict):
            for key, value in obj.items():
                if in_user or (key == "user" and isinstance(value, dict)):
                    secrets.update(_strings(value))
                elif key in KUBECONFIG_PUBLIC_KEYS and not isinstance(value, (dict, list)):
                    continue
                else:
                    walk(value, in_user)
        elif isinstance(obj, list):
            for value in obj:
                walk(value, in_user)
        elif obj is not None and not isinstance(obj, bool):
            secrets.update(_strings(obj))

    walk(kubeconfig, False)
    # a public string equal to a credential (a user named like its token) stays masked
    return secrets, public - secrets


def build_api_client(kubeconfig, context):
    """A kubernetes ApiClient from a kubeconfig path or dict."""
    if isinstance(kubeconfig, dict):
        return kube_config.new_client_from_config_dict(kubeconfig, context=context)
    return kube_config.new_client_from_config(config_file=kubeconfig, context=context)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            resources=dict(type="raw", required=True),
            dc=dict(type="str"),
            state=dict(type="str", default="present", choices=["present", "ready"]),
            # never logged; an inline kubeconfig is narrowed to its credentials below
            kubeconfig=dict(type="raw", no_log=True),
            context=dict(type="str"),
            field_manager=dict(type="str", default="tridc.ovn"),
            force_conflicts=dict(type="bool", default=False),
            allow_ic_reestablish=dict(type="bool", default=False),
            kube_ovn_version=dict(type="str", default="v1.15.24"),
            prune=dict(type="bool", default=False),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=300),
            wait_interval=dict(type="float", default=5),
            expect_ready_nodes=dict(type="dict", default={}),
            check_node_labels=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    if not engine.HAS_KUBERNETES or kube_config is None:
        module.fail_json(msg=missing_required_lib("kubernetes"), exception=str(engine.KUBERNETES_IMPORT_ERROR))
    kubeconfig = module.params["kubeconfig"]
    if kubeconfig is not None and not isinstance(kubeconfig, (str, dict)):
        module.fail_json(msg="kubeconfig must be a path or a dict")
    if isinstance(kubeconfig, dict):
        # no_log masks every string of the dict in every result string ("v1" of apiVersion in "kubeovn.io/v1"...):
        # keep the credentials masked and let the names, server addresses and CA settings through
        secrets, public = kubeconfig_secrets(kubeconfig)
        module.no_log_values.difference_update(public)
        module.no_log_values.update(secrets)
    try:
        api_client = build_api_client(kubeconfig, module.params["context"])
    except (ConfigException, OSError, TypeError, ValueError) as exc:
        module.fail_json(msg="cannot load the kubeconfig: %s" % exc)
    try:
        result = engine.run(module.params, api_client, check_mode=module.check_mode)
    except engine.ApplyError as exc:
        partial = dict(exc.result)
        partial.pop("diff", None)
        module.fail_json(msg=exc.msg, **partial)
    except engine.ApiException as exc:
        module.fail_json(msg="Kubernetes API error: %s" % engine.api_error_text(exc), exception=traceback.format_exc())
    for warning in result.pop("warnings", []):
        module.warn(warning)
    if not module._diff:
        result.pop("diff", None)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tridc.ovn.host_services: the parsing of ``systemctl show`` for several units.

The test machine has no systemd (PID 1 is not systemd), so the module itself is proven where systemd runs: every
``site.yml`` run in the lab (central and chassis phases) and the molecule scenarios, whose idempotence checks fail
if it starts or enables anything on a rerun. This test is the part that the real thing cannot show here."""

from __future__ import annotations

from ansible_collections.tridc.ovn.plugins.modules import host_services


def test_unit_names_get_their_suffix_once():
    assert host_services.unit_name('ovn-controller') == 'ovn-controller.service'
    assert host_services.unit_name('ovn-controller.service') == 'ovn-controller.service'
    assert host_services.unit_name('tridc-ovs-net@br-business') == 'tridc-ovs-net@br-business.service'
    assert host_services.unit_name('tridc-ovs-net@br-business.service') == 'tridc-ovs-net@br-business.service'
    assert host_services.unit_name('ovn.target') == 'ovn.target'


def test_show_output_of_several_units_in_order():
    text = ('Id=ovn-host.service\nLoadState=loaded\nActiveState=active\nUnitFileState=enabled\n\n'
            'Id=ovn-controller.service\nLoadState=loaded\nActiveState=inactive\nUnitFileState=static\n\n'
            'Id=nope.service\nLoadState=not-found\nActiveState=inactive\nUnitFileState=\n')
    units = host_services.parse_show(text)
    assert [u['Id'] for u in units] == ['ovn-host.service', 'ovn-controller.service', 'nope.service']
    assert units[1]['ActiveState'] == 'inactive' and units[1]['UnitFileState'] in host_services.ENABLED
    assert units[2]['LoadState'] == 'not-found' and units[2]['UnitFileState'] == ''

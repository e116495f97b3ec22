# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""pki_host and pki_ca with the real ovs-pki and openssl: a key made on the host, a batch signed in one call,
certificates installed only where they differ, check mode that writes nothing, a rerun that changes nothing."""

from __future__ import annotations

import os
import stat
import subprocess

from ansible_collections.tridc.ovn.plugins.modules import pki_ca, pki_host
from testing_tools import tool


def _tree(path):
    out = {}
    for root, _dirs, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            with open(full, 'rb') as f:
                out[full] = (f.read(), stat.S_IMODE(os.stat(full).st_mode))
    return out


def _batch(run_module, tmp_path, names, check=False, control=None, **ca):
    hosts = {n: run_module(pki_host, dict(dir=str(tmp_path / n), cn=n, key_bits=1024), check=check) for n in names}
    requests = {n: r['request'] for n, r in hosts.items() if r['request']}
    control = [n for n in (names if control is None else control) if n in requests]
    signed = run_module(pki_ca, dict(dir=str(tmp_path / 'ca' / 'pki'), key_bits=1024, requests=requests,
                                     control=control, **ca), check=check)
    return hosts, signed


def test_a_batch_is_signed_in_one_call_and_a_rerun_changes_nothing(run_module, tmp_path):
    tool('ovs-pki', 'openvswitch-common')
    names = ['dc1-n1', 'dc1-n2', 'dc1-n3']
    hosts, signed = _batch(run_module, tmp_path, names)
    assert all(r['changed'] and '-----BEGIN CERTIFICATE REQUEST-----' in r['request'] for r in hosts.values())
    assert signed['changed'] and sorted(signed['certs']) == names
    assert len([c for c in run_module.calls if c[:2] == ['openssl', 'ca']]) == 3
    for n in names:
        key = tmp_path / n / ('%s-privkey.pem' % n)
        assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(tmp_path / n).st_mode) == 0o700
        done = run_module(pki_host, dict(dir=str(tmp_path / n), cn=n, cert=signed['certs'][n], cacert=signed['cacert']),
                          diff=True)
        assert done['changed'] and len(done['changes']) == 2, done
        assert 'BEGIN' not in str(done['diff']), 'the diff shows digests, never PEM'
        # the installed certificate is signed by the CA and matches the key made on the host
        subprocess.run(['openssl', 'verify', '-CAfile', str(tmp_path / n / 'cacert.pem'),
                        str(tmp_path / n / ('%s-cert.pem' % n))], check=True, capture_output=True)
        mod_key = subprocess.run(['openssl', 'rsa', '-noout', '-modulus', '-in', str(key)],
                                 check=True, capture_output=True).stdout
        mod_cert = subprocess.run(['openssl', 'x509', '-noout', '-modulus', '-in', str(tmp_path / n / ('%s-cert.pem' % n))],
                                  check=True, capture_output=True).stdout
        assert mod_key == mod_cert
        subj = subprocess.run(['openssl', 'x509', '-noout', '-subject', '-in', str(tmp_path / n / ('%s-cert.pem' % n))],
                              check=True, capture_output=True, text=True).stdout
        assert 'CN = %s' % n in subj or 'CN=%s' % n in subj, subj

    before = _tree(tmp_path)
    hosts, signed = _batch(run_module, tmp_path, names)
    assert not any(r['changed'] for r in hosts.values()) and not signed['changed']
    assert not [c for c in run_module.calls if c[:2] == ['openssl', 'ca']]
    for n in names:
        assert hosts[n]['cert'] == signed['certs'][n] and hosts[n]['cacert'] == signed['cacert']
    assert _tree(tmp_path) == before


def test_check_mode_reports_and_writes_nothing(run_module, tmp_path):
    tool('ovs-pki', 'openvswitch-common')
    hosts, signed = _batch(run_module, tmp_path, ['dc2-n1'], check=True)
    assert hosts['dc2-n1']['changed'] and hosts['dc2-n1']['request'] == ''
    assert 'make the key and request of dc2-n1' in hosts['dc2-n1']['changes']
    assert signed['changed'] and signed['changes'] == ['make the CA in %s' % (tmp_path / 'ca' / 'pki')]
    assert list(tmp_path.iterdir()) == []

    # a host whose key exists and whose certificate the CA has not signed yet: check mode names the signature
    _batch(run_module, tmp_path, ['dc2-n1'])
    run_module(pki_host, dict(dir=str(tmp_path / 'dc2-n1'), cn='dc2-n1'))
    os.unlink(tmp_path / 'dc2-n1' / 'dc2-n1-privkey.pem')
    os.unlink(tmp_path / 'dc2-n1' / 'dc2-n1-req.pem')
    fresh = run_module(pki_host, dict(dir=str(tmp_path / 'dc2-n1'), cn='dc2-n1'))
    before = _tree(tmp_path)
    signed = run_module(pki_ca, dict(dir=str(tmp_path / 'ca' / 'pki'), requests={'dc2-n1': fresh['request']}), check=True)
    assert signed['changes'] == ['sign the request of dc2-n1 (chassis CA)'] and signed['certs'] == {'dc2-n1': ''}
    assert _tree(tmp_path) == before


def test_a_new_key_gets_a_new_certificate_and_the_old_one_is_replaced(run_module, tmp_path):
    tool('ovs-pki', 'openvswitch-common')
    hosts, signed = _batch(run_module, tmp_path, ['dc3-n1'])
    run_module(pki_host, dict(dir=str(tmp_path / 'dc3-n1'), cn='dc3-n1', cert=signed['certs']['dc3-n1'],
                              cacert=signed['cacert']))
    first = signed['certs']['dc3-n1']
    os.unlink(tmp_path / 'dc3-n1' / 'dc3-n1-privkey.pem')
    hosts, signed = _batch(run_module, tmp_path, ['dc3-n1'])
    assert hosts['dc3-n1']['changed'] and signed['changed'] and signed['certs']['dc3-n1'] != first
    assert hosts['dc3-n1']['cert'] == first, 'the host still has the old certificate until it is installed'
    done = run_module(pki_host, dict(dir=str(tmp_path / 'dc3-n1'), cn='dc3-n1', cert=signed['certs']['dc3-n1'],
                                     cacert=signed['cacert']))
    assert done['changes'] == ['install %s' % (tmp_path / 'dc3-n1' / 'dc3-n1-cert.pem')]


def test_bad_input_is_refused_with_a_message(run_module, tmp_path):
    tool('ovs-pki', 'openvswitch-common')
    res = run_module(pki_ca, dict(dir=str(tmp_path / 'ca'), requests={'dc1-n1': 'not a request'}))
    assert res['failed'] and res['msg'] == 'pki CA: the request of dc1-n1 is not a PEM certificate request'
    os.makedirs(tmp_path / 'h')
    (tmp_path / 'h' / 'x-privkey.pem').write_text('key')
    os.chmod(tmp_path / 'h', 0o700)
    res = run_module(pki_host, dict(dir=str(tmp_path / 'h'), cn='x'))
    assert res['failed'] and 'remove the key to make a new pair' in res['msg'] and 'key' not in res


def _verify(cafile, cert):
    return subprocess.run(['openssl', 'verify', '-CAfile', str(cafile), str(cert)], capture_output=True, text=True, check=False)


def test_trust_by_role_control_plane_and_chassis_have_their_own_ca(run_module, tmp_path):
    """Central/IC members are signed by the control CA, chassis by the chassis CA; clients trust the control CA
    only (a chassis certificate does not verify against it), the Southbound bundle accepts both."""
    tool('ovs-pki', 'openvswitch-common')
    hosts, signed = _batch(run_module, tmp_path, ['dc1-n1', 'dc1-c7'], control=['dc1-n1'], operator='operator')
    assert sorted(signed['changes'])[-2:] == ['sign the request of dc1-c7 (chassis CA)',
                                              'sign the request of dc1-n1 (control CA)']
    ca = tmp_path / 'ca' / 'pki'
    assert signed['cacert'] == (ca / 'controllerca' / 'cacert.pem').read_text()
    assert signed['chassis_cacert'] == (ca / 'switchca' / 'cacert.pem').read_text() != signed['cacert']
    assert signed['sb_cacert'] == signed['cacert'] + signed['chassis_cacert']
    for n in ('dc1-n1', 'dc1-c7'):
        run_module(pki_host, dict(dir=str(tmp_path / n), cn=n, cert=signed['certs'][n], cacert=signed['cacert'],
                                  sb_cacert=signed['sb_cacert']))
    control_ca, sb_ca = tmp_path / 'dc1-n1' / 'cacert.pem', tmp_path / 'dc1-n1' / 'sb-cacert.pem'
    assert _verify(control_ca, tmp_path / 'dc1-n1' / 'dc1-n1-cert.pem').returncode == 0
    refused = _verify(control_ca, tmp_path / 'dc1-c7' / 'dc1-c7-cert.pem')
    assert refused.returncode != 0 and 'unable to get local issuer certificate' in refused.stdout + refused.stderr
    assert _verify(sb_ca, tmp_path / 'dc1-c7' / 'dc1-c7-cert.pem').returncode == 0
    assert _verify(sb_ca, tmp_path / 'dc1-n1' / 'dc1-n1-cert.pem').returncode == 0
    # the operator's certificate (made on the CA host) is of the control plane
    op = signed['operator']
    assert _verify(op['cacert'], op['cert']).returncode == 0 and os.path.exists(op['key'])
    assert stat.S_IMODE(os.stat(os.path.dirname(op['key'])).st_mode) == 0o700
    before = _tree(tmp_path)
    again = run_module(pki_ca, dict(dir=str(ca), key_bits=1024, control=['dc1-n1'], operator='operator',
                                    requests={n: r['request'] for n, r in hosts.items()}))
    assert not again['changed'] and again['certs'] == signed['certs'] and _tree(tmp_path) == before


def test_single_trust_signs_all_with_one_ca_and_keeps_a_ca_made_before_trust_by_role(run_module, tmp_path):
    tool('ovs-pki', 'openvswitch-common')
    hosts, signed = _batch(run_module, tmp_path, ['dc1-n1', 'dc1-c7'], control=['dc1-n1'], trust='single')
    assert signed['cacert'] == signed['chassis_cacert'] == signed['sb_cacert']
    for n in ('dc1-n1', 'dc1-c7'):
        (tmp_path / n / 'c.pem').write_text(signed['certs'][n])
        assert _verify(tmp_path / 'ca' / 'pki' / 'switchca' / 'cacert.pem', tmp_path / n / 'c.pem').returncode == 0
    # the files of a CA made before trust by role are those of the chassis CA: nothing is signed again
    again = run_module(pki_ca, dict(dir=str(tmp_path / 'ca' / 'pki'), trust='single', control=['dc1-n1'],
                                    requests={n: r['request'] for n, r in hosts.items()}))
    assert not again['changed'] and again['certs'] == signed['certs']
    res = run_module(pki_ca, dict(dir=str(tmp_path / 'ca' / 'pki'), control=['dc9-n9'], requests={}))
    assert res['failed'] and res['msg'] == 'pki CA: control names without a request: dc9-n9'


def _enddate_days(pem):
    out = subprocess.run(['openssl', 'x509', '-noout', '-enddate'], input=pem, check=True, capture_output=True,
                         text=True).stdout.strip().split('=', 1)[1]
    import datetime
    end = datetime.datetime.strptime(out, '%b %d %H:%M:%S %Y %Z').replace(tzinfo=datetime.timezone.utc)
    return (end - datetime.datetime.now(datetime.timezone.utc)).days


def test_lifetime_is_configurable_and_renewal_takes_a_new_key(run_module, tmp_path):
    """cert_days sets the lifetime; a host whose certificate expires within renew_days makes a next key and request
    (the OVN daemons load a new certificate only with a new key), the CA signs it like any new request, and the
    install puts the certificate in place, then the key."""
    tool('ovs-pki', 'openvswitch-common')
    hosts, signed = _batch(run_module, tmp_path, ['dc1-n1'], cert_days=30, renew_days=5)
    assert 28 <= _enddate_days(signed['certs']['dc1-n1']) <= 30
    d, ca = tmp_path / 'dc1-n1', str(tmp_path / 'ca' / 'pki')
    run_module(pki_host, dict(dir=str(d), cn='dc1-n1', cert=signed['certs']['dc1-n1'], cacert=signed['cacert']))
    old_key = (d / 'dc1-n1-privkey.pem').read_text()
    same = run_module(pki_host, dict(dir=str(d), cn='dc1-n1', renew_days=5))
    assert not same['changed'] and same['renewing'] == '' and same['request'] == hosts['dc1-n1']['request']
    # check mode: says what it would do, writes nothing
    before = _tree(d)
    preview = run_module(pki_host, dict(dir=str(d), cn='dc1-n1', renew_days=31), check=True)
    assert preview['changes'] == ['make the next key and request of dc1-n1 (the certificate expires within 31 days)']
    assert _tree(d) == before
    due = run_module(pki_host, dict(dir=str(d), cn='dc1-n1', renew_days=31))
    assert due['changed'] and due['request'] != hosts['dc1-n1']['request'] and 'expires within 31 days' in due['renewing']
    assert stat.S_IMODE(os.stat(d / 'next' / 'dc1-n1-privkey.pem').st_mode) == 0o600
    assert not run_module(pki_host, dict(dir=str(d), cn='dc1-n1', renew_days=31))['changed'], 'the next key is made once'
    renewed = run_module(pki_ca, dict(dir=ca, requests={'dc1-n1': due['request']}, control=['dc1-n1'], cert_days=400))
    assert renewed['changes'] == ['sign the request of dc1-n1 (control CA)']
    assert 398 <= _enddate_days(renewed['certs']['dc1-n1']) <= 400
    done = run_module(pki_host, dict(dir=str(d), cn='dc1-n1', renew_days=31, cert=renewed['certs']['dc1-n1']))
    assert done['changes'] == ['install %s' % (d / 'dc1-n1-cert.pem'), 'put the next key of dc1-n1 in place']
    assert (d / 'dc1-n1-privkey.pem').read_text() != old_key and not (d / 'next').exists() and done['renewing'] == ''
    mod_key = subprocess.run(['openssl', 'rsa', '-noout', '-modulus', '-in', str(d / 'dc1-n1-privkey.pem')],
                             check=True, capture_output=True).stdout
    mod_cert = subprocess.run(['openssl', 'x509', '-noout', '-modulus', '-in', str(d / 'dc1-n1-cert.pem')],
                              check=True, capture_output=True).stdout
    assert mod_key == mod_cert
    assert not run_module(pki_host, dict(dir=str(d), cn='dc1-n1', renew_days=31, cert=renewed['certs']['dc1-n1']))['changed']
    # a certificate of neither key is refused, nothing installed
    other = run_module(pki_host, dict(dir=str(d), cn='dc1-n1', renew_days=500))
    before = _tree(d)
    wrong = run_module(pki_host, dict(dir=str(d), cn='dc1-n1', renew_days=500, cert=signed['certs']['dc1-n1']))
    assert other['renewing'] and wrong['failed'] and 'neither of its key nor of its next key' in wrong['msg']
    assert _tree(d) == before
    bad = run_module(pki_ca, dict(dir=ca, requests={'x': 'no'}, control=['y'], cert_days=1, renew_days=3))
    assert bad['failed'] and bad['msg'] == (
        'pki CA: control names without a request: y; cert_days must be at least 2 (got 1); renew_days must be at '
        'least 0 and less than cert_days (got 3 and 1); the request of x is not a PEM certificate request')


def _install(run_module, tmp_path, signed, names, issuers=''):
    for n in names:
        run_module(pki_host, dict(dir=str(tmp_path / n), cn=n, cert=signed['certs'][n], cacert=signed['cacert'],
                                  sb_cacert=signed['sb_cacert'], issuers=issuers))
    return {n: run_module(pki_host, dict(dir=str(tmp_path / n), cn=n, issuers=issuers)) for n in names}


def test_ca_rotation_trust_sign_finish_and_a_certificate_left_behind_is_refused(run_module, tmp_path):
    """The three steps with the real openssl: both CAs trusted, then new keys signed by the next CA, then the old CA
    is retired. Each step refuses to run before the hosts have done the previous one, and writes nothing then; the
    certificate of a holder that was not rotated (a member removed before the rotation) verifies against no bundle."""
    tool('ovs-pki', 'openvswitch-common')
    names = ['dc1-n1', 'dc1-c7']
    ca = str(tmp_path / 'ca' / 'pki')
    hosts, signed = _batch(run_module, tmp_path, names + ['gone'], control=['dc1-n1', 'gone'], operator='operator')
    (tmp_path / 'gone-cert.pem').write_text(signed['certs']['gone'])
    state = _install(run_module, tmp_path, signed, names)

    def step(rotation, check=False):
        return run_module(pki_ca, dict(dir=ca, requests={n: state[n]['request'] for n in names}, control=['dc1-n1'],
                                       operator='operator', rotation=rotation, installed=[state[n] for n in names]),
                          check=check)

    # sign or finish before trust: refused, nothing written
    before = _tree(tmp_path / 'ca')
    refused = step('sign')
    assert refused['failed'] and 'needs the trust step first' in refused['msg'] and _tree(tmp_path / 'ca') == before
    preview = step('trust', check=True)
    assert preview['changed'] and _tree(tmp_path / 'ca') == before

    trust = step('trust')
    new_control = (tmp_path / 'ca' / 'pki' / 'next' / 'controllerca' / 'cacert.pem').read_text()
    assert trust['rotation_phase'] == 'trust' and trust['certs'] == {n: signed['certs'][n] for n in names}
    assert trust['cacert'] == signed['cacert'] + new_control and new_control in trust['next_cacert']
    assert not step('trust')['changed']
    # sign while a host does not trust the next CA yet: refused, nothing written
    before = _tree(tmp_path / 'ca')
    late = step('sign')
    assert late['failed'] and 'do not trust the next CA yet: dc1-c7, dc1-n1' in late['msg']
    assert _tree(tmp_path / 'ca') == before
    state = _install(run_module, tmp_path, trust, names, issuers=trust['next_cacert'])
    assert all(state[n]['renewing'] == 'the certificate is not of the CA that signs now' for n in names)

    sign = step('sign')
    assert sign['rotation_phase'] == 'sign'
    assert 'make the operator certificate operator (control CA, next)' in sign['changes']
    for n in names:
        issuer = tmp_path / 'ca' / 'pki' / 'next' / ('controllerca' if n == 'dc1-n1' else 'switchca') / 'cacert.pem'
        (tmp_path / n / 'new.pem').write_text(sign['certs'][n])
        assert _verify(issuer, tmp_path / n / 'new.pem').returncode == 0
    # finish while a host still has its certificate of the current CA: refused, nothing written
    before = _tree(tmp_path / 'ca')
    behind = step('finish')
    assert behind['failed'] and 'do not have their certificate of the next CA installed: dc1-c7, dc1-n1' in behind['msg']
    assert _tree(tmp_path / 'ca') == before
    state = _install(run_module, tmp_path, sign, names, issuers=trust['next_cacert'])
    assert all(state[n]['renewing'] == '' and state[n]['cert'] == sign['certs'][n] for n in names)
    assert not step('sign')['changed']

    finish = step('finish')
    assert finish['changed'] and finish['rotation_phase'] == '' and finish['certs'] == sign['certs']
    assert finish['cacert'] == new_control and signed['cacert'] not in finish['sb_cacert']
    assert not os.path.exists(os.path.join(ca, 'next')) and len(os.listdir(os.path.join(ca, 'retired'))) == 1
    state = _install(run_module, tmp_path, finish, names)
    for n in names:
        assert _verify(tmp_path / n / 'sb-cacert.pem', tmp_path / n / ('%s-cert.pem' % n)).returncode == 0
    # the member removed before the rotation: its certificate verifies against no bundle any more
    for bundle in ('cacert.pem', 'sb-cacert.pem'):
        gone = _verify(tmp_path / 'dc1-n1' / bundle, tmp_path / 'gone-cert.pem')
        assert gone.returncode != 0 and 'unable to get local issuer certificate' in gone.stdout + gone.stderr
    op = finish['operator']
    assert op['cert'] == os.path.join(ca, 'operators', 'operator-cert.pem') and _verify(op['cacert'], op['cert']).returncode == 0
    # a rollout afterwards changes nothing
    before = _tree(tmp_path / 'ca')
    assert not step('keep')['changed'] and not step('finish')['changed'] and _tree(tmp_path / 'ca') == before


def test_a_rollout_in_the_middle_of_a_rotation_leaves_installed_certificates_to_the_sign_step(run_module, tmp_path):
    tool('ovs-pki', 'openvswitch-common')
    ca = str(tmp_path / 'ca' / 'pki')
    hosts, signed = _batch(run_module, tmp_path, ['dc1-n1'])
    state = _install(run_module, tmp_path, signed, ['dc1-n1'])
    args = dict(dir=ca, requests={'dc1-n1': state['dc1-n1']['request']}, control=['dc1-n1'], installed=[state['dc1-n1']])
    run_module(pki_ca, dict(args, rotation='trust'))
    state = _install(run_module, tmp_path, run_module(pki_ca, args), ['dc1-n1'])
    args['installed'] = [state['dc1-n1']]
    # the request of the key the host has is not signed by the next CA (its daemons would not load that certificate),
    # neither by the sign step nor by a rollout after it
    sign = run_module(pki_ca, dict(args, rotation='sign'))
    assert sign['certs']['dc1-n1'] == signed['certs']['dc1-n1'] and sign['changes'] == ['the next CA signs from now on']
    keep = run_module(pki_ca, args)
    assert not keep['changed'] and keep['certs']['dc1-n1'] == signed['certs']['dc1-n1']
    finish = run_module(pki_ca, dict(args, rotation='finish'))
    assert finish['failed'] and 'do not have their certificate of the next CA installed: dc1-n1' in finish['msg']


def _certs_pem(text):
    return [part for part in text.split('-----END CERTIFICATE-----') if 'BEGIN' in part]

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatUri, parseUri, UriError } from '../src/cli/uri.js';

describe('PKCS#11 URIs (RFC 7512)', () => {
  it('reads path attributes, percent-decoding text and id bytes', () => {
    const u = parseUri('pkcs11:token=My%20Token;object=signer;type=private;id=%01%ab;serial=42;slot-id=3');
    assert.deepEqual({ ...u, id: u.id?.toString('hex') }, {
      token: 'My Token', object: 'signer', type: 'private', id: '01ab', serial: '42', slotId: 3,
    });
  });

  it('reads the RFC\'s examples', () => {
    assert.deepEqual(parseUri('pkcs11:'), {});
    const u = parseUri('pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91;serial=?pin-source=file:/etc/token_pin');
    assert.equal(u.token, 'The Software PKCS#11 Softtoken');
    assert.equal(u.manufacturer, 'Snake Oil, Inc.');
    assert.equal(u.id?.toString('hex'), '69953e5cf4bdec91');
    assert.equal(u.serial, '');
    assert.equal(u.pinSource, 'file:/etc/token_pin');
    assert.equal(parseUri('pkcs11:object=my-sign-key;type=private?module-name=mypkcs11&pin-value=1234').pinValue, '1234');
    assert.equal(parseUri('pkcs11:token=%E2%82%AC').token, '€');
  });

  it('refuses what is not a PKCS#11 URI, or not a well-formed one', () => {
    for (const bad of ['token=x', 'pkcs11:token', 'pkcs11:type=key', 'pkcs11:token=a;token=b', 'pkcs11:id=%zz',
      'pkcs11:slot-id=x', 'pkcs11:colour=red', 'pkcs11:token=%ff']) {
      assert.throws(() => parseUri(bad), UriError, bad);
    }
    // Vendor path attributes and unknown query attributes are allowed.
    assert.deepEqual(parseUri('pkcs11:x-vendor=1?foo=bar'), {});
  });

  it('writes URIs that read back the same, escaping what must be escaped', () => {
    const u = { token: 'a;b/c?d', object: 'key one', type: 'public' as const, id: Buffer.from([0, 0xff, 0x41]), serial: '12%' };
    const text = formatUri(u);
    assert.equal(text, 'pkcs11:serial=12%25;token=a%3bb%2fc%3fd;id=%00%ff%41;object=key%20one;type=public');
    const back = parseUri(text);
    assert.deepEqual({ ...back, id: back.id?.toString('hex') }, { ...u, id: '00ff41' });
    assert.equal(formatUri({ token: 'x', pinSource: 'file:/p' }), 'pkcs11:token=x?pin-source=file:%2fp');
  });
});

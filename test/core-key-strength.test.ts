import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyStrength } from '../src/core/key-strength.js';
import * as K from '../src/pkcs11/constants.js';
import type { AttributeMap } from '../src/pkcs11/attributes.js';

const key = (entries: [number, unknown][]) => new Map(entries) as AttributeMap;
const named = (name: string) => Buffer.concat([Buffer.from([0x13, name.length]), Buffer.from(name, 'latin1')]);

describe('key strength (SP 800-57)', () => {
  it('rates symmetric keys by length, triple DES at 112 and two-key DES at 80', () => {
    assert.equal(keyStrength(key([[K.CKA_KEY_TYPE, K.CKK_AES], [K.CKA_VALUE, Buffer.alloc(16)]])), 128);
    assert.equal(keyStrength(key([[K.CKA_KEY_TYPE, K.CKK_GENERIC_SECRET], [K.CKA_VALUE, Buffer.alloc(64)]])), 256);
    assert.equal(keyStrength(key([[K.CKA_KEY_TYPE, K.CKK_DES3]])), 112);
    assert.equal(keyStrength(key([[K.CKA_KEY_TYPE, K.CKK_DES2]])), 80);
    assert.equal(keyStrength(key([[K.CKA_KEY_TYPE, K.CKK_AES_XTS], [K.CKA_VALUE, Buffer.alloc(64)]])), 256);
  });

  it('rates RSA by modulus size', () => {
    const rsa = (bits: number) => keyStrength(key([[K.CKA_KEY_TYPE, K.CKK_RSA], [K.CKA_MODULUS, Buffer.concat([Buffer.from([0x80]), Buffer.alloc(bits / 8 - 1)])]]));
    assert.deepEqual([rsa(1024), rsa(2048), rsa(3072), rsa(7680), rsa(15360)], [80, 112, 128, 192, 256]);
  });

  it('rates curves given by OID or by any of their names, in any case', () => {
    const ec = (params: Buffer) => keyStrength(key([[K.CKA_KEY_TYPE, K.CKK_EC], [K.CKA_EC_PARAMS, params]]));
    assert.equal(ec(Buffer.from('06082a8648ce3d030107', 'hex')), 128);
    for (const name of ['secp384r1', 'P-384', 'nistp384', 'NISTP384']) assert.equal(ec(named(name)), 192, name);
    assert.equal(keyStrength(key([[K.CKA_KEY_TYPE, K.CKK_EC_EDWARDS], [K.CKA_EC_PARAMS, named('Ed448')]])), 224);
    assert.equal(ec(named('unknown-curve')), 0);
  });

  it('rates post-quantum keys by their NIST category', () => {
    assert.equal(keyStrength(key([[K.CKA_KEY_TYPE, K.CKK_ML_KEM], [K.CKA_PARAMETER_SET, K.CKP_ML_KEM_768]])), 192);
    assert.equal(keyStrength(key([[K.CKA_KEY_TYPE, K.CKK_ML_DSA], [K.CKA_PARAMETER_SET, K.CKP_ML_DSA_87]])), 256);
    assert.equal(keyStrength(key([[K.CKA_KEY_TYPE, K.CKK_SLH_DSA], [K.CKA_PARAMETER_SET, K.CKP_SLH_DSA_SHA2_192F]])), 192);
  });
});

/**
 * CKM_{AES,DES3}_{ECB,CBC}_ENCRYPT_DATA: the derived key is the base key's
 * encryption of the data (SoftHSM has them; graphene-pk11's suite derives
 * with CKM_AES_CBC_ENCRYPT_DATA).
 */
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as K from '../src/pkcs11/constants.js';
import type { CK_ATTRIBUTE } from '../src/pkcs11/types.js';
import { RW, setup, STORE_KINDS, throwsCKR, USER_PIN, type Fixture } from './helpers.js';

let f: Fixture;
let h: number;
before(() => {
  f = setup(STORE_KINDS[0]!);
  h = f.p11.C_OpenSession(f.slot, RW);
  f.p11.C_Login(h, K.CKU_USER, USER_PIN);
});
after(() => f.cleanup());

function secretKey(keyType: number, value: Buffer, extra: CK_ATTRIBUTE[] = []): number {
  return f.p11.C_CreateObject(h, [{ type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: keyType },
    { type: K.CKA_VALUE, value }, { type: K.CKA_DERIVE, value: true }, { type: K.CKA_TOKEN, value: false },
    { type: K.CKA_EXTRACTABLE, value: true }, ...extra]);
}

/** Without a key type the key is a generic secret as long as the ciphertext (the spec's SHA-1 derivation rules). */
const derivedTemplate = (keyType?: number, length?: number): CK_ATTRIBUTE[] => [
  { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_TOKEN, value: false }, { type: K.CKA_EXTRACTABLE, value: true },
  ...(keyType === undefined ? [] : [{ type: K.CKA_KEY_TYPE, value: keyType }]),
  ...(length === undefined ? [] : [{ type: K.CKA_VALUE_LEN, value: length }]),
];

function value(key: number): Buffer {
  return f.p11.C_GetAttributeValue(h, key, [{ type: K.CKA_VALUE }])[0]!.value as Buffer;
}

function encrypt(name: string, key: Buffer, iv: Buffer | null, data: Buffer): Buffer {
  const c = createCipheriv(name, key, iv).setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

describe('key derivation by data encryption', () => {
  const aesKey = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
  const data = Buffer.from('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'hex');
  const iv = Buffer.alloc(16, 0x5a);

  it('AES-ECB: the FIPS-197 example block, and a key of the template\'s length from the leading bytes', () => {
    const base = secretKey(K.CKK_AES, aesKey);
    const block = data.subarray(0, 16);
    const derived = f.p11.C_DeriveKey(h, { mechanism: K.CKM_AES_ECB_ENCRYPT_DATA, parameter: { pData: block } }, base,
      derivedTemplate());
    assert.equal(value(derived).toString('hex'), '69c4e0d86a7b0430d8cdb78070b4c55a');
    const short = f.p11.C_DeriveKey(h, { mechanism: K.CKM_AES_ECB_ENCRYPT_DATA, parameter: { pData: data } }, base,
      derivedTemplate(K.CKK_AES, 16));
    assert.deepEqual(value(short), encrypt('aes-128-ecb', aesKey, null, data).subarray(0, 16));
  });

  it('AES-CBC: the IV and the data from CK_AES_CBC_ENCRYPT_DATA_PARAMS', () => {
    const key = Buffer.alloc(32, 7);
    const base = secretKey(K.CKK_AES, key);
    const derived = f.p11.C_DeriveKey(h, { mechanism: K.CKM_AES_CBC_ENCRYPT_DATA, parameter: { iv, pData: data } }, base,
      derivedTemplate(K.CKK_AES, 32));
    assert.deepEqual(value(derived), encrypt('aes-256-cbc', key, iv, data));
    throwsCKR(() => f.p11.C_DeriveKey(h, { mechanism: K.CKM_AES_CBC_ENCRYPT_DATA, parameter: { iv, pData: data } }, base,
      derivedTemplate(K.CKK_AES)), K.CKR_TEMPLATE_INCOMPLETE, 'an AES key needs CKA_VALUE_LEN');
    throwsCKR(() => f.p11.C_DeriveKey(h, { mechanism: K.CKM_AES_CBC_ENCRYPT_DATA, parameter: { iv, pData: data.subarray(0, 16) } }, base,
      derivedTemplate(K.CKK_AES, 32)), K.CKR_ATTRIBUTE_VALUE_INVALID, 'no longer than the ciphertext');
  });

  it('DES3-ECB and DES3-CBC', () => {
    const key = Buffer.from('0123456789abcdef23456789abcdef01456789abcdef0123', 'hex');
    const base = secretKey(K.CKK_DES3, key);
    const ecb = f.p11.C_DeriveKey(h, { mechanism: K.CKM_DES3_ECB_ENCRYPT_DATA, parameter: { pData: data.subarray(0, 24) } }, base,
      derivedTemplate());
    assert.deepEqual(value(ecb), encrypt('des-ede3-ecb', key, null, data.subarray(0, 24)));
    const cbc = f.p11.C_DeriveKey(h, { mechanism: K.CKM_DES3_CBC_ENCRYPT_DATA, parameter: { iv: iv.subarray(0, 8), pData: data.subarray(0, 16) } },
      base, derivedTemplate());
    assert.deepEqual(value(cbc), encrypt('des-ede3-cbc', key, iv.subarray(0, 8), data.subarray(0, 16)));
  });

  it('refuses data that is not whole blocks, a wrong IV length, a missing parameter and a base key of another type', () => {
    const base = secretKey(K.CKK_AES, aesKey);
    const derive = (mechanism: number, parameter: unknown, key = base) =>
      f.p11.C_DeriveKey(h, { mechanism, parameter }, key, derivedTemplate());
    throwsCKR(() => derive(K.CKM_AES_ECB_ENCRYPT_DATA, { pData: data.subarray(0, 15) }), K.CKR_MECHANISM_PARAM_INVALID);
    throwsCKR(() => derive(K.CKM_AES_ECB_ENCRYPT_DATA, { pData: Buffer.alloc(0) }), K.CKR_MECHANISM_PARAM_INVALID);
    throwsCKR(() => derive(K.CKM_AES_CBC_ENCRYPT_DATA, { iv: iv.subarray(0, 8), pData: data }), K.CKR_MECHANISM_PARAM_INVALID);
    throwsCKR(() => derive(K.CKM_AES_CBC_ENCRYPT_DATA, null), K.CKR_MECHANISM_PARAM_INVALID);
    const generic = secretKey(K.CKK_GENERIC_SECRET, aesKey);
    throwsCKR(() => derive(K.CKM_AES_ECB_ENCRYPT_DATA, { pData: data }, generic), K.CKR_KEY_TYPE_INCONSISTENT);
  });

  it('a sensitive base key makes the derived key sensitive', () => {
    const base = secretKey(K.CKK_AES, aesKey, [{ type: K.CKA_SENSITIVE, value: true }]);
    const derived = f.p11.C_DeriveKey(h, { mechanism: K.CKM_AES_ECB_ENCRYPT_DATA, parameter: { pData: data } }, base,
      [{ type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES }, { type: K.CKA_VALUE_LEN, value: 16 },
        { type: K.CKA_TOKEN, value: false }]);
    const [sensitive] = f.p11.C_GetAttributeValue(h, derived, [{ type: K.CKA_SENSITIVE }]);
    assert.equal(sensitive!.value, true);
  });
});

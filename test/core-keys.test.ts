/** The generic key-management rules of the core, exercised through the AES family. */
import assert from 'node:assert/strict';
import { createCipheriv, createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import * as K from '../src/pkcs11/constants.js';
import type { CK_ATTRIBUTE } from '../src/pkcs11/types.js';
import { RW, setup, STORE_KINDS, throwsCKR, USER_PIN, type Fixture } from './helpers.js';

function session(f: Fixture): number {
  const h = f.p11.C_OpenSession(f.slot, RW);
  f.p11.C_Login(h, K.CKU_USER, USER_PIN);
  return h;
}

const aes = (value: Buffer, extra: CK_ATTRIBUTE[] = []): CK_ATTRIBUTE[] => [
  { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES }, { type: K.CKA_VALUE, value }, ...extra,
];
const get = (f: Fixture, h: number, o: number, type: number) => f.p11.C_GetAttributeValue(h, o, [{ type }])[0]!.value;

describe('key management in the core', () => {
  it('computes the check value of imported keys and refuses a wrong one', () => {
    const f = setup(STORE_KINDS[0]!);
    const h = session(f);
    const value = Buffer.alloc(16, 0x42);
    const kcv = createCipheriv('aes-128-ecb', value, null).update(Buffer.alloc(16)).subarray(0, 3);
    const k = f.p11.C_CreateObject(h, aes(value));
    assert.deepEqual(get(f, h, k, K.CKA_CHECK_VALUE), kcv);
    f.p11.C_CreateObject(h, aes(value, [{ type: K.CKA_CHECK_VALUE, value: kcv }]));
    throwsCKR(() => f.p11.C_CreateObject(h, aes(value, [{ type: K.CKA_CHECK_VALUE, value: Buffer.from('abcdef', 'hex') }])), K.CKR_ATTRIBUTE_VALUE_INVALID);
    const none = f.p11.C_CreateObject(h, aes(value, [{ type: K.CKA_CHECK_VALUE, value: Buffer.alloc(0) }]));
    assert.deepEqual(get(f, h, none, K.CKA_CHECK_VALUE), Buffer.alloc(0));
    f.cleanup();
  });

  it('accepts AES-XTS keys of 32 and 64 bytes only', () => {
    const f = setup(STORE_KINDS[0]!);
    const h = session(f);
    const xts = (n: number) => [
      { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES_XTS }, { type: K.CKA_VALUE, value: Buffer.alloc(n, 1) },
    ];
    f.p11.C_CreateObject(h, xts(32));
    f.p11.C_CreateObject(h, xts(64));
    throwsCKR(() => f.p11.C_CreateObject(h, xts(48)), K.CKR_ATTRIBUTE_VALUE_INVALID);
    f.cleanup();
  });

  it('answers with the wrapping-key codes of the spec', () => {
    const f = setup(STORE_KINDS[0]!);
    const h = session(f);
    const target = f.p11.C_CreateObject(h, aes(Buffer.alloc(16, 1), [{ type: K.CKA_EXTRACTABLE, value: true }]));
    const hmacKey = f.p11.C_CreateObject(h, [
      { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_GENERIC_SECRET },
      { type: K.CKA_VALUE, value: Buffer.alloc(32, 2) }, { type: K.CKA_WRAP, value: true }, { type: K.CKA_UNWRAP, value: true },
    ]);
    throwsCKR(() => f.p11.C_WrapKey(h, { mechanism: K.CKM_AES_KEY_WRAP }, 9999, target), K.CKR_WRAPPING_KEY_HANDLE_INVALID);
    throwsCKR(() => f.p11.C_WrapKey(h, { mechanism: K.CKM_AES_KEY_WRAP }, hmacKey, target), K.CKR_WRAPPING_KEY_TYPE_INCONSISTENT);
    throwsCKR(() => f.p11.C_UnwrapKey(h, { mechanism: K.CKM_AES_KEY_WRAP }, 9999, Buffer.alloc(24), aes(Buffer.alloc(0)).slice(0, 2)), K.CKR_UNWRAPPING_KEY_HANDLE_INVALID);
    throwsCKR(() => f.p11.C_UnwrapKey(h, { mechanism: K.CKM_AES_KEY_WRAP }, hmacKey, Buffer.alloc(24), aes(Buffer.alloc(0)).slice(0, 2)), K.CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT);
    f.cleanup();
  });

  it('cuts an unwrapped secret key to the CKA_VALUE_LEN of the template', () => {
    const f = setup(STORE_KINDS[0]!);
    const h = session(f);
    const kek = f.p11.C_CreateObject(h, aes(Buffer.alloc(32, 3), [{ type: K.CKA_WRAP, value: true }, { type: K.CKA_UNWRAP, value: true }]));
    // A 20-byte secret, zero-padded to two blocks and wrapped with AES-ECB outside the token.
    const secret = Buffer.alloc(20, 7);
    const wrapped = createCipheriv('aes-256-ecb', Buffer.alloc(32, 3), null).setAutoPadding(false).update(Buffer.concat([secret, Buffer.alloc(12)]));
    const template: CK_ATTRIBUTE[] = [
      { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_GENERIC_SECRET }, { type: K.CKA_VALUE_LEN, value: 20 },
      { type: K.CKA_SIGN, value: true },
    ];
    const k = f.p11.C_UnwrapKey(h, { mechanism: K.CKM_AES_ECB }, kek, wrapped, template);
    assert.equal(get(f, h, k, K.CKA_VALUE_LEN), 20);
    assert.equal(get(f, h, k, K.CKA_SENSITIVE), true, 'unwrapped keys are sensitive by default');
    throwsCKR(() => f.p11.C_UnwrapKey(h, { mechanism: K.CKM_AES_ECB }, kek, wrapped, [...template.slice(0, 2), { type: K.CKA_VALUE_LEN, value: 40 }]), K.CKR_WRAPPED_KEY_INVALID);
    f.cleanup();
  });

  it('answers an unwrap whose padding is right but whose key is not as it answers a bad padding', () => {
    const f = setup(STORE_KINDS[0]!);
    const h = session(f);
    const kekValue = Buffer.alloc(32, 5);
    const kek = f.p11.C_CreateObject(h, aes(kekValue, [{ type: K.CKA_UNWRAP, value: true }]));
    const iv = Buffer.alloc(16);
    const cbcPad = (plain: Buffer) => {
      const c = createCipheriv('aes-256-cbc', kekValue, iv);
      return Buffer.concat([c.update(plain), c.final()]);
    };
    const unwrap = (wrapped: Buffer) => f.p11.C_UnwrapKey(h, { mechanism: K.CKM_AES_CBC_PAD, parameter: iv }, kek, wrapped, [
      { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES },
    ]);
    assert.ok(unwrap(cbcPad(Buffer.alloc(16, 1))) > 0);
    // Valid padding, but 20 bytes are no AES key; then a padding that is simply wrong.
    throwsCKR(() => unwrap(cbcPad(Buffer.alloc(20, 1))), K.CKR_WRAPPED_KEY_INVALID);
    const badPadding = cbcPad(Buffer.alloc(16, 1));
    badPadding[badPadding.length - 17]! ^= 0x10;
    throwsCKR(() => unwrap(badPadding), K.CKR_WRAPPED_KEY_INVALID);
    f.cleanup();
  });

  it('answers a handle of an object that is no key as an invalid key handle, in every function that takes a key', () => {
    const f = setup(STORE_KINDS[0]!);
    const h = session(f);
    const data = f.p11.C_CreateObject(h, [{ type: K.CKA_CLASS, value: K.CKO_DATA }, { type: K.CKA_VALUE, value: Buffer.alloc(16, 1) }]);
    const kek = f.p11.C_CreateObject(h, aes(Buffer.alloc(32, 3), [{ type: K.CKA_WRAP, value: true }, { type: K.CKA_UNWRAP, value: true }]));
    const target = f.p11.C_CreateObject(h, aes(Buffer.alloc(16, 4), [{ type: K.CKA_EXTRACTABLE, value: true }, { type: K.CKA_DERIVE, value: true }]));
    throwsCKR(() => f.p11.C_EncryptInit(h, { mechanism: K.CKM_AES_ECB }, data), K.CKR_KEY_HANDLE_INVALID);
    throwsCKR(() => f.p11.C_SignInit(h, { mechanism: K.CKM_SHA256_HMAC }, data), K.CKR_KEY_HANDLE_INVALID);
    throwsCKR(() => f.p11.C_WrapKey(h, { mechanism: K.CKM_AES_KEY_WRAP }, kek, data), K.CKR_KEY_HANDLE_INVALID);
    throwsCKR(() => f.p11.C_WrapKey(h, { mechanism: K.CKM_AES_KEY_WRAP }, data, target), K.CKR_WRAPPING_KEY_HANDLE_INVALID);
    throwsCKR(() => f.p11.C_UnwrapKey(h, { mechanism: K.CKM_AES_KEY_WRAP }, data, Buffer.alloc(24), aes(Buffer.alloc(0)).slice(0, 2)),
      K.CKR_UNWRAPPING_KEY_HANDLE_INVALID);
    throwsCKR(() => f.p11.C_DeriveKey(h, { mechanism: K.CKM_CONCATENATE_BASE_AND_KEY, parameter: data }, target, []), K.CKR_KEY_HANDLE_INVALID);
    throwsCKR(() => f.p11.C_DeriveKey(h, { mechanism: K.CKM_CONCATENATE_BASE_AND_KEY, parameter: target }, data, []), K.CKR_KEY_HANDLE_INVALID);
    f.cleanup();
  });

  it('asks for the PIN again before each use of a CKA_ALWAYS_AUTHENTICATE key', () => {
    const f = setup(STORE_KINDS[0]!);
    const h = session(f);
    const [, priv] = f.p11.C_GenerateKeyPair(h, { mechanism: K.CKM_RSA_PKCS_KEY_PAIR_GEN },
      [{ type: K.CKA_MODULUS_BITS, value: 1024 }], [{ type: K.CKA_ALWAYS_AUTHENTICATE, value: true }]);
    const digestInfo = Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'), Buffer.alloc(32, 1)]);
    f.p11.C_SignInit(h, { mechanism: K.CKM_RSA_PKCS }, priv);
    throwsCKR(() => f.p11.C_Sign(h, digestInfo), K.CKR_USER_NOT_LOGGED_IN);
    throwsCKR(() => f.p11.C_Sign(h, digestInfo), K.CKR_OPERATION_NOT_INITIALIZED, 'the refusal ended the operation');
    f.p11.C_SignInit(h, { mechanism: K.CKM_RSA_PKCS }, priv);
    throwsCKR(() => f.p11.C_Login(h, K.CKU_CONTEXT_SPECIFIC, 'wrong-pin'), K.CKR_PIN_INCORRECT);
    f.p11.C_Login(h, K.CKU_CONTEXT_SPECIFIC, USER_PIN);
    assert.equal(f.p11.C_Sign(h, digestInfo).length, 128);
    // A NULL mechanism ends an operation, as C_SessionCancel would.
    f.p11.C_SignInit(h, null, 0);
    throwsCKR(() => f.p11.C_Sign(h, digestInfo), K.CKR_OPERATION_NOT_INITIALIZED);
    // The next operation asks again.
    f.p11.C_SignInit(h, { mechanism: K.CKM_RSA_PKCS }, priv);
    throwsCKR(() => f.p11.C_Sign(h, digestInfo, null), K.CKR_USER_NOT_LOGGED_IN);
    f.cleanup();
  });

  it('saves and restores multi-part AES-CBC, AES-CTR, AES-ECB and HMAC operations; the key must be the same', () => {
    const f = setup(STORE_KINDS[0]!);
    const h = session(f);
    const h2 = f.p11.C_OpenSession(f.slot, RW);
    const value = Buffer.alloc(16, 0x11);
    const key = f.p11.C_CreateObject(h, aes(value));
    const other = f.p11.C_CreateObject(h, aes(Buffer.alloc(16, 0x22)));
    const data = Buffer.alloc(64, 0x5a);
    const iv = Buffer.alloc(16, 1);
    const cases: [{ mechanism: number; parameter?: unknown }, string][] = [
      [{ mechanism: K.CKM_AES_CBC, parameter: iv }, 'aes-128-cbc'],
      [{ mechanism: K.CKM_AES_ECB }, 'aes-128-ecb'],
    ];
    for (const [mechanism, cipher] of cases) {
      const expected = createCipheriv(cipher, value, mechanism.parameter as Buffer ?? null).setAutoPadding(false).update(data);
      f.p11.C_EncryptInit(h, mechanism, key);
      const first = f.p11.C_EncryptUpdate(h, data.subarray(0, 20));
      const state = f.p11.C_GetOperationState(h);
      throwsCKR(() => f.p11.C_SetOperationState(h2, state), K.CKR_KEY_NEEDED);
      throwsCKR(() => f.p11.C_SetOperationState(h2, state, other), K.CKR_KEY_CHANGED);
      throwsCKR(() => f.p11.C_SetOperationState(h2, state, key, key), K.CKR_KEY_NOT_NEEDED);
      f.p11.C_SetOperationState(h2, state, key);
      const rest = Buffer.concat([f.p11.C_EncryptUpdate(h2, data.subarray(20)), f.p11.C_EncryptFinal(h2)]);
      assert.deepEqual(Buffer.concat([first, rest]), expected, cipher);
      f.p11.C_SessionCancel(h, K.CKF_ENCRYPT);
    }
    const ctr = { mechanism: K.CKM_AES_CTR, parameter: { ulCounterBits: 128, cb: iv } };
    f.p11.C_DecryptInit(h, ctr, key);
    const part = f.p11.C_DecryptUpdate(h, data.subarray(0, 7));
    f.p11.C_SetOperationState(h2, f.p11.C_GetOperationState(h), key);
    const all = Buffer.concat([part, f.p11.C_DecryptUpdate(h2, data.subarray(7)), f.p11.C_DecryptFinal(h2)]);
    assert.deepEqual(all, createCipheriv('aes-128-ctr', value, iv).update(data));
    f.p11.C_SessionCancel(h, K.CKF_DECRYPT);

    const mac = f.p11.C_CreateObject(h, [
      { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_GENERIC_SECRET }, { type: K.CKA_VALUE, value: Buffer.alloc(32, 3) },
    ]);
    f.p11.C_SignInit(h, { mechanism: K.CKM_SHA256_HMAC }, mac);
    f.p11.C_SignUpdate(h, data.subarray(0, 10));
    f.p11.C_SetOperationState(h2, f.p11.C_GetOperationState(h), 0, mac);
    f.p11.C_SignUpdate(h2, data.subarray(10));
    assert.deepEqual(f.p11.C_SignFinal(h2), createHmac('sha256', Buffer.alloc(32, 3)).update(data).digest());
    f.cleanup();
  });

  it('runs the dual-function updates: digest+encrypt, decrypt+digest, sign+encrypt, decrypt+verify', () => {
    const f = setup(STORE_KINDS[0]!);
    const h = session(f);
    const value = Buffer.alloc(16, 9);
    const key = f.p11.C_CreateObject(h, aes(value));
    const mac = f.p11.C_CreateObject(h, [
      { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_GENERIC_SECRET }, { type: K.CKA_VALUE, value: Buffer.alloc(32, 4) },
    ]);
    const data = Buffer.alloc(48, 0x33);
    const iv = Buffer.alloc(16, 2);
    const ecb = createCipheriv('aes-128-ecb', value, null).setAutoPadding(false).update(data);
    const sha = createHash('sha256').update(data).digest();
    const hmac = createHmac('sha256', Buffer.alloc(32, 4)).update(data).digest();

    f.p11.C_DigestInit(h, { mechanism: K.CKM_SHA256 });
    f.p11.C_EncryptInit(h, { mechanism: K.CKM_AES_ECB }, key);
    assert.equal(f.p11.C_DigestEncryptUpdate(h, data, null), 48, 'a length query changes nothing');
    assert.deepEqual(f.p11.C_DigestEncryptUpdate(h, data), ecb);
    assert.deepEqual(f.p11.C_DigestFinal(h), sha);
    f.p11.C_EncryptFinal(h);

    f.p11.C_DecryptInit(h, { mechanism: K.CKM_AES_ECB }, key);
    f.p11.C_DigestInit(h, { mechanism: K.CKM_SHA256 });
    assert.deepEqual(f.p11.C_DecryptDigestUpdate(h, ecb), data);
    assert.deepEqual(f.p11.C_DigestFinal(h), sha);
    f.p11.C_DecryptFinal(h);

    f.p11.C_SignInit(h, { mechanism: K.CKM_SHA256_HMAC }, mac);
    f.p11.C_EncryptInit(h, { mechanism: K.CKM_AES_CBC, parameter: iv }, key);
    const cbc = f.p11.C_SignEncryptUpdate(h, data);
    assert.deepEqual(f.p11.C_SignFinal(h), hmac);
    f.p11.C_EncryptFinal(h);

    f.p11.C_DecryptInit(h, { mechanism: K.CKM_AES_CBC, parameter: iv }, key);
    f.p11.C_VerifyInit(h, { mechanism: K.CKM_SHA256_HMAC }, mac);
    assert.deepEqual(f.p11.C_DecryptVerifyUpdate(h, cbc), data);
    f.p11.C_VerifyFinal(h, hmac);
    f.p11.C_DecryptFinal(h);

    f.p11.C_DecryptInit(h, { mechanism: K.CKM_AES_GCM, parameter: { pIv: Buffer.alloc(12), ulIvBits: 96, pAAD: Buffer.alloc(0), ulTagBits: 128 } }, key);
    f.p11.C_DigestInit(h, { mechanism: K.CKM_SHA256 });
    throwsCKR(() => f.p11.C_DecryptDigestUpdate(h, data), K.CKR_MECHANISM_INVALID, 'AEAD plaintext comes only at the end');
    f.p11.C_SessionCancel(h, K.CKF_DECRYPT | K.CKF_DIGEST);

    throwsCKR(() => f.p11.C_DigestEncryptUpdate(h, data), K.CKR_OPERATION_NOT_INITIALIZED, 'both halves must be active');
    f.p11.C_DigestInit(h, { mechanism: K.CKM_SHA256 });
    throwsCKR(() => f.p11.C_DigestEncryptUpdate(h, data), K.CKR_OPERATION_NOT_INITIALIZED);
    f.cleanup();
  });

  it('applies the base key\'s CKA_DERIVE_TEMPLATE and the wrapping key\'s CKA_WRAP_TEMPLATE', () => {
    const f = setup(STORE_KINDS[0]!);
    const h = session(f);
    const base = f.p11.C_CreateObject(h, [
      { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_GENERIC_SECRET }, { type: K.CKA_VALUE, value: Buffer.alloc(32, 5) },
      { type: K.CKA_DERIVE, value: true }, { type: K.CKA_DERIVE_TEMPLATE, value: [{ type: K.CKA_SENSITIVE, value: true }, { type: K.CKA_SIGN, value: false }] },
    ]);
    const hkdf = { bExtract: true, bExpand: true, prfHashMechanism: K.CKM_SHA256, ulSaltType: K.CKF_HKDF_SALT_NULL, hSaltKey: 0, pInfo: Buffer.alloc(0) };
    const derived = f.p11.C_DeriveKey(h, { mechanism: K.CKM_HKDF_DERIVE, parameter: hkdf }, base, [{ type: K.CKA_VALUE_LEN, value: 16 }]);
    assert.equal(get(f, h, derived, K.CKA_SENSITIVE), true, 'the template applies');
    assert.equal(get(f, h, derived, K.CKA_SIGN), false);
    throwsCKR(() => f.p11.C_DeriveKey(h, { mechanism: K.CKM_HKDF_DERIVE, parameter: hkdf }, base,
      [{ type: K.CKA_VALUE_LEN, value: 16 }, { type: K.CKA_SENSITIVE, value: false }]), K.CKR_TEMPLATE_INCONSISTENT, 'and cannot be contradicted');

    const kek = f.p11.C_CreateObject(h, aes(Buffer.alloc(32, 6), [
      { type: K.CKA_WRAP, value: true }, { type: K.CKA_WRAP_TEMPLATE, value: [{ type: K.CKA_KEY_TYPE, value: K.CKK_AES }] },
    ]));
    const aesKey = f.p11.C_CreateObject(h, aes(Buffer.alloc(16, 7), [{ type: K.CKA_EXTRACTABLE, value: true }]));
    const other = f.p11.C_CreateObject(h, [
      { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_GENERIC_SECRET },
      { type: K.CKA_VALUE, value: Buffer.alloc(16, 8) }, { type: K.CKA_EXTRACTABLE, value: true },
    ]);
    assert.equal(f.p11.C_WrapKey(h, { mechanism: K.CKM_AES_KEY_WRAP }, kek, aesKey).length, 24);
    throwsCKR(() => f.p11.C_WrapKey(h, { mechanism: K.CKM_AES_KEY_WRAP }, kek, other), K.CKR_KEY_NOT_WRAPPABLE);
    const trusted = f.p11.C_CreateObject(h, aes(Buffer.alloc(16, 9), [{ type: K.CKA_EXTRACTABLE, value: true }, { type: K.CKA_WRAP_WITH_TRUSTED, value: true }]));
    throwsCKR(() => f.p11.C_WrapKey(h, { mechanism: K.CKM_AES_KEY_WRAP }, kek, trusted), K.CKR_KEY_NOT_WRAPPABLE, 'only a trusted key may wrap it');
    f.cleanup();
  });
});

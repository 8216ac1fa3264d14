/**
 * Post-quantum private keys through C_WrapKey / C_UnwrapKey as PKCS#8
 * (src/mechanisms/pqc-pkcs8.ts): the unwrapped key signs, verifies or
 * decapsulates as the original; the three ML-DSA/ML-KEM private key forms
 * (seed, expanded, both) are read; malformed or inconsistent encodings are the
 * one answer CKR_WRAPPED_KEY_INVALID.
 */
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as K from '../src/pkcs11/constants.js';
import type { CK_ATTRIBUTE } from '../src/pkcs11/types.js';
import { RW, setup, STORE_KINDS, throwsCKR, USER_PIN, type Fixture } from './helpers.js';

const KEK_VALUE = Buffer.alloc(32, 0x5a);
const KWP = { mechanism: K.CKM_AES_KEY_WRAP_KWP };

let f: Fixture;
let h: number;
let kek: number;

before(() => {
  f = setup(STORE_KINDS[0]!);
  h = f.p11.C_OpenSession(f.slot, RW);
  f.p11.C_Login(h, K.CKU_USER, USER_PIN);
  kek = f.p11.C_CreateObject(h, [
    { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES }, { type: K.CKA_VALUE, value: KEK_VALUE },
    { type: K.CKA_WRAP, value: true }, { type: K.CKA_UNWRAP, value: true },
  ]);
});
after(() => f.cleanup());

/** RFC 5649 wrapping (or unwrapping) done outside the token, to read and make PKCS#8 by hand. */
function kwpOutside(data: Buffer, unwrap = false): Buffer {
  const iv = Buffer.from('a65959a6', 'hex');
  const c = unwrap ? createDecipheriv('id-aes256-wrap-pad', KEK_VALUE, iv) : createCipheriv('id-aes256-wrap-pad', KEK_VALUE, iv);
  return Buffer.concat([c.update(data), c.final()]);
}

function keyPair(mechanism: number, keyType: number, set: number, usage: [number, number]): { pub: number; priv: number } {
  const [publicKey, privateKey] = f.p11.C_GenerateKeyPair(h, { mechanism },
    [{ type: K.CKA_PARAMETER_SET, value: set }, { type: usage[0], value: true }],
    [{ type: usage[1], value: true }, { type: K.CKA_EXTRACTABLE, value: true }]);
  assert.equal(f.p11.C_GetAttributeValue(h, privateKey, [{ type: K.CKA_KEY_TYPE }])[0]!.value, keyType);
  return { pub: publicKey, priv: privateKey };
}

const unwrapTemplate = (keyType: number, usage: number): CK_ATTRIBUTE[] => [
  { type: K.CKA_CLASS, value: K.CKO_PRIVATE_KEY }, { type: K.CKA_KEY_TYPE, value: keyType }, { type: usage, value: true },
];

function signsAs(priv: number, pub: number, mechanism = K.CKM_ML_DSA): void {
  const message = Buffer.from('wrapped and back');
  f.p11.C_SignInit(h, { mechanism }, priv);
  const signature = f.p11.C_Sign(h, message);
  f.p11.C_VerifyInit(h, { mechanism }, pub);
  f.p11.C_Verify(h, message, signature);
}

function value(o: number, type: number): Buffer {
  return f.p11.C_GetAttributeValue(h, o, [{ type }])[0]!.value as Buffer;
}

describe('post-quantum private keys wrapped as PKCS#8', () => {
  it('ML-DSA-65: unwraps to a key that signs as the original, keeping its seed', () => {
    const { pub, priv } = keyPair(K.CKM_ML_DSA_KEY_PAIR_GEN, K.CKK_ML_DSA, K.CKP_ML_DSA_65, [K.CKA_VERIFY, K.CKA_SIGN]);
    const wrapped = f.p11.C_WrapKey(h, KWP, kek, priv);
    const copy = f.p11.C_UnwrapKey(h, KWP, kek, wrapped, unwrapTemplate(K.CKK_ML_DSA, K.CKA_SIGN));
    signsAs(copy, pub);
    assert.equal(f.p11.C_GetAttributeValue(h, copy, [{ type: K.CKA_PARAMETER_SET }])[0]!.value, K.CKP_ML_DSA_65);
    assert.equal(f.p11.C_GetAttributeValue(h, copy, [{ type: K.CKA_SENSITIVE }])[0]!.value, true);
  });

  it('SLH-DSA-SHA2-128f: unwraps to a key that signs as the original', () => {
    const { pub, priv } = keyPair(K.CKM_SLH_DSA_KEY_PAIR_GEN, K.CKK_SLH_DSA, K.CKP_SLH_DSA_SHA2_128F, [K.CKA_VERIFY, K.CKA_SIGN]);
    const copy = f.p11.C_UnwrapKey(h, KWP, kek, f.p11.C_WrapKey(h, KWP, kek, priv), unwrapTemplate(K.CKK_SLH_DSA, K.CKA_SIGN));
    signsAs(copy, pub, K.CKM_SLH_DSA);
    // Its public half is known from the private key alone.
    assert.deepEqual(value(copy, K.CKA_PUBLIC_KEY_INFO), value(pub, K.CKA_PUBLIC_KEY_INFO));
  });

  it('ML-KEM-768: the unwrapped key decapsulates what the public key encapsulated', () => {
    const { pub, priv } = keyPair(K.CKM_ML_KEM_KEY_PAIR_GEN, K.CKK_ML_KEM, K.CKP_ML_KEM_768, [K.CKA_ENCAPSULATE, K.CKA_DECAPSULATE]);
    const copy = f.p11.C_UnwrapKey(h, KWP, kek, f.p11.C_WrapKey(h, KWP, kek, priv), unwrapTemplate(K.CKK_ML_KEM, K.CKA_DECAPSULATE));
    const secretTemplate: CK_ATTRIBUTE[] = [
      { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_GENERIC_SECRET },
      { type: K.CKA_SENSITIVE, value: false }, { type: K.CKA_EXTRACTABLE, value: true },
    ];
    const { ciphertext, hKey } = f.p11.C_EncapsulateKey(h, { mechanism: K.CKM_ML_KEM }, pub, secretTemplate);
    const theirs = f.p11.C_DecapsulateKey(h, { mechanism: K.CKM_ML_KEM }, copy, secretTemplate, ciphertext as Buffer);
    assert.deepEqual(value(theirs, K.CKA_VALUE), value(hKey, K.CKA_VALUE));
  });

  it('reads the seed-only and expanded-only forms, and refuses a seed that does not derive the key', () => {
    const { pub, priv } = keyPair(K.CKM_ML_DSA_KEY_PAIR_GEN, K.CKK_ML_DSA, K.CKP_ML_DSA_44, [K.CKA_VERIFY, K.CKA_SIGN]);
    // What the token wrote, unwrapped outside it: PrivateKeyInfo { 0, { id-ml-dsa-44 }, both { seed, expandedKey } }.
    const [version, algorithm, privateKey] = elements(elements(kwpOutside(f.p11.C_WrapKey(h, KWP, kek, priv), true))[0]!.value);
    assert.deepEqual([version!.tag, algorithm!.tag, privateKey!.tag], [0x02, 0x30, 0x04]);
    assert.deepEqual(elements(algorithm!.value)[0]!.value, Buffer.from('608648016503040311', 'hex'), 'id-ml-dsa-44');
    const both = elements(privateKey!.value)[0]!;
    assert.equal(both.tag, 0x30, 'a key with its seed is written as `both`');
    const [seed, expanded] = elements(both.value).map((e) => e.value) as [Buffer, Buffer];
    assert.deepEqual([seed.length, expanded.length], [32, 2560]);

    const unwrapForm = (field: Buffer) => {
      const info = der(0x30, Buffer.concat([der(0x02, Buffer.of(0)), der(0x30, der(0x06, elements(algorithm!.value)[0]!.value)), der(0x04, field)]));
      return f.p11.C_UnwrapKey(h, KWP, kek, kwpOutside(info), unwrapTemplate(K.CKK_ML_DSA, K.CKA_SIGN));
    };
    signsAs(unwrapForm(der(0x80, seed)), pub);
    signsAs(unwrapForm(der(0x04, expanded)), pub);
    const otherSeed = Buffer.from(seed);
    otherSeed[0]! ^= 1;
    for (const bad of [
      der(0x30, Buffer.concat([der(0x04, otherSeed), der(0x04, expanded)])), // the halves disagree
      der(0x80, seed.subarray(1)), der(0x04, expanded.subarray(1)), der(0x05, Buffer.alloc(0)), Buffer.alloc(0),
      Buffer.concat([der(0x80, seed), Buffer.of(0)]),
    ]) {
      throwsCKR(() => unwrapForm(bad), K.CKR_WRAPPED_KEY_INVALID, bad.toString('hex').slice(0, 20));
    }
  });
});

/** The DER elements one after another in `bytes` (short and long lengths). */
function elements(bytes: Buffer): { tag: number; value: Buffer }[] {
  const out: { tag: number; value: Buffer }[] = [];
  for (let at = 0; at < bytes.length;) {
    const tag = bytes[at]!;
    let length = bytes[at + 1]!;
    let start = at + 2;
    if (length & 0x80) {
      const count = length & 0x7f;
      length = bytes.readUIntBE(start, count);
      start += count;
    }
    out.push({ tag, value: bytes.subarray(start, start + length) });
    at = start + length;
  }
  return out;
}

function der(tag: number, contents: Buffer): Buffer {
  const n = contents.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, contents]);
}

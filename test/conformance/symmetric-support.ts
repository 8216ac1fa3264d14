/**
 * What the symmetric conformance cases share: the Case shape, the fixture (one
 * logged-in user session and the keys the cases use), and the checks of the
 * spec's output conventions (section 5.2).
 */
import assert from 'node:assert/strict';
import { before } from 'node:test';
import * as K from '../../src/pkcs11/constants.js';
import { BufferTooSmallError } from '../../src/pkcs11/error.js';
import type { CK_ATTRIBUTE } from '../../src/pkcs11/types.js';
import { sharedUserSession, throwsCKR, type UserSession } from '../helpers.js';

/** The four tests of one mechanism. */
export interface Case {
  mechanism: number;
  roundTrip(): void;
  wrongKeyOrTamperedData(): void;
  wrongParameter(): void;
  lengthQuery(): void;
}

/** The shared session, set by useSymmetricFixture(); read it inside tests only. */
export let t: UserSession;

export const PT32 = Buffer.from('conformance plaintext, 32 bytes.');
export const PT21 = Buffer.from('twenty-one bytes long');

// ---- shared checks ------------------------------------------------------------------

export const hex = (s: string) => Buffer.from(s, 'hex');
export const bytes = (length: number, seed: number) => Buffer.from(Array.from({ length }, (_, i) => (seed + i * 7) & 0xff));

/** A copy with one bit of byte `at` flipped. */
export function flipped(data: Buffer, at = 0): Buffer {
  const out = Buffer.from(data);
  out[at]! ^= 0x01;
  return out;
}

/**
 * The output convention of spec 5.2 through one single-part call: a NULL
 * buffer answers a length that suffices (`bound`, the exact length where the
 * mechanism knows it) and leaves the operation active; a buffer one byte short
 * answers CKR_BUFFER_TOO_SMALL with the size needed and leaves it active; then
 * the call delivers `exact` bytes, which are returned.
 */
export function queryThenDeliver(call: (out: Buffer | null) => number, exact: number, bound = exact): Buffer {
  assert.equal(call(null), bound, 'the length query');
  const e = throwsCKR(() => call(Buffer.alloc(exact - 1)), K.CKR_BUFFER_TOO_SMALL, 'a buffer one byte short');
  assert.ok(e instanceof BufferTooSmallError);
  assert.equal(e.required, exact);
  const out = Buffer.alloc(bound);
  assert.equal(call(out), exact);
  return out.subarray(0, exact);
}

/** The CKA_VALUE length query of spec 5.2 for C_GetAttributeValue, on an object whose value is readable. */
export function valueByLengthQuery(handle: number, length: number): Buffer {
  const [query] = t.p11.C_GetAttributeValue(t.session, handle, [{ type: K.CKA_VALUE, value: null }]);
  assert.equal(query!.ulValueLen, length, 'the length query on CKA_VALUE');
  const short: CK_ATTRIBUTE = { type: K.CKA_VALUE, value: Buffer.alloc(length - 1), ulValueLen: length - 1 };
  throwsCKR(() => t.p11.C_GetAttributeValue(t.session, handle, [short]), K.CKR_BUFFER_TOO_SMALL);
  assert.equal(short.ulValueLen, K.CK_UNAVAILABLE_INFORMATION);
  return readValue(handle);
}

export function readValue(handle: number): Buffer {
  const [value] = t.p11.C_GetAttributeValue(t.session, handle, [{ type: K.CKA_VALUE }]);
  return value!.value as Buffer;
}

export function attribute(handle: number, type: number): unknown {
  return t.p11.C_GetAttributeValue(t.session, handle, [{ type }])[0]!.value;
}

export function mechanismInfo(mechanism: number) {
  return t.p11.C_GetMechanismInfo(t.p11.C_GetSessionInfo(t.session).slotID, mechanism);
}

const secretKeyTemplate = (keyType: number, value: Buffer, extra: CK_ATTRIBUTE[]): CK_ATTRIBUTE[] => [
  { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: keyType }, { type: K.CKA_VALUE, value }, ...extra,
];
export const on = (...types: number[]): CK_ATTRIBUTE[] => types.map((type) => ({ type, value: true }));
/** A secret key whose value may be read back (and so also derived from by the simple derivations). */
export const READABLE: CK_ATTRIBUTE[] = [{ type: K.CKA_EXTRACTABLE, value: true }, { type: K.CKA_SENSITIVE, value: false }];

// ---- keys ------------------------------------------------------------------------------

/** Sets each byte's low bit so that it has an odd number of ones, as DES keys must (FIPS 46-3). */
const withOddParity = (value: Buffer): Buffer =>
  Buffer.from(value.map((b) => (b & 0xfe) | ((b >> 1).toString(2).split('1').length % 2)));

/** Key values, so that references can be computed from them. */
export const V = {
  aes: bytes(16, 1), aes2: bytes(16, 2), xts: bytes(32, 3), xts2: bytes(32, 4),
  des3: withOddParity(bytes(24, 5)), des3b: withOddParity(bytes(24, 6)),
  chacha: bytes(32, 7), chacha2: bytes(32, 8), generic: bytes(32, 9), generic2: bytes(32, 10), hkdf: bytes(32, 11), target: bytes(16, 12),
};

export interface Keys {
  aes: number; aes2: number; aesDerive: number; aesWrap: number; target: number; xts: number; xts2: number; xtsWrap: number;
  des3: number; des3b: number; des3Wrap: number; des3Derive: number; chacha: number; chacha2: number;
  generic: number; generic2: number; genericNoDerive: number; hkdf: number;
  sha1Hmac: number; sha256Hmac: number; ecPublic: number; ecPrivate: number;
}
export let keys: Keys;

/** Sets up the shared session and the keys the cases use: call once, at the top of the test file. */
export function useSymmetricFixture(): void {
  t = sharedUserSession();
  before(makeKeys);
}

function makeKeys(): void {
  const create = (keyType: number, value: Buffer, extra: CK_ATTRIBUTE[] = []) =>
    t.p11.C_CreateObject(t.session, secretKeyTemplate(keyType, value, extra));
  const macAndDerive = [...on(K.CKA_SIGN, K.CKA_VERIFY, K.CKA_DERIVE), ...READABLE];
  const wrapping = on(K.CKA_WRAP, K.CKA_UNWRAP);
  const P256 = hex('06082a8648ce3d030107');
  const [ecPublic, ecPrivate] = t.p11.C_GenerateKeyPair(t.session, { mechanism: K.CKM_EC_KEY_PAIR_GEN },
    [{ type: K.CKA_EC_PARAMS, value: P256 }], on(K.CKA_SIGN, K.CKA_DERIVE));
  keys = {
    aes: create(K.CKK_AES, V.aes, READABLE), aes2: create(K.CKK_AES, V.aes2), aesDerive: create(K.CKK_AES, V.aes, [...on(K.CKA_DERIVE), ...READABLE]),
    aesWrap: create(K.CKK_AES, V.aes, wrapping),
    target: create(K.CKK_AES, V.target, READABLE),
    xts: create(K.CKK_AES_XTS, V.xts), xts2: create(K.CKK_AES_XTS, V.xts2), xtsWrap: create(K.CKK_AES_XTS, V.xts, wrapping),
    des3: create(K.CKK_DES3, V.des3), des3b: create(K.CKK_DES3, V.des3b), des3Wrap: create(K.CKK_DES3, V.des3, wrapping),
    des3Derive: create(K.CKK_DES3, V.des3, [...on(K.CKA_DERIVE), ...READABLE]),
    chacha: create(K.CKK_CHACHA20, V.chacha), chacha2: create(K.CKK_CHACHA20, V.chacha2),
    generic: create(K.CKK_GENERIC_SECRET, V.generic, macAndDerive), generic2: create(K.CKK_GENERIC_SECRET, V.generic2, macAndDerive),
    genericNoDerive: create(K.CKK_GENERIC_SECRET, V.generic, READABLE),
    hkdf: create(K.CKK_HKDF, V.hkdf, macAndDerive),
    sha1Hmac: create(K.CKK_SHA_1_HMAC, V.generic, macAndDerive), sha256Hmac: create(K.CKK_SHA256_HMAC, V.generic, macAndDerive),
    ecPublic: ecPublic!, ecPrivate: ecPrivate!,
  };
}

/** Whether two handles hold the same AES key: they encrypt a block alike. */
export function sameAesKey(a: number, b: number): boolean {
  const block = bytes(16, 99);
  const encrypt = (h: number) => {
    t.p11.C_EncryptInit(t.session, { mechanism: K.CKM_AES_ECB }, h);
    return t.p11.C_Encrypt(t.session, block);
  };
  return encrypt(a).equals(encrypt(b));
}

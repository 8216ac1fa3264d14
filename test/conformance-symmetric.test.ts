/**
 * Issue 3's acceptance, mechanism by mechanism, for the symmetric half of the
 * registry (the list is test/conformance/symmetric.ts): every mechanism gets
 * the tests 'round trip', 'wrong key or tampered data', 'wrong parameter' and
 * 'length query', built by one case builder per kind of mechanism (digest,
 * MAC, cipher, key generation, key derivation). Published vectors are in the
 * family files (test/mech-*.test.ts); the references here are node:crypto
 * computations over the same key bytes.
 *
 * Where a kind does not literally apply, the builder's comment on it says what
 * stands in for it: a digest has no key and no inverse; a key generation has
 * no output buffer, so its length query is the key-size range and the
 * C_GetAttributeValue length query on the new key's value (spec 5.2).
 */
import assert from 'node:assert/strict';
import { createCipheriv, createHash, createHmac, hkdfSync, pbkdf2Sync } from 'node:crypto';
import { before, describe, it } from 'node:test';
import * as K from '../src/pkcs11/constants.js';
import { BufferTooSmallError } from '../src/pkcs11/error.js';
import { mechanismName } from '../src/pkcs11/names.js';
import type { CK_ATTRIBUTE, CK_MECHANISM } from '../src/pkcs11/types.js';
import { SYMMETRIC_CONFORMANCE } from './conformance/symmetric.js';
import { sharedUserSession, throwsCKR } from './helpers.js';

const t = sharedUserSession();

interface Case {
  mechanism: number;
  roundTrip(): void;
  wrongKeyOrTamperedData(): void;
  wrongParameter(): void;
  lengthQuery(): void;
}

// ---- shared checks ------------------------------------------------------------------

const hex = (s: string) => Buffer.from(s, 'hex');
const bytes = (length: number, seed: number) => Buffer.from(Array.from({ length }, (_, i) => (seed + i * 7) & 0xff));

/** A copy with one bit of byte `at` flipped. */
function flipped(data: Buffer, at = 0): Buffer {
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
function queryThenDeliver(call: (out: Buffer | null) => number, exact: number, bound = exact): Buffer {
  assert.equal(call(null), bound, 'the length query');
  const e = throwsCKR(() => call(Buffer.alloc(exact - 1)), K.CKR_BUFFER_TOO_SMALL, 'a buffer one byte short');
  assert.ok(e instanceof BufferTooSmallError);
  assert.equal(e.required, exact);
  const out = Buffer.alloc(bound);
  assert.equal(call(out), exact);
  return out.subarray(0, exact);
}

/** The CKA_VALUE length query of spec 5.2 for C_GetAttributeValue, on an object whose value is readable. */
function valueByLengthQuery(handle: number, length: number): Buffer {
  const [query] = t.p11.C_GetAttributeValue(t.session, handle, [{ type: K.CKA_VALUE, value: null }]);
  assert.equal(query!.ulValueLen, length, 'the length query on CKA_VALUE');
  const short: CK_ATTRIBUTE = { type: K.CKA_VALUE, value: Buffer.alloc(length - 1), ulValueLen: length - 1 };
  throwsCKR(() => t.p11.C_GetAttributeValue(t.session, handle, [short]), K.CKR_BUFFER_TOO_SMALL);
  assert.equal(short.ulValueLen, K.CK_UNAVAILABLE_INFORMATION);
  return readValue(handle);
}

function readValue(handle: number): Buffer {
  const [value] = t.p11.C_GetAttributeValue(t.session, handle, [{ type: K.CKA_VALUE }]);
  return value!.value as Buffer;
}

function attribute(handle: number, type: number): unknown {
  return t.p11.C_GetAttributeValue(t.session, handle, [{ type }])[0]!.value;
}

function mechanismInfo(mechanism: number) {
  return t.p11.C_GetMechanismInfo(t.p11.C_GetSessionInfo(t.session).slotID, mechanism);
}

const secretKeyTemplate = (keyType: number, value: Buffer, extra: CK_ATTRIBUTE[]): CK_ATTRIBUTE[] => [
  { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: keyType }, { type: K.CKA_VALUE, value }, ...extra,
];
const on = (...types: number[]): CK_ATTRIBUTE[] => types.map((type) => ({ type, value: true }));
/** A secret key whose value may be read back (and so also derived from by the simple derivations). */
const READABLE: CK_ATTRIBUTE[] = [{ type: K.CKA_EXTRACTABLE, value: true }, { type: K.CKA_SENSITIVE, value: false }];

// ---- keys ------------------------------------------------------------------------------

/** Key values, so that references can be computed from them. */
const V = {
  aes: bytes(16, 1), aes2: bytes(16, 2), xts: bytes(32, 3), xts2: bytes(32, 4), des3: bytes(24, 5), des3b: bytes(24, 6),
  chacha: bytes(32, 7), chacha2: bytes(32, 8), generic: bytes(32, 9), generic2: bytes(32, 10), hkdf: bytes(32, 11), target: bytes(16, 12),
};

interface Keys {
  aes: number; aes2: number; aesDerive: number; aesWrap: number; target: number; xts: number; xts2: number; xtsWrap: number;
  des3: number; des3b: number; des3Wrap: number; chacha: number; chacha2: number;
  generic: number; generic2: number; genericNoDerive: number; hkdf: number;
  sha1Hmac: number; sha256Hmac: number; ecPublic: number; ecPrivate: number;
}
let keys: Keys;

before(() => {
  const create = (keyType: number, value: Buffer, extra: CK_ATTRIBUTE[] = []) =>
    t.p11.C_CreateObject(t.session, secretKeyTemplate(keyType, value, extra));
  const macAndDerive = [...on(K.CKA_SIGN, K.CKA_VERIFY, K.CKA_DERIVE), ...READABLE];
  const wrapping = on(K.CKA_WRAP, K.CKA_UNWRAP);
  const P256 = hex('06082a8648ce3d030107');
  const [ecPublic, ecPrivate] = t.p11.C_GenerateKeyPair(t.session, { mechanism: K.CKM_EC_KEY_PAIR_GEN },
    [{ type: K.CKA_EC_PARAMS, value: P256 }], on(K.CKA_SIGN, K.CKA_DERIVE));
  keys = {
    aes: create(K.CKK_AES, V.aes, READABLE), aes2: create(K.CKK_AES, V.aes2), aesDerive: create(K.CKK_AES, V.aes, on(K.CKA_DERIVE)),
    aesWrap: create(K.CKK_AES, V.aes, wrapping),
    target: create(K.CKK_AES, V.target, READABLE),
    xts: create(K.CKK_AES_XTS, V.xts), xts2: create(K.CKK_AES_XTS, V.xts2), xtsWrap: create(K.CKK_AES_XTS, V.xts, wrapping),
    des3: create(K.CKK_DES3, V.des3), des3b: create(K.CKK_DES3, V.des3b), des3Wrap: create(K.CKK_DES3, V.des3, wrapping),
    chacha: create(K.CKK_CHACHA20, V.chacha), chacha2: create(K.CKK_CHACHA20, V.chacha2),
    generic: create(K.CKK_GENERIC_SECRET, V.generic, macAndDerive), generic2: create(K.CKK_GENERIC_SECRET, V.generic2, macAndDerive),
    genericNoDerive: create(K.CKK_GENERIC_SECRET, V.generic, READABLE),
    hkdf: create(K.CKK_HKDF, V.hkdf, macAndDerive),
    sha1Hmac: create(K.CKK_SHA_1_HMAC, V.generic, macAndDerive), sha256Hmac: create(K.CKK_SHA256_HMAC, V.generic, macAndDerive),
    ecPublic: ecPublic!, ecPrivate: ecPrivate!,
  };
});

/** Whether two handles hold the same AES key: they encrypt a block alike. */
function sameAesKey(a: number, b: number): boolean {
  const block = bytes(16, 99);
  const encrypt = (h: number) => {
    t.p11.C_EncryptInit(t.session, { mechanism: K.CKM_AES_ECB }, h);
    return t.p11.C_Encrypt(t.session, block);
  };
  return encrypt(a).equals(encrypt(b));
}

// ---- digests ---------------------------------------------------------------------------

function digestCase(mechanism: number, hash: string, size: number): Case {
  const data = Buffer.from('conformance: data to digest');
  const reference = (d: Buffer) => createHash(hash).update(d).digest();
  const init = (parameter?: unknown) => t.p11.C_DigestInit(t.session, { mechanism, parameter });
  return {
    mechanism,
    // A digest has no inverse: single-part and multi-part both give node:crypto's digest of the same bytes.
    roundTrip() {
      init();
      const once = t.p11.C_Digest(t.session, data);
      assert.deepEqual(once, reference(data));
      init();
      t.p11.C_DigestUpdate(t.session, data.subarray(0, 5));
      t.p11.C_DigestUpdate(t.session, data.subarray(5));
      assert.deepEqual(t.p11.C_DigestFinal(t.session), once);
    },
    // Tampered data gives another digest. The key: C_DigestKey digests a secret key's value,
    // and a public key is CKR_KEY_INDIGESTIBLE, an error that ends the operation.
    wrongKeyOrTamperedData() {
      init();
      const digest = t.p11.C_Digest(t.session, flipped(data));
      assert.equal(digest.length, size);
      assert.notDeepEqual(digest, reference(data));
      init();
      t.p11.C_DigestKey(t.session, keys.aes);
      assert.deepEqual(t.p11.C_DigestFinal(t.session), reference(V.aes));
      init();
      throwsCKR(() => t.p11.C_DigestKey(t.session, keys.ecPublic), K.CKR_KEY_INDIGESTIBLE);
      throwsCKR(() => t.p11.C_DigestFinal(t.session), K.CKR_OPERATION_NOT_INITIALIZED);
    },
    // Digests take no parameter: one given is refused at Init, which starts nothing.
    wrongParameter() {
      throwsCKR(() => init(Buffer.from([1])), K.CKR_MECHANISM_PARAM_INVALID);
      throwsCKR(() => init({ ulMacLength: 4 }), K.CKR_MECHANISM_PARAM_INVALID);
      throwsCKR(() => t.p11.C_Digest(t.session, data), K.CKR_OPERATION_NOT_INITIALIZED);
    },
    lengthQuery() {
      init();
      assert.deepEqual(queryThenDeliver((out) => t.p11.C_Digest(t.session, data, out), size), reference(data));
      throwsCKR(() => t.p11.C_Digest(t.session, data), K.CKR_OPERATION_NOT_INITIALIZED, 'delivering the digest ended the operation');
      init();
      t.p11.C_DigestUpdate(t.session, data);
      assert.deepEqual(queryThenDeliver((out) => t.p11.C_DigestFinal(t.session, out), size), reference(data));
    },
  };
}

// ---- MACs ------------------------------------------------------------------------------

interface MacSpec {
  mechanism: number;
  parameter?: unknown;
  /** The MAC's length in bytes. */
  length: number;
  key(): number;
  /** Another key the mechanism takes, under which the MAC does not verify. */
  otherKey(): number;
  /** Keys of a type the mechanism does not take. */
  wrongTypeKeys(): number[];
  /** node:crypto's MAC of the data under the key's value, where node:crypto has one. */
  reference?(data: Buffer): Buffer;
  badParameters: unknown[];
}

function macCase(spec: MacSpec): Case {
  const data = Buffer.from('conformance: the data to MAC, longer than one block of any cipher');
  const m: CK_MECHANISM = { mechanism: spec.mechanism, parameter: spec.parameter };
  const sign = (d: Buffer) => {
    t.p11.C_SignInit(t.session, m, spec.key());
    return t.p11.C_Sign(t.session, d);
  };
  const verify = (d: Buffer, mac: Buffer, key = spec.key()) => {
    t.p11.C_VerifyInit(t.session, m, key);
    t.p11.C_Verify(t.session, d, mac);
  };
  return {
    mechanism: spec.mechanism,
    roundTrip() {
      const mac = sign(data);
      assert.equal(mac.length, spec.length);
      if (spec.reference) assert.deepEqual(mac, spec.reference(data));
      verify(data, mac);
      t.p11.C_SignInit(t.session, m, spec.key());
      t.p11.C_SignUpdate(t.session, data.subarray(0, 20));
      t.p11.C_SignUpdate(t.session, data.subarray(20));
      assert.deepEqual(t.p11.C_SignFinal(t.session), mac, 'multi-part signing');
      t.p11.C_VerifyInit(t.session, m, spec.key());
      t.p11.C_VerifyUpdate(t.session, data.subarray(0, 20));
      t.p11.C_VerifyUpdate(t.session, data.subarray(20));
      t.p11.C_VerifyFinal(t.session, mac);
    },
    wrongKeyOrTamperedData() {
      const mac = sign(data);
      throwsCKR(() => verify(flipped(data), mac), K.CKR_SIGNATURE_INVALID, 'tampered data');
      throwsCKR(() => verify(data, flipped(mac, mac.length - 1)), K.CKR_SIGNATURE_INVALID, 'tampered MAC');
      throwsCKR(() => verify(data, mac, spec.otherKey()), K.CKR_SIGNATURE_INVALID, 'another key');
      throwsCKR(() => verify(data, mac.subarray(0, mac.length - 1)), K.CKR_SIGNATURE_LEN_RANGE, 'a MAC one byte short');
      throwsCKR(() => verify(data, Buffer.concat([mac, Buffer.alloc(1)])), K.CKR_SIGNATURE_LEN_RANGE, 'a MAC one byte long');
      for (const key of spec.wrongTypeKeys()) {
        throwsCKR(() => t.p11.C_SignInit(t.session, m, key), K.CKR_KEY_TYPE_INCONSISTENT, 'a key of another type');
        throwsCKR(() => t.p11.C_VerifyInit(t.session, m, key), K.CKR_KEY_TYPE_INCONSISTENT, 'a key of another type');
      }
    },
    wrongParameter() {
      for (const parameter of spec.badParameters) {
        const bad = { mechanism: spec.mechanism, parameter };
        throwsCKR(() => t.p11.C_SignInit(t.session, bad, spec.key()), K.CKR_MECHANISM_PARAM_INVALID, JSON.stringify(parameter));
        throwsCKR(() => t.p11.C_VerifyInit(t.session, bad, spec.key()), K.CKR_MECHANISM_PARAM_INVALID, JSON.stringify(parameter));
      }
      throwsCKR(() => t.p11.C_Sign(t.session, data), K.CKR_OPERATION_NOT_INITIALIZED, 'a refused Init starts nothing');
    },
    lengthQuery() {
      const mac = sign(data);
      t.p11.C_SignInit(t.session, m, spec.key());
      assert.deepEqual(queryThenDeliver((out) => t.p11.C_Sign(t.session, data, out), spec.length), mac);
      throwsCKR(() => t.p11.C_Sign(t.session, data), K.CKR_OPERATION_NOT_INITIALIZED, 'delivering the MAC ended the operation');
      t.p11.C_SignInit(t.session, m, spec.key());
      t.p11.C_SignUpdate(t.session, data);
      assert.deepEqual(queryThenDeliver((out) => t.p11.C_SignFinal(t.session, out), spec.length), mac);
    },
  };
}

interface HmacAlg { full: number; general: number; hash: string; size: number; keyType: number }

const HMACS: HmacAlg[] = [
  { full: K.CKM_MD5_HMAC, general: K.CKM_MD5_HMAC_GENERAL, hash: 'md5', size: 16, keyType: K.CKK_MD5_HMAC },
  { full: K.CKM_SHA_1_HMAC, general: K.CKM_SHA_1_HMAC_GENERAL, hash: 'sha1', size: 20, keyType: K.CKK_SHA_1_HMAC },
  { full: K.CKM_SHA224_HMAC, general: K.CKM_SHA224_HMAC_GENERAL, hash: 'sha224', size: 28, keyType: K.CKK_SHA224_HMAC },
  { full: K.CKM_SHA256_HMAC, general: K.CKM_SHA256_HMAC_GENERAL, hash: 'sha256', size: 32, keyType: K.CKK_SHA256_HMAC },
  { full: K.CKM_SHA384_HMAC, general: K.CKM_SHA384_HMAC_GENERAL, hash: 'sha384', size: 48, keyType: K.CKK_SHA384_HMAC },
  { full: K.CKM_SHA512_HMAC, general: K.CKM_SHA512_HMAC_GENERAL, hash: 'sha512', size: 64, keyType: K.CKK_SHA512_HMAC },
  { full: K.CKM_SHA512_224_HMAC, general: K.CKM_SHA512_224_HMAC_GENERAL, hash: 'sha512-224', size: 28, keyType: K.CKK_SHA512_224_HMAC },
  { full: K.CKM_SHA512_256_HMAC, general: K.CKM_SHA512_256_HMAC_GENERAL, hash: 'sha512-256', size: 32, keyType: K.CKK_SHA512_256_HMAC },
  { full: K.CKM_SHA3_224_HMAC, general: K.CKM_SHA3_224_HMAC_GENERAL, hash: 'sha3-224', size: 28, keyType: K.CKK_SHA3_224_HMAC },
  { full: K.CKM_SHA3_256_HMAC, general: K.CKM_SHA3_256_HMAC_GENERAL, hash: 'sha3-256', size: 32, keyType: K.CKK_SHA3_256_HMAC },
  { full: K.CKM_SHA3_384_HMAC, general: K.CKM_SHA3_384_HMAC_GENERAL, hash: 'sha3-384', size: 48, keyType: K.CKK_SHA3_384_HMAC },
  { full: K.CKM_SHA3_512_HMAC, general: K.CKM_SHA3_512_HMAC_GENERAL, hash: 'sha3-512', size: 64, keyType: K.CKK_SHA3_512_HMAC },
];

/**
 * The keys an HMAC takes are generic secrets and its own hash's HMAC keys
 * (spec "General-length HMAC"): an AES key, or another hash's HMAC key, is the wrong type.
 */
function hmacCases(alg: HmacAlg): Case[] {
  const common = {
    key: () => keys.generic,
    otherKey: () => keys.generic2,
    wrongTypeKeys: () => [keys.aes, alg.keyType === K.CKK_SHA_1_HMAC ? keys.sha256Hmac : keys.sha1Hmac],
  };
  const reference = (length: number) => (data: Buffer) => createHmac(alg.hash, V.generic).update(data).digest().subarray(0, length);
  const half = Math.floor(alg.size / 2);
  return [
    // The full-length HMAC has no parameter: a CK_MAC_GENERAL_PARAMS given to it is refused.
    macCase({ ...common, mechanism: alg.full, length: alg.size, reference: reference(alg.size), badParameters: [alg.size, Buffer.from([1, 2])] }),
    // CK_MAC_GENERAL_PARAMS is 1 to the digest length.
    macCase({ ...common, mechanism: alg.general, parameter: half, length: half, reference: reference(half), badParameters: [0, alg.size + 1, undefined] }),
  ];
}

/** node:crypto's AES-CBC-MAC (FIPS 113: zero IV, zero padding), its first `length` bytes. */
function cbcMac(key: Buffer, data: Buffer, length: number): Buffer {
  const padded = Buffer.concat([data, Buffer.alloc((16 - (data.length % 16)) % 16)]);
  const cbc = createCipheriv(`aes-${key.length * 8}-cbc`, key, Buffer.alloc(16)).setAutoPadding(false).update(padded);
  return cbc.subarray(cbc.length - 16, cbc.length - 16 + length);
}

const GMAC_IV = bytes(12, 40);

function gmacReference(data: Buffer): Buffer {
  const gcm = createCipheriv('aes-128-gcm', V.aes, GMAC_IV);
  gcm.setAAD(data);
  gcm.final();
  return gcm.getAuthTag();
}

/** AES MACs take AES keys; the CMAC reference is RFC 4493's vectors in test/mech-cmac.test.ts. */
function aesMacCases(): Case[] {
  const common = { key: () => keys.aes, otherKey: () => keys.aes2, wrongTypeKeys: () => [keys.generic, keys.des3] };
  return [
    macCase({ ...common, mechanism: K.CKM_AES_CMAC, length: 16, badParameters: [16, bytes(16, 0)] }),
    macCase({ ...common, mechanism: K.CKM_AES_CMAC_GENERAL, parameter: 12, length: 12, badParameters: [0, 17, undefined] }),
    // CKM_AES_MAC is half a block (spec "General block cipher mechanisms").
    macCase({ ...common, mechanism: K.CKM_AES_MAC, length: 8, reference: (d) => cbcMac(V.aes, d, 8), badParameters: [8] }),
    macCase({
      ...common, mechanism: K.CKM_AES_MAC_GENERAL, parameter: 5, length: 5, reference: (d) => cbcMac(V.aes, d, 5),
      badParameters: [0, 17, undefined],
    }),
    // GMAC: a CK_GCM_PARAMS whose AAD is empty (the data is the AAD); an IV of 1 byte at least; a GCM tag length.
    macCase({
      ...common, mechanism: K.CKM_AES_GMAC, parameter: { pIv: GMAC_IV, ulTagBits: 128 }, length: 16, reference: gmacReference,
      badParameters: [
        { pIv: Buffer.alloc(0), ulTagBits: 128 }, { pIv: GMAC_IV, ulTagBits: 136 },
        { pIv: GMAC_IV, ulTagBits: 128, pAAD: Buffer.from('aad') }, undefined,
      ],
    }),
  ];
}

// ---- ciphers ---------------------------------------------------------------------------

interface LengthRefusal {
  direction: 'encrypt' | 'decrypt';
  data: Buffer;
  /** Another parameter for this refusal (a CTR counter that would wrap). */
  parameter?: unknown;
}

interface CipherSpec {
  mechanism: number;
  parameter: unknown;
  key(): number;
  /** Another key of the same type. */
  otherKey(): number;
  wrongTypeKeys(): number[];
  /** For the mechanisms that wrap: a wrapping key with the same value as key(). */
  wrappingKey?(): number;
  plaintext: Buffer;
  multiPart: boolean;
  /** Decryption checks integrity (AEAD, key wrap): tampering is CKR_ENCRYPTED_DATA_INVALID. */
  authenticated: boolean;
  /** Input refused for its length alone: CKR_DATA_LEN_RANGE or CKR_ENCRYPTED_DATA_LEN_RANGE. */
  lengthRefusals: LengthRefusal[];
  badParameters: unknown[];
  /** What a decryption's length query answers, where only decrypting tells the exact length (padding). */
  decryptBound?(ciphertextLength: number): number;
}

const UNWRAP_AES_128: CK_ATTRIBUTE[] = [
  { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES }, { type: K.CKA_VALUE_LEN, value: 16 },
];

function cipherCase(spec: CipherSpec): Case {
  const m: CK_MECHANISM = { mechanism: spec.mechanism, parameter: spec.parameter };
  const pt = spec.plaintext;
  const encrypt = (data: Buffer, key = spec.key(), mechanism = m) => {
    t.p11.C_EncryptInit(t.session, mechanism, key);
    return t.p11.C_Encrypt(t.session, data);
  };
  const decrypt = (data: Buffer, key = spec.key(), mechanism = m) => {
    t.p11.C_DecryptInit(t.session, mechanism, key);
    return t.p11.C_Decrypt(t.session, data);
  };
  const wraps = () => (mechanismInfo(spec.mechanism).flags & K.CKF_WRAP) !== 0;
  return {
    mechanism: spec.mechanism,
    roundTrip() {
      const ct = encrypt(pt);
      assert.notDeepEqual(ct.subarray(0, pt.length), pt);
      assert.deepEqual(decrypt(ct), pt);
      if (spec.multiPart) {
        t.p11.C_EncryptInit(t.session, m, spec.key());
        const parts = [t.p11.C_EncryptUpdate(t.session, pt.subarray(0, 7)), t.p11.C_EncryptUpdate(t.session, pt.subarray(7))];
        assert.deepEqual(Buffer.concat([...parts, t.p11.C_EncryptFinal(t.session)]), ct, 'multi-part encryption');
        t.p11.C_DecryptInit(t.session, m, spec.key());
        const back = [t.p11.C_DecryptUpdate(t.session, ct.subarray(0, 9)), t.p11.C_DecryptUpdate(t.session, ct.subarray(9))];
        assert.deepEqual(Buffer.concat([...back, t.p11.C_DecryptFinal(t.session)]), pt, 'multi-part decryption');
      }
      assert.equal(wraps(), spec.wrappingKey !== undefined, 'CKF_WRAP as the mechanism info says');
      if (spec.wrappingKey) {
        const wrapped = t.p11.C_WrapKey(t.session, m, spec.wrappingKey(), keys.target);
        const unwrapped = t.p11.C_UnwrapKey(t.session, m, spec.wrappingKey(), wrapped, UNWRAP_AES_128);
        assert.ok(sameAesKey(unwrapped, keys.target), 'the unwrapped key is the wrapped one');
      }
    },
    wrongKeyOrTamperedData() {
      const ct = encrypt(pt);
      for (const key of spec.wrongTypeKeys()) {
        throwsCKR(() => t.p11.C_EncryptInit(t.session, m, key), K.CKR_KEY_TYPE_INCONSISTENT, 'a key of another type');
        throwsCKR(() => t.p11.C_DecryptInit(t.session, m, key), K.CKR_KEY_TYPE_INCONSISTENT, 'a key of another type');
      }
      if (spec.authenticated) {
        throwsCKR(() => decrypt(flipped(ct)), K.CKR_ENCRYPTED_DATA_INVALID, 'tampered ciphertext');
        throwsCKR(() => decrypt(flipped(ct, ct.length - 1)), K.CKR_ENCRYPTED_DATA_INVALID, 'tampered tag or integrity block');
        throwsCKR(() => decrypt(ct, spec.otherKey()), K.CKR_ENCRYPTED_DATA_INVALID, 'another key');
      } else {
        assert.notDeepEqual(decrypt(flipped(ct)), pt, 'tampered ciphertext');
        // Under another key a padded mode may find bad padding: that is the only error allowed.
        try {
          assert.notDeepEqual(decrypt(ct, spec.otherKey()), pt, 'another key');
        } catch (e) {
          throwsCKR(() => { throw e; }, K.CKR_ENCRYPTED_DATA_INVALID);
        }
      }
      for (const { direction, data, parameter } of spec.lengthRefusals) {
        const mechanism = { mechanism: spec.mechanism, parameter: parameter ?? spec.parameter };
        if (direction === 'encrypt') throwsCKR(() => encrypt(data, spec.key(), mechanism), K.CKR_DATA_LEN_RANGE, `${data.length} bytes`);
        else throwsCKR(() => decrypt(data, spec.key(), mechanism), K.CKR_ENCRYPTED_DATA_LEN_RANGE, `${data.length} bytes`);
      }
    },
    wrongParameter() {
      for (const parameter of spec.badParameters) {
        const bad = { mechanism: spec.mechanism, parameter };
        const what = JSON.stringify(parameter);
        throwsCKR(() => t.p11.C_EncryptInit(t.session, bad, spec.key()), K.CKR_MECHANISM_PARAM_INVALID, what);
        throwsCKR(() => t.p11.C_DecryptInit(t.session, bad, spec.key()), K.CKR_MECHANISM_PARAM_INVALID, what);
        if (spec.wrappingKey) {
          throwsCKR(() => t.p11.C_WrapKey(t.session, bad, spec.wrappingKey!(), keys.target), K.CKR_MECHANISM_PARAM_INVALID, what);
        }
      }
      throwsCKR(() => t.p11.C_Encrypt(t.session, pt), K.CKR_OPERATION_NOT_INITIALIZED, 'a refused Init starts nothing');
    },
    lengthQuery() {
      const ct = encrypt(pt);
      t.p11.C_EncryptInit(t.session, m, spec.key());
      assert.deepEqual(queryThenDeliver((out) => t.p11.C_Encrypt(t.session, pt, out), ct.length), ct);
      throwsCKR(() => t.p11.C_Encrypt(t.session, pt), K.CKR_OPERATION_NOT_INITIALIZED, 'delivering the ciphertext ended the operation');
      t.p11.C_DecryptInit(t.session, m, spec.key());
      const bound = spec.decryptBound?.(ct.length) ?? pt.length;
      assert.deepEqual(queryThenDeliver((out) => t.p11.C_Decrypt(t.session, ct, out), pt.length, bound), pt);
      if (spec.wrappingKey) {
        const wrapped = t.p11.C_WrapKey(t.session, m, spec.wrappingKey(), keys.target);
        const delivered = queryThenDeliver((out) => t.p11.C_WrapKey(t.session, m, spec.wrappingKey!(), keys.target, out), wrapped.length);
        assert.deepEqual(delivered, wrapped);
      }
    },
  };
}

const IV = bytes(16, 50);
const PT32 = Buffer.from('conformance plaintext, 32 bytes.');
const PT21 = Buffer.from('twenty-one bytes long');

/** AES modes take AES keys: the wrong types are a DES3 key and a generic secret. */
const AES_KEYS = {
  key: () => keys.aes, otherKey: () => keys.aes2, wrongTypeKeys: () => [keys.des3, keys.generic], wrappingKey: () => keys.aesWrap,
};

function aesCipherCases(): Case[] {
  const blockRefusals = (unit: number, encrypt: boolean): LengthRefusal[] => [
    ...(encrypt ? [{ direction: 'encrypt' as const, data: bytes(unit + 1, 0) }] : []),
    { direction: 'decrypt', data: bytes(unit + 1, 0) },
  ];
  const gcm = { pIv: bytes(12, 60), pAAD: Buffer.from('header'), ulTagBits: 128 };
  const ccm = { ulDataLen: PT21.length, pNonce: bytes(12, 70), pAAD: Buffer.from('header'), ulMACLen: 16 };
  return [
    cipherCase({
      ...AES_KEYS, mechanism: K.CKM_AES_ECB, parameter: undefined, plaintext: PT32, multiPart: true, authenticated: false,
      lengthRefusals: blockRefusals(16, true), badParameters: [IV],
    }),
    cipherCase({
      ...AES_KEYS, mechanism: K.CKM_AES_CBC, parameter: IV, plaintext: PT32, multiPart: true, authenticated: false,
      lengthRefusals: blockRefusals(16, true), badParameters: [IV.subarray(0, 15), Buffer.concat([IV, IV]), undefined],
    }),
    cipherCase({
      ...AES_KEYS, mechanism: K.CKM_AES_CBC_PAD, parameter: IV, plaintext: PT21, multiPart: true, authenticated: false,
      lengthRefusals: blockRefusals(16, false), badParameters: [IV.subarray(0, 15), undefined],
      decryptBound: (length) => length,
    }),
    // The spec: 0 < ulCounterBits <= 128, else CKR_MECHANISM_PARAM_INVALID; a counter that would wrap is
    // CKR_DATA_LEN_RANGE (2 counter bits starting at 1 leave 3 blocks).
    cipherCase({
      ...AES_KEYS, mechanism: K.CKM_AES_CTR, parameter: { ulCounterBits: 32, cb: IV }, plaintext: PT21, multiPart: true,
      authenticated: false,
      lengthRefusals: [{ direction: 'encrypt', data: bytes(49, 0), parameter: { ulCounterBits: 2, cb: hex('00000000000000000000000000000001') } }],
      badParameters: [{ ulCounterBits: 0, cb: IV }, { ulCounterBits: 129, cb: IV }, { ulCounterBits: 32, cb: IV.subarray(0, 15) }, IV],
    }),
    cipherCase({
      ...AES_KEYS, mechanism: K.CKM_AES_CTS, parameter: IV, plaintext: PT21, multiPart: true, authenticated: false,
      lengthRefusals: [{ direction: 'encrypt', data: bytes(15, 0) }, { direction: 'decrypt', data: bytes(15, 0) }],
      badParameters: [IV.subarray(0, 8), undefined],
    }),
    ...([K.CKM_AES_OFB, K.CKM_AES_CFB8, K.CKM_AES_CFB128] as const).map((mechanism) => cipherCase({
      // Stream modes take any length: nothing is refused for its length alone.
      ...AES_KEYS, mechanism, parameter: IV, plaintext: PT21, multiPart: true, authenticated: false,
      lengthRefusals: [], badParameters: [IV.subarray(0, 12), undefined],
    })),
    // XTS keys are CKK_AES_XTS (two AES keys): an AES key is the wrong type. A data unit is one block at least.
    cipherCase({
      mechanism: K.CKM_AES_XTS, parameter: IV, key: () => keys.xts, otherKey: () => keys.xts2, wrongTypeKeys: () => [keys.aes],
      wrappingKey: () => keys.xtsWrap, plaintext: PT21, multiPart: true, authenticated: false,
      lengthRefusals: [{ direction: 'encrypt', data: bytes(15, 0) }, { direction: 'decrypt', data: bytes(15, 0) }],
      badParameters: [IV.subarray(0, 15), undefined],
    }),
    cipherCase({
      ...AES_KEYS, mechanism: K.CKM_AES_GCM, parameter: gcm, plaintext: PT21, multiPart: true, authenticated: true,
      lengthRefusals: [{ direction: 'decrypt', data: bytes(15, 0) }],
      badParameters: [{ ...gcm, pIv: Buffer.alloc(0) }, { ...gcm, ulTagBits: 136 }, gcm.pIv, undefined],
    }),
    // CCM knows the length up front: data of another length than ulDataLen is refused for its length.
    cipherCase({
      ...AES_KEYS, mechanism: K.CKM_AES_CCM, parameter: ccm, plaintext: PT21, multiPart: true, authenticated: true,
      lengthRefusals: [{ direction: 'encrypt', data: bytes(PT21.length + 1, 0) }, { direction: 'decrypt', data: bytes(PT21.length + 15, 0) }],
      badParameters: [{ ...ccm, pNonce: bytes(6, 0) }, { ...ccm, pNonce: bytes(14, 0) }, { ...ccm, ulMACLen: 5 }, { ...ccm, ulMACLen: 18 }, undefined],
    }),
    // Key wrap (RFC 3394) takes whole semiblocks, two at least; its optional IV is 8 bytes.
    cipherCase({
      ...AES_KEYS, mechanism: K.CKM_AES_KEY_WRAP, parameter: undefined, plaintext: PT32, multiPart: false, authenticated: true,
      lengthRefusals: [
        { direction: 'encrypt', data: bytes(20, 0) }, { direction: 'encrypt', data: bytes(8, 0) },
        { direction: 'decrypt', data: bytes(20, 0) }, { direction: 'decrypt', data: bytes(16, 0) },
      ],
      badParameters: [bytes(7, 0), bytes(16, 0)],
    }),
    // KWP (RFC 5649) pads any non-empty input; its optional IV is 4 bytes. Unwrapping tells the length.
    cipherCase({
      ...AES_KEYS, mechanism: K.CKM_AES_KEY_WRAP_KWP, parameter: undefined, plaintext: PT21, multiPart: false, authenticated: true,
      lengthRefusals: [{ direction: 'encrypt', data: Buffer.alloc(0) }, { direction: 'decrypt', data: bytes(20, 0) }],
      badParameters: [bytes(8, 0), bytes(3, 0)],
      decryptBound: (length) => length - 8,
    }),
  ];
}

function des3CipherCases(): Case[] {
  const des3 = {
    key: () => keys.des3, otherKey: () => keys.des3b, wrongTypeKeys: () => [keys.aes, keys.generic], wrappingKey: () => keys.des3Wrap,
    multiPart: true, authenticated: false,
  };
  const iv = IV.subarray(0, 8);
  const odd = bytes(9, 0);
  return [
    cipherCase({
      ...des3, mechanism: K.CKM_DES3_ECB, parameter: undefined, plaintext: PT32,
      lengthRefusals: [{ direction: 'encrypt', data: odd }, { direction: 'decrypt', data: odd }], badParameters: [iv],
    }),
    cipherCase({
      ...des3, mechanism: K.CKM_DES3_CBC, parameter: iv, plaintext: PT32,
      lengthRefusals: [{ direction: 'encrypt', data: odd }, { direction: 'decrypt', data: odd }], badParameters: [IV, iv.subarray(0, 7), undefined],
    }),
    cipherCase({
      ...des3, mechanism: K.CKM_DES3_CBC_PAD, parameter: iv, plaintext: PT21,
      lengthRefusals: [{ direction: 'decrypt', data: odd }], badParameters: [IV, undefined], decryptBound: (length) => length,
    }),
  ];
}

/** RFC 8439's 96-bit nonce is the variant offered; a 5-byte nonce fits no variant of the spec's. */
function chachaCase(): Case {
  const params = { pNonce: bytes(12, 80), pAAD: Buffer.from('header') };
  return cipherCase({
    mechanism: K.CKM_CHACHA20_POLY1305, parameter: params, key: () => keys.chacha, otherKey: () => keys.chacha2,
    wrongTypeKeys: () => [keys.aes, keys.generic], plaintext: PT21, multiPart: true, authenticated: true,
    lengthRefusals: [{ direction: 'decrypt', data: bytes(15, 0) }],
    badParameters: [{ ...params, pNonce: bytes(5, 0) }, params.pNonce, undefined],
  });
}

// ---- key generation --------------------------------------------------------------------

interface KeyGenSpec {
  mechanism: number;
  parameter?: unknown;
  keyType: number;
  /** The template's request for a key of `length` bytes (CKA_VALUE_LEN...); fixed-length types ask nothing. */
  request(length: number): CK_ATTRIBUTE[];
  /** The length the round trip asks for. */
  length: number;
  /** Whether the key type has CKA_VALUE_LEN (DES keys do not). */
  hasValueLen: boolean;
  /** The key size unit of C_GetMechanismInfo for this mechanism: bytes, or bits (generic secrets). */
  sizeUnit: 1 | 8;
  /** Uses the new key with a mechanism that takes it, against node:crypto over its value. */
  use(handle: number, value: Buffer): void;
  /** CKA_CHECK_VALUE as the key type's section of the spec defines it, where it does. */
  checkValue?(value: Buffer): Buffer;
  /** Templates the spec refuses, with the code. */
  wrongTemplates: [CK_ATTRIBUTE[], number, string][];
  badParameters: unknown[];
}

const GENERATED: CK_ATTRIBUTE[] = [...READABLE, ...on(K.CKA_DERIVE)];

/** The refusals every generation shares (spec C_GenerateKey): a key type or class the mechanism does not make. */
function inconsistentTemplates(spec: Pick<KeyGenSpec, 'request' | 'length'>, otherKeyType: number): [CK_ATTRIBUTE[], number, string][] {
  return [
    [[...spec.request(spec.length), { type: K.CKA_KEY_TYPE, value: otherKeyType }], K.CKR_TEMPLATE_INCONSISTENT, 'another key type'],
    [[...spec.request(spec.length), { type: K.CKA_CLASS, value: K.CKO_DATA }], K.CKR_TEMPLATE_INCONSISTENT, 'another object class'],
  ];
}

function keyGenCase(spec: KeyGenSpec): Case {
  const m: CK_MECHANISM = { mechanism: spec.mechanism, parameter: spec.parameter };
  const generate = (template: CK_ATTRIBUTE[], mechanism = m) => t.p11.C_GenerateKey(t.session, mechanism, [...template, ...GENERATED]);
  return {
    mechanism: spec.mechanism,
    // The generated key carries what the spec computes, and works with a mechanism that takes it.
    roundTrip() {
      const h = generate(spec.request(spec.length));
      assert.equal(attribute(h, K.CKA_CLASS), K.CKO_SECRET_KEY);
      assert.equal(attribute(h, K.CKA_KEY_TYPE), spec.keyType);
      assert.equal(attribute(h, K.CKA_LOCAL), true);
      assert.equal(attribute(h, K.CKA_KEY_GEN_MECHANISM), spec.mechanism);
      const value = readValue(h);
      assert.equal(value.length, spec.length);
      if (spec.hasValueLen) assert.equal(attribute(h, K.CKA_VALUE_LEN), spec.length);
      if (spec.checkValue) assert.deepEqual(attribute(h, K.CKA_CHECK_VALUE), spec.checkValue(value));
      assert.equal(attribute(h, K.CKA_ALWAYS_SENSITIVE), false, 'made readable');
      assert.equal(attribute(h, K.CKA_NEVER_EXTRACTABLE), false, 'made extractable');
      spec.use(h, value);
      const hidden = t.p11.C_GenerateKey(t.session, m, [...spec.request(spec.length), { type: K.CKA_SENSITIVE, value: true }]);
      assert.equal(attribute(hidden, K.CKA_ALWAYS_SENSITIVE), true);
      assert.equal(attribute(hidden, K.CKA_NEVER_EXTRACTABLE), true, 'secret keys default to unextractable');
    },
    // Wrong key: a template for a key this mechanism does not make.
    wrongKeyOrTamperedData() {
      for (const [template, code, what] of spec.wrongTemplates) throwsCKR(() => generate(template), code, what);
    },
    wrongParameter() {
      for (const parameter of spec.badParameters) {
        throwsCKR(() => generate(spec.request(spec.length), { mechanism: spec.mechanism, parameter }), K.CKR_MECHANISM_PARAM_INVALID, JSON.stringify(parameter));
      }
    },
    // No output buffer: the key-size range of C_GetMechanismInfo is what can be generated (each end,
    // and one byte beyond each end refused where the template sets the length), and the new key's
    // value answers the C_GetAttributeValue length query.
    lengthQuery() {
      const info = mechanismInfo(spec.mechanism);
      const [min, max] = [info.ulMinKeySize / spec.sizeUnit, info.ulMaxKeySize / spec.sizeUnit];
      for (const length of new Set([min, max])) {
        const h = generate(spec.request(length));
        assert.equal(valueByLengthQuery(h, length).length, length);
      }
      if (spec.request(min).length > 0) {
        for (const length of [min - 1, max + 1]) {
          throwsCKR(() => generate(spec.request(length)), K.CKR_ATTRIBUTE_VALUE_INVALID, `${length} bytes, outside the range`);
        }
      }
    },
  };
}

const valueLen = (length: number): CK_ATTRIBUTE[] => [{ type: K.CKA_VALUE_LEN, value: length }];
const fixedLength = (): CK_ATTRIBUTE[] => [];
const NO_PARAMETER_ALLOWED = [Buffer.from([1]), 16];

function encryptsLike(handle: number, mechanism: number, nodeCipher: string, value: Buffer, block: number): void {
  const data = bytes(block * 2, 33);
  t.p11.C_EncryptInit(t.session, { mechanism }, handle);
  const expected = createCipheriv(nodeCipher, value, null).setAutoPadding(false).update(data);
  assert.deepEqual(t.p11.C_Encrypt(t.session, data), expected);
}

/** The spec's check values: the first three bytes of a zero block's ECB encryption, or of SHA-1 of the value. */
const ecbCheckValue = (cipher: string, block: number) => (value: Buffer) =>
  createCipheriv(cipher, value, null).setAutoPadding(false).update(Buffer.alloc(block)).subarray(0, 3);
const sha1CheckValue = (value: Buffer) => createHash('sha1').update(value).digest().subarray(0, 3);

function macsLike(handle: number, mechanism: number, hash: string, value: Buffer): void {
  const data = Buffer.from('data');
  t.p11.C_SignInit(t.session, { mechanism }, handle);
  assert.deepEqual(t.p11.C_Sign(t.session, data), createHmac(hash, value).update(data).digest());
}

function keyGenCases(): Case[] {
  const cases: Case[] = [];
  const aes = { request: valueLen, length: 16 };
  cases.push(keyGenCase({
    ...aes, mechanism: K.CKM_AES_KEY_GEN, keyType: K.CKK_AES, hasValueLen: true, sizeUnit: 1,
    use: (h, value) => encryptsLike(h, K.CKM_AES_ECB, 'aes-128-ecb', value, 16), checkValue: ecbCheckValue('aes-128-ecb', 16),
    wrongTemplates: [
      ...inconsistentTemplates(aes, K.CKK_DES3),
      [valueLen(17), K.CKR_ATTRIBUTE_VALUE_INVALID, 'an AES key of 17 bytes'],
      [[], K.CKR_TEMPLATE_INCOMPLETE, 'no CKA_VALUE_LEN'],
    ],
    badParameters: NO_PARAMETER_ALLOWED,
  }));
  const xts = { request: valueLen, length: 32 };
  cases.push(keyGenCase({
    ...xts, mechanism: K.CKM_AES_XTS_KEY_GEN, keyType: K.CKK_AES_XTS, hasValueLen: true, sizeUnit: 1,
    use: (h, value) => {
      assert.notDeepEqual(value.subarray(0, 16), value.subarray(16), 'the halves differ');
      const tweak = bytes(16, 3);
      t.p11.C_EncryptInit(t.session, { mechanism: K.CKM_AES_XTS, parameter: tweak }, h);
      assert.deepEqual(t.p11.C_Encrypt(t.session, PT21), createCipheriv('aes-128-xts', value, tweak).update(PT21));
    },
    wrongTemplates: [
      ...inconsistentTemplates(xts, K.CKK_AES),
      [valueLen(48), K.CKR_ATTRIBUTE_VALUE_INVALID, 'an XTS key of 48 bytes'],
      [[], K.CKR_TEMPLATE_INCOMPLETE, 'no CKA_VALUE_LEN'],
    ],
    badParameters: NO_PARAMETER_ALLOWED,
  }));
  for (const [mechanism, keyType, length, cipher] of [
    [K.CKM_DES2_KEY_GEN, K.CKK_DES2, 16, 'des-ede-ecb'], [K.CKM_DES3_KEY_GEN, K.CKK_DES3, 24, 'des-ede3-ecb'],
  ] as const) {
    const des = { request: fixedLength, length };
    cases.push(keyGenCase({
      ...des, mechanism, keyType, hasValueLen: false, sizeUnit: 1, checkValue: ecbCheckValue(cipher, 8),
      use: (h, value) => {
        for (const byte of value) assert.equal(byte.toString(2).split('1').length % 2, 0, 'odd parity');
        encryptsLike(h, K.CKM_DES3_ECB, cipher, value, 8);
      },
      wrongTemplates: inconsistentTemplates(des, keyType === K.CKK_DES3 ? K.CKK_DES2 : K.CKK_DES3),
      badParameters: NO_PARAMETER_ALLOWED,
    }));
  }
  const chacha = { request: fixedLength, length: 32 };
  cases.push(keyGenCase({
    ...chacha, mechanism: K.CKM_CHACHA20_KEY_GEN, keyType: K.CKK_CHACHA20, hasValueLen: true, sizeUnit: 1, checkValue: sha1CheckValue,
    use: (h, value) => {
      const nonce = bytes(12, 1);
      const data = Buffer.from('chacha data');
      t.p11.C_EncryptInit(t.session, { mechanism: K.CKM_CHACHA20_POLY1305, parameter: { pNonce: nonce } }, h);
      const node = createCipheriv('chacha20-poly1305', value, nonce, { authTagLength: 16 });
      const expected = Buffer.concat([node.update(data), node.final(), node.getAuthTag()]);
      assert.deepEqual(t.p11.C_Encrypt(t.session, data), expected);
    },
    wrongTemplates: [...inconsistentTemplates(chacha, K.CKK_AES), [valueLen(16), K.CKR_ATTRIBUTE_VALUE_INVALID, 'a 16-byte ChaCha20 key']],
    badParameters: NO_PARAMETER_ALLOWED,
  }));
  const generic = { request: valueLen, length: 32 };
  cases.push(keyGenCase({
    ...generic, mechanism: K.CKM_GENERIC_SECRET_KEY_GEN, keyType: K.CKK_GENERIC_SECRET, hasValueLen: true, sizeUnit: 8, checkValue: sha1CheckValue,
    use: (h, value) => macsLike(h, K.CKM_SHA256_HMAC, 'sha256', value),
    wrongTemplates: [...inconsistentTemplates(generic, K.CKK_AES), [[], K.CKR_TEMPLATE_INCOMPLETE, 'no CKA_VALUE_LEN']],
    badParameters: NO_PARAMETER_ALLOWED,
  }));
  // CKM_<hash>_KEY_GEN makes CKK_<hash>_HMAC keys, which that hash's HMAC takes.
  for (const [mechanism, keyType, hmac, hash] of [
    [K.CKM_SHA_1_KEY_GEN, K.CKK_SHA_1_HMAC, K.CKM_SHA_1_HMAC, 'sha1'],
    [K.CKM_SHA224_KEY_GEN, K.CKK_SHA224_HMAC, K.CKM_SHA224_HMAC, 'sha224'],
    [K.CKM_SHA256_KEY_GEN, K.CKK_SHA256_HMAC, K.CKM_SHA256_HMAC, 'sha256'],
    [K.CKM_SHA384_KEY_GEN, K.CKK_SHA384_HMAC, K.CKM_SHA384_HMAC, 'sha384'],
    [K.CKM_SHA512_KEY_GEN, K.CKK_SHA512_HMAC, K.CKM_SHA512_HMAC, 'sha512'],
    [K.CKM_SHA3_224_KEY_GEN, K.CKK_SHA3_224_HMAC, K.CKM_SHA3_224_HMAC, 'sha3-224'],
    [K.CKM_SHA3_256_KEY_GEN, K.CKK_SHA3_256_HMAC, K.CKM_SHA3_256_HMAC, 'sha3-256'],
    [K.CKM_SHA3_384_KEY_GEN, K.CKK_SHA3_384_HMAC, K.CKM_SHA3_384_HMAC, 'sha3-384'],
    [K.CKM_SHA3_512_KEY_GEN, K.CKK_SHA3_512_HMAC, K.CKM_SHA3_512_HMAC, 'sha3-512'],
  ] as const) {
    const spec = { request: valueLen, length: 24 };
    cases.push(keyGenCase({
      ...spec, mechanism, keyType, hasValueLen: true, sizeUnit: 1,
      use: (h, value) => macsLike(h, hmac, hash, value),
      wrongTemplates: [...inconsistentTemplates(spec, K.CKK_GENERIC_SECRET), [[], K.CKR_TEMPLATE_INCOMPLETE, 'no CKA_VALUE_LEN']],
      badParameters: NO_PARAMETER_ALLOWED,
    }));
  }
  const hkdfKey = { request: valueLen, length: 32 };
  cases.push(keyGenCase({
    ...hkdfKey, mechanism: K.CKM_HKDF_KEY_GEN, keyType: K.CKK_HKDF, hasValueLen: true, sizeUnit: 1,
    use: (h, value) => {
      const derived = t.p11.C_DeriveKey(t.session, { mechanism: K.CKM_HKDF_DERIVE, parameter: hkdfParameters() }, h,
        [{ type: K.CKA_VALUE_LEN, value: 20 }, ...READABLE]);
      assert.deepEqual(readValue(derived), hkdfReference(value, 20));
    },
    wrongTemplates: [...inconsistentTemplates(hkdfKey, K.CKK_GENERIC_SECRET), [[], K.CKR_TEMPLATE_INCOMPLETE, 'no CKA_VALUE_LEN']],
    badParameters: NO_PARAMETER_ALLOWED,
  }));
  cases.push(pbkdf2Case());
  return cases;
}

/**
 * PBKDF2 (C_GenerateKey) makes a key of the template's type from a password:
 * the round trip is RFC 8018's function over the same inputs, and its length
 * rules are a derivation's (the type must be named; a length that does not fit it is invalid).
 */
function pbkdf2Case(): Case {
  const parameter = {
    saltSource: K.CKZ_SALT_SPECIFIED, pSaltSourceData: Buffer.from('salt'), iterations: 2, prf: K.CKP_PKCS5_PBKD2_HMAC_SHA256,
    pPassword: Buffer.from('password'),
  };
  const request = (length: number): CK_ATTRIBUTE[] => [{ type: K.CKA_KEY_TYPE, value: K.CKK_GENERIC_SECRET }, ...valueLen(length)];
  return keyGenCase({
    mechanism: K.CKM_PKCS5_PBKD2, parameter, keyType: K.CKK_GENERIC_SECRET, request, length: 32, hasValueLen: true, sizeUnit: 1,
    checkValue: sha1CheckValue,
    use: (h, value) => {
      assert.deepEqual(value, pbkdf2Sync('password', 'salt', 2, 32, 'sha256'));
      macsLike(h, K.CKM_SHA256_HMAC, 'sha256', value);
    },
    wrongTemplates: [
      [valueLen(16), K.CKR_TEMPLATE_INCOMPLETE, 'no key type'],
      [[{ type: K.CKA_KEY_TYPE, value: K.CKK_AES }, ...valueLen(20)], K.CKR_ATTRIBUTE_VALUE_INVALID, 'an AES key of 20 bytes'],
      [[...request(16), { type: K.CKA_CLASS, value: K.CKO_DATA }], K.CKR_TEMPLATE_INCONSISTENT, 'another object class'],
    ],
    badParameters: [
      undefined, { ...parameter, iterations: 0 }, { ...parameter, prf: 0x7fff }, { ...parameter, saltSource: 2 },
      { ...parameter, pPrfData: Buffer.from([1]) }, { ...parameter, pSaltSourceData: undefined },
    ],
  });
}

// ---- key derivation --------------------------------------------------------------------

interface DeriveSpec {
  mechanism: number;
  parameter(): unknown;
  base(): number;
  /** The derived bytes, computed from the key values outside the token. */
  expected(length: number): Buffer;
  /** Base keys the mechanism refuses, with the code. */
  wrongBases(): [number, number, string][];
  /** Another base key it takes: other bytes come out. */
  otherBase?(): number;
  badParameters(): unknown[];
  /** The most bytes it can derive (the token's own limit is 4096). */
  maxLength: number;
  /** CKM_HKDF_DATA: a data object, not a key. */
  dataObject?: true;
}

function deriveCase(spec: DeriveSpec): Case {
  const m = (): CK_MECHANISM => ({ mechanism: spec.mechanism, parameter: spec.parameter() });
  const derive = (template: CK_ATTRIBUTE[], base = spec.base(), mechanism = m()) =>
    t.p11.C_DeriveKey(t.session, mechanism, base, spec.dataObject ? template : [...template, ...READABLE]);
  const aes128: CK_ATTRIBUTE[] = spec.dataObject ? valueLen(16) : [{ type: K.CKA_KEY_TYPE, value: K.CKK_AES }, ...valueLen(16)];
  const genericOf = (length: number) => spec.dataObject ? valueLen(length) : [{ type: K.CKA_KEY_TYPE, value: K.CKK_GENERIC_SECRET }, ...valueLen(length)];
  return {
    mechanism: spec.mechanism,
    // The same derivation twice makes the same key: one encrypts what the other decrypts, and
    // both hold the bytes computed outside the token. HKDF_DATA: its data equals HKDF_DERIVE's key.
    roundTrip() {
      const [a, b] = [derive(aes128), derive(aes128)];
      assert.deepEqual(readValue(a), spec.expected(16));
      if (spec.dataObject) {
        assert.equal(attribute(a, K.CKA_CLASS), K.CKO_DATA);
        const key = t.p11.C_DeriveKey(t.session, { mechanism: K.CKM_HKDF_DERIVE, parameter: spec.parameter() }, spec.base(),
          [...valueLen(16), ...READABLE]);
        assert.deepEqual(readValue(key), readValue(b));
        return;
      }
      assert.equal(attribute(a, K.CKA_LOCAL), false);
      const data = bytes(32, 5);
      t.p11.C_EncryptInit(t.session, { mechanism: K.CKM_AES_ECB }, a);
      const ct = t.p11.C_Encrypt(t.session, data);
      t.p11.C_DecryptInit(t.session, { mechanism: K.CKM_AES_ECB }, b);
      assert.deepEqual(t.p11.C_Decrypt(t.session, ct), data);
    },
    wrongKeyOrTamperedData() {
      for (const [base, code, what] of spec.wrongBases()) throwsCKR(() => derive(aes128, base), code, what);
      throwsCKR(() => derive(aes128, keys.genericNoDerive), K.CKR_KEY_FUNCTION_NOT_PERMITTED, 'a base key without CKA_DERIVE');
      if (spec.otherBase) {
        // The whole output, as the first bytes of some derivations (data first) do not depend on the key.
        const length = Math.min(spec.maxLength, 64);
        assert.notDeepEqual(readValue(derive(genericOf(length), spec.otherBase())), spec.expected(length), 'another base key');
      }
    },
    wrongParameter() {
      for (const parameter of spec.badParameters()) {
        throwsCKR(() => derive(aes128, spec.base(), { mechanism: spec.mechanism, parameter }), K.CKR_MECHANISM_PARAM_INVALID, JSON.stringify(parameter));
      }
    },
    // No output buffer: the new key's value answers the C_GetAttributeValue length query with the
    // CKA_VALUE_LEN asked for; more than the mechanism can derive is refused.
    lengthQuery() {
      const h = derive(genericOf(24));
      assert.deepEqual(valueByLengthQuery(h, 24), spec.expected(24));
      throwsCKR(() => derive(genericOf(spec.maxLength + 1)), K.CKR_ATTRIBUTE_VALUE_INVALID, 'more than it can derive');
      throwsCKR(() => derive(genericOf(0)), K.CKR_ATTRIBUTE_VALUE_INVALID, 'CKA_VALUE_LEN 0');
    },
  };
}

const DATA = bytes(32, 90);

/** Simple derivations take any secret key as base: an EC private key is the wrong type. */
const SIMPLE_WRONG_BASES = (): [number, number, string][] => [[keys.ecPrivate, K.CKR_KEY_TYPE_INCONSISTENT, 'an EC private key']];

function simpleDeriveCases(): Case[] {
  const data = { pData: DATA };
  const stringDataBad = () => [undefined, { pData: Buffer.alloc(0) }, DATA];
  const xor = (a: Buffer, b: Buffer) => Buffer.from(a.map((byte, i) => byte ^ b[i]!));
  return [
    deriveCase({
      mechanism: K.CKM_CONCATENATE_BASE_AND_KEY, parameter: () => keys.generic2, base: () => keys.generic,
      expected: (n) => Buffer.concat([V.generic, V.generic2]).subarray(0, n), maxLength: 64, otherBase: () => keys.hkdf,
      // The second key is checked as a base key is: an EC private key is the wrong type there too.
      wrongBases: () => [...SIMPLE_WRONG_BASES()],
      badParameters: () => [undefined, DATA, { hKey: keys.generic2 }],
    }),
    deriveCase({
      mechanism: K.CKM_CONCATENATE_BASE_AND_DATA, parameter: () => data, base: () => keys.generic,
      expected: (n) => Buffer.concat([V.generic, DATA]).subarray(0, n), maxLength: 64, otherBase: () => keys.hkdf,
      wrongBases: SIMPLE_WRONG_BASES, badParameters: stringDataBad,
    }),
    deriveCase({
      mechanism: K.CKM_CONCATENATE_DATA_AND_BASE, parameter: () => data, base: () => keys.generic,
      expected: (n) => Buffer.concat([DATA, V.generic]).subarray(0, n), maxLength: 64, otherBase: () => keys.hkdf,
      wrongBases: SIMPLE_WRONG_BASES, badParameters: stringDataBad,
    }),
    deriveCase({
      mechanism: K.CKM_XOR_BASE_AND_DATA, parameter: () => data, base: () => keys.generic,
      expected: (n) => xor(V.generic, DATA).subarray(0, n), maxLength: 32, otherBase: () => keys.hkdf,
      wrongBases: SIMPLE_WRONG_BASES, badParameters: stringDataBad,
    }),
    // CK_EXTRACT_PARAMS is a bit index within the key; from bit 16 on is the key rotated by two bytes.
    deriveCase({
      mechanism: K.CKM_EXTRACT_KEY_FROM_KEY, parameter: () => 16, base: () => keys.generic,
      expected: (n) => Buffer.concat([V.generic.subarray(2), V.generic.subarray(0, 2)]).subarray(0, n), maxLength: 32,
      otherBase: () => keys.hkdf, wrongBases: SIMPLE_WRONG_BASES, badParameters: () => [undefined, 256, -1, Buffer.from([16])],
    }),
  ];
}

const HKDF_SALT = Buffer.from('salt');
const HKDF_INFO = Buffer.from('info');

function hkdfParameters(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    bExtract: true, bExpand: true, prfHashMechanism: K.CKM_SHA256, ulSaltType: K.CKF_HKDF_SALT_DATA, pSalt: HKDF_SALT,
    pInfo: HKDF_INFO, ...overrides,
  };
}

function hkdfReference(ikm: Buffer, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, HKDF_SALT, HKDF_INFO, length));
}

/** HKDF takes CKK_HKDF and generic secret keys (spec "HKDF derive"): an AES key is the wrong type. */
function hkdfCases(): Case[] {
  const common = {
    parameter: () => hkdfParameters(), base: () => keys.hkdf, otherBase: () => keys.generic,
    expected: (n: number) => hkdfReference(V.hkdf, n),
    wrongBases: (): [number, number, string][] => [
      [keys.aes, K.CKR_KEY_TYPE_INCONSISTENT, 'an AES key'], [keys.ecPrivate, K.CKR_KEY_TYPE_INCONSISTENT, 'an EC private key'],
    ],
    badParameters: () => [
      undefined, hkdfParameters({ bExtract: false, bExpand: false }), hkdfParameters({ prfHashMechanism: K.CKM_MD5 }),
      hkdfParameters({ prfHashMechanism: K.CKM_AES_ECB }), hkdfParameters({ ulSaltType: 0 }), hkdfParameters({ pSalt: undefined }),
    ],
  };
  return [
    // The token derives keys of at most 4096 bytes; HKDF-SHA256 could give 255 * 32.
    deriveCase({ ...common, mechanism: K.CKM_HKDF_DERIVE, maxLength: 4096 }),
    deriveCase({ ...common, mechanism: K.CKM_HKDF_DATA, maxLength: 255 * 32, dataObject: true }),
  ];
}

type Sp800Mode = 'counter' | 'feedback' | 'pipeline';

const LABEL = Buffer.from('label and context');
const FEEDBACK_IV = bytes(32, 7);

/** SP 800-108 with HMAC-SHA256, computed here: the PRF input is [i]32 || label (counter), K(i-1) || label (feedback, K(0) = IV), A(i) || label (pipeline, A(i) = PRF(A(i-1)), A(0) = label). */
function sp800108Reference(mode: Sp800Mode, key: Buffer, length: number): Buffer {
  const prf = (data: Buffer) => createHmac('sha256', key).update(data).digest();
  const blocks: Buffer[] = [];
  let chained = mode === 'feedback' ? FEEDBACK_IV : LABEL;
  for (let i = 1; blocks.length * 32 < length; i++) {
    let iteration: Buffer;
    if (mode === 'counter') {
      iteration = Buffer.alloc(4);
      iteration.writeUInt32BE(i);
    } else if (mode === 'feedback') {
      iteration = chained;
    } else {
      chained = prf(chained);
      iteration = chained;
    }
    const block = prf(Buffer.concat([iteration, LABEL]));
    if (mode === 'feedback') chained = block;
    blocks.push(block);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** The base key must suit the PRF (spec "SP800-108 Key Derivation"): an AES key for an HMAC PRF, or a ChaCha20 key, is the wrong type. */
function sp800108Cases(): Case[] {
  const modes: [number, Sp800Mode][] = [
    [K.CKM_SP800_108_COUNTER_KDF, 'counter'], [K.CKM_SP800_108_FEEDBACK_KDF, 'feedback'], [K.CKM_SP800_108_DOUBLE_PIPELINE_KDF, 'pipeline'],
  ];
  return modes.map(([mechanism, mode]) => {
    const iteration = mode === 'counter'
      ? { type: K.CK_SP800_108_ITERATION_VARIABLE, pValue: { bLittleEndian: false, ulWidthInBits: 32 } }
      : { type: K.CK_SP800_108_ITERATION_VARIABLE };
    const label = { type: K.CK_SP800_108_BYTE_ARRAY, pValue: LABEL };
    const parameter = (overrides: Record<string, unknown> = {}) => ({
      prfType: K.CKM_SHA256_HMAC, pDataParams: [iteration, label], ...(mode === 'feedback' ? { pIV: FEEDBACK_IV } : {}), ...overrides,
    });
    return deriveCase({
      mechanism, parameter: () => parameter(), base: () => keys.generic, otherBase: () => keys.generic2,
      expected: (n) => sp800108Reference(mode, V.generic, n), maxLength: 4096,
      wrongBases: () => [
        [keys.aesDerive, K.CKR_KEY_TYPE_INCONSISTENT, 'an AES key for an HMAC PRF'], [keys.chacha, K.CKR_KEY_TYPE_INCONSISTENT, 'a ChaCha20 key'],
        [keys.ecPrivate, K.CKR_KEY_TYPE_INCONSISTENT, 'an EC private key'],
      ],
      badParameters: () => [
        undefined, parameter({ prfType: K.CKM_SHA256 }), parameter({ pDataParams: [] }), parameter({ pDataParams: [label] }),
        parameter({ pDataParams: [iteration, iteration, label] }), parameter({ pDataParams: [iteration, { type: K.CK_SP800_108_BYTE_ARRAY, pValue: Buffer.alloc(0) }] }),
        parameter({ pDataParams: [iteration, { type: 0x7fff, pValue: LABEL }] }),
      ],
    });
  });
}

// ---- the table -------------------------------------------------------------------------

const DIGESTS: [number, string, number][] = [
  [K.CKM_MD5, 'md5', 16], [K.CKM_SHA_1, 'sha1', 20], [K.CKM_SHA224, 'sha224', 28], [K.CKM_SHA256, 'sha256', 32],
  [K.CKM_SHA384, 'sha384', 48], [K.CKM_SHA512, 'sha512', 64], [K.CKM_SHA512_224, 'sha512-224', 28], [K.CKM_SHA512_256, 'sha512-256', 32],
  [K.CKM_SHA3_224, 'sha3-224', 28], [K.CKM_SHA3_256, 'sha3-256', 32], [K.CKM_SHA3_384, 'sha3-384', 48], [K.CKM_SHA3_512, 'sha3-512', 64],
];

const CASES: Case[] = [
  ...DIGESTS.map(([mechanism, hash, size]) => digestCase(mechanism, hash, size)),
  ...HMACS.flatMap(hmacCases),
  ...aesMacCases(),
  ...aesCipherCases(),
  ...des3CipherCases(),
  chachaCase(),
  ...keyGenCases(),
  ...simpleDeriveCases(),
  ...hkdfCases(),
  ...sp800108Cases(),
];

describe('the symmetric conformance list', () => {
  it('is exactly the mechanisms below, each once, each in C_GetMechanismList', () => {
    const names = CASES.map((c) => mechanismName(c.mechanism));
    assert.equal(new Set(names).size, names.length, 'no mechanism twice');
    assert.deepEqual([...names].sort(), [...SYMMETRIC_CONFORMANCE].sort());
    const listed = new Set(t.p11.C_GetMechanismList(t.p11.C_GetSessionInfo(t.session).slotID).map(mechanismName));
    for (const name of names) assert.ok(listed.has(name), `${name} is registered`);
  });
});

for (const c of CASES) {
  describe(mechanismName(c.mechanism), () => {
    it('round trip', () => c.roundTrip());
    it('wrong key or tampered data', () => c.wrongKeyOrTamperedData());
    it('wrong parameter', () => c.wrongParameter());
    it('length query', () => c.lengthQuery());
  });
}

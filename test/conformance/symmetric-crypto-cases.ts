/**
 * Conformance cases of the digests, MACs and ciphers: one builder per kind,
 * and the tables of the mechanisms each one covers.
 */
import assert from 'node:assert/strict';
import { createCipheriv, createHash, createHmac } from 'node:crypto';
import * as K from '../../src/pkcs11/constants.js';
import type { CK_ATTRIBUTE, CK_MECHANISM } from '../../src/pkcs11/types.js';
import { throwsCKR } from '../helpers.js';
import {
  bytes, flipped, hex, keys, mechanismInfo, PT21, PT32, queryThenDeliver, sameAesKey, t, V, type Case,
} from './symmetric-support.js';

// ---- digests ---------------------------------------------------------------------------

const DIGESTS: [number, string, number][] = [
  [K.CKM_MD5, 'md5', 16], [K.CKM_SHA_1, 'sha1', 20], [K.CKM_SHA224, 'sha224', 28], [K.CKM_SHA256, 'sha256', 32],
  [K.CKM_SHA384, 'sha384', 48], [K.CKM_SHA512, 'sha512', 64], [K.CKM_SHA512_224, 'sha512-224', 28], [K.CKM_SHA512_256, 'sha512-256', 32],
  [K.CKM_SHA3_224, 'sha3-224', 28], [K.CKM_SHA3_256, 'sha3-256', 32], [K.CKM_SHA3_384, 'sha3-384', 48], [K.CKM_SHA3_512, 'sha3-512', 64],
];

export function digestCases(): Case[] {
  return DIGESTS.map(([mechanism, hash, size]) => digestCase(mechanism, hash, size));
}

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

export function hmacCases(): Case[] {
  return HMACS.flatMap(hmacPair);
}

/**
 * The keys an HMAC takes are generic secrets and its own hash's HMAC keys
 * (spec "General-length HMAC"): an AES key, or another hash's HMAC key, is the wrong type.
 */
function hmacPair(alg: HmacAlg): Case[] {
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
export function aesMacCases(): Case[] {
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

/** AES modes take AES keys: the wrong types are a DES3 key and a generic secret. */
const AES_KEYS = {
  key: () => keys.aes, otherKey: () => keys.aes2, wrongTypeKeys: () => [keys.des3, keys.generic], wrappingKey: () => keys.aesWrap,
};

export function aesCipherCases(): Case[] {
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
    // The deprecated CKM_AES_KEY_WRAP_PAD is RFC 5649 too (as SoftHSM has it).
    cipherCase({
      ...AES_KEYS, mechanism: K.CKM_AES_KEY_WRAP_PAD, parameter: undefined, plaintext: PT21, multiPart: false, authenticated: true,
      lengthRefusals: [{ direction: 'encrypt', data: Buffer.alloc(0) }, { direction: 'decrypt', data: bytes(20, 0) }],
      badParameters: [bytes(8, 0), bytes(3, 0)],
      decryptBound: (length) => length - 8,
    }),
  ];
}

export function des3CipherCases(): Case[] {
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
export function chachaCase(): Case {
  const params = { pNonce: bytes(12, 80), pAAD: Buffer.from('header') };
  return cipherCase({
    mechanism: K.CKM_CHACHA20_POLY1305, parameter: params, key: () => keys.chacha, otherKey: () => keys.chacha2,
    wrongTypeKeys: () => [keys.aes, keys.generic], plaintext: PT21, multiPart: true, authenticated: true,
    lengthRefusals: [{ direction: 'decrypt', data: bytes(15, 0) }],
    badParameters: [{ ...params, pNonce: bytes(5, 0) }, params.pNonce, undefined],
  });
}

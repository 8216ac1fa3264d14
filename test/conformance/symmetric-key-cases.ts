/**
 * Conformance cases of key generation and key derivation: no output buffer
 * and no inverse, so each builder says what stands in for a round trip and a
 * length query; and the tables of the mechanisms each one covers.
 */
import assert from 'node:assert/strict';
import { createCipheriv, createHash, createHmac, hkdfSync, pbkdf2Sync } from 'node:crypto';
import * as K from '../../src/pkcs11/constants.js';
import type { CK_ATTRIBUTE, CK_MECHANISM } from '../../src/pkcs11/types.js';
import { throwsCKR } from '../helpers.js';
import {
  attribute, bytes, keys, mechanismInfo, on, PT21, READABLE, readValue, t, V, valueByLengthQuery, type Case,
} from './symmetric-support.js';

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

export function keyGenCases(): Case[] {
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
  /** A key of a type it takes but without CKA_DERIVE (default: a generic secret key). */
  noDeriveBase?(): number;
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
      const noDerive = spec.noDeriveBase?.() ?? keys.genericNoDerive;
      throwsCKR(() => derive(aes128, noDerive), K.CKR_KEY_FUNCTION_NOT_PERMITTED, 'a base key without CKA_DERIVE');
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

export function simpleDeriveCases(): Case[] {
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

/**
 * Key derivation by data encryption: the base key's ECB or CBC encryption of the data (whole
 * blocks), computed here with node:crypto. A key of another type is the wrong base.
 */
export function encryptDataDeriveCases(): Case[] {
  const encrypt = (cipher: string, key: Buffer, iv: Buffer | null) => {
    const c = createCipheriv(cipher, key, iv).setAutoPadding(false);
    return Buffer.concat([c.update(DATA), c.final()]);
  };
  const aesIv = bytes(16, 3);
  const desIv = bytes(8, 3);
  const wrongBases = (): [number, number, string][] => [
    [keys.generic, K.CKR_KEY_TYPE_INCONSISTENT, 'a generic secret key'], ...SIMPLE_WRONG_BASES(),
  ];
  const ecb = (block: number) => () => [undefined, DATA, { pData: Buffer.alloc(0) }, { pData: DATA.subarray(0, block - 1) }];
  const cbc = (iv: Buffer) => () => [undefined, DATA, { iv, pData: DATA.subarray(0, iv.length + 1) }, { iv: iv.subarray(1), pData: DATA }];
  return [
    deriveCase({
      mechanism: K.CKM_AES_ECB_ENCRYPT_DATA, parameter: () => ({ pData: DATA }), base: () => keys.aesDerive,
      expected: (n) => encrypt('aes-128-ecb', V.aes, null).subarray(0, n), maxLength: DATA.length, wrongBases, badParameters: ecb(16),
      noDeriveBase: () => keys.aes,
    }),
    deriveCase({
      mechanism: K.CKM_AES_CBC_ENCRYPT_DATA, parameter: () => ({ iv: aesIv, pData: DATA }), base: () => keys.aesDerive,
      expected: (n) => encrypt('aes-128-cbc', V.aes, aesIv).subarray(0, n), maxLength: DATA.length, wrongBases, badParameters: cbc(aesIv),
      noDeriveBase: () => keys.aes,
    }),
    deriveCase({
      mechanism: K.CKM_DES3_ECB_ENCRYPT_DATA, parameter: () => ({ pData: DATA }), base: () => keys.des3Derive,
      expected: (n) => encrypt('des-ede3-ecb', V.des3, null).subarray(0, n), maxLength: DATA.length, wrongBases, badParameters: ecb(8),
      noDeriveBase: () => keys.des3,
    }),
    deriveCase({
      mechanism: K.CKM_DES3_CBC_ENCRYPT_DATA, parameter: () => ({ iv: desIv, pData: DATA }), base: () => keys.des3Derive,
      expected: (n) => encrypt('des-ede3-cbc', V.des3, desIv).subarray(0, n), maxLength: DATA.length, wrongBases, badParameters: cbc(desIv),
      noDeriveBase: () => keys.des3,
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
export function hkdfCases(): Case[] {
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
export function sp800108Cases(): Case[] {
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

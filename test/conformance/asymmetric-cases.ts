/**
 * The case builders of the asymmetric conformance suite
 * (test/conformance-asymmetric.test.ts): one per kind of mechanism (signature,
 * encryption, key pair generation, ECDH derivation, ML-KEM encapsulation), each
 * giving the four tests of issue 3's acceptance from a short description of the
 * mechanism, and the key pairs they share (made on first use).
 */
import assert from 'node:assert/strict';
import { createECDH, createHash, createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import * as K from '../../src/pkcs11/constants.js';
import type { CK_ATTRIBUTE, CK_MECHANISM } from '../../src/pkcs11/types.js';
import {
  allObjects, attribute, attributeLengthRules, bytesAttribute, copyWith, deliveredBySpec, flip, lazy, throwsCKR,
  type KeyPair, type UserSession,
} from './fixture.js';

/** The four kinds of test of issue 3's acceptance. */
export interface Conformance {
  roundTrip(): void;
  wrongKeyOrTamperedData(): void;
  wrongParameter(): void;
  lengthQuery(): void;
}

/** The session every case runs in: the suite opens it with userSessionFixture(session). */
export const session = {} as UserSession;
const s = session;

// ---- calls ----------------------------------------------------------------------------------------

export const mech = (mechanism: number, parameter?: unknown): CK_MECHANISM =>
  (parameter === undefined ? { mechanism } : { mechanism, parameter }) as CK_MECHANISM;

export function sign(m: CK_MECHANISM, key: number, data: Buffer): Buffer {
  s.p11.C_SignInit(s.h, m, key);
  return s.p11.C_Sign(s.h, data);
}

function signInParts(m: CK_MECHANISM, key: number, data: Buffer): Buffer {
  s.p11.C_SignInit(s.h, m, key);
  s.p11.C_SignUpdate(s.h, data.subarray(0, 5));
  s.p11.C_SignUpdate(s.h, data.subarray(5));
  return s.p11.C_SignFinal(s.h);
}

export function verify(m: CK_MECHANISM, key: number, data: Buffer, signature: Buffer): void {
  s.p11.C_VerifyInit(s.h, m, key);
  s.p11.C_Verify(s.h, data, signature);
}

/** A failed verification ends the operation (spec, C_Verify: "in any of these cases, the active ... operation is terminated"). */
function verifyFails(m: CK_MECHANISM, key: number, data: Buffer, signature: Buffer, code: number): void {
  s.p11.C_VerifyInit(s.h, m, key);
  throwsCKR(() => s.p11.C_Verify(s.h, data, signature), code);
  throwsCKR(() => s.p11.C_Verify(s.h, data, signature), K.CKR_OPERATION_NOT_INITIALIZED);
}

function encrypt(m: CK_MECHANISM, key: number, data: Buffer): Buffer {
  s.p11.C_EncryptInit(s.h, m, key);
  return s.p11.C_Encrypt(s.h, data);
}

function decrypt(m: CK_MECHANISM, key: number, data: Buffer): Buffer {
  s.p11.C_DecryptInit(s.h, m, key);
  return s.p11.C_Decrypt(s.h, data);
}

export function generatePair(mechanism: number, pub: CK_ATTRIBUTE[], priv: CK_ATTRIBUTE[], parameter?: unknown): KeyPair {
  const [p, q] = s.p11.C_GenerateKeyPair(s.h, mech(mechanism, parameter), pub, priv);
  return { pub: p, priv: q };
}

export const on = (...types: number[]): CK_ATTRIBUTE[] => types.map((type) => ({ type, value: true }));
/** A private key whose value the tests may read, to check results independently. */
export const READABLE: CK_ATTRIBUTE[] = [{ type: K.CKA_SENSITIVE, value: false }, { type: K.CKA_EXTRACTABLE, value: true }];
/** Shared secrets as readable generic secret keys, so both sides can be compared. */
export const SECRET: CK_ATTRIBUTE[] = [
  { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_GENERIC_SECRET }, ...READABLE,
];
export const TOO_LONG_CONTEXT = Buffer.alloc(256, 7);
export const MESSAGE = Buffer.from('conformance: the quick brown fox jumps over the lazy dog');
export const digest = (name: string, data: Buffer, outputLength?: number) =>
  createHash(name, outputLength ? { outputLength } : undefined).update(data).digest();

// ---- keys (made once, by the first test that needs them) --------------------------------------------

const der = (...bytes: number[]) => Buffer.from(bytes);
/** CKA_EC_PARAMS as a curve name: a DER PrintableString. */
export const printable = (name: string) => Buffer.concat([Buffer.from([0x13, name.length]), Buffer.from(name, 'latin1')]);
export const CURVE = {
  p256: der(0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07),
  ed25519: der(0x06, 0x03, 0x2b, 0x65, 0x70),
  ed448: der(0x06, 0x03, 0x2b, 0x65, 0x71),
  x25519: der(0x06, 0x03, 0x2b, 0x65, 0x6e),
  /** A well-formed OBJECT IDENTIFIER (1.2.3.4) that names no curve. */
  unknown: der(0x06, 0x03, 0x2a, 0x03, 0x04),
};

const rsaPair = (bits: number, pub: number[], priv: number[]) =>
  generatePair(K.CKM_RSA_PKCS_KEY_PAIR_GEN, [{ type: K.CKA_MODULUS_BITS, value: bits }, ...on(...pub)], on(...priv));
const RSA_BITS = 2048;
export const RSA_K = RSA_BITS / 8;
export const KEYS = {
  rsa: lazy(() => rsaPair(RSA_BITS, [K.CKA_ENCRYPT, K.CKA_VERIFY, K.CKA_VERIFY_RECOVER], [K.CKA_DECRYPT, K.CKA_SIGN, K.CKA_SIGN_RECOVER])),
  /** Another RSA key: a ciphertext or signature of the first is wrong for it. */
  rsaOther: lazy(() => rsaPair(RSA_BITS, [K.CKA_ENCRYPT, K.CKA_VERIFY], [K.CKA_DECRYPT, K.CKA_SIGN])),
  /** Wrapping keys may not also encrypt (the token's policy against API attacks). */
  rsaWrap: lazy(() => rsaPair(RSA_BITS, [K.CKA_WRAP], [K.CKA_UNWRAP])),
  ec: lazy(() => generatePair(K.CKM_EC_KEY_PAIR_GEN, [{ type: K.CKA_EC_PARAMS, value: CURVE.p256 }, ...on(K.CKA_VERIFY)], on(K.CKA_SIGN))),
  ecOther: lazy(() => generatePair(K.CKM_EC_KEY_PAIR_GEN, [{ type: K.CKA_EC_PARAMS, value: CURVE.p256 }, ...on(K.CKA_VERIFY)], on(K.CKA_SIGN))),
  ecdh: [0, 1, 2].map(() => lazy(() => generatePair(K.CKM_EC_KEY_PAIR_GEN,
    [{ type: K.CKA_EC_PARAMS, value: CURVE.p256 }], [...on(K.CKA_DERIVE), ...READABLE]))),
  x25519: [0, 1].map(() => lazy(() => generatePair(K.CKM_EC_MONTGOMERY_KEY_PAIR_GEN,
    [{ type: K.CKA_EC_PARAMS, value: CURVE.x25519 }], [...on(K.CKA_DERIVE), ...READABLE]))),
  ed25519: lazy(() => generatePair(K.CKM_EC_EDWARDS_KEY_PAIR_GEN, [{ type: K.CKA_EC_PARAMS, value: CURVE.ed25519 }, ...on(K.CKA_VERIFY)], on(K.CKA_SIGN))),
  ed25519Other: lazy(() => generatePair(K.CKM_EC_EDWARDS_KEY_PAIR_GEN, [{ type: K.CKA_EC_PARAMS, value: CURVE.ed25519 }, ...on(K.CKA_VERIFY)], on(K.CKA_SIGN))),
  ed448: lazy(() => generatePair(K.CKM_EC_EDWARDS_KEY_PAIR_GEN, [{ type: K.CKA_EC_PARAMS, value: CURVE.ed448 }, ...on(K.CKA_VERIFY)], on(K.CKA_SIGN))),
  mlKem: [0, 1].map(() => lazy(() => generatePair(K.CKM_ML_KEM_KEY_PAIR_GEN,
    [{ type: K.CKA_PARAMETER_SET, value: K.CKP_ML_KEM_512 }, ...on(K.CKA_ENCAPSULATE)], on(K.CKA_DECAPSULATE)))),
  mlDsa: [0, 1].map(() => lazy(() => generatePair(K.CKM_ML_DSA_KEY_PAIR_GEN,
    [{ type: K.CKA_PARAMETER_SET, value: K.CKP_ML_DSA_44 }, ...on(K.CKA_VERIFY)], on(K.CKA_SIGN)))),
  // The fastest SLH-DSA set: every SLH-DSA mechanism is exercised the same way on any set.
  slhDsa: [0, 1].map(() => lazy(() => generatePair(K.CKM_SLH_DSA_KEY_PAIR_GEN,
    [{ type: K.CKA_PARAMETER_SET, value: K.CKP_SLH_DSA_SHA2_128F }, ...on(K.CKA_VERIFY)], on(K.CKA_SIGN)))),
  aes: lazy(() => s.p11.C_GenerateKey(s.h, mech(K.CKM_AES_KEY_GEN), [{ type: K.CKA_VALUE_LEN, value: 16 }, ...on(K.CKA_ENCRYPT, K.CKA_EXTRACTABLE)])),
};

// ---- signatures ---------------------------------------------------------------------------------------

export interface SignatureSpec {
  mechanism: number;
  keys: () => KeyPair;
  /** Another key pair of the same type: its public key finds the signature invalid. */
  otherKey: () => KeyPair;
  /** A key pair of another type: CKR_KEY_TYPE_INCONSISTENT. */
  otherType: () => KeyPair;
  parameter?: unknown;
  /** Each is CKR_MECHANISM_PARAM_INVALID at C_SignInit and at C_VerifyInit. */
  badParameters: unknown[];
  /** Each is CKR_MECHANISM_PARAM_INVALID at C_SignInit only (verification ignores it). */
  badSignParameters?: unknown[];
  /** What C_Sign takes: a message, or a hash for the mechanisms that take one. */
  data: Buffer;
  /** Input the spec's length table refuses (CKR_DATA_LEN_RANGE). */
  dataTooLong?: Buffer;
  signatureLength: number;
  multiPart: boolean;
  /** Sign with recovery too (CKM_RSA_PKCS, CKM_RSA_X_509): what C_VerifyRecover gives back. */
  recovers?: (data: Buffer) => Buffer;
  /** Whether two signatures of the same data are equal: RFC 8032 EdDSA, or a parameter that asks for it. */
  deterministic?: { parameter?: unknown; equal: boolean }[];
  /** More keys and parameters the round trip covers (other curves, contexts, pre-hash). */
  alsoRoundTrip?: { keys: () => KeyPair; parameter?: unknown; signatureLength: number; data?: Buffer }[];
}

export function signatureCase(spec: SignatureSpec): Conformance {
  const m = () => mech(spec.mechanism, spec.parameter);
  return {
    roundTrip() {
      const { pub, priv } = spec.keys();
      const signature = sign(m(), priv, spec.data);
      assert.equal(signature.length, spec.signatureLength);
      verify(m(), pub, spec.data, signature);
      // PKCS#11 3.2: the signature may also come first.
      s.p11.C_VerifySignatureInit(s.h, m(), pub, signature);
      s.p11.C_VerifySignature(s.h, spec.data);
      if (spec.multiPart) {
        const inParts = signInParts(m(), priv, spec.data);
        verify(m(), pub, spec.data, inParts);
        s.p11.C_VerifyInit(s.h, m(), pub);
        s.p11.C_VerifyUpdate(s.h, spec.data.subarray(0, 3));
        s.p11.C_VerifyUpdate(s.h, spec.data.subarray(3));
        s.p11.C_VerifyFinal(s.h, signature);
      } else {
        s.p11.C_SignInit(s.h, m(), priv);
        throwsCKR(() => s.p11.C_SignUpdate(s.h, spec.data), K.CKR_FUNCTION_NOT_SUPPORTED, 'single-part only');
      }
      if (spec.recovers) {
        s.p11.C_SignRecoverInit(s.h, m(), priv);
        const recoverable = s.p11.C_SignRecover(s.h, spec.data);
        s.p11.C_VerifyRecoverInit(s.h, m(), pub);
        assert.deepEqual(s.p11.C_VerifyRecover(s.h, recoverable), spec.recovers(spec.data));
      }
      for (const { parameter, equal } of spec.deterministic ?? []) {
        const twice = [0, 1].map(() => sign(mech(spec.mechanism, parameter), priv, spec.data));
        assert.equal(twice[0]!.equals(twice[1]!), equal, equal ? 'deterministic signatures' : 'hedged signatures differ');
      }
      for (const also of spec.alsoRoundTrip ?? []) {
        const k = also.keys();
        const other = mech(spec.mechanism, also.parameter);
        const data = also.data ?? spec.data;
        const signed = sign(other, k.priv, data);
        assert.equal(signed.length, also.signatureLength);
        verify(other, k.pub, data, signed);
        verifyFails(other, k.pub, flip(data), signed, K.CKR_SIGNATURE_INVALID);
      }
    },
    wrongKeyOrTamperedData() {
      const { pub, priv } = spec.keys();
      const signature = sign(m(), priv, spec.data);
      verifyFails(m(), pub, flip(spec.data), signature, K.CKR_SIGNATURE_INVALID);
      verifyFails(m(), pub, spec.data, flip(signature, signature.length >> 1), K.CKR_SIGNATURE_INVALID);
      verifyFails(m(), pub, spec.data, Buffer.concat([signature, Buffer.alloc(1)]), K.CKR_SIGNATURE_LEN_RANGE);
      verifyFails(m(), spec.otherKey().pub, spec.data, signature, K.CKR_SIGNATURE_INVALID);
      const other = spec.otherType();
      throwsCKR(() => s.p11.C_SignInit(s.h, m(), other.priv), K.CKR_KEY_TYPE_INCONSISTENT);
      throwsCKR(() => s.p11.C_VerifyInit(s.h, m(), other.pub), K.CKR_KEY_TYPE_INCONSISTENT);
      throwsCKR(() => s.p11.C_SignInit(s.h, m(), pub), K.CKR_KEY_TYPE_INCONSISTENT, 'a public key does not sign');
      throwsCKR(() => s.p11.C_SignInit(s.h, m(), copyWith(s, priv, [{ type: K.CKA_SIGN, value: false }])), K.CKR_KEY_FUNCTION_NOT_PERMITTED);
      throwsCKR(() => s.p11.C_VerifyInit(s.h, m(), copyWith(s, pub, [{ type: K.CKA_VERIFY, value: false }])), K.CKR_KEY_FUNCTION_NOT_PERMITTED);
      if (spec.dataTooLong) {
        s.p11.C_SignInit(s.h, m(), priv);
        throwsCKR(() => s.p11.C_Sign(s.h, spec.dataTooLong!), K.CKR_DATA_LEN_RANGE);
      }
    },
    wrongParameter() {
      const { pub, priv } = spec.keys();
      for (const bad of spec.badParameters) {
        throwsCKR(() => s.p11.C_SignInit(s.h, mech(spec.mechanism, bad), priv), K.CKR_MECHANISM_PARAM_INVALID, `sign with ${String(bad)}`);
        throwsCKR(() => s.p11.C_VerifyInit(s.h, mech(spec.mechanism, bad), pub), K.CKR_MECHANISM_PARAM_INVALID, `verify with ${String(bad)}`);
      }
      for (const bad of spec.badSignParameters ?? []) {
        throwsCKR(() => s.p11.C_SignInit(s.h, mech(spec.mechanism, bad), priv), K.CKR_MECHANISM_PARAM_INVALID);
      }
      // A refused Init starts nothing: the right parameter still works.
      verify(m(), pub, spec.data, sign(m(), priv, spec.data));
    },
    lengthQuery() {
      const { pub, priv } = spec.keys();
      s.p11.C_SignInit(s.h, m(), priv);
      const signature = deliveredBySpec((out) => s.p11.C_Sign(s.h, spec.data, out), true);
      assert.equal(signature.length, spec.signatureLength);
      throwsCKR(() => s.p11.C_Sign(s.h, spec.data), K.CKR_OPERATION_NOT_INITIALIZED, 'a delivered signature ends the operation');
      verify(m(), pub, spec.data, signature);
      if (spec.multiPart) {
        s.p11.C_SignInit(s.h, m(), priv);
        s.p11.C_SignUpdate(s.h, spec.data);
        verify(m(), pub, spec.data, deliveredBySpec((out) => s.p11.C_SignFinal(s.h, out), true));
      }
      if (spec.recovers) {
        s.p11.C_SignRecoverInit(s.h, m(), priv);
        const recoverable = deliveredBySpec((out) => s.p11.C_SignRecover(s.h, spec.data, out), true);
        s.p11.C_VerifyRecoverInit(s.h, m(), pub);
        assert.deepEqual(deliveredBySpec((out) => s.p11.C_VerifyRecover(s.h, recoverable, out), false), spec.recovers(spec.data));
      }
    },
  };
}

// ---- encryption ------------------------------------------------------------------------------------------

export interface EncryptionSpec {
  mechanism: number;
  parameter?: unknown;
  badParameters: unknown[];
  plaintext: Buffer;
  /** The longest plaintext the spec's length table allows. */
  maxPlaintext: number;
  /** What decryption gives back for `plaintext`. */
  decrypted: (plaintext: Buffer) => Buffer;
  /** Padding that detects tampering (PKCS #1 v1.5, OAEP); raw RSA decrypts anything. */
  detectsTampering: boolean;
  wraps: boolean;
  /** A parameter that decrypts to another answer (another OAEP label): CKR_ENCRYPTED_DATA_INVALID. */
  mismatchedParameter?: unknown;
}

function unwrapTemplate(): CK_ATTRIBUTE[] {
  return [{ type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES }, ...on(K.CKA_ENCRYPT)];
}

export function encryptionCase(spec: EncryptionSpec): Conformance {
  const m = () => mech(spec.mechanism, spec.parameter);
  return {
    roundTrip() {
      const { pub, priv } = KEYS.rsa();
      const ciphertext = encrypt(m(), pub, spec.plaintext);
      assert.equal(ciphertext.length, RSA_K);
      assert.deepEqual(decrypt(m(), priv, ciphertext), spec.decrypted(spec.plaintext));
      if (spec.wraps) {
        const wrapping = KEYS.rsaWrap();
        const key = KEYS.aes();
        const wrapped = s.p11.C_WrapKey(s.h, m(), wrapping.pub, key);
        const unwrapped = s.p11.C_UnwrapKey(s.h, m(), wrapping.priv, wrapped, unwrapTemplate());
        assert.deepEqual(bytesAttribute(s, unwrapped, K.CKA_CHECK_VALUE), bytesAttribute(s, key, K.CKA_CHECK_VALUE));
      }
    },
    wrongKeyOrTamperedData() {
      const { pub, priv } = KEYS.rsa();
      const ciphertext = encrypt(m(), pub, spec.plaintext);
      const tampered = flip(ciphertext, ciphertext.length >> 1);
      const fromOtherKey = encrypt(m(), KEYS.rsaOther().pub, spec.plaintext);
      if (spec.detectsTampering) {
        s.p11.C_DecryptInit(s.h, m(), priv);
        throwsCKR(() => s.p11.C_Decrypt(s.h, tampered), K.CKR_ENCRYPTED_DATA_INVALID);
        s.p11.C_DecryptInit(s.h, m(), priv);
        throwsCKR(() => s.p11.C_Decrypt(s.h, fromOtherKey), K.CKR_ENCRYPTED_DATA_INVALID);
      } else {
        assert.notDeepEqual(decrypt(m(), priv, tampered), spec.decrypted(spec.plaintext));
      }
      s.p11.C_DecryptInit(s.h, m(), priv);
      throwsCKR(() => s.p11.C_Decrypt(s.h, ciphertext.subarray(1)), K.CKR_ENCRYPTED_DATA_LEN_RANGE);
      // A block of the modulus's length but not below it (spec: X.509 RSA).
      s.p11.C_DecryptInit(s.h, m(), priv);
      throwsCKR(() => s.p11.C_Decrypt(s.h, Buffer.alloc(RSA_K, 0xff)), K.CKR_ENCRYPTED_DATA_INVALID);
      if (spec.maxPlaintext === RSA_K) {
        s.p11.C_EncryptInit(s.h, m(), pub);
        throwsCKR(() => s.p11.C_Encrypt(s.h, Buffer.alloc(RSA_K, 0xff)), K.CKR_DATA_INVALID);
      }
      s.p11.C_EncryptInit(s.h, m(), pub);
      throwsCKR(() => s.p11.C_Encrypt(s.h, Buffer.alloc(spec.maxPlaintext + 1, 1)), K.CKR_DATA_LEN_RANGE);
      encrypt(m(), pub, Buffer.alloc(spec.maxPlaintext, 0));
      throwsCKR(() => s.p11.C_EncryptInit(s.h, m(), KEYS.ec().pub), K.CKR_KEY_TYPE_INCONSISTENT);
      throwsCKR(() => s.p11.C_DecryptInit(s.h, m(), KEYS.ec().priv), K.CKR_KEY_TYPE_INCONSISTENT);
      throwsCKR(() => s.p11.C_DecryptInit(s.h, m(), copyWith(s, priv, [{ type: K.CKA_DECRYPT, value: false }])), K.CKR_KEY_FUNCTION_NOT_PERMITTED);
      if (spec.wraps) {
        // The unwrapping side answers every malformed wrapped key alike (no padding oracle).
        const wrapped = s.p11.C_WrapKey(s.h, m(), KEYS.rsaWrap().pub, KEYS.aes());
        throwsCKR(() => s.p11.C_UnwrapKey(s.h, m(), KEYS.rsaWrap().priv, flip(wrapped, 100), unwrapTemplate()), K.CKR_WRAPPED_KEY_INVALID);
        // C_WrapKey's list names no code for a key without CKA_WRAP; the spec's general one is this.
        throwsCKR(() => s.p11.C_WrapKey(s.h, m(), pub, KEYS.aes()), K.CKR_KEY_FUNCTION_NOT_PERMITTED);
      }
    },
    wrongParameter() {
      const { pub, priv } = KEYS.rsa();
      for (const bad of spec.badParameters) {
        throwsCKR(() => s.p11.C_EncryptInit(s.h, mech(spec.mechanism, bad), pub), K.CKR_MECHANISM_PARAM_INVALID);
        throwsCKR(() => s.p11.C_DecryptInit(s.h, mech(spec.mechanism, bad), priv), K.CKR_MECHANISM_PARAM_INVALID);
        if (spec.wraps) {
          throwsCKR(() => s.p11.C_WrapKey(s.h, mech(spec.mechanism, bad), KEYS.rsaWrap().pub, KEYS.aes()), K.CKR_MECHANISM_PARAM_INVALID);
        }
      }
      if (spec.mismatchedParameter !== undefined) {
        const ciphertext = encrypt(m(), pub, spec.plaintext);
        s.p11.C_DecryptInit(s.h, mech(spec.mechanism, spec.mismatchedParameter), priv);
        throwsCKR(() => s.p11.C_Decrypt(s.h, ciphertext), K.CKR_ENCRYPTED_DATA_INVALID);
      }
    },
    lengthQuery() {
      const { pub, priv } = KEYS.rsa();
      s.p11.C_EncryptInit(s.h, m(), pub);
      const ciphertext = deliveredBySpec((out) => s.p11.C_Encrypt(s.h, spec.plaintext, out), true);
      assert.equal(ciphertext.length, RSA_K);
      throwsCKR(() => s.p11.C_Encrypt(s.h, spec.plaintext), K.CKR_OPERATION_NOT_INITIALIZED);
      s.p11.C_DecryptInit(s.h, m(), priv);
      assert.deepEqual(deliveredBySpec((out) => s.p11.C_Decrypt(s.h, ciphertext, out), false), spec.decrypted(spec.plaintext));
      if (spec.wraps) {
        const wrapped = deliveredBySpec((out) => s.p11.C_WrapKey(s.h, m(), KEYS.rsaWrap().pub, KEYS.aes(), out), true);
        assert.equal(wrapped.length, RSA_K);
      }
    },
  };
}

/** A mechanism with several functions gets each kind of test for each of them. */
export function together(...cases: Conformance[]): Conformance {
  return {
    roundTrip: () => cases.forEach((c) => c.roundTrip()),
    wrongKeyOrTamperedData: () => cases.forEach((c) => c.wrongKeyOrTamperedData()),
    wrongParameter: () => cases.forEach((c) => c.wrongParameter()),
    lengthQuery: () => cases.forEach((c) => c.lengthQuery()),
  };
}

// ---- key pair generation ------------------------------------------------------------------------------------

export interface KeyGenSpec {
  mechanism: number;
  publicTemplate: CK_ATTRIBUTE[];
  privateTemplate: CK_ATTRIBUTE[];
  /** The attributes the spec makes the mechanism compute, and a use of the new pair. */
  check(pair: KeyPair): void;
  /** Templates the spec refuses, and its code for each. */
  badTemplates: { what: string; pub: CK_ATTRIBUTE[]; priv?: CK_ATTRIBUTE[]; code: number }[];
  /** Readable attributes of the new public key and their lengths. */
  lengths: [type: number, length: number][];
  /** CKA_PUBLIC_KEY_INFO has a form node:crypto reads (not the post-quantum keys on Node 20). */
  spkiReadable: boolean;
  /** The private key's secret attribute, hidden when sensitive: CKA_VALUE but for RSA. */
  secret?: number;
}

export function keyGenCase(spec: KeyGenSpec): Conformance {
  const generate = () => generatePair(spec.mechanism, spec.publicTemplate, spec.privateTemplate);
  return {
    roundTrip() {
      const pair = generate();
      for (const [key, cls] of [[pair.pub, K.CKO_PUBLIC_KEY], [pair.priv, K.CKO_PRIVATE_KEY]] as const) {
        assert.equal(attribute(s, key, K.CKA_CLASS), cls);
        assert.equal(attribute(s, key, K.CKA_LOCAL), true, 'a generated key is CKA_LOCAL');
        assert.equal(attribute(s, key, K.CKA_KEY_GEN_MECHANISM), spec.mechanism);
      }
      // Sensitive and unextractable from birth (the token's defaults for private keys).
      assert.equal(attribute(s, pair.priv, K.CKA_ALWAYS_SENSITIVE), true);
      assert.equal(attribute(s, pair.priv, K.CKA_NEVER_EXTRACTABLE), true);
      throwsCKR(() => s.p11.C_GetAttributeValue(s.h, pair.priv, [{ type: spec.secret ?? K.CKA_VALUE }]), K.CKR_ATTRIBUTE_SENSITIVE);
      const info = bytesAttribute(s, pair.pub, K.CKA_PUBLIC_KEY_INFO);
      assert.deepEqual(bytesAttribute(s, pair.priv, K.CKA_PUBLIC_KEY_INFO), info, 'both keys carry the public key info');
      if (spec.spkiReadable) createPublicKey({ key: info, format: 'der', type: 'spki' });
      spec.check(pair);
    },
    wrongKeyOrTamperedData() {
      // Spec (C_GenerateKeyPair): a key type the mechanism does not make is CKR_TEMPLATE_INCONSISTENT.
      const otherKeyType = [{ type: K.CKA_KEY_TYPE, value: K.CKK_AES }];
      const inconsistent = [
        { what: 'a public key type the mechanism does not make', pub: [...spec.publicTemplate, ...otherKeyType], code: K.CKR_TEMPLATE_INCONSISTENT },
        { what: 'a private key type the mechanism does not make', pub: spec.publicTemplate, priv: [...spec.privateTemplate, ...otherKeyType], code: K.CKR_TEMPLATE_INCONSISTENT },
      ];
      for (const bad of [...spec.badTemplates, ...inconsistent]) {
        const before = allObjects(s).length;
        throwsCKR(() => generatePair(spec.mechanism, bad.pub, bad.priv ?? spec.privateTemplate), bad.code, bad.what);
        assert.equal(allObjects(s).length, before, 'a refused generation leaves no key behind');
      }
    },
    wrongParameter() {
      for (const bad of [Buffer.from([1]), { ulSize: 1 }]) {
        throwsCKR(() => generatePair(spec.mechanism, spec.publicTemplate, spec.privateTemplate, bad), K.CKR_MECHANISM_PARAM_INVALID);
      }
    },
    lengthQuery() {
      const pair = generate();
      for (const [type, length] of spec.lengths) attributeLengthRules(s, pair.pub, type, length);
      const query: CK_ATTRIBUTE[] = [{ type: spec.secret ?? K.CKA_VALUE, value: null }];
      throwsCKR(() => s.p11.C_GetAttributeValue(s.h, pair.priv, query), K.CKR_ATTRIBUTE_SENSITIVE);
      assert.equal(query[0]!.ulValueLen, K.CK_UNAVAILABLE_INFORMATION, 'a sensitive value has no length to tell');
      const info = s.p11.C_GetMechanismInfo(slotOf(), spec.mechanism);
      assert.ok(info.flags & K.CKF_GENERATE_KEY_PAIR);
      assert.ok(info.ulMinKeySize > 0 && info.ulMinKeySize <= info.ulMaxKeySize);
    },
  };
}

export function slotOf(): number {
  return s.p11.C_GetSessionInfo(s.h).slotID;
}

// ---- derivation (ECDH) -----------------------------------------------------------------------------------

export const ecdhParams = (publicData: Buffer, kdf = K.CKD_NULL, pSharedData?: Buffer) =>
  (pSharedData ? { kdf, pSharedData, pPublicData: publicData } : { kdf, pPublicData: publicData });

/** The uncompressed point of an EC public key (CKA_EC_POINT is a DER OCTET STRING of it). */
function ecPoint(pub: number): Buffer {
  const encoded = bytesAttribute(s, pub, K.CKA_EC_POINT);
  assert.equal(encoded[0], 0x04, 'CKA_EC_POINT is a DER OCTET STRING');
  return encoded.subarray(2);
}

export function derive(mechanism: number, base: number, parameter: unknown, template: CK_ATTRIBUTE[] = SECRET): Buffer {
  return bytesAttribute(s, s.p11.C_DeriveKey(s.h, mech(mechanism, parameter), base, template), K.CKA_VALUE);
}

export function ecdhCase(mechanism: number, alsoMontgomery: boolean): Conformance {
  const [a, b, c] = KEYS.ecdh.map((k) => () => k());
  return {
    roundTrip() {
      const z = derive(mechanism, a!().priv, ecdhParams(ecPoint(b!().pub)));
      assert.equal(z.length, 32, 'CKD_NULL gives Z, as long as the field');
      assert.deepEqual(derive(mechanism, b!().priv, ecdhParams(ecPoint(a!().pub))), z, 'both parties derive one secret');
      // Independently: OpenSSL's ECDH on the same values.
      const ecdh = createECDH('prime256v1');
      ecdh.setPrivateKey(bytesAttribute(s, a!().priv, K.CKA_VALUE));
      assert.deepEqual(ecdh.computeSecret(ecPoint(b!().pub)), z);
      const shared = Buffer.from('other info');
      const kdf = ecdhParams(ecPoint(b!().pub), K.CKD_SHA256_KDF, shared);
      const template = [...SECRET, { type: K.CKA_VALUE_LEN, value: 40 }];
      const expected = Buffer.concat([1, 2].map((i) => digest('sha256', Buffer.concat([z, Buffer.from([0, 0, 0, i]), shared])))).subarray(0, 40);
      assert.deepEqual(derive(mechanism, a!().priv, kdf, template), expected, 'ANSI X9.63 KDF with SHA-256');
      if (alsoMontgomery) {
        const [x, y] = KEYS.x25519.map((k) => k());
        const zx = derive(mechanism, x!.priv, ecdhParams(bytesAttribute(s, y!.pub, K.CKA_EC_POINT)));
        assert.deepEqual(derive(mechanism, y!.priv, ecdhParams(bytesAttribute(s, x!.pub, K.CKA_EC_POINT))), zx);
        // Independently: OpenSSL's X25519 on the same values.
        const mine = x25519Key(bytesAttribute(s, x!.priv, K.CKA_VALUE));
        assert.deepEqual(mine.raw, bytesAttribute(s, x!.pub, K.CKA_EC_POINT), 'the private value belongs to the public key');
        const theirs = createPublicKey(x25519Key(bytesAttribute(s, y!.priv, K.CKA_VALUE)).privateKey);
        assert.deepEqual(diffieHellman({ privateKey: mine.privateKey, publicKey: theirs }), zx);
      }
    },
    wrongKeyOrTamperedData() {
      const parameter = ecdhParams(ecPoint(b!().pub));
      const z = derive(mechanism, a!().priv, parameter);
      assert.notDeepEqual(derive(mechanism, c!().priv, parameter), z, 'another private key derives another secret');
      throwsCKR(() => s.p11.C_DeriveKey(s.h, mech(mechanism, parameter), KEYS.rsa().priv, SECRET), K.CKR_KEY_TYPE_INCONSISTENT);
      throwsCKR(() => s.p11.C_DeriveKey(s.h, mech(mechanism, parameter), a!().pub, SECRET), K.CKR_KEY_TYPE_INCONSISTENT, 'a public key derives nothing');
      const noDerive = copyWith(s, a!().priv, [{ type: K.CKA_DERIVE, value: false }]);
      throwsCKR(() => s.p11.C_DeriveKey(s.h, mech(mechanism, parameter), noDerive, SECRET), K.CKR_KEY_FUNCTION_NOT_PERMITTED);
      if (!alsoMontgomery) {
        // The cofactor variant is defined for short Weierstrass curves only.
        throwsCKR(() => s.p11.C_DeriveKey(s.h, mech(mechanism, parameter), KEYS.x25519[0]!().priv, SECRET), K.CKR_KEY_TYPE_INCONSISTENT);
      }
    },
    wrongParameter() {
      const point = ecPoint(b!().pub);
      const offCurve = flip(point, point.length - 1);
      for (const bad of [
        undefined, Buffer.from([1]), ecdhParams(point, 0x7777), ecdhParams(point, K.CKD_NULL, Buffer.from('shared')),
        ecdhParams(offCurve), ecdhParams(Buffer.alloc(0)), ecdhParams(bytesAttribute(s, KEYS.x25519[0]!().pub, K.CKA_EC_POINT)),
      ]) {
        throwsCKR(() => s.p11.C_DeriveKey(s.h, mech(mechanism, bad), a!().priv, SECRET), K.CKR_MECHANISM_PARAM_INVALID, JSON.stringify(bad));
      }
    },
    lengthQuery() {
      const parameter = ecdhParams(ecPoint(b!().pub));
      const z = derive(mechanism, a!().priv, parameter);
      const key = s.p11.C_DeriveKey(s.h, mech(mechanism, parameter), a!().priv, [...SECRET, { type: K.CKA_VALUE_LEN, value: 16 }]);
      assert.equal(attribute(s, key, K.CKA_VALUE_LEN), 16);
      attributeLengthRules(s, key, K.CKA_VALUE, 16);
      // CKD_NULL truncates from the leading end (spec: ECDH key derivation).
      assert.deepEqual(bytesAttribute(s, key, K.CKA_VALUE), z.subarray(16));
      throwsCKR(() => s.p11.C_DeriveKey(s.h, mech(mechanism, parameter), a!().priv, [...SECRET, { type: K.CKA_VALUE_LEN, value: 33 }]),
        K.CKR_ATTRIBUTE_VALUE_INVALID, 'CKD_NULL cannot make more than Z');
    },
  };
}

// ---- encapsulation (ML-KEM) -------------------------------------------------------------------------------

export function mlKemCase(): Conformance {
  const m = mech(K.CKM_ML_KEM);
  const [a, b] = KEYS.mlKem.map((k) => () => k());
  const encapsulate = (pub: number) => {
    const { ciphertext, hKey } = s.p11.C_EncapsulateKey(s.h, m, pub, SECRET);
    return { ciphertext: ciphertext as Buffer, secret: bytesAttribute(s, hKey, K.CKA_VALUE), hKey };
  };
  const decapsulate = (priv: number, ciphertext: Buffer) => bytesAttribute(s, s.p11.C_DecapsulateKey(s.h, m, priv, SECRET, ciphertext), K.CKA_VALUE);
  return {
    roundTrip() {
      const { ciphertext, secret, hKey } = encapsulate(a!().pub);
      assert.equal(ciphertext.length, 768, 'ML-KEM-512 ciphertext');
      assert.equal(secret.length, 32);
      assert.deepEqual(decapsulate(a!().priv, ciphertext), secret);
      // The spec's attributes of an encapsulated key.
      assert.equal(attribute(s, hKey, K.CKA_LOCAL), false);
      assert.equal(attribute(s, hKey, K.CKA_ALWAYS_SENSITIVE), false);
      assert.equal(attribute(s, hKey, K.CKA_NEVER_EXTRACTABLE), false);
      // CKA_EXTRACTABLE defaults to CK_TRUE for encapsulated and decapsulated keys.
      const plain: CK_ATTRIBUTE[] = [{ type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_GENERIC_SECRET }];
      const made = s.p11.C_EncapsulateKey(s.h, m, a!().pub, plain);
      assert.equal(attribute(s, made.hKey, K.CKA_EXTRACTABLE), true);
      assert.equal(attribute(s, s.p11.C_DecapsulateKey(s.h, m, a!().priv, plain, made.ciphertext as Buffer), K.CKA_EXTRACTABLE), true);
      // The other party holds the secret too: never "always sensitive", even when asked sensitive.
      const closed: CK_ATTRIBUTE[] = [...plain, { type: K.CKA_SENSITIVE, value: true }, { type: K.CKA_EXTRACTABLE, value: false }];
      for (const key of [s.p11.C_EncapsulateKey(s.h, m, a!().pub, closed).hKey, s.p11.C_DecapsulateKey(s.h, m, a!().priv, closed, made.ciphertext as Buffer)]) {
        assert.equal(attribute(s, key, K.CKA_ALWAYS_SENSITIVE), false);
        assert.equal(attribute(s, key, K.CKA_NEVER_EXTRACTABLE), false);
        assert.equal(attribute(s, key, K.CKA_LOCAL), false);
      }
    },
    wrongKeyOrTamperedData() {
      const { ciphertext, secret } = encapsulate(a!().pub);
      // FIPS 203 implicit rejection: a wrong ciphertext or key gives an unrelated secret, not an error.
      assert.notDeepEqual(decapsulate(a!().priv, flip(ciphertext, 100)), secret);
      assert.notDeepEqual(decapsulate(b!().priv, ciphertext), secret);
      throwsCKR(() => s.p11.C_DecapsulateKey(s.h, m, a!().priv, SECRET, ciphertext.subarray(1)), K.CKR_WRAPPED_KEY_LEN_RANGE);
      throwsCKR(() => s.p11.C_EncapsulateKey(s.h, m, KEYS.mlDsa[0]!().pub, SECRET), K.CKR_KEY_TYPE_INCONSISTENT);
      // C_DecapsulateKey's return values are unwrapping's: CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT.
      throwsCKR(() => s.p11.C_DecapsulateKey(s.h, m, KEYS.mlDsa[0]!().priv, SECRET, ciphertext), K.CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT);
      throwsCKR(() => s.p11.C_EncapsulateKey(s.h, m, a!().priv, SECRET), K.CKR_KEY_TYPE_INCONSISTENT, 'a private key does not encapsulate');
      const noEncapsulate = copyWith(s, a!().pub, [{ type: K.CKA_ENCAPSULATE, value: false }]);
      throwsCKR(() => s.p11.C_EncapsulateKey(s.h, m, noEncapsulate, SECRET), K.CKR_KEY_FUNCTION_NOT_PERMITTED);
      const noDecapsulate = copyWith(s, a!().priv, [{ type: K.CKA_DECAPSULATE, value: false }]);
      throwsCKR(() => s.p11.C_DecapsulateKey(s.h, m, noDecapsulate, SECRET, ciphertext), K.CKR_KEY_FUNCTION_NOT_PERMITTED);
    },
    wrongParameter() {
      const { ciphertext } = encapsulate(a!().pub);
      for (const bad of [Buffer.from([1]), { ulSize: 1 }]) {
        throwsCKR(() => s.p11.C_EncapsulateKey(s.h, mech(K.CKM_ML_KEM, bad), a!().pub, SECRET), K.CKR_MECHANISM_PARAM_INVALID);
        throwsCKR(() => s.p11.C_DecapsulateKey(s.h, mech(K.CKM_ML_KEM, bad), a!().priv, SECRET, ciphertext), K.CKR_MECHANISM_PARAM_INVALID);
      }
    },
    lengthQuery() {
      const before = allObjects(s).length;
      const length = s.p11.C_EncapsulateKey(s.h, m, a!().pub, SECRET, null);
      assert.equal(length.ciphertext, 768);
      assert.equal(allObjects(s).length, before, 'a length query makes no key');
      const e = throwsCKR(() => s.p11.C_EncapsulateKey(s.h, m, a!().pub, SECRET, Buffer.alloc(767)), K.CKR_BUFFER_TOO_SMALL);
      assert.equal((e as { required?: number }).required, 768);
      assert.equal(allObjects(s).length, before, 'nor does a buffer too small');
      const out = Buffer.alloc(768);
      const { ciphertext, hKey } = s.p11.C_EncapsulateKey(s.h, m, a!().pub, SECRET, out);
      assert.equal(ciphertext, 768);
      assert.deepEqual(decapsulate(a!().priv, out), bytesAttribute(s, hKey, K.CKA_VALUE));
    },
  };
}

/** An X25519 private key for OpenSSL (RFC 8410 PKCS#8 around the raw value), and its raw public key. */
export function x25519Key(value: Buffer) {
  const privateKey = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), value]), format: 'der', type: 'pkcs8',
  });
  const raw = Buffer.from(createPublicKey(privateKey).export({ format: 'jwk' }).x!, 'base64url');
  return { privateKey, raw };
}

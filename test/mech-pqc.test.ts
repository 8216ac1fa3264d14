/**
 * ML-KEM, ML-DSA and SLH-DSA (PKCS#11 3.2) through the Cryptoki API.
 *
 * Known answers come from NIST ACVP and Wycheproof (the vectors are at the end
 * of this file). The openssl command line on this machine (3.0) has none of
 * these algorithms, so the independent cross-check is @noble/post-quantum's
 * own public sign/verify and pre-hash API, which builds the FIPS 204/205
 * message M′ itself rather than through the token's code.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ml_dsa44, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { slh_dsa_shake_128f } from '@noble/post-quantum/slh-dsa.js';
import * as K from '../src/pkcs11/constants.js';
import { BufferTooSmallError } from '../src/pkcs11/error.js';
import type { Cryptoki } from '../src/core/cryptoki.js';
import type { CK_ATTRIBUTE, CK_MECHANISM } from '../src/pkcs11/types.js';
import { RW, setup, STORE_KINDS, throwsCKR, USER_PIN, type Fixture } from './helpers.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const flip = (b: Buffer, i = 0) => { const c = Buffer.from(b); c[i] ^= 1; return c; };

interface Token { f: Fixture; p11: Cryptoki; h: number }

function openToken(): Token {
  const f = setup(STORE_KINDS[0]!);
  const h = f.p11.C_OpenSession(f.slot, RW);
  f.p11.C_Login(h, K.CKU_USER, USER_PIN);
  return { f, p11: f.p11, h };
}

function attr(t: Token, object: number, type: number): unknown {
  return t.p11.C_GetAttributeValue(t.h, object, [{ type, value: undefined }])[0]!.value;
}

const PUBLIC_USAGE: Record<number, number> = { [K.CKK_ML_KEM]: K.CKA_ENCAPSULATE, [K.CKK_ML_DSA]: K.CKA_VERIFY, [K.CKK_SLH_DSA]: K.CKA_VERIFY };
const PRIVATE_USAGE: Record<number, number> = { [K.CKK_ML_KEM]: K.CKA_DECAPSULATE, [K.CKK_ML_DSA]: K.CKA_SIGN, [K.CKK_SLH_DSA]: K.CKA_SIGN };
const KEY_GEN: Record<number, number> = {
  [K.CKK_ML_KEM]: K.CKM_ML_KEM_KEY_PAIR_GEN, [K.CKK_ML_DSA]: K.CKM_ML_DSA_KEY_PAIR_GEN, [K.CKK_SLH_DSA]: K.CKM_SLH_DSA_KEY_PAIR_GEN,
};

/** A key pair of this parameter set; the private key readable when `extractable`. */
function generate(t: Token, keyType: number, set: number, extractable = false): [pub: number, priv: number] {
  const readable: CK_ATTRIBUTE[] = extractable ? [{ type: K.CKA_SENSITIVE, value: false }, { type: K.CKA_EXTRACTABLE, value: true }] : [];
  return t.p11.C_GenerateKeyPair(t.h, { mechanism: KEY_GEN[keyType]! },
    [{ type: K.CKA_PARAMETER_SET, value: set }, { type: PUBLIC_USAGE[keyType]!, value: true }],
    [{ type: PRIVATE_USAGE[keyType]!, value: true }, ...readable]);
}

function importPublic(t: Token, keyType: number, set: number, value: Buffer): number {
  return t.p11.C_CreateObject(t.h, [
    { type: K.CKA_CLASS, value: K.CKO_PUBLIC_KEY }, { type: K.CKA_KEY_TYPE, value: keyType },
    { type: K.CKA_PARAMETER_SET, value: set }, { type: K.CKA_VALUE, value }, { type: PUBLIC_USAGE[keyType]!, value: true },
  ]);
}

function importPrivate(t: Token, keyType: number, set: number, value: Buffer, seed?: Buffer): number {
  return t.p11.C_CreateObject(t.h, [
    { type: K.CKA_CLASS, value: K.CKO_PRIVATE_KEY }, { type: K.CKA_KEY_TYPE, value: keyType },
    { type: K.CKA_PARAMETER_SET, value: set }, { type: K.CKA_VALUE, value }, { type: PRIVATE_USAGE[keyType]!, value: true },
    ...(seed ? [{ type: K.CKA_SEED, value: seed }] : []),
  ]);
}

/** The template for shared-secret keys: readable, so the tests can compare them. */
const SECRET: CK_ATTRIBUTE[] = [
  { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_GENERIC_SECRET },
  { type: K.CKA_SENSITIVE, value: false }, { type: K.CKA_EXTRACTABLE, value: true },
];
const ML_KEM: CK_MECHANISM = { mechanism: K.CKM_ML_KEM };

function encapsulate(t: Token, pub: number): { ciphertext: Buffer; secret: Buffer } {
  const { ciphertext, hKey } = t.p11.C_EncapsulateKey(t.h, ML_KEM, pub, SECRET);
  return { ciphertext: ciphertext as Buffer, secret: attr(t, hKey, K.CKA_VALUE) as Buffer };
}

function decapsulate(t: Token, priv: number, ciphertext: Buffer): Buffer {
  return attr(t, t.p11.C_DecapsulateKey(t.h, ML_KEM, priv, SECRET, ciphertext), K.CKA_VALUE) as Buffer;
}

function sign(t: Token, mechanism: CK_MECHANISM, priv: number, data: Buffer): Buffer {
  t.p11.C_SignInit(t.h, mechanism, priv);
  return t.p11.C_Sign(t.h, data);
}

function signParts(t: Token, mechanism: CK_MECHANISM, priv: number, parts: Buffer[]): Buffer {
  t.p11.C_SignInit(t.h, mechanism, priv);
  for (const part of parts) t.p11.C_SignUpdate(t.h, part);
  return t.p11.C_SignFinal(t.h);
}

function verify(t: Token, mechanism: CK_MECHANISM, pub: number, data: Buffer, signature: Buffer): void {
  t.p11.C_VerifyInit(t.h, mechanism, pub);
  t.p11.C_Verify(t.h, data, signature);
}

/** C_VerifySignatureInit / Update / Final: the signature first, the data in parts. */
function verifySignatureParts(t: Token, mechanism: CK_MECHANISM, pub: number, parts: Buffer[], signature: Buffer): void {
  t.p11.C_VerifySignatureInit(t.h, mechanism, pub, signature);
  for (const part of parts) t.p11.C_VerifySignatureUpdate(t.h, part);
  t.p11.C_VerifySignatureFinal(t.h);
}

const halves = (b: Buffer): Buffer[] => [b.subarray(0, b.length >> 1), b.subarray(b.length >> 1)];
const withContext = (mechanism: number, pContext: Buffer, hedgeVariant = K.CKH_HEDGE_PREFERRED): CK_MECHANISM =>
  ({ mechanism, parameter: { hedgeVariant, pContext } });

/** SubjectPublicKeyInfo = SEQUENCE { SEQUENCE { OID }, BIT STRING (0 unused bits) key }, for keys of 256 bytes or more. */
function spki(oidDer: string, publicKey: Buffer): Buffer {
  const algorithm = Buffer.concat([Buffer.from([0x30, oidDer.length / 2]), hex(oidDer)]);
  const bits = Buffer.concat([Buffer.from([0x03, 0x82]), u16(publicKey.length + 1), Buffer.from([0]), publicKey]);
  const body = Buffer.concat([algorithm, bits]);
  return Buffer.concat([Buffer.from([0x30, 0x82]), u16(body.length), body]);
}
function u16(n: number): Buffer { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; }

type NobleHash = Parameters<typeof ml_dsa44.prehash>[0];

/** A @noble/hashes-shaped hash over node:crypto, for noble's pre-hash API (which reads the OID from it). */
function nobleHash(name: string, outputLen: number, oidArc: number): NobleHash {
  const make = () => createHash(name, { outputLength: outputLen });
  const hash = Object.assign((msg: Uint8Array) => make().update(msg).digest(), {
    outputLen, blockLen: 64,
    oid: Uint8Array.from([6, 9, 0x60, 0x86, 0x48, 1, 0x65, 3, 4, 2, oidArc]),
    create: () => { const x = make(); const h = { update(d: Uint8Array) { x.update(d); return h; }, digest: () => x.digest() }; return h; },
  });
  return hash as unknown as NobleHash;
}

const MESSAGE = Buffer.from('post-quantum signatures through PKCS#11');
const CONTEXT = Buffer.from('cryptoki-ts test');

// ---- ML-KEM -------------------------------------------------------------------------------------

describe('ML-KEM', () => {
  let t: Token;
  before(() => { t = openToken(); });
  after(() => t.f.cleanup());

  const SETS: [number, pk: number, sk: number, ct: number, oid: string][] = [
    [K.CKP_ML_KEM_512, 800, 1632, 768, '0609608648016503040401'],
    [K.CKP_ML_KEM_768, 1184, 2400, 1088, '0609608648016503040402'],
    [K.CKP_ML_KEM_1024, 1568, 3168, 1568, '0609608648016503040403'],
  ];

  it('generates a key pair for every parameter set, and encapsulation meets decapsulation', () => {
    for (const [set, pkLength, skLength, ctLength, oid] of SETS) {
      const [pub, priv] = generate(t, K.CKK_ML_KEM, set, true);
      const ek = attr(t, pub, K.CKA_VALUE) as Buffer;
      const dk = attr(t, priv, K.CKA_VALUE) as Buffer;
      assert.equal(ek.length, pkLength);
      assert.equal(dk.length, skLength);
      assert.equal((attr(t, priv, K.CKA_SEED) as Buffer).length, 64, 'd || z');
      for (const key of [pub, priv]) {
        assert.equal(attr(t, key, K.CKA_KEY_TYPE), K.CKK_ML_KEM);
        assert.equal(attr(t, key, K.CKA_PARAMETER_SET), set);
        assert.equal(attr(t, key, K.CKA_KEY_GEN_MECHANISM), K.CKM_ML_KEM_KEY_PAIR_GEN);
        assert.deepEqual(attr(t, key, K.CKA_PUBLIC_KEY_INFO), spki(oid, ek));
      }
      // dk = dkPKE || ek || H(ek) || z (FIPS 203 Algorithm 16).
      const k384 = (skLength - 96) / 2;
      assert.deepEqual(dk.subarray(k384, k384 + pkLength), ek);
      const { ciphertext, secret } = encapsulate(t, pub);
      assert.equal(ciphertext.length, ctLength);
      assert.equal(secret.length, 32);
      assert.deepEqual(decapsulate(t, priv, ciphertext), secret);
    }
  });

  it('takes the parameter set from the public template', () => {
    const gen = (pubT: CK_ATTRIBUTE[], privT: CK_ATTRIBUTE[] = []) =>
      t.p11.C_GenerateKeyPair(t.h, { mechanism: K.CKM_ML_KEM_KEY_PAIR_GEN }, pubT, privT);
    throwsCKR(() => gen([]), K.CKR_TEMPLATE_INCOMPLETE);
    throwsCKR(() => gen([{ type: K.CKA_PARAMETER_SET, value: 99 }]), K.CKR_PARAMETER_SET_NOT_SUPPORTED);
    throwsCKR(() => gen([{ type: K.CKA_PARAMETER_SET, value: K.CKP_ML_KEM_512 }], [{ type: K.CKA_PARAMETER_SET, value: K.CKP_ML_KEM_768 }]),
      K.CKR_TEMPLATE_INCONSISTENT);
    throwsCKR(() => gen([{ type: K.CKA_PARAMETER_SET, value: K.CKP_ML_KEM_512 }, { type: K.CKA_KEY_TYPE, value: K.CKK_ML_DSA }]),
      K.CKR_TEMPLATE_INCONSISTENT);
    throwsCKR(() => t.p11.C_GenerateKeyPair(t.h, { mechanism: K.CKM_ML_KEM_KEY_PAIR_GEN, parameter: Buffer.from([1]) },
      [{ type: K.CKA_PARAMETER_SET, value: K.CKP_ML_KEM_512 }], []), K.CKR_MECHANISM_PARAM_INVALID);
    const [, priv] = gen([{ type: K.CKA_PARAMETER_SET, value: K.CKP_ML_KEM_1024 }], [{ type: K.CKA_PARAMETER_SET, value: K.CKP_ML_KEM_1024 }]);
    assert.equal(attr(t, priv, K.CKA_PARAMETER_SET), K.CKP_ML_KEM_1024);
    throwsCKR(() => attr(t, priv, K.CKA_SEED), K.CKR_ATTRIBUTE_SENSITIVE, 'the seed is as secret as the key');
  });

  it('derives the published ML-KEM-768 key from its seed (ACVP keyGen)', () => {
    const v = ML_KEM_768_KEYGEN;
    const dk = hex(v.dk);
    const seed = Buffer.concat([hex(v.d), hex(v.z)]);
    const pub = importPublic(t, K.CKK_ML_KEM, K.CKP_ML_KEM_768, dk.subarray(1152, 1152 + 1184));
    const priv = importPrivate(t, K.CKK_ML_KEM, K.CKP_ML_KEM_768, dk, seed);
    const { ciphertext, secret } = encapsulate(t, pub);
    assert.deepEqual(decapsulate(t, priv, ciphertext), secret);
    // A seed that does not derive the value is a key that claims to be two keys.
    const mismatched = importPrivate(t, K.CKK_ML_KEM, K.CKP_ML_KEM_768, dk, flip(seed, 40));
    throwsCKR(() => decapsulate(t, mismatched, ciphertext), K.CKR_FUNCTION_FAILED);
  });

  it('decapsulates the published ciphertexts, implicit rejection included (ACVP encapDecap)', () => {
    const v = ML_KEM_768_DECAPS;
    const priv = importPrivate(t, K.CKK_ML_KEM, K.CKP_ML_KEM_768, hex(v.dk));
    assert.equal(decapsulate(t, priv, hex(v.c88)).toString('hex'), v.k88);
    assert.equal(decapsulate(t, priv, hex(v.c86)).toString('hex'), v.k86, 'a modified ciphertext gives J(z || c)');
  });

  it('answers a tampered or misshapen ciphertext, a parameter and a short buffer as the spec says', () => {
    const [pub, priv] = generate(t, K.CKK_ML_KEM, K.CKP_ML_KEM_512);
    const { ciphertext, secret } = encapsulate(t, pub);
    const rejected = decapsulate(t, priv, flip(ciphertext, 100));
    assert.equal(rejected.length, 32);
    assert.notDeepEqual(rejected, secret, 'implicit rejection: another secret, no error');
    throwsCKR(() => decapsulate(t, priv, ciphertext.subarray(1)), K.CKR_WRAPPED_KEY_LEN_RANGE);
    throwsCKR(() => t.p11.C_DecapsulateKey(t.h, { mechanism: K.CKM_ML_KEM, parameter: { hedgeVariant: 0 } }, priv, SECRET, ciphertext),
      K.CKR_MECHANISM_PARAM_INVALID);
    assert.deepEqual(t.p11.C_EncapsulateKey(t.h, ML_KEM, pub, SECRET, null), { ciphertext: 768, hKey: K.CK_INVALID_HANDLE });
    const e = throwsCKR(() => t.p11.C_EncapsulateKey(t.h, ML_KEM, pub, SECRET, Buffer.alloc(767)), K.CKR_BUFFER_TOO_SMALL);
    assert.ok(e instanceof BufferTooSmallError && e.required === 768);
    const out = Buffer.alloc(800);
    const { ciphertext: written, hKey } = t.p11.C_EncapsulateKey(t.h, ML_KEM, pub, SECRET, out);
    assert.equal(written, 768);
    assert.deepEqual(decapsulate(t, priv, out.subarray(0, 768)), attr(t, hKey, K.CKA_VALUE));
    // CKA_VALUE_LEN asks for the first bytes of the shared secret.
    const short = t.p11.C_DecapsulateKey(t.h, ML_KEM, priv, [...SECRET, { type: K.CKA_VALUE_LEN, value: 16 }], ciphertext);
    assert.deepEqual(attr(t, short, K.CKA_VALUE), secret.subarray(0, 16));
  });

  it('refuses keys of another type or whose value does not fit their parameter set', () => {
    const [dsaPub, dsaPriv] = generate(t, K.CKK_ML_DSA, K.CKP_ML_DSA_44);
    throwsCKR(() => t.p11.C_EncapsulateKey(t.h, ML_KEM, dsaPub, SECRET), K.CKR_KEY_TYPE_INCONSISTENT);
    throwsCKR(() => t.p11.C_DecapsulateKey(t.h, ML_KEM, dsaPriv, SECRET, Buffer.alloc(768)), K.CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT);
    throwsCKR(() => t.p11.C_DecapsulateKey(t.h, ML_KEM, 987654, SECRET, Buffer.alloc(768)), K.CKR_UNWRAPPING_KEY_HANDLE_INVALID);
    const [pub512, priv512] = generate(t, K.CKK_ML_KEM, K.CKP_ML_KEM_512, true);
    const mislabelled = importPrivate(t, K.CKK_ML_KEM, K.CKP_ML_KEM_768, attr(t, priv512, K.CKA_VALUE) as Buffer);
    throwsCKR(() => decapsulate(t, mislabelled, Buffer.alloc(1088)), K.CKR_UNWRAPPING_KEY_SIZE_RANGE);
    // An encapsulation key whose coefficients are not reduced mod q fails FIPS 203's modulus check.
    const unreduced = Buffer.from(attr(t, pub512, K.CKA_VALUE) as Buffer);
    unreduced[0] = 0xff; unreduced[1] |= 0x0f;
    throwsCKR(() => encapsulate(t, importPublic(t, K.CKK_ML_KEM, K.CKP_ML_KEM_512, unreduced)), K.CKR_PUBLIC_KEY_INVALID);
  });

  it('reports public key sizes in bytes in C_GetMechanismInfo', () => {
    const expected: [number, number][] = [[K.CKM_ML_KEM_KEY_PAIR_GEN, K.CKF_GENERATE_KEY_PAIR], [K.CKM_ML_KEM, K.CKF_ENCAPSULATE | K.CKF_DECAPSULATE]];
    for (const [type, flags] of expected) {
      assert.deepEqual(t.p11.C_GetMechanismInfo(t.f.slot, type), { ulMinKeySize: 800, ulMaxKeySize: 1568, flags });
    }
  });
});

// ---- ML-DSA -------------------------------------------------------------------------------------

describe('ML-DSA', () => {
  let t: Token;
  before(() => { t = openToken(); });
  after(() => t.f.cleanup());

  const SETS: [number, pk: number, sk: number, sig: number, oid: string][] = [
    [K.CKP_ML_DSA_44, 1312, 2560, 2420, '0609608648016503040311'],
    [K.CKP_ML_DSA_65, 1952, 4032, 3309, '0609608648016503040312'],
    [K.CKP_ML_DSA_87, 2592, 4896, 4627, '0609608648016503040313'],
  ];

  it('generates a key pair for every parameter set, and signs and verifies single- and multi-part', () => {
    for (const [set, pkLength, skLength, sigLength, oid] of SETS) {
      const [pub, priv] = generate(t, K.CKK_ML_DSA, set, true);
      const pk = attr(t, pub, K.CKA_VALUE) as Buffer;
      assert.equal(pk.length, pkLength);
      assert.equal((attr(t, priv, K.CKA_VALUE) as Buffer).length, skLength);
      assert.equal((attr(t, priv, K.CKA_SEED) as Buffer).length, 32, 'ξ');
      for (const key of [pub, priv]) {
        assert.equal(attr(t, key, K.CKA_KEY_TYPE), K.CKK_ML_DSA);
        assert.equal(attr(t, key, K.CKA_PARAMETER_SET), set);
        assert.deepEqual(attr(t, key, K.CKA_PUBLIC_KEY_INFO), spki(oid, pk));
      }
      const mechanism = withContext(K.CKM_ML_DSA, CONTEXT);
      const signature = sign(t, mechanism, priv, MESSAGE);
      assert.equal(signature.length, sigLength);
      verify(t, mechanism, pub, MESSAGE, signature);
      verifySignatureParts(t, mechanism, pub, halves(MESSAGE), signature);
      const multiPart = signParts(t, mechanism, priv, halves(MESSAGE));
      verify(t, { mechanism: K.CKM_ML_DSA, parameter: { pContext: CONTEXT } }, pub, MESSAGE, multiPart);
      throwsCKR(() => verify(t, { mechanism: K.CKM_ML_DSA }, pub, MESSAGE, signature), K.CKR_SIGNATURE_INVALID, 'the context is signed');
    }
  });

  it('signs exactly the published deterministic signature, from a key derived from its seed (Wycheproof)', () => {
    const v = ML_DSA_65_WYCHEPROOF;
    const pub = importPublic(t, K.CKK_ML_DSA, K.CKP_ML_DSA_65, hex(v.pk));
    const priv = importPrivate(t, K.CKK_ML_DSA, K.CKP_ML_DSA_65, hex(v.sk), hex(v.seed));
    const mechanism = withContext(K.CKM_ML_DSA, hex(v.ctx), K.CKH_DETERMINISTIC_REQUIRED);
    assert.equal(sign(t, mechanism, priv, hex(v.msg)).toString('hex'), v.sig);
    assert.equal(signParts(t, mechanism, priv, halves(hex(v.msg))).toString('hex'), v.sig);
    verify(t, mechanism, pub, hex(v.msg), hex(v.sig));
    throwsCKR(() => verify(t, mechanism, pub, hex(v.msg), flip(hex(v.sig), 10)), K.CKR_SIGNATURE_INVALID);
    throwsCKR(() => verify(t, mechanism, pub, flip(hex(v.msg)), hex(v.sig)), K.CKR_SIGNATURE_INVALID);
    throwsCKR(() => verify(t, withContext(K.CKM_ML_DSA, flip(hex(v.ctx))), pub, hex(v.msg), hex(v.sig)), K.CKR_SIGNATURE_INVALID);
    throwsCKR(() => verify(t, mechanism, pub, hex(v.msg), hex(v.sig).subarray(1)), K.CKR_SIGNATURE_LEN_RANGE);
    const mismatched = importPrivate(t, K.CKK_ML_DSA, K.CKP_ML_DSA_65, hex(v.sk), flip(hex(v.seed)));
    throwsCKR(() => t.p11.C_SignInit(t.h, mechanism, mismatched), K.CKR_FUNCTION_FAILED);
  });

  it('hedges unless told to be deterministic', () => {
    const [pub, priv] = generate(t, K.CKK_ML_DSA, K.CKP_ML_DSA_44);
    for (const hedge of [K.CKH_HEDGE_PREFERRED, K.CKH_HEDGE_REQUIRED]) {
      const a = sign(t, withContext(K.CKM_ML_DSA, CONTEXT, hedge), priv, MESSAGE);
      const b = sign(t, withContext(K.CKM_ML_DSA, CONTEXT, hedge), priv, MESSAGE);
      assert.notDeepEqual(a, b);
      verify(t, withContext(K.CKM_ML_DSA, CONTEXT), pub, MESSAGE, a);
    }
    assert.notDeepEqual(sign(t, { mechanism: K.CKM_ML_DSA }, priv, MESSAGE), sign(t, { mechanism: K.CKM_ML_DSA }, priv, MESSAGE));
    const deterministic = withContext(K.CKM_ML_DSA, CONTEXT, K.CKH_DETERMINISTIC_REQUIRED);
    assert.deepEqual(sign(t, deterministic, priv, MESSAGE), sign(t, deterministic, priv, MESSAGE));
  });

  it('agrees with an independent implementation of ML-DSA.Sign/Verify (noble public API)', () => {
    const [pub, priv] = generate(t, K.CKK_ML_DSA, K.CKP_ML_DSA_87, true);
    const pk = attr(t, pub, K.CKA_VALUE) as Buffer;
    const ours = sign(t, withContext(K.CKM_ML_DSA, CONTEXT), priv, MESSAGE);
    assert.ok(ml_dsa87.verify(ours, MESSAGE, pk, { context: CONTEXT }));
    const theirs = ml_dsa87.sign(MESSAGE, attr(t, priv, K.CKA_VALUE) as Buffer, { context: CONTEXT });
    verify(t, withContext(K.CKM_ML_DSA, CONTEXT), pub, MESSAGE, Buffer.from(theirs));
  });

  it('HashML-DSA: the token hashing and the caller hashing give the same signature, which noble accepts', () => {
    const [pub, priv] = generate(t, K.CKK_ML_DSA, K.CKP_ML_DSA_44, true);
    const pk = attr(t, pub, K.CKA_VALUE) as Buffer;
    const hashes: [hashing: number, digest: number | undefined, node: string, length: number, oidArc: number][] = [
      [K.CKM_HASH_ML_DSA_SHA224, K.CKM_SHA224, 'sha224', 28, 4],
      [K.CKM_HASH_ML_DSA_SHA256, K.CKM_SHA256, 'sha256', 32, 1],
      [K.CKM_HASH_ML_DSA_SHA384, K.CKM_SHA384, 'sha384', 48, 2],
      [K.CKM_HASH_ML_DSA_SHA512, K.CKM_SHA512, 'sha512', 64, 3],
      [K.CKM_HASH_ML_DSA_SHA3_224, K.CKM_SHA3_224, 'sha3-224', 28, 7],
      [K.CKM_HASH_ML_DSA_SHA3_256, K.CKM_SHA3_256, 'sha3-256', 32, 8],
      [K.CKM_HASH_ML_DSA_SHA3_384, K.CKM_SHA3_384, 'sha3-384', 48, 9],
      [K.CKM_HASH_ML_DSA_SHA3_512, K.CKM_SHA3_512, 'sha3-512', 64, 10],
      [K.CKM_HASH_ML_DSA_SHAKE128, undefined, 'shake128', 32, 11],
      [K.CKM_HASH_ML_DSA_SHAKE256, undefined, 'shake256', 64, 12],
    ];
    for (const [hashing, digest, node, length, oidArc] of hashes) {
      const deterministic = withContext(hashing, CONTEXT, K.CKH_DETERMINISTIC_REQUIRED);
      const signature = signParts(t, deterministic, priv, halves(MESSAGE));
      assert.deepEqual(sign(t, deterministic, priv, MESSAGE), signature, 'single- and multi-part');
      verify(t, withContext(hashing, CONTEXT), pub, MESSAGE, signature);
      verifySignatureParts(t, withContext(hashing, CONTEXT), pub, halves(MESSAGE), signature);
      const ph = createHash(node, { outputLength: length }).update(MESSAGE).digest();
      if (digest !== undefined) {
        const preHashed = { mechanism: K.CKM_HASH_ML_DSA, parameter: { hedgeVariant: K.CKH_DETERMINISTIC_REQUIRED, pContext: CONTEXT, hash: digest } };
        assert.deepEqual(sign(t, preHashed, priv, ph), signature, node);
        verify(t, preHashed, pub, ph, signature);
      }
      // noble's pre-hash API refuses hashes weaker than the parameter set (SHA-224, SHA3-224 for ML-DSA-44).
      if (length * 4 >= 128) {
        assert.ok(ml_dsa44.prehash(nobleHash(node, length, oidArc)).verify(signature, MESSAGE, pk, { context: CONTEXT }), node);
      }
      throwsCKR(() => verify(t, withContext(hashing, CONTEXT), pub, flip(MESSAGE), signature), K.CKR_SIGNATURE_INVALID);
    }
  });

  it('HashML-DSA checks its parameter and the hash length, and is single-part', () => {
    const [pub, priv] = generate(t, K.CKK_ML_DSA, K.CKP_ML_DSA_44);
    const digest = createHash('sha256').update(MESSAGE).digest();
    const mechanism = { mechanism: K.CKM_HASH_ML_DSA, parameter: { hedgeVariant: K.CKH_HEDGE_PREFERRED, pContext: CONTEXT, hash: K.CKM_SHA256 } };
    throwsCKR(() => t.p11.C_SignInit(t.h, { mechanism: K.CKM_HASH_ML_DSA }, priv), K.CKR_MECHANISM_PARAM_INVALID);
    throwsCKR(() => t.p11.C_SignInit(t.h, { ...mechanism, parameter: { ...mechanism.parameter, hash: K.CKM_MD5 } }, priv), K.CKR_MECHANISM_PARAM_INVALID);
    throwsCKR(() => t.p11.C_VerifyInit(t.h, { ...mechanism, parameter: { pContext: CONTEXT } }, pub), K.CKR_MECHANISM_PARAM_INVALID);
    throwsCKR(() => sign(t, mechanism, priv, digest.subarray(1)), K.CKR_DATA_LEN_RANGE);
    t.p11.C_SignInit(t.h, mechanism, priv);
    throwsCKR(() => t.p11.C_SignUpdate(t.h, digest), K.CKR_FUNCTION_NOT_SUPPORTED);
    const signature = sign(t, mechanism, priv, digest);
    verify(t, mechanism, pub, digest, signature);
    throwsCKR(() => verify(t, mechanism, pub, digest.subarray(1), signature), K.CKR_SIGNATURE_INVALID, 'verification takes any input');
  });

  it('checks CK_SIGN_ADDITIONAL_CONTEXT', () => {
    const [pub, priv] = generate(t, K.CKK_ML_DSA, K.CKP_ML_DSA_44);
    throwsCKR(() => t.p11.C_SignInit(t.h, withContext(K.CKM_ML_DSA, Buffer.alloc(256)), priv), K.CKR_MECHANISM_PARAM_INVALID);
    throwsCKR(() => t.p11.C_VerifyInit(t.h, withContext(K.CKM_ML_DSA, Buffer.alloc(256)), pub), K.CKR_MECHANISM_PARAM_INVALID);
    throwsCKR(() => t.p11.C_SignInit(t.h, withContext(K.CKM_ML_DSA, CONTEXT, 7), priv), K.CKR_MECHANISM_PARAM_INVALID);
    throwsCKR(() => t.p11.C_SignInit(t.h, { mechanism: K.CKM_ML_DSA, parameter: { pContext: 'text' } }, priv), K.CKR_MECHANISM_PARAM_INVALID);
    throwsCKR(() => t.p11.C_SignInit(t.h, { mechanism: K.CKM_ML_DSA, parameter: CONTEXT }, priv), K.CKR_MECHANISM_PARAM_INVALID);
    // The longest context is 255 bytes; verification ignores hedgeVariant.
    const longest = withContext(K.CKM_ML_DSA, Buffer.alloc(255, 7));
    verify(t, withContext(K.CKM_ML_DSA, Buffer.alloc(255, 7), 7), pub, MESSAGE, sign(t, longest, priv, MESSAGE));
  });

  it('answers a length query and CKR_BUFFER_TOO_SMALL without ending the operation', () => {
    const [pub, priv] = generate(t, K.CKK_ML_DSA, K.CKP_ML_DSA_65);
    t.p11.C_SignInit(t.h, { mechanism: K.CKM_ML_DSA }, priv);
    assert.equal(t.p11.C_Sign(t.h, MESSAGE, null), 3309);
    const e = throwsCKR(() => t.p11.C_Sign(t.h, MESSAGE, Buffer.alloc(3308)), K.CKR_BUFFER_TOO_SMALL);
    assert.ok(e instanceof BufferTooSmallError && e.required === 3309);
    const out = Buffer.alloc(3400);
    assert.equal(t.p11.C_Sign(t.h, MESSAGE, out), 3309);
    verify(t, { mechanism: K.CKM_ML_DSA }, pub, MESSAGE, out.subarray(0, 3309));
    t.p11.C_SignInit(t.h, { mechanism: K.CKM_HASH_ML_DSA_SHA3_256 }, priv);
    t.p11.C_SignUpdate(t.h, MESSAGE);
    assert.equal(t.p11.C_SignFinal(t.h, null), 3309);
    throwsCKR(() => t.p11.C_SignFinal(t.h, Buffer.alloc(1)), K.CKR_BUFFER_TOO_SMALL);
    verify(t, { mechanism: K.CKM_HASH_ML_DSA_SHA3_256 }, pub, MESSAGE, t.p11.C_SignFinal(t.h));
  });

  it('refuses keys of another type or whose value does not fit their parameter set', () => {
    const [kemPub] = generate(t, K.CKK_ML_KEM, K.CKP_ML_KEM_512);
    throwsCKR(() => t.p11.C_VerifyInit(t.h, { mechanism: K.CKM_ML_DSA }, kemPub), K.CKR_KEY_TYPE_INCONSISTENT);
    const [pub44] = generate(t, K.CKK_ML_DSA, K.CKP_ML_DSA_44);
    const mislabelled = importPublic(t, K.CKK_ML_DSA, K.CKP_ML_DSA_65, attr(t, pub44, K.CKA_VALUE) as Buffer);
    throwsCKR(() => t.p11.C_VerifyInit(t.h, { mechanism: K.CKM_ML_DSA }, mislabelled), K.CKR_KEY_SIZE_RANGE);
    const unknown = importPublic(t, K.CKK_ML_DSA, 42, attr(t, pub44, K.CKA_VALUE) as Buffer);
    throwsCKR(() => t.p11.C_VerifyInit(t.h, { mechanism: K.CKM_ML_DSA }, unknown), K.CKR_PARAMETER_SET_NOT_SUPPORTED);
  });

  it('reports public key sizes in bytes in C_GetMechanismInfo', () => {
    assert.deepEqual(t.p11.C_GetMechanismInfo(t.f.slot, K.CKM_ML_DSA_KEY_PAIR_GEN), { ulMinKeySize: 1312, ulMaxKeySize: 2592, flags: K.CKF_GENERATE_KEY_PAIR });
    for (const type of [K.CKM_ML_DSA, K.CKM_HASH_ML_DSA, K.CKM_HASH_ML_DSA_SHA256, K.CKM_HASH_ML_DSA_SHAKE256]) {
      assert.deepEqual(t.p11.C_GetMechanismInfo(t.f.slot, type), { ulMinKeySize: 1312, ulMaxKeySize: 2592, flags: K.CKF_SIGN | K.CKF_VERIFY });
    }
  });
});

// ---- SLH-DSA ------------------------------------------------------------------------------------

describe('SLH-DSA', () => {
  let t: Token;
  before(() => { t = openToken(); });
  after(() => t.f.cleanup());

  const FAST: [number, n: number, sig: number, oid: string][] = [
    [K.CKP_SLH_DSA_SHA2_128F, 16, 17088, '0609608648016503040315'],
    [K.CKP_SLH_DSA_SHAKE_128F, 16, 17088, '060960864801650304031b'],
    [K.CKP_SLH_DSA_SHA2_192F, 24, 35664, '0609608648016503040317'],
    [K.CKP_SLH_DSA_SHAKE_192F, 24, 35664, '060960864801650304031d'],
    [K.CKP_SLH_DSA_SHA2_256F, 32, 49856, '0609608648016503040319'],
    [K.CKP_SLH_DSA_SHAKE_256F, 32, 49856, '060960864801650304031f'],
  ];

  it('generates a key pair for every fast parameter set, and signs and verifies single- and multi-part', () => {
    for (const [set, n, sigLength, oid] of FAST) {
      const [pub, priv] = generate(t, K.CKK_SLH_DSA, set, true);
      const pk = attr(t, pub, K.CKA_VALUE) as Buffer;
      const sk = attr(t, priv, K.CKA_VALUE) as Buffer;
      assert.equal(pk.length, 2 * n);
      assert.deepEqual(sk.subarray(2 * n), pk, 'SK.seed || SK.prf || PK.seed || PK.root');
      throwsCKR(() => attr(t, priv, K.CKA_SEED), K.CKR_ATTRIBUTE_TYPE_INVALID, 'SLH-DSA keys have no CKA_SEED');
      for (const key of [pub, priv]) {
        assert.equal(attr(t, key, K.CKA_PARAMETER_SET), set);
        const info = attr(t, key, K.CKA_PUBLIC_KEY_INFO) as Buffer;
        assert.deepEqual(info, Buffer.concat([Buffer.from([0x30, 2 + oid.length / 2 + 3 + pk.length, 0x30, oid.length / 2]), hex(oid),
          Buffer.from([0x03, pk.length + 1, 0]), pk]));
      }
      const mechanism = withContext(K.CKM_SLH_DSA, CONTEXT);
      const signature = signParts(t, mechanism, priv, halves(MESSAGE));
      assert.equal(signature.length, sigLength);
      verify(t, mechanism, pub, MESSAGE, signature);
      verifySignatureParts(t, mechanism, pub, halves(MESSAGE), signature);
      throwsCKR(() => verify(t, mechanism, pub, MESSAGE, flip(signature, 100)), K.CKR_SIGNATURE_INVALID);
    }
  });

  it('generates keys for the small parameter sets', () => {
    for (const [set, n] of [[K.CKP_SLH_DSA_SHA2_128S, 16], [K.CKP_SLH_DSA_SHA2_192S, 24], [K.CKP_SLH_DSA_SHA2_256S, 32],
      [K.CKP_SLH_DSA_SHAKE_128S, 16], [K.CKP_SLH_DSA_SHAKE_192S, 24], [K.CKP_SLH_DSA_SHAKE_256S, 32]] as const) {
      const [pub] = generate(t, K.CKK_SLH_DSA, set);
      assert.equal((attr(t, pub, K.CKA_VALUE) as Buffer).length, 2 * n);
    }
  });

  it('signs exactly the published deterministic HashSLH-DSA signature (ACVP sigGen, SLH-DSA-SHA2-128s)', () => {
    const v = SLH_DSA_SHA2_128S_PREHASH;
    const pub = importPublic(t, K.CKK_SLH_DSA, K.CKP_SLH_DSA_SHA2_128S, hex(v.pk));
    const priv = importPrivate(t, K.CKK_SLH_DSA, K.CKP_SLH_DSA_SHA2_128S, hex(v.sk));
    const hashing = withContext(K.CKM_HASH_SLH_DSA_SHA224, hex(v.ctx), K.CKH_DETERMINISTIC_REQUIRED);
    assert.equal(signParts(t, hashing, priv, halves(hex(v.msg))).toString('hex'), v.sig);
    verify(t, hashing, pub, hex(v.msg), hex(v.sig));
    const ph = createHash('sha224').update(hex(v.msg)).digest();
    const preHashed = { mechanism: K.CKM_HASH_SLH_DSA, parameter: { pContext: hex(v.ctx), hash: K.CKM_SHA224 } };
    verify(t, preHashed, pub, ph, hex(v.sig));
    throwsCKR(() => verify(t, preHashed, pub, flip(ph), hex(v.sig)), K.CKR_SIGNATURE_INVALID);
    throwsCKR(() => verify(t, { ...preHashed, parameter: { ...preHashed.parameter, hash: K.CKM_SHA3_224 } }, pub, ph, hex(v.sig)),
      K.CKR_SIGNATURE_INVALID, 'the hash OID is signed');
  });

  it('verifies the published pure SLH-DSA signature (ACVP sigGen, SLH-DSA-SHA2-128s)', () => {
    const v = SLH_DSA_SHA2_128S_PURE;
    const pub = importPublic(t, K.CKK_SLH_DSA, K.CKP_SLH_DSA_SHA2_128S, hex(v.pk));
    const mechanism = withContext(K.CKM_SLH_DSA, hex(v.ctx));
    verify(t, mechanism, pub, hex(v.msg), hex(v.sig));
    verifySignatureParts(t, mechanism, pub, halves(hex(v.msg)), hex(v.sig));
    throwsCKR(() => verify(t, mechanism, pub, hex(v.msg), flip(hex(v.sig), 5000)), K.CKR_SIGNATURE_INVALID);
    throwsCKR(() => verify(t, { mechanism: K.CKM_SLH_DSA }, pub, hex(v.msg), hex(v.sig)), K.CKR_SIGNATURE_INVALID);
    throwsCKR(() => verify(t, mechanism, pub, hex(v.msg), Buffer.concat([hex(v.sig), Buffer.alloc(1)])), K.CKR_SIGNATURE_LEN_RANGE);
  });

  it('agrees with an independent implementation of SLH-DSA and HashSLH-DSA (noble public API)', () => {
    const [pub, priv] = generate(t, K.CKK_SLH_DSA, K.CKP_SLH_DSA_SHAKE_128F, true);
    const pk = attr(t, pub, K.CKA_VALUE) as Buffer;
    const sk = attr(t, priv, K.CKA_VALUE) as Buffer;
    assert.ok(slh_dsa_shake_128f.verify(sign(t, withContext(K.CKM_SLH_DSA, CONTEXT), priv, MESSAGE), MESSAGE, pk, { context: CONTEXT }));
    const shake256 = slh_dsa_shake_128f.prehash(nobleHash('shake256', 64, 12));
    assert.ok(shake256.verify(sign(t, withContext(K.CKM_HASH_SLH_DSA_SHAKE256, CONTEXT), priv, MESSAGE), MESSAGE, pk, { context: CONTEXT }));
    verify(t, withContext(K.CKM_SLH_DSA, CONTEXT), pub, MESSAGE, Buffer.from(slh_dsa_shake_128f.sign(MESSAGE, sk, { context: CONTEXT })));
  });

  it('hedges unless told to be deterministic, and answers length queries', () => {
    const [pub, priv] = generate(t, K.CKK_SLH_DSA, K.CKP_SLH_DSA_SHA2_128F);
    const deterministic = withContext(K.CKM_SLH_DSA, CONTEXT, K.CKH_DETERMINISTIC_REQUIRED);
    assert.deepEqual(sign(t, deterministic, priv, MESSAGE), sign(t, deterministic, priv, MESSAGE));
    const hedged = withContext(K.CKM_SLH_DSA, CONTEXT, K.CKH_HEDGE_REQUIRED);
    assert.notDeepEqual(sign(t, hedged, priv, MESSAGE), sign(t, hedged, priv, MESSAGE));
    t.p11.C_SignInit(t.h, hedged, priv);
    assert.equal(t.p11.C_Sign(t.h, MESSAGE, null), 17088);
    throwsCKR(() => t.p11.C_Sign(t.h, MESSAGE, Buffer.alloc(17087)), K.CKR_BUFFER_TOO_SMALL);
    verify(t, hedged, pub, MESSAGE, t.p11.C_Sign(t.h, MESSAGE));
    throwsCKR(() => t.p11.C_SignInit(t.h, withContext(K.CKM_SLH_DSA, CONTEXT, 3), priv), K.CKR_MECHANISM_PARAM_INVALID);
    throwsCKR(() => t.p11.C_SignInit(t.h, { mechanism: K.CKM_HASH_SLH_DSA, parameter: { pContext: CONTEXT } }, priv), K.CKR_MECHANISM_PARAM_INVALID);
  });

  it('reports public key sizes in bytes in C_GetMechanismInfo', () => {
    assert.deepEqual(t.p11.C_GetMechanismInfo(t.f.slot, K.CKM_SLH_DSA_KEY_PAIR_GEN), { ulMinKeySize: 32, ulMaxKeySize: 64, flags: K.CKF_GENERATE_KEY_PAIR });
    for (const type of [K.CKM_SLH_DSA, K.CKM_HASH_SLH_DSA, K.CKM_HASH_SLH_DSA_SHA3_512, K.CKM_HASH_SLH_DSA_SHAKE128]) {
      assert.deepEqual(t.p11.C_GetMechanismInfo(t.f.slot, type), { ulMinKeySize: 32, ulMaxKeySize: 64, flags: K.CKF_SIGN | K.CKF_VERIFY });
    }
  });
});

// ---- published vectors ------------------------------------------------------------------------------

/**
 * NIST ACVP-Server gen-val/json-files/ML-KEM-keyGen-FIPS203/internalProjection.json, tgId 2
 * (ML-KEM-768), tcId 26 (as copied in RustCrypto/KEMs ml-kem/tests/key-gen.json). The
 * encapsulation key is inside dk (dk = dkPKE || ek || H(ek) || z, FIPS 203 Algorithm 16).
 */
const ML_KEM_768_KEYGEN = {
  d: 'e34a701c4c87582f42264ee422d3c684d97611f2523efe0c998af05056d693dc',
  z: 'a85768f3486bd32a01bf9a8f21ea938e648eae4e5448c34c3eb88820b159eedd',
  dk: '98a1b2da4a65cfb5845ea7311e6a06db731f1590c41ee74ba10782715b35a3102df637872be65bab37a1de2511d703c70247b35ef27435485024d93fd9e77c43804f371749ba00b20a8c5c588bc9abe068aeaaa938517ebfe53b6b663282903dcd189736d7296816c733a1c77c6375e5397c0f189bbfe47643a61f58f8a3c6911be4611a8c7bc050021163d0a404dc14065748ff29be60d2b9fdcc8ffd98c587f38c67115786464bdb342b17e897d64617cbfb117973a5458977a7d7617a1b4d83ba03c611138a4673b1eb34b078033f97cffe80c146a26943f842b976327bf1cbc60119525bb9a3c03493349000dd8f51ba21a2e92361762324600e0c13aaa6cb69bfb24276483f6b02421259b7585263c1a028d682c508bbc2801a56e98b8f620b0483d79b5ad8585ac0a475bac77865194196338791b7985a05d109395cca8932722a91950d37e12b891420a52b62cbfa815df6174ce00e68bca75d4838ca280f713c7e6924afd95baa0d01ada637b158347034c0ab1a7183331a820acbcb83193a1a94c8f7e384aed0c35ed3cb3397bb638086e7a35a6408a3a4b90ce953707c19bc46c3b2da3b2ee32319c56b928032b5ed1256d0753d341423e9db139de7714ff075caf58fd9f57d1a54019b5926406830dae29a875302a81256f4d6cf5e74034ea614bf70c2764b20c9589cdb5c25761a04e58292907c578a94a35836bee3112dc2c3ae2192c9deaa304b29c7fea1bdf47b3b6bcba2c0e55c9cdb6de7149e9cb17917718f12c8032de1ade0648d405519c70719becc701845cf9f4b912fe71983ca34f9018c7ca7bb2f6c5d7f8c5b297359ec75209c2543ff11c4244977c5969524ec454d44c323fcca94acac273a0ec49b4a8a585bce7a5b305c04c3506422580357016a850c3f7ee17205a77b291c7731c9836c02aee5406f63c6a07a214382aa15336c05d1045588107645ea7de6870fc0e55e1540974301c42ec14105518680f688abe4ce453738fe471b87fc31f5c68a39e68af51b0240b90e0364b04bac43d6fb68ab65ae028b62bd683b7d28ad38806bee725b5b2416a8d79c16ec2a99ea4a8d92a2f5052e67f97352289761c5c39fc5c742e9c0a740ca59fc0182f709d01b5187f00063daab397596eea4a31bdbcbd4c1bb0c55be7c6850fda9326b353e288c5013226c3c3923a791609e8002e73a5f7b6bb4a877b1fdf53bb2bab3dd424d31bbb448e609a66b0e343c286e8760312b6d37aa5201d21f53503d88389adca21c70fb6c0fc9c69d6616c9ea3780e35565c0c97c15179c95343ecc5e1c2a24de4699f6875ea2fa2dd3e357bc43914795207e026b850a2237950c108a512fc88c22488112607088185fb0e09c2c4197a83687266bab2e583e21c40f4cc008fe652804d8223f1520a90b0d5385c7553cc767c58d120ccd3ef5b5d1a6cd7bc00dff1321b2f2c432b64efb8a3f5d0064b3f34293026c851c2ded68b9dff4a28f6a8d225535e0477084430cffda0ac0552f9a212785b749913a06fa2274c0d15bad325458d323ef6bae13c0010d525c1d5269973ac29bda7c983746918ba0e002588e30375d78329e6b8ba8c4462a692fb6083842b8c8c92c60f252726d14a071f7cc452558d5e71a7b087062ecb1386844588246126402b1fa1637733cd5f60cc84bcb646a7892614d7c51b1c7f1a2799132f13427dc482158da254470a59e00a4e49686fdc077559367270c2153f11007592c9c4310cf8a12c6a8713bd6bb51f3124f989ba0d54073cc242e0968780b875a869efb851586b9a868a384b9e6821b201b932c455369a739ec22569c977c212b381871813656af5b567ef893b584624c863a259000f17b254b98b185097c50ebb68b244342e05d4de520125b8e1033b1436093ace7ce8e71b458d525673363045a3b3eea9455428a398705a42327adb3774b7057f42b017ec0739a983f19e8214d09195fa24d2d571db73c19a6f8460e50830d415f627b88e94a7b153791a0c0c7e9484c74d53c714889f0e321b6660a532a5bc0e557fbca35e29bc611200ed3c633077a4d873c5cc67006b753bf6d6b7af6ca402ab618236c0affbc801f8222fbc36ce0984e2b18c944bbcbef03b1e1361c1f44b0d734afb1566cff8744da8b9943d6b45a3c09030702ca201ffe20cb7ec5b0d4149ee2c28e8b23374f471b57150d0ec9336261a2d5cb84a3acacc4289473a4c0abc617c9abc178734434c82e1685588a5c2ea2678f6b3c2228733130c466e5b86ef491153e48662247b875d201020b566b81b64d839ab4633baa8ace202baab4496297f9807adbbb1e332c6f8022b2a18cfdd4a82530b6d3f007c3353898d966cc2c21cb4244bd00443f209870acc42bc33068c724ec17223619c1093cca6aeb29500664d1225036b4b81091906969481f1c723c140b9d6c168f5b64bea69c5fd6385df7364b8723bcc85e038c7e464a900d68a2127818994217aec8bdb39a970a9963de93688e2ac82abcc22fb9277ba22009e878381a38163901c7d4c85019538d35caae9c41af8c929ee20bb08ca619e72c2f2262c1c9938572551ac02dc9268fbcc35d79011c3c090ad40a4f111c9be55c427eb796c1932d8673579af1b4c638b0944489012a2559a3b02481b01ac30ba8960f80c0c2b3947d36a12c080498bee448716c973416c8242804a3da099ee137b0ba90fe4a5c6a89200276a0cfb643ec2c56a2d708d7b4373e44c1502a763a600586e6cda6273897d44448287dc2e602dc39200bf6166236559fd12a60892aeb153dd651bb469910b4b34669f91da8654d1eb72eb6e02800b3b0a7d0a48c836854d3a83e65569cb7230bb44f3f143a6dec5f2c39ab90f274f2088bd3d6a6fca0070273bedc84777fb52e3c558b0ae06183d5a48d452f68e15207f861627aca14279630f82ec3a0ca078633b600afa79743a600215be5637458ce2ce8aff5a08eb5017b2c766577479f8dc6bf9f5cc75089932161b96cea406620aedb630407f7687ebbb4814c7981637a48a90de68031e062a7af7612b4f5c7a6da86bd136529e64295a5613ea73bd3d4448cb81f243135c0a660beb9c17e651def469a7d90a15d3481090bcbf227012328941fa46f39c5006ad93d458aa6add655862b418c3094f551460df2153a5810a7da74f0614c2588be49dc6f5e88154642bd1d3762563326433507156a57c57694bdd26e7a246feb723aed67b04887c8e476b48cab59e5362f26a9ef50c2bc80ba146226216fe62968a60d04e8c170d741c7a2b0e1abdac968e29020839d052fa372585627f8b59ee312ae414c979d825f06a6929a79625718a85768f3486bd32a01bf9a8f21ea938e648eae4e5448c34c3eb88820b159eedd',
};

/**
 * NIST ACVP-Server gen-val/json-files/ML-KEM-encapDecap-FIPS203/internalProjection.json, tgId 5
 * (ML-KEM-768 decapsulation): tcId 88 ("no modification") and tcId 86 ("modify ciphertext",
 * whose k is the implicit rejection secret). Copied in RustCrypto/KEMs ml-kem/tests/encap-decap.json.
 */
const ML_KEM_768_DECAPS = {
  dk: '1e4ac87b1a692a529fdbbab93374c57d110b10f2b1ddebac0d196b7ba631b8e9293028a8f379888c422dc8d32bbf226010c2c1ec73189080456b0564b258b0f23131bc79c8e8c11cef3938b243c5ce9c0edd37c8f9d29877dbbb615b9b5ac3c948487e467196a9143efbc7cedb64b45d4acda2666cbc2804f2c8662e128f6a9969ec15bc0b9351f6f96346aa7abc743a14fa030e37a2e7597bddfc5a22f9cedaf8614832527210b26f024c7f6c0dcf551e97a4858764c321d1834ad51d75bb246d277237b7bd41dc4362d063f4298292272d01011780b79856b296c4e946658b79603197c9b2a99ec66acb06ce2f69b5a5a61e9bd06ad443ceb0c74ed65345a903b614e81368aac2b3d2a79ca8ccaa1c3b88fb82a36632860b3f7950833fd0212ec96ede4ab6f5a0bda3ec6060a658f9457f6cc87c6b620c1a1451987486e496612a101d0e9c20577c571edb5282608bf4e1ac926c0db1c82a504a799d89885ca6252bd5b1c183af701392a407c05b848c2a3016c40613f02a449b3c7926da067a533116506840097510460bbfd36073dcb0bfa009b36a9123eaa68f835f74a01b00d2097835964df521ce9210789c30b7f06e5844b444c53322396e4799baf6a88af7315860d0192d48c2c0da6b5ba64325543acdf5900e8bc477ab05820072d463affed097e062bd78c99d12b385131a241b708865b4190af69ea0a64db71448a60829369c7555198e438c9abc310bc70101913bb12faa5beef975841617c847cd6b336f877987753822020b92c4cc97055c9b1e0b128bf11f505005b6ab0e627795a20609efa991e598b80f37b1c6a1c3a1e9aee7028f77570ab2139128a00108c50eb305cdb8f9a603a6b078413f6f9b14c6d82b5199ce59d887902a281a027b717495fe12672a127bbf9b256c43720d7c160b281c12757da135b1933352be4ab67e40248afc318e2370c3b8208e695bdf337459b9acbfe5b487f76e9b4b4001d6cf90ca8c699a174d42972dc733f33389fdf59a1daba81d834955027334185ad02c76cf294846ca9294ba0ed66741ddec791cab34196ac5657c5a78321b56c33306b5102397a5c09c3508f76b48282459f81d0c72a43f737bc2f12f45422628b67db51ac1424276a6c08c3f7615665bbb8e928148a270f991bcf365a90f87c30687b68809c91f231813b866bea82e30374d80aa0c02973437498a53b14bf6b6ca1ed76ab8a20d54a083f4a26b7c038d81967640c20bf4431e71dacce8577b21240e494c31f2d877daf4924fd39d82d6167fbcc1f9c5a259f843e30987ccc4bce7493a2404b5e44387f707425781b743fb555685584e2557cc038b1a9b3f4043121f5472eb2b96e5941fec011ceea50791636c6abc26c1377ee3b5146fc7c85cb335b1e795eec2033ee44b9aa90685245ef7b4436c000e66bc8bcbf1cdb803ac1421b1fdb266d5291c8310373a8a3ce9562ab197953871ab99f382cc5aa9c0f273d1dca55d2712853871e1a83cb3b85450f76d3f3c42bab5505f7212fdb6b8b7f6029972a8f3751e4c94c1108b02d6ac79f8d938f05a1b2c229b14b42b31b01a364017e59578c6b033833774cb9b570f9086b722903b375446b495d8a29bf80751877a80fb724a0210c3e1692f397c2f1ddc2e6ba17af81b92acfabef5f7573cb493d184027b718238c89a3549b8905b28a83362867c082d3019d3ca70700731ceb73e8472c1a3a093361c5fea6a7d40955d07a41b64e50081a361b604cc518447c8e25765ab7d68b243275207af8ca6564a4cb1e94199dba1878c59bec809ab48b2f211badc6a1998d9c7227c1303f469d46a9c7e5303f98aba67569ae8227c16ba1fb3244466a25e7f823671810cc26206feb29c7e2a1a91959eeb03a98252a4f7412674eb9a4b277e1f2595fca64033b41b40330812e9735b7c607501cd8183a22afc3392553744f33c4d202526945c6d78a60e201a16987a6fa59d94464b56506556784824a07058f57320e76c825b9347f2936f4a0e5cdaa18cf8833945ae312a36b5f5a3810aac82381fdae4cb9c6831d8eb8abab850416443d739086b1c326fc2a3975704e396a59680c3b5f360f5480d2b62169cd94ca71b37bc5878ba2985e068ba050b2ce50726d4b4451b77aaa8676eae094982210192197b1e92a27f59868b78867887b9a70c32af84630aa908814379e6519150ba16439b5e2b0603d06aa6674557f5b0983e5cb6a97596069b01bb3128c416680657204fd07640392e16b19f337a99a304844e1aa474e9c799062971f672268960f5a82f950070bbe9c2a71950a3785bdf0b8440255ed63928d257845168b1eccc4191325aa76645719b28ebd89302dc6723c786df5217b243099ca78238e57e64692f206b177abc259660395cd7860fb35a16f6b2fe6548c85ab66330c517fa74cdf3cb49d26b1181901af775a1e180813b6a24c456829b5c38104ece43c76a437a6a33b6fc6c5e65c8a89466c1425485b29b9e1854368afca353e143d0a90a6c6c9e7fdb62a606856b5614f12b64b796020c3534c3605cfdc73b86714f411850228a28b8f4b49e663416c84f7e381f6af1071343bf9d39b45439240cc03897295fea080b14bb2d8119a880e164495c61bebc7139c11857c85e1750338d6343913706a507c9566464cd2837cf914d1a3c35e89b235c6ab7ed078bed234757c02ef6993d4a273cb8150528da4d76708177e9425546c83e147039766603b30da6268f4598a53194240a2832a3d67533b5056f9aaac61b4b17b9a2693aa0d58891e6cc56cdd772410900c405af20b903797c64876915c37b8487a1449ce924cd345c29a36e08238f7a157cc7e516ab5ba73c8063f726bb5a0a0319e57127438c7fc601c99ccaae4c1a83726fdcb5045ed1a82a985ea995396d77272c66ce493289f6110910f37c2741ce47026a6f8261999c6482572b1693912ef12eebea7acf9234fb409f2a6090e6b0bfd895469d0b2a921bb723f87a33ea5465ab90f514b67698c0768b6ca498b022c512fa0875f054aa2265867e31c0e522651e024a07d60dd9f633166921f4126bc2b6aa01cc15a09b85bff8218c5aae95bc1ffb26ae5a137670f04910ca9d7241b6660c394c5455917746a26682fb71a432ea9530e839bdeb07433004f45a0ddaa0b24e3a566a540815f281e3fc259ac6cbc0acb8d62268b603bc676ab415c474bb94873e4487ae31a4e3845c79901550890ee8784eef904fee62ba8c5f952c68413052e0a7e3388bb8ff0ad602ae3ea14d9df6dd5e4cc6a381a41da5c137ecc49df587e178eaf47702ec623780691a3233f69f12bd9c9b9637c51378ad71a831055277254cc63c5ad4cb76b4ab82e5fca135e8d26a6b3a89fa5b6f',
  c88: 'a5c81c76c24305e1ce5d8135d41523682e9ee6d7b40ad41df1f37c9b17dce78076019a6b0b7c95c9be7af29507b2d5a6987c8ee3259190855243e6e56f5620608c52d96fab103a8700fba1a87dca6078118a0871762c9534c0c0c3978c91c3a01f0f608dcf757815438fe8957c8a859183b1b6721a0865bebc799d4e5c0e7bd3eae4858e6ab6a2e7658ed80d4ed158b036b93fa03afa6ae3136cf3d693c911bcc75905e5b0cb2865b9e9884522a77777613e53111d5a1c7d3dab734ceb03657ae0c89763e99471054776bae7d51b0e73a5bb35aec30ff6bc93684916fef1162586452f426653e2ca844d5744307ff9aeb287a6447783b21a0e939c81421d631f5dcb452e51ed34e3dad1cf504e0a3b0f4711a8dc6499d1691d109569336ce1558a4c0a464e2087ea8f9e3b18f747ef61f4576aeb42b17cadb7f0fd84da8e3a6f471d95edfa65be9e6c9f6ae756a22a4f1a5c543c26ba7bad88e16d5f5b7e12e2d4ca34b3a64d17f87ccfc4ff8c5e4f53752a077c68721e8cc817f9ff24876170ff2af89fa95855a5b1de347c07fddbcfe7264aa5ed6401491561d831538f852b0ed7b9e8ebaffc060284f22d2baee56fa9f6d01432a115a2d6a64c38ae0a50ba362fb57b53e3e855b83ce8c42274045599f65fa6a8921d85f94ed230b516712db6fd2ff28b3a3371d9be058ae75c2fa591b7ec3c3daa1f7642bc26c324c08090607e6662154db37cf747967a1f9fc29089f570ebe60eeef89fd24481028c85aef1dc3b09f22cd3691bbbb821c7a8a0f35ad12be1dd199b977048f3d48c16bb2ca94cecb8928770d5bb329a0327e0b286faa1c65281031a31c84f2edc9c04d475ed4e128e51efa97d0148cba6c95f674c589f301c265bed708e9ad8da3c5cecbdeeed35ef1e253132ba89920d786b88230b013bcf2dc92d6b157afa8da8592cd0743d4982be60d7c2d5c472ab9fa7f4cc3d12b0ebaf0abe555c75805426844dd9428643f84406a1b8d6faedfd8ae6e73a72772a2159acabd972aeb6f7de091ac5fdd7f49a3dc6641cdf62446b4b04a31f73b80a62f80a404a8cb18ce3e65480ef7b52bf0091117e5d08eae1b0aabb72e6dffff76f6e44bbd7ea570d6604bc2e74318bafa315a38861aa1b21afb2a53f2614f1d640075984ae62e2fca1d1b4db369f15705ce7d4df8ae98264501051c0def21d645d49625af02ca428d9f0c2cd9fbaeeab97e8e9151662b6992b4c99ab1b925d08920363373f76d3fdf0828caa69c8b1bdc6f521df641cf1c8a4e7ef0c23289a4e2cf18acebbe4c1e68369bd5235120142ecdd1a73811e2e533a647d7aee16daa03b683639dcf1e1f1e71cfaed48f69aec3e831733da19cebec1ddbf71cbae0800f2f6d64a096ec495d62f4344f7aa5621b322353a795aa099ea3a070272d053d4653a20cf210eaaf12cae6023d8e5118df04b384a44d1edb91c44989ef7ee57f2bf81a24bdc76807da967ee6525410c5c485067efc3d39a9ad42cc753baa59a1fd28af35c00d18a406a28fc79ba',
  k88: 'dc5b8888bc1eba5c1969c21164ea43e22e7ac0cd012a2f26cb8c487e69ef7ce4',
  c86: '74a26c7d27146a22c7eab420134e973799cec1da2df61ae0fa7905a3a47485a063076bfa22d6e4fe5059de0a32e38f11abd63f990e91bd0e3a5bc6e710dfe5dc0f6d4a18147ebc2e2d9b179374d83692c53efbd45f28a2a928c2494f903576c410eb1773895ebeadb119960eebda9c3c710795a6d9b781fc58b30d08107f4e20944a382afb079f31d21724f2c26e6a53412f0a908be7586f2b3d6d7c1dea0270e98aa209244bd88ed68aae01432342ba5f49e015cb476b5b78d15ea77a354cc9e9fd07137d8760be42fd4746c62c02028e7b405ddc95df3d021921cfeddb3d961b957eca302a263dab2dc117beb3e79efacfcf936dfc09fc0d19c358d724fa381ea06ca067c384e944302c3907ab15a1da4b41352692add59b061541f07eff25ec42f46e1a0e370cad06ff3fd997d4d2c5648af762231b382d0593401936cba21551a2ae30d8e8effcf43916b83138bb5e610364429879fa9cdd5b7d3cf2feabaa1dc8d50ce69402e21103e795df7074d1fcf65f8a4e18986d5417780602c63be5a044863384bd3d8ffb685eac567ed8349dcf2ceb702b7375b145729998049d13e2cd466cf2231b9d3a20018ee908f8514a6c6a89df7232f91fcd84b81ebc8bc539e9a37a4324755564be1bf4fa1fb4571e0abbc9b52f9d090c33be599de6c8532c7cb7ec8b4e2d3c07505280e99923865903ffd18bc13b9c8164aa1eae84e38d3f57fdb8801785f105a6a8574bd2fe9bf305848e525330bc2d24f0257e47a4950f433a9233e8cdeba81dbae7d8c1a06d01f70de6ef663207d84952827bab3d451cbea0990007fbdb4240fe899a706f7c1563e05c70be9d575189ef83e0cf76195f6652491cce04f1ce2092170a92e0dd7301246a4c44fc0b4ee6aaa63fc7027840abd2ec25f654589738cd38b9e10b975cfb6c1d2eb4da97736998f84fdddd810d72da3c5ab13507420ddbfaa4f7750c1fae9c7dfb30f40a12aea689fc78da900020e3abb32a364d5c6b3c7544a1b5734a41e95c8314b448cd0b738d829af772a8f81c51adba2d85f326c8f5d6961cf12d44a9bedea00d1df5b48f429b1ce0c15ea5f5bc10b017247ba2c6be922b0563b8e9698677cb6c45ccf2081bf84219d2904c11ff92199f8aefad62d8608e200802c5a07202cc820e9e520e31bf36a83002eca4018b0b3a398801562aa86c77ab0d50a8fbc3768b0a643b97e7f9072168de29b8175999c9aa48d301a3f0303172e9c7d4f16329d5ca9d42397c3982e10c9da42de88bd6c2ab91c1e71e778e58bb8f801f207a88a9b47f9c687afbba34eda6d2899e4fa0008aa2b539711753dc7c07f614e814f683d6c037562ae1fbbe6d7d5fa54b7a6d9451e11b01aaccc3bf2ed64742dd100e0eab2df6cccf937b6d5981eca0e01f3245cf26a72ad1adf066c8f5430d72f509963a657d85e554c14e26e8bec5d5f3ab998c9b29f16b04747d80749b30e51fd2a7f690c22f9986aaf6358d6fab8ded54971b32641de2b258590eeaa6bf1f32324a7c4c983f49466d86',
  k86: '3d23b10df232a180786f61261e85278251746580bebca6acbad60aef6952be69',
};

/**
 * Wycheproof (C2SP/wycheproof) testvectors_v1/mldsa_65_sign_seed_test.json and
 * mldsa_65_sign_noseed_test.json, first group (the same key: its seed, expanded private key
 * and public key), tcId 3 "non-empty context": a deterministic signature (no rnd).
 */
const ML_DSA_65_WYCHEPROOF = {
  seed: '2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a',
  sk: 'f5408337d0fee65c28851226a5fa81b58464632c78e2a9bef70d330f2e3a5f743fe2130a9185402b9ceee616adcf0aeb1b0adc5b7bd65b8469d9f73abdd491c7659d92d3c6412cab96a2de13921e6e28264326efab5964afee6490ef637e546aa6b61aba997daac4623b0ff33b4bbd1a11b2942500c737263b5a7b599c454d8442073855220447142672283106762324611334160331766716756876656306340247416643645788214401245418430332335014484266482863377264642414206877226544283410340543730247627225170453086122730061663720413006672700563545553308822632620516184200008121626450075764267612441006130131054105366434124552571655324024583437672387040523848872722438820242507702366302474748842265201861837063577540747600354316761325342724414244818807083666356763458818178730038860216678417556380528118134053806822634757706213780383068245037164828641644088712486666263228563278454077257226514241838623545046705775223416234252343326255430503041432773656045076111030080425435056385571604503837242375546781881637734567572558705071178084805270422810171125366178026263016101361657832287864742571181540760851116286862663367644442262567158480021516651834322735675322048815731072442030787610367014103700472855221118750731347147044142277174111214348353566824008064045627684488722675430832058628153456611117540326632627423710448122776364844470152004860248280007708325718482525552264175551177652286873852661125522335557583772044467545176204662306421267463234564162341677110818645117237332101582140278868362167651433830007175820104352222533408675507171265571436206825831530330505138722014332544414101453361865663285823831165654236338452842635115828271801121281582618708170531302365851580567783463004004872080286853401722161683240507540174321162726623307704357168735441623362805550771378557544025577664653883727145477726652161328654636765354441580462755002525303617004457666056523833318532171037664380506224158805461788342412558636736557807030038168058241037440287466117173258168248137753751448321557734277603877752226522005384287417756673375054253360826560561501724117752720403752166506773562110186547571130831846605687668266432088723466508134167088157733748882573483206443607642671007311272002682616013071771238832745526182648607836043640787500384324825714344453303465740312784685175588706426626253688784802024002168480055006521746017031355351420356313376038357500434586744155331653510137233135501164040340443180537652161358720413477471755650162313051181844240248360407773704517351058764775404747121083306411352302550060311617664848461285205032215087833220558462453850275140274158215805155381750850757850271010637641250528012682211173613444785706268032670127024707747567314772632848841668565545456641117066848041360116507056675046470163210801085300085527862576471877326436205146166232414075335513375673166307774724018723351488672332685528233522486007870307457262016571753124063541231514175538351737543321726247362412023101043212535074048080016006886215511021520172701460518406542024738500552450424583471822538241124124282248288348872240758184343246825136527273210452765138144072540628287154522674671801747806751802628540570743817583756538088277258068473227163621044527db3e8a7b37950eaf9af3770bd6b8f8c9572b54256463bebfcfa8920624daa12fccd1c228c4668f688976a5094a00b6e30694ab2e017cdc2d4315a381bbe84ee58340cd6bc6fb225ddc2bf8dc117ce2be59993e5a521f5296126f290d10097bb2b9f171ff3f5de8a5047e76a15594c3caddc7c0caa852b8aff91f435d3f039d3f27963c357691e9c9ee543f32a77691f8b8ad98d711f8191f5c9891f593d8c754b07621a42cd25a2e95c32156a356f7bf71d6a3d1be00c7364741f2eac5d0c5fb3ef93c6339b559c9b2c4f518927fbe1b87d49546d0c9ba801c224a1cca84916aac512fbaef6841f725c72b927b55d920bb9b8df4e89b9b09da7adc24fa3f9834a8a0380bd42f07801e4afac2bc1e852dfe41b0903990289190ddcdcc214a680e0247938a4b54b704bb6f0affe7ce2171ab7e05f8cb96abc352e44e9b9f60f6ceba0ff95703209197657d8228e93dae9a9f478a30700a6cdddb4ad484f963afacb39a3186e94e097fa25ab149c4c438458b24369f62f87159396f37de36fbcdae2acc7b996a90f66c6de64ad905ba6d4508d3c453e7d43ecb7c8692244f3de88c975046189a438f61a1a84e8d0eb11f93dae6c80dee63c2a3ece5b794483d60493a84dfd4d267eaa205ad0b9491e656e267eec42f5d3094982452ca10b420552d684242bb72d651d47e96da49077d73dec8fcbaeda2ace53156bb4d4392e21fe094a2a32d3eb3d4163ab50a8528800464c05cf2db162da56dc13e709844dda7cbae47ef8364c8c3d5fb471f9407bffafef778486c304088801624aa2318433459b4794f4c31ec2cac49d56504602db94a5b882a92b06ba9ea1ac40523fbf4ec1dd473c076d3e397941c821895beeb4b5fd5eef9246ed1ac724a2aeab43c56a6584bffcf4aed0c6629d5a59b719e5d677539c3dd620d861ee7f9c0a5f116a17e4bb3b16a8017e668612c1038b576e39dedaf7d848d02024c0065f1b896ad6594af4477c73544ef51f3e612c80f11150b1f394b9fd899fa6d927535efaafb745133a45442241579e57701399ba23b0ba62a2ef13b5eead46f02d2c5a91fc031e458be09a8b5d53d9843278590bf556e2258b371f14f07cedc213302ecc895e15be2eb0e771e4b1d6d10fffd2ab945dacc52287e8667ecefaf3c959dc5bc18d0d953ce392acaa67e3f457630cf266c7665253c3c04cef5a73aedee0cfd06efc300887d4694dbbb717f2813737d0fae91e434922ea831ae41349e44ed0fe9101309dee68c1337f050e9e16113e8ba47877202b97113b3b876f4333ee620cfe37b69e597162ad40d78f5a7be33ebdb38b9eb84dea68e01de157c7e74f4522836b64d146f719df851b60fe69cea4667daa057bc47a47248fc3073a904239c0f8757cd8aa52e5d837fbc6490a0ffd9a3dfbeed09c24c61e48df0695d8f37f5670aca01a3fbb2a5fd3bd57cf38c453f80f9de428aa0d860b13231c5b2e435905bae792ee21e6104535204f9ab1f90d8c3123e57e2d01b0091ed089b9083438510579190478b86980370bb0170992673394509aea3a64d241b0d5388614282c4172796b00bcb034769bb492c0fdbc88c1a30a040d637a7b9c496f620114546133fed394ab79413268027d5418bd61e6ce3ff18ab83f76ea0a2e5694a48c01931cbd1c4bb02a3515ba3fcedad86e74b2848902089986bca91694dfa712b97c4f2878f287590aca47afb18d1ee6f502b90749f8ca1d796309c5bc96f5899f70fe0b4b5061668e62891b5285546f0dd2176649e5cba2b206953c7b66c57fe2e67c1c6e45682322d82c569c543840722756b7b4c92aa059e59983fcc327833931556346b83d7519b3a6b93691e74af6d26fb61bac9cce2f880d1f194d084171809bef926e99218f664bf18f58585985534281b6008d86f48f8c4044a4e4c89f4f08cee869c6a09b96df42d6435433d247e9e1150ac5b09da7f66d4f2eb0fc7f8f22bf11a0b03c9958f0562030d2c93b1c4a554e86b00f7c2e464aa54fe018bed4578f3ca0ee8644c3537b86da324703e7779fa897fdd4b867f7620e7fad29957f28067524ea180380428995ea333a3f291fdc67f0364cac8683e199a9a85c7caa3cc29db52f84aa0d0d07d5677d74816873e0af727a8555149d41d40a1eeb5944328a23b1be9e55ea81bfe461c86bb1fe3995e9f8dc83a77b06257c6356089bba2bd44e2a7acacf6de34262d22b0f899d0abd705637ad5ed1de2691e498851db106f1bcdada3a2f96908d3774f661fe2e8ec3ec598b936f4dc4d04b80efa4f57f3c55d0ff990b313643a8126aaa14d898e338f5a261ae5bb17b854cb1a87ad626d3b4ee29c567baaf409ad53891f707c148f49ec16f9882db396d1f140ba9e8b0c9a0cddde6592e5e82de0b18dea363e8605ca364aa68ebdc5f3220b810125fc787d339c6a5a68c92cbc64b5d265ce7a03a06a2409a8a18f000691cfbc5b205bcc1926efb589b82a7404d1bedf09e88ad286f7711a6d67ece4bf76fd86556e840d73f353d31b4d1c3dad5e83f72d540c601983cde7171e67b805bdabe3cd6788e30938b0398c1c8cdd5f8f1028f123d2d612611ce15f7637d2d751e59df171a4014efa4e8420bfcdb75b77c63ad1dfde967d4cd44792d1868d6df3c5bb5f1f3617861e24ee6fb58c33e6b82a57b29422dc0c5aafcf0ccf44557ede0e9f7d32be95f4a214524a30d37b85f1783c3e77b7d52e8648afbb9a03435c59d6afc2ed3b6ee434620c0b368ca6337cc7228916c5857d1bef27502014a0798ab099a7d7d9f053175b9e94d4e3736794034bcc92a842edd555dc74e69906a8021430655b3907ff0d5af127c847902c783e5e51bb45a3e4da6bca417774417fe2cd5d8448c5422eb55ebff2a44a378d528ab06419e6ee4ff6608eca6b44b8c71f55faa714bff9727dd3163b090330713d90813375c88b8681d491527f89b87f9433cce8f6dcd83fbf4f00215b3caef344b38ab4bd9bc5e3dcc3624fb60ce34acd7340b14d9ab48df15b1cc839265b791a417f90cd463df719fd69869aafec64df9bf010498e8d6397e1cb696fd68b38ca9ab1faf67b7123ad01781ffce12a3dc2b703cfa73dce16de7c3a09eead7ed6a644f96ae33a4bf179122906c969e99d9d99dc3472de3c48e80be4e9685602b23400bc292ad6f2fd34a2afb87660a010fec11d3ee82c164fb267957b6651d9150cfba16650952f8f8863709bf5644b0e4738c45199824511fae580548c7f655f0bf0bf3102002d80c2b2c3adfdf358f2a38346032120519b31dd906d3e26518b867d1dcb91caa5567976cada346044dc8e7274c0bdc0597556ad059f711868b83b8da5920304d08cdcfd3d5d427287f5b637fb7e2c14253452915fd6c6614f93c3900c6b3469d7bd87e2e5f15629316a7e8d4dc12ac80a89bb8c6ae7238144f82792bd04c2e741beb130c2a5a9caeb09e8f02b1480ad42486d0d8e5229072dc139115493c2c747920ad76391dddfd66feac8744d5662014bce98728b8d',
  pk: 'f5408337d0fee65c28851226a5fa81b58464632c78e2a9bef70d330f2e3a5f74d9cf676aedd1067c91a5dd5d4edc46f868a93ffec9f44e254e44f682a153aeadf228e8db7c5fcfed30cc3408e261ab896876bee56660d2a7c1d7eac20c5754255206a178f7156295065ce7876f90c48f44bc37f3a00e32eefd3a4bb1e298fe283d106eaef92a33a594253a2a0790976a1d04636f8672d28c06c852ea8bb43b84bff512996e7616963d5b9a2906466a152c7ea9be178be35405683b44367af85d2daad87630c1e21ba5490154f0141780f5ed0407cb0b975dd56d5930f9b26413b843b83f3693304b0038bd3e4bb398868060ea18c9c67099376470a50deb052e4056743fbcdf0341b192663bd1c21ba3b3d5666e0d0e29c4e1ed0759ab0bd9d1d355011b94e0ff0c049b03ddb7138640667144fcacd7265f55a07e5387f1abd30c037cf14d436aa855f827049215440d8007f61460500d943f57ffb6bfee6fedd2fcec52882d7d8da1aab29e892c8beac3df3234b4a7d2eca3a45c6623c52bbdd07c1c94314b706988a52029f8f8b06e874b741d72926652c78c6ace2cfd8864eadb2e4b39cafe6e03e4edbafa2747db9bc42f92af8b031e3e380846b1bfd15ade88c285d6a6fffe91eafc8b17de6cbc68575f323cc09fc20e49e8efd76f9568bec486b78df4245428d8d0d5f53873e11de65fda4c770b521a8c67f5c51d48cc26358954514447881fd9a42e5891dac7e1db5249d7861b322111e5fb929bee9ff5e9d5a2667ba93e63fc03040d2e82648f89e89dec1d1d2dfb9efeceb7940f7dcbebeb5a239cc1c54d8f7d52cba220d0634e15df46a58280bc5a48840bd39274cfde150f9ad9a40f6398d715350925f0e0501944409f32331a362bdaaafb3d8ce71c964332d6afb7e684f99951246d88081c86744ae68133f22c53a4b5ae258f230a98491d2d43a79a6d0f4d54a3b62013965ac7c82d0507125a38a0277f81cbc1d46cef2a131c6f51b88ec0baae0c82a6a0e72831cb06f9116cff5111d597e01057d32805a008f52c9aec3311139bfb35982789ff83bdd0c31e9f1080e8ed8eb99fde66bafb29e3357389fe3785b60c78e229ef073e1b65e34d848bd4d8a4f251551e2d38d2546afbc205d3c6dab34d2b962b1afb44f1d22fc10c6744fcd6b636afd3cb414b16c2e0d708fe9f51ff19120bde693b028b6d1e6dbe37b4b8b3bc7c6f7a842701603869d3ded572500f085502efc8d3cc62b30e5cdbcb5e86d9c0d42973bf755df539cc0aea58f9148386db67bd2bf70cd12ccd96d5c66fb271416b772465228dc44b079178f9b766370b66a79b871faca246ca6f8f63be9f0668297ac446cad5cf4a83318b1b00ecbd283f0eecee60a9a37a27abdbdbe382e307970002837dfc0bd3934ebd008918fd4bd383c02c9d37f694996e989a49075767ebc4a2981ef5275455e026cb0bd70946cdd1fadaf251381d324f9efbb860d1b280c29685bab97d010676273b45cca12ac3966aae342c84e2357eccf252577743b8787967b40b07ef2d3d9e6c1a3bcb059cba0fdb7f0d4f815c242b8e14acd3375e608e9230ba3cf8718f43882a3e1e661a2bbe81830d34741f33473e263b3790abe67acf29f5df44865b2ffbc96975fd62738a64112deda5a2534fb0a23b3b3024df986391badf9041c593c313a7ca1e1fcffcb65b07b9a99337b4a4acf616cbe1553eb9541f38aa6247342905995233a28172ca13396b2a9662970120f82b92a213f43de7a232ccca3268265c9ce042d50915430a6c455f32277da42f9962fb9163b623231ebc080fa7b8e9f9021fcf85b98f9c483e4d2226b9326a5bcb2e7449ef029ae142d3a0f0c28bd4f7e9c51a12e1336f24dfacbc3f808a8f7dd683027bc948763b808fb0037394b8b41bc9b2ec7887e67584e03d11b15ca203b2bcb43f8881638c4e4eee7f846d09c7f89b7739df22b2c3acc235032ba8f7ae27b5b9d25733143e80a4cdde6770719c1e66ec2ce683612233e88fafff84c0745a98aa1254c8219c6c556348c2b5d1beeb61532d6bf7bde153271dc647460beb65fe0055b33fd6480dcbb9d7d471952cfa5be260c39721a8c5c89b9e966ae2dc9036451ec9f2c49433b2225e13f23e20c2bfba81a7b3a555883449238f7d48213e9f10ce19e76f1bdcfc73ee5524bd7d8be0a4b46784e238233c04fb99383ec7726f9717e1179dd14fba9ad6c2ebd1699f0ab0e57e6cad23875b029e89cfda06f51266ecd2eed4edafb51e82f2a506d57ba74da611774ca5fa2fff4a976519de425885e7d09219cf815b1767d4fc5a72c18918991a285086a6a766614a4d245387da50f28dd778fb33ab88c0918feba3768c55bb1f07aec33cfeed33d6faa4d34fd7227b365533c1e67dbc89f0b20195cf1cbd480d333ade1c9bb28308085b72ced430268c1492a27050c43668adc9cf8b8509447cfcd3c8f8d8eb554f704101786aa9ebca86991d250776a37a1f56fbf7d08e591f978da49c3870625879f70e2418aec5cba32fa8c346fa9038baebc35ad0068a4d03537aee14c2e71570a87490377fa8dd66f995aa044a522f0c7025a7ab2dd5ad30a64268dc112b7f9fa156df64d631f55f1d6edc55cec570a9c7372e29e02c8d4867bae249431dcf6ed2794a0183f0f7501201feca4a81d334c642fc8d38e9a90fa77429665e09e214797dfa455ff47c4f219d3a2cb0176bc2236455123c1c5da714ad29d580fb194f87173a18dc',
  msg: '48656c6c6f20776f726c64',
  ctx: '436f6e74657874',
  sig: '3a1f0e89fa72e489e2c4c1607b0f22ad03513725660d1ed7cc9a6b83580247a101ff45480e4ba49b1feb3bde46952139d3e1d34d7da0124e8ffa05bd19698be57ffbd5c2411f01a0588898cf4af2b3f3e1fd83e8befe03806d91869eb496c8ce989761da7190e036eb2bd14a8f9e195d5ab8a1b2b11dd56a098c1e7ec6d508856aec98b74850e1b934600b8b7d33cea5f79877cb9b1452a2fbf5fe09651c83c2b965aeb496a2a4edacd4f6f39d56cde44c2f99c2f0b548501220f553a1ad14c6d8a970d1cd6dabd4356568621d22c70dbbb21dab61c10876e34fb20d3f012eec956cdc9ed81c98e2810c218dfbe1de709ceec9dc2eb2590d31fe9855f8a1d14849f9df5120bda5a0392fd6cd93e2e8e5f80e6b30f45e9b409f9e251a0ca2aa8ab99394e9190f3c2cbd1bda77b49f9ac887e7ceefc333cbc49d080726cf373753addfd13fd4204f12c07a21fe2ae5d513eff664c0ae4780f4d4f87a807ec63efe098e7d196223276f4564efdd574402c77390d2cd72f4785501f89175f6d38768b6c77838723cfa66d42e3556077039ee8fb363b67c174fb70f78008229263350c14b54fd9361a9cdb29fdc57909c757f96f9f2c13905f44c3e40a16a92b0fe509ae9cc3647afeedb032464b176b6a1afa78df4fd6bb765e37071172bef2b6d045b9a51701d111b60d0a639c0ba034d5c6b4c146d079a340fe53e9cace778a995ceb2d39f302f066097eec6f65f775a5e803f10af031dcb3eecb2bc4939f478c5fdb96e0513d9ea90ee2cd46ba7fd45f88e8c38a23e06fc5b2c624708a5dee0d00bcd976a8f75e35c80caec5531ff4ef8bb735cbe7ffce86290eef23248b19272692b758bba1de7a66c63a58315e48f5b127849c759d185908a730f1f29272003e6491a0b4aa9446da297338e04a60bd5f8413778aa08cc0d146ba76a5ebadc775af2b0b3976acb54de8910417f857499d8395be90d207615dd061317e5385b886281699e484a7f958715dfdf3ec30d5423d94e0d1657a24478967513fc741fce01f848f9fdb8fa407b7cda2f7a0eed64d9795a2bcc9e12c1d09b4d71cdc9dc3fd2ba82251f0a9fe5ff32732d2306900184e4296bf4b5b92c106d72a638c5f6713f49a7099786b32ba7a8081aaf0ca40f9919e0645fb255c8a7f4aa672999ab84a19b9d759ce478b7492b48a83eb9bde46e7c5ea1883d03487ba01c8a9c4c798a765b18b311115d02911dbaa5566190006ba40f5ee86bc22eda4ca3d0e8fee49b1a61c4057d95cf797c30a7e06d1012c1af3622629de1765d3bd928df0cb9cc7e30299c5148f782af4871556a0ec4358019ef6a434ea3e0292e97c714fbdb3ab14837257947eb7adc9c1d682123a016432e1eea5afd039bfbade397a9360b674832d2c55d521820c0cbe68bdfbba6eab8189aeeec781362fb289883d2a2fe87e287b8d940ad6a4136b7b388b38b0913f2fba42dd079cac04a071636b7e5bca67b44860cdd9e5f9cd77f07e524e9491addac1c6a66dedf5a4f814fa54eb9586bfcb1a6d4a1a166b1074d28a9915167ac4cf279e8d22555df57cfba8bde251483d9b2aef08a180ff74edcbc1bc2219f01fef23d77fcdc1d41ebe683ec96a75a4784945335736770f63a5f000da542958558b5ee375c1c16a109d488d8b17daf2450f35e0ae08fecc139bf8d5f51f1d9a1cd738ac3bb1e91a3bcdbf79c6bcc9a09eb11bc97a7062fc4e4e1c2e796241dc42481d3dc89b31d2337e8cf727c43dd393bb738710ef7ff96521dd92be410f295c765a823e1984e63c534d5f040753715edee4c3f0c78cd468eb9322ae8d5aa92b88bb172082cd08148a8d208d21dac81f0cc516d08f9c0b7097d91bf73badf049b62085328e347e20cd6ac26c64be5271f4761a16ce90ec9c58b2b71c998404e1411f1a1c5c6a6fcbf260eb3e325d1f70132b5f41a279b082712005347fc7d8a6a960ac1ffefb33de83cd6bc704eedd8ee937487635b696975a7156473937d7c301579c4e531170a6d109d50185693d9dbea24781f391fdc1baca492f00867d362797392af50da481552b86f323bd297b6a0cdce20287f0ee6119be14905ec55851768ef95d50130965c6877ee8d91e1fe19fdbef7c80ef7f93968a0d717c354f071bc8cde4d69c84a6e876a261e620a0f7c959da0c638b32d58325b13ddc9fbf566e1f411edc9b38a2bd031a7225551c4bc596958b1c22d5ecfabd2c09448417ba8568938a1cd02068d4ae3e0821dc96247ca6b704a0af99acbe5ec66b28b7c461da48743ccf387771a15eaca6392341dc4657d5c4c986b0648e712ec50f22e3d68b272dd9c34b63aec5686daa5a0f9bd259138b6d967cfa368c04c48657b2de2133b4c47147877e080d5588b09ab0b19d947b6554aaf43601b1c7384707f3091331a0583abc41bf448283eaa4bb001a44836de63e66eef64b04d82ad32c4369bdca012df554097e493e77e1b26acd103b564b6e8134012aec9cdc52eea80955a76d1beb2cb87782157adeadf2ae6c6a4b49c031d6769be9b42e6f85c8c5a6d61947f931c321b45dc34822c8523408c77bfe32048719537361fe6a1c9a8f3467cf5529dd597e19285304c716f9144debdfbeeb16ed742fa17440e02cdae4816699faab22cec162054df5d6ceb6394cadadf5d60abfe5c1dbb3790e4a98bcd9a84f6d4aa8e5934d80b40d8da632ce6640ceb070ee6034947a094337c013075c1a1267a95c820b7eb5f2aaaf20736f09502faa043cecc39f2ce7ebc0a14f846e38fbd514b935d2a46dbeb778223f20694985d27273a9be7e1be3c7dc9b8af87c58d35f4cf6559f48d27cc7eb1c050c76d85edd69995ea3b2e54868556758014ea18e18c11db61c56436ca2ac66260635d927a72cd707ff5e533704477bf9f578848196e311369842846588febd3a229d0b4fc04a5848d98ca55c3996e34d2154efe73a63f052da1ceb72bcd844dad8a4a4546cc6f94b2029b4e2c8a65d2b50673668e7abce6f054d50145b744b8103592bcb4804b446e1b7f4910843f5cba5a34e5b17309eb287c39bb98f6c220024e7582367d3e5e83737ef64944437c9d462c94f61c754a887ae4e5f1d2d64497d2b7fe8e885af00e8e8ad2d998b921a654616866e492a32742f319efef91df3f2e3d2697a4a12b107ad94da1d64ee6c67f0e9cf5aadae3eef52a22ebe342199cbcad564cd11685e0678ea3c91bcb67278ae4a6ce5664e39e86c3233cbdaf812516aa824754f6493cd5559848a71275b35f503ac84ccec4fd172b09f9ac40543a54059eed72f77eaa8d56645986ec8767e78c2df76f33e549b561b977fc5daec7436735a46956077b661fd05dfa124fc30165d5a14d9215e75c3134cae2a7a8fa490dad2fa745003c2d74d83ed13db927f4dc5cfd856c758b39915ccfb695c915c3ec5f3257ec38a0ddfa1401c3527ca271c856f2b00fc4f44416f7a387aae1e88ca212d81a6b4ca1e61c1ed2809e41e78ad8fb170ba1e0b138f061fde62eb7cce2eb8ae434b37fd4eb78b85990e7f6d21b32b4cf9dc57fd9b46fdbaaaf25139315a99419cfca963b19c3fc2923c041bf43ccc6147c3f9736a162a20152ee40effd6a3a29523d77dcb14a70b4ab512bfd11980e30bfd77304eec045d50b5923e22def0c83439e4d0326d9a20e53c43797dcbf17014f80ebc2b66fa6045a8b402b7fb182b43bb8ed6d569568732723b0f7807ac79bb676f35221258fb1283bf7c275b2872f2c625b7e1211b381454ce044a3e8a634488ece71e6fc58b84668aa744302b8a061b5674cdad160c2d9ef600385998c9f002fde9c829a6be84fd27b8cdb8f328064210918f28189e0dba18535d978efa8a8157cd5a477db7e3c909a54ae886008a65ebdc3eb3f06b89ca21ac3981d064fa15f01b1ce801a2c515af3298c4fd5979e6a651cec9ca50476773a755f96478397dda65db9fc32b2166dec033bb46fbad0edfd03f3c543e144c15dbdca9b83f2c3f0d5357cab1180472c7264317b319ad50dbd476b8f6545d86e5e399cf6177461141ce2e438db3100a0bdf957266c9758f7039817141bab0b3ea234c317554a1b30081eeaa6ccf3406a2a3e38d0376d2c50ff03e770be90cc3bb1c05ae9ab546e21d5f1cad5a4df5b53684789e534f2983bdf41bf9244d9594e889a2eef8a64789b0e327d3b48a06229ff0e48d669cabd64b7d0aeaeb4990571e275c3026a75106083b32dd1f33511877c7bf78fa415243d59474044bad21c773e39bf48619a7bec8b55b951b79f097cac697860b20c09bacde7a5e8054774db8da54742c32264f62246ad1945be13f1f7c856810e9205fa8dd797fbd4def035107f85ea309c1565f0ee1fc1e312d0bf753aed6a8b7704d8a1b2e88703511e6ec48c17ad33cac96aced306c8c08dbfc12c242d6fa52c4e51faf4cd3b331f57544f371fdfeff6c2d5abd7a38ef1abeef3a003aaa7ad6d4dbca80cde878cee6c46429d86c64c73671093e9567cc807f9f3cd9dc501878051166220c2d90915ef8e5eb46c0c07befd7a63cb38f5e9b4a8f32483d998b67fba733e7888c6297359fd32791beda81f7e8cb5d8ee05124b646db4ebee1e477c86bbbdc8d9f2151d99b8e6f0f23250649faadbe7ed2642505d7c89919bc10000000000000000060e171e262f',
};

/**
 * NIST ACVP-Server gen-val/json-files/SLH-DSA-sigGen-FIPS205/internalProjection.json, tgId 20
 * (SLH-DSA-SHA2-128s, external interface, preHash SHA2-224, deterministic), tcId 164
 * (as copied, with lower-cased keys, in blackshirt/pslhdsa kat/siggen_fips205_mini.json).
 */
const SLH_DSA_SHA2_128S_PREHASH = {
  sk: 'ddb6fe04378b1f763d2fa349a20e6d655709e97149c5a9058a8f196f296eb29269356074eb5246120cbcf56ea9477522ae37e9ed82a7bcb7d5c81ce985bcde77',
  pk: '69356074eb5246120cbcf56ea9477522ae37e9ed82a7bcb7d5c81ce985bcde77',
  msg: 'a23e275d0517f9acf3cf01f5c50a3024d1224ea44d198b9b01977058203f09cc8fd840ddd3b777aae8dcabbd2d48ac215eb9736a0a3903e21cfb157cc2e2889f8c2f3d712b8edd448c59dd50fba7961614323ba9df95fbcc496b6cb0fc0404c62da765c45fc0539962520005054c4e89ab1180c6a9b646f1f39c317e283f978c5ee39d4931422895f8e45f2687ee697bea95ef939062aacaf1960687554c7ec17887f46fc7381e9ba5112853813887fa2486cba7000f14525265824fddcda62138e05e0ee98d01b53cf0a3a5b5fc3073e5e454fc6db6a2d696ddfdc9ee5b8c48b7dd50b1ac6dde7982395ea3e6aa304f2f70ab69155eff88920b7cc80784ee9a938950e54c5fe4904d6a5a6c3f34e212a5044edcf61fd207c39c1091fe2ce3dda59dd7c8bdd5547d4da189e865c225a39c7af4eb6194386b520dbaa0dd3232d753bf2f65d77e8d9aefb0712e8b25157d3deec33004369cd502af464b6f432ebfcf150d7a3f63915fabf922fe693a1a99592ae40bf102ec603a6ec868dd389311afdb69a6be6ea821fab432f097d743ca1824830355dd9a39bbcce9e7848b14deeab9d5ad0532bedc2d39e98c3ba72c23564df4f1167dcb85896fd97c4bd55ae4416e98c3fa9a180c169a80206324a8944834bddf6f554c827dd0481e3fd477ae594db0e33c7558142c644763004856d18d1850c284b331f151d53953af45705dfd8168b9f535ac99f74193a0479e58b623f763b031742fc106a618e90f4f56c0048e0158ff7ac9f0c88237b37537976abe48a2050575ebfeda6833bf25751c2ff509d8de0916ffc6fd68251d73092a3a653e5f2b7e4bcadd6d0a6eff41c659ee9fabbda071fda91d742151cf535809486774857f64bcdab3a94adcb23374e84e3879767c5291aeeabdc3e759ff732849bda273291492671528103120e767e05c7b50437ba2c6ebda9e9a11ccd202c3db6bc31a14d0639e7cf418433d6c4d85cf90b95cc24e930cd7b6438db30e5c2d6b4e9e6d6c367116d713920eaf9da21e2c4d1f28006e1279d8305185e63bb20e02c7e0e08a79d2eeb9b9cad5c86c3d283c29c8651c5ff54c2e28e73f252ad0a1e85a7aecc5de48f5b33c87f5ba40a2c07076b0b6dc9a697db3a6bed26e862b41ae84156a2cad9fece0a50085dca8f2edfb55c5516b7e26fec4a69a64cb289ab3c2649dac2d9d1536c71b3502982d244e0b8afb0939eda54c31430741e3670815a898b300f6fd77f65fff3e11cb5741cce87eccd33e434c756494aaa5947435062c015adafa0cccd75e394c86630ae1dbe89cb6196d35160273ae0dc3d5d52fab85a11bac322a699f9839095446bf2471577f7ac420bba848ad8c0563ab6411678d9245877c385a6360d7d5167dc48f7912b927e63dbd3ecb2997e58d8ec9766d4f8719d539362a7f65b7825f87d1df931a942d22d261eea7687fbea7b7c01be2365ce85d58a90d40dbf9472b65a74ae83e9d4eaaacacca37e4717e46760678ade3e706d2ba1e31683ed9cf9c98d319e7c535ad306effc93d2fa27c89114c19aa96e0ff7e8e101deccebca975eaf9da61fa909290b00e8de26594e3d80aff24e74fb9967334137758c65d3ffbe12fd1127a8688363469632c5334920669e4490db88ba4bb0c54e883c7c6f9143be116f79a4cbc540ddc73f474a2c71c973f1fc0727bddf8266c5e36db9513a75dd8cf1b51294588a4bc889584cb286a8bc318da6e57ec0afc6720e0d460109572f7c09d0d53e0af1a8d175f85d960474c3397ec2b859e1d75dc6e31d85f16bb1b0e6fe513749e22af44600c7462e76a99f93fea1c2ca4e1dcd312ab7590f37a9a8bc16d44fa408c1eb318d0667af08788e4c1ccdab047dd7bb3df5401bcd6c814c78765ea6f4e5bc61a9b63092095bb2713684c58084221f1acdd935506a7b91621f0fc36189bf0301ad41dd138895947355aa875edea04c3be7d85607f769a376c9b9279dcf182bcdd39430d06df6e323d13cca1df26b2b46ad8279a57ce6a5ee123b1a6bb965a01fc879b9f9e6f9ce617dd2eead47c5b1e424e1037f27e4479d9e27ca2c586106cfda01e3a44f4027a101a199c4843405ec5762dcb0358a21bc2e094a1eaac003179762d15db21956f1a138f959a06596d83664fc6b789e32bb5f95bd9641c8e9fb0b3a2a2b1c4c4153de455e68358151db9f8be784cb1e41c18dfd9a036d2546ffa12eeaf24136542df9b779ca6fb0a8f9a91acb88c88b29e63c7b51706a4b0b581fce28de7afaf66b14b01fe5047e4cef6e044e688d56cdca0d65fd37a168de09ac7e48aca006fde78348ef8655274c29b2f2e94854b7d6587ac8e578d289a3f436651c40a7ffe2474c932053af3892e2decfc1456d147ec8cee0ac925e3a7aa39c9ebee81a2af97448465cc370a539176b33a35d2d4082f55d366b91643a8d9966a0f8e84ffe16721cfe85e009dbff3a7200ccdbd3d14495770ee6309d0662de3666af7fefbb28281f873e71d609f4436708a7d708c4000610e893682636095b606bea0e1f564319e7c59fd3e7657e1a770c669651d33a2064cec632d50ffdbf6b15e754147b4fcdaf09aa42e474d4d71b687813e5646157cffe796f23f22382188458bc4c8972ef104c0ac32afa2eee2dea24f8820633b3d223ed975a6019a9dcc54d0362f2c130610a1a1918437bad85d3cf3dabf0575587bbbf0dc9e3e93a65131696a7a4c1ed27c0e8e95bbb6f8131a77b439a7ecce36be4b824dff90159e375d487d4ad45011759bc78e3b33a3fd08f06cb3ddca039aafb33ecb5e936e439d',
  ctx: '8d70d5b90fd5472936f1cfbbaf6d7eb1132fd0dc6c22301c92cfe14d31f5d6258f75cc369875479d10b216b6c0c173666b7784d9c5a00f59a76d2f567357dc4da78f7d22d4e9299708967c7b7cd789c12654a40d427eb50c97a020c10d50338d2e938d4a839abb1085c6577bada6fac82e3ca6a6e50ae135d901bc90faae5e60112a22779fb8fecdfb891723b38f0d54301a6f6cb044b7510a2d028267b79a9dea0b0abbfb2be29ea957eb9c5bec63dc832347944b496c1be51ea38256a724e726730f176c917878afbbb51c609d6faeb059298b9ec110fa22764c74a392595e744c3aca9a1336adafe5555c448f9231924614b0069833603ea92a',
  sig: 'e5230aa6a55aaa574d73e6fd93c1fbb066ace6f46a0817a1243299c4c60a7c7e9c7a892adf162686ff9a99c8b0e0512e2600b77fa1ebe0ac7664f76fca8de9b71294fc40de93fb3a358c9f630edcec4797436069d030a331086be1f0b09baf5d3202db6e259dc6d1088464c5df0c46ee610dbc193c793f9a60f6c8bc2c4f91c3527d007b18df12355a057648a5341a794d440e2f88c7ae9cf2f7c827061ad34862f00ca078c917e02e5dd9416e310f2155de01ebd7bb96c77a95d98df8c4059544e0171b18ebc89ac816c69e522fc77952b35f2c0ee6ba26519c8c767c88bd42f7549f903903c25ccc457e02af1ba74a495f4dcfdfbcec546fb6a1d2af0916f86bb42a3c1e522966e3abcb7d4782699ab40ce3d608f449ef40449eec8445ef9384a461f3ec6b821f7b8cda4b5743f9e9a40ed84cc1692c199ef1f3ace560193364cf6d456345b8e74d06134bf842135212584e2b1564fe591cefa55852420bb7e2da9934565cd41a99dda6d7ea7b2606a2e36ed4adcbd4ba07cdf50fd90652225bfbe82cd9cc62adaf239b524a1261aa68afaa958ef50fe8cd770b52e34799964848e0436835e72334015017320287ea2cbdc478b6ffaa111272f0dababc759d014c53e37a7973510d6760deff1d53ffe027545128a14473c21095ccee4b3bca7b05aff7814db27d9e7995d5d8a1acdf9b5becd40a8e53c9666064da1135237b630e16b6d27ff289d9a56c8cfbe748f9a03fa425ca6b556d2a0d854300a17e8b7af7bf3e1c184319cd9b3c613515226de814b23ccf17ea137c49d0c55df9caed85ec89eb58aeeb48e1d5885ff1c60824ec56d9c7dd05867a2ec32b97bdc11713c7314743322e4d9cfa34bf52db40e515fb6c2ef55b8f40b42dc625b0a7434121b7dc4f723ee228990804a0154450168d8555495dd72d8835b6f3a3497c5ded33321f2c209afb70450c29692568fcef1da95aa6c1434960355570b8552ce55b3c6324c0fb807e83e0a2d98ac732eb8176343fb46954e308e28e6cef5dc389853bb6c8095599b995d341a97c571a23c469060c8c5fb279cca4b12a74c537c807ebbd7690008bca11deb0aae678209817f134ae36189b68fd661becd0ea8fcbdd623eadcfba96eb790dadd9741892201b644675397ec483bb39210cdd4fce491b0c754ac02869307ba2badc9fb543f722dfe5604a472a8af423a124e155484b1ec0c7f3a5d825c68bed5c80d0fc19c901e40f13f35da6bf53394206705c1e41bb22e77567f8395faf0a3971f8a86814e599248c1aff6145da7e7d2969f329899b98425c593c35c6876c0431e3b37507167246a820ef2a96b2ac353fe0a6c9850cf8361b9723e1d6c8d2626bcfc57fb669fe48dd42cd156d81cf69f7a9749807361216f4e56bda79e2321e371d5a15fde918531db6f36aaf5e9ba8c1aeb58ee0b08982d3307af23fca1a9ab1522cbf91b99dc11b581d2e501d2bdc203977d9fe668e78aa9db711c4f0e18f36f6144a9244e00c8574f519d3f6ae6395c307d0d659a3fe57cb67c0a72a1e96a9603f4a86fb55876a498d1027b45c338994af2cd61df4899c1ed051b3cf71a3c3b87ef6254595ba25404165c528901b7dc13336cbc90be56c1d340bb6687da2168b5466e3f4839d408faf5d34123d508892e3a0075efe54068be1b16da5944c3364d6aca0ddc91ae25024be0b151abdb320a83872e894197f518a96fbb43fe1afa90e3c9f5b292cceb63e310645d7a3621bce9c33b961b05ba96d3f772377203364efeca1e8eba7a1db40a0e116a942da3a46c5cfb62b7291155122d765b499c2414fbe4177cf119bf8f546fd9673ad1203c938360feba21921cda6e4e8e1dd262c556c285d4d8a14fb5827a3d134d9e0d17d22be142916d092058052bf2b51da72792ccce0fab5479edcf7fb11dcd5afe4e92bff92229e212ece92e37c2fdc2aba07f613da33541c6470f05fc849eda3efcb8aede5131def1844a663b50ea0fb5dbf9a4e41e1483a109d9fa00bfe4934eae4d478fde2e748e29a0969636a984a4ba54ee19c086972ee2109f1d91039d97484e35c23ea623d9c2d019670a1a7df0d2dacd04ae2327c80d4950c63244b7637cd0834346beeab282e42858f4c7a1ad04be7d7b0c64823ef5afe4921f138eab85d7be42047dfcb276e7d9084ea932c8d2db5c807bcc30e513fd32b48122e1dcd8a881c74e91a1bb874665aae6e6f069d2bf69277950dc7ddf21a0cfc8fea3e183b8790368cbd89886cb564df73616776bb3c8a878a2cdae806114fee972d82baee76b15a4edda29fb87a743ce89bf4f6820f7a9302fd88df6b99884b5f4aee5f910495eebba245ae070a8a0fc0e6df038c05c9e217e7611dd62a5880b596d14fa43da0338e93d7b2a8b36d749a51ef91e062f886fe6cb425bd086be000c7e1924fa2cd9df5d85c972a73f94c49049411ab1db19be037ac10f16bdfb0c85d804cb77a87f910eb12bb779f9af2787160f5f62dbd9ac9b6877ed20b3e131348538f64f673af03a6c36191e245890fedeaec3daaefd783e35d597fe9ef9c06223ece5c3a2f3c5748499f35d64ab3e13f7ab03814eeab88dbb855b031d649c4b36556a0813eb736253f5cbee41a83bef72eacb9475951881c375d59f03530edceeae84a361713651fa1354079d69da4c6173a1067b0453e8c2a5217f160d8d4f13884d93e3840531700e45d50f4bfe8a2e204fc4a16f5d215732f394f4b7ebeab18d7559c9375204b599c859f6399aaee59e3f8dcc35ccfb55092d70b3d41225cfb1921e1fafcf8c6bf02e066b277e48728b79f544ef0b3f1f14dd58c66b724b165495aba5f25cec759b17ec762e39ca519aef9dea45f710a08cad33bec4d6d2b0e03acf572742331d6a236aec70ff5dda555c21d2153b745b8650a2501de65dc4e74aabc102c9a6846caf3ca61150f1b7053d8d529fd24df6419adf0434de3a072ce5b9d5e9c872dc430bb9099cca4881d8222813e9cfc79b7d2354d54146793cd377573e56e105d2c6dcfa50d84d22226ae38400d794ada1d88c7dd979bdc8f07d860f06f03494cabceeac1f5ae51698450630b89907700472220549338f893e58b8aa3533143e35b27d5049a959d29c778739ccf323a83619658e5be611f44bfbd6cd5678d4e7bb9f19095c427d58d6ba71b477fbd2bca292840478406d34bfabce5497150e4a14772b12643e3196aa11b02d3f276e6b72e0cc098537300515b98936187139f20fb9faeaf74b7a96a26e9e71753d77b83f1363acbf9d2f7c9a141ec3258110619f3dd27ecd58769a7b0c70bbfe46bdb0a64123dc59b89e2bbb674df46cc95e7b144e4619c8abf0f7fdfda413e062c26b2e577f47a97e14f5a4aaf4bac1777e273e8374ab375b3fdd4b975e8b66c3026fff7ad7199f38c460487230ba1097ee62a127a2054cb685d8b58794d32f68f9397489e548f45e58d242e80c5247bca9a20fa5f2a2f70048b0540858d54cdb8ac2c06292ff10a40bb772ec5f1d71ed4a3c6edcda949ded80484aeb983e5b39d9c13477b6c042c91d0abb49cebf534bd019ffd306e060df38025ce3f80eedc57be62e95376be0463b2f1eb897a3d0b4917474272875efa4e20a4fdf127201e5e9c9f1ed4fa844ddf5900426a11fae7ad4db254d0118094a7f81ba56f5f2c8fd3332745275c9769941e3cf0fd36262dc64377dad4beeca49fb9d7422c381fc337c06a659adc26e8ca7c9b73776ead2c892aa4faeadaa8e9e73bbd1839fad28cc2d9f9e6fa25077c463d48a2c9e564500a8e038715311d792cf091e4e50334cffa6e01cb94359e6d37550d2687f98b0e4fe5fd15107bfca8f6b47772a4f68ab5c4ef0515d251611e4d10c904ddf196f1f9ba2c0614378e20e55fae91d9da9094f3c097096fa4e3d54bfdf6afb4d97fcfd84fe9cab2bb7e64b4582a8a238fda59e018d1929c2e2a171efd9642c5ca19eb5f2e901a730ee65a98906ed10e6f205f992f3c1327fdfe962a9efadcfd4882302a7b6da3f379b226d58db6a46afccf8cda645ec6f4bd8471d0bc4f4f54c113bbce7e933e30285abc60caceed2c9befbc2aaa7284cc478dce50dcfc3917730146585841e331fe63250ba12fd64e62ec33dc2fc0d305825aa555de39d31a73204fc4c5b56bea22c146812e77756a214cb12349f59052edcf043a1dde8b729068bc276458dff00cd936964f0310dbb85bf2790cd9e06dca28ff9541a6100278eae647191229d823c58f80bf300ebc67986bf87b983511dd5d24fa7d32d4d72bfbdd3dd4f8b51c3fb6ae9aa79915f3fa37374d14ee4e9f510e381a22b42440900e587b1905fe10dd1fa490c50cad26ffb5b98e31f825f0a1f0932b68643c758e2836ccfcbbd86f4230e9b39b07f8598cfc2c8d53d5d9ff0b4611cddf96f1cd6388dc7f1612f1542db13436d8d8847e572dafe6280257cbda2d5652f9ea6eaf4ba2a5172cdd224cbb4662a2bd3e6410089ac68c95aa7444d92688a06fb1513b5ec9771b5995559f7238ed2f0587e4ed44eb19e189830c2154a00c2e64a168cf494ade7299d1c55eb19fb6c5474e3650cb593882b525dc41abe15ecb88ddcdd8090c0441465a29716f34a90ec0b2d50e92650da27f3b8c152e2de584ca22a60455e708e1f609e39402709d21bf8ef94105ec2689f9d15a21c4d73ed1c8dbbc91ccc4daa7a53d4ebaaa084a68c05dafd116e504044205880381fe98d8fcddb0d34c2cefcb77ed2e239d6808b1c9a869cde6dd136817890ab91d8cd55c5eb3a80f1910397ed0ae4540a49cc4a3889b3071acefd7a3a701bc3ec720d0b1de991f9fd17393ee52dc97f62920258b6391ea0854b79489d1033e63a04a28166d69052e2fc3d9d596693be3d24d26f4e0c2d41c73b4f795222d1a31fcc605c65c3742c1b4a86f6ed9bc8e219bff68b84d20cf475f239242acdb47f33755c301fb6cd11a7fe317363cf5c0f5345290514010dc610e9e88c15c490fa9ff0cd2682e4dac8faf04a136f7fab7e1e587834b48399707d897c776643a6a6cdb10ba8b25b4a4db614e71f59f49e12b84cf34b83d380207b0b10f1ef6a7a13321356001393eb5709104202f99d21df3b2c4d663bbba6cc449395f89c0bb596da6c26ed575eedd8163682d34628f79af8bfaeaba4a529757deb3431c64db8a80ace66f8ab804e8aedcf3fa03894880a28a14e672ac90d032af6e88f103757d5b1b38c33dbc586be2ff43bae2b470ee3ffaf3e097e1f204ca6bc3dd76accd72eb97f41c2932635e533ef8bb0c0b2b31894b497c1ad8d13122a262ad5016149a53f6985f44f343db54b6e73c1382f1a861f69c9c2a88787f155d227b34e28afe76075a9d18821eaa84afcdd48b164944138340001d319f7ffc336347687fac4d1e991e44ad3e66124ac0bd6e4dfa3b1e711246df3b693849b06d92de9e318096ab3016fe01a37fdecddbe2f7f5f6da17b52056d003eba6821735d33245d95e6b6eb4f7256ad6d02085abd998b443c08e8bd6b0b6c0ec0dd563b2bfcedd9f7feb0e80b72aa37a3baa2058d402e43c4c224f85cbd7bc7e80c51f596a80db1be1d53db07a001765c8a79df0c2990a52a1d87a11430dc89c2750c904ccae4027628346c7740d907ea1cb05c0023e8b15777fc436b06e13e457591ba78d8396365ceb1f1dccf21867b4387d474bda9b19de6ea269ca9c505d77eff76c822683d87910e8a9aa3b084846a13285b648736b39adb7ea4187f954cf866e766c6831fe825a4bd7d5d08598e989c196da8281c72712238ad249e708701383c6ce9c4f18a67c1b4bc21857da8308303175134469d41f97a1e966838337b47de95b1067e70d795ebbc6d2854a3bdfe2ed785b4610f861357f8cf407268819c8b7f450e5bf68bf5f14200ae4df1df7003e9688cceccc21c5c74e9fe17f7b3be3186bcac0e94e7384d2426fdb10d48ec792627fc0eae1c08ef76e5970feb805e7c87a8c9712f1dd5702c57548043659f1e4008a98811bc212acc4522c426e0031941966e31922be66d056f454dc89aabbd885777b50a00f5a894cb62815d3379165950a363a076fba9dd2005eb3e105ea9f069000a217662b0dd20d036a02677e912ab19d866212b346e580d5919c931a3d90df95ec6b81b3f31bdec96979bfb2f47a076e3d5809486c67c456627fc887c01ca1d14cd6ddffc98d7469297b5081c4b1d808c6fce4f804eb33d87732bef624d5bd88e8d4150ef6ccc1ac5950107b9ff442e2efb20a58984d5249a1d73b565e98f1c8aef3c7b4596aac0825c699bd0897835ebef84c5172be09e485b9da888fcdb8ccd13f99dbad4c42aa18744d31c37704e3431d080a03f016d62a9dc469e65efddce3c79411a6443f88b25411025aec3decceb1ad0401eebdf44aaef4faff944668217213ec464df42dad5cba00c9b1591bcc99c7a8424956d668d9ca8567c17ec84373dec073451cf1522f68eefd713aa2ddb0431106c7c02333749abb68a61136791deb70e154f51fcb4a96ec8be66d653884156172eb9b9b6e9c5c52925ff363456720fdda6f167050ced1bfb16aff67883d16f3bc4163898ca5694f6c3833f632b1d0dfa767a31a40b93a389ef14b038e8d72ffb5ae281f54a676b644145d54d70f5f2e640966b25a4899504925cf99e0eb82f16f999a5b6dc77abe7786f59fd74f558db60e94eec45e2d8097d5a09248a04498fad6b1bd58e167354b602a2f060dbc2c3154d0172204061d1efbe9618f40b9611769d26cc137ba127087e9e5a7fddfffdc26456a5f1487311d9feae3476bf8f47d70a34f80888a84342456d43008ed8e6e982b57592769bb8ac42cab4894bdf1b57b2cc6988389f6a57c0115ad6f131f873cca30b086c145b623f85ddcfb4e10898bb9b3e51adc20a926ac321d6a94d2850720bfce11d3760d6d8e782cc11ed438c3bf03c505412abb98b58fc40a91b5890058149902d06597e1ade995ceb5fa0ba55d595d47ac79edee60486f7ea3060e8dad595bbb5382d7087a5ef5eab4c0a84517a2ba4174263639aed588aafb0915ca187b482dc90f3f3d25cef4c3820cddc2989a0e5bf9a23e59a646e738d64fc6de4c2c246167d19ba5920006d8f2e1dd42afb4334e13420dce4bb36b1b1a31cf9cbff62daf904e40f730c4a1b69f5e3abb155a5c84fe754e853c1ec3101f209db42c9ee3b0113cfef0d7e301576e6dacdfe6a4abe676421c14470f95476fde8f2c70b90aee5fcd167b86e4ae42c90a251ca4b0f81ddb6ca4e1ab0f5c91e6dac8fa5dad47cd35a6de795e034d8b83563d377e942d59a7ce630c77acaf3ac75dd519d8e2a3846d7aa8dc0f4def7df355c18a6b91b7ac5895e0e3792f5a557d1817946b66dac7b1d85310765f0c10fcecab25675f47dbfd0d23130c2a0bf6a7284ce9966203d25c50b5d0f0229c947ac9737dc44b2270600c0d6b504b3655fc068c8387159487cf5bbf379c451cfd39aced3ea2a55556d0ca527694f2fcc3462d17c9e2de80687cc0f06e15e28366bda99f029dfe68bce1ab3b0cb149aa65585c63725fa3895cf6edb77cdcbd302f37c7cf4256c5691a7c3c96b8634a7b80b30dbbccc349fe11e62457f790d8e15a9b3ab4668d7cb81ca6e8094fc5288aea5bc8cf731d3e97596cafd8a43896864180a922ae1f3de1f4ee8945986d9d218146c62a1ff9be51603e6f4494c2948c15a944892e504c446dc1c5e43e077605b222b2324a7856672d17ab01e8b10fb59bd9571ec2a81befb30e4895eb95382b8b2eb3c4bb05e7e42b1150f398b9c3ea024d116f3712ae3e7e5a5bee4dbf61f365e0ae17d33f7bda072917e63ab3e90172aa35a3aec3051b35d49cf5f717b097398c389db30ef70183875910fc44e54789ab38eefd46b993a2a45c0b6da21301cfc5884a3c831e349379b1f0ef0b860972368bfa5beb30315a732996db40b2161e6f14c964d4c8868c899c8b0c30a4ae87d2adb012ec1dd8a730486893025f4bbdc2cc95734a46e890be5ae0d4e88fc9dbcc96750e437340f3b25319354c774c8b1631dc6a9ccbc1f6d021beb5514cc4fc269ebc994cfc8c0b72925c1e3d6ff1fc6982f81c8236b1658325e21c3500e95f04ab38f6459447297855f5d4f60ec78f898524d5af6bffadf73bfd16daab109a32877742cd524b6b79f301a0068b79e4948dcffeef10ac9c483e890dd8272674fcc5f4393c34d71c3051392e7b1d0a4216ba12bf166ff311747aee6f58270ea8455269fc8450b7ec5dddebc717a006f5c99d8edd5e54e9f00d91ca8c2e6edafa2a99a74ecd901153a582d4d84544f036cc7979115158b48d0416551ab1a2f2f5a5b03082beb401b7313689ea6893b15e70bc971da8d0c6f7268ddc000b85b51318ee8f0b51841dd78e1604a2982e39c3c84b127ac225075752d39fe499b3e1b86331738552fd2dd96d4ad73aa8e5fd11b1454347f15563c49bb471743c9d84f3a669c1065d7ce685184d6c05fe963e2860929abab180ab0abcfa3e71b88e72ff32272b4ae9a2d5ea01bdd46ad67eee7d1224fc92ef8ac753694278f33b190fd0f3115f300e913a6e8c9279fa975df8ced5bbcc5bc6e648f20b42a14d7d2f6c1bc5b802f238f6b1529ff324e0aba589cfc90012f32ae7107112450ad88b383eb78ae7b573be518c73a0d6269ed7370beac82cebb8b78f0ebad59fb1e009f9256b6fe8761e71e464924f6dbd931fd2965a086dd4f77eadede89e2110e3b686d5df8ae530a10730e53e1d6645dd9f0562404bda4a06dc7b7288e0f04f6ef022d4ddad0139c32c3813520d13cca792683768274f4b162c1050e794f9c0c99366c5984d4d170dc4c9c986c56cf31e074450d970c973a4614a92c2c9884bbe8c2c0ab87b139755abfdc76222e91604a5dc11a942d6b1302a538471fb8e5b29005468dc2d199547b3426871b0f7a7fcd7b0f25166375c5043d361818da0064137000ed70471157121f441853ee6361b717163347807b7e274e6e0d14aa120b768ad9341e107a4dcb5c5f992762517e8d1fe681b1dfaff35985ea1c906494b1608e353140a5432c6964663feb0a693855615e5336ae025631aabb9079a93bd050583502dcb2739f21a28dee6c00627dee69ba275eaea7699072398571077bdc25de5b7609af0575c307c9cd0bcd171488b435766545f32791711aba97d0c7340a8331e31a82609e2a3dcf0a583b6f0990e50ddaa4925885fbd9858132c36486d6855208a35895ae55af0f9788fcc5fe02ed8460f424d424d520b0837e74370cee6aa2cab4d3ffe62bd211fd066211c6aabf6707ae3ad39dbdef25f113beced36f80e7f7b62e7263e72d6ac4c167db9d1a7f56912c2d8d5ec669c66cfab3d8e4ca9026c100697efcb7a1f67087927c1016ee348bb757dc67bf39d056d60cf7798c82e961c7f213f76cd7f0bbccaaafadb594cd09b830a6896771db11c61e9cf3d440ce7e3ec563b9d9232ece6e3ae27516d62e3f43f77b57db697703158bbf7e85999a59ecf5b903ac549b77fd4abea10b4b3d40a842a3aeca68badc51e9a7fbb791cbe3b8220aba24dd0349ea674416347ffbbb1392c4c738164f3db7c7d7a3da8222cf2bc0e009d8827fab848ddf9a7d22f54f3464cc95ead637ec55d22ccbbd97be448afa8173f8a7a4f8f6fa3e31b83b18c1b3b92dc4753c6bd45a8e3a393ad03078053537cb5b0ba1cdca44fccc429e8ceda5bd0f429ea659a6c7661fa59ea847716f7ded3746fe92deb8f1a9194d63be102401f76338ea12c6a7190275870224a19d3c95b3ece04dff33e5b5fc8b5c1301b94899e46df183764af6bda91b2ac9971888f4f6877d94f50700399e935b9456182b2e3c2f06d8fc53bb5b5eaded9c4380b648f75201a90242ef972253478c1d08c5c867b06e778f63dbd4ce8d15fdcb2730f7474ac7256f642cd6a40c94afda5d315cbda8afd1c62a93ae4b997bbf62f51caa177fdacf2fd4e882e80e722c666699804116ee7fdd3674c724ca55e7711800de070a930118560cc62d7fb8851fca4f6e8ef56979568f31e8b06a08e5daa525c0fe5acd849d6c2eb28bd012ed8cb2cba3a17fad2d5f03725d5654a72a183bbc74308bfa55445b9d2f388747d0fbea53b586f043a28652ec23c32c4e5a5d525185fda72e29a44d1cf693e4b35ca8c198bac37707f2884f5b26ca35663f7b429ed9f882dd4acc5306d4367c9a655742582334f3ca1eed1a58cc7c5df0d1fb17a0e53661d3b4a924ff8f37359d2e78524c9b3c649825359fb75dc6154f34bbef06abea56cc4664c35dd7907e0fb44bba7ea60664f944c966832d675302800007ed23ab5008e2e7bb7b604b34ef7288cba1fa3a23bc4858d36a981ab0b3e2d84af556410925a7438e94584b0d7e749b87efa8a84bda4f429e36b89113e8bba612d360cb1a5a9a1296d4fea37f9323f642400253ca96fdfeab6dc29fdf84ddd63df778d7b329ab0017f2bcff0212919cf55130e7ae6a9d74c1a4d65be8a556123abb47eaccc30990bcd144902e7727a387928fa982ab48200565cb91897c5be9131a87e239fa0e72be3db43da6623c229652ecbeb388c792d66cada643e8d6c9fe4429ce06ec852b99cbbc0cf5b801e797c44967e7a1ea80305813a58142294e282573e6c5fe85a1d192ff10b079e96b2ccc07b35176658b652f55e5ff19323c892d6bc953e48233941e179d516c34a2d4ca93f7d683b5c19df45fb0e4271998006e0eda12be4b7b618cfb9cfc6908d72d9d27f286cbf3ee2a1bec5739ff4c63dfbedcce5054bdf5ca52db090ec23798a159e2890b28efd46549e200cd11b25a389633c2a9d55ba93500e3f426096fafc6c3815c9b21d1099156af9a462d7e319f7e58af8c7054865f3688371d7d34837610939df36d318ce7550cbe130c968aec30c507e2abfa42803848b88ec02f007e579b6c4d357d65911d32b9965e95848210b3ec3881d57a8253f2eb6f605cc777cd56ac9113b810d545b20a75f0cba31cdc4d8e194229dba39033b91a090aa6b18ca8e573dd5f6c02fb650a3154cd4998f0dd5899564a3b8cba262a578edeec5f909c7ce4bf9321faa7ced8679313c',
};

/**
 * Same file, tgId 55 (SLH-DSA-SHA2-128s, external interface, pure, hedged: additionalRandomness
 * cannot be given through PKCS#11, so this one is for verification), tcId 473.
 */
const SLH_DSA_SHA2_128S_PURE = {
  pk: '4fceefb210f9f0132a4ec58ebdfcfd77a0a05794f4ba68352f4329ef3a239f5c',
  msg: '85af8b1fc079f43c435a05eeab14c4d71494bbe3747b524be449a9df6e708da0c4ad5b7c7bb064255b8227dddad0d3d4c25c7f0b544c0ee02b06d0249e50be6b38dfbf7fe8863493a00f30835c7e52b46e48302cdbc57f832d4303af4404348c05845c2c84411cf3895bd0d3d03c242eb61429d3dcc3ef940b44c10479bdef71e200bf80ad08c9971b0df0cb5a8ac7ef487c6d3475178cc4040a344ed938007a262b5e982b6cab23499feb6988f39f3f929b3d7a38169c4099eaed592b1337067778bff9ca5a8a85f6a54a125825aff2636061103f77f3e52528f2b5f2a2c894b2438f37e602a0f4ac7cf12bfcc2698ba0dffbf4a7e94a06b0a5fc6a4f3602e8d046d5c1b14fd25f5509fa897ea38b229341ecf48a99db87054186b861f6fda60670ce87e4fccd8cd4858e82705048375d5e604cdc08589fceb9be7fdca6e5e38b6adac6dae881f48ec9fce239a941c4c0635e47da8910e036a97066f15c55d168c72bb114089abca53ad6ede88e483e20afdb32774dabb71beecf75a5272f64b6e47181e761739c95d69485402cce051e158d20c10bb5da49131288a52f923ac01619b6946753aed09c3d2d28f4ca2e7774a43762ef7bcf9b06e93b0f4439d303bd7a0a5a457ac34def103cda51e1324e22ccde0296f83a2073fc0f2ba09ee0d9187f092718504353a7ce5a2a9c42981514dbad2412ec83c6a223ab89cd6b1b4a3bd81deaf7472acff1f1ef19bedd441e85dc96bce81bb23669006e4320344497e71907e0611ef2ab989540c522ecc71066cbbe1202036342b97f08e9f2c26531b6110686edaaea44ee99bf4b5e6bb572ea61058566fba8ee9ff58b4b62e14457e19e30d85eb1726c50240dabf1033844ca6bcb361a46d0e7ea64385f163a69fc44b14e97af80ddb59720cb37e29352d855a286ccdd89092f36e0593c67098c1c5bef3e44db8ee65137a9bf237606c744a1a069a357c5eb83f5292696d2155f5744423daad7f478bf45dd91c90cff595c762b51c760d05e99991638534e2c2ec872cc22cf633e6ff367ca74b65f85992e7d74c200ded2236712a1e847e7df89ba93f04ea62dd6d0382c30998437703b825d1f32d7e6c2b9c17250a634779c23004eac279a08f74eb04ca8c3979395b7b8d560e30be0d866ba8a579d7b861ce1efc82d19ee2910e3402a13b04c7c44180fcb2d51588beb2d689b50aaeb3778c3fcf440dbaca582e626b96ff60e40010b3542d5f44a19d62fa3d9bf7110369caf2121f14e88795be5bf776a2fbb8f07280c60e188e79ae4ed42c855088b415d90e82a8615690e6c16cbbd8f2f0719f8f9e24bb36dc785daa8375a5cf49027a24ea67248b389e973bfcea90ec2431c489fbde6302d90040230de0fffdccd3bc0d97fd24b4fb8b5df12784372cab6b9b836372a3050012120f1c1006968fceb034173c47bfb527fc9ed36314fb1f6c4314878fbc8d17c339efbcd9dcf81a31643c7f4688fe8013032fffbac84a01cee8f91820c7e3fb3f8a903ad7d2b857fc49abbd16c9f8556b355f73b7cc925374c78f9234e453dd1153493ede59c56276e7cc4d2bbec95e7b2e0c8495055e88b97e849d353f3fb886c77be018638367c9f47916455bd1f954c4c164acea948d3361a261b18f56fffe0198fdb82e133c92a96f399291ea6bd0462c9c3f2dca1fb5240e3ba01611392e1ba82fb7a23f71510092770a59b1419d4287c2b8851b963140aff79f744d2510798353d377be5818d5114ac3fb60551badbfed4b31a2b16f8ba7660a4856724b56627aaedcef4d3fc2f46b368b21d8b6aa4ff5f6888b82e43220c2c4ee2b1d4047c5f5d4170f5b93a675c6b496e3905e6c44255596ca114c4691be2882f3a589b8f21a1b70450adf959cb0a9c7c975e05945c883a4c64261e1762921def120671f9e8e1cd3e99434d7da2bd92bf2c26fb39d29a35ac518471efdf51479d2a9c175ecac8a39397d82f92358cd1d515fd69a92f488c29643cc28b746516c9d583097393a8bd95cf2b815ec49ae81310e554f61b1c203410aa06875e73be1936f32c1ea0e1ba69f484c6507d9cd36bc420ff327f4dbc02a1a9554d12b219967bfefa9806ac340f17d343d71fc2de65f8183a77093918318b33cad4f0d23d385be5135b01cc84fe97096c977f48356c7e46204fea747c8e5afc648aaacb18846bc220542e5cab186824ec86c8732eefbe759f0956a8fb7c3a41b8ade4ed22838f350aad38f3e11d4f76f8e6f1b6d012a94878cd4ea7b9767058470f7afb8e600add3d9885d8383642eeb10f1e6bd4815132a8734d2d60ccce90857029240b00861651c538214552bbc5fbaf748706f5c9713486fb15775ca275bacb2af4fb3e9d269725619df385b9a488c58a0342885caf642562a9261d3cb3632ba6fef6448b85b2b70f63a52e96962f2232b41005a161ca203887c350dda68806cb891ce9c6ba799a09e4e926d09dac25f904c4c5ba2fb5c3e7bcff041fbb9cf98975cb42bc2926f679ca355624b2dd378be30b799f127c97ccd912edb1f3643e3b0dd8add53809057d63d736c6819cfaaab0f884fad7066222a07bc62ea45a5100fbd8c0ac87e884670651a6749e38479f41920b45643a14cd8534bdbc700bcf0a4cd4ffc83b3c3cbc3de834ebd4e7575e37363a74649ed4fba1fbe8c4a5c1503a3c7b5cf5977fd67b0670e33935b5c96df8627ec1450b85a8ca964711b7432d21226aa19e554fc1b6f7807fea479f91e90da007d2e372a4dd19b1455835cdfb865b2ad9c79ed60eff356134eae99e5a10ef7cdfb3c9884cfb313f75634ff7172c6a6988a1af8166ec53d05b2f6ed61d8e1595504cf966f0e3cb884805c361d09090a2c1072c6fa63fc9d91ab96c17847a4538c52088a8ce2c71b51055c030c66d8ac747f35162c6dab5d8f5c8936199dcde093589cf5a58d895126af3495b17bea1ad1b05f463847ac2957ae080643fdba95ab1d8ef681aa5cd3b56d5dd897030b8752cd23d423690e224f1eaff2513ece7477cba8bd034ce7f58482af3669eb47f79069350262326143da923369afd16664a3b7c3df0aabe097cf960694bce8b482884fc3c793623c3baaa358f3e4b78b8b275c2f1e6dc0476420d864ae6e0be7338628212b5c8db0c2d6219f4200116034347490941c4aaaa97b20455435026d39f5690554fbb00fb7f03b691879b284662c99b0db35dc9c9b7d1ceb5c45b10e3f4a190494879cdde55fd670b8e617c6568c8b153341a742f9fd8ce1c9a55f9e70f44f20301910f131dcf28288d69a286ed680abd422027e7a492da578deaad7d26f47530e86ace7386f3735c0119c279305c0648d21fdc8474da6ecf049607912b2a424fe3d2e2f4b0dddd1ea59cc11262deee957bd9a768445803cb5e7f50631219f9c32c24581ef182217a8820dd78a5cc4f54f91aaa24ee6e743bf1d476d258653f821467dfb133e8af25fe95d7b894f59fd551a8c8519b0d2b0cd68b06a1a720105fd9716d45a1a1fdc26b4632197a4ac6f8751ef268c418f482ad815231aa1b6b30af52035bed15f344118d6a9090d98d28bcb1bc1350c0b1dccc5a5b95e50f50d6d6c2f3087383',
  ctx: '560eca9ba7f0b618a685dd42bd3ee5bffc626eb0aee58a3f7984dd7864580bde163c23dccecfcefa07598c199a087aac0c26af4c8c07667aea986b76ebbe72339f784a37eaf1e5acaffab8146074d8e4fac837d78baa5761740ecdb37b7df4bf6eec8d73ec747443fd3bf7e368da89b84be7f3e07ee1202ceb37ac5f35e2e7a6dd20eee92d23cbeea8b5b8acd74298206e03956324d2e05dd6ba97b8621df9b5e7cf2501faf7bbe14a18b25e3ef7e782f00f7c2e97cf760321e9e1e90516075b14f6a3bfc5892fea322d329bd50146b8a39ccf6a780dab8b8eeb8a2ae2ee0e7db48860',
  sig: '1eccaf3d0727f1c5b9d7c29eceb13202b6b21333fc92021e02de0c8ada1a586d7b61aa03f6c10e889e6d6ec765988607f7e83119fb4461b1a1243461d49788ab8397a2538cf25ddad8e70fd225739aa4acb648ab11c459f94e70fbbd9cb926c2aecfd52eb746c960f92f25a98e50a1d827a673270495793dbbede72b5cafa7c48bfdb157a5f7a9570031f7551d3a9f8dc0e36a4ec4fa67063f2eb056082c52e85aeb3756feca664324cabdfc4998a5ba745e7ea81f9064ba89d136771d1385278d8155f813f913ed267a4821eafcc218742dabc3e392a94fc9ea986cb824267db79eac07f1929682981d1d301780aa8b1287ed7fdf12ff8c9d456f936f794bff96a36dd3f03f32655b613b3e11b8c99e4072f23de12cff479e0c2478758e573ce3ef26c77e69b8f600633b55e6f79340de9cf29b0aef16b53a42cce315e8dcfb46f7d22ecf1e5b087ec0ec2f3e007238043248b9a12b8ccb689e36ace6587e490d7756db7b3ab83949d1c785ca5b920f3dbb0d97a42f3d34a61f29e9b7ca79a48fe1dc600cd83e1cc341cf225728bbcc18dcb3ad2febd5cac3c74266119de4eaf3d44377ba7d5fe11eb9bfbb8090a0e42a00257681a2b08ba1711d31562c2aed48a06035c7b1a920831c7f49894dc5da948905e14abb290db21f0cc600c5bc235e1a30e4829a0c71c6370df10bc199acfcbfb46347130fd7aec23c8f8815dc5786964ca07f6af6faaf0149b66809598a472427adfd9479cfe62881da046d98fd7d35c157dfbb718683354e191dcdf6983fcf365ff1e770f18c9ed9b8549210749fef3b92b55e0684216b7c89169b65f6991a3933d1ae680c29845ebab2ebb27f71af4a181513b43b301e9753dc9d740019fc5e89f8c8934d54ead92e15e90090d3850dc76f491790caffe757a75d8e5ab73b9d5a8edf78f0ef59822b3b0d8acdb9061bec2c29746d4b7f14b119975ec2ae610188f3a71d213921254b105e64c1efb9102c8d213a7608906f40d75e3db731397fbd17c54d900ddce76d481424e8ab5b7f66c863be2ccfd3bec51a8f7d7262d161afcdc12deef68aa9f022c8d6f8f896fed84a14e18b84817473ce14b39353f17bcc1f8d8986fc897f9d7687ff2bb3f0e2cf6850f1e127e3f1d1c250b541fe45d203bac54a7d3230aafaa831ef5d55e4d699484bb68f3ee409f4e609b10bc466c2e62ab1c9cec4f6630081bea054e7e0e506db412aeb8e682498b6593abd514cbcb950d22b746f249d0aa82f5c4316c31e0f8839d896d86e4c64119cef78b67ad1783f16ad491df5987587f3e8abe3ee14a293bd239fd3892ce50e11f1cb08377c7d29d3f06074a506fe581998eddc5397db9a99b5e5f4e231e074ec518bbbbaa41a5f68ae6c65aa19a0146072adc5816d9588d91fce74741eed9a3e71c2cc2cce9f60985b3a4ddeed3bfd78fe3bd8f05d2d6cc8efd0c0a334b944065bf4acd57e9b26cae7e9dbbe7fbc534ca4862ca474e0230b2ac39375c78dd73628fb4a8607cb719bd26d00a7c929ad019e3deef38c5bf888abbdf94eb142bd28f4708fbde34bebc8517c1545f1b188b61a1df5c60cb6592bf04ba816504cc2d96f54d9acd601199a606a2b7d0465be3c1bd7c5337268f30368d0350c676f462a05d7bd415efdde00a4c8fda00017f871e4f9923268e6f0fe96387580dfa68b20d76f94010d2bce4f7ad86ef21a8fd4422dacaf16dc97033e80df37f892ececb4d5d8fcc822a3444abdc32206370719f288b3c438ecc9df64f1cdacb4f6392414bb24c1405490c044d54e60ae215cd6894be70250ed5204903771b9b509596eddb5ef14f760fa6fa7f2a0cec3cada11767187eed9ea7c57d2d172c636e12479e44a895d34a2cc12aa6955a038cda2937749802d963de232dc6c4872701980ec1495283b00545a2031442b0af9bd60246dfe5355ab74972e0249b4bb19205fd4581bf1a7c1752c1ab57372fa3fe67fb56b1890868b07e8feb143258267c8e799c6ae23864057c735235f4bda658b999cb2fb2fd38a848adeabd3dd9bacae0e855e3ae315d7c068762fecc218ad56404db770c3db01feb8671ea5552d5ca0ccc72b5a29516e85de6868a72eb33faaced30ffa745ce4723eeb8908bc64963cbc1ce88874c9d65be63a92e6e00a36882f92ffa42c157350aaa1366adbfc9c5172257631abcab9d0daf8f4756debc5aa6bcee72681498369263a4e97dd72f5c67a2818b36cd43d5449a9560673c64e44fc49b057b9bcc5d867b78b3e35415396ed953756203814d1db9a56e2a456aadf35cf08ba226764377b4a749d1f34cdfa92870479dc773c3ce404981f8bb18cd8019bb483b53b86547de5b50976de011436c527ef4a73b73e2990fbede69eb976087862c798babe70d580b124c06776f0f367c2ea29ffecec5d85e84ef0ac8dbf0af69d01ece11ba38236773b6feab06b9c52dcb7d9c24a9d76d87c97c163354ca325835fbbff1097f1eb6c718cf8fce9c9e90a7ea57b9af6702aa6fc1c729e2ee3f01e396e2d37373cd6da7d7371c8eb132b182e3730f11ca6761f97cedf8fa5c1b810934fb34cec5c65af5fc5fbb149eee631f332a07621f1adfa00ecd49c4b123ef7f731442dadbf6a78ccae663eccc0ae491b47ebf3e4d53b8c74fbf6d0da42826e7a99745b2d9883b4564a1d50bbb0719e2917f0c5e610bf2f0416ea5738871875d986325096a04a60c2fcaf6f0c5b9b9f945cc4a7a53496898a55e1810f1da31e3f11c04a346a23a229850f046a5a08d293dbe6bc64e2639621d5009f4257c74c9781aee4a9d40401b4c9213da1df9316afa3e99386edfa106f86a9e233f89d838011a83a362b0351239ab46094b37947e792eecd588584d728a1e2446d8e21cd0a1579860201f2a3dd6c044bd8d8c82ee38b60f7f6ff4a8d392cdbaef8c2e8f3d0b765fb3d66b09df4760a1bb201bdb42aa94f86fe4cbf5de6a08b89f721ca79f52e56680281b99ffdcb2090eda3183b6e0ae548621cec00978b0f410006fd330026b454c8a979fc69b4e94e598e154e483cbb9ffbe2546e49a8ed49c240b2e6b59458b075cb1a8596b5bddb209c64582ad278e9e66aed4889242df069579b5b846e38a7ebc203a7efe8723eb361cc91da5cc36f2791089444f682b46500b847679bebbf5fcdf0f83a16eed9e4f3b985f52181c14765665e043e035a11d1b5e20c0542dadf8e598d74a8f9a2d2803c3ef0a2cceff3eff21b94708cbfe8875d295dff5641fe422772b9a7aa9a388f64b98f8376c7cafcdcc7cc768c97a3ea67e03b8fb46b1469819774bcc9bf21cc5bcef0115d843e34c0912d05d18217fe9e546e0d780e74eadd0826dcc4a435f91b39ea2d5c813cfb27602f4a6b69ee1a42c31bb08fee648f843009c2344d893314d9eabb59225c4aaf056e3384f32a8b0a218cb757b404dee237a20b7df66180b738b065adc6e8ac8e48f6407a59a35481d80b8a0243b3894cda89decad974d8e377862b56a0c5aadf0df5e1fdf6f2e80cc279c0141a398c5e2c222a8ddf487bc9bb48bc4515e28f17cc335641ecb1c17b310235b016b4e25ac5c73310bab6c0bbb3dde5ba7ad4b3c234b427ff96529657b88dadbd83f346368b946436279c300f4bd732ad771da39ed13f31a4c9b29fbd9b83da1b29084e9421dfa5338bf45e3b5bcf01eff42f9e28a183cdf9f1b822099fcee1300cb4e348245d58c98ae831ab114d9377ecf66205d79b4ca4f0bb6981d57e23a075678a2f335af8212cacafaffa65a2f268f78365559796868dc3aae5b4529dbdf502aaa0d50f3779b0fe50da556c5bc2f24e81c3571daff1cc7e75b8307069a454f1d63b20c9b8901f2ba991ef3092fac80d4c8e1ae86482c10f4e3804f0594a3f69e97f610e5a95f648d579907617150826f3594c96c0f6ce31355ef6f71ec89e795bc0a9ec4e59cb7ae69bfd3a2dd7cceaa7fa2d8582f0f3a9da34139f8287f853b5a5ba10e4edd72d172c7f3f1faa8a09d8bf463abc5b23fc2b2e84af2ea247f31a3b0f5886cc4518a024f7655ba38af7962e36fd17a8c3330d4d757dd3a26a98f699cb8accf0b387802cfb98c2962bbfd485b4464d08084d91fa8e2df461a3643909d4ec52147a9f44801c58d8f8618bcf131c8bafc2d737832431d49f3eda3e958a7b5a7b924b45aef94ea7e79a7518fc707c672395e0b24ffd23b8bf046b2a4d4459d2efe194a4ff170e8dc4d3204a7cfd8fe64fe0dad3d12688fd363cacca91a6f6ce21dc1148442627ecc9aa70342f64b560b635e041b9d93012f49961889d153c143c7011e60f1a2182f9ed1aee474f7da9d6718dd73d00dd76615bfede5d52992739b7645bcda53441272ece6ed299fd42b94d89275ee5fccaac84d69e93668954aee7e6eb0c7ed4fd9ba7e8f4b28f8806851b8933ffdb6c9014b82b1165f12f9d40cf9adaecf903c66a506b26a8e27dd1299fa1b03e42ba04b9d7b68285e7ff5d328f9be99b2d5a25e22b16ed5e2d18e537b4799e4690fea63815808a1c6d76d7bde0fcdea0acc613fd8da2ca6905b24fe9ac80d693677938aa31ab5281deb1cd34b01ca05b1ea2924ad8cc13b66323c3351ee4c0b747cc7e26c09d14693b0a7eef686d327132bf11e0c67871ea37bfaac2327af043110f18f187cdaa2c5d021f1b23617acb4fb204b1ff264778a0a28ae48702fa6fdb3f55d20999175228d822978ff7425222b1a5005b7b4fdc375297158511c3c73d1d8b7343780c4777b3ae6ae5893949ff5f9c7e2ba6183e4b9fa8167deb2ee794ea3da8dd33e2c35656692f16fc1b658851a0c69b20417190dd492ed87b5aebdda1188bedae70fc4938ac384119730f596442b84c4edacdb9872017590718a8796deac76829ffca0fc6c456d376274c104063099882a9a19b69a6355dd7c9176598f309b6121f4f93ea6baa094f1f353474f84ee28b973db678214751f97bcd3c2fbd44b459f2e3da0ff3a6d9ec5cba45902bc3f4ae5a86f3547a285f3b10fa60791e3854ac121eee14d43e76f700d708ab3a114bc403e6b8f38423a188316b77910b0d47837428e0c2962a97c4cc7fcb9d919a741d9eb08980ed544dda6c55b596063ac8e018f384f220b254f8c872012c304a4f7cc48fc1513d3dc3484b68720347347f3a80bebdebfc5db6c9534ba0718397342cbbd2bfe28b1bf19d8d02d14da3b44bf0e59e817bb5c84db32d732f50453f557c9a7df910c0a649da1bfa869fee3e6d30f257141492d2ea6b621a77987689dd440bc4f1af4d9ffe60fef0972001da400df9aaf0958957c118f838bf574ba3a8fc36691e60a37829a2df74599b4e12c9d087d6146333bbf02f1a58a8d839d5f57fbbf681bcd9b3297e27b9b510b9c8cfa2853224d9b3a0727e7f1793da365d67cf6a7f06664c98b9ae445b5679ddabd6f33eb34f9920cf0b7da3c67a189b9f3430ede4eec869d4fbec90a9426418e4e5c09e6a4d5868751b2a23d0aaddc3d75b0d967710899f0965601956217db19889240ccfb155d0ad0905a82af3c7990764d6071d96b5f9dace34845b71efcf20c7699e271b1cbfbe1ce855dcfe04c2e926586e3f50ed6e1fe1834c4a711bda6f92b111f6f00ad2e2dbb59aa2795275a18aea493a0c06416aad001fa8381920b76dbcdaf7da80dd088a6e95148400d0bcb188e9c863a65b80d530c62483a38b4e4eb71037a18494cc23ce7a44c16fa245765e145a5a4921d3d233831aa21825b381fcdfcd064b91491f9fc4a55490830c6a2a0813b550ba842fb993c335ec5aa18c511dd27cd3037f2def7b8ffffd4ca9314934289d7f707b023e25e9283e3be6f8fe287b3e525f692110074ab3a8451237dcf3a732fdcd3af175cdabfe3c812460ae758c22924a0eac9a5d42a4d01690198bd8a23640b7dc84bf787014b2146046c6720b6c5d18aa1dfdd8a67814ba93420ba7eb6fcf3713f67ebc91e104ddf50d2b2761d9af6a2ab22f2c6100ac6c5f8444eba3c87b413b78054901cfe7c45d3d888f82a693d9a78033fae7fee6460036f16c9e2f0aa32fcc7250b17ef9219fae6c1759de49a9c95c851206e4829f09a930528da106d2b43b42092de644e0063479687097c0055917c4a79275e8a4318ba6b2859c834d22733381d2b67b94f98aaaab400982e7538314f6e4d212fcbc3e1b8a739c73f00841c1e7673741fdcd162a7a7a8d9f2ec8135fe7720cf928d7451076696b44ed787ca4d70597286e119c825dd030a0afc32b21f334948f0e602e7365a4b49766e38607cb3b07515cd73b650a0dfb1e2d188941669b564af1fa0179f12e1af85c217d90480d8d3a2fe82a2857bd02fde41bfe8d52efa57786ece915b7af15add7fc719ac5ad58870efbb2974a0fda6a535f91b66ac0514915cab4c2a0c07fe7ae5337786ea5817f6ac968e66e36a050c581f315ee2d4616361ea65c9d9b0ae66ba5244a1bf1ae4e88bd7a321997e99c573e257134357c3ba0189c3ae192b822f4613633410c6575002cb9c557f0ef21930ae4f2d031a67a0716591154fdf4317b9dcd4cbe385eabbde54a86f398d6519780fbca77fe74f2d90481be92955d31e5573811249b74d865f947ddfac6a7220cda9b5cbf37804a8b1cd3b93055b25a7b03f73428fd57e39f6d23bb1beb9828b5a9caa8eec821121ddf88b613d5f134b5dd6e2f5463ccc98166b87bb5e8399f31a7d8bb1211e6383b33668168a96e8400dce4931e5af97513319e4ed1bdc17446a9b4e93beff6ba9c6a863f696845f4de541ac312c97e9c5509ece47055693b3f46287f1858e6100fe9f04a63b655686c7707bf72a94d9cee1cda57c02ccea50feee09fce3f292f379e6da4f5fca59afb04a9302dd30e4ffa34af328eea54977fe0c3394ec1d6f16bcac903a59f76cf5e26de538adec56e456a301f79965a63ae3179870f08f954a262f5d34d7cb0bdaa6a8a4a2e57fcbea22e1eafb8fcf8af47b3cd6eca5c4508858c52d64e446768ed578cae08bd6079187b600de1236c49c91e0abda021ed6e46312108f2f4a773d500e28f623a944a81d8f547f4b26cbef2540d4776890cd8c017eda639efc4db5a79ab5b3d9a3ef5f5105960c1086a4416716bedd6980d41869d7b3a6b3c2b8067b1329183d5cdbff642492440af58be17b5d5bd73aa095f90ed5d3180f34cfeaaf268fc0b59d17fb1c1a56e6105d7ce656a324e7257197749f413c0509a00fe6e0b4727c3097be5577b2a03281b2c10e19156344452b82c4892f48b489ad8cd42393fef0ee172966f7056714f4bd5767dfb1828e39034512d39724b3f121da7c4e5e211e04e7c612122606cdcbda041873dd7a1f1658d39efae562f183607c343aec260a45aae13e5389af9f7bf1f04550893bd4e5a94d834fc3b2a5b061d94b4bf7002a0808b1c82897296cbc8eab9233457b5085087dbec9fd3c3caebab4a1aecf7d850f3a432dc7b70b2335690b6317bd30ef834a7d955bf6958fee0221b1f0aae2232e6bf79bd3b8e35be36b495b74e885ea66619b18b37416ad28b261a77aa6e5ae01ac5b337c042a1df052885b3a004eab07f58aaa4cc4bffc9a9b9d5fdf191188b8eb90a3cd8e893e7ae20801d688ec75f7598e93c75b8804894cab8f6f2f4a781a9d233e876d08d57a6999358f928e0bdaadb63d7606063ce36b0ce4f857df8face44d4a2167776f4105baeedd48b8c2c805fbe473f6b818985fd892fc8b355a30d6ce91b65c0ee1a08f96b010b12dedd83e79bc3dc6abf98cb54554368a254be4b541c79aea0891cf1f78b8d78f510fe403838bf26382bc3b6529d27e2fd9d3f42d6cba3109c024b821b75ea9408bf915a76eaebe88a72ea6585236eae49fcb3692760c548e5b7ba8cff1c9c71ec029dd746bf5caddafbd4943ebb9b9ed5ed03e30987e159a478000c9d28c9e16ca59032818e0c0fd98756622a78f90bb3ee6dc02e48361dbfce7762d302572c6aa06f3cf15a05eeec15a4d78de8db6fab751d2eb7cd89b3336253ba242d65eb731dbcfe59a2159f61a07a9cdf3d74bb82b68077d89d6f3e2372e8ef5d850ebc4c9c04cdd70eb20ee733c0fc1299d43cdf03ce5ec2e781df6b48500e69abef492694ad11cd11201fc4a90e473ea794573a75a5aadcacc58fe0fd808d99cfa35a8962cf735da9f58679a9d179862df0c4b79edde40bc935e381a0239975d16d7aa61db7cf3123b8cc96427928fd3a5e53f7ae581b6039a1a77ee26205a7f208ae02d9f9c3f4c7f862961c893aaa125c2ed358dda2ce195343200772f5babdded7904124967d7bb149ccb365999d403d02bb9af9bc85f5b979ed352a3696a578178dbc4f704a0b9c038c64d74c28a139dbe9cc8b4c5822ce978e1dc99506fe929501e296a5d006526fd6ffc53d4dacdfc3fc33fefc7dc019297a2e7926923dc72811f04ff2dc194d73834cfcb8946862cae4827f7aa4f80130774193f2cb8764b9c30f64e32a35073086f0a4040e93addda1108e0d27e73a1b597c674a759edd54cfb22094e23b786e6ec846309309c193db02ee661f1447f6e7798313320e5594aa936c0a08e0cd88ad1d684ef49f339044d422f8de1cdedc750653ad618fb10405fab92cf6319f5138adc4caf8e9a4bb41ff3b174e77840849df7f3a77e0646d8d865047f388eb1f4f342482debb9c0fd096ab905b3b0fcaf66a32af06bc68bcf887705790d8b8afe07de2dee24cb0b9d0a705c55f6b44d64784f09f6ad5c9e1eb2420d03ef9583c83beea2647fa79dda7360c8fa832c232842a2c8bde37c4a90a652fcbf6659a80f96d50ee16bb02a7a85fe4f211ed99875e15fbaf6eceeb91435f03cef068903146face10478be7a2deba1b286ad72c8e1cb3d580a24830a525a7115dd603739a07ca57a3476b2d3e2b983eca70938031f7ee6c162c61119a3ee681d410d3372538550ccdfee4053a21164852dc7d97d3a82b23b88f72a0581bef3448f702720eea574648ca754fe022bab3fb34b5caf79e93a714bf3cd1227492b508d5c75ef9e4382c6386d6ae07684fd221ab52900bbb4c27cb466a17a0a769b23b66adad88f2c6ad0231c622e03ee754ed5d66e0a97c877bdef7ce2a25b0a3225762a363fe892510b25694a6f19da5b425ae92769233da255a01991ab7bc00c7ed2d092740566209c84dc7e94782e8aef8b6634b4ba5b5a5e71e81d2e19624d111ed8b94c08f499d0bbc9bfebfff8d8990a4ea6216506530ed2a461ffe06d2e222e75bb748232bd6d8c9ab5ce3e7fcb488bc4a39540caffa2692192a20133b73b2984c92299aca72f7f614a31be85795be8c89a15f9f28881b1bdbffebfc862d395e1544abcbaa4afd718674eb2ead00bd06785188d6aebc11d61d1b4b3cc6a1f131eee5a2030dc86e7c92e6b2b9ef1d6007fb5d1e496ef5c9c5ddd2c297c7fe3d2eb59c8ab12c177b641978a4596a09a60683c3f1e26fece0faa450fe4d0ae67bb919dbc81592e1d332ec9a6201b0e1773f1009b213693a766092b54c0379e7711b519c013738b41ad6aaa2d8f9c54d59a288ca06de9d99250f9ac930623de2d680660a0cea6f0cb8e51a11b9e40f21b32d675ccff77b179df8fb9f1e47e892bd1ba561563cb87738e9a99d6e086ac0a4d6b5cbcdcd63402bf14df96c3379c3a8af117935f0f5d891c07092422f0a734baa8bd296652c8b973a6803931ee4f3a894a7eedb3090307379e072081915f6634197bacf8ead5553ac57e1704b1fcee9531fcc444601b1156702791c480a28f6ba8ca0b9434e5fc660f04e4d023bdc1744f4c955223addd7873f40f8b7bef906059e34934829f0e76e0920f6b0aaca06fec92c844f5036e348a3c7ca732d1987f941ca343a1e65504b73c04e0cf376b1849fa6c5fa326bb073b1f793b7aeec86a6c3feca45119c93aa39bac0a54abece80a19aade20b3459182a406912dca9d2913c323d26cafedf9985fd1b581c4c1e9f8a3a8080bcfd9e97aae5cb8438e81357e08644783f1935fad1b101add663052f279b02e1b5e0efa8cfa6f3cc57dfde02dc5c8ea592b2395a39862a17a292c4c8dfb1071e1895a820899158e33394b5306db7b633d17db278e0938c67713a8e914122d376e0aea6e801406916bf5aa1e2a467ab7781b117d6785fb39ee1e39316292233761bd4f6f5d169dfc92a3012c1351da30c25c7fc602c3a6a9ed00b53f96f539a67599e8a1f31039c3460dc0f0463c845ca871b8e84a302565ee953ec8c88fce4729c97a002f6e576c722dfb41ac660ad69ad14e750225633c94a83509412ceff1d85a10b1ef4f76258af2d20e138473c5e2724e47108ace525d78e0d15aee8295f28ff119a972a2d3e0dc5cbfa7eea5a899ce0f6010bbc88a78cb2d5a69c0ee18839c0d0d2be94912ff03279b37001d1111f80c966c879385444125f5b7f9aece2a2f7f57ec75bf25ebb892dd5e330fa56e46f48c6e31997ce918d5243c4abcc63c41896f2af711c906c90dc01ca6ff9889233ee544dffb7a35ce72c99aa8effe2e54a56cc2ef38cf63e98c76f07ae77a8f1cd673a29516f4c3a85bdb05a280bf8ad3c92053a80d79191a786f8a667c6aa29232a8f3317bce9eb0c24b899c9c506e7f83443c72ff493614306c5a6af27eb0cb7eb131461fb2482fd844a09333a41f935b13433c7994d45cc13eaea5c96a085f0083b3cddfe73e62fbcf203451ed5c2ebcd47a40a70e5ad7b11ab5490e49634651c630b9e06ab988de257e617467de2056943bc23315f730ab555bb1fd625d06e3b445c1f463f46d322147f8cfc333696e2d812ea47f5e5920482446678b16ecdcc0d5e8c08207ed61a852f52ac4e5d2631ba8c6ea4cae075811cef36324c7c1c6201cc551bbc234497777734c2fce6161df6d830fa84e493e13f11ba21dc9253a932358ba4ff3e583f37dfc9d07fbffc5038795c63eacea0d1475c3c45d098f99d78f4dca4ede8b5bce0b8dc3a838f9a10b1bb61bf864f1a41ba3f170b74d27d0b09fbf391cc03c045bae557ea056ba532dbc1d1da29e4d13b045be3a5a1433aadb03b7c867b4cee18ca724cf182687e3bf076f5451bf967c39249cc03fa5998b3f5b1893e71abcc4bad0eb6e3',
};


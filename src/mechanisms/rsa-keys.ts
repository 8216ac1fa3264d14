/**
 * RSA key material: between the token's attributes (big-endian unsigned
 * integers) and node:crypto keys, key pair generation, the raw RSA
 * operations, and the PKCS #8 codec used to wrap RSA private keys.
 *
 * The spec only requires a private key object to carry n, e and d. node:crypto
 * (OpenSSL) wants the CRT components as well, so for a key imported without
 * its primes they are recovered from n, e and d (NIST SP 800-56B rev. 2,
 * appendix C.2) once, when the key is first used.
 */
import {
  constants, createPrivateKey, createPublicKey, generateKeyPairSync, privateDecrypt, publicEncrypt, sign, verify,
  type JsonWebKey, type KeyObject as NodeKeyObject,
} from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { AttributeMap, StoredValue } from '../pkcs11/attributes.js';
import { registerImportCheck } from '../core/object-policy.js';
import { registerPrivateKeyCodec } from './key-codec.js';

export const MIN_MODULUS_BITS = 1024;
export const MAX_MODULUS_BITS = 8192;
const DEFAULT_EXPONENT = Buffer.from([0x01, 0x00, 0x01]);

// ---- big integers ------------------------------------------------------------------

/** The unsigned big-endian form without leading zero bytes (zero is one 0x00 byte). */
export function unsigned(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return Buffer.from(bytes.subarray(i));
}

function toBigInt(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + bytes.toString('hex'));
}

function fromBigInt(n: bigint): Buffer {
  let hex = n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  return Buffer.from(hex, 'hex');
}

function bitLength(bytes: Buffer): number {
  const b = unsigned(bytes);
  return b[0] === 0 ? 0 : (b.length - 1) * 8 + (32 - Math.clz32(b[0]!));
}

// Used only to complete imported keys that lack their CRT components; these
// BigInt computations are not constant-time, which is why they run once per
// key rather than per operation.

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [m, a % m, 0n, 1n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw inconsistentKey();
  return ((s0 % m) + m) % m;
}

function inconsistentKey(): CKRError {
  return new CKRError(K.CKR_KEY_TYPE_INCONSISTENT, 'the RSA key components are inconsistent');
}

/**
 * p and q from n, e and d: de - 1 is a multiple of lcm(p-1, q-1), so for most g
 * a square root of 1 other than +-1 turns up among g^(r 2^i), and it shares a
 * factor with n.
 */
function recoverPrimes(n: bigint, e: bigint, d: bigint): [bigint, bigint] {
  const k = d * e - 1n;
  if (k <= 0n || (k & 1n) !== 0n) throw inconsistentKey();
  let r = k;
  let t = 0;
  while ((r & 1n) === 0n) {
    r >>= 1n;
    t++;
  }
  for (let g = 2n; g < 200n; g++) {
    let y = modPow(g, r, n);
    if (y === 1n || y === n - 1n) continue;
    for (let i = 0; i < t; i++) {
      const x = (y * y) % n;
      if (x === 1n) {
        const p = gcd(y - 1n, n);
        return p > n / p ? [p, n / p] : [n / p, p];
      }
      if (x === n - 1n) break;
      y = x;
    }
  }
  throw inconsistentKey();
}

// ---- attributes <-> node:crypto ------------------------------------------------------

function component(attrs: AttributeMap, type: number): Buffer | undefined {
  const v = attrs.get(type);
  return Buffer.isBuffer(v) && v.length > 0 ? v : undefined;
}

function required(attrs: AttributeMap, type: number): Buffer {
  const v = component(attrs, type);
  if (!v) throw inconsistentKey();
  return v;
}

const b64 = (bytes: Buffer): string => unsigned(bytes).toString('base64url');
const fromB64 = (text: string | undefined): Buffer => {
  if (typeof text !== 'string') throw new CKRError(K.CKR_WRAPPED_KEY_INVALID);
  return unsigned(Buffer.from(text, 'base64url'));
};

/** The modulus length in bits (the key size of every RSA mechanism). */
export function modulusBits(attrs: AttributeMap): number {
  const n = attrs.get(K.CKA_MODULUS);
  return Buffer.isBuffer(n) ? bitLength(n) : 0;
}

// Keys made from attributes, per object: an object's key material never
// changes, and each object holds its own Buffers.
const publicKeys = new WeakMap<Buffer, NodeKeyObject>();
const privateKeys = new WeakMap<Buffer, NodeKeyObject>();

/** The public key of an RSA public or private key object. */
export function nodePublicKey(attrs: AttributeMap): NodeKeyObject {
  const n = required(attrs, K.CKA_MODULUS);
  let key = publicKeys.get(n);
  if (!key) {
    const e = required(attrs, K.CKA_PUBLIC_EXPONENT);
    try {
      key = createPublicKey({ key: { kty: 'RSA', n: b64(n), e: b64(e) }, format: 'jwk' });
    } catch {
      throw inconsistentKey();
    }
    publicKeys.set(n, key);
  }
  return key;
}

/** The CRT form of a private key object: given, completed, or recovered. */
function privateJwk(attrs: AttributeMap): JsonWebKey {
  const n = required(attrs, K.CKA_MODULUS);
  const e = required(attrs, K.CKA_PUBLIC_EXPONENT);
  const d = required(attrs, K.CKA_PRIVATE_EXPONENT);
  const jwk: JsonWebKey = { kty: 'RSA', n: b64(n), e: b64(e), d: b64(d) };
  const given = [K.CKA_PRIME_1, K.CKA_PRIME_2, K.CKA_EXPONENT_1, K.CKA_EXPONENT_2, K.CKA_COEFFICIENT].map((t) => component(attrs, t));
  if (given.every((v) => v !== undefined)) {
    const [p, q, dp, dq, qi] = given as Buffer[];
    return { ...jwk, p: b64(p!), q: b64(q!), dp: b64(dp!), dq: b64(dq!), qi: b64(qi!) };
  }
  const [N, E, D] = [toBigInt(n), toBigInt(e), toBigInt(d)];
  let p: bigint;
  let q: bigint;
  if (given[0] && given[1]) {
    [p, q] = [toBigInt(given[0]), toBigInt(given[1])];
    if (p * q !== N) throw inconsistentKey();
  } else {
    [p, q] = recoverPrimes(N, E, D);
  }
  const big = (v: bigint) => fromBigInt(v).toString('base64url');
  return { ...jwk, p: big(p), q: big(q), dp: big(D % (p - 1n)), dq: big(D % (q - 1n)), qi: big(modInverse(q, p)) };
}

export function nodePrivateKey(attrs: AttributeMap): NodeKeyObject {
  const d = required(attrs, K.CKA_PRIVATE_EXPONENT);
  let key = privateKeys.get(d);
  if (!key) {
    const jwk = privateJwk(attrs);
    try {
      key = createPrivateKey({ key: jwk, format: 'jwk' });
    } catch {
      throw inconsistentKey();
    }
    privateKeys.set(d, key);
  }
  return key;
}

function spki(key: NodeKeyObject): Buffer {
  return createPublicKey(key).export({ type: 'spki', format: 'der' });
}

/** The key material attributes of a node:crypto RSA private key. */
function privateAttributes(key: NodeKeyObject): AttributeMap {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'RSA' || 'oth' in jwk) throw new CKRError(K.CKR_WRAPPED_KEY_INVALID, 'not a two-prime RSA key');
  return new Map<number, StoredValue>([
    [K.CKA_KEY_TYPE, K.CKK_RSA],
    [K.CKA_MODULUS, fromB64(jwk.n)],
    [K.CKA_PUBLIC_EXPONENT, fromB64(jwk.e)],
    [K.CKA_PRIVATE_EXPONENT, fromB64(jwk.d)],
    [K.CKA_PRIME_1, fromB64(jwk.p)],
    [K.CKA_PRIME_2, fromB64(jwk.q)],
    [K.CKA_EXPONENT_1, fromB64(jwk.dp)],
    [K.CKA_EXPONENT_2, fromB64(jwk.dq)],
    [K.CKA_COEFFICIENT, fromB64(jwk.qi)],
    [K.CKA_PUBLIC_KEY_INFO, spki(key)],
  ]);
}

registerPrivateKeyCodec({
  keyType: K.CKK_RSA,
  nodeTypes: ['rsa'],
  toPkcs8: (attrs) => nodePrivateKey(attrs).export({ type: 'pkcs8', format: 'der' }),
  fromKeyObject: privateAttributes,
});

// ---- key pair generation -------------------------------------------------------------

/** The public exponent a template asks for: odd, at least 3, and within what OpenSSL takes (32 bits). */
function exponentOf(template: AttributeMap): { bytes: Buffer; value: number } {
  const asked = template.get(K.CKA_PUBLIC_EXPONENT);
  if (asked === undefined) return { bytes: DEFAULT_EXPONENT, value: 0x10001 };
  if (!Buffer.isBuffer(asked)) throw new CKRError(K.CKR_ATTRIBUTE_VALUE_INVALID, 'CKA_PUBLIC_EXPONENT must be a big integer');
  const e = toBigInt(asked);
  if (e < 3n || (e & 1n) === 0n) throw new CKRError(K.CKR_ATTRIBUTE_VALUE_INVALID, 'the public exponent must be odd and at least 3');
  if (e > 0xffffffffn) throw new CKRError(K.CKR_TEMPLATE_INCONSISTENT, 'public exponents above 2^32 are not supported');
  return { bytes: asked, value: Number(e) };
}

function modulusBitsOf(template: AttributeMap): number {
  const bits = template.get(K.CKA_MODULUS_BITS);
  if (bits === undefined) throw new CKRError(K.CKR_TEMPLATE_INCOMPLETE, 'CKA_MODULUS_BITS is required');
  // C_GenerateKeyPair has no CKR_KEY_SIZE_RANGE among its return values: the size is an attribute value.
  if (typeof bits !== 'number' || bits < MIN_MODULUS_BITS || bits > MAX_MODULUS_BITS) {
    throw new CKRError(K.CKR_ATTRIBUTE_VALUE_INVALID, `the modulus must have ${MIN_MODULUS_BITS} to ${MAX_MODULUS_BITS} bits`);
  }
  return bits;
}

/**
 * CKM_RSA_PKCS_KEY_PAIR_GEN: the computed attributes of both keys. The
 * public key keeps the template's CKA_PUBLIC_EXPONENT bytes as given (the spec
 * says it is copied) and echoes CKA_MODULUS_BITS.
 */
export function generateRsaKeyPair(publicTemplate: AttributeMap): { publicKey: AttributeMap; privateKey: AttributeMap } {
  const bits = modulusBitsOf(publicTemplate);
  const exponent = exponentOf(publicTemplate);
  let privateKey: AttributeMap;
  // OpenSSL gives a modulus of exactly the asked length; checked all the same.
  do {
    // Asked for DER, not key objects: on Node 20 exporting a freshly generated
    // key object as JWK can deadlock with the garbage collector (the key
    // generation job's destructor waits on a lock the export holds).
    const pair = generateKeyPairSync('rsa', {
      modulusLength: bits, publicExponent: exponent.value,
      publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'der' },
    });
    privateKey = privateAttributes(createPrivateKey({ key: pair.privateKey, format: 'der', type: 'pkcs8' }));
  } while (modulusBits(privateKey) !== bits);
  const publicKey: AttributeMap = new Map<number, StoredValue>([
    [K.CKA_KEY_TYPE, K.CKK_RSA],
    [K.CKA_MODULUS, privateKey.get(K.CKA_MODULUS)!],
    [K.CKA_MODULUS_BITS, bits],
    [K.CKA_PUBLIC_EXPONENT, exponent.bytes],
    [K.CKA_PUBLIC_KEY_INFO, privateKey.get(K.CKA_PUBLIC_KEY_INFO)!],
  ]);
  return { publicKey, privateKey };
}

// ---- raw RSA --------------------------------------------------------------------------

/** An RSA key ready for raw operations: its size and node:crypto key. */
export interface RsaKey {
  /** Modulus length in bits and in bytes (k). */
  bits: number;
  k: number;
  modulus: Buffer;
  key: NodeKeyObject;
}

export function rsaKey(attrs: AttributeMap, part: 'public' | 'private'): RsaKey {
  const modulus = unsigned(required(attrs, K.CKA_MODULUS));
  const bits = bitLength(modulus);
  const key = part === 'public' ? nodePublicKey(attrs) : nodePrivateKey(attrs);
  return { bits, k: Math.ceil(bits / 8), modulus, key };
}

/** Left-pads to k bytes; the caller checked that `bytes` is at most k long. */
export function toModulusLength(bytes: Buffer, k: number): Buffer {
  if (bytes.length === k) return bytes;
  const out = Buffer.alloc(k);
  bytes.copy(out, k - bytes.length);
  return out;
}

/** True when the k-byte integer is below the modulus (public values only). */
export function belowModulus(key: RsaKey, block: Buffer): boolean {
  return Buffer.compare(toModulusLength(key.modulus, key.k), block) > 0;
}

/** x^e mod n of a k-byte block below n; k bytes. */
export function rawPublic(key: RsaKey, block: Buffer): Buffer {
  return publicEncrypt({ key: key.key, padding: constants.RSA_NO_PADDING }, block);
}

/** x^d mod n of a k-byte block below n; k bytes. OpenSSL blinds it. */
export function rawPrivate(key: RsaKey, block: Buffer): Buffer {
  return privateDecrypt({ key: key.key, padding: constants.RSA_NO_PADDING }, block);
}

/**
 * Imported RSA keys are checked once, when they are created: the parts must
 * make one key (a signature made with the private part verifies under the
 * public part), and CKA_PUBLIC_KEY_INFO follows from them.
 */
registerImportCheck(K.CKK_RSA, (attrs) => {
  let info: Buffer;
  try {
    const pub = nodePublicKey(attrs);
    if (attrs.has(K.CKA_PRIVATE_EXPONENT)) {
      const probe = Buffer.from('cryptoki-ts import check');
      if (!verify('sha256', probe, pub, sign('sha256', probe, nodePrivateKey(attrs)))) throw inconsistentKey();
    }
    info = pub.export({ type: 'spki', format: 'der' });
  } catch {
    throw new CKRError(K.CKR_ATTRIBUTE_VALUE_INVALID, 'the RSA key parts do not make one key');
  }
  const given = attrs.get(K.CKA_PUBLIC_KEY_INFO);
  if (Buffer.isBuffer(given) && given.length > 0 && !given.equals(info)) {
    throw new CKRError(K.CKR_ATTRIBUTE_VALUE_INVALID, 'CKA_PUBLIC_KEY_INFO does not match the key');
  }
  attrs.set(K.CKA_PUBLIC_KEY_INFO, info);
});

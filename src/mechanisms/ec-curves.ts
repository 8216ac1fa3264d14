/**
 * The elliptic curves the token knows, and the DER around them: reading
 * CKA_EC_PARAMS (an OBJECT IDENTIFIER or a PrintableString curve name),
 * CKA_EC_POINT in both the DER OCTET STRING and the raw form, and the
 * SubjectPublicKeyInfo / private key encodings node:crypto reads.
 */
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { AttributeMap } from '../pkcs11/attributes.js';

import { oid, readElement, readWhole, tlv } from './der.js';

const TAG_OCTET_STRING = 0x04;
const TAG_PRINTABLE_STRING = 0x13;
const TAG_SEQUENCE = 0x30;
const TAG_BIT_STRING = 0x03;
const TAG_INTEGER = 0x02;

// ---- big-endian integers -------------------------------------------------------------------

export function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + Buffer.from(bytes).toString('hex'));
}

/** `value` as exactly `length` big-endian bytes (the caller knows it fits). */
export function fromBigInt(value: bigint, length: number): Buffer {
  return Buffer.from(value.toString(16).padStart(length * 2, '0'), 'hex');
}

/** Left-pads (or strips leading zeros) to `length` bytes; null if the number does not fit. */
export function fixedLength(bytes: Buffer, length: number): Buffer | null {
  let start = 0;
  while (bytes.length - start > length && bytes[start] === 0) start++;
  if (bytes.length - start > length) return null;
  return Buffer.concat([Buffer.alloc(length - (bytes.length - start)), bytes.subarray(start)]);
}

// ---- the curve table -------------------------------------------------------------------------

interface CurveCommon {
  /** The name this token uses in messages and tests. */
  name: string;
  /** DER of the curve's OBJECT IDENTIFIER, as CKA_EC_PARAMS carries it. */
  oid: Buffer;
  /** PrintableString names CKA_EC_PARAMS may carry instead (compared without case). */
  names: readonly string[];
  /** Field size in bits: the key size of C_GetMechanismInfo. */
  fieldBits: number;
}

/** A short Weierstrass curve y² = x³ + ax + b over F_p, of prime order n (cofactor 1). */
export interface WeierstrassCurve extends CurveCommon {
  kind: 'weierstrass';
  /** node:crypto / OpenSSL's name. */
  nodeName: string;
  p: bigint;
  a: bigint;
  n: bigint;
  /** Bytes of a coordinate, and of a scalar (nLen). */
  fieldBytes: number;
  orderBytes: number;
  orderBits: number;
}

/** Edwards and Montgomery curves, whose keys are byte strings (RFC 8032, RFC 7748). */
export interface OctetCurve extends CurveCommon {
  kind: 'edwards' | 'montgomery';
  nodeType: 'ed25519' | 'ed448' | 'x25519' | 'x448';
  privateLength: number;
  publicLength: number;
}

export type Curve = WeierstrassCurve | OctetCurve;

function weierstrass(
  name: string, nodeName: string, dottedOid: string, names: string[], fieldBits: number, p: string, a: string, n: string,
): WeierstrassCurve {
  const order = BigInt('0x' + n);
  const orderBits = order.toString(2).length;
  return {
    kind: 'weierstrass', name, nodeName, oid: oid(dottedOid), names, fieldBits,
    p: BigInt('0x' + p), a: BigInt('0x' + a), n: order,
    fieldBytes: Math.ceil(fieldBits / 8), orderBytes: Math.ceil(orderBits / 8), orderBits,
  };
}

// Domain parameters from SEC 2 v2 (secp*), FIPS 186-4 D.1.2 (P-*) and RFC 5639 (brainpool, r1 and the twisted t1).
// Curves under 256 bits (P-192, P-224, brainpoolP160/192/224) are left out: too weak for new keys.
export const WEIERSTRASS_CURVES: readonly WeierstrassCurve[] = [
  weierstrass('P-256', 'prime256v1', '1.2.840.10045.3.1.7', ['prime256v1', 'secp256r1', 'P-256', 'nistp256'], 256,
    'ffffffff00000001000000000000000000000000ffffffffffffffffffffffff',
    'ffffffff00000001000000000000000000000000fffffffffffffffffffffffc',
    'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'),
  weierstrass('P-384', 'secp384r1', '1.3.132.0.34', ['secp384r1', 'P-384', 'nistp384'], 384,
    'fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff',
    'fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffc',
    'ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973'),
  weierstrass('P-521', 'secp521r1', '1.3.132.0.35', ['secp521r1', 'P-521', 'nistp521'], 521,
    '1ff' + 'f'.repeat(128),
    '1ff' + 'f'.repeat(127) + 'c',
    '1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409'),
  weierstrass('secp256k1', 'secp256k1', '1.3.132.0.10', ['secp256k1'], 256,
    'fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f',
    '0',
    'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141'),
  weierstrass('brainpoolP256r1', 'brainpoolP256r1', '1.3.36.3.3.2.8.1.1.7', ['brainpoolP256r1'], 256,
    'a9fb57dba1eea9bc3e660a909d838d726e3bf623d52620282013481d1f6e5377',
    '7d5a0975fc2c3057eef67530417affe7fb8055c126dc5c6ce94a4b44f330b5d9',
    'a9fb57dba1eea9bc3e660a909d838d718c397aa3b561a6f7901e0e82974856a7'),
  weierstrass('brainpoolP384r1', 'brainpoolP384r1', '1.3.36.3.3.2.8.1.1.11', ['brainpoolP384r1'], 384,
    '8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b412b1da197fb71123acd3a729901d1a71874700133107ec53',
    '7bc382c63d8c150c3c72080ace05afa0c2bea28e4fb22787139165efba91f90f8aa5814a503ad4eb04a8c7dd22ce2826',
    '8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b31f166e6cac0425a7cf3ab6af6b7fc3103b883202e9046565'),
  weierstrass('brainpoolP512r1', 'brainpoolP512r1', '1.3.36.3.3.2.8.1.1.13', ['brainpoolP512r1'], 512,
    'aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca703308717d4d9b009bc66842aecda12ae6a380e62881ff2f2d82c68528aa6056583a48f3',
    '7830a3318b603b89e2327145ac234cc594cbdd8d3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94ca',
    'aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca70330870553e5c414ca92619418661197fac10471db1d381085ddaddb58796829ca90069'),
  weierstrass('brainpoolP256t1', 'brainpoolP256t1', '1.3.36.3.3.2.8.1.1.8', ['brainpoolP256t1'], 256,
    'a9fb57dba1eea9bc3e660a909d838d726e3bf623d52620282013481d1f6e5377',
    'a9fb57dba1eea9bc3e660a909d838d726e3bf623d52620282013481d1f6e5374',
    'a9fb57dba1eea9bc3e660a909d838d718c397aa3b561a6f7901e0e82974856a7'),
  weierstrass('brainpoolP320r1', 'brainpoolP320r1', '1.3.36.3.3.2.8.1.1.9', ['brainpoolP320r1'], 320,
    'd35e472036bc4fb7e13c785ed201e065f98fcfa6f6f40def4f92b9ec7893ec28fcd412b1f1b32e27',
    '3ee30b568fbab0f883ccebd46d3f3bb8a2a73513f5eb79da66190eb085ffa9f492f375a97d860eb4',
    'd35e472036bc4fb7e13c785ed201e065f98fcfa5b68f12a32d482ec7ee8658e98691555b44c59311'),
  weierstrass('brainpoolP320t1', 'brainpoolP320t1', '1.3.36.3.3.2.8.1.1.10', ['brainpoolP320t1'], 320,
    'd35e472036bc4fb7e13c785ed201e065f98fcfa6f6f40def4f92b9ec7893ec28fcd412b1f1b32e27',
    'd35e472036bc4fb7e13c785ed201e065f98fcfa6f6f40def4f92b9ec7893ec28fcd412b1f1b32e24',
    'd35e472036bc4fb7e13c785ed201e065f98fcfa5b68f12a32d482ec7ee8658e98691555b44c59311'),
  weierstrass('brainpoolP384t1', 'brainpoolP384t1', '1.3.36.3.3.2.8.1.1.12', ['brainpoolP384t1'], 384,
    '8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b412b1da197fb71123acd3a729901d1a71874700133107ec53',
    '8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b412b1da197fb71123acd3a729901d1a71874700133107ec50',
    '8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b31f166e6cac0425a7cf3ab6af6b7fc3103b883202e9046565'),
  weierstrass('brainpoolP512t1', 'brainpoolP512t1', '1.3.36.3.3.2.8.1.1.14', ['brainpoolP512t1'], 512,
    'aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca703308717d4d9b009bc66842aecda12ae6a380e62881ff2f2d82c68528aa6056583a48f3',
    'aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca703308717d4d9b009bc66842aecda12ae6a380e62881ff2f2d82c68528aa6056583a48f0',
    'aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca70330870553e5c414ca92619418661197fac10471db1d381085ddaddb58796829ca90069'),
];

// RFC 8410 object identifiers; the names are RFC 8032's and RFC 7748's.
export const OCTET_CURVES: readonly OctetCurve[] = [
  { kind: 'edwards', name: 'Ed25519', nodeType: 'ed25519', oid: oid('1.3.101.112'), names: ['edwards25519', 'ed25519'], fieldBits: 255, privateLength: 32, publicLength: 32 },
  { kind: 'edwards', name: 'Ed448', nodeType: 'ed448', oid: oid('1.3.101.113'), names: ['edwards448', 'ed448'], fieldBits: 448, privateLength: 57, publicLength: 57 },
  { kind: 'montgomery', name: 'X25519', nodeType: 'x25519', oid: oid('1.3.101.110'), names: ['curve25519', 'x25519'], fieldBits: 255, privateLength: 32, publicLength: 32 },
  { kind: 'montgomery', name: 'X448', nodeType: 'x448', oid: oid('1.3.101.111'), names: ['curve448', 'x448'], fieldBits: 448, privateLength: 56, publicLength: 56 },
];

const ALL_CURVES: readonly Curve[] = [...WEIERSTRASS_CURVES, ...OCTET_CURVES];

/**
 * The curve of a CKA_EC_PARAMS value. An unknown curve is
 * CKR_CURVE_NOT_SUPPORTED; explicit parameters (not offered: no
 * CKF_EC_ECPARAMETERS) and anything that is not DER are CKR_DOMAIN_PARAMS_INVALID.
 */
export function curveOfParams(params: unknown): Curve {
  if (!Buffer.isBuffer(params)) throw new CKRError(K.CKR_DOMAIN_PARAMS_INVALID, 'CKA_EC_PARAMS missing');
  const element = readElement(params);
  if (!element || element.end !== params.length) throw new CKRError(K.CKR_DOMAIN_PARAMS_INVALID, 'CKA_EC_PARAMS is not DER');
  if (element.tag === 0x06) {
    const curve = ALL_CURVES.find((c) => c.oid.equals(params));
    if (!curve) throw new CKRError(K.CKR_CURVE_NOT_SUPPORTED);
    return curve;
  }
  if (element.tag === TAG_PRINTABLE_STRING) {
    const name = element.value.toString('latin1').toLowerCase();
    const curve = ALL_CURVES.find((c) => c.names.some((n) => n.toLowerCase() === name));
    if (!curve) throw new CKRError(K.CKR_CURVE_NOT_SUPPORTED);
    return curve;
  }
  throw new CKRError(K.CKR_DOMAIN_PARAMS_INVALID, 'only named curves are supported');
}

/** The curve of a key or template, which must be of `kind` (another kind of curve is not supported here). */
export function curveOf<T extends Curve['kind']>(attrs: AttributeMap, kind: T): T extends 'weierstrass' ? WeierstrassCurve : OctetCurve {
  const curve = curveOfParams(attrs.get(K.CKA_EC_PARAMS));
  if (curve.kind !== kind) throw new CKRError(K.CKR_CURVE_NOT_SUPPORTED, `not a ${kind} curve`);
  return curve as T extends 'weierstrass' ? WeierstrassCurve : OctetCurve;
}

/** The curve a node:crypto key is on, by its type and (for EC keys) OpenSSL's curve name. */
export function curveOfNodeKey(type: string | undefined, namedCurve: string | undefined): Curve | undefined {
  if (type === 'ec') return WEIERSTRASS_CURVES.find((c) => c.nodeName === namedCurve);
  return OCTET_CURVES.find((c) => c.nodeType === type);
}

// ---- points ----------------------------------------------------------------------------------

/** CKA_EC_POINT of a short Weierstrass key: the X9.62 point in a DER OCTET STRING. */
export function encodeEcPoint(point: Buffer): Buffer {
  return tlv(TAG_OCTET_STRING, point);
}

function isWeierstrassPoint(curve: WeierstrassCurve, raw: Buffer): boolean {
  const prefix = raw[0];
  if (raw.length === 1 + 2 * curve.fieldBytes) return prefix === 0x04;
  if (raw.length === 1 + curve.fieldBytes) return prefix === 0x02 || prefix === 0x03;
  return false;
}

/**
 * The X9.62 point (uncompressed or compressed) of a CKA_EC_POINT or a peer's
 * public data: DER OCTET STRING or raw, told apart by their lengths. Null if
 * it is neither. The point is not yet checked to lie on the curve.
 */
export function decodeEcPoint(curve: WeierstrassCurve, bytes: Buffer): Buffer | null {
  if (isWeierstrassPoint(curve, bytes)) return bytes;
  const inner = readWhole(bytes, TAG_OCTET_STRING);
  return inner && isWeierstrassPoint(curve, inner) ? inner : null;
}

/**
 * The raw public key of an Edwards or Montgomery CKA_EC_POINT or peer public
 * data. PKCS#11 3.2 stores it raw; 3.0 wrapped it in a DER OCTET STRING, and
 * both are read. Null if it is neither.
 */
export function decodeOctetPoint(curve: OctetCurve, bytes: Buffer): Buffer | null {
  if (bytes.length === curve.publicLength) return bytes;
  const inner = readWhole(bytes, TAG_OCTET_STRING);
  return inner && inner.length === curve.publicLength ? inner : null;
}

// ---- key encodings ----------------------------------------------------------------------------

const ID_EC_PUBLIC_KEY = oid('1.2.840.10045.2.1');

/** SubjectPublicKeyInfo (RFC 5480 / RFC 8410), as CKA_PUBLIC_KEY_INFO holds it. */
export function spki(curve: Curve, publicKey: Buffer): Buffer {
  const algorithm = curve.kind === 'weierstrass'
    ? tlv(TAG_SEQUENCE, ID_EC_PUBLIC_KEY, curve.oid)
    : tlv(TAG_SEQUENCE, curve.oid);
  return tlv(TAG_SEQUENCE, algorithm, tlv(TAG_BIT_STRING, Buffer.from([0]), publicKey));
}

/** SEC 1 ECPrivateKey (RFC 5915) with its parameters and public key. */
export function sec1PrivateKey(curve: WeierstrassCurve, d: Buffer, point: Buffer): Buffer {
  return tlv(TAG_SEQUENCE,
    tlv(TAG_INTEGER, Buffer.from([1])),
    tlv(TAG_OCTET_STRING, d),
    tlv(0xa0, curve.oid),
    tlv(0xa1, tlv(TAG_BIT_STRING, Buffer.from([0]), point)));
}

/** The private scalar of a SEC 1 ECPrivateKey (as node:crypto exports it). */
export function scalarOfSec1(der: Buffer): Buffer | null {
  const body = readWhole(der, TAG_SEQUENCE);
  if (!body) return null;
  const version = readElement(body);
  if (!version || version.tag !== TAG_INTEGER) return null;
  const scalar = readElement(body, version.end);
  return scalar && scalar.tag === TAG_OCTET_STRING ? scalar.value : null;
}

/** PKCS#8 (RFC 8410) of an Edwards or Montgomery private key. */
export function octetPkcs8(curve: OctetCurve, privateKey: Buffer): Buffer {
  return tlv(TAG_SEQUENCE,
    tlv(TAG_INTEGER, Buffer.from([0])),
    tlv(TAG_SEQUENCE, curve.oid),
    tlv(TAG_OCTET_STRING, tlv(TAG_OCTET_STRING, privateKey)));
}

/** Flags of C_GetMechanismInfo: prime fields, named curves by OID or name, and which point forms. */
export const EC_FLAGS = K.CKF_EC_F_P | K.CKF_EC_OID | K.CKF_EC_CURVENAME | K.CKF_EC_UNCOMPRESS | K.CKF_EC_COMPRESS;
/** Key pair generation makes uncompressed points only. */
export const EC_GENERATE_FLAGS = K.CKF_EC_F_P | K.CKF_EC_OID | K.CKF_EC_CURVENAME | K.CKF_EC_UNCOMPRESS;
/** Edwards and Montgomery keys have one point form. */
export const OCTET_CURVE_FLAGS = K.CKF_EC_F_P | K.CKF_EC_OID | K.CKF_EC_CURVENAME;

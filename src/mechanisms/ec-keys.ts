/**
 * EC key objects as node:crypto keys, and new key pairs. Keys are made from
 * the attributes once per object (an object's key material never changes, and
 * each object holds its own Buffers, so they key the caches).
 *
 * Key pairs are not made with generateKeyPairSync: on Node 20.20 a key it made
 * can deadlock the process when a garbage collection runs while the key is
 * being exported (the job's destructor takes a lock the export holds). The
 * private value comes from OpenSSL's random generator instead (ECDH key
 * generation, or randomBytes for the byte-string keys) and is read back in.
 */
import {
  ECDH, createECDH, createPrivateKey, createPublicKey, randomBytes, type KeyObject as NodeKeyObject,
} from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { AttributeMap, StoredValue } from '../pkcs11/attributes.js';
import {
  curveOf, curveOfParams, decodeEcPoint, decodeOctetPoint, encodeEcPoint, fixedLength, OCTET_CURVES, octetPkcs8,
  sec1PrivateKey, spki, toBigInt, type Curve, type OctetCurve, type WeierstrassCurve,
} from './ec-curves.js';
import { registerImportCheck } from '../core/object-policy.js';
import type { PrivateKeyCodec } from './key-codec.js';
import type { KeyPair } from './mechanism.js';

const invalidKey = () => new CKRError(K.CKR_KEY_TYPE_INCONSISTENT, 'the key value is not valid for its curve');

function bytesOf(attrs: AttributeMap, type: number): Buffer {
  const value = attrs.get(type);
  if (!Buffer.isBuffer(value)) throw invalidKey();
  return value;
}

// ---- short Weierstrass keys ----------------------------------------------------------------------

export interface EcPrivate {
  curve: WeierstrassCurve;
  key: NodeKeyObject;
  /** The scalar, orderBytes long. */
  d: Buffer;
}

export interface EcPublic {
  curve: WeierstrassCurve;
  key: NodeKeyObject;
  /** The uncompressed point 04 || x || y, checked to be on the curve. */
  point: Buffer;
}

const ecPrivates = new WeakMap<Buffer, EcPrivate>();
const ecPublics = new WeakMap<Buffer, EcPublic>();

export function ecPrivateKey(attrs: AttributeMap): EcPrivate {
  const value = bytesOf(attrs, K.CKA_VALUE);
  let cached = ecPrivates.get(value);
  if (!cached) {
    const curve = curveOf(attrs, 'weierstrass');
    const d = fixedLength(value, curve.orderBytes);
    if (!d) throw invalidKey();
    const scalar = toBigInt(d);
    if (scalar === 0n || scalar >= curve.n) throw invalidKey();
    // With the public key in it, the key's PKCS#8 export (for wrapping) has it too.
    const ecdh = createECDH(curve.nodeName);
    ecdh.setPrivateKey(d);
    const key = createPrivateKey({ key: sec1PrivateKey(curve, d, ecdh.getPublicKey()), format: 'der', type: 'sec1' });
    cached = { curve, key, d };
    ecPrivates.set(value, cached);
  }
  return cached;
}

/** The uncompressed form of a point, which OpenSSL checks to lie on the curve; null if it does not. */
export function uncompressedPoint(curve: WeierstrassCurve, point: Buffer): Buffer | null {
  try {
    return ECDH.convertKey(point, curve.nodeName, undefined, undefined, 'uncompressed') as Buffer;
  } catch {
    return null;
  }
}

export function ecPublicKey(attrs: AttributeMap): EcPublic {
  const encoded = bytesOf(attrs, K.CKA_EC_POINT);
  let cached = ecPublics.get(encoded);
  if (!cached) {
    const curve = curveOf(attrs, 'weierstrass');
    const given = decodeEcPoint(curve, encoded);
    const point = given && uncompressedPoint(curve, given);
    if (!point) throw invalidKey();
    const key = createPublicKey({ key: spki(curve, point), format: 'der', type: 'spki' });
    cached = { curve, key, point };
    ecPublics.set(encoded, cached);
  }
  return cached;
}

/** The attributes both keys of a new pair carry, each key with Buffers of its own. */
function shared(keyType: number, params: Buffer, info: Buffer): [number, StoredValue][] {
  return [[K.CKA_KEY_TYPE, keyType], [K.CKA_EC_PARAMS, Buffer.from(params)], [K.CKA_PUBLIC_KEY_INFO, Buffer.from(info)]];
}

/** A new key pair: the public key's CKA_EC_POINT and CKA_PUBLIC_KEY_INFO, the private scalar. */
export function generateEcKeyPair(curve: WeierstrassCurve, params: Buffer): KeyPair {
  const ecdh = createECDH(curve.nodeName);
  const point = ecdh.generateKeys();
  const d = fixedLength(ecdh.getPrivateKey(), curve.orderBytes)!;
  const info = spki(curve, point);
  return {
    publicKey: new Map([...shared(K.CKK_EC, params, info), [K.CKA_EC_POINT, encodeEcPoint(point)]]),
    privateKey: new Map([...shared(K.CKK_EC, params, info), [K.CKA_VALUE, d]]),
  };
}

// ---- Edwards and Montgomery keys --------------------------------------------------------------------

const octetPrivates = new WeakMap<Buffer, NodeKeyObject>();
const octetPublics = new WeakMap<Buffer, NodeKeyObject>();

export function octetPrivateKey(attrs: AttributeMap, curve: OctetCurve): NodeKeyObject {
  const value = bytesOf(attrs, K.CKA_VALUE);
  let key = octetPrivates.get(value);
  if (!key) {
    if (value.length !== curve.privateLength) throw invalidKey();
    key = createPrivateKey({ key: octetPkcs8(curve, value), format: 'der', type: 'pkcs8' });
    octetPrivates.set(value, key);
  }
  return key;
}

/** A node:crypto key for a raw public key, or null if it has the wrong length. */
export function octetPublicKeyOf(curve: OctetCurve, raw: Buffer): NodeKeyObject | null {
  if (raw.length !== curve.publicLength) return null;
  try {
    return createPublicKey({ key: spki(curve, raw), format: 'der', type: 'spki' });
  } catch {
    return null;
  }
}

export function octetPublicKey(attrs: AttributeMap, curve: OctetCurve): NodeKeyObject {
  const encoded = bytesOf(attrs, K.CKA_EC_POINT);
  let key = octetPublics.get(encoded);
  if (!key) {
    const raw = decodeOctetPoint(curve, encoded);
    key = raw ? octetPublicKeyOf(curve, raw) ?? undefined : undefined;
    if (!key) throw invalidKey();
    octetPublics.set(encoded, key);
  }
  return key;
}

/** The raw public key of a private key (the last bytes of its SubjectPublicKeyInfo). */
export function octetPublicOf(curve: OctetCurve, privateKey: NodeKeyObject): Buffer {
  const der = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - curve.publicLength);
}

/**
 * RFC 7748 section 5 "decodeScalar" clamping, done once at generation as
 * OpenSSL does, so the stored value is the scalar actually used.
 */
function clamp(curve: OctetCurve, k: Buffer): Buffer {
  if (curve.nodeType === 'x25519') {
    k[0]! &= 248;
    k[31]! &= 127;
    k[31]! |= 64;
  } else if (curve.nodeType === 'x448') {
    k[0]! &= 252;
    k[55]! |= 128;
  }
  return k;
}

/**
 * A new Edwards or Montgomery key pair. Their private keys are uniformly
 * random byte strings (RFC 8032 5.1.5 / 5.2.5, RFC 7748 section 6), so
 * randomBytes is the key generation; OpenSSL derives the public key.
 * CKA_EC_POINT is the raw public key, as PKCS#11 3.2 defines it.
 */
export function generateOctetKeyPair(curve: OctetCurve, params: Buffer, keyType: number): KeyPair {
  const value = clamp(curve, randomBytes(curve.privateLength));
  const key = createPrivateKey({ key: octetPkcs8(curve, value), format: 'der', type: 'pkcs8' });
  const raw = octetPublicOf(curve, key);
  const info = spki(curve, raw);
  return {
    publicKey: new Map([...shared(keyType, params, info), [K.CKA_EC_POINT, Buffer.from(raw)]]),
    privateKey: new Map([...shared(keyType, params, info), [K.CKA_VALUE, value]]),
  };
}

/** CKA_EC_PARAMS of a key-pair template: the public template's, which the spec makes the one to give. */
export function templateParams(publicTemplate: AttributeMap, privateTemplate: AttributeMap): Buffer {
  const params = publicTemplate.get(K.CKA_EC_PARAMS) ?? privateTemplate.get(K.CKA_EC_PARAMS);
  if (params === undefined) throw new CKRError(K.CKR_TEMPLATE_INCOMPLETE, 'CKA_EC_PARAMS is required in the public key template');
  return params as Buffer;
}

/** The PKCS#8 codec of Edwards or Montgomery private keys (RFC 8410). */
export function octetCodec(kind: OctetCurve['kind'], keyType: number): PrivateKeyCodec {
  const curves = OCTET_CURVES.filter((c) => c.kind === kind);
  return {
    keyType,
    nodeTypes: curves.map((c) => c.nodeType),
    toPkcs8(attrs) {
      const curve = curveOf(attrs, kind);
      const value = bytesOf(attrs, K.CKA_VALUE);
      if (value.length !== curve.privateLength) throw invalidKey();
      return octetPkcs8(curve, value);
    },
    fromKeyObject(key) {
      const curve = curves.find((c) => c.nodeType === key.asymmetricKeyType);
      const jwk = key.export({ format: 'jwk' });
      if (!curve || typeof jwk.d !== 'string' || typeof jwk.x !== 'string') throw new CKRError(K.CKR_WRAPPED_KEY_INVALID);
      return new Map<number, StoredValue>([
        [K.CKA_KEY_TYPE, keyType],
        [K.CKA_EC_PARAMS, curve.oid],
        [K.CKA_VALUE, Buffer.from(jwk.d, 'base64url')],
        [K.CKA_PUBLIC_KEY_INFO, spki(curve, Buffer.from(jwk.x, 'base64url'))],
      ]);
    },
  };
}

/** C_GenerateKeyPair for Edwards or Montgomery keys: the public template's curve must be of this kind. */
export function generateOctetPair(kind: OctetCurve['kind'], keyType: number, publicTemplate: AttributeMap, privateTemplate: AttributeMap): KeyPair {
  const params = templateParams(publicTemplate, privateTemplate);
  const curve = curveOfParams(params);
  if (curve.kind !== kind) throw new CKRError(K.CKR_CURVE_NOT_SUPPORTED, `not a ${kind} curve`);
  return generateOctetKeyPair(curve, params, keyType);
}

// ---- imported keys ---------------------------------------------------------------------------------

/**
 * Imported EC, Edwards and Montgomery keys are checked when they are created:
 * a known curve (CKR_CURVE_NOT_SUPPORTED otherwise), a point on it or a scalar
 * in range; and CKA_PUBLIC_KEY_INFO follows from them.
 */
function checkImported(kind: Curve['kind']) {
  return (attrs: AttributeMap): void => {
    let info: Buffer;
    try {
      const isPrivate = attrs.has(K.CKA_VALUE) && !attrs.has(K.CKA_EC_POINT);
      const key = kind === 'weierstrass'
        ? (isPrivate ? createPublicKey(ecPrivateKey(attrs).key) : ecPublicKey(attrs).key)
        : (isPrivate ? createPublicKey(octetPrivateKey(attrs, curveOf(attrs, kind))) : octetPublicKey(attrs, curveOf(attrs, kind)));
      info = key.export({ type: 'spki', format: 'der' });
    } catch (e) {
      if (e instanceof CKRError && (e.code === K.CKR_CURVE_NOT_SUPPORTED || e.code === K.CKR_DOMAIN_PARAMS_INVALID)) throw e;
      throw new CKRError(K.CKR_ATTRIBUTE_VALUE_INVALID, 'the key value is not valid for its curve');
    }
    const given = attrs.get(K.CKA_PUBLIC_KEY_INFO);
    if (Buffer.isBuffer(given) && given.length > 0 && !given.equals(info)) {
      throw new CKRError(K.CKR_ATTRIBUTE_VALUE_INVALID, 'CKA_PUBLIC_KEY_INFO does not match the key');
    }
    attrs.set(K.CKA_PUBLIC_KEY_INFO, info);
  };
}

registerImportCheck(K.CKK_EC, checkImported('weierstrass'));
registerImportCheck(K.CKK_EC_EDWARDS, checkImported('edwards'));
registerImportCheck(K.CKK_EC_MONTGOMERY, checkImported('montgomery'));

/**
 * ECDH key derivation (CKM_ECDH1_DERIVE, CKM_ECDH1_COFACTOR_DERIVE) for short
 * Weierstrass and Montgomery keys: the shared secret comes from
 * crypto.diffieHellman, then the CK_EC_KDF_TYPE key derivation function.
 */
import { createHash, createPublicKey, diffieHellman, type KeyObject as NodeKeyObject } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { AttributeMap } from '../pkcs11/attributes.js';
import { curveOf, decodeEcPoint, decodeOctetPoint, spki } from './ec-curves.js';
import { ecPrivateKey, octetPrivateKey, octetPublicKeyOf, uncompressedPoint } from './ec-keys.js';
import { bytesField, derivedKeyAttributes, derivedKeyShape, parameterObject, ulongField } from './kdf-derived-key.js';

// ---- key derivation functions ------------------------------------------------------------------

type KdfKind = 'x963' | 'sp800';

/** CK_EC_KDF_TYPE -> node:crypto hash and construction. CKD_NULL is handled apart. */
const KDFS = new Map<number, { hash: string; kind: KdfKind }>([
  [K.CKD_SHA1_KDF, { hash: 'sha1', kind: 'x963' }],
  [K.CKD_SHA224_KDF, { hash: 'sha224', kind: 'x963' }],
  [K.CKD_SHA256_KDF, { hash: 'sha256', kind: 'x963' }],
  [K.CKD_SHA384_KDF, { hash: 'sha384', kind: 'x963' }],
  [K.CKD_SHA512_KDF, { hash: 'sha512', kind: 'x963' }],
  [K.CKD_SHA3_224_KDF, { hash: 'sha3-224', kind: 'x963' }],
  [K.CKD_SHA3_256_KDF, { hash: 'sha3-256', kind: 'x963' }],
  [K.CKD_SHA3_384_KDF, { hash: 'sha3-384', kind: 'x963' }],
  [K.CKD_SHA3_512_KDF, { hash: 'sha3-512', kind: 'x963' }],
  [K.CKD_SHA1_KDF_SP800, { hash: 'sha1', kind: 'sp800' }],
  [K.CKD_SHA224_KDF_SP800, { hash: 'sha224', kind: 'sp800' }],
  [K.CKD_SHA256_KDF_SP800, { hash: 'sha256', kind: 'sp800' }],
  [K.CKD_SHA384_KDF_SP800, { hash: 'sha384', kind: 'sp800' }],
  [K.CKD_SHA512_KDF_SP800, { hash: 'sha512', kind: 'sp800' }],
  [K.CKD_SHA3_224_KDF_SP800, { hash: 'sha3-224', kind: 'sp800' }],
  [K.CKD_SHA3_256_KDF_SP800, { hash: 'sha3-256', kind: 'sp800' }],
  [K.CKD_SHA3_384_KDF_SP800, { hash: 'sha3-384', kind: 'sp800' }],
  [K.CKD_SHA3_512_KDF_SP800, { hash: 'sha3-512', kind: 'sp800' }],
]);

/**
 * The hash-based KDFs: ANSI X9.63 (SEC 1 3.6.1) hashes Z || counter || info,
 * NIST SP 800-56A 5.8.1.1 (one-step, hash) hashes counter || Z || info; the
 * counter is 32-bit big-endian from 1, and the output is the first `length`
 * bytes of the concatenated blocks.
 */
export function hashKdf(hash: string, kind: KdfKind, z: Buffer, info: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  const counter = Buffer.alloc(4);
  for (let i = 1, have = 0; have < length; i++) {
    counter.writeUInt32BE(i);
    const h = createHash(hash);
    if (kind === 'x963') h.update(z).update(counter);
    else h.update(counter).update(z);
    const block = h.update(info).digest();
    blocks.push(block);
    have += block.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

// ---- the shared secret -----------------------------------------------------------------------------

const badPublicData = () => new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'pPublicData is not a public key on the curve');

/** The base key and the other party's public key, for a base key of either kind. */
function keyPair(base: AttributeMap, publicData: Buffer): { privateKey: NodeKeyObject; publicKey: NodeKeyObject } {
  if (base.get(K.CKA_KEY_TYPE) === K.CKK_EC) {
    const { curve, key } = ecPrivateKey(base);
    const given = decodeEcPoint(curve, publicData);
    const point = given && uncompressedPoint(curve, given);
    if (!point) throw badPublicData();
    return { privateKey: key, publicKey: createPublicKey({ key: spki(curve, point), format: 'der', type: 'spki' }) };
  }
  const curve = curveOf(base, 'montgomery');
  const raw = decodeOctetPoint(curve, publicData);
  const publicKey = raw && octetPublicKeyOf(curve, raw);
  if (!publicKey) throw badPublicData();
  return { privateKey: octetPrivateKey(base, curve), publicKey };
}

/**
 * Z: the x-coordinate of d·Q (X9.63; our curves all have cofactor 1, so the
 * cofactor variant is the same), or X25519/X448. OpenSSL refuses a point off
 * the curve and an all-zero X25519/X448 result (a small-order peer key).
 */
function sharedSecret(base: AttributeMap, publicData: Buffer): Buffer {
  const keys = keyPair(base, publicData);
  try {
    return diffieHellman(keys);
  } catch {
    throw badPublicData();
  }
}

// ---- CK_ECDH1_DERIVE_PARAMS ------------------------------------------------------------------------

interface EcdhParams {
  kdf: number;
  sharedData: Buffer;
  publicData: Buffer;
}

function ecdhParams(parameter: unknown): EcdhParams {
  const p = parameterObject(parameter, 'CK_ECDH1_DERIVE_PARAMS');
  const kdf = ulongField(p, 'kdf');
  const sharedData = bytesField(p, 'pSharedData', true);
  const publicData = bytesField(p, 'pPublicData');
  if (publicData.length === 0) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'pPublicData is empty');
  if (kdf !== K.CKD_NULL && !KDFS.has(kdf)) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'unsupported kdf');
  if (kdf === K.CKD_NULL && sharedData.length > 0) {
    throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'CKD_NULL takes no pSharedData');
  }
  return { kdf, sharedData, publicData };
}

/**
 * C_DeriveKey with CKM_ECDH1_DERIVE / CKM_ECDH1_COFACTOR_DERIVE. The key's
 * length is the template's CKA_VALUE_LEN, else its key type's only length,
 * else the shared secret's if the key type allows it. With CKD_NULL a shorter key keeps the secret's last bytes
 * (the spec: "the truncation removes bytes from the leading end"); a KDF is
 * simply asked for that many bytes.
 */
export function ecdhDerive(base: AttributeMap, parameter: unknown, template: AttributeMap): AttributeMap {
  const params = ecdhParams(parameter);
  const z = sharedSecret(base, params.publicData);
  const kdf = KDFS.get(params.kdf);
  // Z's length also serves a key type that allows it (a generic secret, AES-256 from P-256...).
  const shape = derivedKeyShape(template, { natural: z.length, naturalForAnyType: true, available: kdf ? undefined : z.length });
  const material = kdf
    ? hashKdf(kdf.hash, kdf.kind, z, params.sharedData, shape.length)
    : z.subarray(z.length - shape.length);
  return derivedKeyAttributes(shape, Buffer.from(material), template);
}

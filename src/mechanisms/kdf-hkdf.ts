/**
 * HKDF (RFC 5869; spec "HKDF Mechanisms"): CKM_HKDF_DERIVE, CKM_HKDF_DATA (the
 * result as a data object) and CKM_HKDF_KEY_GEN. A salt may be given as data
 * or as another key (CKF_HKDF_SALT_KEY), which the core resolves.
 */
import { createHmac } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { AttributeMap } from '../pkcs11/attributes.js';
import { DIGESTS, type DigestAlgorithm } from '../core/digest.js';
import { generateRandomKey, MAX_SECRET_KEY_BYTES } from './generic-secret.js';
import { baseKeyValue, bytesField, derivedKeyAttributes, derivedKeyShape, parameterObject } from './kdf-derived-key.js';
import type { KeyObject } from './mechanism.js';
import { registerMechanism } from './registry.js';

export interface HkdfParams {
  hash: DigestAlgorithm;
  extract: boolean;
  expand: boolean;
  /** The extraction salt; null for the RFC's all-zero salt. */
  salt: Buffer | null;
  info: Buffer;
}

const flag = (p: Record<string, unknown>, name: string): boolean => {
  const v = p[name];
  if (typeof v !== 'boolean') throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, `${name} must be a CK_BBOOL`);
  return v;
};

function prfHash(p: Record<string, unknown>): DigestAlgorithm {
  const hash = typeof p.prfHashMechanism === 'number' ? DIGESTS.get(p.prfHashMechanism) : undefined;
  if (!hash || p.prfHashMechanism === K.CKM_MD5) {
    throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'prfHashMechanism must be a SHA-1, SHA-2 or SHA-3 digest');
  }
  return hash;
}

/** The extraction salt; ignored (and unchecked) when there is no extraction, as the spec says. */
function extractionSalt(p: Record<string, unknown>, otherKey?: (handle: unknown) => KeyObject): Buffer | null {
  switch (p.ulSaltType) {
    case K.CKF_HKDF_SALT_NULL:
      return null;
    case K.CKF_HKDF_SALT_DATA:
      return bytesField(p, 'pSalt');
    case K.CKF_HKDF_SALT_KEY:
      if (!otherKey) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'a salt key (hSaltKey) needs C_DeriveKey');
      return baseKeyValue(otherKey(p.hSaltKey).attrs);
    default:
      throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'ulSaltType must be one CKF_HKDF_SALT_* flag');
  }
}

/** CK_HKDF_PARAMS { bExtract, bExpand, prfHashMechanism, ulSaltType, pSalt, hSaltKey, pInfo }. */
export function hkdfParams(parameter: unknown, otherKey?: (handle: unknown) => KeyObject): HkdfParams {
  const p = parameterObject(parameter, 'CK_HKDF_PARAMS');
  const extract = flag(p, 'bExtract');
  const expand = flag(p, 'bExpand');
  if (!extract && !expand) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'bExtract or bExpand must be true');
  return {
    hash: prfHash(p),
    extract,
    expand,
    salt: extract ? extractionSalt(p, otherKey) : null,
    info: expand ? bytesField(p, 'pInfo', true) : Buffer.alloc(0),
  };
}

const hmac = (hash: string, key: Buffer, ...data: Buffer[]): Buffer => {
  const h = createHmac(hash, key);
  for (const d of data) h.update(d);
  return h.digest();
};

/** RFC 5869 section 2.3: T(1) || T(2) || ... cut to `length`. */
function expandStep(hash: DigestAlgorithm, prk: Buffer, info: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  let previous: Buffer = Buffer.alloc(0);
  for (let i = 1; blocks.length * hash.size < length; i++) {
    previous = hmac(hash.name, prk, previous, info, Buffer.of(i));
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** HKDF as the parameters ask: extract, expand, or both; `length` matters only when expanding. */
export function hkdf(params: HkdfParams, keyMaterial: Buffer, length: number): Buffer {
  const { hash } = params;
  const prk = params.extract ? hmac(hash.name, params.salt ?? Buffer.alloc(hash.size), keyMaterial) : keyMaterial;
  return params.expand ? expandStep(hash, prk, params.info, length) : prk;
}

/** The parameters and input key material of a derivation, checked. */
function hkdfInput(baseKey: KeyObject, parameter: unknown, otherKey: (handle: unknown) => KeyObject): { params: HkdfParams; ikm: Buffer } {
  const params = hkdfParams(parameter, otherKey);
  const ikm = baseKeyValue(baseKey.attrs);
  // RFC 5869: the key that expansion alone starts from is a PRK of at least HashLen bytes.
  if (!params.extract && ikm.length < params.hash.size) {
    throw new CKRError(K.CKR_KEY_SIZE_RANGE, 'expanding without extracting needs a key of at least the hash length');
  }
  return { params, ikm };
}

function hkdfDerive(baseKey: KeyObject, parameter: unknown, template: AttributeMap, otherKey: (handle: unknown) => KeyObject): AttributeMap {
  const { params, ikm } = hkdfInput(baseKey, parameter, otherKey);
  const shape = derivedKeyShape(template, params.expand
    ? { available: 255 * params.hash.size }
    : { natural: params.hash.size, naturalForAnyType: true, available: params.hash.size });
  return derivedKeyAttributes(shape, hkdf(params, ikm, shape.length).subarray(0, shape.length), template);
}

registerMechanism({
  type: K.CKM_HKDF_DERIVE,
  minKeySize: 1,
  maxKeySize: MAX_SECRET_KEY_BYTES,
  keyTypes: [K.CKK_HKDF, K.CKK_GENERIC_SECRET],
  keySize: (attrs) => (attrs.get(K.CKA_VALUE) as Buffer | undefined)?.length ?? 0,
  derive: hkdfDerive,
});

/**
 * CKM_HKDF_DATA: the derived bytes become a data object, readable by design.
 * Only expansion may feed it: an extract-only result is the PRK, from which
 * every key of this base could be derived, so it never leaves as data.
 */
function hkdfData(baseKey: KeyObject, parameter: unknown, template: AttributeMap, otherKey: (handle: unknown) => KeyObject): AttributeMap {
  const { params, ikm } = hkdfInput(baseKey, parameter, otherKey);
  if (!params.expand) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'CKM_HKDF_DATA needs bExpand: the PRK never leaves the token');
  const length = template.get(K.CKA_VALUE_LEN);
  if (typeof length !== 'number') throw new CKRError(K.CKR_TEMPLATE_INCOMPLETE, 'CKA_VALUE_LEN gives the length of the data');
  if (length < 1 || length > 255 * params.hash.size) throw new CKRError(K.CKR_ATTRIBUTE_VALUE_INVALID, 'CKA_VALUE_LEN is out of range for HKDF');
  return new Map([[K.CKA_VALUE, hkdf(params, ikm, length)]]);
}

registerMechanism({
  type: K.CKM_HKDF_DATA,
  minKeySize: 1,
  maxKeySize: MAX_SECRET_KEY_BYTES,
  keyTypes: [K.CKK_HKDF, K.CKK_GENERIC_SECRET],
  keySize: (attrs) => (attrs.get(K.CKA_VALUE) as Buffer | undefined)?.length ?? 0,
  derive: hkdfData,
  derivesData: true,
});

registerMechanism({
  type: K.CKM_HKDF_KEY_GEN,
  minKeySize: 1,
  maxKeySize: MAX_SECRET_KEY_BYTES,
  generateKey: generateRandomKey(K.CKK_HKDF, 1, MAX_SECRET_KEY_BYTES),
});

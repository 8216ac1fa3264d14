/**
 * Generic secret keys (spec 6.x "Generic secret key") and the HMAC key types:
 * random key generation (CKM_GENERIC_SECRET_KEY_GEN, CKM_<hash>_KEY_GEN), and
 * the helpers the key derivation mechanisms share for the keys they make:
 * the requested length and the key check value.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { AttributeMap } from '../pkcs11/attributes.js';
import { registerMechanism } from './registry.js';

/**
 * The longest secret key value we generate or derive, in bytes. Far beyond any
 * real use; it bounds how much memory one call can ask for.
 */
export const MAX_SECRET_KEY_BYTES = 4096;

/**
 * CKA_VALUE_LEN of a template, checked: undefined when absent, else a whole
 * number of bytes of at least 1 (a bad value is CKR_ATTRIBUTE_VALUE_INVALID).
 */
export function requestedValueLen(template: AttributeMap): number | undefined {
  const asked = template.get(K.CKA_VALUE_LEN);
  if (asked === undefined) return undefined;
  if (typeof asked !== 'number' || !Number.isInteger(asked) || asked < 1) {
    throw new CKRError(K.CKR_ATTRIBUTE_VALUE_INVALID, 'CKA_VALUE_LEN must be at least 1');
  }
  return asked;
}

const sha1Prefix = (value: Buffer) => createHash('sha1').update(value).digest().subarray(0, 3);

/** The first three bytes of the ECB encryption of one zero block under the key. */
function blockCipherCheck(cipher: string, blockSize: number, value: Buffer): Buffer {
  const ecb = createCipheriv(cipher, value, null).setAutoPadding(false);
  return Buffer.concat([ecb.update(Buffer.alloc(blockSize)), ecb.final()]).subarray(0, 3);
}

const AES_ECB: Record<number, string> = { 16: 'aes-128-ecb', 24: 'aes-192-ecb', 32: 'aes-256-ecb' };

/**
 * CKA_CHECK_VALUE of a secret key, for the key types whose section of the
 * spec defines one; undefined for the others (HMAC and HKDF keys have none).
 */
export function keyCheckValue(keyType: number, value: Buffer): Buffer | undefined {
  switch (keyType) {
    case K.CKK_GENERIC_SECRET:
    case K.CKK_CHACHA20:
      return sha1Prefix(value);
    case K.CKK_AES:
      return AES_ECB[value.length] ? blockCipherCheck(AES_ECB[value.length]!, 16, value) : undefined;
    case K.CKK_DES2:
      return value.length === 16 ? blockCipherCheck('des-ede-ecb', 8, value) : undefined;
    case K.CKK_DES3:
      return value.length === 24 ? blockCipherCheck('des-ede3-ecb', 8, value) : undefined;
    default:
      return undefined;
  }
}

/**
 * The computed attributes of a new secret key: type, value, check value, and
 * CKA_VALUE_LEN if the template has it (the object policy lets a template
 * carry it only if the mechanism echoes it). A CKA_CHECK_VALUE in the template
 * must be the right one (the spec: else CKR_ATTRIBUTE_VALUE_INVALID), and a
 * key type without one takes none, so that a stored check value is always
 * right; an empty one asks for none.
 */
export function secretKeyAttributes(keyType: number, value: Buffer, template: AttributeMap): AttributeMap {
  const computed: AttributeMap = new Map();
  computed.set(K.CKA_KEY_TYPE, keyType);
  computed.set(K.CKA_VALUE, value);
  if (template.has(K.CKA_VALUE_LEN)) computed.set(K.CKA_VALUE_LEN, value.length);
  const check = keyCheckValue(keyType, value);
  const asked = template.get(K.CKA_CHECK_VALUE);
  if (asked === undefined) {
    if (check) computed.set(K.CKA_CHECK_VALUE, check);
  } else if (!(Buffer.isBuffer(asked) && asked.length === 0)) {
    if (!check || !Buffer.isBuffer(asked) || !asked.equals(check)) {
      throw new CKRError(K.CKR_ATTRIBUTE_VALUE_INVALID, 'CKA_CHECK_VALUE does not match the key');
    }
    computed.set(K.CKA_CHECK_VALUE, check);
  }
  return computed;
}

/**
 * C_GenerateKey of a random secret key of CKA_VALUE_LEN bytes, within [min, max].
 * A length outside the range is an invalid CKA_VALUE_LEN (spec 4.1.1):
 * CKR_KEY_SIZE_RANGE is about a key supplied to an operation, and is not among
 * C_GenerateKey's return values.
 */
export function generateRandomKey(keyType: number, minBytes: number, maxBytes: number) {
  return (parameter: unknown, template: AttributeMap): AttributeMap => {
    if (!isAbsent(parameter)) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'this mechanism takes no parameter');
    const length = requestedValueLen(template);
    if (length === undefined) throw new CKRError(K.CKR_TEMPLATE_INCOMPLETE, 'CKA_VALUE_LEN is required');
    if (length < minBytes || length > maxBytes) {
      throw new CKRError(K.CKR_ATTRIBUTE_VALUE_INVALID, `CKA_VALUE_LEN must be ${minBytes} to ${maxBytes}`);
    }
    return secretKeyAttributes(keyType, randomBytes(length), template);
  };
}

/** A mechanism without a parameter may get none, null, or an empty byte string. */
export function isAbsent(parameter: unknown): boolean {
  return parameter === undefined || parameter === null || (parameter instanceof Uint8Array && parameter.length === 0);
}

// The spec gives CKM_GENERIC_SECRET_KEY_GEN's key sizes in bits.
registerMechanism({
  type: K.CKM_GENERIC_SECRET_KEY_GEN,
  minKeySize: 8,
  maxKeySize: MAX_SECRET_KEY_BYTES * 8,
  generateKey: generateRandomKey(K.CKK_GENERIC_SECRET, 1, MAX_SECRET_KEY_BYTES),
});

/**
 * CKM_<hash>_KEY_GEN: HMAC keys of the hash's own key type, sizes in bytes.
 * Only the HMAC key types the object policy knows are generated here; SHA-512/224,
 * SHA-512/256 and SHA-512/t HMAC keys are not (their HMACs take generic secrets).
 */
const HMAC_KEY_GENERATION: [number, number][] = [
  [K.CKM_SHA_1_KEY_GEN, K.CKK_SHA_1_HMAC],
  [K.CKM_SHA224_KEY_GEN, K.CKK_SHA224_HMAC],
  [K.CKM_SHA256_KEY_GEN, K.CKK_SHA256_HMAC],
  [K.CKM_SHA384_KEY_GEN, K.CKK_SHA384_HMAC],
  [K.CKM_SHA512_KEY_GEN, K.CKK_SHA512_HMAC],
  [K.CKM_SHA3_224_KEY_GEN, K.CKK_SHA3_224_HMAC],
  [K.CKM_SHA3_256_KEY_GEN, K.CKK_SHA3_256_HMAC],
  [K.CKM_SHA3_384_KEY_GEN, K.CKK_SHA3_384_HMAC],
  [K.CKM_SHA3_512_KEY_GEN, K.CKK_SHA3_512_HMAC],
];
for (const [type, keyType] of HMAC_KEY_GENERATION) {
  registerMechanism({
    type,
    minKeySize: 1,
    maxKeySize: MAX_SECRET_KEY_BYTES,
    generateKey: generateRandomKey(keyType, 1, MAX_SECRET_KEY_BYTES),
  });
}

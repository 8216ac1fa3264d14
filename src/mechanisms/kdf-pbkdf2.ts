/**
 * PKCS #5 PBKDF2 (RFC 8018 section 5.2; spec "PKCS #5 PBKD2 key generation"):
 * CKM_PKCS5_PBKD2 makes a secret key from a password with C_GenerateKey.
 * OpenSSL computes it. The GOST R 34.11-94 PRF is not offered.
 */
import { pbkdf2Sync } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { AttributeMap } from '../pkcs11/attributes.js';
import { MAX_SECRET_KEY_BYTES } from './generic-secret.js';
import { bytesField, derivedKeyAttributes, derivedKeyShape, parameterObject, ulongField } from './kdf-derived-key.js';
import { registerMechanism } from './registry.js';

const PRF_DIGESTS: ReadonlyMap<number, string> = new Map([
  [K.CKP_PKCS5_PBKD2_HMAC_SHA1, 'sha1'],
  [K.CKP_PKCS5_PBKD2_HMAC_SHA224, 'sha224'],
  [K.CKP_PKCS5_PBKD2_HMAC_SHA256, 'sha256'],
  [K.CKP_PKCS5_PBKD2_HMAC_SHA384, 'sha384'],
  [K.CKP_PKCS5_PBKD2_HMAC_SHA512, 'sha512'],
  [K.CKP_PKCS5_PBKD2_HMAC_SHA512_224, 'sha512-224'],
  [K.CKP_PKCS5_PBKD2_HMAC_SHA512_256, 'sha512-256'],
]);

/** The largest iteration count OpenSSL takes (a C int). */
const MAX_ITERATIONS = 0x7fffffff;

interface Pbkdf2Params {
  password: Buffer;
  salt: Buffer;
  iterations: number;
  digest: string;
}

/** The password is a CK_UTF8CHAR string: bytes, or a JavaScript string taken as UTF-8. */
function password(p: Record<string, unknown>): Buffer {
  if (typeof p.pPassword === 'string') return Buffer.from(p.pPassword, 'utf8');
  return bytesField(p, 'pPassword');
}

/** CK_PKCS5_PBKD2_PARAMS2 { saltSource, pSaltSourceData, iterations, prf, pPrfData, pPassword }. */
function pbkdf2Params(parameter: unknown): Pbkdf2Params {
  const p = parameterObject(parameter, 'CK_PKCS5_PBKD2_PARAMS2');
  if (p.saltSource !== K.CKZ_SALT_SPECIFIED) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'saltSource must be CKZ_SALT_SPECIFIED');
  const digest = typeof p.prf === 'number' ? PRF_DIGESTS.get(p.prf) : undefined;
  if (!digest) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'unsupported prf');
  // The HMAC PRFs take no data (the spec: pPrfData must be NULL).
  if (bytesField(p, 'pPrfData', true).length > 0) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'pPrfData must be empty');
  const iterations = ulongField(p, 'iterations');
  if (iterations < 1 || iterations > MAX_ITERATIONS) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'iterations out of range');
  return { password: password(p), salt: bytesField(p, 'pSaltSourceData'), iterations, digest };
}

/** The spec: the template must name the key type, and its length unless the type has only one. */
function generatePbkdf2Key(parameter: unknown, template: AttributeMap): AttributeMap {
  const params = pbkdf2Params(parameter);
  if (!template.has(K.CKA_KEY_TYPE)) throw new CKRError(K.CKR_TEMPLATE_INCOMPLETE, 'CKA_KEY_TYPE is required');
  const shape = derivedKeyShape(template);
  const key = pbkdf2Sync(params.password, params.salt, params.iterations, shape.length, params.digest);
  return derivedKeyAttributes(shape, key, template);
}

registerMechanism({
  type: K.CKM_PKCS5_PBKD2,
  // Sizes of the keys it makes, in bytes.
  minKeySize: 1,
  maxKeySize: MAX_SECRET_KEY_BYTES,
  generateKey: generatePbkdf2Key,
});

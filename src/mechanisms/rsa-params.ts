/**
 * RSA mechanism parameters: CK_RSA_PKCS_PSS_PARAMS and CK_RSA_PKCS_OAEP_PARAMS
 * (as plain objects with the C field names), checked against the key.
 */
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import { DIGESTS } from '../core/digest.js';
import type { RsaKey } from './rsa-keys.js';
import { oaepCapacity, pssEncodedLength, type OaepOptions, type PssOptions } from './rsa-pkcs1.js';

const paramInvalid = (detail: string) => new CKRError(K.CKR_MECHANISM_PARAM_INVALID, detail);

/** Mechanisms "without a parameter" accept NULL or an empty byte string. */
export function noParameter(parameter: unknown): void {
  if (parameter === undefined || parameter === null) return;
  if (parameter instanceof Uint8Array && parameter.length === 0) return;
  throw paramInvalid('this mechanism takes no parameter');
}

function struct(parameter: unknown, name: string): Record<string, unknown> {
  if (typeof parameter !== 'object' || parameter === null || parameter instanceof Uint8Array || Array.isArray(parameter)) {
    throw paramInvalid(`a ${name} is required`);
  }
  return parameter as Record<string, unknown>;
}

/** The hashes PSS and OAEP may use. */
const PARAMETER_HASHES = [
  K.CKM_SHA_1, K.CKM_SHA224, K.CKM_SHA256, K.CKM_SHA384, K.CKM_SHA512,
  K.CKM_SHA3_224, K.CKM_SHA3_256, K.CKM_SHA3_384, K.CKM_SHA3_512,
];

const MGF1_HASHES: Record<number, number> = {
  [K.CKG_MGF1_SHA1]: K.CKM_SHA_1, [K.CKG_MGF1_SHA224]: K.CKM_SHA224, [K.CKG_MGF1_SHA256]: K.CKM_SHA256,
  [K.CKG_MGF1_SHA384]: K.CKM_SHA384, [K.CKG_MGF1_SHA512]: K.CKM_SHA512, [K.CKG_MGF1_SHA3_224]: K.CKM_SHA3_224,
  [K.CKG_MGF1_SHA3_256]: K.CKM_SHA3_256, [K.CKG_MGF1_SHA3_384]: K.CKM_SHA3_384, [K.CKG_MGF1_SHA3_512]: K.CKM_SHA3_512,
};

/** node:crypto's name and the length of a hash mechanism. */
function hashOf(hashAlg: unknown): { name: string; size: number } {
  if (typeof hashAlg !== 'number' || !PARAMETER_HASHES.includes(hashAlg)) throw paramInvalid('unsupported hashAlg');
  return DIGESTS.get(hashAlg)!;
}

function mgfHashOf(mgf: unknown): string {
  const hash = typeof mgf === 'number' ? MGF1_HASHES[mgf] : undefined;
  if (hash === undefined) throw paramInvalid('unsupported mgf');
  return DIGESTS.get(hash)!.name;
}

export interface PssParameters extends PssOptions {
  hashLength: number;
}

/** CK_RSA_PKCS_PSS_PARAMS { hashAlg, mgf, sLen }, checked against the key (sLen <= k* - 2 - hLen). */
export function pssParameters(parameter: unknown, key: RsaKey, mechanismHash?: number): PssParameters {
  const p = struct(parameter, 'CK_RSA_PKCS_PSS_PARAMS');
  const hash = hashOf(p.hashAlg);
  if (mechanismHash !== undefined && p.hashAlg !== mechanismHash) throw paramInvalid('hashAlg must be the mechanism\'s hash');
  const mgfHash = mgfHashOf(p.mgf);
  const sLen = p.sLen;
  if (typeof sLen !== 'number' || !Number.isInteger(sLen) || sLen < 0) throw paramInvalid('sLen must be a length');
  if (sLen > pssEncodedLength(key.bits) - 2 - hash.size) throw paramInvalid('sLen is too long for this key and hash');
  return { hash: hash.name, mgfHash, saltLength: sLen, hashLength: hash.size };
}

/**
 * CK_RSA_PKCS_OAEP_PARAMS { hashAlg, mgf, source, pSourceData }. The source
 * must be CKZ_DATA_SPECIFIED; 0 is taken for an empty label, as some
 * applications (older pkcs11-tool) send it.
 */
export function oaepParameters(parameter: unknown, key: RsaKey): OaepOptions {
  const p = struct(parameter, 'CK_RSA_PKCS_OAEP_PARAMS');
  const hash = hashOf(p.hashAlg).name;
  const mgfHash = mgfHashOf(p.mgf);
  const data = p.pSourceData;
  if (data !== undefined && data !== null && !(data instanceof Uint8Array)) throw paramInvalid('pSourceData must be bytes');
  const label = data ? Buffer.from(data) : Buffer.alloc(0);
  if (p.source !== K.CKZ_DATA_SPECIFIED && !(p.source === 0 && label.length === 0)) throw paramInvalid('source must be CKZ_DATA_SPECIFIED');
  if (oaepCapacity(key.k, hash) < 0) throw new CKRError(K.CKR_KEY_SIZE_RANGE, 'the key is too short for OAEP with this hash');
  return { hash, mgfHash, label };
}

/**
 * HMAC signing and verification (RFC 2104, FIPS 198-1): CKM_<hash>_HMAC and
 * CKM_<hash>_HMAC_GENERAL. OpenSSL computes the MACs. The operations have no
 * saveState of their own, as OpenSSL cannot export an HMAC midstate; the
 * core saves a multi-part HMAC by replaying its input instead.
 */
import { createHmac, timingSafeEqual, type Hmac } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { AttributeMap } from '../pkcs11/attributes.js';
import { isAbsent, MAX_SECRET_KEY_BYTES } from './generic-secret.js';
import type { KeyObject, Signer, Verifier } from './mechanism.js';
import { registerMechanism } from './registry.js';

export interface HmacAlgorithm {
  /** OpenSSL's digest name. */
  hash: string;
  /** Digest (and full MAC) length in bytes. */
  size: number;
  /** The hash's own HMAC key type, accepted besides CKK_GENERIC_SECRET. */
  keyType: number;
}

/** The full-length HMAC mechanisms, with their general-length siblings. */
const FAMILIES: { full: number; general: number; alg: HmacAlgorithm }[] = [
  { full: K.CKM_MD5_HMAC, general: K.CKM_MD5_HMAC_GENERAL, alg: { hash: 'md5', size: 16, keyType: K.CKK_MD5_HMAC } },
  { full: K.CKM_SHA_1_HMAC, general: K.CKM_SHA_1_HMAC_GENERAL, alg: { hash: 'sha1', size: 20, keyType: K.CKK_SHA_1_HMAC } },
  { full: K.CKM_SHA224_HMAC, general: K.CKM_SHA224_HMAC_GENERAL, alg: { hash: 'sha224', size: 28, keyType: K.CKK_SHA224_HMAC } },
  { full: K.CKM_SHA256_HMAC, general: K.CKM_SHA256_HMAC_GENERAL, alg: { hash: 'sha256', size: 32, keyType: K.CKK_SHA256_HMAC } },
  { full: K.CKM_SHA384_HMAC, general: K.CKM_SHA384_HMAC_GENERAL, alg: { hash: 'sha384', size: 48, keyType: K.CKK_SHA384_HMAC } },
  { full: K.CKM_SHA512_HMAC, general: K.CKM_SHA512_HMAC_GENERAL, alg: { hash: 'sha512', size: 64, keyType: K.CKK_SHA512_HMAC } },
  {
    full: K.CKM_SHA512_224_HMAC, general: K.CKM_SHA512_224_HMAC_GENERAL,
    alg: { hash: 'sha512-224', size: 28, keyType: K.CKK_SHA512_224_HMAC },
  },
  {
    full: K.CKM_SHA512_256_HMAC, general: K.CKM_SHA512_256_HMAC_GENERAL,
    alg: { hash: 'sha512-256', size: 32, keyType: K.CKK_SHA512_256_HMAC },
  },
  { full: K.CKM_SHA3_224_HMAC, general: K.CKM_SHA3_224_HMAC_GENERAL, alg: { hash: 'sha3-224', size: 28, keyType: K.CKK_SHA3_224_HMAC } },
  { full: K.CKM_SHA3_256_HMAC, general: K.CKM_SHA3_256_HMAC_GENERAL, alg: { hash: 'sha3-256', size: 32, keyType: K.CKK_SHA3_256_HMAC } },
  { full: K.CKM_SHA3_384_HMAC, general: K.CKM_SHA3_384_HMAC_GENERAL, alg: { hash: 'sha3-384', size: 48, keyType: K.CKK_SHA3_384_HMAC } },
  { full: K.CKM_SHA3_512_HMAC, general: K.CKM_SHA3_512_HMAC_GENERAL, alg: { hash: 'sha3-512', size: 64, keyType: K.CKK_SHA3_512_HMAC } },
];

/** The algorithm of a full-length HMAC mechanism (used as a PRF by the KDFs). */
export const HMAC_ALGORITHMS: ReadonlyMap<number, HmacAlgorithm> = new Map(FAMILIES.map((f) => [f.full, f.alg]));

function keyValue(key: KeyObject): Buffer {
  const value = key.attrs.get(K.CKA_VALUE);
  if (!Buffer.isBuffer(value)) throw new CKRError(K.CKR_KEY_TYPE_INCONSISTENT, 'the key has no value');
  return value;
}

/** The MAC length a mechanism produces: its digest size, or the CK_MAC_GENERAL_PARAMS of a general one. */
function macLength(alg: HmacAlgorithm, general: boolean, parameter: unknown): number {
  if (!general) {
    if (!isAbsent(parameter)) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'this mechanism takes no parameter');
    return alg.size;
  }
  if (typeof parameter !== 'number' || !Number.isInteger(parameter) || parameter < 1 || parameter > alg.size) {
    throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, `the MAC length must be 1 to ${alg.size}`);
  }
  return parameter;
}

/** One MAC computation; the result is kept so that final() can be called again. */
class HmacComputation {
  private readonly hmac: Hmac;
  private result: Buffer | undefined;
  constructor(alg: HmacAlgorithm, key: Buffer, readonly length: number) {
    this.hmac = createHmac(alg.hash, key);
  }
  update(data: Buffer): void {
    this.hmac.update(data);
  }
  final(): Buffer {
    this.result ??= this.hmac.digest().subarray(0, this.length);
    return Buffer.from(this.result);
  }
}

class HmacSigner implements Signer {
  constructor(private readonly mac: HmacComputation) {}
  signatureLength(): number {
    return this.mac.length;
  }
  update(data: Buffer): void {
    this.mac.update(data);
  }
  final(): Buffer {
    return this.mac.final();
  }
  oneShot(data: Buffer): Buffer {
    this.mac.update(data);
    return this.mac.final();
  }
}

class HmacVerifier implements Verifier {
  constructor(private readonly mac: HmacComputation) {}
  update(data: Buffer): void {
    this.mac.update(data);
  }
  final(signature: Buffer): void {
    if (signature.length !== this.mac.length) throw new CKRError(K.CKR_SIGNATURE_LEN_RANGE);
    // Constant time, so that the comparison does not reveal how much of a forged MAC is right.
    if (!timingSafeEqual(this.mac.final(), signature)) throw new CKRError(K.CKR_SIGNATURE_INVALID);
  }
  oneShot(data: Buffer, signature: Buffer): void {
    this.mac.update(data);
    this.final(signature);
  }
}

function registerHmac(type: number, alg: HmacAlgorithm, general: boolean): void {
  const start = (key: KeyObject, parameter: unknown) => new HmacComputation(alg, keyValue(key), macLength(alg, general, parameter));
  registerMechanism({
    type,
    // Key sizes in bytes, as for the HMAC key generation mechanisms.
    minKeySize: 1,
    maxKeySize: MAX_SECRET_KEY_BYTES,
    keyTypes: [K.CKK_GENERIC_SECRET, alg.keyType],
    keySize: (attrs: AttributeMap) => (attrs.get(K.CKA_VALUE) as Buffer | undefined)?.length ?? 0,
    sign: (key, parameter) => new HmacSigner(start(key, parameter)),
    verify: (key, parameter) => new HmacVerifier(start(key, parameter)),
  });
}

for (const { full, general, alg } of FAMILIES) {
  registerHmac(full, alg, false);
  registerHmac(general, alg, true);
}

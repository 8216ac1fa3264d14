/**
 * Message digesting (C_Digest*). Hashing is OpenSSL's; what we add is the
 * operation's saved state: OpenSSL cannot export a hash midstate, so a
 * multi-part digest keeps its input (up to a limit) to replay it on restore.
 */
import { createHash, type Hash } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { CK_MECHANISM } from '../pkcs11/types.js';
import { MalformedEncodingError, Reader } from '../pkcs11/attributes.js';
import type { Operation } from './operation.js';

export interface DigestAlgorithm {
  /** OpenSSL's name for it. */
  name: string;
  size: number;
}

export const DIGESTS: ReadonlyMap<number, DigestAlgorithm> = new Map([
  [K.CKM_MD5, { name: 'md5', size: 16 }],
  [K.CKM_SHA_1, { name: 'sha1', size: 20 }],
  [K.CKM_SHA224, { name: 'sha224', size: 28 }],
  [K.CKM_SHA256, { name: 'sha256', size: 32 }],
  [K.CKM_SHA384, { name: 'sha384', size: 48 }],
  [K.CKM_SHA512, { name: 'sha512', size: 64 }],
  [K.CKM_SHA512_224, { name: 'sha512-224', size: 28 }],
  [K.CKM_SHA512_256, { name: 'sha512-256', size: 32 }],
  [K.CKM_SHA3_224, { name: 'sha3-224', size: 28 }],
  [K.CKM_SHA3_256, { name: 'sha3-256', size: 32 }],
  [K.CKM_SHA3_384, { name: 'sha3-384', size: 48 }],
  [K.CKM_SHA3_512, { name: 'sha3-512', size: 64 }],
]);

export function digestAlgorithm(mechanism: CK_MECHANISM): DigestAlgorithm {
  if (!mechanism || typeof mechanism.mechanism !== 'number') throw new CKRError(K.CKR_ARGUMENTS_BAD);
  const alg = DIGESTS.get(mechanism.mechanism);
  if (!alg) throw new CKRError(K.CKR_MECHANISM_INVALID);
  const p = mechanism.parameter;
  if (p !== undefined && p !== null && !(p instanceof Uint8Array && p.length === 0)) {
    throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'digest mechanisms take no parameter');
  }
  return alg;
}

export class DigestOperation implements Operation {
  private hash: Hash;
  /** Input so far, while it fits the limit; null once it did not (the state is then unsaveable). */
  private transcript: Buffer[] | null = [];
  private transcriptLength = 0;
  /** True after C_DigestUpdate or C_DigestKey: C_Digest may no longer be used. */
  multiPart = false;

  constructor(readonly mechanism: number, readonly alg: DigestAlgorithm, private readonly maxSaved: number) {
    this.hash = createHash(alg.name);
  }

  update(data: Uint8Array, saveable = true): void {
    this.multiPart = true;
    this.hash.update(data);
    if (!saveable || this.transcript === null || this.transcriptLength + data.length > this.maxSaved) {
      this.transcript = null;
      return;
    }
    this.transcript.push(Buffer.from(data));
    this.transcriptLength += data.length;
  }

  final(): Buffer {
    return this.hash.digest();
  }

  /** The input so far, or undefined once it is no longer kept. */
  savedInput(): Buffer | undefined {
    return this.transcript ? Buffer.concat(this.transcript) : undefined;
  }

  /** Saved state: [u64 mechanism][u32 length][input so far]. */
  saveState(): Buffer | undefined {
    const input = this.savedInput();
    if (!input) return undefined;
    const head = Buffer.alloc(12);
    head.writeBigUInt64BE(BigInt(this.mechanism));
    head.writeUInt32BE(input.length, 8);
    return Buffer.concat([head, input]);
  }

  static restore(state: Buffer, maxSaved: number): DigestOperation {
    try {
      const r = new Reader(state);
      const mechanism = r.u64();
      const input = r.bytes(r.u32());
      const alg = DIGESTS.get(mechanism);
      if (!alg || !r.done()) throw new MalformedEncodingError('not a digest state');
      const op = new DigestOperation(mechanism, alg, maxSaved);
      if (input.length > 0) op.update(input);
      return op;
    } catch {
      throw new CKRError(K.CKR_SAVED_STATE_INVALID);
    }
  }

  static digestOnce(alg: DigestAlgorithm, data: Uint8Array): Buffer {
    return createHash(alg.name).update(data).digest();
  }
}

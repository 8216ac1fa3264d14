/** Random number generation (spec 5.16), from OpenSSL's CSPRNG. */
import { randomFillSync } from 'node:crypto';
import * as K from '../../pkcs11/constants.js';
import { CKRError } from '../../pkcs11/error.js';
import type { Application } from '../application.js';

const MAX_RANDOM = 1 << 30;

export function generateRandom(app: Application, hSession: number, lengthOrBuffer: number | Buffer): Buffer {
  app.session(hSession);
  if (Buffer.isBuffer(lengthOrBuffer)) return randomFillSync(lengthOrBuffer);
  if (!Number.isInteger(lengthOrBuffer) || lengthOrBuffer < 0 || lengthOrBuffer > MAX_RANDOM) {
    throw new CKRError(K.CKR_ARGUMENTS_BAD);
  }
  return randomFillSync(Buffer.alloc(lengthOrBuffer));
}

/** OpenSSL seeds and reseeds itself and takes no seed from us: said plainly, as the spec allows. */
export function seedRandom(app: Application, hSession: number, seed: Uint8Array): void {
  app.session(hSession);
  if (!(seed instanceof Uint8Array)) throw new CKRError(K.CKR_ARGUMENTS_BAD);
  throw new CKRError(K.CKR_RANDOM_SEED_NOT_SUPPORTED);
}

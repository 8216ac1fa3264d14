/**
 * PINs are never stored. Each PIN leaves a salted scrypt verifier (compared in
 * constant time) and the token key wrapped under a key derived from the PIN.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { KdfParams, PinRecord } from '../store/store.js';

/** About 0.1 s on a current core: slow for guessing, tolerable for a login. */
export const DEFAULT_KDF: KdfParams = { name: 'scrypt', N: 1 << 15, r: 8, p: 1 };

const WRAP_AAD = Buffer.from('cryptoki-ts token key v1');

function derive(pin: Buffer, salt: Buffer, kdf: KdfParams): { verifier: Buffer; kek: Buffer } {
  const out = scryptSync(pin, salt, 64, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r + (1 << 20) });
  return { verifier: out.subarray(0, 32), kek: out.subarray(32) };
}

export function makePinRecord(pin: Buffer, tokenKey: Buffer, kdf: KdfParams): PinRecord {
  const salt = randomBytes(16);
  const { verifier, kek } = derive(pin, salt, kdf);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(WRAP_AAD);
  const wrapped = Buffer.concat([iv, cipher.update(tokenKey), cipher.final(), cipher.getAuthTag()]);
  kek.fill(0);
  return { salt, kdf: { ...kdf }, verifier: Buffer.from(verifier), wrappedKey: wrapped };
}

/** The token key if `pin` is right, else null. */
export function openPinRecord(pin: Buffer, record: PinRecord): Buffer | null {
  const { verifier, kek } = derive(pin, record.salt, record.kdf);
  try {
    if (verifier.length !== record.verifier.length || !timingSafeEqual(verifier, record.verifier)) return null;
    const w = record.wrappedKey;
    const decipher = createDecipheriv('aes-256-gcm', kek, w.subarray(0, 12));
    decipher.setAAD(WRAP_AAD);
    decipher.setAuthTag(w.subarray(w.length - 16));
    return Buffer.concat([decipher.update(w.subarray(12, w.length - 16)), decipher.final()]);
  } catch {
    return null;
  } finally {
    kek.fill(0);
  }
}

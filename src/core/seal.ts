/**
 * Sealing under the token key: AES-256-GCM with the token's and the object's
 * identity as associated data, so a sealed value moved to another object or
 * token fails to open.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  return Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** Returns null when the blob is not authentic under this key and associated data. */
export function unseal(key: Buffer, blob: Buffer, aad: Buffer): Buffer | null {
  if (blob.length < 28) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12));
    decipher.setAAD(aad);
    decipher.setAuthTag(blob.subarray(blob.length - 16));
    return Buffer.concat([decipher.update(blob.subarray(12, blob.length - 16)), decipher.final()]);
  } catch {
    return null;
  }
}

export function objectAad(tokenId: string, oid: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`cryptoki-ts object v1:${tokenId}:`), oid]);
}

/**
 * Lookup keys of private objects: a keyed hash, so that the store's index
 * reveals nothing about a private object's label or ID.
 */
export function privateIndex(tokenKey: Buffer, what: 'label' | 'id', value: Buffer): Buffer {
  return createHmac('sha256', tokenKey).update(`index:${what}:`).update(value).digest().subarray(0, 16);
}

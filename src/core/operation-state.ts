/**
 * C_GetOperationState blobs: sealed with a key that never leaves this process
 * and bound to the token, so a tampered blob, or one made for another token,
 * is refused with CKR_SAVED_STATE_INVALID.
 */
import { randomBytes } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import { seal, unseal } from './seal.js';

const STATE_KEY = randomBytes(32);
const MAGIC = Buffer.from('CKTS-STATE-1');

function aad(tokenId: string): Buffer {
  return Buffer.concat([MAGIC, Buffer.from(tokenId)]);
}

export function sealState(tokenId: string, payload: Buffer): Buffer {
  return Buffer.concat([MAGIC, seal(STATE_KEY, payload, aad(tokenId))]);
}

export function openState(tokenId: string, blob: Uint8Array): Buffer {
  const b = Buffer.from(blob);
  const opened = b.subarray(0, MAGIC.length).equals(MAGIC) ? unseal(STATE_KEY, b.subarray(MAGIC.length), aad(tokenId)) : null;
  if (!opened) throw new CKRError(K.CKR_SAVED_STATE_INVALID);
  return opened;
}

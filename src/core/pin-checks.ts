/** PIN rules shared by C_InitToken, C_Login, C_InitPIN and C_SetPIN: length, lockout, verification. */
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { Pin } from '../pkcs11/types.js';
import type { PinRole, TokenRecord } from '../store/store.js';
import type { Application } from './application.js';
import { openPinRecord } from './pin.js';

export function pinBytes(pin: Pin | null | undefined): Buffer {
  if (typeof pin === 'string') return Buffer.from(pin, 'utf8');
  if (pin instanceof Uint8Array) return Buffer.from(pin);
  // A NULL PIN means a protected authentication path, which a software token does not have.
  throw new CKRError(K.CKR_ARGUMENTS_BAD, 'a PIN is required');
}

export function checkPinLength(app: Application, pin: Buffer): void {
  if (pin.length < app.minPinLength || pin.length > app.maxPinLength) throw new CKRError(K.CKR_PIN_LEN_RANGE);
}

export function isLocked(app: Application, token: TokenRecord, role: PinRole): boolean {
  return (role === 'so' ? token.soFailures : token.userFailures) >= app.pinRetryLimit;
}

/**
 * Checks a PIN and returns the token key it unlocks. The attempt is counted
 * before the check, atomically in the store, so processes guessing at once
 * cannot get past the retry limit between them; a right PIN clears the count.
 */
export function verifyPin(app: Application, token: TokenRecord, role: PinRole, pin: Buffer): Buffer {
  const record = role === 'so' ? token.so : token.user;
  if (!record) throw new CKRError(K.CKR_USER_PIN_NOT_INITIALIZED);
  if (isLocked(app, token, role)) throw new CKRError(K.CKR_PIN_LOCKED);
  const attempts = app.store.recordLoginFailure(token.tokenId, role);
  if (attempts > app.pinRetryLimit) throw new CKRError(K.CKR_PIN_LOCKED);
  const key = openPinRecord(pin, record);
  if (!key) throw new CKRError(K.CKR_PIN_INCORRECT);
  app.store.resetLoginFailures(token.tokenId, role);
  return key;
}

/**
 * Every mechanism the token offers, with what C_GetMechanismInfo reports.
 * Mechanism families register here; this is the single source of truth for
 * C_GetMechanismList.
 */
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { CK_MECHANISM_INFO } from '../pkcs11/types.js';
import { DIGESTS } from '../core/digest.js';

const MECHANISMS = new Map<number, CK_MECHANISM_INFO>();

export function registerMechanism(type: number, info: CK_MECHANISM_INFO): void {
  MECHANISMS.set(type, { ...info });
}

for (const type of DIGESTS.keys()) registerMechanism(type, { ulMinKeySize: 0, ulMaxKeySize: 0, flags: K.CKF_DIGEST });

export function mechanismList(): number[] {
  return [...MECHANISMS.keys()].sort((a, b) => a - b);
}

export function mechanismInfo(type: number): CK_MECHANISM_INFO {
  const info = MECHANISMS.get(type);
  if (!info) throw new CKRError(K.CKR_MECHANISM_INVALID);
  return { ...info };
}

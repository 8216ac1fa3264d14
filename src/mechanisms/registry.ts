/**
 * Every mechanism the token offers. Families register here; C_GetMechanismList
 * and C_GetMechanismInfo answer from it, and the core finds the implementation
 * of a function here. The flags come from what a mechanism implements, so the
 * info can never claim a function that is not there.
 */
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { CK_MECHANISM, CK_MECHANISM_INFO } from '../pkcs11/types.js';
import type { Mechanism } from './mechanism.js';

const MECHANISMS = new Map<number, Mechanism>();

export function registerMechanism(mechanism: Mechanism): void {
  if (MECHANISMS.has(mechanism.type)) throw new Error(`mechanism 0x${mechanism.type.toString(16)} registered twice`);
  MECHANISMS.set(mechanism.type, mechanism);
}

const FUNCTION_FLAGS: [keyof Mechanism, number][] = [
  ['encrypt', K.CKF_ENCRYPT], ['decrypt', K.CKF_DECRYPT], ['digest', K.CKF_DIGEST], ['sign', K.CKF_SIGN],
  ['signRecover', K.CKF_SIGN_RECOVER], ['verify', K.CKF_VERIFY], ['verifyRecover', K.CKF_VERIFY_RECOVER],
  ['generateKey', K.CKF_GENERATE], ['generateKeyPair', K.CKF_GENERATE_KEY_PAIR], ['wrap', K.CKF_WRAP],
  ['unwrap', K.CKF_UNWRAP], ['derive', K.CKF_DERIVE], ['encapsulate', K.CKF_ENCAPSULATE], ['decapsulate', K.CKF_DECAPSULATE],
  ['messageEncrypt', K.CKF_MESSAGE_ENCRYPT], ['messageDecrypt', K.CKF_MESSAGE_DECRYPT],
];

export function mechanismList(): number[] {
  return [...MECHANISMS.keys()].sort((a, b) => a - b);
}

export function mechanismInfo(type: number): CK_MECHANISM_INFO {
  const m = MECHANISMS.get(type);
  if (!m) throw new CKRError(K.CKR_MECHANISM_INVALID);
  let flags = m.extraFlags ?? 0;
  for (const [fn, flag] of FUNCTION_FLAGS) if (m[fn]) flags |= flag;
  return { ulMinKeySize: m.minKeySize, ulMaxKeySize: m.maxKeySize, flags };
}

/** The mechanism of a CK_MECHANISM argument, if it implements `fn`; else CKR_MECHANISM_INVALID. */
export function mechanismFor<F extends keyof Mechanism>(mechanism: CK_MECHANISM, fn: F): Mechanism & Required<Pick<Mechanism, F>> {
  if (!mechanism || typeof mechanism !== 'object' || typeof mechanism.mechanism !== 'number') {
    throw new CKRError(K.CKR_ARGUMENTS_BAD);
  }
  const m = MECHANISMS.get(mechanism.mechanism);
  if (!m || !m[fn]) throw new CKRError(K.CKR_MECHANISM_INVALID);
  return m as Mechanism & Required<Pick<Mechanism, F>>;
}

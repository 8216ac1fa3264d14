/**
 * Active operations of a session. A session has at most one operation of each
 * kind; C_SessionCancel names kinds by their CK_MECHANISM_INFO flag.
 */
import * as K from '../pkcs11/constants.js';

export type OperationKind =
  | 'find' | 'digest' | 'encrypt' | 'decrypt' | 'sign' | 'verify' | 'signRecover' | 'verifyRecover'
  | 'verifySignature' | 'messageEncrypt' | 'messageDecrypt' | 'messageSign' | 'messageVerify';

export interface Operation {
  /** Set while a key with CKA_ALWAYS_AUTHENTICATE waits for C_Login(CKU_CONTEXT_SPECIFIC). */
  contextLoginRequired?: boolean;
  /** The operation's state for C_GetOperationState, or undefined when it cannot be saved. */
  saveState?(): Buffer | undefined;
}

export const CANCEL_FLAGS: Record<OperationKind, number> = {
  find: K.CKF_FIND_OBJECTS,
  digest: K.CKF_DIGEST,
  encrypt: K.CKF_ENCRYPT,
  decrypt: K.CKF_DECRYPT,
  sign: K.CKF_SIGN,
  verify: K.CKF_VERIFY,
  signRecover: K.CKF_SIGN_RECOVER,
  verifyRecover: K.CKF_VERIFY_RECOVER,
  verifySignature: K.CKF_VERIFY,
  messageEncrypt: K.CKF_MESSAGE_ENCRYPT,
  messageDecrypt: K.CKF_MESSAGE_DECRYPT,
  messageSign: K.CKF_MESSAGE_SIGN,
  messageVerify: K.CKF_MESSAGE_VERIFY,
};

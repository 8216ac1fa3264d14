/**
 * Message-based encryption and decryption (PKCS#11 3.0; spec sections
 * "Message-based encryption functions" and "... decryption functions"): the
 * generic half. Mechanisms supply the cryptography (mechanisms/message.ts);
 * here is the state machine.
 *
 * Two levels of state: the message-based operation, from C_Message*Init to
 * C_Message*Final (one per session and direction), and within it at most one
 * multi-part message, from C_*MessageBegin to the C_*MessageNext that
 * carries CKF_END_OF_MESSAGE. A failing call ends the message it was part of,
 * never the operation: the spec has only Final (or Init with no mechanism)
 * end that.
 */
import * as K from '../../pkcs11/constants.js';
import { CKRError } from '../../pkcs11/error.js';
import type { CK_MECHANISM } from '../../pkcs11/types.js';
import { mechanismFor } from '../../mechanisms/index.js';
import type { MessageCipher, MessageStream } from '../../mechanisms/message.js';
import type { Application } from '../application.js';
import type { Operation } from '../operation.js';
import { deliverSized } from '../output.js';
import { bytes, usableKey } from './crypto.js';

export type MessageKind = 'messageEncrypt' | 'messageDecrypt';

/** The key usage each direction needs (CKA_ENCRYPT / CKA_DECRYPT, as the spec says). */
const KEY_USE = { messageEncrypt: 'encrypt', messageDecrypt: 'decrypt' } as const;

const EMPTY = Buffer.alloc(0);

/**
 * A message-based operation. It has no saveState: C_GetOperationState answers
 * CKR_STATE_UNSAVEABLE, since its IV counters must never be replayed.
 */
class MessageOperation implements Operation {
  contextLoginRequired: boolean;
  /** The multi-part message in progress, between Begin and its last Next. */
  message: MessageStream | undefined;

  constructor(readonly cipher: MessageCipher, readonly multiMessage: boolean, alwaysAuthenticate: boolean) {
    this.contextLoginRequired = alwaysAuthenticate;
  }
}

/**
 * C_MessageEncryptInit / C_MessageDecryptInit. A null mechanism ends the
 * operation and any message in it (the spec says so for encryption; done for
 * both directions), and is a no-op when none is active.
 */
export function messageInit(app: Application, hSession: number, kind: MessageKind, mechanism: CK_MECHANISM | null | undefined, hKey: number): void {
  const s = app.session(hSession);
  if (mechanism === null || mechanism === undefined) {
    s.end(kind);
    return;
  }
  if (s.operations.has(kind)) throw new CKRError(K.CKR_OPERATION_ACTIVE);
  const m = mechanismFor(mechanism, kind);
  const key = usableKey(app, s, hKey, m, KEY_USE[kind]);
  const cipher = m[kind]({ attrs: key.attrs }, mechanism.parameter);
  const multiMessage = ((m.extraFlags ?? 0) & K.CKF_MULTI_MESSAGE) !== 0;
  s.begin(kind, new MessageOperation(cipher, multiMessage, key.attrs.get(K.CKA_ALWAYS_AUTHENTICATE) === true));
}

function activeOperation(app: Application, hSession: number, kind: MessageKind): MessageOperation {
  const op = app.session(hSession).operation<MessageOperation>(kind);
  if (op.contextLoginRequired) throw new CKRError(K.CKR_USER_NOT_LOGGED_IN, 'this key needs C_Login(CKU_CONTEXT_SPECIFIC) first');
  return op;
}

/** Associated data: C's (NULL, 0) is an empty one. */
function associated(data: unknown): Buffer {
  return data === null || data === undefined ? EMPTY : bytes(data);
}

/**
 * C_EncryptMessage / C_DecryptMessage: a whole message in one call. A length
 * query or a too-small buffer neither generates an IV nor changes anything.
 */
export function cryptMessage(
  app: Application, hSession: number, kind: MessageKind, parameter: unknown, associatedData: Uint8Array | null | undefined,
  input: Uint8Array, out?: Buffer | null,
): Buffer | number {
  const op = activeOperation(app, hSession, kind);
  if (op.message) throw new CKRError(K.CKR_OPERATION_ACTIVE, 'a multi-part message is in progress');
  const data = bytes(input);
  const aad = associated(associatedData);
  return deliverSized(op.cipher.messageLength(parameter, data.length), out, () => op.cipher.begin(parameter, aad).next(parameter, data, true));
}

/** C_EncryptMessageBegin / C_DecryptMessageBegin. Encryption writes a generated IV into the parameter here. */
export function cryptMessageBegin(app: Application, hSession: number, kind: MessageKind, parameter: unknown, associatedData: Uint8Array | null | undefined): void {
  const op = activeOperation(app, hSession, kind);
  if (op.message) throw new CKRError(K.CKR_OPERATION_ACTIVE, 'the previous message has not ended');
  if (!op.multiMessage) throw new CKRError(K.CKR_FUNCTION_NOT_SUPPORTED, 'this mechanism takes whole messages only');
  op.message = op.cipher.begin(parameter, associated(associatedData));
}

/**
 * Runs one step of a multi-part message, as crypto.ts's step does for an
 * operation, one level down: an error other than CKR_BUFFER_TOO_SMALL ends
 * the message (not the operation), and so does a step that `ends` says was
 * the last.
 */
function messageStep<R>(op: MessageOperation, fn: (message: MessageStream) => R, ends: (result: R) => boolean): R {
  const message = op.message;
  if (!message) throw new CKRError(K.CKR_OPERATION_NOT_INITIALIZED, 'no message begun');
  try {
    const result = fn(message);
    if (ends(result)) op.message = undefined;
    return result;
  } catch (e) {
    if (!(e instanceof CKRError && e.code === K.CKR_BUFFER_TOO_SMALL)) op.message = undefined;
    throw e;
  }
}

/**
 * C_EncryptMessageNext / C_DecryptMessageNext. With CKF_END_OF_MESSAGE the
 * part is the last: encryption writes the tag into the parameter, decryption
 * checks it there and returns the whole plaintext (before that it returns
 * nothing). A length query or a too-small buffer takes nothing in.
 */
export function cryptMessageNext(
  app: Application, hSession: number, kind: MessageKind, parameter: unknown, part: Uint8Array, flags: number, out?: Buffer | null,
): Buffer | number {
  const op = activeOperation(app, hSession, kind);
  const last = flags === K.CKF_END_OF_MESSAGE;
  return messageStep(op, (message) => {
    if (flags !== 0 && !last) throw new CKRError(K.CKR_ARGUMENTS_BAD, 'flags must be 0 or CKF_END_OF_MESSAGE');
    const data = bytes(part);
    return deliverSized(message.nextLength(parameter, data.length, last), out, () => message.next(parameter, data, last));
  }, () => last && out !== null);
}

/**
 * C_MessageEncryptFinal / C_MessageDecryptFinal. A message still in progress
 * is dropped with the operation (a decryption in progress has released
 * nothing, so nothing unauthenticated escapes).
 */
export function messageFinal(app: Application, hSession: number, kind: MessageKind): void {
  const s = app.session(hSession);
  s.operation(kind);
  s.end(kind);
}

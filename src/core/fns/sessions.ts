/** Session management (spec 5.6): sessions, login state, PINs, operation state. */
import * as K from '../../pkcs11/constants.js';
import { CKRError } from '../../pkcs11/error.js';
import { Reader } from '../../pkcs11/attributes.js';
import type { CK_SESSION_INFO, Pin } from '../../pkcs11/types.js';
import type { Application, Role } from '../application.js';
import { DigestOperation } from '../digest.js';
import { CANCEL_FLAGS, type Operation, type OperationKind } from '../operation.js';
import { openState, sealState } from '../operation-state.js';
import { deliverSized } from '../output.js';
import { restoreCryptoOperation } from './crypto.js';
import { makePinRecord } from '../pin.js';
import { checkPinLength, pinBytes, verifyPin } from '../pin-checks.js';

export function openSession(app: Application, slotId: number, flags: number): number {
  app.requireInitialized();
  if (!Number.isInteger(flags)) throw new CKRError(K.CKR_ARGUMENTS_BAD);
  if (!(flags & K.CKF_SERIAL_SESSION)) throw new CKRError(K.CKR_SESSION_PARALLEL_NOT_SUPPORTED);
  const token = app.token(slotId);
  const rw = (flags & K.CKF_RW_SESSION) !== 0;
  if (!rw && app.loginOf(token.tokenId)?.role === 'so') throw new CKRError(K.CKR_SESSION_READ_WRITE_SO_EXISTS);
  return app.openSession(token, rw).handle;
}

export function closeSession(app: Application, hSession: number): void {
  app.closeSession(app.session(hSession));
}

export function closeAllSessions(app: Application, slotId: number): void {
  app.requireInitialized();
  const token = app.store.listTokens().find((t) => t.slotId === slotId);
  if (!token) {
    if (slotId === app.store.nextSlotId()) return;
    throw new CKRError(K.CKR_SLOT_ID_INVALID);
  }
  app.dropSessionsOf(token.tokenId);
}

export function getSessionInfo(app: Application, hSession: number): CK_SESSION_INFO {
  const s = app.session(hSession);
  return {
    slotID: s.slotId,
    state: app.sessionState(s),
    flags: K.CKF_SERIAL_SESSION | (s.rw ? K.CKF_RW_SESSION : 0),
    ulDeviceError: 0,
  };
}

/** We run no validated (e.g. FIPS) mode, so no operation ever passed a validation. */
export function getSessionValidationFlags(app: Application, hSession: number, type: number): number {
  app.session(hSession);
  if (type !== K.CKS_LAST_VALIDATION_OK) throw new CKRError(K.CKR_ARGUMENTS_BAD);
  return 0;
}

export function sessionCancel(app: Application, hSession: number, flags: number): void {
  const s = app.session(hSession);
  for (const kind of [...s.operations.keys()]) if (flags & CANCEL_FLAGS[kind]) s.end(kind);
}

export function login(app: Application, hSession: number, userType: number, pin: Pin): void {
  const s = app.session(hSession);
  const token = app.tokenOf(s);
  const pinBuf = pinBytes(pin);
  const current = app.loginOf(s.tokenId);

  if (userType === K.CKU_CONTEXT_SPECIFIC) {
    const op = [...s.operations.values()].find((o) => o.contextLoginRequired);
    if (!op) throw new CKRError(K.CKR_OPERATION_NOT_INITIALIZED);
    if (current?.role !== 'user') throw new CKRError(K.CKR_USER_NOT_LOGGED_IN);
    verifyPin(app, token, 'user', pinBuf).fill(0);
    op.contextLoginRequired = false;
    return;
  }
  let role: Role;
  if (userType === K.CKU_SO) role = 'so';
  else if (userType === K.CKU_USER) role = 'user';
  else throw new CKRError(K.CKR_USER_TYPE_INVALID);

  if (current) throw new CKRError(current.role === role ? K.CKR_USER_ALREADY_LOGGED_IN : K.CKR_USER_ANOTHER_ALREADY_LOGGED_IN);
  if (role === 'so' && app.sessionsOn(s.tokenId).some((x) => !x.rw)) throw new CKRError(K.CKR_SESSION_READ_ONLY_EXISTS);
  const tokenKey = verifyPin(app, token, role, pinBuf);
  app.logins.set(s.tokenId, { role, tokenKey });
}

export function logout(app: Application, hSession: number): void {
  const s = app.session(hSession);
  if (!app.loginOf(s.tokenId)) throw new CKRError(K.CKR_USER_NOT_LOGGED_IN);
  app.logout(s.tokenId);
}

export function initPin(app: Application, hSession: number, pin: Pin): void {
  const s = app.session(hSession);
  const login = app.loginOf(s.tokenId);
  if (login?.role !== 'so' || !s.rw) throw new CKRError(K.CKR_USER_NOT_LOGGED_IN);
  const pinBuf = pinBytes(pin);
  checkPinLength(app, pinBuf);
  app.store.setPins(s.tokenId, { user: makePinRecord(pinBuf, login.tokenKey, app.kdf) });
}

/** C_SetPIN changes the logged-in role's PIN, or the user PIN when nobody is logged in. */
export function setPin(app: Application, hSession: number, oldPin: Pin, newPin: Pin): void {
  const s = app.session(hSession);
  if (!s.rw) throw new CKRError(K.CKR_SESSION_READ_ONLY);
  const token = app.tokenOf(s);
  const role = app.loginOf(s.tokenId)?.role ?? 'user';
  const oldBuf = pinBytes(oldPin);
  const newBuf = pinBytes(newPin);
  checkPinLength(app, newBuf);
  const tokenKey = verifyPin(app, token, role, oldBuf);
  try {
    const record = makePinRecord(newBuf, tokenKey, app.kdf);
    app.store.setPins(s.tokenId, role === 'so' ? { so: record } : { user: record });
  } finally {
    if (app.loginOf(s.tokenId)?.tokenKey !== tokenKey) tokenKey.fill(0);
  }
}

// ---- operation state ------------------------------------------------------
// Payload: [u32 count] then per operation [u32 length][kind][u32 length][state].

/** The key C_SetOperationState names for an operation of this kind. */
function keyRole(kind: OperationKind): 'encryption' | 'authentication' | undefined {
  if (kind === 'encrypt' || kind === 'decrypt') return 'encryption';
  if (kind === 'sign' || kind === 'verify' || kind === 'verifySignature') return 'authentication';
  return undefined;
}

export function getOperationState(app: Application, hSession: number, out?: Buffer | null): Buffer | number {
  const s = app.session(hSession);
  const parts: Buffer[] = [];
  let count = 0;
  for (const [kind, op] of s.operations) {
    if (kind === 'find') continue;
    const state = kind === 'digest' || keyRole(kind) ? op.saveState?.() : undefined;
    if (!state) throw new CKRError(K.CKR_STATE_UNSAVEABLE);
    parts.push(lengthPrefixed(Buffer.from(kind)), lengthPrefixed(state));
    count++;
  }
  if (count === 0) throw new CKRError(K.CKR_OPERATION_NOT_INITIALIZED);
  const countBuf = Buffer.alloc(4);
  countBuf.writeUInt32BE(count);
  const blob = sealState(s.tokenId, Buffer.concat([countBuf, ...parts]));
  return deliverSized(blob.length, out, () => blob);
}

function lengthPrefixed(b: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(b.length);
  return Buffer.concat([head, b]);
}

export function setOperationState(
  app: Application, hSession: number, state: Uint8Array, hEncryptionKey = 0, hAuthenticationKey = 0,
): void {
  const s = app.session(hSession);
  if (!(state instanceof Uint8Array)) throw new CKRError(K.CKR_ARGUMENTS_BAD);
  const payload = openState(s.tokenId, state);
  const restored = new Map<OperationKind, Operation>();
  const keysUsed = new Set<string>();
  try {
    const r = new Reader(payload);
    const count = r.u32();
    for (let i = 0; i < count; i++) {
      const kind = r.bytes(r.u32()).toString() as OperationKind;
      const body = r.bytes(r.u32());
      if (restored.has(kind)) throw new CKRError(K.CKR_SAVED_STATE_INVALID);
      const role = keyRole(kind);
      if (kind === 'digest') {
        restored.set(kind, DigestOperation.restore(body, app.maxSavedStateInput));
      } else if (role) {
        keysUsed.add(role);
        const [k, op] = restoreCryptoOperation(app, s, body, role === 'encryption' ? hEncryptionKey : hAuthenticationKey);
        if (k !== kind) throw new CKRError(K.CKR_SAVED_STATE_INVALID);
        restored.set(kind, op);
      } else {
        throw new CKRError(K.CKR_SAVED_STATE_INVALID);
      }
    }
    if (!r.done()) throw new CKRError(K.CKR_SAVED_STATE_INVALID);
  } catch (e) {
    if (e instanceof CKRError) throw e;
    throw new CKRError(K.CKR_SAVED_STATE_INVALID);
  }
  if ((hEncryptionKey !== 0 && !keysUsed.has('encryption')) || (hAuthenticationKey !== 0 && !keysUsed.has('authentication'))) {
    throw new CKRError(K.CKR_KEY_NOT_NEEDED);
  }
  for (const kind of [...s.operations.keys()]) if (kind !== 'find') s.end(kind);
  for (const [kind, op] of restored) s.operations.set(kind, op);
}

/** Message digesting functions (spec 5.12). */
import * as K from '../../pkcs11/constants.js';
import { CKRError } from '../../pkcs11/error.js';
import type { CK_MECHANISM } from '../../pkcs11/types.js';
import type { Application, Session } from '../application.js';
import { DigestOperation, digestAlgorithm } from '../digest.js';
import { deliverSized } from '../output.js';

export function digestInit(app: Application, hSession: number, mechanism: CK_MECHANISM | null): void {
  const s = app.session(hSession);
  // PKCS#11 3.0: Init with a NULL mechanism ends the active operation.
  if (mechanism === null) {
    s.end('digest');
    return;
  }
  if (s.operations.has('digest')) throw new CKRError(K.CKR_OPERATION_ACTIVE);
  s.begin('digest', new DigestOperation(mechanism?.mechanism, digestAlgorithm(mechanism), app.maxSavedStateInput));
}

/**
 * Runs a step of an active digest. Any error but a buffer-size answer ends the
 * operation, as the spec requires.
 */
function step<T>(s: Session, fn: (op: DigestOperation) => T, ends: (result: T) => boolean): T {
  const op = s.operation<DigestOperation>('digest');
  try {
    const result = fn(op);
    if (ends(result)) s.end('digest');
    return result;
  } catch (e) {
    if (!(e instanceof CKRError && e.code === K.CKR_BUFFER_TOO_SMALL)) s.end('digest');
    throw e;
  }
}

function requireData(data: unknown): asserts data is Uint8Array {
  if (!(data instanceof Uint8Array)) throw new CKRError(K.CKR_ARGUMENTS_BAD);
}

/** Output delivered, not a length query: the operation is over. */
const delivered = (out: Buffer | null | undefined) => () => out !== null;

export function digest(app: Application, hSession: number, data: Uint8Array, out?: Buffer | null): Buffer | number {
  const s = app.session(hSession);
  return step(s, (op) => {
    // C_Digest is single-part only: after C_DigestUpdate it may not finish the operation.
    if (op.multiPart) throw new CKRError(K.CKR_OPERATION_ACTIVE);
    requireData(data);
    return deliverSized(op.alg.size, out, () => DigestOperation.digestOnce(op.alg, data));
  }, delivered(out));
}

export function digestUpdate(app: Application, hSession: number, data: Uint8Array): void {
  const s = app.session(hSession);
  step(s, (op) => {
    requireData(data);
    op.update(data);
  }, () => false);
}

/** Digests a secret key's value. The state then holds key material and is no longer saved. */
export function digestKey(app: Application, hSession: number, hKey: number): void {
  const s = app.session(hSession);
  step(s, (op) => {
    const key = app.objects.getKey(s, hKey);
    const value = key.attrs.get(K.CKA_VALUE);
    if (key.attrs.get(K.CKA_CLASS) !== K.CKO_SECRET_KEY || !Buffer.isBuffer(value)) {
      throw new CKRError(key.locked ? K.CKR_USER_NOT_LOGGED_IN : K.CKR_KEY_INDIGESTIBLE);
    }
    op.update(value, false);
  }, () => false);
}

export function digestFinal(app: Application, hSession: number, out?: Buffer | null): Buffer | number {
  const s = app.session(hSession);
  return step(s, (op) => deliverSized(op.alg.size, out, () => op.final()), delivered(out));
}

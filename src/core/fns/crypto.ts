/**
 * Encryption, decryption, signing and verification (spec 5.9-5.11, 5.13-5.15):
 * the generic half. Mechanisms supply the cryptography; here are the operation
 * state machine, key usage checks and the output conventions.
 */
import * as K from '../../pkcs11/constants.js';
import { BufferTooSmallError, CKRError } from '../../pkcs11/error.js';
import type { CK_MECHANISM } from '../../pkcs11/types.js';
import { mechanismFor } from '../../mechanisms/index.js';
import type { Cipher, Mechanism, Recoverer, Signer, Verifier } from '../../mechanisms/mechanism.js';
import type { Application, Session } from '../application.js';
import type { LiveObject } from '../object-table.js';
import type { Operation, OperationKind } from '../operation.js';
import { deliverSized } from '../output.js';
import { Reader } from '../../pkcs11/attributes.js';

type KeyFunction = 'encrypt' | 'decrypt' | 'sign' | 'verify' | 'signRecover' | 'verifyRecover'
  | 'wrap' | 'unwrap' | 'derive' | 'encapsulate' | 'decapsulate';

/** The usage attribute each function needs, and the key classes that can have it. */
const USAGE: Record<KeyFunction, { attribute: number; classes: number[] }> = {
  encrypt: { attribute: K.CKA_ENCRYPT, classes: [K.CKO_SECRET_KEY, K.CKO_PUBLIC_KEY] },
  decrypt: { attribute: K.CKA_DECRYPT, classes: [K.CKO_SECRET_KEY, K.CKO_PRIVATE_KEY] },
  sign: { attribute: K.CKA_SIGN, classes: [K.CKO_SECRET_KEY, K.CKO_PRIVATE_KEY] },
  verify: { attribute: K.CKA_VERIFY, classes: [K.CKO_SECRET_KEY, K.CKO_PUBLIC_KEY] },
  signRecover: { attribute: K.CKA_SIGN_RECOVER, classes: [K.CKO_PRIVATE_KEY] },
  verifyRecover: { attribute: K.CKA_VERIFY_RECOVER, classes: [K.CKO_PUBLIC_KEY] },
  wrap: { attribute: K.CKA_WRAP, classes: [K.CKO_SECRET_KEY, K.CKO_PUBLIC_KEY] },
  unwrap: { attribute: K.CKA_UNWRAP, classes: [K.CKO_SECRET_KEY, K.CKO_PRIVATE_KEY] },
  derive: { attribute: K.CKA_DERIVE, classes: [K.CKO_SECRET_KEY, K.CKO_PRIVATE_KEY] },
  encapsulate: { attribute: K.CKA_ENCAPSULATE, classes: [K.CKO_PUBLIC_KEY] },
  decapsulate: { attribute: K.CKA_DECAPSULATE, classes: [K.CKO_PRIVATE_KEY] },
};

/**
 * The key behind a handle, checked for this use: class and key type fit the
 * mechanism, the usage attribute is on, the mechanism is allowed, the size fits.
 */
export function usableKey(app: Application, s: Session, hKey: number, mechanism: Mechanism, fn: KeyFunction): LiveObject {
  const key = app.objects.getKey(s, hKey);
  if (key.locked) throw new CKRError(K.CKR_USER_NOT_LOGGED_IN);
  const { attribute, classes } = USAGE[fn];
  if (!classes.includes(key.attrs.get(K.CKA_CLASS) as number)) throw new CKRError(K.CKR_KEY_TYPE_INCONSISTENT);
  if (mechanism.keyTypes && !mechanism.keyTypes.includes(key.attrs.get(K.CKA_KEY_TYPE) as number)) {
    throw new CKRError(K.CKR_KEY_TYPE_INCONSISTENT);
  }
  if (key.attrs.get(attribute) !== true) throw new CKRError(K.CKR_KEY_FUNCTION_NOT_PERMITTED);
  const allowed = key.attrs.get(K.CKA_ALLOWED_MECHANISMS);
  if (Array.isArray(allowed) && allowed.length > 0 && !(allowed as number[]).includes(mechanism.type)) {
    throw new CKRError(K.CKR_MECHANISM_INVALID, 'the key does not allow this mechanism');
  }
  if (mechanism.keySize) {
    const size = mechanism.keySize(key.attrs);
    if (size < mechanism.minKeySize || size > mechanism.maxKeySize) throw new CKRError(K.CKR_KEY_SIZE_RANGE);
  }
  return key;
}

type Impl = Cipher | Signer | Verifier | Recoverer;

/**
 * An operation in progress. Its saved state (C_GetOperationState) is what it
 * takes to make it again: the mechanism, its parameter, which key, and the
 * input so far, replayed on restore. That works for every deterministic
 * mechanism, and no key material ever goes into the state.
 */
class CryptoOperation<T extends Impl> implements Operation {
  /** After the first Update the single-part call may no longer finish the operation. */
  multiPartStarted = false;
  contextLoginRequired: boolean;
  private transcript: Buffer[] | null = [];
  private transcriptLength = 0;

  constructor(
    readonly kind: CryptoKind,
    readonly mechanism: Mechanism,
    readonly parameter: unknown,
    readonly keyId: Buffer,
    readonly impl: T,
    alwaysAuthenticate: boolean,
    private readonly maxSaved: number,
    readonly signature?: Buffer,
  ) {
    this.contextLoginRequired = alwaysAuthenticate;
  }

  /** Notes input that went into the operation; past the limit the state is no longer saveable. */
  record(data: Buffer): void {
    if (this.transcript === null) return;
    if (this.transcriptLength + data.length > this.maxSaved) {
      this.transcript = null;
      return;
    }
    this.transcript.push(Buffer.from(data));
    this.transcriptLength += data.length;
  }

  saveState(): Buffer | undefined {
    if (this.transcript === null || !this.multiPartStarted) return undefined;
    const fields = [
      Buffer.from(this.kind),
      encodeParameter({ parameter: this.parameter, signature: this.signature }),
      this.keyId,
      Buffer.concat(this.transcript),
    ];
    const head = Buffer.alloc(8);
    head.writeBigUInt64BE(BigInt(this.mechanism.type));
    return Buffer.concat([head, ...fields.flatMap((f) => [u32(f.length), f])]);
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** Mechanism parameters are plain data (numbers, booleans, Buffers, arrays, objects): JSON carries them. */
function encodeParameter(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value ?? null));
}

function decodeParameter(bytes: Buffer): { parameter: unknown; signature?: Buffer } {
  return JSON.parse(bytes.toString(), (_key, v: unknown) => {
    const b = v as { type?: unknown; data?: unknown } | null;
    return b && b.type === 'Buffer' && Array.isArray(b.data) ? Buffer.from(b.data as number[]) : v;
  }) as { parameter: unknown; signature?: Buffer };
}

/**
 * Makes an operation again from its saved state, with the key the caller names
 * (which must be the same key: CKR_KEY_CHANGED otherwise).
 */
export function restoreCryptoOperation(app: Application, s: Session, state: Buffer, hKey: number): [OperationKind, Operation] {
  const r = new Reader(state);
  const mechanismType = r.u64();
  const kind = r.bytes(r.u32()).toString() as CryptoKind;
  const { parameter, signature } = decodeParameter(r.bytes(r.u32()));
  const keyId = r.bytes(r.u32());
  const input = r.bytes(r.u32());
  if (!r.done() || !(kind in KEY_FUNCTIONS)) throw new CKRError(K.CKR_SAVED_STATE_INVALID);
  if (hKey === 0) throw new CKRError(K.CKR_KEY_NEEDED);
  const fn = KEY_FUNCTIONS[kind];
  const m = mechanismFor({ mechanism: mechanismType }, fn);
  const key = usableKey(app, s, hKey, m, fn);
  const uniqueId = key.attrs.get(K.CKA_UNIQUE_ID);
  if (!Buffer.isBuffer(uniqueId) || !uniqueId.equals(keyId)) throw new CKRError(K.CKR_KEY_CHANGED);
  const op = newOperation(app, kind, m, key, parameter, signature);
  op.multiPartStarted = true;
  if (input.length > 0) {
    op.record(input);
    // The output of the replay was delivered before the state was saved.
    (op.impl as Cipher | Signer | Verifier).update(input);
  }
  return [kind, op];
}

function newOperation(app: Application, kind: CryptoKind, m: Mechanism, key: LiveObject, parameter: unknown, signature?: Buffer) {
  const fn = KEY_FUNCTIONS[kind];
  const impl = (m[fn] as (k: { attrs: typeof key.attrs }, p: unknown) => Impl)({ attrs: key.attrs }, parameter);
  const keyId = key.attrs.get(K.CKA_UNIQUE_ID) as Buffer;
  const alwaysAuthenticate = key.attrs.get(K.CKA_ALWAYS_AUTHENTICATE) === true;
  return new CryptoOperation(kind, m, parameter, keyId, impl, alwaysAuthenticate, app.maxSavedStateInput, signature);
}

const KEY_FUNCTIONS = {
  encrypt: 'encrypt', decrypt: 'decrypt', sign: 'sign', verify: 'verify', signRecover: 'signRecover',
  verifyRecover: 'verifyRecover', verifySignature: 'verify',
} as const;

type CryptoKind = keyof typeof KEY_FUNCTIONS;

/** C_EncryptInit and its siblings. */
export function cryptoInit(
  app: Application, hSession: number, kind: CryptoKind, mechanism: CK_MECHANISM | null, hKey: number, signature?: Uint8Array,
): void {
  const s = app.session(hSession);
  // PKCS#11 3.0: Init with a NULL mechanism ends the active operation of that kind.
  if (mechanism === null) {
    s.end(kind);
    return;
  }
  if (s.operations.has(kind)) throw new CKRError(K.CKR_OPERATION_ACTIVE);
  const fn = KEY_FUNCTIONS[kind];
  const m = mechanismFor(mechanism, fn);
  const key = usableKey(app, s, hKey, m, fn);
  if (signature !== undefined && !(signature instanceof Uint8Array)) throw new CKRError(K.CKR_ARGUMENTS_BAD);
  s.begin(kind, newOperation(app, kind, m, key, mechanism.parameter, signature && Buffer.from(signature)));
}

/**
 * Runs one step of an active operation. Any error but a buffer-size answer
 * ends the operation, as the spec requires; so does a delivered result when
 * `ends` says the step was the last.
 */
function step<T extends Impl, R>(
  s: Session, kind: OperationKind, fn: (op: CryptoOperation<T>) => R, ends: (result: R) => boolean,
): R {
  const op = s.operation<CryptoOperation<T>>(kind);
  try {
    if (op.contextLoginRequired) throw new CKRError(K.CKR_USER_NOT_LOGGED_IN, 'this key needs C_Login(CKU_CONTEXT_SPECIFIC) first');
    const result = fn(op);
    if (ends(result)) s.end(kind);
    return result;
  } catch (e) {
    if (!(e instanceof CKRError && e.code === K.CKR_BUFFER_TOO_SMALL)) s.end(kind);
    throw e;
  }
}

export function bytes(data: unknown): Buffer {
  if (!(data instanceof Uint8Array)) throw new CKRError(K.CKR_ARGUMENTS_BAD);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

/**
 * Delivers a result whose exact size is known only once computed: a length
 * query answers the bound without computing; a buffer smaller than the result
 * gets CKR_BUFFER_TOO_SMALL with the exact size.
 */
export function deliverBounded(bound: number, out: Buffer | null | undefined, produce: () => Buffer): Buffer | number {
  if (out === null) return bound;
  const result = produce();
  if (out === undefined) return result;
  if (out.length < result.length) throw new BufferTooSmallError(result.length);
  result.copy(out);
  return result.length;
}

const isDelivery = (out: Buffer | null | undefined) => () => out !== null;

function singlePart<T extends Impl>(op: CryptoOperation<T>): void {
  if (op.multiPartStarted) throw new CKRError(K.CKR_OPERATION_ACTIVE, 'a multi-part operation is finished with its Final function');
}

function multiPart<T extends Impl>(op: CryptoOperation<T>): void {
  if (op.mechanism.multiPart === false) throw new CKRError(K.CKR_FUNCTION_NOT_SUPPORTED, 'this mechanism is single-part only');
  op.multiPartStarted = true;
}

// ---- encrypt / decrypt ---------------------------------------------------------

export function cipherOnce(app: Application, hSession: number, kind: 'encrypt' | 'decrypt', data: Uint8Array, out?: Buffer | null): Buffer | number {
  const s = app.session(hSession);
  return step<Cipher, Buffer | number>(s, kind, (op) => {
    singlePart(op);
    const input = bytes(data);
    return deliverBounded(op.impl.oneShotLength(input.length), out, () => op.impl.oneShot(input));
  }, isDelivery(out));
}

export function cipherUpdate(app: Application, hSession: number, kind: 'encrypt' | 'decrypt', part: Uint8Array, out?: Buffer | null): Buffer | number {
  const s = app.session(hSession);
  return step<Cipher, Buffer | number>(s, kind, (op) => {
    multiPart(op);
    const input = bytes(part);
    return deliverSized(op.impl.updateLength(input.length), out, () => {
      const output = op.impl.update(input);
      op.record(input);
      return output;
    });
  }, () => false);
}

export function cipherFinal(app: Application, hSession: number, kind: 'encrypt' | 'decrypt', out?: Buffer | null): Buffer | number {
  const s = app.session(hSession);
  return step<Cipher, Buffer | number>(s, kind, (op) => {
    multiPart(op);
    return deliverBounded(op.impl.finalLength(), out, () => op.impl.final());
  }, isDelivery(out));
}

// ---- sign / verify --------------------------------------------------------------

export function signOnce(app: Application, hSession: number, data: Uint8Array, out?: Buffer | null): Buffer | number {
  const s = app.session(hSession);
  return step<Signer, Buffer | number>(s, 'sign', (op) => {
    singlePart(op);
    const input = bytes(data);
    return deliverSized(op.impl.signatureLength(), out, () => op.impl.oneShot(input));
  }, isDelivery(out));
}

export function signUpdate(app: Application, hSession: number, part: Uint8Array): void {
  const s = app.session(hSession);
  step<Signer, void>(s, 'sign', (op) => {
    multiPart(op);
    const input = bytes(part);
    op.impl.update(input);
    op.record(input);
  }, () => false);
}

export function signFinal(app: Application, hSession: number, out?: Buffer | null): Buffer | number {
  const s = app.session(hSession);
  return step<Signer, Buffer | number>(s, 'sign', (op) => {
    multiPart(op);
    return deliverSized(op.impl.signatureLength(), out, () => op.impl.final());
  }, isDelivery(out));
}

export function verifyOnce(app: Application, hSession: number, data: Uint8Array, signature: Uint8Array): void {
  const s = app.session(hSession);
  step<Verifier, void>(s, 'verify', (op) => {
    singlePart(op);
    op.impl.oneShot(bytes(data), bytes(signature));
  }, () => true);
}

export function verifyUpdate(app: Application, hSession: number, kind: 'verify' | 'verifySignature', part: Uint8Array): void {
  const s = app.session(hSession);
  step<Verifier, void>(s, kind, (op) => {
    multiPart(op);
    const input = bytes(part);
    op.impl.update(input);
    op.record(input);
  }, () => false);
}

export function verifyFinal(app: Application, hSession: number, signature: Uint8Array): void {
  const s = app.session(hSession);
  step<Verifier, void>(s, 'verify', (op) => {
    multiPart(op);
    op.impl.final(bytes(signature));
  }, () => true);
}

/** C_VerifySignature: the signature came with the Init (PKCS#11 3.2). */
export function verifySignatureOnce(app: Application, hSession: number, data: Uint8Array): void {
  const s = app.session(hSession);
  step<Verifier, void>(s, 'verifySignature', (op) => {
    singlePart(op);
    op.impl.oneShot(bytes(data), op.signature!);
  }, () => true);
}

export function verifySignatureFinal(app: Application, hSession: number): void {
  const s = app.session(hSession);
  step<Verifier, void>(s, 'verifySignature', (op) => {
    multiPart(op);
    op.impl.final(op.signature!);
  }, () => true);
}

export function recover(app: Application, hSession: number, kind: 'signRecover' | 'verifyRecover', input: Uint8Array, out?: Buffer | null): Buffer | number {
  const s = app.session(hSession);
  return step<Recoverer, Buffer | number>(s, kind, (op) => {
    const data = bytes(input);
    return deliverBounded(op.impl.outputLength(), out, () => op.impl.run(data));
  }, isDelivery(out));
}

// ---- dual-function updates (spec 5.14) ----------------------------------------------

/**
 * Both halves must be active. The output is the cipher half's; the other half
 * sees the plaintext, and only when the output is delivered (a length query
 * changes nothing).
 */
export function dualUpdate(
  app: Application, hSession: number, cipherKind: 'encrypt' | 'decrypt', other: 'digest' | 'sign' | 'verify',
  part: Uint8Array, out?: Buffer | null,
): Buffer | number {
  const s = app.session(hSession);
  s.operation(other);
  const cipherOp = s.operation<CryptoOperation<Cipher>>(cipherKind);
  // An AEAD decryption releases its plaintext only once authenticated, at the
  // end: the other half would see nothing, so the pair is refused.
  if (cipherKind === 'decrypt' && cipherOp.mechanism.authenticatesAtFinal) {
    throw new CKRError(K.CKR_MECHANISM_INVALID, 'an AEAD decryption cannot feed a digest or verification as it goes');
  }
  const input = bytes(part);
  const result = cipherUpdate(app, hSession, cipherKind, input, out);
  if (out === null) return result;
  const plaintext = cipherKind === 'encrypt' ? input : Buffer.isBuffer(result) ? result : out!.subarray(0, result as number);
  if (other === 'digest') {
    const digestOp = s.operation<Operation & { update(data: Uint8Array): void }>('digest');
    digestOp.update(plaintext);
  } else if (other === 'sign') {
    signUpdate(app, hSession, plaintext);
  } else {
    verifyUpdate(app, hSession, 'verify', plaintext);
  }
  return result;
}

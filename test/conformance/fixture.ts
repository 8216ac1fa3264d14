/**
 * Shared set-up and checks of the conformance suites: one logged-in read/write
 * user session on a memory-store token per suite, and the spec's rules that
 * every mechanism is held to (output conventions of section 5.2, attribute
 * length queries, key usage checks).
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Cryptoki } from '../../src/core/cryptoki.js';
import * as K from '../../src/pkcs11/constants.js';
import { BufferTooSmallError } from '../../src/pkcs11/error.js';
import type { CK_ATTRIBUTE } from '../../src/pkcs11/types.js';
import { RW, setup, STORE_KINDS, throwsCKR, USER_PIN, type Fixture } from '../helpers.js';

export { throwsCKR };

export interface UserSession {
  p11: Cryptoki;
  /** A read/write session with the normal user logged in. */
  h: number;
}

/**
 * A user session for the suite around the call: opened before its first test,
 * closed (with the library) after its last. `session` (or the returned object)
 * is filled in by then, so modules may hold it before the suite starts.
 */
export function userSessionFixture(session = {} as UserSession): UserSession {
  let fixture: Fixture | undefined;
  before(() => {
    const memory = STORE_KINDS.find((kind) => kind.name === 'memory')!;
    fixture = setup(memory);
    session.p11 = fixture.p11;
    session.h = fixture.p11.C_OpenSession(fixture.slot, RW);
    fixture.p11.C_Login(session.h, K.CKU_USER, USER_PIN);
  });
  after(() => fixture?.cleanup());
  return session;
}

/** Key handles of a pair. */
export interface KeyPair {
  pub: number;
  priv: number;
}

/** A value computed on first use and kept: key pairs are made only by the suites that need them. */
export function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  let made = false;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value as T;
  };
}

export const flip = (bytes: Buffer, index = 0): Buffer => {
  const copy = Buffer.from(bytes);
  copy[index]! ^= 0x01;
  return copy;
};

export function attribute(s: UserSession, object: number, type: number): unknown {
  return s.p11.C_GetAttributeValue(s.h, object, [{ type }])[0]!.value;
}

export function bytesAttribute(s: UserSession, object: number, type: number): Buffer {
  const value = attribute(s, object, type);
  assert.ok(Buffer.isBuffer(value), `attribute 0x${type.toString(16)} is a byte string`);
  return value;
}

/** The handles of every object the session sees. */
export function allObjects(s: UserSession): number[] {
  s.p11.C_FindObjectsInit(s.h, []);
  const found = s.p11.C_FindObjects(s.h, 100_000);
  s.p11.C_FindObjectsFinal(s.h);
  return found;
}

/**
 * C_GetAttributeValue's length rules for one readable attribute (spec 5.2 and
 * C_GetAttributeValue): a NULL value asks its length, which is `expected`; a
 * buffer one byte short gives CKR_BUFFER_TOO_SMALL with ulValueLen set to
 * CK_UNAVAILABLE_INFORMATION; a buffer of the announced length gets the value.
 */
export function attributeLengthRules(s: UserSession, object: number, type: number, expected: number): void {
  const query: CK_ATTRIBUTE[] = [{ type, value: null }];
  s.p11.C_GetAttributeValue(s.h, object, query);
  assert.equal(query[0]!.ulValueLen, expected, 'the length query answers the value\'s length');
  assert.equal(query[0]!.value, null, 'a length query returns no value');
  const short: CK_ATTRIBUTE[] = [{ type, ulValueLen: expected - 1 }];
  throwsCKR(() => s.p11.C_GetAttributeValue(s.h, object, short), K.CKR_BUFFER_TOO_SMALL);
  assert.equal(short[0]!.ulValueLen, K.CK_UNAVAILABLE_INFORMATION);
  const full: CK_ATTRIBUTE[] = [{ type, ulValueLen: expected }];
  s.p11.C_GetAttributeValue(s.h, object, full);
  assert.ok(Buffer.isBuffer(full[0]!.value) && full[0]!.value.length === expected);
}

/**
 * One output of a running operation, delivered by the spec's convention
 * (section 5.2, "Output conventions"): a NULL buffer asks the length and
 * leaves the operation active; a buffer too small gets CKR_BUFFER_TOO_SMALL
 * with the size needed, and leaves it active too; then a buffer of the
 * announced length gets the output. `exact` outputs (signatures, RSA blocks)
 * are announced at their length, others (a decryption) at an upper bound.
 */
export function deliveredBySpec(call: (out: Buffer | null) => Buffer | number, exact: boolean): Buffer {
  const announced = call(null);
  assert.equal(typeof announced, 'number', 'a NULL buffer gets the length, not the output');
  const length = announced as number;
  assert.ok(length > 0);
  const tooSmall = Buffer.alloc(exact ? length - 1 : 0);
  const e = throwsCKR(() => call(tooSmall), K.CKR_BUFFER_TOO_SMALL);
  assert.ok(e instanceof BufferTooSmallError);
  if (exact) assert.equal(e.required, length, 'CKR_BUFFER_TOO_SMALL says the exact size');
  else assert.ok(e.required > 0 && e.required <= length, 'the size needed is within the announced bound');
  const out = Buffer.alloc(length);
  const written = call(out);
  assert.equal(typeof written, 'number');
  if (exact) assert.equal(written, length);
  else assert.ok((written as number) <= length);
  return out.subarray(0, written as number);
}

/** A copy of a key with its usage attributes changed (they are modifiable, so C_CopyObject may). */
export function copyWith(s: UserSession, key: number, template: CK_ATTRIBUTE[]): number {
  return s.p11.C_CopyObject(s.h, key, template);
}

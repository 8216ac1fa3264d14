/** Shared test set-up: a library per store kind, with a cheap PIN KDF so tests run fast. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { Cryptoki } from '../src/core/cryptoki.js';
import type { CryptokiOptions } from '../src/core/application.js';
import * as K from '../src/pkcs11/constants.js';
import { CKRError } from '../src/pkcs11/error.js';
import { rvName } from '../src/pkcs11/names.js';
import { MemoryStore } from '../src/store/memory.js';
import type { TokenStore } from '../src/store/store.js';

export const SO_PIN = 'so-secret-1';
export const USER_PIN = 'user-secret-1';
export const FAST_KDF = { name: 'scrypt' as const, N: 1024, r: 8, p: 1 };

export interface StoreKind {
  name: string;
  make(): { store: TokenStore; cleanup(): void };
}

async function sqliteKind(): Promise<StoreKind | undefined> {
  try {
    const { SqliteStore } = await import('../src/store/sqlite.js');
    return {
      name: 'sqlite',
      make() {
        const dir = mkdtempSync(join(tmpdir(), 'cryptoki-test-'));
        const store = new SqliteStore(join(dir, 'tokens.db'));
        return { store, cleanup: () => { store.close(); rmSync(dir, { recursive: true, force: true }); } };
      },
    };
  } catch {
    return undefined;
  }
}

/** Every store kind the core suite runs against. */
export const STORE_KINDS: StoreKind[] = [
  { name: 'memory', make: () => ({ store: new MemoryStore(), cleanup() {} }) },
  ...[await sqliteKind()].filter((k): k is StoreKind => k !== undefined),
];

export interface Fixture {
  p11: Cryptoki;
  store: TokenStore;
  /** Slot of the initialised token (user PIN set). */
  slot: number;
  cleanup(): void;
}

/** A library with one token whose SO and user PINs are set; `options` override the defaults. */
export function setup(kind: StoreKind, options: CryptokiOptions = {}, initUser = true): Fixture {
  const { store, cleanup } = kind.make();
  const p11 = new Cryptoki({ kdf: FAST_KDF, ...options, store });
  p11.C_Initialize();
  const slot = p11.C_GetSlotList(true)[0]!;
  p11.C_InitToken(slot, SO_PIN, 'test token');
  if (initUser) {
    const h = p11.C_OpenSession(slot, K.CKF_SERIAL_SESSION | K.CKF_RW_SESSION);
    p11.C_Login(h, K.CKU_SO, SO_PIN);
    p11.C_InitPIN(h, USER_PIN);
    p11.C_CloseSession(h);
  }
  return {
    p11, store, slot,
    cleanup() {
      if (p11.app.initialized) p11.C_Finalize();
      cleanup();
    },
  };
}

export const RW = K.CKF_SERIAL_SESSION | K.CKF_RW_SESSION;
export const RO = K.CKF_SERIAL_SESSION;

/** Asserts that fn throws CKRError with this code. */
export function throwsCKR(fn: () => unknown, code: number, message?: string): CKRError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CKRError, `expected CKRError ${rvName(code)}, got ${String(e)}`);
    assert.equal(rvName(e.code), rvName(code), message);
    return e;
  }
  assert.fail(`expected ${rvName(code)}, but the call succeeded${message ? ': ' + message : ''}`);
}

/** Runs a suite body once per store kind. */
export function forEachStore(body: (kind: StoreKind) => void): void {
  for (const kind of STORE_KINDS) body(kind);
}

/** A fixture's library, its token's slot, and one logged-in read-write user session on it. */
export interface UserSession {
  readonly p11: Cryptoki;
  readonly slot: number;
  readonly session: number;
}

/**
 * One logged-in RW user session shared by the tests of a file: registers the
 * before/after hooks that set it up and tear it down, on the memory store
 * unless another kind is given. Read p11 and session inside tests only.
 */
export function sharedUserSession(kind: StoreKind = STORE_KINDS[0]!): UserSession {
  let fixture: Fixture | undefined;
  let session = 0;
  before(() => {
    fixture = setup(kind);
    session = fixture.p11.C_OpenSession(fixture.slot, RW);
    fixture.p11.C_Login(session, K.CKU_USER, USER_PIN);
  });
  after(() => fixture?.cleanup());
  return {
    get p11() {
      if (!fixture) throw new Error('sharedUserSession is read before its before() hook ran');
      return fixture.p11;
    },
    get slot() {
      if (!fixture) throw new Error('sharedUserSession is read before its before() hook ran');
      return fixture.slot;
    },
    get session() {
      return session;
    },
  };
}

/**
 * The SQLite store under the core: tokens that outlive the library, shared by
 * several libraries on one file, with nothing secret in the file in the clear.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Cryptoki } from '../src/core/cryptoki.js';
import * as K from '../src/pkcs11/constants.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { FAST_KDF, RO, RW, SO_PIN, throwsCKR, USER_PIN } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cryptoki-persist-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const newFile = () => join(dir, `t${n++}.db`);

function library(file: string): { p11: Cryptoki; store: SqliteStore; close(): void } {
  const store = new SqliteStore(file);
  const p11 = new Cryptoki({ store, kdf: FAST_KDF, slotEventPollMs: 10 });
  p11.C_Initialize();
  return { p11, store, close: () => { if (p11.app.initialized) p11.C_Finalize(); store.close(); } };
}

function makeToken(p11: Cryptoki): number {
  const slot = p11.C_GetSlotList(true).at(-1)!;
  p11.C_InitToken(slot, SO_PIN, 'persistent');
  const h = p11.C_OpenSession(slot, RW);
  p11.C_Login(h, K.CKU_SO, SO_PIN);
  p11.C_InitPIN(h, USER_PIN);
  p11.C_CloseSession(h);
  return slot;
}

describe('persistent tokens (SQLite store)', () => {
  it('keeps tokens, PINs and objects across restarts', () => {
    const file = newFile();
    const first = library(file);
    const slot = makeToken(first.p11);
    const h = first.p11.C_OpenSession(slot, RW);
    first.p11.C_Login(h, K.CKU_USER, USER_PIN);
    first.p11.C_CreateObject(h, [
      { type: K.CKA_CLASS, value: K.CKO_DATA }, { type: K.CKA_TOKEN, value: true }, { type: K.CKA_PRIVATE, value: true },
      { type: K.CKA_LABEL, value: 'survivor' }, { type: K.CKA_VALUE, value: Buffer.from('still here') },
    ]);
    first.close();

    const second = library(file);
    assert.equal(second.p11.C_GetTokenInfo(slot).label.trimEnd(), 'persistent');
    const h2 = second.p11.C_OpenSession(slot, RO);
    throwsCKR(() => second.p11.C_Login(h2, K.CKU_USER, 'wrong-pin'), K.CKR_PIN_INCORRECT);
    second.p11.C_Login(h2, K.CKU_USER, USER_PIN);
    second.p11.C_FindObjectsInit(h2, [{ type: K.CKA_LABEL, value: 'survivor' }]);
    const [o] = second.p11.C_FindObjects(h2, 5);
    assert.deepEqual(second.p11.C_GetAttributeValue(h2, o!, [{ type: K.CKA_VALUE }])[0]!.value, Buffer.from('still here'));
    second.close();
  });

  it('shares one store between two libraries: objects, new tokens and slot events', () => {
    const file = newFile();
    const a = library(file);
    const b = library(file);
    const slot = makeToken(a.p11);
    // b sees the new token as a slot, and as events on that slot and on the new free slot.
    assert.ok(b.p11.C_GetSlotList(true).includes(slot));
    assert.deepEqual(new Set([b.p11.C_WaitForSlotEvent(K.CKF_DONT_BLOCK), b.p11.C_WaitForSlotEvent(K.CKF_DONT_BLOCK)]), new Set([slot, slot + 1]));

    const ha = a.p11.C_OpenSession(slot, RW);
    const hb = b.p11.C_OpenSession(slot, RW);
    a.p11.C_CreateObject(ha, [{ type: K.CKA_CLASS, value: K.CKO_DATA }, { type: K.CKA_TOKEN, value: true }, { type: K.CKA_LABEL, value: 'from-a' }]);
    b.p11.C_FindObjectsInit(hb, [{ type: K.CKA_LABEL, value: 'from-a' }]);
    const [seen] = b.p11.C_FindObjects(hb, 5);
    b.p11.C_FindObjectsFinal(hb);
    assert.ok(seen);
    b.p11.C_DestroyObject(hb, seen!);
    a.p11.C_FindObjectsInit(ha, [{ type: K.CKA_LABEL, value: 'from-a' }]);
    assert.deepEqual(a.p11.C_FindObjects(ha, 5), [], 'a destroy in one library is seen by the other');
    a.close();
    b.close();
  });

  it('shares the PIN failure count between libraries', () => {
    const file = newFile();
    const a = library(file);
    const b = library(file);
    const slot = makeToken(a.p11);
    const ha = a.p11.C_OpenSession(slot, RO);
    throwsCKR(() => a.p11.C_Login(ha, K.CKU_USER, 'wrong-pin'), K.CKR_PIN_INCORRECT);
    assert.ok(b.p11.C_GetTokenInfo(slot).flags & K.CKF_USER_PIN_COUNT_LOW);
    a.close();
    b.close();
  });

  it('leaves no key, secret value or PIN readable in the database files', () => {
    const file = newFile();
    const lib = library(file);
    const slot = makeToken(lib.p11);
    const h = lib.p11.C_OpenSession(slot, RW);
    lib.p11.C_Login(h, K.CKU_USER, USER_PIN);
    const secret = Buffer.from('8c1f5e2a9b7d4c3e6f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6', 'hex');
    const secretData = Buffer.from('TOP SECRET PAYLOAD 42');
    lib.p11.C_CreateObject(h, [
      { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES }, { type: K.CKA_TOKEN, value: true },
      { type: K.CKA_VALUE, value: secret }, { type: K.CKA_LABEL, value: 'hidden-key-label' },
    ]);
    lib.p11.C_CreateObject(h, [
      { type: K.CKA_CLASS, value: K.CKO_DATA }, { type: K.CKA_TOKEN, value: true }, { type: K.CKA_PRIVATE, value: true },
      { type: K.CKA_VALUE, value: secretData },
    ]);
    lib.p11.C_SetPIN(h, USER_PIN, 'second-user-pin');
    lib.close();
    const raw = Buffer.concat([file, `${file}-wal`, `${file}-shm`].map((f) => { try { return readFileSync(f); } catch { return Buffer.alloc(0); } }));
    assert.ok(raw.length > 0);
    for (const needle of [secret, secret.subarray(0, 8), secretData, Buffer.from('hidden-key-label'), Buffer.from(USER_PIN), Buffer.from('second-user-pin'), Buffer.from(SO_PIN)]) {
      assert.equal(raw.includes(needle), false, `found ${needle.toString('hex')} in the file`);
    }
  });

  it('opens the store a separate process wrote', () => {
    const file = newFile();
    const lib = library(file);
    const slot = makeToken(lib.p11);
    lib.close();
    const storeUrl = new URL('../src/store/sqlite.js', import.meta.url).href;
    const cryptokiUrl = new URL('../src/core/cryptoki.js', import.meta.url).href;
    const script = `
      const { SqliteStore } = await import(${JSON.stringify(storeUrl)});
      const { Cryptoki } = await import(${JSON.stringify(cryptokiUrl)});
      const store = new SqliteStore(${JSON.stringify(file)});
      const p11 = new Cryptoki({ store, kdf: { name: 'scrypt', N: 1024, r: 8, p: 1 } });
      p11.C_Initialize();
      const h = p11.C_OpenSession(${slot}, 6);
      p11.C_CreateObject(h, [{ type: 0, value: 0 }, { type: 1, value: true }, { type: 3, value: 'from-child' }]);
      p11.C_Finalize();
      store.close();
    `;
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('.', import.meta.url)) });
    const again = library(file);
    const h = again.p11.C_OpenSession(slot, RO);
    again.p11.C_FindObjectsInit(h, [{ type: K.CKA_LABEL, value: 'from-child' }]);
    assert.equal(again.p11.C_FindObjects(h, 5).length, 1);
    again.close();
  });
});

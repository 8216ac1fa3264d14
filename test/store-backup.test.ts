import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Cryptoki } from '../src/core/cryptoki.js';
import * as K from '../src/pkcs11/constants.js';
import { backupToken, restoreTokens } from '../src/store/backup.js';
import { MemoryStore } from '../src/store/memory.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { FAST_KDF, RO, RW, SO_PIN, USER_PIN } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cryptoki-backup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function tokenWithObjects(p11: Cryptoki, label: string): number {
  const slot = p11.C_GetSlotList(true).at(-1)!;
  p11.C_InitToken(slot, SO_PIN, label);
  const h = p11.C_OpenSession(slot, RW);
  p11.C_Login(h, K.CKU_SO, SO_PIN);
  p11.C_InitPIN(h, USER_PIN);
  p11.C_Logout(h);
  p11.C_Login(h, K.CKU_USER, USER_PIN);
  p11.C_CreateObject(h, [
    { type: K.CKA_CLASS, value: K.CKO_DATA }, { type: K.CKA_TOKEN, value: true }, { type: K.CKA_PRIVATE, value: true },
    { type: K.CKA_LABEL, value: `${label}-secret` }, { type: K.CKA_VALUE, value: Buffer.from('private data') },
  ]);
  p11.C_CreateObject(h, [
    { type: K.CKA_CLASS, value: K.CKO_DATA }, { type: K.CKA_TOKEN, value: true }, { type: K.CKA_LABEL, value: `${label}-public` },
  ]);
  p11.C_CloseSession(h);
  return slot;
}

function privateValue(p11: Cryptoki, slot: number, label: string): Buffer | undefined {
  const h = p11.C_OpenSession(slot, RO);
  p11.C_Login(h, K.CKU_USER, USER_PIN);
  p11.C_FindObjectsInit(h, [{ type: K.CKA_LABEL, value: label }]);
  const [o] = p11.C_FindObjects(h, 2);
  p11.C_FindObjectsFinal(h);
  const value = o === undefined ? undefined : (p11.C_GetAttributeValue(h, o, [{ type: K.CKA_VALUE }])[0]!.value as Buffer);
  p11.C_CloseSession(h);
  return value;
}

describe('backup and restore', () => {
  it('backs up one token while it is in use, and the restored token opens with the same PINs', () => {
    const store = new SqliteStore(join(dir, 'live.db'));
    const p11 = new Cryptoki({ store, kdf: FAST_KDF });
    p11.C_Initialize();
    const slotA = tokenWithObjects(p11, 'alpha');
    tokenWithObjects(p11, 'beta');
    const open = p11.C_OpenSession(slotA, RW); // in use during the backup
    const alpha = store.listTokens().find((t) => t.label.startsWith('alpha'))!;
    const file = join(dir, 'alpha.bak');
    backupToken(store, file, alpha.tokenId);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.throws(() => backupToken(store, file, alpha.tokenId), /never overwrites/);

    const fresh = new MemoryStore();
    const restored = restoreTokens(fresh, file);
    assert.equal(restored.length, 1, 'only the chosen token is in the backup');
    const other = new Cryptoki({ store: fresh, kdf: FAST_KDF });
    other.C_Initialize();
    assert.deepEqual(privateValue(other, restored[0]!.slotId, 'alpha-secret'), Buffer.from('private data'));

    // Restoring over the live token puts back what was destroyed since.
    p11.C_Login(open, K.CKU_USER, USER_PIN);
    p11.C_FindObjectsInit(open, [{ type: K.CKA_LABEL, value: 'alpha-public' }]);
    p11.C_DestroyObject(open, p11.C_FindObjects(open, 1)[0]!);
    p11.C_FindObjectsFinal(open);
    p11.C_CloseAllSessions(slotA);
    const back = restoreTokens(store, file);
    assert.equal(back[0]!.slotId, slotA, 'a token restored over itself keeps its slot');
    const h = p11.C_OpenSession(slotA, RO);
    p11.C_FindObjectsInit(h, [{ type: K.CKA_LABEL, value: 'alpha-public' }]);
    assert.equal(p11.C_FindObjects(h, 5).length, 1);
    p11.C_Finalize();
    store.close();
  });

  it('backs up the whole store', () => {
    const store = new SqliteStore(join(dir, 'whole.db'));
    const p11 = new Cryptoki({ store, kdf: FAST_KDF });
    p11.C_Initialize();
    tokenWithObjects(p11, 'one');
    tokenWithObjects(p11, 'two');
    p11.C_Finalize();
    const file = join(dir, 'whole.bak');
    backupToken(store, file);
    store.close();
    const target = new MemoryStore();
    assert.deepEqual(restoreTokens(target, file).map((r) => r.token.label.trimEnd()).sort(), ['one', 'two']);
    assert.throws(() => restoreTokens(new MemoryStore(), file, 'no-such-token'), /holds no such token/);
  });

  it('works from the command line', () => {
    const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
    const home = (name: string) => ({ ...process.env, XDG_DATA_HOME: join(dir, name), CRYPTOKI_CONF: '' });
    const source = new SqliteStore(join(dir, 'src-home', 'cryptoki', 'tokens.db'));
    const p11 = new Cryptoki({ store: source, kdf: FAST_KDF });
    p11.C_Initialize();
    tokenWithObjects(p11, 'cli-token');
    p11.C_Finalize();
    source.close();
    const file = join(dir, 'cli.bak');
    const run = (args: string[], env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8' });
    let r = run(['token', 'backup', file, '--token', 'cli-token'], home('src-home'));
    assert.equal(r.status, 0, r.stderr);
    r = run(['token', 'backup', file], home('src-home'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /never overwrites/);
    r = run(['token', 'backup', join(dir, 'x.bak'), '--token', 'nope'], home('src-home'));
    assert.equal(r.status, 2, 'naming a token that does not exist is a usage error');
    assert.match(r.stderr, /no token is labelled "nope"/);
    r = run(['token', 'restore', file], home('dst-home'));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /restored token "cli-token"/);
    r = run(['slots', '--json'], home('dst-home'));
    const listed = JSON.parse(r.stdout) as { slots: { label: string; initialized: boolean }[] };
    assert.ok(listed.slots.some((s) => s.label === 'cli-token' && s.initialized));
  });
});

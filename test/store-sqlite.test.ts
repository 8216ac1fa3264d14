/** The TokenStore contract, run against MemoryStore and SqliteStore alike; then what only SQLite has. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { MemoryStore } from '../src/store/memory.js';
import { objectQuery, SCHEMA_VERSION, SqliteStore } from '../src/store/sqlite.js';
import type { NewObjectRecord, PinRecord, TokenRecord, TokenStore } from '../src/store/store.js';

const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cryptoki-'));
  dirs.push(d);
  return d;
}

function pin(seed: number): PinRecord {
  return {
    salt: Buffer.alloc(16, seed),
    kdf: { name: 'scrypt', N: 1024, r: 8, p: 1 },
    verifier: Buffer.alloc(32, seed + 1),
    wrappedKey: Buffer.alloc(60, seed + 2),
  };
}

function token(store: TokenStore, tokenId: string, overrides: Partial<TokenRecord> = {}): TokenRecord {
  return {
    tokenId,
    slotId: store.nextSlotId(),
    label: tokenId.padEnd(32),
    serial: '0123456789abcdef',
    so: pin(1),
    user: null,
    soFailures: 0,
    userFailures: 0,
    ...overrides,
  };
}

function object(overrides: Partial<NewObjectRecord> = {}): NewObjectRecord {
  return {
    oid: Buffer.alloc(16, 7),
    cls: 3,
    isPrivate: false,
    labelIndex: Buffer.from('label'),
    idIndex: Buffer.from([1, 2]),
    plain: Buffer.from('plain attributes'),
    sealed: null,
    ...overrides,
  };
}

interface Factory {
  name: string;
  open(): TokenStore;
}

const factories: Factory[] = [
  { name: 'MemoryStore', open: () => new MemoryStore() },
  { name: 'SqliteStore', open: () => new SqliteStore(join(tempDir(), 'sub', 'dir', 'tokens.db')) },
];

for (const factory of factories) {
  describe(`TokenStore contract: ${factory.name}`, () => {
    function withStore(fn: (s: TokenStore) => void): () => void {
      return () => {
        const s = factory.open();
        try { fn(s); } finally { s.close(); }
      };
    }

    it('creates, lists and gets tokens', withStore((s) => {
      assert.deepEqual(s.listTokens(), []);
      assert.equal(s.getToken('nope'), undefined);
      const a = token(s, 'aa', { user: pin(5), userFailures: 2 });
      s.initToken(a);
      const b = token(s, 'bb');
      s.initToken(b);
      assert.deepEqual(s.getToken('aa'), a);
      assert.deepEqual(s.listTokens(), [a, b]);
      assert.deepEqual([s.hasToken('aa'), s.hasToken('bb'), s.hasToken('nope')], [true, true, false]);
      // Returned records are copies: changing one does not change the store.
      const got = s.getToken('aa')!;
      got.label = 'changed';
      got.so.kdf.N = 1;
      assert.deepEqual(s.getToken('aa'), a);
    }));

    it('assigns slot IDs in order and never reuses one', withStore((s) => {
      assert.equal(s.nextSlotId(), 1);
      s.initToken(token(s, 'aa'));
      assert.equal(s.nextSlotId(), 2);
      s.initToken(token(s, 'bb'));
      assert.equal(s.nextSlotId(), 3);
      s.deleteToken('bb');
      assert.equal(s.nextSlotId(), 3);
      s.initToken(token(s, 'cc'));
      assert.deepEqual(s.listTokens().map((t) => [t.tokenId, t.slotId]), [['aa', 1], ['cc', 3]]);
      // A given slot ID ahead of the counter moves the counter past it.
      s.initToken(token(s, 'dd', { slotId: 10 }));
      assert.equal(s.nextSlotId(), 11);
      // Re-initialising keeps the counter where it is.
      s.initToken(token(s, 'aa', { slotId: 1 }));
      assert.equal(s.nextSlotId(), 11);
    }));

    it('re-initialising a token replaces it and destroys its objects only', withStore((s) => {
      s.initToken(token(s, 'aa'));
      s.initToken(token(s, 'bb'));
      const uidA = s.addObject('aa', object());
      const uidB = s.addObject('bb', object());
      const replacement = token(s, 'aa', { slotId: 1, label: 'new label'.padEnd(32), soFailures: 0, so: pin(9) });
      s.initToken(replacement);
      assert.deepEqual(s.getToken('aa'), replacement);
      assert.equal(s.getObject('aa', uidA), undefined);
      assert.deepEqual(s.listObjects('aa', { includePrivate: true }), []);
      assert.ok(s.getObject('bb', uidB));
      assert.equal(s.listTokens().length, 2);
    }));

    it('deleting a token deletes its objects', withStore((s) => {
      s.initToken(token(s, 'aa'));
      const uid = s.addObject('aa', object());
      s.deleteToken('aa');
      assert.equal(s.getToken('aa'), undefined);
      assert.equal(s.getObject('aa', uid), undefined);
      assert.deepEqual(s.listObjects('aa', { includePrivate: true }), []);
      s.deleteToken('aa'); // already gone: no error
    }));

    it('setPins replaces PIN records and resets only the changed role', withStore((s) => {
      s.initToken(token(s, 'aa'));
      s.recordLoginFailure('aa', 'so');
      s.recordLoginFailure('aa', 'user');
      s.setPins('aa', { user: pin(20) });
      let t = s.getToken('aa')!;
      assert.deepEqual(t.user, pin(20));
      assert.equal(t.userFailures, 0);
      assert.equal(t.soFailures, 1);
      assert.deepEqual(t.so, pin(1));

      s.recordLoginFailure('aa', 'user');
      s.setPins('aa', { so: pin(30) });
      t = s.getToken('aa')!;
      assert.deepEqual(t.so, pin(30));
      assert.equal(t.soFailures, 0);
      assert.equal(t.userFailures, 1);
      assert.deepEqual(t.user, pin(20));

      s.setPins('aa', { user: null });
      t = s.getToken('aa')!;
      assert.equal(t.user, null);
      assert.equal(t.userFailures, 0);
      assert.throws(() => s.setPins('zz', { so: pin(1) }), /no such token/);
    }));

    it('counts login failures and resets them', withStore((s) => {
      s.initToken(token(s, 'aa'));
      assert.equal(s.recordLoginFailure('aa', 'user'), 1);
      assert.equal(s.recordLoginFailure('aa', 'user'), 2);
      assert.equal(s.recordLoginFailure('aa', 'so'), 1);
      assert.equal(s.getToken('aa')!.userFailures, 2);
      s.resetLoginFailures('aa', 'user');
      assert.equal(s.getToken('aa')!.userFailures, 0);
      assert.equal(s.getToken('aa')!.soFailures, 1);
      s.resetLoginFailures('aa', 'so');
      assert.equal(s.getToken('aa')!.soFailures, 0);
      assert.throws(() => s.recordLoginFailure('zz', 'so'), /no such token/);
      assert.throws(() => s.resetLoginFailures('zz', 'so'), /no such token/);
    }));

    it('adds, gets, updates and deletes objects', withStore((s) => {
      s.initToken(token(s, 'aa'));
      s.initToken(token(s, 'bb'));
      const rec = object({ isPrivate: true, sealed: Buffer.from('sealed'), labelIndex: null, idIndex: null });
      const uid = s.addObject('aa', rec);
      const uid2 = s.addObject('bb', object());
      assert.notEqual(uid, uid2);
      assert.deepEqual(s.getObject('aa', uid), { ...rec, uid });
      // An object belongs to its token only.
      assert.equal(s.getObject('bb', uid), undefined);
      assert.equal(s.getObject('aa', 999999), undefined);

      const changed = { ...rec, uid, plain: Buffer.from('new plain'), sealed: null, cls: 4, isPrivate: false };
      s.updateObject('aa', changed);
      assert.deepEqual(s.getObject('aa', uid), changed);
      assert.throws(() => s.updateObject('bb', changed), /no such object/);
      assert.throws(() => s.addObject('zz', object()), /no such token/);

      assert.equal(s.deleteObject('bb', uid), false);
      assert.equal(s.deleteObject('aa', uid), true);
      assert.equal(s.deleteObject('aa', uid), false);
      assert.equal(s.getObject('aa', uid), undefined);
      // UIDs are not reused.
      assert.ok(s.addObject('aa', object()) > uid2);
    }));

    it('keeps empty buffers empty (an empty CKA_LABEL is not a missing one)', withStore((s) => {
      s.initToken(token(s, 'aa'));
      const rec = object({ labelIndex: Buffer.alloc(0), plain: Buffer.alloc(0), idIndex: null });
      const uid = s.addObject('aa', rec);
      assert.deepEqual(s.getObject('aa', uid), { ...rec, uid });
      assert.deepEqual(s.listObjects('aa', { includePrivate: true, labelIndex: [Buffer.alloc(0)] }).map((o) => o.uid), [uid]);
      assert.deepEqual(s.listObjects('aa', { includePrivate: true, idIndex: [Buffer.alloc(0)] }), []);
    }));

    it('filters objects', withStore((s) => {
      s.initToken(token(s, 'aa'));
      s.initToken(token(s, 'bb'));
      const pub = s.addObject('aa', object({ cls: 1, labelIndex: Buffer.from('one'), idIndex: Buffer.from([1]) }));
      const priv = s.addObject('aa', object({ cls: 3, isPrivate: true, labelIndex: Buffer.from('two'), idIndex: Buffer.from([2]) }));
      const noLabel = s.addObject('aa', object({ cls: 3, labelIndex: null, idIndex: Buffer.from([1]) }));
      const big = s.addObject('aa', object({ cls: 0x80000001, labelIndex: Buffer.from('one'), idIndex: null }));
      s.addObject('bb', object({ cls: 1, labelIndex: Buffer.from('one') }));
      const uids = (f: Parameters<TokenStore['listObjects']>[1]) => s.listObjects('aa', f).map((o) => o.uid);

      assert.deepEqual(uids({ includePrivate: true }), [pub, priv, noLabel, big]);
      assert.deepEqual(uids({ includePrivate: false }), [pub, noLabel, big]);
      assert.deepEqual(uids({ includePrivate: true, cls: 3 }), [priv, noLabel]);
      assert.deepEqual(uids({ includePrivate: false, cls: 3 }), [noLabel]);
      assert.deepEqual(uids({ includePrivate: true, cls: 0x80000001 }), [big]);
      assert.deepEqual(uids({ includePrivate: true, labelIndex: [Buffer.from('one')] }), [pub, big]);
      assert.deepEqual(uids({ includePrivate: true, labelIndex: [Buffer.from('two'), Buffer.from('one')] }), [pub, priv, big]);
      assert.deepEqual(uids({ includePrivate: false, labelIndex: [Buffer.from('two'), Buffer.from('one')] }), [pub, big]);
      assert.deepEqual(uids({ includePrivate: true, labelIndex: [Buffer.from('on')] }), []);
      assert.deepEqual(uids({ includePrivate: true, labelIndex: [] }), []);
      assert.deepEqual(uids({ includePrivate: true, idIndex: [Buffer.from([1])] }), [pub, noLabel]);
      assert.deepEqual(uids({ includePrivate: true, idIndex: [Buffer.from([1])], labelIndex: [Buffer.from('one')] }), [pub]);
      assert.deepEqual(uids({ includePrivate: true, cls: 1, idIndex: [Buffer.from([2]), Buffer.from([1])] }), [pub]);
      assert.deepEqual(s.listObjects('zz', { includePrivate: true }), []);
      const full = s.listObjects('aa', { includePrivate: true, cls: 3, labelIndex: [Buffer.from('two')] });
      assert.deepEqual(full, [{ ...object({ cls: 3, isPrivate: true, labelIndex: Buffer.from('two'), idIndex: Buffer.from([2]) }), uid: priv }]);
    }));

    it('tokensVersion changes with the set of tokens, not with objects', withStore((s) => {
      let v = s.tokensVersion();
      const changed = () => { const now = s.tokensVersion(); const c = now !== v; v = now; return c; };
      s.initToken(token(s, 'aa'));
      assert.ok(changed(), 'after adding a token');
      s.initToken(token(s, 'aa', { slotId: 1 }));
      assert.ok(changed(), 'after re-initialising a token');
      const uid = s.addObject('aa', object());
      s.updateObject('aa', { ...object(), uid, cls: 9 });
      s.deleteObject('aa', uid);
      s.setPins('aa', { user: pin(3) });
      s.recordLoginFailure('aa', 'user');
      s.resetLoginFailures('aa', 'user');
      assert.ok(!changed(), 'after object and PIN changes');
      s.deleteToken('zz');
      assert.ok(!changed(), 'after deleting a token that does not exist');
      s.deleteToken('aa');
      assert.ok(changed(), 'after deleting a token');
    }));
  });
}

function integrityCheck(file: string): string {
  const db = new Database(file);
  try {
    assert.deepEqual(db.pragma('foreign_key_check'), []);
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

describe('SqliteStore', () => {
  it('creates private parent directories and file, in WAL mode', () => {
    const dir = tempDir();
    const file = join(dir, 'a', 'b', 'tokens.db');
    const s = new SqliteStore(file);
    try {
      assert.equal(statSync(join(dir, 'a')).mode & 0o777, 0o700);
      assert.equal(statSync(join(dir, 'a', 'b')).mode & 0o777, 0o700);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const db = new Database(file);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      db.close();
    } finally {
      s.close();
    }
  });

  it('keeps everything across close and reopen', () => {
    const file = join(tempDir(), 'tokens.db');
    let s = new SqliteStore(file);
    const t = token(s, 'aa', { user: pin(4) });
    s.initToken(t);
    s.initToken(token(s, 'bb'));
    s.deleteToken('bb');
    s.recordLoginFailure('aa', 'so');
    const rec = object({ sealed: Buffer.from('secret-ish bytes') });
    const uid = s.addObject('aa', rec);
    const version = s.tokensVersion();
    s.close();
    s.close(); // twice is harmless

    s = new SqliteStore(file);
    try {
      assert.deepEqual(s.listTokens(), [{ ...t, soFailures: 1 }]);
      assert.deepEqual(s.getObject('aa', uid), { ...rec, uid });
      assert.equal(s.nextSlotId(), 3, 'the deleted token\'s slot is not given out again');
      assert.equal(s.tokensVersion(), version);
      assert.ok(s.addObject('aa', object()) > uid);
    } finally {
      s.close();
    }
    assert.equal(integrityCheck(file), 'ok');
  });

  it('two stores on one file see each other\'s changes', () => {
    const file = join(tempDir(), 'tokens.db');
    const a = new SqliteStore(file);
    const b = new SqliteStore(file, { busyTimeoutMs: 2000 });
    try {
      const v = b.tokensVersion();
      a.initToken(token(a, 'aa'));
      assert.notEqual(b.tokensVersion(), v);
      assert.equal(b.getToken('aa')?.slotId, 1);
      assert.equal(b.nextSlotId(), 2);

      const uid = a.addObject('aa', object());
      assert.deepEqual(b.getObject('aa', uid), { ...object(), uid });
      // b now holds the record in its cache; a's update must still show there.
      a.updateObject('aa', { ...object({ plain: Buffer.from('updated') }), uid });
      assert.deepEqual(b.getObject('aa', uid)?.plain, Buffer.from('updated'));
      a.updateObject('aa', { ...object(), uid });
      const uid2 = b.addObject('aa', object({ cls: 5 }));
      assert.ok(uid2 > uid);
      assert.deepEqual(a.listObjects('aa', { includePrivate: true, cls: 5 }).map((o) => o.uid), [uid2]);

      assert.equal(a.recordLoginFailure('aa', 'user'), 1);
      assert.equal(b.recordLoginFailure('aa', 'user'), 2);
      // Token records are cached per connection, yet the other connection's commits show at once.
      assert.equal(a.getToken('aa')?.userFailures, 2);
      b.resetLoginFailures('aa', 'user');
      assert.equal(a.getToken('aa')?.userFailures, 0);
      assert.equal(a.listTokens()[0]?.userFailures, 0);
      b.setPins('aa', { user: null });
      assert.equal(a.getToken('aa')?.user, null);

      // A slot taken by the other process in the meantime is refused, not doubled.
      const stale = token(b, 'bb');
      a.initToken(token(a, 'cc'));
      assert.throws(() => b.initToken(stale), /slot 2 already holds a token/);
      assert.equal(a.getToken('bb'), undefined);

      const v2 = a.tokensVersion();
      b.deleteToken('aa');
      assert.notEqual(a.tokensVersion(), v2);
      assert.equal(a.getObject('aa', uid), undefined);
    } finally {
      a.close();
      b.close();
    }
    assert.equal(integrityCheck(file), 'ok');
  });

  it('refuses a file from a newer schema and leaves it untouched', () => {
    const file = join(tempDir(), 'tokens.db');
    const s = new SqliteStore(file);
    s.initToken(token(s, 'aa'));
    s.close();
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.ok(!existsSync(file + '-wal'));
    const before = readFileSync(file);

    assert.throws(() => new SqliteStore(file), (e: Error) => {
      assert.ok(e.message.includes(file), e.message);
      assert.match(e.message, new RegExp(`version ${SCHEMA_VERSION + 1}\\b`));
      assert.match(e.message, new RegExp(`\\(${SCHEMA_VERSION}\\)`));
      return true;
    });
    assert.deepEqual(readFileSync(file), before);
  });

  it('refuses a file that is not a database, naming it', () => {
    const file = join(tempDir(), 'tokens.db');
    const s = new SqliteStore(file);
    s.close();
    rmSync(file);
    const junk = Buffer.alloc(4096, 'x');
    writeFileSync(file, junk, { mode: 0o600 });
    assert.throws(() => new SqliteStore(file), (e: Error) => e.message.includes(file) && /not an SQLite database/.test(e.message));
    assert.deepEqual(readFileSync(file), junk);
  });

  it('names the file when it cannot be opened', () => {
    const notADir = join(tempDir(), 'plain-file');
    writeFileSync(notADir, 'x');
    const file = join(notADir, 'tokens.db');
    assert.throws(() => new SqliteStore(file), (e: Error) => e.message.includes(file) && /cannot open/.test(e.message));
  });

  it('looks objects up by label and id through an index', () => {
    const file = join(tempDir(), 'tokens.db');
    new SqliteStore(file).close();
    const db = new Database(file);
    try {
      const plan = (filter: Parameters<typeof objectQuery>[1]) => {
        const q = objectQuery('aa', filter)!;
        return (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[]).map((r) => r.detail).join('; ');
      };
      assert.match(plan({ includePrivate: true, labelIndex: [Buffer.from('a'), Buffer.from('b')] }), /USING INDEX objects_by_label/);
      assert.match(plan({ includePrivate: false, idIndex: [Buffer.from('a')] }), /USING INDEX objects_by_id/);
      assert.match(plan({ includePrivate: true, cls: 3 }), /USING INDEX objects_by_class/);
      assert.equal(objectQuery('aa', { includePrivate: true, labelIndex: [] }), null);
    } finally {
      db.close();
    }
  });

  it('a token of many objects answers a label lookup without a scan', () => {
    const file = join(tempDir(), 'tokens.db');
    const s = new SqliteStore(file);
    s.initToken(token(s, 'aa'));
    s.close();
    // Fill through one transaction (the store commits every call, which is slow for 100,000 rows).
    const db = new Database(file);
    const insert = db.prepare('INSERT INTO objects (token_id, oid, cls, is_private, label_index, plain) VALUES (?, ?, 3, 0, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 100_000; i++) insert.run('aa', Buffer.alloc(16), Buffer.from(`label ${i}`), Buffer.alloc(8));
    })();
    db.close();
    const s2 = new SqliteStore(file);
    try {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < 200; i++) {
        const found = s2.listObjects('aa', { includePrivate: true, labelIndex: [Buffer.from(`label ${i * 499}`), Buffer.from('none')] });
        assert.equal(found.length, 1);
      }
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      // 200 indexed lookups take a few ms; 200 scans of 100,000 rows take over a second.
      assert.ok(ms < 300, `200 label lookups took ${ms} ms`);
    } finally {
      s2.close();
    }
    assert.equal(integrityCheck(file), 'ok');
  });
});

/**
 * Crash safety: a writer killed with SIGKILL at a random moment, ten times on
 * one file, must leave an intact database that still holds every object whose
 * addObject had returned.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteStore } from '../src/store/sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'cryptoki-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const storeUrl = new URL('../src/store/sqlite.js', import.meta.url).href;

// The child prints "ready", then each uid as soon as addObject has returned.
// fs.writeSync, because process.stdout may buffer asynchronously on a pipe.
const CHILD = `
import { writeSync } from 'node:fs';
import { SqliteStore } from ${JSON.stringify(storeUrl)};
const store = new SqliteStore(process.argv[2]);
const so = { salt: Buffer.alloc(16, 1), kdf: { name: 'scrypt', N: 1024, r: 8, p: 1 }, verifier: Buffer.alloc(32, 2), wrappedKey: Buffer.alloc(60, 3) };
if (!store.getToken('crash')) {
  store.initToken({ tokenId: 'crash', slotId: store.nextSlotId(), label: 'crash'.padEnd(32), serial: '0', so, user: null, soFailures: 0, userFailures: 0 });
}
writeSync(1, 'ready\\n');
for (let i = 0; ; i++) {
  const uid = store.addObject('crash', {
    oid: Buffer.alloc(16, i & 0xff), cls: 3, isPrivate: (i & 1) === 1,
    labelIndex: Buffer.from('object ' + i), idIndex: Buffer.from([i & 0xff]),
    plain: Buffer.alloc(200, i & 0xff), sealed: Buffer.alloc(500, 7),
  });
  writeSync(1, uid + '\\n');
  if (i % 5 === 0) store.recordLoginFailure('crash', 'user');
}
`;

/** Runs the child, kills it delayMs after it is ready, and returns the uids it reported. */
function runAndKill(script: string, file: string, delayMs: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!timer && out.startsWith('ready\n')) timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { err += chunk; });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') return reject(new Error(`child ended with code ${code}, not by SIGKILL: ${err}`));
      // The last line may be cut off mid-write: only whole lines count.
      const lines = out.split('\n').slice(1, -1);
      resolve(lines.map(Number));
    });
  });
}

it('objects whose addObject returned survive SIGKILL, and the file stays intact', { timeout: 30_000 }, async () => {
  const script = join(dir, 'child.mjs');
  writeFileSync(script, CHILD);
  const file = join(dir, 'tokens.db');
  const all: number[] = [];

  for (let round = 0; round < 10; round++) {
    const delay = 50 + Math.floor(Math.random() * 350);
    const uids = await runAndKill(script, file, delay);
    all.push(...uids);

    const db = new Database(file);
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok', `round ${round}`);
    } finally {
      db.close();
    }
    const store = new SqliteStore(file);
    try {
      const missing = all.filter((uid) => !store.getObject('crash', uid));
      assert.deepEqual(missing, [], `round ${round} (killed after ${delay} ms): lost objects`);
      assert.ok(store.listObjects('crash', { includePrivate: true }).length >= all.length);
      assert.equal(store.listTokens().length, 1);
    } finally {
      store.close();
    }
  }
  assert.ok(all.length > 0, 'the child wrote something before it was killed');
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { defaultStorePath, loadConfig, openDefaultStore } from '../src/store/config.js';

const dir = mkdtempSync(join(tmpdir(), 'cryptoki-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** Writes a config file and returns the environment that names it. */
function confEnv(text: string): { file: string; env: NodeJS.ProcessEnv } {
  const file = join(dir, `conf-${n++}.json`);
  writeFileSync(file, text);
  return { file, env: { HOME: '/home/someone', CRYPTOKI_CONF: file } };
}

/** Asserts that loading fails with a message containing every one of parts. */
function rejects(text: string, ...parts: (string | RegExp)[]): void {
  const { file, env } = confEnv(text);
  assert.throws(() => loadConfig(env), (e: Error) => {
    assert.ok(e.message.includes(file), `message names the file: ${e.message}`);
    for (const p of parts) {
      if (typeof p === 'string') assert.ok(e.message.includes(p), `message has ${p}: ${e.message}`);
      else assert.match(e.message, p);
    }
    return true;
  });
}

describe('defaultStorePath', () => {
  it('uses XDG_DATA_HOME when set', () => {
    assert.equal(defaultStorePath({ XDG_DATA_HOME: '/data', HOME: '/home/someone' }), '/data/cryptoki/tokens.db');
  });
  it('falls back to ~/.local/share', () => {
    assert.equal(defaultStorePath({ HOME: '/home/someone' }), '/home/someone/.local/share/cryptoki/tokens.db');
    assert.equal(defaultStorePath({ HOME: '/home/someone', XDG_DATA_HOME: '' }), '/home/someone/.local/share/cryptoki/tokens.db');
    // A relative XDG_DATA_HOME is invalid by the spec and ignored.
    assert.equal(defaultStorePath({ HOME: '/home/someone', XDG_DATA_HOME: 'rel' }), '/home/someone/.local/share/cryptoki/tokens.db');
  });
});

describe('loadConfig', () => {
  it('gives defaults without CRYPTOKI_CONF', () => {
    assert.deepEqual(loadConfig({ HOME: '/home/someone' }), {
      storePath: '/home/someone/.local/share/cryptoki/tokens.db',
      logLevel: 'info',
    });
  });

  it('reads a good file', () => {
    const { env } = confEnv(JSON.stringify({
      storePath: '/var/lib/cryptoki/t.db', pinRetryLimit: 5, kdf: { N: 16384, r: 8, p: 1 }, logLevel: 'debug',
    }));
    assert.deepEqual(loadConfig(env), {
      storePath: '/var/lib/cryptoki/t.db',
      pinRetryLimit: 5,
      kdf: { name: 'scrypt', N: 16384, r: 8, p: 1 },
      logLevel: 'debug',
    });
  });

  it('fills defaults for missing keys and resolves a relative storePath against the file', () => {
    const { env } = confEnv('{ "storePath": "tokens/t.db" }');
    assert.deepEqual(loadConfig({ ...env, XDG_DATA_HOME: '/data' }), { storePath: join(dir, 'tokens/t.db'), logLevel: 'info' });
    assert.deepEqual(loadConfig({ ...confEnv('{}').env, XDG_DATA_HOME: '/data' }), { storePath: '/data/cryptoki/tokens.db', logLevel: 'info' });
  });

  it('refuses unknown keys, naming file and key', () => {
    rejects('{ "pinRetryLimt": 3 }', '"pinRetryLimt"', 'unknown key');
    rejects('{ "kdf": { "N": 1024, "r": 8, "p": 1, "q": 2 } }', '"kdf.q"', 'unknown key');
  });

  it('refuses wrong types and ranges, naming the key', () => {
    rejects('{ "pinRetryLimit": "3" }', '"pinRetryLimit"', 'integer', 'string "3"');
    rejects('{ "pinRetryLimit": 0 }', '"pinRetryLimit"', 'from 1 to 1000');
    rejects('{ "pinRetryLimit": 2.5 }', '"pinRetryLimit"');
    rejects('{ "storePath": 7 }', '"storePath"', 'string');
    rejects('{ "storePath": "" }', '"storePath"');
    rejects('{ "logLevel": "verbose" }', '"logLevel"', 'error, warn, info, debug');
    rejects('{ "kdf": [] }', '"kdf"', 'array');
    rejects('{ "kdf": { "N": 3000, "r": 8, "p": 1 } }', '"kdf.N"', 'power of two');
    rejects('{ "kdf": { "N": 512, "r": 8, "p": 1 } }', '"kdf.N"');
    rejects(`{ "kdf": { "N": ${2 ** 23}, "r": 8, "p": 1 } }`, '"kdf.N"');
    rejects('{ "kdf": { "N": 1024, "r": 33, "p": 1 } }', '"kdf.r"');
    rejects('{ "kdf": { "N": 1024, "r": 8, "p": 0 } }', '"kdf.p"');
    rejects('{ "kdf": { "N": 1024, "r": 8 } }', '"kdf.p"', 'missing');
    rejects('[1, 2]', 'JSON object');
  });

  it('accepts a kdf written with its name', () => {
    const { env } = confEnv('{ "kdf": { "name": "scrypt", "N": 1024, "r": 8, "p": 1 } }');
    assert.deepEqual(loadConfig(env).kdf, { name: 'scrypt', N: 1024, r: 8, p: 1 });
    rejects('{ "kdf": { "name": "argon2", "N": 1024, "r": 8, "p": 1 } }', '"kdf.name"');
  });

  it('reports invalid JSON with the file and where', () => {
    rejects('{\n  "logLevel": "info",\n}\n', 'invalid JSON', /line 3 column 1\b/);
    rejects('{ "logLevel": ', 'invalid JSON');
  });

  it('reports a missing file', () => {
    const file = join(dir, 'absent.json');
    assert.throws(() => loadConfig({ CRYPTOKI_CONF: file }), (e: Error) => e.message.includes(file) && e.message.includes('ENOENT'));
  });
});

describe('openDefaultStore', () => {
  it('opens an SQLite store at the configured path', () => {
    const { env } = confEnv(JSON.stringify({ storePath: join(dir, 'store', 'tokens.db') }));
    const store = openDefaultStore(loadConfig(env));
    try {
      assert.equal(store.kind, 'sqlite');
      assert.deepEqual(store.listTokens(), []);
    } finally {
      store.close();
    }
  });
});

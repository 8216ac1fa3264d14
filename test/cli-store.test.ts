import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openLibrary } from '../src/cli/store.js';

describe('the command\'s library', () => {
  it('uses the configured store path, PIN retry limit and KDF cost', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cryptoki-cli-'));
    const conf = join(dir, 'cryptoki.json');
    writeFileSync(conf, JSON.stringify({ storePath: join(dir, 'here.db'), pinRetryLimit: 3, kdf: { N: 2048, r: 8, p: 1 } }));
    const saved = process.env.CRYPTOKI_CONF;
    process.env.CRYPTOKI_CONF = conf;
    try {
      const { p11, store, location } = openLibrary();
      assert.equal(location, join(dir, 'here.db'));
      assert.equal(p11.app.pinRetryLimit, 3);
      assert.deepEqual(p11.app.kdf, { name: 'scrypt', N: 2048, r: 8, p: 1 });
      store.close();
    } finally {
      if (saved === undefined) delete process.env.CRYPTOKI_CONF;
      else process.env.CRYPTOKI_CONF = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The same calls through the real pkcs11js (native, on SoftHSM) and through
 * cryptoki-ts/pkcs11js must give the same shapes, bytes and errors: what
 * pkcs11js itself adds (argument checks, Buffer handles, raw attribute bytes,
 * cut output buffers, callback and promise forms, error objects). Runs where
 * Debian's softhsm2 is installed (.ci/run installs it) and pkcs11js is built.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as ours from '../src/compat/index.js';
import { scenario } from './fixtures/compat/parity-scenario.js';
import { prepareToken, USER_PIN } from './fixtures/compat/token.js';

const SOFTHSM = '/usr/lib/softhsm/libsofthsm2.so';

function nativeBuilt(): boolean {
  try {
    createRequire(import.meta.url)('pkcs11js');
    return true;
  } catch {
    return false;
  }
}
const skip = existsSync(SOFTHSM) && nativeBuilt() ? false : 'needs Debian\'s softhsm2 and the built pkcs11js module';

describe('pkcs11js on SoftHSM and cryptoki-ts/pkcs11js answer alike', { skip }, () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cryptoki-softhsm-'));
    writeFileSync(join(dir, 'softhsm2.conf'), `directories.tokendir = ${dir}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    env = { ...process.env, SOFTHSM2_CONF: join(dir, 'softhsm2.conf') };
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 'My slot 0', '--so-pin', '12345', '--pin', USER_PIN], { stdio: 'ignore', env });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('in shapes, bytes, errors and the callback and promise forms', async () => {
    const child = fileURLToPath(new URL('./fixtures/compat/parity-softhsm-child.js', import.meta.url));
    const run = spawnSync(process.execPath, [child, SOFTHSM], { env, encoding: 'utf8' });
    const line = run.stdout.split('\n').find((l) => l.startsWith('{'));
    assert.ok(line, `the SoftHSM run printed nothing: ${run.stderr}`);
    const softhsm = JSON.parse(line);
    const cryptoki = JSON.parse(JSON.stringify(await scenario(ours, prepareToken('parity'))));
    assert.deepEqual(cryptoki, softhsm);
  });
});

/**
 * End to end: our server on a temporary unix socket (worker executor, a
 * SqliteStore in a temporary directory), used by the stock tools through
 * p11-kit-client.so: OpenSC's pkcs11-tool and GnuTLS's p11tool, as a user
 * would. Skipped when the client module or pkcs11-tool is not installed
 * (Debian: apt-get install p11-kit-modules opensc gnutls-bin).
 *
 * Key generation and signing cases depend on the RSA and EC mechanisms: each
 * is skipped while the token's C_GetMechanismList lacks what it needs, and
 * runs by itself once the mechanism is there.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createHash, createPublicKey, createVerify, verify as cryptoVerify, constants as cryptoConstants } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Cryptoki } from '../src/core/cryptoki.js';
import * as K from '../src/pkcs11/constants.js';
import { silentLogger } from '../src/rpc/log.js';
import { RpcServer, serverAddress, workerExecutors } from '../src/rpc/server.js';
import { findP11KitClient } from '../src/cli/serve.js';
import { FAST_KDF } from './helpers.js';

const MODULE = findP11KitClient();
const onPath = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const HAVE_TOOL = onPath('pkcs11-tool');
const HAVE_P11TOOL = onPath('p11tool');
const skipAll = !MODULE ? 'p11-kit-client.so is not installed (apt-get install p11-kit-modules)'
  : !HAVE_TOOL ? 'pkcs11-tool is not installed (apt-get install opensc)' : false;

const SO_PIN = '87654321';
const PIN = '123456';
const NEW_PIN = '654321';
const LABEL = 'e2e token';

const distRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const distUrl = (p: string) => pathToFileURL(join(distRoot, p)).href;
const commanderUrl = pathToFileURL(createRequire(import.meta.url).resolve('commander')).href;

/** The mechanisms our token offers (the registry is the same in every process). */
function tokenMechanisms(): Set<number> {
  const p11 = new Cryptoki();
  p11.C_Initialize();
  try {
    return new Set(p11.C_GetMechanismList(p11.C_GetSlotList(false)[0]!));
  } finally {
    p11.C_Finalize();
  }
}
const MECHS = tokenMechanisms();
const need = (...mechs: number[]): string | false => {
  const missing = mechs.filter((m) => !MECHS.has(m));
  return missing.length ? `the token does not offer ${missing.map((m) => '0x' + m.toString(16)).join(', ')} yet` : false;
};

interface Run { code: number; stdout: Buffer; stderr: string }

describe('end to end through p11-kit-client.so', { skip: skipAll }, () => {
  let dir: string;
  let socket: string;
  let server: RpcServer;
  let env: NodeJS.ProcessEnv;

  const run = (cmd: string, args: string[], input?: Buffer | string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> =>
    new Promise((res) => {
      const child = execFile(cmd, args, { env: { ...env, ...extraEnv }, encoding: 'buffer', timeout: 120_000, maxBuffer: 1 << 24 },
        (error, stdout, stderr) => res({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: stdout as Buffer, stderr: (stderr as Buffer).toString(),
        }));
      if (input !== undefined) child.stdin!.end(input);
      else child.stdin!.end();
    });
  const tool = (...args: string[]) => run('pkcs11-tool', ['--module', MODULE!, ...args]);
  const onToken = (...args: string[]) => tool('--token-label', LABEL, ...args);
  const ok = (r: Run, what: string) => assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stdout.toString()}\n${r.stderr}`);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cryptoki-e2e-'));
    socket = join(dir, 'pkcs11.sock');
    server = new RpcServer({ createExecutor: workerExecutors({ storePath: join(dir, 'tokens.db'), cryptoki: { kdf: FAST_KDF } }), logger: silentLogger });
    await server.listen(socket);
    env = { ...process.env, P11_KIT_SERVER_ADDRESS: serverAddress(socket) };
    delete env.P11_KIT_DEBUG;
  });
  after(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists the free slot (-L)', async () => {
    const r = await tool('-L');
    ok(r, '-L');
    assert.match(r.stdout.toString(), /token state:\s+uninitialized/);
  });

  it('creates a token (--init-token)', async () => {
    const r = await tool('--init-token', '--slot', '1', '--label', LABEL, '--so-pin', SO_PIN);
    ok(r, '--init-token');
    assert.match(r.stdout.toString(), /Token successfully initialized/);
    const list = await tool('-L');
    ok(list, '-L');
    assert.match(list.stdout.toString(), new RegExp(`token label\\s+: ${LABEL}`));
  });

  it('sets the user PIN (--init-pin)', async () => {
    const r = await onToken('--init-pin', '--so-pin', SO_PIN, '--pin', PIN);
    ok(r, '--init-pin');
    assert.match(r.stdout.toString(), /User PIN successfully initialized/);
  });

  it('logs in and lists objects (--login -O)', async () => {
    ok(await onToken('--login', '--pin', PIN, '-O'), '--login -O');
    const wrong = await onToken('--login', '--pin', '000000', '-O');
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr + wrong.stdout.toString(), /CKR_PIN_INCORRECT/);
  });

  it('makes random bytes (--generate-random)', async () => {
    const r = await onToken('--generate-random', '48');
    ok(r, '--generate-random');
    assert.equal(r.stdout.length, 48);
  });

  it('hashes stdin with SHA256 (--hash)', async () => {
    const data = Buffer.from('the quick brown fox jumps over the lazy dog\n'.repeat(100));
    const r = await run('pkcs11-tool', ['--module', MODULE!, '--token-label', LABEL, '--hash', '-m', 'SHA256'], data);
    ok(r, '--hash');
    assert.deepEqual(r.stdout, createHash('sha256').update(data).digest());
  });

  it('changes the user PIN (--change-pin)', async () => {
    ok(await onToken('--login', '--pin', PIN, '--change-pin', '--new-pin', NEW_PIN), '--change-pin');
    ok(await onToken('--login', '--pin', NEW_PIN, '-O'), 'login with the new PIN');
    assert.notEqual((await onToken('--login', '--pin', PIN, '-O')).code, 0, 'the old PIN no longer works');
  });

  it('shows the token to GnuTLS (p11tool --list-tokens)', { skip: HAVE_P11TOOL ? false : 'p11tool is not installed (apt-get install gnutls-bin)' }, async () => {
    const r = await run('p11tool', ['--provider', MODULE!, '--list-tokens']);
    ok(r, 'p11tool --list-tokens');
    assert.match(r.stdout.toString(), new RegExp(`Label: ${LABEL}`));
    assert.match(r.stdout.toString(), /Manufacturer: cryptoki-ts/);
  });

  it('serves one connection per process through the exec transport (remote: |command --stdio)', async () => {
    const script = join(dir, 'cryptoki-serve.mjs');
    writeFileSync(script, `
import { Command } from ${JSON.stringify(commanderUrl)};
import { serveCommand } from ${JSON.stringify(distUrl('src/cli/serve.js'))};
const program = new Command('cryptoki');
serveCommand(program);
await program.parseAsync(process.argv);
`);
    const conf = join(dir, 'conf.json');
    writeFileSync(conf, JSON.stringify({ storePath: join(dir, 'tokens.db'), kdf: { N: 1024, r: 8, p: 1 } }));
    const r = await run('pkcs11-tool', ['--module', MODULE!, '-L'], undefined, {
      P11_KIT_SERVER_ADDRESS: `|${process.execPath} ${script} serve --stdio`, CRYPTOKI_CONF: conf,
    });
    ok(r, '-L through the exec transport');
    assert.match(r.stdout.toString(), new RegExp(`token label\\s+: ${LABEL}`));
  });

  // ---- keys and signatures: they need the RSA and EC mechanism families -------------------

  const data = Buffer.from('data to be signed through p11-kit\n');
  const digest = createHash('sha256').update(data).digest();
  const login = ['--login', '--pin', NEW_PIN];

  it('generates an RSA 2048 key pair (--keypairgen --key-type rsa:2048)', { skip: need(K.CKM_RSA_PKCS_KEY_PAIR_GEN) }, async () => {
    const r = await onToken(...login, '--keypairgen', '--key-type', 'rsa:2048', '--id', '01', '--label', 'rsa key');
    ok(r, 'keypairgen rsa');
    assert.match(r.stdout.toString(), /Public Key Object; RSA 2048 bits/);
  });

  it('generates an EC P-256 key pair (--keypairgen --key-type EC:prime256v1)', { skip: need(K.CKM_EC_KEY_PAIR_GEN) }, async () => {
    const r = await onToken(...login, '--keypairgen', '--key-type', 'EC:prime256v1', '--id', '02', '--label', 'ec key');
    ok(r, 'keypairgen ec');
    assert.match(r.stdout.toString(), /Public Key Object; EC/);
  });

  /** Signs with the token and verifies both with the token and with Node's crypto on the exported public key. */
  async function signAndVerify(id: string, mechanism: string, input: Buffer, extra: string[], check: (pub: ReturnType<typeof createPublicKey>, sig: Buffer) => boolean) {
    const inFile = join(dir, `in-${mechanism}`);
    const sigFile = join(dir, `sig-${mechanism}`);
    writeFileSync(inFile, input);
    ok(await onToken(...login, '--sign', '--id', id, '-m', mechanism, ...extra, '--input-file', inFile, '--output-file', sigFile), `sign ${mechanism}`);
    const verify = await onToken(...login, '--verify', '--id', id, '-m', mechanism, ...extra, '--input-file', inFile, '--signature-file', sigFile);
    ok(verify, `verify ${mechanism}`);
    assert.match(verify.stdout.toString(), /Signature is valid/);
    const pubFile = join(dir, `pub-${id}.der`);
    ok(await onToken('--read-object', '--type', 'pubkey', '--id', id, '--output-file', pubFile), 'export the public key');
    const pub = createPublicKey({ key: readFileSync(pubFile), format: 'der', type: 'spki' });
    assert.ok(check(pub, readFileSync(sigFile)), `${mechanism}: Node's crypto agrees`);
  }

  const rsa = need(K.CKM_RSA_PKCS_KEY_PAIR_GEN);
  it('signs and verifies with RSA-PKCS', { skip: rsa || need(K.CKM_RSA_PKCS) }, async () => {
    // Raw PKCS#1 v1.5 over a DigestInfo the caller built: here SHA-256's.
    const digestInfo = Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'), digest]);
    await signAndVerify('01', 'RSA-PKCS', digestInfo, [], (pub, sig) => cryptoVerify('sha256', data, pub, sig));
  });

  it('signs and verifies with SHA256-RSA-PKCS', { skip: rsa || need(K.CKM_SHA256_RSA_PKCS) }, async () => {
    await signAndVerify('01', 'SHA256-RSA-PKCS', data, [], (pub, sig) => createVerify('sha256').update(data).verify(pub, sig));
  });

  it('signs and verifies with RSA-PKCS-PSS (parameters over the wire)', { skip: rsa || need(K.CKM_RSA_PKCS_PSS) }, async () => {
    await signAndVerify('01', 'RSA-PKCS-PSS', digest, ['--hash-algorithm', 'SHA256', '--mgf', 'MGF1-SHA256', '--salt-len', '32'],
      (pub, sig) => cryptoVerify('sha256', data, { key: pub, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig));
  });

  it('signs and verifies with ECDSA (hash on the host: a 0.24 client cannot send ECDSA-SHA256)', { skip: need(K.CKM_EC_KEY_PAIR_GEN, K.CKM_ECDSA) }, async () => {
    await signAndVerify('02', 'ECDSA', digest, [], (pub, sig) => cryptoVerify('sha256', data, { key: pub, dsaEncoding: 'ieee-p1363' }, sig));
  });

  it('leaves no connection open', async () => {
    for (let i = 0; i < 200 && server.connectionCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(server.connectionCount, 0);
    assert.ok(existsSync(socket));
  });
});

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
import {
  createCipheriv, createHash, createPublicKey, createVerify, publicEncrypt, randomBytes, verify as cryptoVerify, constants as cryptoConstants,
} from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as K from '../src/pkcs11/constants.js';
import { silentLogger } from '../src/rpc/log.js';
import { RpcServer, serverAddress, workerExecutors } from '../src/rpc/server.js';
import { findP11KitClient } from '../src/cli/serve.js';
import { FAST_KDF } from './helpers.js';
import { MECHS, need } from './rpc-support.js';

const MODULE = findP11KitClient();
const onPath = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const HAVE_TOOL = onPath('pkcs11-tool');
const HAVE_P11TOOL = onPath('p11tool');
const HAVE_OPENSSL = onPath('openssl');
const skipAll = !MODULE ? 'p11-kit-client.so is not installed (apt-get install p11-kit-modules)'
  : !HAVE_TOOL ? 'pkcs11-tool is not installed (apt-get install opensc)' : false;

const SO_PIN = '87654321';
const PIN = '123456';
const NEW_PIN = '654321';
const LABEL = 'e2e token';

const distRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const distUrl = (p: string) => pathToFileURL(join(distRoot, p)).href;
const commanderUrl = pathToFileURL(createRequire(import.meta.url).resolve('commander')).href;

/** pkcs11js (a devDependency with a native addon), if it loads here: the path to require it by. */
function pkcs11jsPath(): string | undefined {
  const require = createRequire(import.meta.url);
  try {
    const path = require.resolve('pkcs11js');
    require(path);
    return path;
  } catch {
    return undefined;
  }
}
const PKCS11JS = pkcs11jsPath();


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

  it('lists the mechanisms the client can carry, each one the token offers, with its flags (-M)', async (t) => {
    const r = await onToken('-M');
    ok(r, '-M');
    // "  NAME, keySize={min,max}, flag, flag, ..." (mechanisms pkcs11-tool has no name for: "mechtype-0x...")
    const shown = new Map<string, string[]>();
    for (const line of r.stdout.toString().split('\n')) {
      const m = /^ {2}(\S[^,]*)(?:, (.*))?$/.exec(line);
      if (m) shown.set(m[1]!, (m[2] ?? '').split(', ').filter(Boolean));
    }
    assert.ok(shown.size > 0, `no mechanism in\n${r.stdout.toString()}`);
    // pkcs11-tool's names are ours without CKM_ and with '-' for '_' (every alias counts: EC/ECDSA_KEY_PAIR_GEN).
    const ours = new Set(Object.entries(K).filter(([n, v]) => n.startsWith('CKM_') && typeof v === 'number' && MECHS.has(v))
      .map(([n]) => n.slice(4).replace(/_/g, '-')));
    for (const name of shown.keys()) {
      const hex = /^mechtype-0x([0-9a-f]+)$/i.exec(name);
      assert.ok(hex ? MECHS.has(parseInt(hex[1]!, 16)) : ours.has(name), `-M shows ${name}, which the token does not offer`);
    }
    const expected: [number, string, string[]][] = [
      [K.CKM_RSA_PKCS_KEY_PAIR_GEN, 'RSA-PKCS-KEY-PAIR-GEN', ['generate_key_pair']],
      [K.CKM_RSA_PKCS, 'RSA-PKCS', ['encrypt', 'decrypt', 'sign', 'verify']],
      [K.CKM_RSA_PKCS_OAEP, 'RSA-PKCS-OAEP', ['encrypt', 'decrypt']],
      [K.CKM_RSA_PKCS_PSS, 'RSA-PKCS-PSS', ['sign', 'verify']],
      [K.CKM_SHA256_RSA_PKCS, 'SHA256-RSA-PKCS', ['sign', 'verify']],
      [K.CKM_EC_KEY_PAIR_GEN, 'ECDSA-KEY-PAIR-GEN', ['generate_key_pair']],
      [K.CKM_ECDSA, 'ECDSA', ['sign', 'verify']],
      [K.CKM_SHA256, 'SHA256', ['digest']],
      [K.CKM_SHA256_HMAC, 'SHA256-HMAC', ['sign', 'verify']],
      [K.CKM_AES_KEY_GEN, 'AES-KEY-GEN', ['generate']],
      [K.CKM_AES_ECB, 'AES-ECB', ['encrypt', 'decrypt']],
    ];
    for (const [mech, name, flags] of expected) {
      if (!MECHS.has(mech)) continue;
      const got = shown.get(name);
      assert.ok(got, `-M lacks ${name}:\n${r.stdout.toString()}`);
      for (const f of flags) assert.ok(got.includes(f), `${name}: no "${f}" among ${got.join(', ')}`);
    }
    t.diagnostic(`the client shows ${shown.size} of the token's ${MECHS.size} mechanisms (it drops those whose parameters it cannot carry)`);
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

  // ---- encryption, object listing and deletion, pkcs11-tool's self-test ------------------

  const oaep = rsa || need(K.CKM_RSA_PKCS_OAEP);
  const OAEP_SHA256 = ['-m', 'RSA-PKCS-OAEP', '--hash-algorithm', 'SHA256', '--mgf', 'MGF1-SHA256'];
  const OAEP_SHA1 = ['-m', 'RSA-PKCS-OAEP', '--hash-algorithm', 'SHA-1', '--mgf', 'MGF1-SHA1'];
  const plaintext = Buffer.from('a secret that crossed p11-kit\n');

  /** pkcs11-tool --decrypt of `ciphertext` with key `id`; the plaintext comes out on stdout. */
  async function decrypt(id: string, mech: string[], ciphertext: Buffer, name: string): Promise<Run> {
    const file = join(dir, `ct-${name}`);
    writeFileSync(file, ciphertext);
    return onToken(...login, '--decrypt', '--id', id, ...mech, '--input-file', file);
  }

  /** RSA-OAEP (SHA-256) encryption by the token through p11-kit-client.so, from a pkcs11js client in another process. */
  async function encryptWithPkcs11js(id: string, data: Buffer): Promise<Buffer> {
    const script = join(dir, 'oaep-encrypt.mjs');
    writeFileSync(script, `
import { createRequire } from 'node:module';
const P = createRequire(import.meta.url)(${JSON.stringify(PKCS11JS)});
const [module, label, id, hex] = process.argv.slice(2);
const p = new P.PKCS11();
p.load(module);
p.C_Initialize({ flags: P.CKF_OS_LOCKING_OK });
try {
  const slot = p.C_GetSlotList(true).find((s) => p.C_GetTokenInfo(s).label.trim() === label);
  const h = p.C_OpenSession(slot, P.CKF_SERIAL_SESSION);
  p.C_FindObjectsInit(h, [{ type: P.CKA_CLASS, value: P.CKO_PUBLIC_KEY }, { type: P.CKA_ID, value: Buffer.from(id, 'hex') }]);
  const [key] = p.C_FindObjects(h, 1);
  p.C_FindObjectsFinal(h);
  const params = { type: P.CK_PARAMS_RSA_OAEP, hashAlg: P.CKM_SHA256, mgf: P.CKG_MGF1_SHA256, source: 1 };
  p.C_EncryptInit(h, { mechanism: P.CKM_RSA_PKCS_OAEP, parameter: params }, key);
  process.stdout.write(p.C_Encrypt(h, Buffer.from(hex, 'hex'), Buffer.alloc(1024)));
} finally {
  p.C_Finalize();
  p.close();
}
`);
    const r = await run(process.execPath, [script, MODULE!, LABEL, id, data.toString('hex')]);
    ok(r, 'pkcs11js C_Encrypt (RSA-PKCS-OAEP)');
    return r.stdout;
  }

  it('encrypts on the token and decrypts with pkcs11-tool (RSA-PKCS-OAEP, SHA-256)', { skip: oaep }, async (t) => {
    const inFile = join(dir, 'oaep-plain');
    writeFileSync(inFile, plaintext);
    let ciphertext: Buffer;
    const enc = await onToken(...login, '--encrypt', '--id', '01', ...OAEP_SHA256, '--input-file', inFile);
    if (enc.code === 0) {
      ciphertext = enc.stdout;
    } else {
      // OpenSC before 0.24 encrypts with secret keys only ("Secret key not found"): the token
      // encrypts through another client of the same module then.
      assert.match(enc.stderr, /Secret key not found/, `--encrypt RSA-PKCS-OAEP: exit ${enc.code}\n${enc.stderr}`);
      if (!PKCS11JS) return t.skip('this pkcs11-tool encrypts with secret keys only, and pkcs11js does not load');
      t.diagnostic('this pkcs11-tool encrypts with secret keys only: encrypted through pkcs11js instead');
      ciphertext = await encryptWithPkcs11js('01', plaintext);
    }
    assert.equal(ciphertext.length, 256, 'one RSA-2048 block');
    const again = PKCS11JS ? await encryptWithPkcs11js('01', plaintext) : undefined;
    if (again) assert.notDeepEqual(again, ciphertext, 'OAEP is randomized');
    for (const [i, ct] of [ciphertext, again].entries()) {
      if (!ct) continue;
      const dec = await decrypt('01', OAEP_SHA256, ct, `token-${i}`);
      ok(dec, '--decrypt RSA-PKCS-OAEP');
      assert.deepEqual(dec.stdout, plaintext);
    }
  });

  it('decrypts what openssl encrypted with the exported public key (RSA-PKCS-OAEP, SHA-256 and SHA-1)', { skip: oaep }, async () => {
    const pubFile = join(dir, 'pub-01.der');
    ok(await onToken('--read-object', '--type', 'pubkey', '--id', '01', '--output-file', pubFile), 'export the public key');
    const inFile = join(dir, 'oaep-plain');
    writeFileSync(inFile, plaintext);
    const encrypt = async (name: string, md: 'sha256' | 'sha1'): Promise<Buffer> => {
      if (!HAVE_OPENSSL) {
        return publicEncrypt({ key: createPublicKey({ key: readFileSync(pubFile), format: 'der', type: 'spki' }), padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING, oaepHash: md }, plaintext);
      }
      const out = join(dir, `ct-openssl-${name}`);
      ok(await run('openssl', ['pkeyutl', '-encrypt', '-pubin', '-keyform', 'DER', '-inkey', pubFile, '-pkeyopt', 'rsa_padding_mode:oaep',
        '-pkeyopt', `rsa_oaep_md:${md}`, '-pkeyopt', `rsa_mgf1_md:${md}`, '-in', inFile, '-out', out]), `openssl pkeyutl -encrypt (OAEP ${md})`);
      return readFileSync(out);
    };
    const ct256 = await encrypt('sha256', 'sha256');
    const dec256 = await decrypt('01', OAEP_SHA256, ct256, 'openssl-sha256');
    ok(dec256, '--decrypt RSA-PKCS-OAEP SHA256');
    assert.deepEqual(dec256.stdout, plaintext);

    const ct1 = await encrypt('sha1', 'sha1');
    const dec1 = await decrypt('01', OAEP_SHA1, ct1, 'openssl-sha1');
    ok(dec1, '--decrypt RSA-PKCS-OAEP SHA-1');
    assert.deepEqual(dec1.stdout, plaintext);

    // The wrong hash must not decrypt (CKR_ENCRYPTED_DATA_INVALID; pkcs11-tool then tries the multi-part form, which OAEP lacks).
    const wrong = await decrypt('01', OAEP_SHA256, ct1, 'openssl-sha1-as-sha256');
    assert.notEqual(wrong.code, 0, 'SHA-1 ciphertext decrypted with SHA-256 parameters');
    assert.ok(!wrong.stdout.includes(plaintext), 'no plaintext out of a wrong decryption');
  });

  const aes = need(K.CKM_AES_KEY_GEN, K.CKM_AES_ECB);
  const aesKey = randomBytes(32);
  const blocks = randomBytes(64);

  it('encrypts and decrypts with AES-ECB (a generated key, and an imported one checked against openssl)', { skip: aes }, async () => {
    const gen = await onToken(...login, '--keygen', '--key-type', 'AES:32', '--id', '10', '--label', 'aes key');
    ok(gen, '--keygen AES:32');
    assert.match(gen.stdout.toString(), /Secret Key Object; AES length 32/);
    const keyFile = join(dir, 'aes.key');
    writeFileSync(keyFile, aesKey);
    const imp = await onToken(...login, '--write-object', keyFile, '--type', 'secrkey', '--key-type', 'AES:32', '--id', '11',
      '--label', 'aes imported', '--usage-decrypt');
    ok(imp, '--write-object secrkey AES:32');
    const inFile = join(dir, 'aes-plain');
    writeFileSync(inFile, blocks);

    for (const id of ['10', '11']) {
      const enc = await onToken(...login, '--encrypt', '--id', id, '-m', 'AES-ECB', '--input-file', inFile);
      ok(enc, `--encrypt AES-ECB with key ${id}`);
      assert.equal(enc.stdout.length, blocks.length);
      assert.notDeepEqual(enc.stdout, blocks);
      if (id === '11') {
        const cipher = createCipheriv('aes-256-ecb', aesKey, null).setAutoPadding(false);
        assert.deepEqual(enc.stdout, Buffer.concat([cipher.update(blocks), cipher.final()]), 'Node agrees');
        if (HAVE_OPENSSL) {
          const ossl = await run('openssl', ['enc', '-aes-256-ecb', '-nopad', '-K', aesKey.toString('hex'), '-in', inFile]);
          ok(ossl, 'openssl enc -aes-256-ecb');
          assert.deepEqual(enc.stdout, ossl.stdout, 'openssl agrees');
        }
      }
      const ctFile = join(dir, `aes-ct-${id}`);
      writeFileSync(ctFile, enc.stdout);
      const dec = await onToken(...login, '--decrypt', '--id', id, '-m', 'AES-ECB', '--input-file', ctFile);
      ok(dec, `--decrypt AES-ECB with key ${id}`);
      assert.deepEqual(dec.stdout, blocks);
    }
  });

  /** --list-objects output, one entry per object: its heading and its "label:" line. */
  function listedObjects(out: string): { kind: string; label: string | undefined; id: string | undefined }[] {
    return out.split(/\n(?=\S)/).filter((b) => /Object;/.test(b)).map((b) => ({
      kind: b.split('\n')[0]!.trim(),
      label: /^\s+label:\s+(.*)$/m.exec(b)?.[1]?.trim(),
      id: /^\s+ID:\s+(\S+)$/m.exec(b)?.[1],
    }));
  }

  it('lists the objects (--list-objects), the private ones only after login', { skip: rsa }, async () => {
    const r = await onToken(...login, '--list-objects');
    ok(r, '--list-objects');
    const objects = listedObjects(r.stdout.toString());
    const has = (kind: RegExp, label: string) => objects.some((o) => kind.test(o.kind) && o.label === label);
    assert.ok(has(/^Public Key Object; RSA 2048 bits/, 'rsa key'), r.stdout.toString());
    assert.ok(has(/^Private Key Object; RSA/, 'rsa key'), r.stdout.toString());
    if (!need(K.CKM_EC_KEY_PAIR_GEN)) {
      assert.ok(has(/^Public Key Object; EC/, 'ec key'), r.stdout.toString());
      assert.ok(has(/^Private Key Object; EC/, 'ec key'), r.stdout.toString());
    }
    if (!aes) {
      assert.ok(has(/^Secret Key Object; AES length 32/, 'aes key'), r.stdout.toString());
      assert.ok(has(/^Secret Key Object; AES length 32/, 'aes imported'), r.stdout.toString());
    }
    const anonymous = await onToken('--list-objects');
    ok(anonymous, '--list-objects without login');
    const seen = listedObjects(anonymous.stdout.toString());
    assert.ok(seen.some((o) => /^Public Key Object; RSA/.test(o.kind) && o.label === 'rsa key'), 'public objects are listed without login');
    assert.ok(!seen.some((o) => /^Private Key Object/.test(o.kind)), `private keys listed without login:\n${anonymous.stdout.toString()}`);
  });

  it('deletes an object (--delete-object): it disappears, the others stay', { skip: aes }, async () => {
    ok(await onToken(...login, '--delete-object', '--type', 'secrkey', '--id', '11'), '--delete-object');
    const r = await onToken(...login, '--list-objects');
    ok(r, '--list-objects');
    const objects = listedObjects(r.stdout.toString());
    assert.ok(!objects.some((o) => o.label === 'aes imported' || o.id === '11'), `the deleted key is still listed:\n${r.stdout.toString()}`);
    assert.ok(objects.some((o) => o.label === 'aes key'), 'the other AES key is still there');
    const use = await onToken(...login, '--encrypt', '--id', '11', '-m', 'AES-ECB', '--input-file', join(dir, 'aes-plain'));
    assert.notEqual(use.code, 0, 'the deleted key still encrypts');
    assert.match(use.stderr, /not found/i);
  });

  it('passes pkcs11-tool\'s self-test (--test --login), also with software mechanisms allowed (--allow-sw)', async (t) => {
    for (const extra of [[], ['--allow-sw']]) {
      const r = await onToken(...login, '--test', ...extra);
      const out = r.stdout.toString() + r.stderr;
      ok(r, `--test ${extra.join(' ')}`);
      const counts = [...out.matchAll(/(\d+) errors?/g)].map((m) => Number(m[1]));
      assert.ok(counts.every((n) => n === 0), `--test ${extra.join(' ')} reports errors:\n${out}`);
      assert.match(out, /No errors/, out);
      assert.doesNotMatch(out, /^\s*(ERR|error):/m, out);
      if (!rsa && extra.length) assert.match(out, /Signatures \(currently only for RSA\)[\s\S]*RSA-PKCS: OK/, 'the signature test ran');
      if (!oaep) assert.match(out, /Decryption[\s\S]*RSA-PKCS-OAEP:[^\n]*\n?OK/, 'the OAEP decryption test ran');
      t.diagnostic(`--test ${extra.join(' ')}: ${out.split('\n').filter((l) => /OK|skipping|not implemented/.test(l)).length} lines of results`);
    }
  });

  it('leaves no connection open', async () => {
    for (let i = 0; i < 200 && server.connectionCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(server.connectionCount, 0);
    assert.ok(existsSync(socket));
  });
});

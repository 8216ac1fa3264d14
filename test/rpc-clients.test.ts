/**
 * End to end with GnuTLS: our server on a temporary unix socket (worker
 * executor, a SqliteStore in a temporary directory), used by `p11tool
 * --provider p11-kit-client.so` as a GnuTLS user would: token creation,
 * listings, key generation, export, signing. Signatures made by the token are
 * checked by `openssl` with the public key p11tool exported; pkcs11-tool
 * signs where p11tool has no command to.
 *
 * Skipped when the client module or p11tool is not installed (Debian:
 * apt-get install p11-kit-modules gnutls-bin; opensc and openssl for the
 * cross-checks). PINs go to p11tool through GNUTLS_PIN and GNUTLS_SO_PIN.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createHash, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as K from '../src/pkcs11/constants.js';
import { silentLogger } from '../src/rpc/log.js';
import { RpcServer, serverAddress, workerExecutors } from '../src/rpc/server.js';
import { findP11KitClient } from '../src/cli/serve.js';
import { FAST_KDF } from './helpers.js';
import { MECHS, need } from './rpc-support.js';

const MODULE = findP11KitClient();
const onPath = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const HAVE_P11TOOL = onPath('p11tool');
const HAVE_PKCS11_TOOL = onPath('pkcs11-tool');
const HAVE_OPENSSL = onPath('openssl');
const skipAll = !MODULE ? 'p11-kit-client.so is not installed (apt-get install p11-kit-modules)'
  : !HAVE_P11TOOL ? 'p11tool is not installed (apt-get install gnutls-bin)' : false;
const crossCheck = !HAVE_PKCS11_TOOL ? 'pkcs11-tool is not installed (apt-get install opensc)'
  : !HAVE_OPENSSL ? 'openssl is not installed (apt-get install openssl)' : false;

const SO_PIN = '87654321';
const PIN = '123456';
const LABEL = 'gnutls-token';
const TOKEN_URL = `pkcs11:token=${LABEL}`;

const ec = need(K.CKM_EC_KEY_PAIR_GEN, K.CKM_ECDSA);
const rsa = need(K.CKM_RSA_PKCS_KEY_PAIR_GEN, K.CKM_RSA_PKCS, K.CKM_SHA256_RSA_PKCS);

interface Run { code: number; stdout: Buffer; stderr: string }

/** p11tool's --list-all entries: "Object N:" blocks with their fields. */
function listedObjects(out: string): Record<string, string>[] {
  return out.split(/\n(?=Object \d+:)/).filter((b) => /^Object \d+:/.test(b)).map((b) => {
    const fields: Record<string, string> = {};
    for (const m of b.matchAll(/^\t(\w[\w ]*): (.*)$/gm)) fields[m[1]!] = m[2]!.trim();
    return fields;
  });
}

describe('GnuTLS p11tool through p11-kit-client.so', { skip: skipAll }, () => {
  let dir: string;
  let socket: string;
  let server: RpcServer;
  let env: NodeJS.ProcessEnv;

  const run = (cmd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> =>
    new Promise((res) => {
      const child = execFile(cmd, args, { env: { ...env, ...extraEnv }, encoding: 'buffer', timeout: 120_000, maxBuffer: 1 << 24 },
        (error, stdout, stderr) => res({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: stdout as Buffer, stderr: (stderr as Buffer).toString(),
        }));
      child.stdin!.end();
    });
  const p11tool = (...args: string[]) => run('p11tool', ['--provider', MODULE!, ...args]);
  const ok = (r: Run, what: string) => assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stdout.toString()}\n${r.stderr}`);
  const text = (r: Run) => r.stdout.toString();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cryptoki-gnutls-'));
    socket = join(dir, 'pkcs11.sock');
    server = new RpcServer({ createExecutor: workerExecutors({ storePath: join(dir, 'tokens.db'), cryptoki: { kdf: FAST_KDF } }), logger: silentLogger });
    await server.listen(socket);
    env = { ...process.env, P11_KIT_SERVER_ADDRESS: serverAddress(socket), GNUTLS_PIN: PIN, GNUTLS_SO_PIN: SO_PIN };
    delete env.P11_KIT_DEBUG;
    delete env.GNUTLS_DEBUG_LEVEL;
  });
  after(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates a token on the free slot and sets its user PIN (--initialize, --initialize-pin)', async () => {
    // A fresh store has just the free slot: the manufacturer is enough to name it.
    const init = await p11tool('--batch', '--initialize', '--label', LABEL, 'pkcs11:manufacturer=cryptoki-ts');
    ok(init, '--initialize');
    assert.match(text(init) + init.stderr, /Token was successfully initialized/);
    const pin = await p11tool('--batch', '--initialize-pin', TOKEN_URL);
    ok(pin, '--initialize-pin');
    assert.match(text(pin) + pin.stderr, /Setting user's PIN/);
  });

  it('lists the token (--list-tokens, --list-token-urls)', async () => {
    const r = await p11tool('--list-tokens');
    ok(r, '--list-tokens');
    const out = text(r);
    assert.match(out, new RegExp(`Label: ${LABEL}\\n`));
    assert.match(out, /Manufacturer: cryptoki-ts/);
    const flags = /^\tFlags: (.*)$/m.exec(out)?.[1] ?? '';
    assert.match(flags, /Requires login/, out);
    assert.doesNotMatch(flags, /uPIN uninitialized|Uninitialized/, `the user PIN is set: ${flags}`);
    const urls = await p11tool('--list-token-urls');
    ok(urls, '--list-token-urls');
    assert.match(text(urls), new RegExp(`^pkcs11:.*manufacturer=cryptoki-ts;.*token=${LABEL}$`, 'm'));
  });

  it('lists mechanisms by code, each one the token offers (--list-mechanisms)', async () => {
    const r = await p11tool('--list-mechanisms', TOKEN_URL);
    ok(r, '--list-mechanisms');
    const codes = [...text(r).matchAll(/^\[0x([0-9a-f]+)\] (\S+)/gim)].map((m) => ({ code: parseInt(m[1]!, 16), name: m[2]! }));
    assert.ok(codes.length > 0, text(r));
    for (const { code, name } of codes) assert.ok(MECHS.has(code), `${name} (0x${code.toString(16)}) is listed, and the token does not offer it`);
    for (const m of [K.CKM_RSA_PKCS_KEY_PAIR_GEN, K.CKM_RSA_PKCS, K.CKM_EC_KEY_PAIR_GEN, K.CKM_ECDSA, K.CKM_SHA256]) {
      if (MECHS.has(m)) assert.ok(codes.some((c) => c.code === m), `0x${m.toString(16)} is missing:\n${text(r)}`);
    }
  });

  it('refuses a wrong PIN from GNUTLS_PIN (--login --list-all --batch)', async () => {
    const r = await run('p11tool', ['--provider', MODULE!, '--batch', '--login', '--list-all', TOKEN_URL], { GNUTLS_PIN: '000000' });
    assert.notEqual(r.code, 0);
    assert.match(text(r) + r.stderr, /wrong (PIN|password)/i);
  });

  const ecPub = () => join(dir, 'gnutls-key.gen.pem');

  it('generates an ECDSA P-256 key pair (--generate-privkey ECDSA --curve secp256r1 --label gnutls-key)', { skip: ec }, async () => {
    const r = await p11tool('--batch', '--login', '--generate-privkey', 'ECDSA', '--curve', 'secp256r1', '--label', 'gnutls-key',
      '--outfile', ecPub(), TOKEN_URL);
    ok(r, '--generate-privkey ECDSA');
    const pub = createPublicKey(readFileSync(ecPub()));
    assert.equal(pub.asymmetricKeyType, 'ec');
    assert.equal(pub.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  });

  let ecId = '';

  it('lists the key pair (--list-all), the private key only after login', { skip: ec }, async () => {
    const r = await p11tool('--batch', '--login', '--list-all', TOKEN_URL);
    ok(r, '--login --list-all');
    const objects = listedObjects(text(r)).filter((o) => o.Label === 'gnutls-key');
    const pub = objects.find((o) => /^Public key \(EC\/ECDSA-SECP256R1\)$/.test(o.Type ?? ''));
    const priv = objects.find((o) => /^Private key \(EC\/ECDSA-SECP256R1\)$/.test(o.Type ?? ''));
    assert.ok(pub && priv, `no EC key pair labelled gnutls-key:\n${text(r)}`);
    assert.equal(pub.ID, priv.ID, 'the two halves share their CKA_ID');
    for (const flag of ['CKA_PRIVATE', 'CKA_SENSITIVE', 'CKA_NEVER_EXTRACTABLE']) assert.match(priv.Flags ?? '', new RegExp(flag), priv.Flags);
    assert.match(pub.URL ?? '', /;type=public$/);
    ecId = (priv.ID ?? '').replace(/:/g, '');
    assert.match(ecId, /^[0-9a-f]+$/);

    const anonymous = await p11tool('--list-all', TOKEN_URL);
    ok(anonymous, '--list-all without login');
    const seen = listedObjects(text(anonymous));
    assert.ok(seen.some((o) => o.Label === 'gnutls-key' && /^Public key/.test(o.Type ?? '')), text(anonymous));
    assert.ok(!seen.some((o) => /^Private key/.test(o.Type ?? '')), `a private key is listed without login:\n${text(anonymous)}`);
  });

  const ecUrl = `${TOKEN_URL};object=gnutls-key;type=private`;
  const ecExported = () => join(dir, 'gnutls-key.pem');

  it('exports the public key of the private key (--export-pubkey), the one generation printed', { skip: ec }, async () => {
    const r = await p11tool('--batch', '--login', '--export-pubkey', ecUrl, '--outfile', ecExported());
    ok(r, '--export-pubkey');
    const exported = createPublicKey(readFileSync(ecExported()));
    assert.deepEqual(exported.export({ format: 'der', type: 'spki' }), createPublicKey(readFileSync(ecPub())).export({ format: 'der', type: 'spki' }));
  });

  it('signs and verifies in GnuTLS (--test-sign)', { skip: ec }, async () => {
    const r = await p11tool('--batch', '--login', '--test-sign', ecUrl);
    ok(r, '--test-sign');
    const out = text(r) + r.stderr;
    assert.match(out, /Signing using ECDSA[^.]*\.\.\. ok/, out);
    assert.match(out, /Verifying against public key in the token\.\.\. ok/, out);
  });

  it('makes an ECDSA signature that openssl verifies with the exported key (pkcs11-tool -m ECDSA over openssl dgst -sha256)', { skip: ec || crossCheck }, async () => {
    const data = join(dir, 'to-sign.txt');
    const hash = join(dir, 'to-sign.sha256');
    const sig = join(dir, 'to-sign.sig');
    const message = Buffer.from('signed by cryptoki-ts, verified by openssl\n');
    writeFileSync(data, message);
    ok(await run('openssl', ['dgst', '-sha256', '-binary', '-out', hash, data]), 'openssl dgst -sha256 -binary');
    assert.deepEqual(readFileSync(hash), createHash('sha256').update(message).digest());
    // pkcs11-tool picks the signing key by --id (OpenSC 0.23 ignores --label there).
    ok(await run('pkcs11-tool', ['--module', MODULE!, '--token-label', LABEL, '--login', '--pin', PIN, '--sign', '-m', 'ECDSA',
      '--id', ecId, '--signature-format', 'openssl', '--input-file', hash, '--output-file', sig]), 'pkcs11-tool --sign -m ECDSA');
    assert.equal(readFileSync(sig)[0], 0x30, 'a DER SEQUENCE (--signature-format openssl)');

    const dgst = await run('openssl', ['dgst', '-sha256', '-verify', ecExported(), '-signature', sig, data]);
    ok(dgst, 'openssl dgst -verify');
    assert.match(text(dgst), /Verified OK/);
    const pkeyutl = await run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', ecExported(), '-in', hash, '-sigfile', sig]);
    ok(pkeyutl, 'openssl pkeyutl -verify');
    assert.match(text(pkeyutl), /Signature Verified Successfully/);
    assert.ok(cryptoVerify('sha256', message, createPublicKey(readFileSync(ecExported())), readFileSync(sig)), "Node's crypto agrees");

    const other = join(dir, 'not-signed.txt');
    writeFileSync(other, Buffer.from('signed by cryptoki-ts, verified by openssl!\n'));
    const bad = await run('openssl', ['dgst', '-sha256', '-verify', ecExported(), '-signature', sig, other]);
    assert.notEqual(bad.code, 0, 'openssl accepts the signature over other data');
    assert.match(text(bad) + bad.stderr, /Verification failure/i);
  });

  const rsaUrl = `${TOKEN_URL};object=gnutls-rsa;type=private`;

  it('generates an RSA 2048 key pair and signs with it (--generate-privkey RSA --bits 2048, --test-sign)', { skip: rsa }, async () => {
    const pubFile = join(dir, 'gnutls-rsa.gen.pem');
    const gen = await p11tool('--batch', '--login', '--generate-privkey', 'RSA', '--bits', '2048', '--label', 'gnutls-rsa', '--outfile', pubFile, TOKEN_URL);
    ok(gen, '--generate-privkey RSA');
    const pub = createPublicKey(readFileSync(pubFile));
    assert.equal(pub.asymmetricKeyType, 'rsa');
    assert.equal(pub.asymmetricKeyDetails?.modulusLength, 2048);
    const r = await p11tool('--batch', '--login', '--test-sign', rsaUrl);
    ok(r, '--test-sign RSA');
    assert.match(text(r) + r.stderr, /Verifying against public key in the token\.\.\. ok/);
  });

  it('makes an RSA signature that openssl verifies with the exported key (pkcs11-tool -m SHA256-RSA-PKCS)', { skip: rsa || crossCheck }, async () => {
    const pem = join(dir, 'gnutls-rsa.pem');
    ok(await p11tool('--batch', '--login', '--export-pubkey', rsaUrl, '--outfile', pem), '--export-pubkey RSA');
    const list = await p11tool('--batch', '--login', '--list-all', `${TOKEN_URL};object=gnutls-rsa`);
    ok(list, '--list-all');
    const id = (listedObjects(text(list)).find((o) => /^Private key/.test(o.Type ?? ''))?.ID ?? '').replace(/:/g, '');
    assert.match(id, /^[0-9a-f]+$/, text(list));
    const data = join(dir, 'rsa-signed.txt');
    const sig = join(dir, 'rsa-signed.sig');
    writeFileSync(data, Buffer.from('an RSA signature from the token\n'));
    ok(await run('pkcs11-tool', ['--module', MODULE!, '--token-label', LABEL, '--login', '--pin', PIN, '--sign', '-m', 'SHA256-RSA-PKCS',
      '--id', id, '--input-file', data, '--output-file', sig]), 'pkcs11-tool --sign -m SHA256-RSA-PKCS');
    const v = await run('openssl', ['dgst', '-sha256', '-verify', pem, '-signature', sig, data]);
    ok(v, 'openssl dgst -verify');
    assert.match(text(v), /Verified OK/);
  });

  it('deletes the RSA key pair (--delete): it disappears, the EC key stays', { skip: rsa }, async () => {
    const r = await p11tool('--batch', '--login', '--delete', `${TOKEN_URL};object=gnutls-rsa`);
    ok(r, '--delete');
    assert.match(text(r) + r.stderr, /2 objects deleted/);
    const list = await p11tool('--batch', '--login', '--list-all', TOKEN_URL);
    const objects = listedObjects(text(list));
    assert.ok(!objects.some((o) => o.Label === 'gnutls-rsa'), `still listed:\n${text(list)}`);
    if (!ec) assert.ok(objects.some((o) => o.Label === 'gnutls-key'), 'the EC key is still there');
  });

  it('leaves no connection open', async () => {
    for (let i = 0; i < 200 && server.connectionCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(server.connectionCount, 0);
    assert.ok(existsSync(socket));
  });
});

/**
 * Our PKCS#11 module, native/build/libcryptoki.so, end to end: built with
 * the machine's compiler, loaded by pkcs11-tool, OpenSSL (libp11's engine)
 * and C test programs, each starting its private token server over a pipe
 * (`cryptoki serve --stdio`) on a temporary store. The C programs also run
 * under ASan+UBSan and TSan, and against a malicious server.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FUNCTIONS_3_2 } from '../src/pkcs11/functions.js';
import { buildNative, NATIVE, NativeEnv, PIN, ROOT, SO_PIN } from './native-support.js';

let lib = '';
let build = '';

/** pkcs11-tool on our module in `env`. */
function tool(env: NativeEnv, ...args: string[]): string {
  return env.ok('pkcs11-tool', ['--module', lib, ...args]);
}

function initToken(env: NativeEnv, label: string): void {
  tool(env, '--init-token', '--slot', '1', '--label', label, '--so-pin', SO_PIN);
  tool(env, '--login', '--login-type', 'so', '--so-pin', SO_PIN, '--init-pin', '--pin', PIN);
}

before(() => {
  build = buildNative('', ['libcryptoki.so', 'test_crypto', 'test_params', 'test_basic', 'test_threads']);
  lib = join(build, 'libcryptoki.so');
});

describe('native module: build and interface', () => {
  it('exports the 104 functions of PKCS#11 3.2 in the order of the 3.2 function list', () => {
    const header = readFileSync(join(NATIVE, 'include', 'ck-functions.h'), 'utf8');
    const names = [...header.matchAll(/CK_FN\((C_\w+),/g)].map((m) => m[1]);
    assert.deepEqual(names, [...FUNCTIONS_3_2]);
    const env = new NativeEnv();
    try {
      const symbols = env.ok('nm', ['-D', '--defined-only', lib]).split('\n').filter((l) => / T C_/.test(l)).map((l) => l.split(' ').pop());
      assert.deepEqual(symbols.sort(), [...FUNCTIONS_3_2].sort());
    } finally {
      env.cleanup();
    }
  });

  it('has its constants header generated from src/pkcs11/constants.ts, up to date', () => {
    const env = new NativeEnv();
    try {
      env.ok(process.execPath, [join(ROOT, 'scripts', 'gen-native-header.mjs'), '--check']);
    } finally {
      env.cleanup();
    }
  });
});

describe('native module with pkcs11-tool', () => {
  const env = new NativeEnv();
  const file = (name: string) => join(env.dir, name);
  const user = (...args: string[]) => tool(env, '--login', '--pin', PIN, ...args);
  before(() => {
    writeFileSync(file('msg.txt'), 'a message signed and encrypted through libcryptoki.so\n');
  });
  after(() => env.cleanup());

  it('lists the free slot, initializes a token and its user PIN', () => {
    assert.match(tool(env, '-I'), /Cryptoki version 3\.2/);
    assert.match(tool(env, '-L'), /token state:\s+uninitialized/);
    initToken(env, 'native');
    assert.match(tool(env, '-L'), /token label\s+: native/);
  });

  it('shows the mechanisms the stock p11-kit client cannot carry', () => {
    const m = tool(env, '-M');
    for (const name of ['EDDSA', 'SHA3-256', 'AES-KEY-WRAP', 'AES-GCM', 'ECDSA-SHA256', 'AES-CBC-PAD']) assert.match(m, new RegExp(`\\b${name}\\b`));
  });

  it('--test --login: no errors, also with an RSA key to sign, verify and decrypt with (OpenSC runs its Signatures section only for CKF_HW mechanisms; its Verify section signs)', () => {
    assert.match(user('--test'), /No errors/);
    user('--keypairgen', '--key-type', 'rsa:2048', '--label', 'rsa', '--id', '09');
    const out = user('--test');
    assert.match(out, /No errors/);
    assert.match(out, /Verify \(currently only for RSA\)\s+testing key 0 \(rsa\)\s+RSA-X-509: OK\s+RSA-PKCS: OK\s+SHA1-RSA-PKCS: OK/);
    assert.match(out, /Decryption \(currently only for RSA\)[\s\S]*RSA-PKCS-OAEP[\s\S]*OK/);
  });

  it('Ed25519: key generation and signing; node:crypto verifies the signature', () => {
    user('--keypairgen', '--key-type', 'EC:edwards25519', '--label', 'ed', '--id', '01');
    user('--sign', '-m', 'EDDSA', '--id', '01', '-i', file('msg.txt'), '-o', file('ed.sig'));
    const listing = user('-O', '--type', 'pubkey', '--id', '01');
    const point = /EC_EDWARDS[\s\S]*?EC_POINT:\s+([0-9a-f]{64})\b/.exec(listing)?.[1];
    assert.ok(point, listing);
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(point, 'hex')]);
    const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    const sig = readFileSync(file('ed.sig'));
    assert.equal(sig.length, 64);
    assert.ok(verify(null, readFileSync(file('msg.txt')), key, sig));
    assert.match(user('--verify', '-m', 'EDDSA', '--id', '01', '-i', file('msg.txt'), '--signature-file', file('ed.sig')), /Signature is valid/);
  });

  it('ECDSA-SHA256: sign and verify; openssl verifies too', () => {
    user('--keypairgen', '--key-type', 'EC:prime256v1', '--label', 'ec', '--id', '02');
    user('--sign', '-m', 'ECDSA-SHA256', '--id', '02', '-i', file('msg.txt'), '-o', file('ec.sig'));
    assert.match(user('--verify', '-m', 'ECDSA-SHA256', '--id', '02', '-i', file('msg.txt'), '--signature-file', file('ec.sig')), /Signature is valid/);
    user('--sign', '-m', 'ECDSA-SHA256', '--id', '02', '-i', file('msg.txt'), '-o', file('ec.der.sig'), '--signature-format', 'openssl');
    user('--read-object', '--type', 'pubkey', '--id', '02', '-o', file('ec.pub.der'));
    env.ok('openssl', ['pkey', '-pubin', '-inform', 'DER', '-in', file('ec.pub.der'), '-out', file('ec.pub.pem')]);
    assert.match(env.ok('openssl', ['dgst', '-sha256', '-verify', file('ec.pub.pem'), '-signature', file('ec.der.sig'), file('msg.txt')]), /Verified OK/);
    // A tampered signature is refused.
    const bad = readFileSync(file('ec.sig'));
    bad[5]! ^= 1;
    writeFileSync(file('bad.sig'), bad);
    const r = env.run('pkcs11-tool', ['--module', lib, '--login', '--pin', PIN, '--verify', '-m', 'ECDSA-SHA256', '--id', '02',
      '-i', file('msg.txt'), '--signature-file', file('bad.sig')]);
    assert.match(`${r.stdout}${r.stderr}`, /Invalid signature|CKR_SIGNATURE_INVALID/);
  });

  it('AES-CBC-PAD: encryption and decryption, checked against openssl with a known key', () => {
    const key = createHash('sha256').update('a known AES-256 key').digest();
    writeFileSync(file('aes.key'), key);
    user('--write-object', file('aes.key'), '--type', 'secrkey', '--key-type', 'AES:32', '--label', 'aes', '--id', '03', '--usage-decrypt');
    const iv = '000102030405060708090a0b0c0d0e0f';
    user('--encrypt', '-m', 'AES-CBC-PAD', '--id', '03', '--iv', iv, '-i', file('msg.txt'), '-o', file('ct.bin'));
    const plain = env.ok('openssl', ['enc', '-d', '-aes-256-cbc', '-K', key.toString('hex'), '-iv', iv, '-in', file('ct.bin')]);
    assert.equal(plain, readFileSync(file('msg.txt'), 'utf8'));
    user('--decrypt', '-m', 'AES-CBC-PAD', '--id', '03', '--iv', iv, '-i', file('ct.bin'), '-o', file('pt.txt'));
    assert.deepEqual(readFileSync(file('pt.txt')), readFileSync(file('msg.txt')));
  });

  it('SHA3-256 digest equals node:crypto', () => {
    tool(env, '--hash', '-m', 'SHA3-256', '-i', file('msg.txt'), '-o', file('h.bin'));
    assert.deepEqual(readFileSync(file('h.bin')), createHash('sha3-256').update(readFileSync(file('msg.txt'))).digest());
  });
});

describe('native module from C programs', () => {
  const env = new NativeEnv();
  before(() => initToken(env, 'c-tests'));
  after(() => env.cleanup());

  it('AES-GCM (one-shot and message-based), AES key wrap, ML-DSA-65, ML-KEM-768, length conventions', () => {
    const out = env.ok(join(build, 'test_crypto'), [lib]);
    for (const what of ['AES-GCM encrypt', 'AES-GCM message-based', 'AES key wrap', 'ML-DSA-65', 'ML-KEM-768', 'length queries']) {
      assert.match(out, new RegExp(`ok ${what}`));
    }
    assert.match(out, /all passed/);
  });

  it('every mechanism parameter structure the module encodes reaches the mechanisms (RFC 5869 and RFC 6070 answers)', () => {
    const out = env.ok(join(build, 'test_params'), [lib]);
    for (const what of ['CK_AES_CTR_PARAMS', 'CK_CCM_PARAMS', 'CK_SALSA20_CHACHA20_POLY1305_PARAMS', 'CK_GCM_MESSAGE_PARAMS with a generated IV',
      'CK_MAC_GENERAL_PARAMS', 'CK_HKDF_PARAMS: RFC 5869', 'CK_PKCS5_PBKD2_PARAMS2: RFC 6070', 'CK_SP800_108_KDF_PARAMS', 'CK_ECDH1_DERIVE_PARAMS',
      'CK_EDDSA_PARAMS', 'CK_RSA_PKCS_PSS_PARAMS', 'CK_RSA_PKCS_OAEP_PARAMS']) {
      assert.match(out, new RegExp(`ok ${what}`));
    }
    assert.match(out, /all passed/);
  });

  it('C_Initialize arguments and repeated C_Initialize/C_Finalize', () => {
    assert.match(env.ok(join(build, 'test_basic'), [lib, 'lifecycle']), /ok C_Initialize arguments/);
  });

  it('fork(): the child is not initialized until it says so; the parent is unaffected', () => {
    assert.match(env.ok(join(build, 'test_basic'), [lib, 'fork']), /ok fork/);
  });

  it('8 threads, each with its own session, sign and encrypt for a few seconds', () => {
    assert.match(env.ok(join(build, 'test_threads'), [lib]), /ok 8 threads, \d+ rounds/);
  });

  it('finds a running server by CRYPTOKI_SERVER or its configuration file; a server that dies gives CKR_DEVICE_REMOVED', async () => {
    const socket = join(env.dir, 'server.sock');
    const server: ChildProcess = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'cli', 'main.js'), 'serve', '--socket', socket],
      { env: env.env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('exit', (code) => reject(new Error(`the server exited (${code})`)));
        server.stderr!.on('data', () => existsSync(socket) && resolve());
        server.stdout!.on('data', () => existsSync(socket) && resolve());
      });
      const conf = join(env.dir, 'module.conf');
      writeFileSync(conf, `# cryptoki module\nserver = unix:path=${socket}\n`);
      const viaConf = new NativeEnv({ ...env.env, CRYPTOKI_MODULE_CONF: conf, CRYPTOKI_CLI: '/nonexistent' });
      const dead = new NativeEnv({ ...env.env, CRYPTOKI_SERVER: `unix:path=${socket}`, CRYPTOKI_CLI: '/nonexistent', SERVER_PID: String(server.pid) });
      try {
        // CRYPTOKI_CLI names no entry point, so only the running server can answer.
        assert.match(viaConf.ok('pkcs11-tool', ['--module', lib, '-L']), /token label\s+: c-tests/);
        assert.match(dead.ok(join(build, 'test_basic'), [lib, 'dead']), /ok a dead server/);
      } finally {
        viaConf.cleanup();
        dead.cleanup();
      }
    } finally {
      server.kill('SIGKILL');
    }
  });
});

describe('native module under sanitizers', () => {
  const env = new NativeEnv({ TEST_SECONDS: '2', ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0', UBSAN_OPTIONS: 'print_stacktrace=1' });
  before(() => initToken(env, 'sanitizers'));
  after(() => env.cleanup());

  it('ASan+UBSan: the threads, crypto, parameter and fork programs run clean', () => {
    const dir = buildNative('asan', ['libcryptoki.so', 'test_crypto', 'test_params', 'test_basic', 'test_threads']);
    const asanLib = join(dir, 'libcryptoki.so');
    assert.match(env.ok(join(dir, 'test_threads'), [asanLib]), /ok 8 threads/);
    assert.match(env.ok(join(dir, 'test_crypto'), [asanLib]), /all passed/);
    assert.match(env.ok(join(dir, 'test_params'), [asanLib]), /all passed/);
    assert.match(env.ok(join(dir, 'test_basic'), [asanLib, 'fork']), /ok fork/);
    assert.match(env.ok(join(dir, 'test_basic'), [asanLib, 'lifecycle']), /ok C_Initialize/);
  });

  it('TSan: 8 threads signing and encrypting report no data race', () => {
    const dir = buildNative('tsan', ['libcryptoki.so', 'test_threads', 'test_basic']);
    const tsanLib = join(dir, 'libcryptoki.so');
    const out = env.ok(join(dir, 'test_threads'), [tsanLib]);
    assert.match(out, /ok 8 threads/);
    assert.doesNotMatch(out, /ThreadSanitizer/);
    assert.match(env.ok(join(dir, 'test_basic'), [tsanLib, 'fork']), /ok fork/);
  });

  it('a malicious server cannot crash the application (ASan+UBSan, bounded random responses)', () => {
    const dir = buildNative('asan', ['libcryptoki.so', 'test_fuzz']);
    for (const seed of ['1', '2', '3']) {
      const out = env.ok(join(dir, 'test_fuzz'), [join(dir, 'libcryptoki.so'), '1500', seed]);
      assert.match(out, /ok 1500 rounds against a malicious server/);
      assert.doesNotMatch(out, /answered 0 of/, 'the fuzzer reaches the attribute decoder');
    }
  });
});

describe('native module with OpenSSL (libengine-pkcs11-openssl)', () => {
  // libp11 gives up enumerating a token's keys when it meets an Edwards key, so this token holds an EC key only.
  const env = new NativeEnv();
  after(() => env.cleanup());

  it('signs with a key on our token through the pkcs11 engine; openssl verifies it', () => {
    initToken(env, 'openssl');
    tool(env, '--login', '--pin', PIN, '--keypairgen', '--key-type', 'EC:prime256v1', '--label', 'signer', '--id', '07');
    const msg = join(env.dir, 'msg.bin');
    writeFileSync(msg, 'signed by OpenSSL with a key that never leaves the token');
    writeFileSync(join(env.dir, 'digest.bin'), createHash('sha256').update(readFileSync(msg)).digest());
    const engine = new NativeEnv({ ...env.env, PKCS11_MODULE_PATH: lib });
    try {
      engine.ok('openssl', ['pkeyutl', '-engine', 'pkcs11', '-keyform', 'engine', '-inkey', `pkcs11:object=signer;type=private;pin-value=${PIN}`,
        '-sign', '-in', join(env.dir, 'digest.bin'), '-out', join(env.dir, 'engine.sig')]);
    } finally {
      engine.cleanup();
    }
    tool(env, '--read-object', '--type', 'pubkey', '--id', '07', '-o', join(env.dir, 'pub.der'));
    env.ok('openssl', ['pkey', '-pubin', '-inform', 'DER', '-in', join(env.dir, 'pub.der'), '-out', join(env.dir, 'pub.pem')]);
    assert.match(env.ok('openssl', ['dgst', '-sha256', '-verify', join(env.dir, 'pub.pem'), '-signature', join(env.dir, 'engine.sig'), msg]), /Verified OK/);
  });
});

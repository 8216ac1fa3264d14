/**
 * The `cryptoki` command with OpenSSL on the other side: files made by
 * `openssl` imported (PKCS#12 bundles, encrypted and traditional keys,
 * certificate chains), signatures and ciphertexts checked by `openssl`,
 * exported keys read by `openssl`; and the crypto verbs on files and pipes.
 */
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { CliHome, onPath } from './cli-support.js';

interface ObjectJson { uri: string; type: string; label: string; id: string; kind: string; usage: string[]; subject?: string; attributes: Record<string, unknown> }

const skip = onPath('openssl') ? false : 'openssl is not installed (apt-get install openssl)';

describe('cryptoki with openssl', { skip }, () => {
  let h: CliHome;
  const pin = () => ['--pin-file', h.pin];
  const openssl = (...args: string[]) => {
    const r = h.exec('openssl', args);
    assert.equal(r.code, 0, `openssl ${args.join(' ')}\n${r.stderr}`);
    return r;
  };
  const data = () => h.path('data.txt');

  before(() => {
    h = new CliHome();
    h.ok(['token', 'init', '--label', 'ci', '--so-pin-file', h.soPin, '--pin-file', h.pin]);
    h.file('data.txt', 'signed by the token, checked by openssl\n');
    h.file('p12.pass', 'bundle-pass\n');
    // A CA and a leaf it signed, as openssl makes them.
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem',
      '-subj', '/CN=Test CA', '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE');
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=leaf.example');
    openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '2');
    openssl('pkcs12', '-export', '-inkey', 'leaf.key', '-in', 'leaf.pem', '-certfile', 'ca.pem', '-name', 'server',
      '-out', 'bundle.p12', '-passout', 'pass:bundle-pass');
  });
  after(() => h.cleanup());

  it('imports a PKCS#12 bundle from openssl pkcs12 -export: key, public key and chain, the key and its certificate sharing CKA_ID', () => {
    const made = h.json<ObjectJson[]>(['object', 'import', 'bundle.p12', '--token', 'ci', '--passphrase-file', 'p12.pass', ...pin()]);
    const byType = (t: string) => made.filter((o) => o.type === t);
    assert.equal(byType('private').length, 1);
    assert.equal(byType('public').length, 1);
    assert.equal(byType('cert').length, 2);
    const key = byType('private')[0]!;
    assert.equal(key.label, 'server', 'the bundle\'s friendly name');
    assert.equal(key.kind, 'RSA 2048');
    const leaf = byType('cert').find((c) => c.subject === 'CN=leaf.example')!;
    const ca = byType('cert').find((c) => c.subject === 'CN=Test CA')!;
    assert.equal(leaf.id, key.id);
    assert.equal(leaf.label, 'server');
    assert.notEqual(ca.id, key.id);
    assert.equal(ca.attributes.CKA_CERTIFICATE_CATEGORY, 2, 'the CA certificate is an authority');
    // CKA_ID is the SHA-1 of the public key bits (after the 24 bytes of an RSA-2048 SPKI's header), as a subject key identifier usually is.
    const spki = new X509Certificate(readFileSync(h.path('leaf.pem'))).publicKey.export({ format: 'der', type: 'spki' });
    assert.equal(key.id, createHash('sha1').update(spki.subarray(24)).digest('hex'));
    const wrong = h.run(['object', 'import', 'bundle.p12', '--token', 'ci', '--passphrase', 'nope', ...pin()]);
    assert.equal(wrong.code, 2, 'a wrong passphrase is a usage error');
    assert.match(wrong.stderr, /wrong passphrase/);
  });

  it('signs with the imported key; openssl verifies with the certificate', () => {
    h.ok(['sign', 'pkcs11:token=ci;object=server;type=private', '-m', 'SHA256-RSA-PKCS', '--in', data(), '--out', 'rsa.sig', ...pin()]);
    openssl('x509', '-in', 'leaf.pem', '-pubkey', '-noout', '-out', 'leaf.pub');
    assert.match(openssl('dgst', '-sha256', '-verify', 'leaf.pub', '-signature', 'rsa.sig', data()).text, /Verified OK/);
    h.ok(['sign', 'server', '-m', 'SHA256-RSA-PKCS-PSS', '--in', data(), '--out', 'pss.sig', ...pin()]);
    assert.match(openssl('dgst', '-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32', '-verify', 'leaf.pub',
      '-signature', 'pss.sig', data()).text, /Verified OK/);
    h.ok(['verify', 'server', '-m', 'SHA256-RSA-PKCS', '--in', data(), '--signature', 'rsa.sig', ...pin()]);
  });

  it('exports the certificate as PEM and the public key as SPKI PEM, which openssl reads', () => {
    const cert = h.ok(['object', 'export', 'pkcs11:object=server;type=cert', ...pin()]).text;
    assert.equal(new X509Certificate(cert).fingerprint256, new X509Certificate(readFileSync(h.path('leaf.pem'))).fingerprint256);
    h.ok(['object', 'export', 'pkcs11:object=server;type=public', '--out', 'exported.pub', ...pin()]);
    assert.equal(openssl('pkey', '-pubin', '-in', 'exported.pub', '-outform', 'DER').stdout.toString('hex'),
      openssl('pkey', '-pubin', '-in', 'leaf.pub', '-outform', 'DER').stdout.toString('hex'));
    h.ok(['object', 'export', 'pkcs11:object=server;type=public', '--der', '--out', 'exported.der', ...pin()]);
    openssl('pkey', '-pubin', '-inform', 'DER', '-in', 'exported.der', '-noout');
  });

  it('encrypts with RSA-OAEP for openssl to decrypt, and decrypts what openssl encrypted', () => {
    h.ok(['encrypt', 'pkcs11:object=server;type=public', '-m', 'RSA-PKCS-OAEP', '--hash', 'sha256', '--in', data(), '--out', 'oaep.bin', ...pin()]);
    const plain = openssl('pkeyutl', '-decrypt', '-inkey', 'leaf.key', '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-in', 'oaep.bin');
    assert.deepEqual(plain.stdout, readFileSync(data()));
    openssl('pkeyutl', '-encrypt', '-pubin', '-inkey', 'leaf.pub', '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256',
      '-in', data(), '-out', 'from-openssl.bin');
    const back = h.ok(['decrypt', 'server', '-m', 'RSA-PKCS-OAEP', '--in', 'from-openssl.bin', ...pin()]);
    assert.deepEqual(back.stdout, readFileSync(data()));
  });

  it('imports an encrypted PKCS#8 key; an ECDSA signature in DER is verified by openssl; extractable keys export as PKCS#8', () => {
    openssl('pkcs8', '-topk8', '-in', 'ca.key', '-out', 'ca-enc.pem', '-passout', 'pass:key-pass', '-v2', 'aes-256-cbc');
    const env = { KEY_PASS: 'key-pass', USER_PIN: 'user-secret-1' };
    const made = JSON.parse(h.ok(['object', 'import', 'ca-enc.pem', '--label', 'ca-key', '--extractable', '--no-sensitive',
      '--passphrase-env', 'KEY_PASS', '--pin-env', 'USER_PIN', '--json'], '', env).text) as ObjectJson[];
    assert.deepEqual(made.map((o) => [o.type, o.kind]), [['private', 'EC P-384'], ['public', 'EC P-384']]);
    h.ok(['sign', 'pkcs11:object=ca-key;type=private', '-m', 'ECDSA-SHA384', '--format', 'der', '--in', data(), '--out', 'ec.sig', ...pin()]);
    openssl('pkey', '-in', 'ca.key', '-pubout', '-out', 'ca.pub');
    assert.match(openssl('dgst', '-sha384', '-verify', 'ca.pub', '-signature', 'ec.sig', data()).text, /Verified OK/);
    h.ok(['verify', 'ca-key', '-m', 'ECDSA-SHA384', '--format', 'der', '--in', data(), '--signature', 'ec.sig', ...pin()]);
    const tampered = h.run(['verify', 'ca-key', '-m', 'ECDSA-SHA384', '--format', 'der', '--signature', 'ec.sig', ...pin()], 'other data');
    assert.equal(tampered.code, 1);
    assert.match(tampered.stderr, /CKR_SIGNATURE_INVALID/);

    const pkcs8 = h.ok(['object', 'export', 'pkcs11:object=ca-key;type=private', ...pin()]).text;
    assert.match(pkcs8, /^-----BEGIN PRIVATE KEY-----/);
    const exported = h.file('exported.key', pkcs8);
    assert.equal(openssl('pkey', '-in', exported, '-pubout').text, readFileSync(h.path('ca.pub'), 'utf8'));
  });

  it('imports traditional PEM and DER keys, SPKI public keys and a certificate chain in one PEM file', () => {
    openssl('genpkey', '-algorithm', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'p256.pem');
    openssl('ec', '-in', 'p256.pem', '-out', 'sec1.pem');
    assert.match(readFileSync(h.path('sec1.pem'), 'utf8'), /BEGIN EC PRIVATE KEY/);
    assert.equal(h.json<ObjectJson[]>(['object', 'import', 'sec1.pem', '--label', 'sec1', ...pin()]).length, 2);
    openssl('genpkey', '-algorithm', 'ed25519', '-outform', 'DER', '-out', 'ed.der');
    const ed = h.json<ObjectJson[]>(['object', 'import', 'ed.der', '--label', 'ed', ...pin()]);
    assert.deepEqual(ed.map((o) => o.kind), ['EC_EDWARDS Ed25519', 'EC_EDWARDS Ed25519']);
    h.ok(['sign', 'ed', '-m', 'EDDSA', '--in', data(), '--out', 'ed.sig', ...pin()]);
    openssl('pkey', '-inform', 'DER', '-in', 'ed.der', '-pubout', '-out', 'ed.pub');
    assert.match(openssl('pkeyutl', '-verify', '-pubin', '-inkey', 'ed.pub', '-rawin', '-in', data(), '-sigfile', 'ed.sig').text, /Verified Successfully/);
    openssl('pkey', '-in', 'leaf.key', '-traditional', '-outform', 'DER', '-out', 'rsa1.der');
    assert.deepEqual(h.json<ObjectJson[]>(['object', 'import', 'rsa1.der', '--label', 'pkcs1', ...pin()]).map((o) => o.kind), ['RSA 2048', 'RSA 2048']);
    const pub = h.json<ObjectJson[]>(['object', 'import', 'ed.pub', '--label', 'ed-pub-only', ...pin()]);
    assert.deepEqual(pub.map((o) => o.type), ['public']);
    h.file('chain.pem', readFileSync(h.path('leaf.pem'), 'utf8') + readFileSync(h.path('ca.pem'), 'utf8'));
    const chain = h.json<ObjectJson[]>(['object', 'import', 'chain.pem', ...pin()]);
    assert.deepEqual(chain.map((o) => [o.type, o.label]), [['cert', 'leaf.example'], ['cert', 'Test CA']]);
    openssl('x509', '-in', 'ca.pem', '-outform', 'DER', '-out', 'ca.der');
    assert.equal(h.json<ObjectJson[]>(['object', 'import', 'ca.der', '--label', 'ca-der', '--token', 'ci', ...pin()])[0]!.label, 'ca-der');
    const junk = h.run(['object', 'import', h.file('junk.bin', 'not a key'), ...pin()]);
    assert.equal(junk.code, 2);
  });

  it('works on pipes: sign from standard input to standard output, digest and random', () => {
    const sig = h.ok(['sign', 'pkcs11:object=server;type=private', '-m', 'SHA256-RSA-PKCS', ...pin()], readFileSync(data())).stdout;
    assert.deepEqual(sig, readFileSync(h.path('rsa.sig')), 'RSA PKCS#1 v1.5 signatures are deterministic');
    assert.equal(h.ok(['digest', '-m', 'SHA256', '--in', data()]).text.trim(), createHash('sha256').update(readFileSync(data())).digest('hex'));
    assert.equal(h.ok(['digest', '-m', 'sha3-256', '--binary'], 'abc').stdout.toString('hex'), createHash('sha3-256').update('abc').digest('hex'));
    assert.match(h.ok(['random', '32']).text, /^[0-9a-f]{64}\n$/);
    assert.equal(h.ok(['random', '16', '--binary']).stdout.length, 16);
    assert.equal(h.run(['random', '0']).code, 2);
    assert.equal(h.run(['digest', '-m', 'NO-SUCH-HASH'], 'x').code, 2);
  });

  it('encrypts and decrypts with a secret key (AES-GCM, AES-CBC-PAD), and openssl agrees on CBC', () => {
    h.ok(['key', 'generate', 'aes:128', '--label', 'aes', '--extractable', '--no-sensitive', ...pin()]);
    const iv = '000102030405060708090a0b';
    h.ok(['encrypt', 'aes', '-m', 'AES-GCM', '--iv', iv, '--aad', 'beef', '--in', data(), '--out', 'gcm.bin', ...pin()]);
    assert.deepEqual(h.ok(['decrypt', 'aes', '-m', 'AES-GCM', '--iv', iv, '--aad', 'beef', '--in', 'gcm.bin', ...pin()]).stdout, readFileSync(data()));
    const badAad = h.run(['decrypt', 'aes', '-m', 'AES-GCM', '--iv', iv, '--in', 'gcm.bin', ...pin()]);
    assert.equal(badAad.code, 1);
    assert.match(badAad.stderr, /CKR_ENCRYPTED_DATA_INVALID/);
    assert.equal(h.run(['encrypt', 'aes', '-m', 'AES-CBC-PAD', '--in', data(), ...pin()]).code, 2, 'CBC needs --iv');
    const cbcIv = '00112233445566778899aabbccddeeff';
    h.ok(['encrypt', 'aes', '-m', 'AES-CBC-PAD', '--iv', cbcIv, '--in', data(), '--out', 'cbc.bin', ...pin()]);
    const key = h.ok(['object', 'export', 'aes', ...pin()]).stdout.toString('hex');
    assert.equal(key.length, 32);
    const plain = openssl('enc', '-d', '-aes-128-cbc', '-K', key, '-iv', cbcIv, '-in', 'cbc.bin');
    assert.deepEqual(plain.stdout, readFileSync(data()));
  });
});

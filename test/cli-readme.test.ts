/**
 * The README's first steps with the `cryptoki` command, run as written (with
 * `npx cryptoki` standing for the built command): the shell session, OpenSSL
 * through the server and p11-kit-client.so, and the Node example.
 */
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { findP11KitClient } from '../src/cli/serve.js';
import { CliHome, MAIN, onPath, startServer, stopServer } from './cli-support.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const section = /## First steps with the `cryptoki` command\n([\s\S]*?)\n## /.exec(readFileSync(`${root}README.md`, 'utf8'))?.[1] ?? '';
const blocks = (lang: string) => [...section.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
const asBuilt = (script: string) => script.replace(/npx cryptoki/g, `'${process.execPath}' '${MAIN}'`);

const MODULE = findP11KitClient();
const noOpenssl = onPath('openssl') ? false : 'openssl is not installed';
const engine = noOpenssl || (!MODULE ? 'p11-kit-client.so is not installed'
  : spawnSync('openssl', ['engine', 'pkcs11', '-t']).status !== 0 ? 'OpenSSL\'s pkcs11 engine is not installed (apt-get install libengine-pkcs11-openssl)' : false);

describe('README: first steps with the cryptoki command', { skip: noOpenssl }, () => {
  let h: CliHome;
  let server: ChildProcess | undefined;
  before(() => {
    h = new CliHome();
    h.file('doc.txt', 'a document to sign\n');
  });
  after(async () => {
    await stopServer(server);
    h.cleanup();
  });

  it('has a shell session that runs as written, to openssl\'s "Verified OK"', () => {
    const [session] = blocks('sh');
    assert.ok(session, 'the section has shell blocks');
    const r = h.exec('sh', ['-ec', asBuilt(session)]);
    assert.equal(r.code, 0, r.text + r.stderr);
    assert.match(r.text, /Verified OK/);
  });

  it('signs from OpenSSL through the server as written', { skip: engine }, async () => {
    const script = blocks('sh')[1]!;
    assert.match(script, /npx cryptoki serve &/);
    let address: string;
    ({ server, address } = await startServer(h));
    rmSync(h.path('doc.sig'), { force: true });
    const rest = script.split('\n').filter((l) => !/cryptoki serve &/.test(l)).join('\n')
      .replace('/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so', MODULE!);
    const r = h.exec('sh', ['-ec', rest], undefined, { P11_KIT_SERVER_ADDRESS: address });
    assert.equal(r.code, 0, r.text + r.stderr);
    const v = h.exec('openssl', ['dgst', '-sha256', '-verify', 'signer.pub', '-signature', 'doc.sig', 'doc.txt']);
    assert.match(v.text, /Verified OK/, v.stderr);
  });

  it('has a Node example that signs with the token the shell session made', () => {
    const [example] = blocks('js');
    assert.ok(example);
    // Inside the package directory, so that `import ... from 'cryptoki-ts'` resolves to this package.
    const file = `${root}dist/readme-cli-guide.mjs`;
    writeFileSync(file, example);
    try {
      const r = h.exec(process.execPath, [file]);
      assert.equal(r.code, 0, r.stderr);
      const signature = Buffer.from(r.text.trim(), 'hex');
      const pub = createPublicKey(readFileSync(h.path('signer.pub')));
      assert.ok(verify('sha256', readFileSync(h.path('doc.txt')), { key: pub, dsaEncoding: 'ieee-p1363' }, signature));
    } finally {
      rmSync(file, { force: true });
    }
  });
});

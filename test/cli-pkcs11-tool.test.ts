/**
 * The `cryptoki` command and native PKCS#11 applications on the same store:
 * `cryptoki serve` (a child process, on a temporary socket) serves it through
 * p11-kit-client.so to OpenSC's pkcs11-tool. A key made by `cryptoki key
 * generate` signs for pkcs11-tool (openssl checks the signature), and a key
 * made by pkcs11-tool is listed by `cryptoki object list`.
 *
 * Skipped when p11-kit-client.so, pkcs11-tool or openssl is missing (Debian:
 * apt-get install p11-kit-modules opensc openssl).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { findP11KitClient } from '../src/cli/serve.js';
import { CliHome, onPath, startServer, stopServer } from './cli-support.js';

interface ObjectJson { type: string; label: string; id: string; kind: string; usage: string[] }

const MODULE = findP11KitClient();
const skip = !MODULE ? 'p11-kit-client.so is not installed (apt-get install p11-kit-modules)'
  : !onPath('pkcs11-tool') ? 'pkcs11-tool is not installed (apt-get install opensc)'
    : !onPath('openssl') ? 'openssl is not installed' : false;

const PIN = 'user-secret-1';

describe('cryptoki and pkcs11-tool on the same store, through cryptoki serve', { skip }, () => {
  let h: CliHome;
  let server: ChildProcess | undefined;
  let address = '';
  const tool = (...args: string[]) => {
    const r = h.exec('pkcs11-tool', ['--module', MODULE!, ...args], undefined, { P11_KIT_SERVER_ADDRESS: address });
    assert.equal(r.code, 0, `pkcs11-tool ${args.join(' ')}\n${r.text}\n${r.stderr}`);
    return r;
  };

  before(async () => {
    h = new CliHome();
    h.ok(['token', 'init', '--label', 'ci', '--so-pin-file', h.soPin, '--pin-file', h.pin]);
    ({ server, address } = await startServer(h));
  });
  after(async () => {
    await stopServer(server);
    h.cleanup();
  });

  it('a key made by cryptoki key generate signs for pkcs11-tool, and openssl verifies the signature', () => {
    const [pub] = h.json<ObjectJson[]>(['key', 'generate', 'ec:P-256', '--token', 'ci', '--label', 'cli-key', '--pin-file', h.pin]);
    h.ok(['object', 'export', 'pkcs11:token=ci;object=cli-key;type=public', '--out', 'cli-key.pem', '--pin-file', h.pin]);
    const listed = tool('--token-label', 'ci', '--login', '--pin', PIN, '--list-objects').text;
    assert.match(listed, /Private Key Object; EC[\s\S]*label:\s+cli-key/);

    const message = Buffer.from('signed through p11-kit by a key the cryptoki command made\n');
    h.file('msg.txt', message);
    h.file('msg.sha256', createHash('sha256').update(message).digest());
    // pkcs11-tool picks the key by --id (OpenSC 0.23 ignores --label when signing).
    tool('--token-label', 'ci', '--login', '--pin', PIN, '--sign', '-m', 'ECDSA', '--id', pub!.id, '--signature-format', 'openssl',
      '--input-file', 'msg.sha256', '--output-file', 'msg.sig');
    const v = h.exec('openssl', ['dgst', '-sha256', '-verify', 'cli-key.pem', '-signature', 'msg.sig', 'msg.txt']);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.text, /Verified OK/);
    // And back: the token verifies pkcs11-tool's signature through the command.
    h.ok(['verify', 'pkcs11:object=cli-key;type=public', '-m', 'ECDSA-SHA256', '--format', 'der', '--in', 'msg.txt', '--signature', 'msg.sig', '--pin-file', h.pin]);
  });

  it('a key made by pkcs11-tool is listed by cryptoki object list', () => {
    tool('--token-label', 'ci', '--login', '--pin', PIN, '--keypairgen', '--key-type', 'EC:secp384r1', '--label', 'tool-key', '--id', 'a1b2');
    const objects = h.json<ObjectJson[]>(['object', 'list', '--token', 'ci', '--pin-file', h.pin]).filter((o) => o.label === 'tool-key');
    assert.deepEqual(objects.map((o) => [o.type, o.kind, o.id]).sort(), [['private', 'EC P-384', 'a1b2'], ['public', 'EC P-384', 'a1b2']]);
    const anonymous = h.json<ObjectJson[]>(['object', 'list', 'pkcs11:token=ci;object=tool-key']);
    assert.deepEqual(anonymous.map((o) => o.type), ['public'], 'the private half needs a login');
    assert.ok(readFileSync(h.path('cli-key.pem'), 'utf8').startsWith('-----BEGIN PUBLIC KEY-----'));
  });
});

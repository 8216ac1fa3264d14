/**
 * The `cryptoki` command run as a user runs it (child processes of the built
 * dist/src/cli/main.js): tokens, PINs, key generation, object listing and
 * changes, exit codes, --json output parsed back, --help of every command.
 */
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from '../src/cli/program.js';
import { CliHome } from './cli-support.js';

interface ObjectJson { uri: string; type: string; label: string; id: string; kind: string; usage: string[]; keyType?: string; curve?: string; modulusBits?: number; parameterSet?: string; fingerprint?: string; attributes: Record<string, unknown> }
interface TokenJson { uri: string; slot: number; label: string; serial: string; flags: string[] }

describe('cryptoki: tokens, PINs, keys and objects', () => {
  let h: CliHome;
  const pin = () => ['--pin-file', h.pin];
  before(() => {
    h = new CliHome();
  });
  after(() => h.cleanup());

  it('creates a token with its SO and user PINs (token init --label L --so-pin-file F --pin-file F)', () => {
    const r = h.ok(['token', 'init', '--label', 'L', '--so-pin-file', h.soPin, '--pin-file', h.pin]);
    assert.match(r.text, /created token "L"/);
    assert.match(r.text, /^pkcs11:.*token=L$/m);
    const again = h.run(['token', 'init', '--label', 'L', '--so-pin-file', h.soPin]);
    assert.equal(again.code, 2, 'a second token with the same label is refused');
    assert.match(again.stderr, /exists already/);
  });

  it('lists and shows tokens, in JSON too, with their URIs', () => {
    const tokens = h.json<TokenJson[]>(['token', 'list']);
    assert.equal(tokens.length, 1);
    assert.equal(tokens[0]!.label, 'L');
    assert.ok(tokens[0]!.flags.includes('user-pin-initialized'));
    assert.match(tokens[0]!.uri, /^pkcs11:.*manufacturer=cryptoki-ts;serial=[0-9a-f]+;token=L$/);
    const shown = h.json<TokenJson>(['token', 'show', '--token', tokens[0]!.uri]);
    assert.equal(shown.serial, tokens[0]!.serial);
    assert.equal(h.json<TokenJson>(['token', 'show', '--token', tokens[0]!.serial]).label, 'L', 'a serial number names a token too');
    assert.match(h.ok(['token', 'list']).text, /SLOT\s+LABEL\s+SERIAL/);
    const slots = h.json<{ slots: { initialized: boolean; label: string }[] }>(['slots']);
    assert.deepEqual(slots.slots.map((s) => s.initialized), [true, false], 'the token and the free slot');
  });

  it('lists mechanisms with their functions (mechanisms --json, --token)', () => {
    const mechs = h.json<{ name: string; flags: string[] }[]>(['mechanisms', '--token', 'L']);
    const ecdsa = mechs.find((m) => m.name === 'CKM_ECDSA_SHA256');
    assert.ok(ecdsa?.flags.includes('sign') && ecdsa.flags.includes('verify'), JSON.stringify(ecdsa));
    assert.ok(mechs.find((m) => m.name === 'CKM_EC_KEY_PAIR_GEN')?.flags.includes('generate-key-pair'));
    assert.equal(h.json<unknown[]>(['mechanisms']).length, mechs.length);
  });

  it('generates an EC key pair (key generate ec:P-256 --token L --label K --pin-file F)', () => {
    const r = h.ok(['key', 'generate', 'ec:P-256', '--token', 'L', '--label', 'K', '--pin-file', h.pin]);
    assert.match(r.text, /generated public EC P-256 "K"/);
    assert.match(r.text, /generated private EC P-256 "K"/);
  });

  it('generates every kind of key, with the usage asked for', () => {
    const cases: [string, string, Partial<ObjectJson>][] = [
      ['rsa:2048', 'rsa', { keyType: 'CKK_RSA', modulusBits: 2048 }],
      ['aes:128', 'aes', { keyType: 'CKK_AES', kind: 'AES 128' }],
      ['generic:256', 'hmac', { keyType: 'CKK_GENERIC_SECRET' }],
      ['ed25519', 'ed', { keyType: 'CKK_EC_EDWARDS', curve: 'Ed25519' }],
      ['x25519', 'x', { keyType: 'CKK_EC_MONTGOMERY', curve: 'X25519' }],
      ['ml-dsa-44', 'mldsa', { keyType: 'CKK_ML_DSA', parameterSet: 'ML-DSA-44' }],
      ['ml-kem-512', 'mlkem', { keyType: 'CKK_ML_KEM', parameterSet: 'ML-KEM-512' }],
      ['slh-dsa-sha2-128f', 'slh', { keyType: 'CKK_SLH_DSA', parameterSet: 'SLH-DSA-SHA2-128F' }],
    ];
    for (const [spec, label, expect] of cases) {
      const made = h.json<ObjectJson[]>(['key', 'generate', spec, '--label', label, ...pin()]);
      for (const o of made) {
        for (const [k, v] of Object.entries(expect)) assert.equal(o[k as keyof ObjectJson], v, `${spec} ${o.type} ${k}`);
        assert.equal(o.label, label);
      }
      assert.equal(made.length, spec.startsWith('aes') || spec.startsWith('generic') ? 1 : 2, spec);
      if (made.length === 2) assert.equal(made[0]!.id, made[1]!.id, 'both halves share CKA_ID');
    }
    const signer = h.json<ObjectJson[]>(['key', 'generate', 'rsa:2048', '--label', 'rsa-sign-only', '--usage', 'sign,verify', '--id', '0102', ...pin()]);
    assert.deepEqual(signer.map((o) => [o.type, o.id, o.usage]), [['public', '0102', ['verify']], ['private', '0102', ['sign']]]);
    const wrapper = h.json<ObjectJson[]>(['key', 'generate', 'aes', '--label', 'kek', '--usage', 'wrap,unwrap', '--extractable', ...pin()]);
    assert.deepEqual(wrapper[0]!.usage, ['wrap', 'unwrap']);
    assert.equal(wrapper[0]!.attributes.CKA_EXTRACTABLE, true);
  });

  it('refuses bad key specifications and usages as usage errors (exit 2)', () => {
    // Every refusal is unit-tested in cli-key-spec; here, that they reach the user as exit 2.
    for (const args of [['ec:P-999'], ['ed25519', '--usage', 'encrypt']]) {
      const r = h.run(['key', 'generate', ...args, '--label', 'bad', ...pin()]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^cryptoki: /);
    }
  });

  it('lists objects as JSON (object list --token L --pin-file F --json), decoded', () => {
    const all = h.json<ObjectJson[]>(['object', 'list', '--token', 'L', '--pin-file', h.pin]);
    const k = all.filter((o) => o.label === 'K');
    assert.deepEqual(k.map((o) => o.type).sort(), ['private', 'public']);
    const priv = k.find((o) => o.type === 'private')!;
    assert.equal(priv.keyType, 'CKK_EC');
    assert.equal(priv.curve, 'P-256');
    assert.deepEqual(priv.usage, ['sign']);
    assert.equal(priv.attributes.CKA_SENSITIVE, true);
    assert.equal(priv.attributes.CKA_KEY_GEN_MECHANISM, 'CKM_EC_KEY_PAIR_GEN');
    assert.match(priv.fingerprint ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.match(priv.uri, /;token=L;id=(%[0-9a-f]{2})+;object=K;type=private$/);
    assert.ok(!('CKA_VALUE' in priv.attributes), 'key values are never shown');
    const rsa = all.find((o) => o.label === 'rsa' && o.type === 'private')!;
    assert.equal(rsa.modulusBits, 2048, 'the modulus size of a private key');

    const anonymous = h.json<ObjectJson[]>(['object', 'list', '--token', 'L']);
    assert.ok(anonymous.length > 0 && anonymous.every((o) => o.type === 'public'), 'without login: public objects only');
    const byUri = h.json<ObjectJson[]>(['object', 'list', priv.uri, ...pin()]);
    assert.deepEqual(byUri.map((o) => o.uri), [priv.uri], 'a listed URI names the object again');
    assert.match(h.ok(['object', 'list', ...pin()]).text, /^TYPE\s+KIND\s+LABEL\s+ID\s+URI$/m);
  });

  it('shows one object with every attribute by name (object show)', () => {
    const [view] = h.json<ObjectJson[]>(['object', 'show', 'pkcs11:object=K;type=public', ...pin()]);
    assert.equal(view!.attributes.CKA_CLASS, 'CKO_PUBLIC_KEY');
    assert.equal(view!.attributes.CKA_EC_PARAMS, 'P-256');
    const text = h.ok(['object', 'show', 'pkcs11:object=K;type=private', ...pin()]).text;
    assert.match(text, /^CKA_SIGN:\s+true$/m);
    assert.match(text, /^kind:\s+EC P-256$/m);
    assert.equal(h.run(['object', 'show', 'pkcs11:object=nothing', ...pin()]).code, 2);
  });

  it('exports a public key as SPKI PEM (object export "pkcs11:token=L;object=K;type=public" --out pub.pem --pin-file F)', () => {
    h.ok(['object', 'export', 'pkcs11:token=L;object=K;type=public', '--out', 'pub.pem', '--pin-file', h.pin]);
    const key = createPublicKey(readFileSync(h.path('pub.pem')));
    assert.equal(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    const refused = h.run(['object', 'export', 'pkcs11:token=L;object=K;type=private', ...pin()]);
    assert.equal(refused.code, 1, 'a sensitive private key never leaves');
    assert.match(refused.stderr, /CKR_ATTRIBUTE_SENSITIVE/);
  });

  it('changes attributes (object set) and deletes objects (object delete)', () => {
    const changed = h.json<ObjectJson[]>(['object', 'set', 'pkcs11:object=rsa;type=private', '--new-label', 'rsa2', '--usage', 'sign', '--end-date', '2030-12-31', ...pin()]);
    assert.equal(changed[0]!.label, 'rsa2');
    assert.deepEqual(changed[0]!.usage, ['sign']);
    assert.equal(changed[0]!.attributes.CKA_END_DATE, '2030-12-31');
    assert.equal(h.run(['object', 'set', 'pkcs11:object=rsa2;type=private', ...pin()]).code, 2, 'nothing to change');
    const both = h.run(['object', 'delete', 'pkcs11:object=mldsa', ...pin()]);
    assert.equal(both.code, 2, 'two objects match: --all is needed');
    const gone = h.json<ObjectJson[]>(['object', 'delete', 'pkcs11:object=mldsa', '--all', ...pin()]);
    assert.equal(gone.length, 2);
    assert.equal(h.json<ObjectJson[]>(['object', 'list', '--label', 'mldsa', ...pin()]).length, 0);
  });

  it('a wrong PIN exits 1 with CKR_PIN_INCORRECT and what to do', () => {
    const r = h.run(['object', 'list', '--token', 'L', '--pin-file', h.wrongPin]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^cryptoki: CKR_PIN_INCORRECT\n.*PIN is wrong/);
    assert.ok(!r.stderr.includes('not-the-pin'), 'the PIN is never printed');
  });

  it('takes the PIN from an environment variable, or --pin; without any, and no terminal, it is a usage error', () => {
    const env = { CRYPTOKI_TEST_PIN: 'user-secret-1' };
    assert.ok(JSON.parse(h.ok(['object', 'list', '--pin-env', 'CRYPTOKI_TEST_PIN', '--json'], '', env).text).some((o: ObjectJson) => o.type === 'private'));
    assert.equal(h.run(['object', 'list', '--pin', 'user-secret-1', '--json']).code, 0);
    const missing = h.run(['key', 'generate', 'aes', '--label', 'nopin']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--pin-file/);
    assert.equal(h.run(['object', 'list', '--pin-file', h.path('no-such-file')]).code, 2);
    assert.equal(h.run(['object', 'list', '--pin-file', h.pin, '--pin-env', 'X']).code, 2, 'one source only');
  });

  it('usage errors exit 2: unknown options, commands, tokens and URIs', () => {
    for (const args of [['object', 'list', '--bogus'], ['token'], ['object', 'list', '--token', 'nope'], ['object', 'list', 'pkcs11:colour=red']]) {
      assert.equal(h.run(args).code, 2, args.join(' '));
    }
  });

  it('sets, changes and unlocks the user PIN (pin init, change, unlock)', () => {
    h.ok(['token', 'init', '--label', 'P', '--so-pin-file', h.soPin]);
    const noUser = h.run(['key', 'generate', 'aes', '--token', 'P', '--label', 'x', ...pin()]);
    assert.equal(noUser.code, 1);
    assert.match(noUser.stderr, /CKR_USER_PIN_NOT_INITIALIZED\n.*pin init/);
    h.ok(['pin', 'init', '--token', 'P', '--so-pin-file', h.soPin, '--pin-file', h.pin]);
    h.ok(['key', 'generate', 'aes', '--token', 'P', '--label', 'x', ...pin()]);

    const newPin = h.file('new.pin', 'another-pin-2\n');
    h.ok(['pin', 'change', '--token', 'P', '--pin-file', h.pin, '--new-pin-file', newPin]);
    assert.equal(h.run(['object', 'list', '--token', 'P', ...pin()]).code, 1, 'the old PIN is gone');
    h.ok(['object', 'list', '--token', 'P', '--pin-file', newPin]);

    // The test store's retry limit is 3: lock the user PIN, then the SO resets it.
    let last = h.run(['object', 'list', '--token', 'P', '--pin-file', h.wrongPin]);
    for (let i = 0; i < 3 && !/CKR_PIN_LOCKED/.test(last.stderr); i++) last = h.run(['object', 'list', '--token', 'P', '--pin-file', h.wrongPin]);
    assert.match(last.stderr, /CKR_PIN_LOCKED\n.*pin unlock/);
    assert.ok(h.json<TokenJson>(['token', 'show', '--token', 'P']).flags.includes('user-pin-locked'));
    h.ok(['pin', 'unlock', '--token', 'P', '--so-pin-file', h.soPin, '--pin-file', h.pin]);
    h.ok(['object', 'list', '--token', 'P', ...pin()]);
    h.ok(['pin', 'change', '--so', '--token', 'P', '--so-pin-file', h.soPin, '--new-pin-file', newPin]);
    assert.equal(h.run(['pin', 'init', '--token', 'P', '--so-pin-file', h.soPin, '--pin-file', h.pin]).code, 1, 'the old SO PIN is gone');
  });

  it('backs up, deletes and restores a token (token backup, delete, restore)', () => {
    const backup = h.path('P.bak');
    h.ok(['token', 'backup', backup, '--token', 'P']);
    assert.ok(existsSync(backup));
    assert.equal(h.run(['token', 'delete', '--token', 'P', '--so-pin-file', h.soPin]).code, 2, 'needs --yes');
    const wrongSo = h.run(['token', 'delete', '--token', 'P', '--so-pin-file', h.soPin, '--yes']);
    assert.equal(wrongSo.code, 1, 'the SO PIN of P was changed above');
    assert.match(wrongSo.stderr, /CKR_PIN_INCORRECT/);
    h.ok(['token', 'delete', '--token', 'P', '--so-pin-file', h.path('new.pin'), '--yes']);
    assert.deepEqual(h.json<TokenJson[]>(['token', 'list']).map((t) => t.label), ['L']);
    assert.match(h.ok(['token', 'restore', backup]).text, /restored token "P"/);
    assert.ok(h.json<ObjectJson[]>(['object', 'list', '--token', 'P', ...pin()]).some((o) => o.label === 'x'));
  });

  it('has --help with an example on every command', () => {
    // Every command of the tree, found by walking it: a new command without an example fails here.
    const missing: string[] = [];
    const walk = (cmd: Command, path: string[]) => {
      let help = '';
      cmd.configureOutput({ writeOut: (s) => { help += s; }, writeErr: (s) => { help += s; } });
      cmd.outputHelp();
      if (!/\nExamples?[^\n]*:\n  cryptoki /.test(help)) missing.push(path.join(' ') || '(top)');
      for (const sub of cmd.commands) if (sub.name() !== 'help') walk(sub, [...path, sub.name()]);
    };
    walk(buildProgram(), []);
    assert.deepEqual(missing, []);
    // And as a user sees it:
    const r = h.ok(['object', 'import', '--help']);
    assert.match(r.text, /^Usage: cryptoki object import \[options\] <file>/);
    assert.match(r.text, /Examples:\n  cryptoki object import server.p12/);
  });
});

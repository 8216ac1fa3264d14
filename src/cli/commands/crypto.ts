/** `cryptoki sign|verify|encrypt|decrypt|digest|random`: the token's cryptography on files or standard input/output. */
import type { Command } from 'commander';
import * as K from '../../pkcs11/constants.js';
import { curveOfParams, type WeierstrassCurve } from '../../mechanisms/ec-curves.js';
import { readAttributes } from '../attributes-view.js';
import { UsageError } from '../errors.js';
import { buildMechanism, isEcdsa, parseMechanismName, type MechanismOptions } from '../mechanism-args.js';
import { findOneObject, objectChoice } from '../object-select.js';
import { derToRaw, rawToDer } from '../signature-format.js';
import { tokenChoice, withToken, type TokenSession } from '../token-session.js';
import type { UriObjectType } from '../uri.js';
import { example, readInput, tokenAndPin, tokenOption, writeOutput, type Opts } from './common.js';

function mechanismOptions(cmd: Command): Command {
  return cmd
    .requiredOption('-m, --mechanism <name>', 'the mechanism, e.g. ECDSA-SHA256, SHA256-RSA-PKCS, SHA256-RSA-PKCS-PSS, RSA-PKCS-OAEP, AES-GCM, EDDSA, ML-DSA')
    .option('--hash <name>', 'hash of RSA-PSS/OAEP parameters (default: the mechanism\'s, else sha256)')
    .option('--salt-len <bytes>', 'RSA-PSS salt length (default: the hash length)')
    .option('--iv <hex>', 'IV or nonce of block and AEAD modes')
    .option('--aad <hex>', 'additional authenticated data (GCM)')
    .option('--tag-bits <bits>', 'GCM tag length (default 128)');
}

function io(cmd: Command): Command {
  return cmd
    .option('--in <file>', 'input file (default: standard input)')
    .option('--out <file>', 'output file (default: standard output)');
}

/** Finds the key the URI names, opens its token (with login) and runs the operation. */
function withKey<T>(uriText: string, opts: Opts, prefer: UriObjectType[], fn: (t: TokenSession, key: number) => T): Promise<T> {
  const { choice, uri } = objectChoice(uriText, opts as { label?: string; id?: string; type?: string });
  return withToken(tokenChoice(opts.token as string | undefined, uri), 'user', opts, (t) => fn(t, findOneObject(t.p11, t.session, choice, prefer)), uri);
}

function ecdsaCurve(t: TokenSession, key: number): WeierstrassCurve {
  const params = readAttributes(t.p11, t.session, key, [K.CKA_EC_PARAMS]).get(K.CKA_EC_PARAMS);
  return curveOfParams(params) as WeierstrassCurve;
}

function signatureFormat(opts: Opts, mechanism: string): 'raw' | 'der' {
  const format = (opts.format as string | undefined) ?? 'raw';
  if (format !== 'raw' && format !== 'der') throw new UsageError('--format must be raw or der');
  if (format === 'der' && !isEcdsa(mechanism)) throw new UsageError('--format der is for ECDSA signatures');
  return format;
}

async function sign(uriText: string, opts: Opts): Promise<void> {
  const mech = buildMechanism(opts.mechanism as string, opts as MechanismOptions);
  const format = signatureFormat(opts, opts.mechanism as string);
  const data = readInput(opts.in as string | undefined);
  await withKey(uriText, opts, ['private', 'secret-key'], (t, key) => {
    t.p11.C_SignInit(t.session, mech, key);
    const signature = t.p11.C_Sign(t.session, data);
    writeOutput(opts.out as string | undefined, format === 'der' ? rawToDer(signature) : signature);
  });
}

async function verify(uriText: string, opts: Opts): Promise<void> {
  const mech = buildMechanism(opts.mechanism as string, opts as MechanismOptions);
  const format = signatureFormat(opts, opts.mechanism as string);
  const data = readInput(opts.in as string | undefined);
  let signature = readInput(opts.signature as string);
  await withKey(uriText, opts, ['public', 'secret-key'], (t, key) => {
    if (format === 'der') signature = derToRaw(signature, ecdsaCurve(t, key).orderBytes);
    t.p11.C_VerifyInit(t.session, mech, key);
    t.p11.C_Verify(t.session, data, signature);
    process.stderr.write('signature OK\n');
  });
}

function cipher(direction: 'encrypt' | 'decrypt') {
  return async (uriText: string, opts: Opts): Promise<void> => {
    const mech = buildMechanism(opts.mechanism as string, opts as MechanismOptions);
    const data = readInput(opts.in as string | undefined);
    const prefer: UriObjectType[] = direction === 'encrypt' ? ['public', 'secret-key'] : ['private', 'secret-key'];
    await withKey(uriText, opts, prefer, (t, key) => {
      let out: Buffer;
      if (direction === 'encrypt') {
        t.p11.C_EncryptInit(t.session, mech, key);
        out = t.p11.C_Encrypt(t.session, data);
      } else {
        t.p11.C_DecryptInit(t.session, mech, key);
        out = t.p11.C_Decrypt(t.session, data);
      }
      writeOutput(opts.out as string | undefined, out);
    });
  };
}

/** Binary to --out, or hex on standard output (or binary with --binary). */
function writeBytes(opts: Opts, bytes: Buffer): void {
  if (opts.out !== undefined || opts.binary) writeOutput(opts.out as string | undefined, bytes);
  else process.stdout.write(bytes.toString('hex') + '\n');
}

async function digest(opts: Opts): Promise<void> {
  const mechanism = parseMechanismName(opts.mechanism as string);
  const data = readInput(opts.in as string | undefined);
  await withToken(tokenChoice(opts.token as string | undefined), 'none', opts, (t) => {
    t.p11.C_DigestInit(t.session, { mechanism });
    writeBytes(opts, t.p11.C_Digest(t.session, data));
  });
}

async function random(bytes: string, opts: Opts): Promise<void> {
  if (!/^\d+$/.test(bytes) || Number(bytes) < 1 || Number(bytes) > 1 << 20) throw new UsageError('the length must be 1 to 1048576 bytes');
  await withToken(tokenChoice(opts.token as string | undefined), 'none', opts, (t) => {
    writeBytes(opts, t.p11.C_GenerateRandom(t.session, Number(bytes)));
  });
}

export function addCryptoCommands(program: Command): void {
  const key = '<uri>';
  const keyHelp = 'the key: a PKCS#11 URI (pkcs11:token=...;object=...) or a label';
  example(tokenAndPin(io(mechanismOptions(program.command('sign').description('sign data with a private or secret key')
    .argument(key, keyHelp).option('--format <format>', 'ECDSA signature as raw r||s (PKCS#11) or der (OpenSSL)', 'raw')))),
  'cryptoki sign "pkcs11:token=signing;object=web" -m ECDSA-SHA256 --format der --in doc.txt --out doc.sig --pin-file user.pin',
  'openssl dgst -sha256 -verify web.pub.pem -signature doc.sig doc.txt')
    .action(sign);
  example(tokenAndPin(io(mechanismOptions(program.command('verify').description('verify a signature with a public or secret key (exit 0 when valid)')
    .argument(key, keyHelp).requiredOption('--signature <file>', 'the signature')
    .option('--format <format>', 'ECDSA signature as raw r||s (PKCS#11) or der (OpenSSL)', 'raw')))),
  'cryptoki verify "pkcs11:token=signing;object=web" -m ECDSA-SHA256 --format der --in doc.txt --signature doc.sig --pin-file user.pin')
    .action(verify);
  example(tokenAndPin(io(mechanismOptions(program.command('encrypt').description('encrypt data with a public or secret key')
    .argument(key, keyHelp)))),
  'cryptoki encrypt "pkcs11:token=signing;object=aes" -m AES-GCM --iv 000102030405060708090a0b --in secret.txt --out secret.enc --pin-file user.pin')
    .action(cipher('encrypt'));
  example(tokenAndPin(io(mechanismOptions(program.command('decrypt').description('decrypt data with a private or secret key')
    .argument(key, keyHelp)))),
  'cryptoki decrypt "pkcs11:token=signing;object=rsa" -m RSA-PKCS-OAEP --hash sha256 --in secret.enc --pin-file user.pin')
    .action(cipher('decrypt'));
  example(tokenOption(io(program.command('digest').description('hash data on the token (hex on standard output unless --out or --binary)')
    .requiredOption('-m, --mechanism <name>', 'SHA256, SHA3-256, ...').option('--binary', 'write the raw digest'))),
  'cryptoki digest -m SHA256 --in doc.txt')
    .action(digest);
  example(tokenOption(program.command('random').description('random bytes from the token (hex unless --out or --binary)')
    .argument('<bytes>', 'how many bytes').option('--out <file>', 'output file').option('--binary', 'write raw bytes')),
  'cryptoki random 32', 'cryptoki random 32 --out key.bin')
    .action(random);
}

/** `cryptoki object list|show|delete|set|export|import`. */
import type { Command } from 'commander';
import * as K from '../../pkcs11/constants.js';
import { CKRError } from '../../pkcs11/error.js';
import { privateKeyToPkcs8 } from '../../mechanisms/key-codec.js';
import type { StoredValue } from '../../pkcs11/attributes.js';
import type { CK_ATTRIBUTE } from '../../pkcs11/types.js';
import { USAGE, readAttributes, viewObject, type ObjectView } from '../attributes-view.js';
import { UsageError } from '../errors.js';
import type { InputFormat } from '../import/read.js';
import { toPem } from '../key-id.js';
import { findObjects, findOneObject, objectChoice, parseHexId } from '../object-select.js';
import { printFields, printJson, printTable } from '../output.js';
import { addSecretOptions, PASSPHRASE, requireSecret } from '../pin-source.js';
import { tokenChoice, withToken, type TokenSession } from '../token-session.js';
import { example, jsonOption, listOf, readInput, tokenAndPin, writeOutput, type Opts } from './common.js';
import { printViews, protectionAttrs } from './key.js';

function selectors(cmd: Command): Command {
  return cmd
    .option('--label <label>', 'objects with this CKA_LABEL')
    .option('--id <hex>', 'objects with this CKA_ID')
    .option('--type <type>', 'public, private, cert, secret-key or data');
}

/** Runs fn on the token the URI argument or --token names, logged in as `login` says. */
function onToken<T>(uriText: string | undefined, opts: Opts, login: 'user' | 'user-if-given', fn: (t: TokenSession, c: ReturnType<typeof objectChoice>) => T): Promise<T> {
  const c = objectChoice(uriText, opts as { label?: string; id?: string; type?: string });
  return withToken(tokenChoice(opts.token as string | undefined, c.uri), login, opts, (t) => fn(t, c), c.uri);
}

async function list(uriText: string | undefined, opts: Opts): Promise<void> {
  await onToken(uriText, opts, 'user-if-given', (t, { choice }) => {
    const views = findObjects(t.p11, t.session, choice).map((h) => viewObject(t.p11, t.session, h, t.uri));
    if (opts.json) return printJson(views);
    if (views.length === 0) {
      process.stdout.write(t.loggedIn ? 'no objects\n' : 'no public objects (give the PIN to see private ones)\n');
      return;
    }
    printTable(['TYPE', 'KIND', 'LABEL', 'ID', 'URI'], views.map((v) => [v.type, v.kind, v.label, v.id, v.uri]));
  });
}

function showFields(v: ObjectView): [string, string][] {
  const fields: [string, string][] = [['uri', v.uri], ['class', v.class], ['kind', v.kind], ['label', v.label], ['id', v.id]];
  if (v.usage.length) fields.push(['usage', v.usage.join(',')]);
  if (v.fingerprint) fields.push(['fingerprint', v.fingerprint]);
  for (const k of ['subject', 'issuer', 'notBefore', 'notAfter'] as const) if (v[k]) fields.push([k, v[k]!]);
  for (const [name, value] of Object.entries(v.attributes)) fields.push([name, String(value)]);
  return fields;
}

async function show(uriText: string | undefined, opts: Opts): Promise<void> {
  await onToken(uriText, opts, 'user-if-given', (t, { choice }) => {
    if (choice.label === undefined && choice.id === undefined) throw new UsageError('name the object: a PKCS#11 URI, or --label / --id');
    const views = findObjects(t.p11, t.session, choice).map((h) => viewObject(t.p11, t.session, h, t.uri));
    if (views.length === 0) throw new UsageError(`no object matches${t.loggedIn ? '' : ' (private objects are seen only after login: give the PIN)'}`);
    if (opts.json) return printJson(views);
    views.forEach((v, i) => {
      if (i > 0) process.stdout.write('\n');
      printFields(showFields(v));
    });
  });
}

async function remove(uriText: string | undefined, opts: Opts): Promise<void> {
  await onToken(uriText, opts, 'user', (t, { choice }) => {
    if (choice.label === undefined && choice.id === undefined) throw new UsageError('name the object to delete: a PKCS#11 URI, or --label / --id');
    const found = findObjects(t.p11, t.session, choice);
    if (found.length === 0) throw new UsageError('no object matches');
    if (found.length > 1 && !opts.all) throw new UsageError(`${found.length} objects match (a key pair is two): add type= to the URI, or --all to delete them all`);
    const views = found.map((h) => viewObject(t.p11, t.session, h, t.uri));
    for (const h of found) t.p11.C_DestroyObject(t.session, h);
    printViews(views, opts.json === true, 'deleted');
  });
}

function cdate(text: string, what: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) throw new UsageError(`${what} must be a date YYYY-MM-DD`);
  return text.replace(/-/g, '');
}

async function set(uriText: string, opts: Opts): Promise<void> {
  const template: CK_ATTRIBUTE[] = [];
  if (opts.newLabel !== undefined) template.push({ type: K.CKA_LABEL, value: opts.newLabel as string });
  if (opts.newId !== undefined) template.push({ type: K.CKA_ID, value: parseHexId(opts.newId as string, '--new-id') });
  if (opts.startDate !== undefined) template.push({ type: K.CKA_START_DATE, value: cdate(opts.startDate as string, '--start-date') });
  if (opts.endDate !== undefined) template.push({ type: K.CKA_END_DATE, value: cdate(opts.endDate as string, '--end-date') });
  if (opts.sensitive === true) template.push({ type: K.CKA_SENSITIVE, value: true });
  if (opts.extractable === false) template.push({ type: K.CKA_EXTRACTABLE, value: false });
  const usage = listOf(opts.usage as string | undefined);
  await onToken(uriText, opts, 'user', (t, { choice }) => {
    const handle = findOneObject(t.p11, t.session, choice);
    if (usage) {
      const have = readAttributes(t.p11, t.session, handle, Object.values(USAGE));
      for (const w of usage) if (!(w in USAGE)) throw new UsageError(`unknown usage "${w}"`);
      // Each usage attribute the object has is set: true if named, false otherwise.
      for (const [w, attr] of Object.entries(USAGE)) if (have.has(attr)) template.push({ type: attr, value: usage.includes(w) });
    }
    if (template.length === 0) throw new UsageError('nothing to change: give --new-label, --new-id, --usage, --start-date, --end-date, --sensitive or --no-extractable');
    t.p11.C_SetAttributeValue(t.session, handle, template);
    printViews([viewObject(t.p11, t.session, handle, t.uri)], opts.json === true, 'changed');
  });
}

const PRIVATE_PARTS = [
  K.CKA_KEY_TYPE, K.CKA_EC_PARAMS, K.CKA_VALUE, K.CKA_MODULUS, K.CKA_PUBLIC_EXPONENT, K.CKA_PRIVATE_EXPONENT,
  K.CKA_PRIME_1, K.CKA_PRIME_2, K.CKA_EXPONENT_1, K.CKA_EXPONENT_2, K.CKA_COEFFICIENT, K.CKA_PUBLIC_KEY_INFO,
  K.CKA_PARAMETER_SET, K.CKA_SEED,
];

/** The object in its usual file form: SPKI, X.509, PKCS#8 (extractable, not sensitive), or a secret's bytes. */
function exportable(t: TokenSession, handle: number): { label: string; der: Buffer } {
  const { p11, session } = t;
  const a = readAttributes(p11, session, handle, [K.CKA_CLASS, K.CKA_SENSITIVE, K.CKA_EXTRACTABLE, K.CKA_PUBLIC_KEY_INFO]);
  const cls = a.get(K.CKA_CLASS);
  if (cls === K.CKO_PUBLIC_KEY) {
    const info = a.get(K.CKA_PUBLIC_KEY_INFO) as Buffer | undefined;
    if (!info || info.length === 0) throw new UsageError('the public key has no CKA_PUBLIC_KEY_INFO to export');
    return { label: 'PUBLIC KEY', der: info };
  }
  if (cls === K.CKO_CERTIFICATE) {
    return { label: 'CERTIFICATE', der: readAttributes(p11, session, handle, [K.CKA_VALUE]).get(K.CKA_VALUE) as Buffer };
  }
  if (cls !== K.CKO_PRIVATE_KEY && cls !== K.CKO_SECRET_KEY) throw new UsageError('only keys and certificates are exported');
  if (a.get(K.CKA_SENSITIVE) !== false || a.get(K.CKA_EXTRACTABLE) !== true) {
    throw new CKRError(K.CKR_ATTRIBUTE_SENSITIVE, 'the key is sensitive or not extractable');
  }
  if (cls === K.CKO_SECRET_KEY) return { label: '', der: p11.C_GetAttributeValue(session, handle, [{ type: K.CKA_VALUE }])[0]!.value as Buffer };
  const parts = readAttributes(p11, session, handle, PRIVATE_PARTS) as Map<number, StoredValue>;
  return { label: 'PRIVATE KEY', der: privateKeyToPkcs8(parts) };
}

async function exportObject(uriText: string, opts: Opts): Promise<void> {
  await onToken(uriText, opts, 'user-if-given', (t, { choice }) => {
    const handle = findOneObject(t.p11, t.session, choice, ['public', 'cert', 'private', 'secret-key'], t.loggedIn);
    const { label, der } = exportable(t, handle);
    writeOutput(opts.out as string | undefined, opts.der || label === '' ? der : toPem(label, der));
    if (opts.out !== undefined && opts.out !== '-') process.stderr.write(`wrote ${label || 'the secret key value'} to ${opts.out as string}\n`);
  });
}

async function importFile(file: string, opts: Opts): Promise<void> {
  const data = readInput(file);
  const format = (opts.format as string | undefined) ?? 'auto';
  if (!['auto', 'pem', 'der', 'pkcs12'].includes(format)) throw new UsageError('--format must be auto, pem, der or pkcs12');
  // The PKIX parsers are loaded only here: the other commands start faster without them.
  const [{ readInput: readContents }, { createObjects }] = await Promise.all([import('../import/read.js'), import('../import/create.js')]);
  const contents = await readContents(data, format as InputFormat, () => requireSecret(opts, PASSPHRASE));
  const id = opts.id !== undefined ? parseHexId(opts.id as string) : undefined;
  const usage = listOf(opts.usage as string | undefined);
  await withToken(tokenChoice(opts.token as string | undefined), 'user', opts, (t) => {
    const handles = createObjects(t.p11, t.session, contents, {
      ...(opts.label !== undefined ? { label: opts.label as string } : {}), ...(id ? { id } : {}), ...(usage ? { usage } : {}),
      protection: protectionAttrs(opts), usageAttr: USAGE,
    });
    printViews(handles.map((h) => viewObject(t.p11, t.session, h, t.uri)), opts.json === true, 'imported');
  });
}

export function addObjectCommands(object: Command): void {
  example(jsonOption(tokenAndPin(selectors(object.command('list')
    .description('list the objects of a token (private ones after login), with their PKCS#11 URIs')
    .argument('[uri]', 'only the objects this PKCS#11 URI names')))),
  'cryptoki object list --token signing --pin-file user.pin --json', 'cryptoki object list "pkcs11:token=signing;type=cert"')
    .action(list);
  example(jsonOption(tokenAndPin(selectors(object.command('show')
    .description('show every attribute of an object, decoded: key type, curve, size, usage, dates, fingerprints')
    .argument('[uri]', 'the object: a PKCS#11 URI or a label')))),
  'cryptoki object show "pkcs11:token=signing;object=web;type=private" --pin-file user.pin')
    .action(show);
  example(jsonOption(tokenAndPin(selectors(object.command('delete')
    .description('delete objects (needs the user PIN)')
    .argument('[uri]', 'the object: a PKCS#11 URI or a label')
    .option('--all', 'delete every object that matches (e.g. both halves of a key pair)')))),
  'cryptoki object delete "pkcs11:token=signing;object=old" --all --pin-file user.pin')
    .action(remove);
  example(jsonOption(tokenAndPin(object.command('set')
    .description('change attributes of an object: label, ID, usage, dates, or make a key sensitive/unextractable')
    .argument('<uri>', 'the object: a PKCS#11 URI or a label')
    .option('--new-label <label>', 'the new CKA_LABEL')
    .option('--new-id <hex>', 'the new CKA_ID')
    .option('--usage <list>', `the usage it keeps, comma-separated: ${Object.keys(USAGE).join(', ')}`)
    .option('--start-date <YYYY-MM-DD>', 'CKA_START_DATE')
    .option('--end-date <YYYY-MM-DD>', 'CKA_END_DATE')
    .option('--sensitive', 'make the key sensitive (for good)')
    .option('--no-extractable', 'make the key unextractable (for good)'))),
  'cryptoki object set "pkcs11:token=signing;object=web;type=private" --new-label web-2026 --pin-file user.pin')
    .action(set);
  example(tokenAndPin(object.command('export')
    .description('write a public key as SPKI PEM, a certificate as PEM, or an extractable, non-sensitive private key as PKCS#8 PEM')
    .argument('<uri>', 'the object: a PKCS#11 URI or a label')
    .option('--out <file>', 'where to write it (default: standard output)')
    .option('--der', 'write DER instead of PEM')),
  'cryptoki object export "pkcs11:token=signing;object=web;type=public" --out web.pub.pem --pin-file user.pin')
    .action(exportObject);
  const imp = object.command('import')
    .description('import private keys (PKCS#8, encrypted PKCS#8, PKCS#1, SEC 1), public keys (SPKI), X.509 certificates and chains, PKCS#12 bundles')
    .argument('<file>', 'PEM or DER file, or a PKCS#12 (.p12/.pfx) bundle ("-" for standard input)')
    .option('--label <label>', 'CKA_LABEL of the key (default: the bundle\'s friendly name, else the certificate\'s CN)')
    .option('--id <hex>', 'CKA_ID of the key and its certificate (default: SHA-1 of the public key)')
    .option('--format <format>', 'auto, pem, der or pkcs12', 'auto')
    .option('--usage <list>', 'what the key may do, comma-separated (default: by key type)')
    .option('--extractable', 'the private key may be exported or wrapped later')
    .option('--no-sensitive', 'the private key value may be read (only with --extractable)');
  example(jsonOption(addSecretOptions(tokenAndPin(imp), PASSPHRASE, 'of an encrypted key or PKCS#12 file')),
    'cryptoki object import server.p12 --token signing --label server --passphrase-file p12.pass --pin-file user.pin',
    'cryptoki object import ca-chain.pem --token signing --pin-file user.pin')
    .action(importFile);
}

/** `cryptoki key generate SPEC`: a secret key or a key pair on the token. */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import * as K from '../../pkcs11/constants.js';
import type { CK_ATTRIBUTE } from '../../pkcs11/types.js';
import { USAGE, readAttributes, viewObject, type ObjectView } from '../attributes-view.js';
import { keyIdOfSpki } from '../key-id.js';
import { keySpecForms, parseKeySpec, usageTemplates } from '../key-spec.js';
import { parseHexId } from '../object-select.js';
import { printJson } from '../output.js';
import { withProgress } from '../progress.js';
import { tokenChoice, withToken } from '../token-session.js';
import { example, jsonOption, listOf, tokenAndPin, type Opts } from './common.js';

/** CKA_SENSITIVE / CKA_EXTRACTABLE as the options ask; left to the token's defaults otherwise. */
export function protectionAttrs(opts: Opts): CK_ATTRIBUTE[] {
  const attrs: CK_ATTRIBUTE[] = [];
  if (opts.sensitive !== undefined) attrs.push({ type: K.CKA_SENSITIVE, value: opts.sensitive === true });
  if (opts.extractable !== undefined) attrs.push({ type: K.CKA_EXTRACTABLE, value: opts.extractable === true });
  return attrs;
}

export function printViews(views: ObjectView[], json: boolean, verb: string): void {
  if (json) return printJson(views);
  for (const v of views) process.stdout.write(`${verb} ${v.type} ${v.kind} "${v.label}" id ${v.id}\n  ${v.uri}\n`);
}

async function generate(specText: string, opts: Opts): Promise<void> {
  const spec = parseKeySpec(specText);
  const { pub, priv } = usageTemplates(spec, listOf(opts.usage as string | undefined) ?? spec.defaultUsage, USAGE);
  const label = opts.label as string;
  const givenId = opts.id !== undefined ? parseHexId(opts.id as string) : undefined;
  await withToken(tokenChoice(opts.token as string | undefined), 'user', opts, (t) => {
    const { p11, session } = t;
    const common: CK_ATTRIBUTE[] = [{ type: K.CKA_TOKEN, value: true }, { type: K.CKA_LABEL, value: label }];
    if (givenId) common.push({ type: K.CKA_ID, value: givenId });
    const mechanism = { mechanism: spec.mechanism };
    const handles = withProgress(`generating a ${spec.name} key`, () => {
      if (!spec.pair) {
        const secretId = givenId ? [] : [{ type: K.CKA_ID, value: randomBytes(8) }];
        return [p11.C_GenerateKey(session, mechanism, [...common, ...secretId, ...spec.publicAttrs, ...pub, ...protectionAttrs(opts)])];
      }
      return p11.C_GenerateKeyPair(session, mechanism, [...common, ...spec.publicAttrs, ...pub],
        [...common, { type: K.CKA_PRIVATE, value: true }, ...priv, ...protectionAttrs(opts)]);
    });
    if (spec.pair && !givenId) {
      // Both halves get the public key's SHA-1 as CKA_ID, as certificates imported later will.
      const info = readAttributes(p11, session, handles[0]!, [K.CKA_PUBLIC_KEY_INFO]).get(K.CKA_PUBLIC_KEY_INFO) as Buffer | undefined;
      const id = info && info.length ? keyIdOfSpki(info) : randomBytes(8);
      for (const h of handles) p11.C_SetAttributeValue(session, h, [{ type: K.CKA_ID, value: id }]);
    }
    printViews(handles.map((h) => viewObject(p11, session, h, t.uri)), opts.json === true, 'generated');
  });
}

export function addKeyCommands(key: Command): void {
  const cmd = key.command('generate')
    .description('generate a secret key or a key pair on the token')
    .argument('<spec>', `what to generate: ${keySpecForms().join(', ')}`)
    .requiredOption('--label <label>', 'CKA_LABEL of the new key(s)')
    .option('--id <hex>', 'CKA_ID (default: SHA-1 of the public key, as for imported certificates)')
    .option('--usage <list>', `what the key may do, comma-separated: ${Object.keys(USAGE).join(', ')} (default: by key type)`)
    .option('--extractable', 'the private or secret key may be exported or wrapped (default: not)')
    .option('--no-extractable', 'the key may never leave the token')
    .option('--sensitive', 'the key value is never readable (the default for private keys)')
    .option('--no-sensitive', 'the key value may be read when it is also extractable');
  example(jsonOption(tokenAndPin(cmd)),
    'cryptoki key generate ec:P-256 --token signing --label web --pin-file user.pin',
    'cryptoki key generate rsa:3072 --token signing --label rsa --usage sign,verify --pin-env USER_PIN',
    'cryptoki key generate aes:256 --token signing --label backup-key --usage wrap,unwrap --pin-file user.pin')
    .action(generate);
}

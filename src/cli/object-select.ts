/**
 * Which objects a command works on: a PKCS#11 URI (object=, id=, type=), or
 * --label / --id / --type options, matched with C_FindObjects.
 */
import * as K from '../pkcs11/constants.js';
import type { Cryptoki } from '../core/cryptoki.js';
import type { CK_ATTRIBUTE } from '../pkcs11/types.js';
import { UsageError } from './errors.js';
import { isPkcs11Uri, parseUri, URI_TYPES, type Pkcs11Uri, type UriObjectType } from './uri.js';

export const CLASS_OF_URI_TYPE: Record<UriObjectType, number> = {
  public: K.CKO_PUBLIC_KEY, private: K.CKO_PRIVATE_KEY, cert: K.CKO_CERTIFICATE, 'secret-key': K.CKO_SECRET_KEY, data: K.CKO_DATA,
};

export interface ObjectChoice {
  label?: string;
  id?: Buffer;
  type?: UriObjectType;
}

export interface ObjectOptions {
  label?: string;
  id?: string;
  type?: string;
}

/** A hex CKA_ID as given on the command line ("01ab", "01:ab"). */
export function parseHexId(text: string, what = '--id'): Buffer {
  const hex = text.replace(/:/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new UsageError(`${what} must be hex bytes, e.g. 01ab`);
  return Buffer.from(hex, 'hex');
}

export function parseUriArgument(text: string): Pkcs11Uri {
  try {
    return parseUri(text);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The objects named by a URI argument (optional) and the options; options refine the URI. */
export function objectChoice(uriText: string | undefined, opts: ObjectOptions): { choice: ObjectChoice; uri?: Pkcs11Uri } {
  const choice: ObjectChoice = {};
  let uri: Pkcs11Uri | undefined;
  if (uriText !== undefined) {
    if (!isPkcs11Uri(uriText)) {
      // A bare word is a label, as pkcs11-tool users type it.
      choice.label = uriText;
    } else {
      uri = parseUriArgument(uriText);
      if (uri.object !== undefined) choice.label = uri.object;
      if (uri.id !== undefined) choice.id = uri.id;
      if (uri.type !== undefined) choice.type = uri.type;
    }
  }
  if (opts.label !== undefined) choice.label = opts.label;
  if (opts.id !== undefined) choice.id = parseHexId(opts.id);
  if (opts.type !== undefined) {
    if (!(URI_TYPES as readonly string[]).includes(opts.type)) throw new UsageError(`--type must be one of ${URI_TYPES.join(', ')}`);
    choice.type = opts.type as UriObjectType;
  }
  return uri ? { choice, uri } : { choice };
}

/** Every object of the token session that matches. */
export function findObjects(p11: Cryptoki, session: number, choice: ObjectChoice): number[] {
  const template: CK_ATTRIBUTE[] = [];
  if (choice.label !== undefined) template.push({ type: K.CKA_LABEL, value: choice.label });
  if (choice.id !== undefined) template.push({ type: K.CKA_ID, value: choice.id });
  if (choice.type !== undefined) template.push({ type: K.CKA_CLASS, value: CLASS_OF_URI_TYPE[choice.type] });
  p11.C_FindObjectsInit(session, template);
  try {
    const found: number[] = [];
    for (;;) {
      const batch = p11.C_FindObjects(session, 100);
      found.push(...batch);
      if (batch.length < 100) return found;
    }
  } finally {
    p11.C_FindObjectsFinal(session);
  }
}

function describe(choice: ObjectChoice): string {
  const parts: string[] = [];
  if (choice.label !== undefined) parts.push(`object=${choice.label}`);
  if (choice.id !== undefined) parts.push(`id=${choice.id.toString('hex')}`);
  if (choice.type !== undefined) parts.push(`type=${choice.type}`);
  return parts.length ? parts.join(';') : 'any object';
}

/**
 * The one object that matches. When the choice leaves the class open, the
 * classes in `prefer` are tried in order (a key pair's private half to sign
 * with, its public half to verify with).
 */
export function findOneObject(p11: Cryptoki, session: number, choice: ObjectChoice, prefer: UriObjectType[] = [], loggedIn = true): number {
  if (choice.label === undefined && choice.id === undefined) {
    throw new UsageError('name the object: a PKCS#11 URI such as "pkcs11:object=mykey;type=private", or --label / --id');
  }
  const tries: ObjectChoice[] = choice.type === undefined && prefer.length ? prefer.map((type) => ({ ...choice, type })) : [choice];
  for (const attempt of tries) {
    const found = findObjects(p11, session, attempt);
    if (found.length === 1) return found[0]!;
    if (found.length > 1) throw new UsageError(`several objects match ${describe(attempt)}: add id= or type= to choose one`);
  }
  const hint = loggedIn ? '' : ' (private objects are seen only after login: give the PIN)';
  throw new UsageError(`no object matches ${describe(choice)}${hint}`);
}

/**
 * PKCS#11 URIs (RFC 7512): `pkcs11:token=ci;object=signer;type=private`.
 * Path attributes are separated by ';', query attributes (after '?') by '&';
 * values are percent-encoded, and `id` is bytes (each written as %XX).
 */

/** The object types RFC 7512 names, as CKO_ classes go. */
export const URI_TYPES = ['public', 'private', 'cert', 'secret-key', 'data'] as const;
export type UriObjectType = (typeof URI_TYPES)[number];

export interface Pkcs11Uri {
  token?: string;
  manufacturer?: string;
  serial?: string;
  model?: string;
  slotId?: number;
  slotDescription?: string;
  slotManufacturer?: string;
  libraryManufacturer?: string;
  libraryDescription?: string;
  libraryVersion?: string;
  object?: string;
  type?: UriObjectType;
  id?: Buffer;
  pinSource?: string;
  pinValue?: string;
  moduleName?: string;
  modulePath?: string;
}

export class UriError extends Error {}

type TextKey = Exclude<keyof Pkcs11Uri, 'slotId' | 'type' | 'id'>;
const PATH_TEXT: Record<string, TextKey> = {
  token: 'token', manufacturer: 'manufacturer', serial: 'serial', model: 'model', object: 'object',
  'slot-description': 'slotDescription', 'slot-manufacturer': 'slotManufacturer',
  'library-manufacturer': 'libraryManufacturer', 'library-description': 'libraryDescription',
  'library-version': 'libraryVersion',
};
const QUERY_TEXT: Record<string, TextKey> = {
  'pin-source': 'pinSource', 'pin-value': 'pinValue', 'module-name': 'moduleName', 'module-path': 'modulePath',
};

/** Bytes of a percent-encoded value; a '%' not followed by two hex digits is an error. */
function decode(value: string, what: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '%') {
      const hex = value.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new UriError(`${what}: "%" must be followed by two hex digits`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

function text(value: string, what: string): string {
  const bytes = decode(value, what);
  const s = bytes.toString('utf8');
  if (!Buffer.from(s, 'utf8').equals(bytes)) throw new UriError(`${what}: not UTF-8 text`);
  return s;
}

export function isPkcs11Uri(s: string): boolean {
  return /^pkcs11:/i.test(s);
}

export function parseUri(uri: string): Pkcs11Uri {
  if (!isPkcs11Uri(uri)) throw new UriError(`"${uri}" is not a PKCS#11 URI (it must start with "pkcs11:")`);
  const rest = uri.slice('pkcs11:'.length);
  const q = rest.indexOf('?');
  const path = q < 0 ? rest : rest.slice(0, q);
  const query = q < 0 ? '' : rest.slice(q + 1);
  const out: Pkcs11Uri = {};
  const seen = new Set<string>();
  const parts = (s: string, sep: string) => (s === '' ? [] : s.split(sep));
  for (const [list, sep, texts] of [[path, ';', PATH_TEXT], [query, '&', QUERY_TEXT]] as const) {
    for (const part of parts(list, sep)) {
      const eq = part.indexOf('=');
      if (eq <= 0) throw new UriError(`"${part}" in the URI is not name=value`);
      const name = part.slice(0, eq).toLowerCase();
      const value = part.slice(eq + 1);
      if (seen.has(name)) throw new UriError(`"${name}" appears twice in the URI`);
      seen.add(name);
      const key = texts[name];
      if (key) {
        out[key] = text(value, name);
      } else if (sep === ';' && name === 'id') {
        out.id = decode(value, 'id');
      } else if (sep === ';' && name === 'type') {
        const type = text(value, 'type');
        if (!(URI_TYPES as readonly string[]).includes(type)) throw new UriError(`type=${type}: must be one of ${URI_TYPES.join(', ')}`);
        out.type = type as UriObjectType;
      } else if (sep === ';' && name === 'slot-id') {
        const id = text(value, 'slot-id');
        if (!/^\d+$/.test(id)) throw new UriError('slot-id must be a decimal number');
        out.slotId = Number(id);
      } else if (sep === ';' && !name.startsWith('x-')) {
        // RFC 7512 2.3: an unknown path attribute makes the URI match nothing, so it cannot be ignored.
        throw new UriError(`unknown path attribute "${name}"`);
      }
      // Unknown query attributes and x- vendor attributes are ignored, as the RFC allows.
    }
  }
  return out;
}

/** RFC 7512 pchar less the separators ';', '?', '&' and '/' (which p11-kit also escapes). */
const SAFE = /[A-Za-z0-9\-._~:[\]@!$'()*+,=]/;

function encodeText(value: string): string {
  let out = '';
  for (const ch of value) {
    if (SAFE.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += '%' + b.toString(16).padStart(2, '0');
  }
  return out;
}

function encodeBytes(value: Buffer): string {
  return [...value].map((b) => '%' + b.toString(16).padStart(2, '0')).join('');
}

/** The URI in p11-kit's order of attributes; empty values are left out. */
export function formatUri(u: Pkcs11Uri): string {
  const path: string[] = [];
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined && value !== '') path.push(`${name}=${encodeText(value)}`);
  };
  add('library-description', u.libraryDescription);
  add('library-manufacturer', u.libraryManufacturer);
  add('library-version', u.libraryVersion);
  add('slot-description', u.slotDescription);
  add('slot-manufacturer', u.slotManufacturer);
  if (u.slotId !== undefined) path.push(`slot-id=${u.slotId}`);
  add('model', u.model);
  add('manufacturer', u.manufacturer);
  add('serial', u.serial);
  add('token', u.token);
  if (u.id !== undefined && u.id.length > 0) path.push(`id=${encodeBytes(u.id)}`);
  add('object', u.object);
  add('type', u.type);
  const query: string[] = [];
  for (const [name, key] of Object.entries(QUERY_TEXT)) {
    const v = u[key];
    if (v !== undefined) query.push(`${name}=${encodeText(v)}`);
  }
  return 'pkcs11:' + path.join(';') + (query.length ? '?' + query.join('&') : '');
}

/**
 * Keys read by node:crypto (PKCS#8 plain or encrypted, traditional PKCS#1 /
 * SEC 1 PEM or DER, SPKI) as the attributes of token key objects. The key
 * material attributes come from the same PKCS#8 codecs the token's C_UnwrapKey
 * uses.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import * as K from '../../pkcs11/constants.js';
import { curveOfNodeKey, encodeEcPoint } from '../../mechanisms/ec-curves.js';
import { privateKeyFromPkcs8 } from '../../mechanisms/key-codec.js';
import type { CK_ATTRIBUTE } from '../../pkcs11/types.js';
import { UsageError } from '../errors.js';

export interface KeyMaterial {
  /** CKA_KEY_TYPE and the key's value attributes. */
  attrs: CK_ATTRIBUTE[];
  spki: Buffer;
  /** "RSA 2048", "EC P-256", "Ed25519": for messages. */
  kind: string;
  /** The usage words a key of this type can have. */
  usage: { pub: string[]; priv: string[] };
}

function usageOf(key: KeyObject): { pub: string[]; priv: string[] } {
  switch (key.asymmetricKeyType) {
    case 'rsa': return { pub: ['verify', 'encrypt'], priv: ['sign', 'decrypt'] };
    case 'x25519': case 'x448': return { pub: [], priv: ['derive'] };
    default: return { pub: ['verify'], priv: ['sign'] };
  }
}

function kindOf(key: KeyObject): string {
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') return `RSA ${d?.modulusLength ?? '?'}`;
  const curve = curveOfNodeKey(key.asymmetricKeyType, d?.namedCurve);
  if (!curve) throw new UsageError(`keys of type ${key.asymmetricKeyType}${d?.namedCurve ? ' on ' + d.namedCurve : ''} are not supported by the token`);
  return key.asymmetricKeyType === 'ec' ? `EC ${curve.name}` : curve.name;
}

export function privateKeyMaterial(key: KeyObject): KeyMaterial {
  const kind = kindOf(key);
  const map = privateKeyFromPkcs8(key.export({ format: 'der', type: 'pkcs8' }));
  const attrs: CK_ATTRIBUTE[] = [...map].map(([type, value]) => ({ type, value: value as Buffer | number }));
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return { attrs, spki, kind, usage: usageOf(key) };
}

export function publicKeyMaterial(key: KeyObject): KeyMaterial {
  const kind = kindOf(key);
  const jwk = key.export({ format: 'jwk' });
  const b = (s: string | undefined) => Buffer.from(s ?? '', 'base64url');
  const spki = key.export({ format: 'der', type: 'spki' });
  let attrs: CK_ATTRIBUTE[];
  if (key.asymmetricKeyType === 'rsa') {
    attrs = [{ type: K.CKA_KEY_TYPE, value: K.CKK_RSA }, { type: K.CKA_MODULUS, value: b(jwk.n) }, { type: K.CKA_PUBLIC_EXPONENT, value: b(jwk.e) }];
  } else {
    const curve = curveOfNodeKey(key.asymmetricKeyType, key.asymmetricKeyDetails?.namedCurve)!;
    if (curve.kind === 'weierstrass') {
      const point = Buffer.concat([Buffer.from([4]), b(jwk.x), b(jwk.y)]);
      attrs = [{ type: K.CKA_KEY_TYPE, value: K.CKK_EC }, { type: K.CKA_EC_PARAMS, value: curve.oid }, { type: K.CKA_EC_POINT, value: encodeEcPoint(point) }];
    } else {
      const keyType = curve.kind === 'edwards' ? K.CKK_EC_EDWARDS : K.CKK_EC_MONTGOMERY;
      attrs = [{ type: K.CKA_KEY_TYPE, value: keyType }, { type: K.CKA_EC_PARAMS, value: curve.oid }, { type: K.CKA_EC_POINT, value: b(jwk.x) }];
    }
  }
  attrs.push({ type: K.CKA_PUBLIC_KEY_INFO, value: spki });
  return { attrs, spki, kind, usage: usageOf(key) };
}

export type Passphrase = () => Promise<string>;

/**
 * A private key from PEM or DER, asking for the passphrase only when the key
 * is encrypted. Wrong passphrases and unreadable keys are usage errors.
 */
export async function readPrivateKey(input: { pem?: string; der?: Buffer }, passphrase: Passphrase): Promise<KeyObject> {
  const attempt = (pass?: string): KeyObject => {
    if (input.pem !== undefined) return createPrivateKey(pass === undefined ? input.pem : { key: input.pem, passphrase: pass });
    for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
      try {
        return createPrivateKey(pass === undefined || type !== 'pkcs8' ? { key: input.der!, format: 'der', type } : { key: input.der!, format: 'der', type, passphrase: pass });
      } catch (e) {
        if (needsPassphrase(e)) throw e;
      }
    }
    throw new UsageError('not a private key that can be read (PKCS#8, PKCS#1 or SEC 1)');
  };
  try {
    return attempt();
  } catch (e) {
    if (!needsPassphrase(e)) throw e instanceof UsageError ? e : new UsageError('not a private key that can be read (PKCS#8, PKCS#1 or SEC 1)');
  }
  const pass = await passphrase();
  try {
    return attempt(pass);
  } catch {
    throw new UsageError('cannot decrypt the private key: wrong passphrase, or an encryption OpenSSL does not support');
  }
}

function needsPassphrase(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  // OpenSSL 3 reports a missing passphrase as an interrupted prompt.
  return code === 'ERR_MISSING_PASSPHRASE' || code === 'ERR_OSSL_CRYPTO_INTERRUPTED_OR_CANCELLED'
    || /passphrase|encrypted|interrupted or cancelled/i.test(String((e as Error).message));
}

export function readPublicKey(input: { pem?: string; der?: Buffer }): KeyObject {
  try {
    if (input.pem !== undefined) return createPublicKey(input.pem);
    try {
      return createPublicKey({ key: input.der!, format: 'der', type: 'spki' });
    } catch {
      return createPublicKey({ key: input.der!, format: 'der', type: 'pkcs1' });
    }
  } catch {
    throw new UsageError('not a public key that can be read (SPKI or PKCS#1)');
  }
}

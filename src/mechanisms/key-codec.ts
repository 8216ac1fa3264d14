/**
 * Private keys as bytes, for wrapping: PKCS#8 (RFC 5208), as the spec says for
 * C_WrapKey of private keys. Each asymmetric family registers its codec.
 */
import { createPrivateKey, type KeyObject as NodeKeyObject } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { AttributeMap } from '../pkcs11/attributes.js';

export interface PrivateKeyCodec {
  /** CKA_KEY_TYPE of the keys it handles. */
  keyType: number;
  /** node:crypto's asymmetricKeyType names of the keys it reads. */
  nodeTypes: readonly string[];
  toPkcs8(attrs: AttributeMap): Buffer;
  /** The key material attributes (CKA_KEY_TYPE included) of a parsed private key. */
  fromKeyObject(key: NodeKeyObject): AttributeMap;
}

const CODECS: PrivateKeyCodec[] = [];

export function registerPrivateKeyCodec(codec: PrivateKeyCodec): void {
  CODECS.push(codec);
}

export function privateKeyToPkcs8(attrs: AttributeMap): Buffer {
  const codec = CODECS.find((c) => c.keyType === attrs.get(K.CKA_KEY_TYPE));
  if (!codec) throw new CKRError(K.CKR_KEY_NOT_WRAPPABLE, 'no PKCS#8 encoding for this key type');
  return codec.toPkcs8(attrs);
}

/** Any malformed input is the one answer CKR_WRAPPED_KEY_INVALID. */
export function privateKeyFromPkcs8(der: Buffer): AttributeMap {
  let key: NodeKeyObject;
  try {
    key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    throw new CKRError(K.CKR_WRAPPED_KEY_INVALID);
  }
  const codec = CODECS.find((c) => c.nodeTypes.includes(key.asymmetricKeyType ?? ''));
  if (!codec) throw new CKRError(K.CKR_WRAPPED_KEY_INVALID);
  return codec.fromKeyObject(key);
}

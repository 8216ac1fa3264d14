/**
 * Private keys as bytes, for wrapping: PKCS#8 (RFC 5208), as the spec says for
 * C_WrapKey of private keys. Each asymmetric family registers its codec. A
 * codec reads PKCS#8 either through node:crypto's parser (the classic key
 * types), or itself, by algorithm OID, for key types node:crypto on Node 20
 * does not know (the post-quantum ones).
 */
import { createPrivateKey, type KeyObject as NodeKeyObject } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { AttributeMap } from '../pkcs11/attributes.js';
import { oid as derOid, oidToString, readElement, readWhole, tlv } from './der.js';

interface CodecBase {
  /** CKA_KEY_TYPE of the keys it handles. */
  keyType: number;
  toPkcs8(attrs: AttributeMap): Buffer;
}

/** Read through node:crypto. */
interface NodeParsedCodec extends CodecBase {
  /** node:crypto's asymmetricKeyType names of the keys it reads. */
  nodeTypes: readonly string[];
  /** The key material attributes (CKA_KEY_TYPE included) of a parsed private key. */
  fromKeyObject(key: NodeKeyObject): AttributeMap;
}

/** Read from the PrivateKeyInfo fields. */
interface OidParsedCodec extends CodecBase {
  /** Dotted algorithm OIDs it reads. */
  oids: readonly string[];
  /** The key material attributes of the privateKey field's contents; throws on anything malformed. */
  fromPrivateKey(oid: string, privateKey: Buffer): AttributeMap;
}

export type PrivateKeyCodec = NodeParsedCodec | OidParsedCodec;

const CODECS: PrivateKeyCodec[] = [];

export function registerPrivateKeyCodec(codec: PrivateKeyCodec): void {
  CODECS.push(codec);
}

export function privateKeyToPkcs8(attrs: AttributeMap): Buffer {
  const codec = CODECS.find((c) => c.keyType === attrs.get(K.CKA_KEY_TYPE));
  if (!codec) throw new CKRError(K.CKR_KEY_NOT_WRAPPABLE, 'no PKCS#8 encoding for this key type');
  return codec.toPkcs8(attrs);
}

/** PrivateKeyInfo { version 0, AlgorithmIdentifier { oid } (no parameters), privateKey }. */
export function pkcs8(oid: string, privateKey: Buffer): Buffer {
  return tlv(0x30, tlv(0x02, Buffer.of(0)), tlv(0x30, derOid(oid)), tlv(0x04, privateKey));
}

/** The algorithm OID and privateKey contents of a PrivateKeyInfo / OneAsymmetricKey; null if malformed. */
function readPrivateKeyInfo(der: Buffer): { oid: string; privateKey: Buffer } | null {
  const body = readWhole(der, 0x30);
  const version = body && readElement(body);
  if (!body || !version || version.tag !== 0x02 || version.value.length !== 1 || version.value[0]! > 1) return null;
  const algorithm = readElement(body, version.end);
  const oid = algorithm?.tag === 0x30 ? readElement(algorithm.value) : null;
  const privateKey = algorithm && readElement(body, algorithm.end);
  if (!oid || oid.tag !== 0x06 || !privateKey || privateKey.tag !== 0x04) return null;
  const dotted = oidToString(oid.value);
  return dotted ? { oid: dotted, privateKey: privateKey.value } : null;
}

/** Any malformed input is the one answer CKR_WRAPPED_KEY_INVALID. */
export function privateKeyFromPkcs8(der: Buffer): AttributeMap {
  const info = readPrivateKeyInfo(der);
  const own = info && CODECS.find((c): c is OidParsedCodec => 'oids' in c && c.oids.includes(info.oid));
  if (own) {
    try {
      return own.fromPrivateKey(info.oid, info.privateKey);
    } catch {
      throw new CKRError(K.CKR_WRAPPED_KEY_INVALID);
    }
  }
  let key: NodeKeyObject;
  try {
    key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    throw new CKRError(K.CKR_WRAPPED_KEY_INVALID);
  }
  const codec = CODECS.find((c): c is NodeParsedCodec => 'nodeTypes' in c && c.nodeTypes.includes(key.asymmetricKeyType ?? ''));
  if (!codec) throw new CKRError(K.CKR_WRAPPED_KEY_INVALID);
  return codec.fromKeyObject(key);
}

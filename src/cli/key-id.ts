/**
 * The CKA_ID of a key and of its certificates: the SHA-1 of the public key
 * bits (RFC 5280's usual subject key identifier), so that a certificate
 * imported later finds its key.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';

export function keyIdOfSpki(spki: Buffer): Buffer {
  const parsed = asn1js.fromBER(spki.buffer.slice(spki.byteOffset, spki.byteOffset + spki.byteLength) as ArrayBuffer);
  const parts = parsed.result instanceof asn1js.Sequence ? parsed.result.valueBlock.value : [];
  const bits = parts[1];
  if (parsed.offset !== spki.length || !(bits instanceof asn1js.BitString)) throw new Error('not a SubjectPublicKeyInfo');
  return createHash('sha1').update(bits.valueBlock.valueHexView).digest();
}

/** PEM text of DER bytes. */
export function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * The PKIX structures the command reads, through pkijs/asn1js: PEM blocks,
 * certificates (their DER subject, issuer and serial for the certificate
 * object), and the key identifier that ties a key to its certificates.
 */
import { webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { UsageError } from '../errors.js';

let engineSet = false;
/** pkijs does its cryptography (PKCS#12 MACs and decryption) through node's WebCrypto. */
export function usePkijs(): typeof pkijs {
  if (!engineSet) {
    pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto }));
    engineSet = true;
  }
  return pkijs;
}

export interface PemBlock {
  label: string;
  /** The whole block as text, headers included (for node:crypto's encrypted traditional keys). */
  text: string;
  der: Buffer;
}

const PEM = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/** The PEM blocks of a file; none when it is not PEM. */
export function pemBlocks(data: Buffer): PemBlock[] {
  const text = data.toString('latin1');
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(PEM)) {
    // Headers (Proc-Type, DEK-Info) end at an empty line; the base64 follows.
    const body = m[2]!.replace(/^[\s\S]*?\r?\n\r?\n/, (h) => (/:/.test(h) ? '' : h));
    blocks.push({ label: m[1]!, text: m[0], der: Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64') });
  }
  return blocks;
}

function ab(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

export interface CertificateFacts {
  der: Buffer;
  subject: Buffer;
  issuer: Buffer;
  /** The DER INTEGER, as CKA_SERIAL_NUMBER holds it. */
  serial: Buffer;
  spki: Buffer;
  commonName?: string;
  /** Whether the certificate says it belongs to a CA (basicConstraints cA). */
  isCa: boolean;
}

const CN = '2.5.4.3';
const BASIC_CONSTRAINTS = '2.5.29.19';

export function parseCertificate(der: Buffer): CertificateFacts {
  let cert: pkijs.Certificate;
  try {
    cert = usePkijs().Certificate.fromBER(ab(der));
  } catch {
    throw new UsageError('not an X.509 certificate');
  }
  const toDer = (s: { toSchema(): asn1js.BaseBlock; }) => Buffer.from(s.toSchema().toBER());
  const cn = cert.subject.typesAndValues.find((t) => t.type === CN);
  const bc = cert.extensions?.find((e) => e.extnID === BASIC_CONSTRAINTS)?.parsedValue as pkijs.BasicConstraints | undefined;
  const facts: CertificateFacts = {
    der, subject: toDer(cert.subject), issuer: toDer(cert.issuer), serial: Buffer.from(cert.serialNumber.toBER()),
    spki: toDer(cert.subjectPublicKeyInfo), isCa: bc?.cA === true,
  };
  const name = cn?.value.valueBlock.value;
  if (typeof name === 'string') facts.commonName = name;
  return facts;
}

/**
 * What an input file holds, whatever its form: PEM with any mix of private
 * keys, public keys and certificates (a chain), or DER of one of them, or a
 * PKCS#12 bundle.
 */
import type { KeyObject } from 'node:crypto';
import { UsageError } from '../errors.js';
import { readPrivateKey, readPublicKey, type Passphrase } from './keys.js';
import { readPkcs12 } from './pkcs12.js';
import { parseCertificate, pemBlocks, usePkijs } from './pkix.js';

export interface FileContents {
  privateKeys: { key: KeyObject; friendlyName?: string }[];
  publicKeys: KeyObject[];
  certificates: { der: Buffer; friendlyName?: string }[];
}

export type InputFormat = 'auto' | 'pem' | 'der' | 'pkcs12';

const PRIVATE_LABELS = new Set(['PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY']);
const PUBLIC_LABELS = new Set(['PUBLIC KEY', 'RSA PUBLIC KEY']);
const CERT_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);

function isPkcs12(der: Buffer): boolean {
  try {
    const pfx = usePkijs().PFX.fromBER(der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength) as ArrayBuffer);
    return pfx.version === 3;
  } catch {
    return false;
  }
}

function isCertificate(der: Buffer): boolean {
  try {
    parseCertificate(der);
    return true;
  } catch {
    return false;
  }
}

export async function readInput(data: Buffer, format: InputFormat, passphrase: Passphrase): Promise<FileContents> {
  const out: FileContents = { privateKeys: [], publicKeys: [], certificates: [] };
  const blocks = format === 'der' || format === 'pkcs12' ? [] : pemBlocks(data);
  if (blocks.length > 0) {
    for (const b of blocks) {
      if (PRIVATE_LABELS.has(b.label)) out.privateKeys.push({ key: await readPrivateKey({ pem: b.text }, passphrase) });
      else if (PUBLIC_LABELS.has(b.label)) out.publicKeys.push(readPublicKey({ pem: b.text }));
      else if (CERT_LABELS.has(b.label)) out.certificates.push({ der: b.der });
      else throw new UsageError(`PEM "${b.label}" blocks cannot be imported`);
    }
    return out;
  }
  if (format === 'pem') throw new UsageError('the file has no PEM block');
  if (format === 'pkcs12' || isPkcs12(data)) {
    const bundle = await readPkcs12(data, await passphrase());
    return { privateKeys: bundle.keys, publicKeys: [], certificates: bundle.certificates };
  }
  if (isCertificate(data)) {
    out.certificates.push({ der: data });
    return out;
  }
  // Private first: node:crypto would also read a PKCS#1 private key as its public half.
  try {
    out.privateKeys.push({ key: await readPrivateKey({ der: data }, passphrase) });
    return out;
  } catch (e) {
    if (!(e instanceof UsageError) || /passphrase/.test(e.message)) throw e;
  }
  out.publicKeys.push(readPublicKey({ der: data }));
  return out;
}

/**
 * PKCS#12 bundles (RFC 7292) through pkijs: the MAC is checked and the safe
 * contents decrypted with the passphrase; a shrouded key bag is an encrypted
 * PKCS#8 that node:crypto (OpenSSL) decrypts.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import type * as Pkijs from 'pkijs';
import { UsageError } from '../errors.js';
import { usePkijs } from './pkix.js';

const KEY_BAG = '1.2.840.113549.1.12.10.1.1';
const SHROUDED_KEY_BAG = '1.2.840.113549.1.12.10.1.2';
const CERT_BAG = '1.2.840.113549.1.12.10.1.3';
const X509_CERT = '1.2.840.113549.1.9.22.1';
const FRIENDLY_NAME = '1.2.840.113549.1.9.20';

export interface Pkcs12Contents {
  keys: { key: KeyObject; friendlyName?: string }[];
  certificates: { der: Buffer; friendlyName?: string }[];
}

function friendlyName(bag: Pkijs.SafeBag): string | undefined {
  const attr = bag.bagAttributes?.find((a) => a.type === FRIENDLY_NAME);
  const value = attr?.values[0] as asn1js.BmpString | undefined;
  return value?.valueBlock.value;
}

export async function readPkcs12(der: Buffer, passphrase: string): Promise<Pkcs12Contents> {
  const pkijs = usePkijs();
  const password = new TextEncoder().encode(passphrase).buffer as ArrayBuffer;
  let pfx: Pkijs.PFX;
  try {
    pfx = pkijs.PFX.fromBER(der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength) as ArrayBuffer);
  } catch {
    throw new UsageError('not a PKCS#12 file');
  }
  try {
    await pfx.parseInternalValues({ password, checkIntegrity: true });
  } catch (e) {
    throw new UsageError(`cannot open the PKCS#12 file: wrong passphrase, or a protection pkijs does not support (${(e as Error).message})`);
  }
  const safes = pfx.parsedValue?.authenticatedSafe;
  if (!safes) throw new UsageError('the PKCS#12 file has no contents');
  try {
    await safes.parseInternalValues({ safeContents: safes.safeContents.map(() => ({ password })) });
  } catch (e) {
    throw new UsageError(`cannot decrypt the PKCS#12 contents: ${(e as Error).message} (files from "openssl pkcs12 -legacy" use RC2/3DES, which are not supported)`);
  }
  const out: Pkcs12Contents = { keys: [], certificates: [] };
  for (const contents of safes.parsedValue?.safeContents ?? []) {
    for (const bag of contents.value.safeBags) {
      const name = friendlyName(bag);
      const named = <T extends object>(o: T): T & { friendlyName?: string } => (name === undefined ? o : { ...o, friendlyName: name });
      if (bag.bagId === CERT_BAG) {
        const cert = bag.bagValue as Pkijs.CertBag;
        if (cert.certId !== X509_CERT) continue;
        out.certificates.push(named({ der: Buffer.from((cert.certValue as asn1js.OctetString).getValue()) }));
      } else if (bag.bagId === SHROUDED_KEY_BAG || bag.bagId === KEY_BAG) {
        const keyDer = Buffer.from((bag.bagValue as { toSchema(): asn1js.BaseBlock }).toSchema().toBER());
        try {
          const key = bag.bagId === KEY_BAG
            ? createPrivateKey({ key: keyDer, format: 'der', type: 'pkcs8' })
            : createPrivateKey({ key: keyDer, format: 'der', type: 'pkcs8', passphrase });
          out.keys.push(named({ key }));
        } catch {
          throw new UsageError('cannot read the private key in the PKCS#12 file (wrong passphrase, or a key type the token does not support)');
        }
      }
    }
  }
  return out;
}

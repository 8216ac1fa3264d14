/**
 * Token objects for what an input file holds: each private key with its
 * public half, public keys, certificates. A key and its certificates share
 * CKA_ID (the SHA-1 of the public key), and the leaf certificate takes the
 * key's label, so that applications find them together.
 */
import { createPublicKey } from 'node:crypto';
import * as K from '../../pkcs11/constants.js';
import type { Cryptoki } from '../../core/cryptoki.js';
import type { CK_ATTRIBUTE } from '../../pkcs11/types.js';
import { UsageError } from '../errors.js';
import { Progress } from '../progress.js';
import { privateKeyMaterial, publicKeyMaterial } from './keys.js';
import { keyIdOfSpki } from '../key-id.js';
import { parseCertificate } from './pkix.js';
import type { FileContents } from './read.js';

export interface ImportChoices {
  label?: string;
  id?: Buffer;
  /** Usage words for the keys; by key type when left out. */
  usage?: string[];
  /** CKA_SENSITIVE / CKA_EXTRACTABLE of private keys, when given. */
  protection: CK_ATTRIBUTE[];
  usageAttr: Record<string, number>;
}

function usageAttrs(possible: string[], chosen: string[] | undefined, usageAttr: Record<string, number>): CK_ATTRIBUTE[] {
  return possible.map((w) => ({ type: usageAttr[w]!, value: chosen === undefined ? true : chosen.includes(w) }));
}

/** Creates the objects; returns their handles in the order created. */
export function createObjects(p11: Cryptoki, session: number, contents: FileContents, c: ImportChoices): number[] {
  const total = contents.privateKeys.length * 2 + contents.publicKeys.length + contents.certificates.length;
  if (total === 0) throw new UsageError('the file holds nothing to import');
  if (c.usage) {
    const known = new Set(Object.keys(c.usageAttr));
    for (const w of c.usage) if (!known.has(w)) throw new UsageError(`unknown usage "${w}"`);
  }
  const certs = contents.certificates.map((cert) => ({ ...cert, facts: parseCertificate(cert.der) }));
  const progress = new Progress('importing', total);
  const handles: number[] = [];
  const create = (template: CK_ATTRIBUTE[]) => {
    handles.push(p11.C_CreateObject(session, template));
    progress.step(handles.length);
  };
  /** Natural key ID (hex) -> the ID and label the key got, for its certificates. */
  const keys = new Map<string, { id: Buffer; label: string }>();
  const single = contents.privateKeys.length + contents.publicKeys.length === 1;
  const base = (label: string, id: Buffer): CK_ATTRIBUTE[] => [
    { type: K.CKA_TOKEN, value: true }, { type: K.CKA_LABEL, value: label }, { type: K.CKA_ID, value: id },
  ];
  const keyNaming = (spki: Buffer, friendly: string | undefined) => {
    const natural = keyIdOfSpki(spki);
    const leaf = certs.find((x) => x.facts.spki.equals(spki));
    const label = (single ? c.label : undefined) ?? friendly ?? leaf?.friendlyName ?? leaf?.facts.commonName ?? 'imported key';
    const id = (single ? c.id : undefined) ?? natural;
    keys.set(natural.toString('hex'), { id, label });
    return { label, id };
  };
  try {
    for (const { key, friendlyName } of contents.privateKeys) {
      const priv = privateKeyMaterial(key);
      const pub = publicKeyMaterial(createPublicKey(key));
      const { label, id } = keyNaming(priv.spki, friendlyName);
      create([{ type: K.CKA_CLASS, value: K.CKO_PRIVATE_KEY }, ...base(label, id), { type: K.CKA_PRIVATE, value: true },
        ...usageAttrs(priv.usage.priv, c.usage, c.usageAttr), ...c.protection, ...priv.attrs]);
      create([{ type: K.CKA_CLASS, value: K.CKO_PUBLIC_KEY }, ...base(label, id), { type: K.CKA_PRIVATE, value: false },
        ...usageAttrs(pub.usage.pub, c.usage, c.usageAttr), ...pub.attrs]);
    }
    for (const key of contents.publicKeys) {
      const pub = publicKeyMaterial(key);
      const { label, id } = keyNaming(pub.spki, undefined);
      create([{ type: K.CKA_CLASS, value: K.CKO_PUBLIC_KEY }, ...base(label, id), { type: K.CKA_PRIVATE, value: false },
        ...usageAttrs(pub.usage.pub, c.usage, c.usageAttr), ...pub.attrs]);
    }
    for (const { der, friendlyName, facts } of certs) {
      const ownKey = keys.get(keyIdOfSpki(facts.spki).toString('hex'));
      const onlyCert = keys.size === 0 && certs.length === 1;
      const label = ownKey?.label ?? (onlyCert ? c.label : undefined) ?? friendlyName ?? facts.commonName ?? 'certificate';
      const id = ownKey?.id ?? (onlyCert ? c.id : undefined) ?? keyIdOfSpki(facts.spki);
      create([{ type: K.CKA_CLASS, value: K.CKO_CERTIFICATE }, { type: K.CKA_CERTIFICATE_TYPE, value: K.CKC_X_509 },
        ...base(label, id), { type: K.CKA_PRIVATE, value: false }, { type: K.CKA_SUBJECT, value: facts.subject },
        { type: K.CKA_ISSUER, value: facts.issuer }, { type: K.CKA_SERIAL_NUMBER, value: facts.serial },
        { type: K.CKA_VALUE, value: der }, { type: K.CKA_CERTIFICATE_CATEGORY, value: facts.isCa ? 2 : ownKey ? 1 : 0 }]);
    }
  } catch (e) {
    progress.finish(false);
    // All or nothing: what was created before the failure goes again.
    for (const h of handles) {
      try {
        p11.C_DestroyObject(session, h);
      } catch {
        // already gone
      }
    }
    throw e;
  }
  progress.finish();
  return handles;
}

/**
 * Mechanisms by name, as the user writes them (CKM_ECDSA_SHA256,
 * ecdsa-sha256, SHA256-RSA-PKCS-PSS), with the parameters the common ones
 * need built from options: RSA-PSS and OAEP (--hash, --salt-len), GCM
 * (--iv, --aad, --tag-bits), an IV for the block modes (--iv).
 */
import * as K from '../pkcs11/constants.js';
import { constantValue, mechanismName } from '../pkcs11/names.js';
import type { CK_MECHANISM } from '../pkcs11/types.js';
import { UsageError } from './errors.js';

export function parseMechanismName(text: string): number {
  const name = 'CKM_' + text.trim().toUpperCase().replace(/-/g, '_').replace(/^CKM_/, '');
  const value = constantValue(name);
  if (value === undefined) throw new UsageError(`unknown mechanism "${text}": "cryptoki mechanisms" lists them`);
  return value;
}

interface Hash { mechanism: number; mgf: number; bytes: number }
const HASHES: Record<string, Hash> = {
  SHA1: { mechanism: K.CKM_SHA_1, mgf: K.CKG_MGF1_SHA1, bytes: 20 },
  SHA224: { mechanism: K.CKM_SHA224, mgf: K.CKG_MGF1_SHA224, bytes: 28 },
  SHA256: { mechanism: K.CKM_SHA256, mgf: K.CKG_MGF1_SHA256, bytes: 32 },
  SHA384: { mechanism: K.CKM_SHA384, mgf: K.CKG_MGF1_SHA384, bytes: 48 },
  SHA512: { mechanism: K.CKM_SHA512, mgf: K.CKG_MGF1_SHA512, bytes: 64 },
  SHA3_224: { mechanism: K.CKM_SHA3_224, mgf: K.CKG_MGF1_SHA3_224, bytes: 28 },
  SHA3_256: { mechanism: K.CKM_SHA3_256, mgf: K.CKG_MGF1_SHA3_256, bytes: 32 },
  SHA3_384: { mechanism: K.CKM_SHA3_384, mgf: K.CKG_MGF1_SHA3_384, bytes: 48 },
  SHA3_512: { mechanism: K.CKM_SHA3_512, mgf: K.CKG_MGF1_SHA3_512, bytes: 64 },
};

function hashNamed(text: string): Hash {
  const h = HASHES[text.toUpperCase().replace(/-/g, '_').replace(/^SHA_1$/, 'SHA1')];
  if (!h) throw new UsageError(`unknown hash "${text}": use ${Object.keys(HASHES).map((k) => k.toLowerCase().replace('_', '-')).join(', ')}`);
  return h;
}

function hex(text: string, what: string): Buffer {
  if (!/^([0-9a-fA-F]{2})*$/.test(text)) throw new UsageError(`${what} must be hex bytes`);
  return Buffer.from(text, 'hex');
}

export interface MechanismOptions {
  hash?: string;
  saltLen?: string;
  iv?: string;
  aad?: string;
  tagBits?: string;
}

/** The mechanism with the parameter its name calls for. */
export function buildMechanism(text: string, o: MechanismOptions): CK_MECHANISM {
  const mechanism = parseMechanismName(text);
  const name = mechanismName(mechanism).replace(/^CKM_/, '');
  if (name.endsWith('_PSS')) {
    // SHA256_RSA_PKCS_PSS carries its hash in its name; RSA_PKCS_PSS takes --hash.
    const h = hashNamed(o.hash ?? (name === 'RSA_PKCS_PSS' ? 'sha256' : name.slice(0, name.indexOf('_RSA_PKCS_PSS'))));
    const sLen = o.saltLen !== undefined ? Number(o.saltLen) : h.bytes;
    if (!Number.isInteger(sLen) || sLen < 0) throw new UsageError('--salt-len must be a number of bytes');
    return { mechanism, parameter: { hashAlg: h.mechanism, mgf: h.mgf, sLen } };
  }
  if (name === 'RSA_PKCS_OAEP') {
    const h = hashNamed(o.hash ?? 'sha256');
    return { mechanism, parameter: { hashAlg: h.mechanism, mgf: h.mgf, source: K.CKZ_DATA_SPECIFIED, pSourceData: Buffer.alloc(0) } };
  }
  if (name.endsWith('_GCM')) {
    if (o.iv === undefined) throw new UsageError(`${text} needs --iv HEX (12 bytes, never reused with the same key)`);
    const iv = hex(o.iv, '--iv');
    const tagBits = o.tagBits !== undefined ? Number(o.tagBits) : 128;
    return {
      mechanism,
      parameter: { pIv: iv, ulIvLen: iv.length, ulIvBits: iv.length * 8, pAAD: o.aad !== undefined ? hex(o.aad, '--aad') : Buffer.alloc(0), ulTagBits: tagBits },
    };
  }
  if (o.iv !== undefined) return { mechanism, parameter: hex(o.iv, '--iv') };
  if (/_(CBC|CBC_PAD|OFB|CFB8|CFB128|CTS)$/.test(name)) throw new UsageError(`${text} needs --iv HEX`);
  return { mechanism };
}

/** ECDSA signatures are r||s in PKCS#11; OpenSSL and X.509 want DER. */
export function isEcdsa(text: string): boolean {
  return mechanismName(parseMechanismName(text)).startsWith('CKM_ECDSA');
}

/**
 * Mechanism parameters. pkcs11js takes a Buffer (the raw parameter bytes), a
 * number (a CK_ULONG parameter) or an object whose `type` (CK_PARAMS_*) names
 * the C struct to build; our core takes the C structs as objects with the C
 * field names. Raw Buffers for the structs our core reads as objects (CTR
 * parameters, the *_GENERAL MAC length) are decoded from their C layout.
 */
import * as K from '../pkcs11/constants.js';
import { mechanismName } from '../pkcs11/names.js';
import type { CK_MECHANISM } from '../pkcs11/types.js';
import { typeError, type Args } from './args.js';
import {
  CK_PARAMS_AES_CBC, CK_PARAMS_AES_CCM, CK_PARAMS_AES_GCM, CK_PARAMS_AES_GCM_v240, CK_PARAMS_CCM,
  CK_PARAMS_DES_CBC_ENCRYPT_DATA, CK_PARAMS_EC_DH, CK_PARAMS_GCM, CK_PARAMS_RSA_OAEP, CK_PARAMS_RSA_PSS,
} from './constants.js';


type Fields = Record<string, unknown>;

const bytes = (v: unknown): Buffer => (Buffer.isBuffer(v) ? v : Buffer.alloc(0));
const ulong = (v: unknown): number => (typeof v === 'number' ? v >>> 0 : 0);

/** pkcs11js field names → the C struct's, per CK_PARAMS_* type our mechanisms read. */
const STRUCTS = new Map<number, (p: Fields) => Fields>([
  [CK_PARAMS_AES_CBC, (p) => ({ iv: bytes(p.iv), pData: bytes(p.data) })],
  [CK_PARAMS_DES_CBC_ENCRYPT_DATA, (p) => ({ iv: bytes(p.iv), pData: bytes(p.data) })],
  [CK_PARAMS_AES_CCM, (p) => ({ ulDataLen: ulong(p.dataLen), pNonce: bytes(p.nonce), pAAD: bytes(p.aad), ulMACLen: ulong(p.macLen) })],
  [CK_PARAMS_CCM, (p) => ({ ulDataLen: ulong(p.dataLen), pNonce: bytes(p.nonce), pAAD: bytes(p.aad), ulMACLen: ulong(p.macLen) })],
  [CK_PARAMS_AES_GCM, (p) => ({ pIv: bytes(p.iv), ulIvBits: bytes(p.iv).length * 8, pAAD: bytes(p.aad), ulTagBits: ulong(p.tagBits) })],
  [CK_PARAMS_AES_GCM_v240, (p) => ({ pIv: bytes(p.iv), ulIvBits: ulong(p.ivBits), pAAD: bytes(p.aad), ulTagBits: ulong(p.tagBits) })],
  [CK_PARAMS_GCM, (p) => ({ pIv: bytes(p.iv), ulIvBits: ulong(p.ivBits), pAAD: bytes(p.aad), ulTagBits: ulong(p.tagBits) })],
  [CK_PARAMS_RSA_OAEP, (p) => ({ hashAlg: ulong(p.hashAlg), mgf: ulong(p.mgf), source: ulong(p.source), pSourceData: bytes(p.sourceData) })],
  [CK_PARAMS_RSA_PSS, (p) => ({ hashAlg: ulong(p.hashAlg), mgf: ulong(p.mgf), sLen: ulong(p.saltLen) })],
  [CK_PARAMS_EC_DH, (p) => ({ kdf: ulong(p.kdf), pSharedData: bytes(p.sharedData), pPublicData: bytes(p.publicData) })],
]);

/** Parameters our core reads as a number (CK_MAC_GENERAL_PARAMS and the like) when C passes 8 bytes. */
function isUlongParameter(mechanism: number): boolean {
  return /_GENERAL$/.test(mechanismName(mechanism));
}

function fromRawBytes(mechanism: number, raw: Buffer): unknown {
  if (mechanism === K.CKM_AES_CTR && raw.length === 24) {
    return { ulCounterBits: Number(raw.readBigUInt64LE(0)), cb: Buffer.from(raw.subarray(8)) };
  }
  if (raw.length === 8 && isUlongParameter(mechanism)) return Number(raw.readBigUInt64LE(0));
  return Buffer.from(raw);
}

/** Reads the mechanism argument at `index` in our core's form. */
export function readMechanism(args: Args, index: number): CK_MECHANISM {
  const m = args[index];
  if (typeof m !== 'object' || m === null) throw typeError(`Argument ${index} has wrong type. Should be an Object`);
  const { mechanism, parameter } = m as { mechanism?: unknown; parameter?: unknown };
  if (typeof mechanism !== 'number') {
    throw typeError(`Argument ${index} has wrong type. Property 'mechanism' should be a Number`);
  }
  const type = mechanism >>> 0;
  if (parameter === undefined || parameter === null) return { mechanism: type };
  if (Buffer.isBuffer(parameter)) return { mechanism: type, parameter: fromRawBytes(type, parameter) };
  if (typeof parameter === 'number') return { mechanism: type, parameter: parameter >>> 0 };
  if (typeof parameter !== 'object') {
    throw typeError(`Argument ${index} has wrong type. Property 'parameter' should be an Object or Buffer`);
  }
  const fields = parameter as Fields;
  if (typeof fields.type !== 'number') throw typeError(`Argument ${index} has wrong type. Property 'type' should be a Number`);
  const build = STRUCTS.get(fields.type);
  // A struct our token has no mechanism for: passed with its pkcs11js field names, the
  // mechanism then answers as it does for any parameter it cannot read.
  return { mechanism: type, parameter: build ? build(fields) : { ...fields } };
}

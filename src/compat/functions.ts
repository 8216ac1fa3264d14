/**
 * Every C_* function of pkcs11js's PKCS11 class: how many arguments it takes,
 * where its caller-supplied output buffer and callback sit, and how it calls
 * our core. The class (./pkcs11.ts) turns each entry into the sync, callback
 * (`C_XCallback`) and promise (`C_XAsync`) methods pkcs11js has.
 */
import type { Cryptoki } from '../core/cryptoki.js';
import { CKRError } from '../pkcs11/error.js';
import { CKR_NO_EVENT } from '../pkcs11/constants.js';
import type { CK_ATTRIBUTE } from '../pkcs11/types.js';
import {
  readBoolean, readBuffer, readHandle, readString, readUlong, typeError, type Args,
} from './args.js';
import { handleToBuffer } from './handles.js';
import { mechanismInfo, moduleInfo, sessionInfo, slotInfo, tokenInfo } from './info.js';
import { readMechanism } from './params.js';
import { checkReturnedValue, readTemplate, valueToCBytes } from './template.js';

export interface FunctionSpec {
  /** Exact argument count of the synchronous form (pkcs11js checks it), if it checks one. */
  count?: number;
  /** Index of the caller's output buffer: the result is that buffer cut to the length written. */
  out?: number;
  /** Index of the callback in the callback form; present for functions that have one. */
  callback?: number;
  run(p11: Cryptoki, a: Args): unknown;
}

const h = readHandle;
const buf = readBuffer;
const mech = readMechanism;
const tmpl = readTemplate;
const handle = (n: number): Buffer => handleToBuffer(n);

function initialize(p11: Cryptoki, a: Args): void {
  const options = a[0];
  if (options === undefined || options === null) return p11.C_Initialize();
  if (typeof options !== 'object') throw typeError('Argument 0 has wrong type. Should be an Object');
  const { flags, libraryParameters } = options as { flags?: unknown; libraryParameters?: unknown };
  if (libraryParameters !== undefined && typeof libraryParameters !== 'string') {
    throw typeError("Argument 0 has wrong type. Property 'libraryParameters' should be a String");
  }
  p11.C_Initialize({ flags: typeof flags === 'number' ? flags >>> 0 : 0 });
}

function getAttributeValue(p11: Cryptoki, a: Args): unknown {
  const session = h(a, 0);
  const object = h(a, 1);
  const query = tmpl(a, 2).map((t): CK_ATTRIBUTE => ({ type: t.type }));
  p11.C_GetAttributeValue(session, object, query);
  const result = a[2] as { type: number; value?: unknown }[];
  query.forEach((entry, i) => {
    const bytes = valueToCBytes(entry.value);
    checkReturnedValue(entry.type, bytes);
    result[i]!.value = bytes;
  });
  return result;
}

function waitForSlotEvent(p11: Cryptoki, a: Args): Buffer | null {
  try {
    return handle(p11.C_WaitForSlotEvent(readUlong(a, 0)));
  } catch (e) {
    if (e instanceof CKRError && e.code === CKR_NO_EVENT) return null;
    throw e;
  }
}

function generateKeyPair(p11: Cryptoki, a: Args) {
  const [publicKey, privateKey] = p11.C_GenerateKeyPair(h(a, 0), mech(a, 1), tmpl(a, 2), tmpl(a, 3));
  return { privateKey: handle(privateKey), publicKey: handle(publicKey) };
}

export const FUNCTIONS: Record<string, FunctionSpec> = {
  C_Initialize: { run: initialize },
  C_Finalize: { run: (p) => p.C_Finalize() },
  C_GetInfo: { run: (p) => moduleInfo(p.C_GetInfo()) },
  C_GetSlotList: {
    run: (p, a) => p.C_GetSlotList(a.length > 0 ? readBoolean(a, 0) : false).map(handle),
  },
  C_GetSlotInfo: { count: 1, run: (p, a) => slotInfo(p.C_GetSlotInfo(h(a, 0))) },
  C_GetTokenInfo: { count: 1, run: (p, a) => tokenInfo(p.C_GetTokenInfo(h(a, 0))) },
  C_GetMechanismList: { count: 1, run: (p, a) => p.C_GetMechanismList(h(a, 0)) },
  C_GetMechanismInfo: { count: 2, run: (p, a) => mechanismInfo(p.C_GetMechanismInfo(h(a, 0), readUlong(a, 1))) },
  // pkcs11js declares the label as the result, and graphene-pk11 reads it.
  C_InitToken: {
    count: 3, run: (p, a) => { const label = readString(a, 2); p.C_InitToken(h(a, 0), readString(a, 1), label); return label; },
  },
  C_InitPIN: { count: 2, run: (p, a) => p.C_InitPIN(h(a, 0), readString(a, 1)) },
  C_SetPIN: { count: 3, run: (p, a) => p.C_SetPIN(h(a, 0), readString(a, 1), readString(a, 2)) },
  C_OpenSession: { count: 2, run: (p, a) => handle(p.C_OpenSession(h(a, 0), readUlong(a, 1))) },
  C_CloseSession: { count: 1, run: (p, a) => p.C_CloseSession(h(a, 0)) },
  C_CloseAllSessions: { count: 1, run: (p, a) => p.C_CloseAllSessions(h(a, 0)) },
  C_GetSessionInfo: { count: 1, run: (p, a) => sessionInfo(p.C_GetSessionInfo(h(a, 0))) },
  C_GetOperationState: { count: 1, run: (p, a) => p.C_GetOperationState(h(a, 0)) },
  C_SetOperationState: {
    count: 4, run: (p, a) => p.C_SetOperationState(h(a, 0), buf(a, 1), h(a, 2), h(a, 3)),
  },
  C_Login: { count: 3, run: (p, a) => p.C_Login(h(a, 0), readUlong(a, 1), readString(a, 2)) },
  C_Logout: { count: 1, run: (p, a) => p.C_Logout(h(a, 0)) },
  C_SeedRandom: { count: 2, run: (p, a) => p.C_SeedRandom(h(a, 0), buf(a, 1)) },
  C_GenerateRandom: {
    count: 2,
    run: (p, a) => {
      const out = buf(a, 1);
      p.C_GenerateRandom(h(a, 0), out);
      return out;
    },
  },
  C_CreateObject: { count: 2, run: (p, a) => handle(p.C_CreateObject(h(a, 0), tmpl(a, 1))) },
  C_CopyObject: { count: 3, run: (p, a) => handle(p.C_CopyObject(h(a, 0), h(a, 1), tmpl(a, 2))) },
  C_DestroyObject: { count: 2, run: (p, a) => p.C_DestroyObject(h(a, 0), h(a, 1)) },
  C_GetObjectSize: { count: 2, run: (p, a) => p.C_GetObjectSize(h(a, 0), h(a, 1)) >>> 0 },
  C_GetAttributeValue: { count: 3, run: getAttributeValue },
  C_SetAttributeValue: { count: 3, run: (p, a) => p.C_SetAttributeValue(h(a, 0), h(a, 1), tmpl(a, 2)) },
  C_FindObjectsInit: { count: 2, run: (p, a) => p.C_FindObjectsInit(h(a, 0), tmpl(a, 1)) },
  C_FindObjects: { count: 2, run: (p, a) => p.C_FindObjects(h(a, 0), readUlong(a, 1)).map(handle) },
  C_FindObjectsFinal: { count: 1, run: (p, a) => p.C_FindObjectsFinal(h(a, 0)) },

  C_EncryptInit: { count: 3, run: (p, a) => p.C_EncryptInit(h(a, 0), mech(a, 1), h(a, 2)) },
  C_Encrypt: { count: 3, out: 2, callback: 3, run: (p, a) => p.C_Encrypt(h(a, 0), buf(a, 1), buf(a, 2)) },
  C_EncryptUpdate: { count: 3, out: 2, run: (p, a) => p.C_EncryptUpdate(h(a, 0), buf(a, 1), buf(a, 2)) },
  C_EncryptFinal: { count: 2, out: 1, callback: 2, run: (p, a) => p.C_EncryptFinal(h(a, 0), buf(a, 1)) },
  C_DecryptInit: { count: 3, run: (p, a) => p.C_DecryptInit(h(a, 0), mech(a, 1), h(a, 2)) },
  C_Decrypt: { count: 3, out: 2, callback: 3, run: (p, a) => p.C_Decrypt(h(a, 0), buf(a, 1), buf(a, 2)) },
  C_DecryptUpdate: { count: 3, out: 2, run: (p, a) => p.C_DecryptUpdate(h(a, 0), buf(a, 1), buf(a, 2)) },
  C_DecryptFinal: { count: 2, out: 1, callback: 2, run: (p, a) => p.C_DecryptFinal(h(a, 0), buf(a, 1)) },
  C_DigestInit: { count: 2, run: (p, a) => p.C_DigestInit(h(a, 0), mech(a, 1)) },
  C_Digest: { count: 3, out: 2, callback: 3, run: (p, a) => p.C_Digest(h(a, 0), buf(a, 1), buf(a, 2)) },
  C_DigestUpdate: { count: 2, run: (p, a) => p.C_DigestUpdate(h(a, 0), buf(a, 1)) },
  C_DigestKey: { count: 2, run: (p, a) => p.C_DigestKey(h(a, 0), h(a, 1)) },
  C_DigestFinal: { count: 2, out: 1, callback: 2, run: (p, a) => p.C_DigestFinal(h(a, 0), buf(a, 1)) },
  C_SignInit: { count: 3, run: (p, a) => p.C_SignInit(h(a, 0), mech(a, 1), h(a, 2)) },
  C_Sign: { count: 3, out: 2, callback: 3, run: (p, a) => p.C_Sign(h(a, 0), buf(a, 1), buf(a, 2)) },
  C_SignUpdate: { count: 2, run: (p, a) => p.C_SignUpdate(h(a, 0), buf(a, 1)) },
  C_SignFinal: { count: 2, out: 1, callback: 2, run: (p, a) => p.C_SignFinal(h(a, 0), buf(a, 1)) },
  C_SignRecoverInit: { count: 3, run: (p, a) => p.C_SignRecoverInit(h(a, 0), mech(a, 1), h(a, 2)) },
  C_SignRecover: { count: 3, out: 2, run: (p, a) => p.C_SignRecover(h(a, 0), buf(a, 1), buf(a, 2)) },
  C_VerifyInit: { count: 3, run: (p, a) => p.C_VerifyInit(h(a, 0), mech(a, 1), h(a, 2)) },
  C_Verify: {
    count: 3, callback: 3, run: (p, a) => { p.C_Verify(h(a, 0), buf(a, 1), buf(a, 2)); return true; },
  },
  C_VerifyUpdate: { count: 2, run: (p, a) => p.C_VerifyUpdate(h(a, 0), buf(a, 1)) },
  C_VerifyFinal: {
    count: 2, callback: 2, run: (p, a) => { p.C_VerifyFinal(h(a, 0), buf(a, 1)); return true; },
  },
  C_VerifyRecoverInit: { count: 3, run: (p, a) => p.C_VerifyRecoverInit(h(a, 0), mech(a, 1), h(a, 2)) },
  C_VerifyRecover: { count: 3, out: 2, run: (p, a) => p.C_VerifyRecover(h(a, 0), buf(a, 1), buf(a, 2)) },

  C_DigestEncryptUpdate: { count: 3, out: 2, callback: 3, run: (p, a) => p.C_DigestEncryptUpdate(h(a, 0), buf(a, 1), buf(a, 2)) },
  C_DecryptDigestUpdate: { count: 3, out: 2, callback: 3, run: (p, a) => p.C_DecryptDigestUpdate(h(a, 0), buf(a, 1), buf(a, 2)) },
  C_SignEncryptUpdate: { count: 3, out: 2, callback: 3, run: (p, a) => p.C_SignEncryptUpdate(h(a, 0), buf(a, 1), buf(a, 2)) },
  C_DecryptVerifyUpdate: { count: 3, out: 2, callback: 3, run: (p, a) => p.C_DecryptVerifyUpdate(h(a, 0), buf(a, 1), buf(a, 2)) },

  C_GenerateKey: { count: 3, callback: 3, run: (p, a) => handle(p.C_GenerateKey(h(a, 0), mech(a, 1), tmpl(a, 2))) },
  C_GenerateKeyPair: { count: 4, callback: 4, run: generateKeyPair },
  C_WrapKey: {
    count: 5, out: 4, callback: 5, run: (p, a) => p.C_WrapKey(h(a, 0), mech(a, 1), h(a, 2), h(a, 3), buf(a, 4)),
  },
  C_UnwrapKey: {
    count: 5, callback: 5, run: (p, a) => handle(p.C_UnwrapKey(h(a, 0), mech(a, 1), h(a, 2), buf(a, 3), tmpl(a, 4))),
  },
  C_DeriveKey: { count: 4, callback: 4, run: (p, a) => handle(p.C_DeriveKey(h(a, 0), mech(a, 1), h(a, 2), tmpl(a, 3))) },
  C_WaitForSlotEvent: { count: 1, run: waitForSlotEvent },
};

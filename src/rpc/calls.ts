/**
 * The p11-kit RPC call table (protocol reference §3): call id, the PKCS#11
 * function, and the signatures of its request and response bodies. The ids are
 * positions in p11-kit's own table and never change; 0..65 are the whole
 * protocol of version 0, 66..88 came with version 1 (PKCS#11 3.0 and
 * C_InitToken2), 89 (C_DeriveKey2) with version 2.
 *
 * Signature letters: y byte, u CK_ULONG (u64), v CK_VERSION, s fixed-width
 * string, z NUL-terminated string, ay byte array, au ulong array, fy/fu output
 * buffer capacities, fA attribute template with buffer sizes, aA attribute
 * array, M mechanism, P mechanism-parameter update.
 */
import type { Dialect } from './codec.js';

export interface CallSpec {
  readonly id: number;
  /** The PKCS#11 function (or "ERROR" for id 0). */
  readonly name: string;
  /** Request signature; null for ERROR, which is never a request. */
  readonly request: string | null;
  readonly response: string;
  /** The first protocol version whose clients send this call. */
  readonly since: Dialect;
}

export const CALL_ERROR = 0;
export const CALL_C_INITIALIZE = 1;
export const CALL_C_GET_ATTRIBUTE_VALUE = 24;

// [name, request, response]
const TABLE: ReadonlyArray<readonly [string, string | null, string]> = [
  ['ERROR', null, 'u'],
  ['C_Initialize', 'ayyay', ''],
  ['C_Finalize', '', ''],
  ['C_GetInfo', '', 'vsusv'],
  ['C_GetSlotList', 'yfu', 'au'],
  ['C_GetSlotInfo', 'u', 'ssuvv'],
  ['C_GetTokenInfo', 'u', 'ssssuuuuuuuuuuuvvs'],
  ['C_GetMechanismList', 'ufu', 'au'],
  ['C_GetMechanismInfo', 'uu', 'uuu'],
  ['C_InitToken', 'uayz', ''],
  ['C_OpenSession', 'uu', 'u'],
  ['C_CloseSession', 'u', ''],
  ['C_CloseAllSessions', 'u', ''],
  ['C_GetSessionInfo', 'u', 'uuuu'],
  ['C_InitPIN', 'uay', ''],
  ['C_SetPIN', 'uayay', ''],
  ['C_GetOperationState', 'ufy', 'ay'],
  ['C_SetOperationState', 'uayuu', ''],
  ['C_Login', 'uuay', ''],
  ['C_Logout', 'u', ''],
  ['C_CreateObject', 'uaA', 'u'],
  ['C_CopyObject', 'uuaA', 'u'],
  ['C_DestroyObject', 'uu', ''],
  ['C_GetObjectSize', 'uu', 'u'],
  ['C_GetAttributeValue', 'uufA', 'aAu'],
  ['C_SetAttributeValue', 'uuaA', ''],
  ['C_FindObjectsInit', 'uaA', ''],
  ['C_FindObjects', 'ufu', 'au'],
  ['C_FindObjectsFinal', 'u', ''],
  ['C_EncryptInit', 'uMu', ''],
  ['C_Encrypt', 'uayfy', 'ay'],
  ['C_EncryptUpdate', 'uayfy', 'ay'],
  ['C_EncryptFinal', 'ufy', 'ay'],
  ['C_DecryptInit', 'uMu', ''],
  ['C_Decrypt', 'uayfy', 'ay'],
  ['C_DecryptUpdate', 'uayfy', 'ay'],
  ['C_DecryptFinal', 'ufy', 'ay'],
  ['C_DigestInit', 'uM', ''],
  ['C_Digest', 'uayfy', 'ay'],
  ['C_DigestUpdate', 'uay', ''],
  ['C_DigestKey', 'uu', ''],
  ['C_DigestFinal', 'ufy', 'ay'],
  ['C_SignInit', 'uMu', ''],
  ['C_Sign', 'uayfy', 'ay'],
  ['C_SignUpdate', 'uay', ''],
  ['C_SignFinal', 'ufy', 'ay'],
  ['C_SignRecoverInit', 'uMu', ''],
  ['C_SignRecover', 'uayfy', 'ay'],
  ['C_VerifyInit', 'uMu', ''],
  ['C_Verify', 'uayay', ''],
  ['C_VerifyUpdate', 'uay', ''],
  ['C_VerifyFinal', 'uay', ''],
  ['C_VerifyRecoverInit', 'uMu', ''],
  ['C_VerifyRecover', 'uayfy', 'ay'],
  ['C_DigestEncryptUpdate', 'uayfy', 'ay'],
  ['C_DecryptDigestUpdate', 'uayfy', 'ay'],
  ['C_SignEncryptUpdate', 'uayfy', 'ay'],
  ['C_DecryptVerifyUpdate', 'uayfy', 'ay'],
  ['C_GenerateKey', 'uMaA', 'u'],
  ['C_GenerateKeyPair', 'uMaAaA', 'uu'],
  ['C_WrapKey', 'uMuufy', 'ay'],
  ['C_UnwrapKey', 'uMuayaA', 'u'],
  ['C_DeriveKey', 'uMuaA', 'u'],
  ['C_SeedRandom', 'uay', ''],
  ['C_GenerateRandom', 'ufy', 'ay'],
  ['C_WaitForSlotEvent', 'u', 'u'],
  // PKCS #11 3.0 (protocol version 1)
  ['C_LoginUser', 'uuayay', ''],
  ['C_SessionCancel', 'uu', ''],
  ['C_MessageEncryptInit', 'uMu', ''],
  ['C_EncryptMessage', 'uayayayfy', 'ay'],
  ['C_EncryptMessageBegin', 'uayay', ''],
  ['C_EncryptMessageNext', 'uayayfyu', 'ay'],
  ['C_MessageEncryptFinal', 'u', ''],
  ['C_MessageDecryptInit', 'uMu', ''],
  ['C_DecryptMessage', 'uayayayfy', 'ay'],
  ['C_DecryptMessageBegin', 'uayay', ''],
  ['C_DecryptMessageNext', 'uayayfyu', 'ay'],
  ['C_MessageDecryptFinal', 'u', ''],
  ['C_MessageSignInit', 'uMu', ''],
  ['C_SignMessage', 'uayayfy', 'ay'],
  ['C_SignMessageBegin', 'uay', ''],
  ['C_SignMessageNext', 'uayayyfy', 'ay'],
  ['C_MessageSignFinal', 'u', ''],
  ['C_MessageVerifyInit', 'uMu', ''],
  ['C_VerifyMessage', 'uayayay', ''],
  ['C_VerifyMessageBegin', 'uay', ''],
  ['C_VerifyMessageNext', 'uayayay', ''],
  ['C_MessageVerifyFinal', 'u', ''],
  ['C_InitToken2', 'uays', ''],
  // protocol version 2
  ['C_DeriveKey2', 'uMuaA', 'uPu'],
];

export const CALLS: readonly CallSpec[] = Object.freeze(
  TABLE.map(([name, request, response], id) =>
    Object.freeze({ id, name, request, response, since: (id <= 65 ? 0 : id <= 88 ? 1 : 2) as Dialect }),
  ),
);

/** The highest call id any client sends. */
export const MAX_CALL_ID = CALLS.length - 1;

const BY_NAME = new Map(CALLS.map((c) => [c.name, c]));

export function callById(id: number): CallSpec | undefined {
  return Number.isInteger(id) && id >= 0 && id < CALLS.length ? CALLS[id] : undefined;
}

export function callByName(name: string): CallSpec {
  const c = BY_NAME.get(name);
  if (!c) throw new Error(`no RPC call named ${name}`);
  return c;
}

/** The PKCS#11 function name of a call id, for logs ("call 0x5a" when unknown). */
export function callName(id: number): string {
  return callById(id)?.name ?? `call 0x${(id >>> 0).toString(16)}`;
}

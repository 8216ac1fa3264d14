/**
 * The calls of our protocol extension (docs/protocol.md), served only on a
 * connection that agreed on EXT_VERSION: the PKCS#11 3.2 functions p11-kit
 * has no call for, and the message-based functions again with their
 * parameters as `X` values, whose updated form (a generated IV, a tag) comes
 * back in the response. Ids start at 256, far from p11-kit's table (0..89),
 * so that table can grow without meeting ours.
 */
import type { CallSpec } from './calls.js';

/** The version byte our module offers and the server answers with; no p11-kit client offers it. */
export const EXT_VERSION = 0x43;

export const EXT_FIRST_CALL = 256;

// [name, request, response]
const TABLE: ReadonlyArray<readonly [string, string, string]> = [
  ['C_EncapsulateKey', 'uMuaAfy', 'ayu'],
  ['C_DecapsulateKey', 'uMuaAay', 'u'],
  ['C_VerifySignatureInit', 'uMuay', ''],
  ['C_VerifySignature', 'uay', ''],
  ['C_VerifySignatureUpdate', 'uay', ''],
  ['C_VerifySignatureFinal', 'u', ''],
  ['C_GetSessionValidationFlags', 'uu', 'u'],
  ['C_WrapKeyAuthenticated', 'uMuuayfy', 'ay'],
  ['C_UnwrapKeyAuthenticated', 'uMuayaAay', 'u'],
  ['C_AsyncComplete', 'uz', ''],
  ['C_AsyncGetID', 'uz', 'u'],
  ['C_AsyncJoin', 'uzuay', ''],
  // Message-based functions with `X` parameters; the response carries the parameter back.
  ['C_EncryptMessage', 'uXayayfy', 'Xay'],
  ['C_EncryptMessageBegin', 'uXay', 'X'],
  ['C_EncryptMessageNext', 'uXayfyu', 'Xay'],
  ['C_DecryptMessage', 'uXayayfy', 'Xay'],
  ['C_DecryptMessageBegin', 'uXay', 'X'],
  ['C_DecryptMessageNext', 'uXayfyu', 'Xay'],
  ['C_SignMessage', 'uXayfy', 'Xay'],
  ['C_SignMessageBegin', 'uX', 'X'],
  ['C_SignMessageNext', 'uXayyfy', 'Xay'],
  ['C_VerifyMessage', 'uXayay', ''],
  ['C_VerifyMessageBegin', 'uX', ''],
  ['C_VerifyMessageNext', 'uXayay', ''],
];

export const EXT_CALLS: readonly CallSpec[] = Object.freeze(
  TABLE.map(([name, request, response], i) => Object.freeze({ id: EXT_FIRST_CALL + i, name, request, response, since: 3 as const })),
);

export function extCallById(id: number): CallSpec | undefined {
  const i = id - EXT_FIRST_CALL;
  return Number.isInteger(i) && i >= 0 && i < EXT_CALLS.length ? EXT_CALLS[i] : undefined;
}

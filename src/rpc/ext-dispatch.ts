/**
 * The handlers of our protocol extension (docs/protocol.md, ext-calls.ts):
 * the PKCS#11 3.2 calls p11-kit lacks and the message-based calls with `X`
 * parameters. A message parameter is written in place by the core (a
 * generated IV, a tag), so the handler sends the parameter back whole and the
 * module copies the output fields into the application's structure.
 */
import type { Cryptoki } from '../core/cryptoki.js';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { CK_ATTRIBUTE, CK_MECHANISM } from '../pkcs11/types.js';
import type { ByteBuffer, FieldValue, WireMechanism } from './codec.js';

type Args = FieldValue[];
type Handler = (a: Args) => FieldValue[];

export interface ExtContext {
  p11: Cryptoki;
  /** An `fy` capacity and the call that fills it -> the `ay` answer (Dispatcher.output). */
  output(capacity: number, run: (out: Buffer | null) => Buffer | number): ByteBuffer;
  template(v: FieldValue): CK_ATTRIBUTE[];
  mechanism(v: FieldValue): CK_MECHANISM | null;
}

const u = (v: FieldValue): number => v as number;

function input(v: FieldValue): Uint8Array {
  const b = v as ByteBuffer;
  if (b.data) return b.data;
  return (b.length === 0 ? Buffer.alloc(0) : null) as unknown as Uint8Array;
}

/** An optional input (associated data, a signature that may be NULL): NULL stays null. */
function optional(v: FieldValue): Uint8Array | null {
  return (v as ByteBuffer).data;
}

/** A function name of the asynchronous calls: NUL-terminated UTF-8 without its NUL. */
const text = (v: FieldValue): string => (v as Buffer).toString('utf8');

/**
 * `calls`: the extension's own call ids (ext-calls.ts), by name. `replaced`:
 * p11-kit calls whose handling changes in our dialect (the message-based Init
 * and Final calls, which p11-kit's dialects refuse).
 */
export function extHandlers(ctx: ExtContext): { calls: Record<string, Handler>; replaced: Record<string, Handler> } {
  const { p11, output } = ctx;
  const required = (v: FieldValue): CK_MECHANISM => {
    const m = ctx.mechanism(v);
    if (m === null) throw new CKRError(K.CKR_ARGUMENTS_BAD, 'no mechanism');
    return m;
  };
  const messageInit = (start: (h: number, m: CK_MECHANISM | null, key: number) => void): Handler => (a) => {
    start(u(a[0]!), ctx.mechanism(a[1]!), u(a[2]!));
    return [];
  };
  /** A message call whose parameter comes back after the call. */
  const withParameter = (a: Args, run: (parameter: unknown) => FieldValue[]): FieldValue[] => {
    const parameter = a[1] as unknown;
    const rest = run(parameter);
    return [parameter as FieldValue, ...rest];
  };

  const replaced: Record<string, Handler> = {
    C_MessageEncryptInit: messageInit((h, m, k) => p11.C_MessageEncryptInit(h, m, k)),
    C_MessageDecryptInit: messageInit((h, m, k) => p11.C_MessageDecryptInit(h, m, k)),
    C_MessageSignInit: messageInit((h, m, k) => p11.C_MessageSignInit(h, m as CK_MECHANISM, k)),
    C_MessageVerifyInit: messageInit((h, m, k) => p11.C_MessageVerifyInit(h, m as CK_MECHANISM, k)),
    C_MessageEncryptFinal: (a) => (p11.C_MessageEncryptFinal(u(a[0]!)), []),
    C_MessageDecryptFinal: (a) => (p11.C_MessageDecryptFinal(u(a[0]!)), []),
    C_MessageSignFinal: (a) => (p11.C_MessageSignFinal(u(a[0]!)), []),
    C_MessageVerifyFinal: (a) => (p11.C_MessageVerifyFinal(u(a[0]!)), []),
  };
  const calls: Record<string, Handler> = {
    C_EncapsulateKey: (a) => {
      const m = required(a[1]!);
      const capacity = u(a[4]!);
      let hKey = K.CK_INVALID_HANDLE;
      const ciphertext = output(capacity, (o) => {
        const r = p11.C_EncapsulateKey(u(a[0]!), m, u(a[2]!), ctx.template(a[3]!), o);
        if (o !== null) hKey = r.hKey;
        return r.ciphertext;
      });
      return [ciphertext, hKey];
    },
    C_DecapsulateKey: (a) => [p11.C_DecapsulateKey(u(a[0]!), required(a[1]!), u(a[2]!), ctx.template(a[3]!), input(a[4]!))],
    C_VerifySignatureInit: (a) => (p11.C_VerifySignatureInit(u(a[0]!), required(a[1]!), u(a[2]!), input(a[3]!)), []),
    C_VerifySignature: (a) => (p11.C_VerifySignature(u(a[0]!), input(a[1]!)), []),
    C_VerifySignatureUpdate: (a) => (p11.C_VerifySignatureUpdate(u(a[0]!), input(a[1]!)), []),
    C_VerifySignatureFinal: (a) => (p11.C_VerifySignatureFinal(u(a[0]!)), []),
    C_GetSessionValidationFlags: (a) => [p11.C_GetSessionValidationFlags(u(a[0]!), u(a[1]!))],
    C_WrapKeyAuthenticated: (a) => {
      const m = required(a[1]!);
      return [output(u(a[5]!), (o) => p11.C_WrapKeyAuthenticated(u(a[0]!), m, u(a[2]!), u(a[3]!), input(a[4]!), o))];
    },
    C_UnwrapKeyAuthenticated: (a) => [
      p11.C_UnwrapKeyAuthenticated(u(a[0]!), required(a[1]!), u(a[2]!), input(a[3]!), ctx.template(a[4]!), input(a[5]!)),
    ],
    C_AsyncComplete: (a) => p11.C_AsyncComplete(u(a[0]!), text(a[1]!)),
    C_AsyncGetID: (a) => p11.C_AsyncGetID(u(a[0]!), text(a[1]!)),
    C_AsyncJoin: (a) => p11.C_AsyncJoin(u(a[0]!), text(a[1]!), u(a[2]!), input(a[3]!)),

    C_EncryptMessage: (a) => withParameter(a, (p) => [
      output(u(a[4]!), (o) => p11.C_EncryptMessage(u(a[0]!), p, optional(a[2]!), input(a[3]!), o)),
    ]),
    C_EncryptMessageBegin: (a) => withParameter(a, (p) => (p11.C_EncryptMessageBegin(u(a[0]!), p, optional(a[2]!)), [])),
    C_EncryptMessageNext: (a) => withParameter(a, (p) => [
      output(u(a[3]!), (o) => p11.C_EncryptMessageNext(u(a[0]!), p, input(a[2]!), u(a[4]!), o)),
    ]),
    C_DecryptMessage: (a) => withParameter(a, (p) => [
      output(u(a[4]!), (o) => p11.C_DecryptMessage(u(a[0]!), p, optional(a[2]!), input(a[3]!), o)),
    ]),
    C_DecryptMessageBegin: (a) => withParameter(a, (p) => (p11.C_DecryptMessageBegin(u(a[0]!), p, optional(a[2]!)), [])),
    C_DecryptMessageNext: (a) => withParameter(a, (p) => [
      output(u(a[3]!), (o) => p11.C_DecryptMessageNext(u(a[0]!), p, input(a[2]!), u(a[4]!), o)),
    ]),
    C_SignMessage: (a) => withParameter(a, (p) => [output(u(a[3]!), (o) => p11.C_SignMessage(u(a[0]!), p, input(a[2]!), o))]),
    C_SignMessageBegin: (a) => withParameter(a, (p) => (p11.C_SignMessageBegin(u(a[0]!), p), [])),
    C_SignMessageNext: (a) => withParameter(a, (p) => {
      // The flag says whether the application asked for the signature (its last part).
      if (u(a[3]!) === 0) {
        p11.C_SignMessageNext(u(a[0]!), p, input(a[2]!));
        return [{ data: null, length: 0 }];
      }
      return [output(u(a[4]!), (o) => p11.C_SignMessageNext(u(a[0]!), p, input(a[2]!), o) as Buffer | number)];
    }),
    C_VerifyMessage: (a) => (p11.C_VerifyMessage(u(a[0]!), a[1] as unknown, input(a[2]!), input(a[3]!)), []),
    C_VerifyMessageBegin: (a) => (p11.C_VerifyMessageBegin(u(a[0]!), a[1] as unknown), []),
    C_VerifyMessageNext: (a) => (p11.C_VerifyMessageNext(u(a[0]!), a[1] as unknown, input(a[2]!), optional(a[3]!)), []),
  };
  return { calls, replaced };
}

/** The mechanism of an extension request: its parameter is already what our mechanisms take. */
export function extMechanism(m: WireMechanism | null): CK_MECHANISM | null {
  if (m === null) return null;
  return m.parameter === null || m.parameter === undefined ? { mechanism: m.mechanism } : { mechanism: m.mechanism, parameter: m.parameter };
}

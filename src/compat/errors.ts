/**
 * The error classes of pkcs11js 2.1, with the same fields and message format:
 * a failed C_* call throws a Pkcs11Error whose message is the CKR_* name and whose
 * `code` is the number; anything else from "below" is a NativeError; bad
 * arguments are TypeErrors with pkcs11js's wording (see ./args.ts).
 */
import { CKRError } from '../pkcs11/error.js';
import { rvName } from '../pkcs11/names.js';

const CKR_PATTERN = /(CKR_[^:]+):(\d+)/;

export class NativeError extends Error {
  /** The C_* function that failed, when known. */
  method: string;
  /** Where the failure was raised, as text (pkcs11js: the native stack). */
  nativeStack: string;
  code?: number;

  constructor(message?: string, method?: string) {
    super(message ?? '');
    this.name = 'NativeError';
    this.method = method ?? '';
    this.nativeStack = '';
    const lines = this.message.split('\n');
    const match = /(\w+):(\d+)/.exec(this.message);
    if (match) {
      this.message = match[1]!;
      this.code = Number(match[2]);
      const frame = lines.length > 1 ? /at PKCS11\.(\w+) \(/.exec(lines[1]!) : null;
      if (frame) this.method = frame[1]!;
      this.nativeStack = lines.slice(1).join('\n');
    } else {
      this.message = lines[0]!;
      this.code = 0;
    }
  }
}

export class Pkcs11Error extends NativeError {
  declare code: number;

  static messageReg = CKR_PATTERN;

  static isPkcs11(message: string): boolean {
    return new RegExp(Pkcs11Error.messageReg).test(message);
  }

  constructor(message?: string, code?: number, method?: string) {
    super(message, method);
    this.name = 'Pkcs11Error';
    this.code = code ?? this.code ?? 0;
    const match = new RegExp(Pkcs11Error.messageReg).exec(message ?? '');
    if (match) {
      this.message = match[1]!;
      this.code = Number(match[2]);
    }
  }
}

/**
 * The name in the message: the spec's name of the code (pkcs11js knows only the
 * 2.40 list and calls the rest CKR_VENDOR_DEFINED; a name is more useful).
 */
function codeName(code: number): string {
  const name = rvName(code);
  return name.startsWith('CKR_0x') ? 'CKR_VENDOR_DEFINED' : name;
}

/** The Pkcs11Error a failed call of `method` throws for return value `code`. */
export function pkcs11Error(code: number, method: string): Pkcs11Error {
  const text = `${codeName(code)}:${code}\n    at PKCS11.${method} (cryptoki-ts)`;
  return new Pkcs11Error(text, code, method);
}

/**
 * What a caller of `method` sees for an exception from the token: CKR codes
 * become Pkcs11Error, argument errors stay TypeErrors, the rest NativeError.
 * Messages never carry more than the code name (no caller data).
 */
export function toCompatError(e: unknown, method: string): Error {
  if (e instanceof NativeError || e instanceof TypeError) return e;
  if (e instanceof CKRError) return pkcs11Error(e.code, method);
  return new NativeError(e instanceof Error ? e.message : String(e), method);
}

import { rvName } from './names.js';

/**
 * A PKCS#11 failure: every C_* function that does not return CKR_OK throws one.
 * The message names the code and never carries caller data (PINs, key bytes).
 */
export class CKRError extends Error {
  readonly code: number;
  readonly rvName: string;

  constructor(code: number, detail?: string, options?: { cause?: unknown }) {
    const name = rvName(code);
    super(detail ? `${name}: ${detail}` : name, options);
    this.name = 'CKRError';
    this.code = code;
    this.rvName = name;
  }
}

/** Throws CKRError(code) unless `condition` holds. */
export function ensure(condition: unknown, code: number, detail?: string): asserts condition {
  if (!condition) throw new CKRError(code, detail);
}

export function isCKRError(e: unknown, code?: number): e is CKRError {
  return e instanceof CKRError && (code === undefined || e.code === code);
}

/** CKR_BUFFER_TOO_SMALL, with the size the caller's buffer needs (what C returns in *pulLen). */
export class BufferTooSmallError extends CKRError {
  readonly required: number;
  constructor(required: number) {
    super(0x150, `${required} needed`);
    this.required = required;
  }
}

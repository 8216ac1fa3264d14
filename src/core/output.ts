/**
 * The spec's output conventions (section 5.2) in TypeScript terms. An output
 * argument left out means "give me the result"; `null` is C's NULL pointer (a
 * length query); a Buffer or a number is the caller's buffer or its capacity.
 */
import { BufferTooSmallError } from '../pkcs11/error.js';
import type { OutputCapacity } from '../pkcs11/types.js';

/**
 * Delivers a result of known size: a length query and a too-small buffer
 * return before `produce` runs, so they leave the operation as it was.
 */
export function deliverSized(size: number, out: Buffer | null | undefined, produce: () => Buffer): Buffer | number {
  if (out === null) return size;
  if (out !== undefined && out.length < size) throw new BufferTooSmallError(size);
  const result = produce();
  if (out === undefined) return result;
  result.copy(out);
  return result.length;
}

export function deliverList<T>(list: T[], capacity: OutputCapacity | undefined): T[] | number {
  if (capacity === null) return list.length;
  if (capacity !== undefined && capacity < list.length) throw new BufferTooSmallError(list.length);
  return list;
}

/** A fixed-width, blank-padded CK_UTF8CHAR field, cut on a character boundary. */
export function padded(text: string, width: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > width) break;
    out += ch;
    bytes += n;
  }
  return out + ' '.repeat(width - bytes);
}

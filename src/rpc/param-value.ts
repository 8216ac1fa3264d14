/**
 * The `X` field of our protocol extension (docs/protocol.md): a mechanism
 * parameter as a self-describing tagged value, so that the server needs no
 * table of C structures. The module knows the C layouts and sends each
 * structure with its C field names; a length field that only gives the size
 * of a byte string is left out, as in our API (src/mechanisms/mechanism.ts).
 *
 *   00              NULL
 *   01 BA           bytes
 *   02 u64          CK_ULONG
 *   03 u8           CK_BBOOL (false / true)
 *   04 u32 n        a structure: n times (BA field name, value)
 *   05 u32 n        an array: n values
 */
import { ProtocolError, ResponseTooLargeError, type WireReader, type WireWriter } from './codec.js';

export const X_NULL = 0;
export const X_BYTES = 1;
export const X_ULONG = 2;
export const X_BOOL = 3;
export const X_STRUCT = 4;
export const X_ARRAY = 5;

/** Structures inside structures (SP 800-108 data parameters) need 3 levels; 8 is plenty. */
export const X_MAX_DEPTH = 8;

/** A decoded parameter value: what our mechanisms take. */
export type ParamValue = null | Buffer | number | boolean | ParamValue[] | { [field: string]: ParamValue };

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

/**
 * Reads one value. Byte strings are copies (an operation may keep its
 * parameter; it must not keep the request alive). Structures are objects
 * without a prototype, so no field name can reach Object.prototype.
 */
export function readParamValue(r: WireReader, depth = 0): ParamValue {
  if (depth > X_MAX_DEPTH) throw new ProtocolError('mechanism parameter nested too deep');
  const tag = r.byte();
  switch (tag) {
    case X_NULL:
      return null;
    case X_BYTES: {
      const b = r.byteArray();
      return b === null ? null : Buffer.from(b);
    }
    case X_ULONG:
      return r.u64();
    case X_BOOL: {
      const b = r.byte();
      if (b > 1) throw new ProtocolError('a CK_BBOOL parameter field is 0 or 1');
      return b === 1;
    }
    case X_STRUCT: {
      const count = r.u32();
      r.needItems(count, 6, 'parameter structure');
      const out: { [field: string]: ParamValue } = Object.create(null) as { [field: string]: ParamValue };
      for (let i = 0; i < count; i++) {
        const name = r.byteArray()?.toString('latin1') ?? '';
        if (!FIELD_NAME.test(name)) throw new ProtocolError('bad parameter field name');
        if (name in out) throw new ProtocolError(`parameter field ${name} twice`);
        out[name] = readParamValue(r, depth + 1);
      }
      return out;
    }
    case X_ARRAY: {
      const count = r.u32();
      r.needItems(count, 1, 'parameter array');
      const out: ParamValue[] = [];
      for (let i = 0; i < count; i++) out.push(readParamValue(r, depth + 1));
      return out;
    }
    default:
      throw new ProtocolError(`unknown parameter value tag ${tag}`);
  }
}

/** Writes a value; what is not a parameter value (a function, a symbol) is NULL. */
export function writeParamValue(w: WireWriter, v: unknown, depth = 0): void {
  if (depth > X_MAX_DEPTH) throw new ResponseTooLargeError('mechanism parameter nested too deep');
  if (v instanceof Uint8Array) {
    w.byte(X_BYTES).byteArray(v);
  } else if (typeof v === 'number' && Number.isInteger(v)) {
    w.byte(X_ULONG).u64(v);
  } else if (typeof v === 'boolean') {
    w.byte(X_BOOL).byte(v ? 1 : 0);
  } else if (Array.isArray(v)) {
    w.byte(X_ARRAY).u32(v.length);
    for (const x of v) writeParamValue(w, x, depth + 1);
  } else if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v as Record<string, unknown>).filter(([k]) => FIELD_NAME.test(k));
    w.byte(X_STRUCT).u32(entries.length);
    for (const [k, x] of entries) {
      w.byteArray(Buffer.from(k, 'latin1'));
      writeParamValue(w, x, depth + 1);
    }
  } else {
    w.byte(X_NULL);
  }
}

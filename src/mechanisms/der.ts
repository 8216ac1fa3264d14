/**
 * The little DER the key encodings need: writing elements, reading one element
 * at a time (every read bounded by the buffer, malformed input gives null), and
 * OBJECT IDENTIFIERs both ways.
 */

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n >>>= 8) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One DER element: tag, length, contents. */
export function tlv(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

export interface Element {
  tag: number;
  value: Buffer;
  /** Offset just past the element. */
  end: number;
}

/** Reads the DER element at `offset`; null if it is malformed or runs past the end. */
export function readElement(der: Buffer, offset = 0): Element | null {
  if (offset + 2 > der.length) return null;
  const tag = der[offset]!;
  let length = der[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > der.length) return null;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i]!;
    start += count;
  }
  const end = start + length;
  if (end > der.length) return null;
  return { tag, value: der.subarray(start, end), end };
}

/** The contents of `der` if it is exactly one element with this tag. */
export function readWhole(der: Buffer, tag: number): Buffer | null {
  const e = readElement(der);
  return e && e.tag === tag && e.end === der.length ? e.value : null;
}

/** DER of an OBJECT IDENTIFIER given in dotted form. */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const bytes = [arcs[0]! * 40 + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const chunk = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift(0x80 | (n & 0x7f));
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** The dotted form of an OBJECT IDENTIFIER's contents; null if malformed. */
export function oidToString(contents: Buffer): string | null {
  if (contents.length === 0 || contents[contents.length - 1]! & 0x80) return null;
  const arcs: number[] = [];
  let arc = 0;
  for (const byte of contents) {
    arc = arc * 128 + (byte & 0x7f);
    if (arc > Number.MAX_SAFE_INTEGER / 128) return null;
    if (!(byte & 0x80)) {
      arcs.push(arc);
      arc = 0;
    }
  }
  const first = Math.min(Math.floor(arcs[0]! / 40), 2);
  return [first, arcs[0]! - first * 40, ...arcs.slice(1)].join('.');
}

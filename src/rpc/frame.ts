/**
 * Frames of the p11-kit RPC transport (protocol reference §1.3):
 *
 *   u32 code | u32 optlen | u32 bodylen | options | body     (big-endian)
 *
 * The protocol has no size limit; we impose one, and a header announcing more
 * is a protocol error before anything is allocated for it.
 */
import { ProtocolError } from './codec.js';

export const HEADER_SIZE = 12;
/** Largest request body we accept (16 MiB). */
export const MAX_BODY = 16 * 1024 * 1024;
/** Largest options block we accept (clients send a module name). */
export const MAX_OPTIONS = 4 * 1024;

export interface Frame {
  /** The client's message id; the response carries it back unchanged. */
  code: number;
  options: Buffer;
  body: Buffer;
}

export interface FrameLimits {
  maxBody?: number;
  maxOptions?: number;
}

/** Encodes a frame (responses carry no options). */
export function encodeFrame(code: number, body: Buffer, options: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE + options.length + body.length);
  out.writeUInt32BE(code >>> 0, 0);
  out.writeUInt32BE(options.length, 4);
  out.writeUInt32BE(body.length, 8);
  options.copy(out, HEADER_SIZE);
  body.copy(out, HEADER_SIZE + options.length);
  return out;
}

/**
 * Cuts frames out of a byte stream that arrives in chunks of any size. Chunks
 * are kept as they came and joined once a whole frame is there, so a large
 * frame costs one copy however finely it was split.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private total = 0;
  private readonly maxBody: number;
  private readonly maxOptions: number;

  constructor(limits: FrameLimits = {}) {
    this.maxBody = limits.maxBody ?? MAX_BODY;
    this.maxOptions = limits.maxOptions ?? MAX_OPTIONS;
  }

  /** Bytes received that are not yet part of a whole frame (non-zero at EOF means a cut frame). */
  get pending(): number {
    return this.total;
  }

  /** Takes a chunk; returns the frames it completed. Throws ProtocolError when a header breaks a limit. */
  push(chunk: Buffer): Frame[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.total += chunk.length;
    }
    const frames: Frame[] = [];
    for (;;) {
      if (this.total < HEADER_SIZE) break;
      const header = this.peek(HEADER_SIZE);
      const code = header.readUInt32BE(0);
      const optlen = header.readUInt32BE(4);
      const bodylen = header.readUInt32BE(8);
      if (optlen > this.maxOptions) throw new ProtocolError(`frame options of ${optlen} bytes exceed the limit of ${this.maxOptions}`);
      if (bodylen > this.maxBody) throw new ProtocolError(`frame body of ${bodylen} bytes exceeds the limit of ${this.maxBody}`);
      const size = HEADER_SIZE + optlen + bodylen;
      if (this.total < size) break;
      const all = this.take(size);
      frames.push({
        code,
        options: all.subarray(HEADER_SIZE, HEADER_SIZE + optlen),
        body: all.subarray(HEADER_SIZE + optlen, size),
      });
    }
    return frames;
  }

  /** The first n bytes, without consuming them. */
  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first;
    // Join only as many chunks as the header spans.
    let k = 0;
    let len = 0;
    while (len < n) len += this.chunks[k++]!.length;
    const merged = Buffer.concat(this.chunks.slice(0, k), len);
    this.chunks.splice(0, k, merged);
    return merged;
  }

  /** Consumes exactly n bytes (n <= total) as one Buffer of its own. */
  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      // Copy, so that a frame never pins a larger chunk (or the rest of the stream) in memory.
      out = Buffer.from(first.subarray(0, n));
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const joined = Buffer.concat(this.chunks, this.total);
      out = Buffer.from(joined.subarray(0, n));
      this.chunks = joined.length > n ? [joined.subarray(n)] : [];
    }
    this.total -= n;
    return out;
  }
}

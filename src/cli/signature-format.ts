/** ECDSA signatures between PKCS#11's r||s and the DER SEQUENCE { r, s } that OpenSSL reads and writes. */
import * as asn1js from 'asn1js';
import { UsageError } from './errors.js';

const toBig = (b: Buffer) => BigInt('0x' + (b.length ? b.toString('hex') : '0'));

export function rawToDer(raw: Buffer): Buffer {
  if (raw.length === 0 || raw.length % 2 !== 0) throw new UsageError('not an r||s ECDSA signature');
  const half = raw.length / 2;
  const seq = new asn1js.Sequence({
    value: [asn1js.Integer.fromBigInt(toBig(raw.subarray(0, half))), asn1js.Integer.fromBigInt(toBig(raw.subarray(half)))],
  });
  return Buffer.from(seq.toBER());
}

/** r||s with each half `half` bytes long (the curve order's length). */
export function derToRaw(der: Buffer, half: number): Buffer {
  const parsed = asn1js.fromBER(der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength) as ArrayBuffer);
  const seq = parsed.result;
  const parts = seq instanceof asn1js.Sequence ? seq.valueBlock.value : [];
  if (parsed.offset !== der.length || parts.length !== 2 || !parts.every((p) => p instanceof asn1js.Integer)) {
    throw new UsageError('the signature is not a DER ECDSA signature (SEQUENCE of two INTEGERs)');
  }
  return Buffer.concat(parts.map((p) => {
    const n = (p as asn1js.Integer).toBigInt();
    const hex = n.toString(16).padStart(half * 2, '0');
    if (n < 0n || hex.length > half * 2) throw new UsageError('the signature does not fit the key\'s curve');
    return Buffer.from(hex, 'hex');
  }));
}

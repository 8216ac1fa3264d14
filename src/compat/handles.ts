/**
 * Handles cross the pkcs11js API as 8-byte Buffers holding a CK_ULONG in host
 * (little-endian) order; our core uses numbers.
 */
const ULONG_BYTES = 8;

export function handleToBuffer(handle: number): Buffer {
  const b = Buffer.alloc(ULONG_BYTES);
  b.writeBigUInt64LE(BigInt(handle));
  return b;
}

export function handleFromBuffer(b: Buffer): number {
  const n = b.readBigUInt64LE(0);
  // Handles above 2^53 cannot name anything of ours: they are invalid handles, not a crash.
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
}

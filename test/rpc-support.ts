/** What the RPC tests share: a client that speaks the protocol, and the token's mechanisms. */
import net from 'node:net';
import { Cryptoki } from '../src/core/cryptoki.js';
import { FrameReader, type Frame } from '../src/rpc/frame.js';

/**
 * A protocol client over a unix socket: the version byte, then frames,
 * reassembled as they arrive. Tests extend it with call helpers of their own.
 */
export class ProtocolClient {
  private readonly reader = new FrameReader();
  private readonly frames: Frame[] = [];
  private waiters: Array<() => void> = [];
  private versionAnswer: number | undefined;
  closed = false;

  constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      let data = chunk;
      if (this.versionAnswer === undefined && data.length > 0) {
        this.versionAnswer = data[0]!;
        data = data.subarray(1);
      }
      this.frames.push(...this.reader.push(data));
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect<T extends ProtocolClient>(this: new (socket: net.Socket) => T, path: string): Promise<T> {
    return new Promise((res, rej) => {
      const s = net.connect(path, () => res(new this(s)));
      s.once('error', rej);
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** The value `get` finds once it is there, or null when the server closed the connection first. */
  async until<T>(get: () => T | undefined): Promise<T | null> {
    for (;;) {
      const v = get();
      if (v !== undefined) return v;
      if (this.closed) return null;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  async handshake(offer = 0): Promise<number | null> {
    this.socket.write(Buffer.of(offer));
    return this.until(() => this.versionAnswer);
  }

  next(): Promise<Frame | null> {
    return this.until(() => this.frames.shift());
  }

  /** Sends raw frame bytes; the next frame back, or null when the server closed the connection. */
  async send(frameBytes: Buffer): Promise<Frame | null> {
    this.socket.write(frameBytes);
    return this.next();
  }

  end(): void {
    this.socket.end();
  }

  async closedByServer(): Promise<boolean> {
    await this.until(() => undefined);
    return this.closed;
  }
}

/** The mechanisms our token offers (the registry is the same in every process). */
function tokenMechanisms(): Set<number> {
  const p11 = new Cryptoki();
  p11.C_Initialize();
  try {
    return new Set(p11.C_GetMechanismList(p11.C_GetSlotList(false)[0]!));
  } finally {
    p11.C_Finalize();
  }
}
export const MECHS = tokenMechanisms();

/** A test's skip reason while the token lacks one of these mechanisms, else false. */
export const need = (...mechs: number[]): string | false => {
  const missing = mechs.filter((m) => !MECHS.has(m));
  return missing.length ? `the token does not offer ${missing.map((m) => '0x' + m.toString(16)).join(', ')} yet` : false;
};

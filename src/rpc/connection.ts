/**
 * One client connection = one PKCS#11 application context (protocol
 * reference §4.8, §4.9): the 1-byte version handshake, then frames, each
 * answered in order through the connection's executor. When the connection
 * ends or breaks, the context is finalized (sessions closed, logged out).
 */
import type { Duplex } from 'node:stream';
import { rvName } from '../pkcs11/names.js';
import { callName } from './calls.js';
import { EXT_DIALECT, MAX_DIALECT, ProtocolError, type Dialect } from './codec.js';
import { EXT_VERSION } from './ext-calls.js';
import type { Executor, ExecutorFactory } from './executor.js';
import { encodeFrame, FrameReader, type Frame, type FrameLimits } from './frame.js';
import type { Logger } from './log.js';

export interface ConnectionOptions {
  /** A number for the log. */
  id: number;
  createExecutor: ExecutorFactory;
  logger: Logger;
  limits?: FrameLimits;
  /** What the log calls the peer ("unix socket", "stdio"). */
  via?: string;
}

type State = 'handshake' | 'open' | 'closing' | 'closed';

/** The call id of a body and, for an ERROR response, its rv; for logs only. */
function peekCall(body: Buffer): number | undefined {
  return body.length >= 4 ? body.readUInt32BE(0) : undefined;
}

function peekErrorRv(response: Buffer): number | undefined {
  // ERROR: 00000000 00000001 'u' <u64 rv>
  if (response.length === 17 && response.readUInt32BE(0) === 0) return Number(response.readBigUInt64BE(9));
  return undefined;
}

export class Connection {
  /** Resolves once the connection is over and its application context finalized. */
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private state: State = 'handshake';
  private readonly reader: FrameReader;
  private readonly queue: Frame[] = [];
  private busy = false;
  private executor: Executor | undefined;
  private dialect: Dialect | undefined;
  private calls = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly stream: Duplex, private readonly options: ConnectionOptions) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.reader = new FrameReader(options.limits);
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('end', () => this.onEnd());
    stream.on('error', (e: Error) => this.onStreamError(e));
    stream.on('close', () => void this.teardown());
    options.logger.debug(`connection ${options.id} accepted${options.via ? ` (${options.via})` : ''}`);
  }

  get id(): number { return this.options.id; }
  /** The negotiated protocol version, once the handshake is done. */
  get version(): Dialect | undefined { return this.dialect; }

  private get log(): Logger { return this.options.logger; }

  private onData(chunk: Buffer): void {
    if (this.state !== 'handshake' && this.state !== 'open') return;
    let data = chunk;
    if (this.state === 'handshake') {
      if (data.length === 0) return;
      // The client offers its highest version; we answer min(offer, ours) (§1.2).
      const offered = data[0]!;
      // Our own module offers EXT_VERSION (docs/protocol.md); everyone else gets p11-kit's dialects.
      const version = offered === EXT_VERSION ? EXT_DIALECT : Math.min(offered, MAX_DIALECT) as Dialect;
      this.dialect = version;
      this.stream.write(Buffer.of(version === EXT_DIALECT ? EXT_VERSION : version));
      try {
        this.executor = this.options.createExecutor(version);
      } catch (e) {
        this.log.error(`connection ${this.id}: cannot start: ${e instanceof Error ? e.message : String(e)}`);
        this.abort();
        return;
      }
      this.state = 'open';
      this.log.info(`connection ${this.id} open${this.options.via ? ` (${this.options.via})` : ''}, protocol version ${version}` +
        (offered !== version ? ` (client offered ${offered})` : ''));
      data = data.subarray(1);
    }
    let frames: Frame[];
    try {
      frames = this.reader.push(data);
    } catch (e) {
      this.protocolError(e);
      return;
    }
    if (frames.length === 0) return;
    this.queue.push(...frames);
    void this.pump();
  }

  /** Runs queued requests one at a time, in order; reading pauses meanwhile. */
  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.stream.pause();
    try {
      while (this.state === 'open' && this.queue.length > 0) {
        const frame = this.queue.shift()!;
        const callId = peekCall(frame.body); // before the executor, which may wipe the request
        let response: Buffer;
        try {
          response = await this.executor!.call(frame.body);
        } catch (e) {
          this.protocolError(e);
          break;
        }
        this.calls++;
        this.logCall(callId, response);
        if (this.stream.destroyed || !this.stream.writable) break;
        if (!this.stream.write(encodeFrame(frame.code, response))) {
          await new Promise<void>((resolve) => {
            const go = () => {
              this.stream.off('drain', go);
              this.stream.off('close', go);
              resolve();
            };
            this.stream.on('drain', go);
            this.stream.on('close', go);
          });
        }
      }
    } finally {
      this.busy = false;
      if (this.state === 'open') this.stream.resume();
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private logCall(id: number | undefined, response: Buffer): void {
    const name = id === undefined ? 'request' : callName(id);
    const rv = peekErrorRv(response);
    if (rv !== undefined) this.log.info(`connection ${this.id}: ${name} failed: ${rvName(rv)}`);
    else this.log.debug(`connection ${this.id}: ${name} ok`);
  }

  private whenIdle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private protocolError(e: unknown): void {
    const why = e instanceof ProtocolError ? e.message : e instanceof Error ? e.message : String(e);
    this.log.warn(`connection ${this.id}: protocol error: ${why}; closing the connection`);
    this.abort();
  }

  private onEnd(): void {
    if (this.reader.pending > 0) this.log.warn(`connection ${this.id}: the client closed the connection inside a frame`);
    void this.teardown();
  }

  private onStreamError(e: Error): void {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ECONNRESET' && code !== 'EPIPE') this.log.warn(`connection ${this.id}: ${e.message}`);
    void this.teardown();
  }

  /** Drops the connection at once (protocol error). */
  private abort(): void {
    if (this.state === 'closed') return;
    this.queue.length = 0;
    this.stream.destroy();
    void this.teardown();
  }

  /**
   * Graceful end (server shutdown): no new requests are read, the call in
   * flight finishes and its answer is sent, then the connection closes.
   */
  async shutdown(): Promise<void> {
    if (this.state === 'handshake' || this.state === 'open') {
      this.state = 'closing';
      this.stream.pause();
      this.queue.length = 0;
      await this.whenIdle();
      if (!this.stream.destroyed) {
        await new Promise<void>((resolve) => {
          // A peer that never reads its last answer must not hold the shutdown.
          const timer = setTimeout(() => this.stream.destroy(), 2000);
          timer.unref();
          this.stream.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          this.stream.end();
          // Our half is closed; the peer sees EOF and closes its own, which ends ours.
          this.stream.resume();
        });
      }
    }
    await this.teardown();
  }

  private tearingDown: Promise<void> | null = null;

  /** Finalizes the application context once the connection is over. */
  private teardown(): Promise<void> {
    this.tearingDown ??= (async () => {
      if (this.state !== 'closing') this.state = 'closing';
      this.queue.length = 0;
      await this.whenIdle();
      this.state = 'closed';
      if (!this.stream.destroyed) this.stream.destroy();
      try {
        await this.executor?.close();
      } catch (e) {
        this.log.error(`connection ${this.id}: finalize failed: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (this.dialect !== undefined) this.log.info(`connection ${this.id} closed after ${this.calls} call${this.calls === 1 ? '' : 's'}`);
      else this.log.debug(`connection ${this.id} closed before the handshake`);
      this.resolveDone();
    })();
    return this.tearingDown;
  }
}

/**
 * Where the calls of one connection run. Both executors hold one application
 * context (one Cryptoki instance) for one connection and run its requests one
 * at a time:
 *
 * - InProcessExecutor dispatches in the calling thread (tests, a MemoryStore).
 * - WorkerExecutor gives the connection a worker thread of its own, which owns
 *   the connection's Cryptoki over its own SqliteStore; request and response
 *   bodies cross as transferred buffers. A slow call (RSA-4096 key generation,
 *   a costly PIN derivation) then holds only its own connection.
 */
import { Worker } from 'node:worker_threads';
import type { Cryptoki } from '../core/cryptoki.js';
import type { CryptokiOptions } from '../core/application.js';
import { ProtocolError, type Dialect } from './codec.js';
import { Dispatcher, type DispatchOptions } from './dispatch.js';

export interface Executor {
  /**
   * One request body in; the response body out, or a rejection with
   * ProtocolError (close the connection). The executor may wipe the request.
   */
  call(body: Buffer): Promise<Buffer>;
  /** Ends the application context as C_Finalize would (sessions closed, logged out). Idempotent. */
  close(): Promise<void>;
}

export type ExecutorFactory = (dialect: Dialect) => Executor;

export class InProcessExecutor implements Executor {
  private readonly dispatcher: Dispatcher;
  private closed = false;

  constructor(p11: Cryptoki, dialect: Dialect, options: DispatchOptions = {}) {
    this.dispatcher = new Dispatcher(p11, dialect, options);
  }

  call(body: Buffer): Promise<Buffer> {
    if (this.closed) return Promise.reject(new ProtocolError('the connection is closed'));
    try {
      return Promise.resolve(this.dispatcher.handle(body));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.dispatcher.close();
    }
    return Promise.resolve();
  }
}

/** The Cryptoki options that can be sent to a worker (everything but the store). */
export type WorkerCryptokiOptions = Omit<CryptokiOptions, 'store'>;

export interface WorkerExecutorOptions {
  /** The SQLite token store the worker opens for itself. */
  storePath: string;
  cryptoki?: WorkerCryptokiOptions;
  maxOutput?: number;
  /** Log lines from the worker (internal errors). */
  log?: (level: 'error' | 'warn', message: string) => void;
}

/** What the worker is told at start. */
export interface WorkerData {
  storePath: string;
  dialect: Dialect;
  cryptoki: WorkerCryptokiOptions;
  maxOutput?: number;
}

export type ToWorker = { kind: 'call'; id: number; body: ArrayBuffer } | { kind: 'close' };
export type FromWorker =
  | { kind: 'result'; id: number; body: ArrayBuffer }
  | { kind: 'protocol-error'; id: number; message: string }
  | { kind: 'log'; level: 'error' | 'warn'; message: string }
  | { kind: 'closed' };

/** A copy of the bytes in an ArrayBuffer of their own, which can be transferred. */
export function transferable(b: Uint8Array): ArrayBuffer {
  const ab = new ArrayBuffer(b.length);
  new Uint8Array(ab).set(b);
  return ab;
}

const CLOSE_TIMEOUT_MS = 10_000;

export class WorkerExecutor implements Executor {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(b: Buffer): void; reject(e: Error): void }>();
  private nextId = 1;
  private dead: Error | null = null;
  private closing: Promise<void> | null = null;
  private exited = false;
  private readonly exitWaiters: Array<() => void> = [];

  constructor(dialect: Dialect, private readonly options: WorkerExecutorOptions) {
    const data: WorkerData = { storePath: options.storePath, dialect, cryptoki: options.cryptoki ?? {}, maxOutput: options.maxOutput };
    // stdout: true keeps the worker's stdout off ours, which may be the protocol channel (--stdio).
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: data, stdout: true });
    this.worker.stdout.pipe(process.stderr, { end: false });
    this.worker.on('message', (m: FromWorker) => this.onMessage(m));
    this.worker.on('error', (e) => {
      this.options.log?.('error', `worker failed: ${e instanceof Error ? e.message : String(e)}`);
      this.fail(new ProtocolError('the worker failed'));
    });
    this.worker.on('exit', () => {
      this.exited = true;
      this.fail(new ProtocolError('the worker exited'));
      for (const w of this.exitWaiters.splice(0)) w();
    });
  }

  private onMessage(m: FromWorker): void {
    switch (m.kind) {
      case 'result': {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.resolve(Buffer.from(m.body));
        break;
      }
      case 'protocol-error': {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.reject(new ProtocolError(m.message));
        break;
      }
      case 'log':
        this.options.log?.(m.level, m.message);
        break;
      case 'closed':
        break;
    }
  }

  private fail(e: Error): void {
    this.dead ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  call(body: Buffer): Promise<Buffer> {
    if (this.dead || this.closing) return Promise.reject(this.dead ?? new ProtocolError('the connection is closed'));
    const id = this.nextId++;
    const ab = transferable(body);
    // The worker has its own copy now; this one may hold a PIN.
    body.fill(0);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ kind: 'call', id, body: ab } satisfies ToWorker, [ab]);
    });
  }

  /** Asks the worker to finalize and exit (after a call in flight, which it finishes first). */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.exited) {
        resolve();
        return;
      }
      this.exitWaiters.push(resolve);
      const timer = setTimeout(() => void this.worker.terminate(), CLOSE_TIMEOUT_MS);
      timer.unref();
      this.exitWaiters.push(() => clearTimeout(timer));
      try {
        this.worker.postMessage({ kind: 'close' } satisfies ToWorker);
      } catch {
        void this.worker.terminate();
      }
    });
    return this.closing;
  }
}

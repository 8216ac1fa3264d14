/**
 * The p11-kit RPC server: the stock p11-kit-client.so (or a p11-kit `remote:`
 * module) talks to it and sees our tokens. Two transports:
 *
 * - a unix socket (`listen(path)`): P11_KIT_SERVER_ADDRESS=unix:path=...;
 * - stdio (`serveStdio`): `remote: |command`, where the client runs us with
 *   one socket as stdin and stdout (protocol reference §1.5).
 *
 * Each connection is one application context with its own executor.
 */
import { chmodSync, fstatSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { dirname } from 'node:path';
import { Duplex } from 'node:stream';
import type { Cryptoki } from '../core/cryptoki.js';
import type { Dialect } from './codec.js';
import { Connection } from './connection.js';
import type { DispatchOptions } from './dispatch.js';
import { InProcessExecutor, WorkerExecutor, type ExecutorFactory, type WorkerExecutorOptions } from './executor.js';
import type { FrameLimits } from './frame.js';
import { createLogger, type Logger } from './log.js';

export interface RpcServerOptions {
  /** Makes the executor (the application context) of each new connection. */
  createExecutor: ExecutorFactory;
  logger?: Logger;
  limits?: FrameLimits;
}

/** Every connection in a worker thread of its own, on its own SqliteStore at `storePath`. */
export function workerExecutors(options: WorkerExecutorOptions): ExecutorFactory {
  return (dialect: Dialect) => new WorkerExecutor(dialect, options);
}

/** Every connection in this thread, each with the Cryptoki instance `make` returns (tests). */
export function inProcessExecutors(make: () => Cryptoki, options: DispatchOptions = {}): ExecutorFactory {
  return (dialect: Dialect) => new InProcessExecutor(make(), dialect, options);
}

/** Largest unix socket path (sun_path is 108 bytes with its NUL on Linux). */
const MAX_SOCKET_PATH = 107;

/** The P11_KIT_SERVER_ADDRESS value for a socket path: bytes outside [A-Za-z0-9._/-] are %XX, as p11-kit writes them. */
export function serverAddress(path: string): string {
  let out = 'unix:path=';
  for (const byte of Buffer.from(path, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9._/-]/.test(c) ? c : '%' + byte.toString(16).padStart(2, '0');
  }
  return out;
}

/** Resolves true when something accepts connections at `path`. */
function probe(path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const s = net.connect(path);
    const timer = setTimeout(() => {
      s.destroy();
      resolve(true); // it exists and did not refuse: treat as alive
    }, 1000);
    s.once('connect', () => {
      clearTimeout(timer);
      s.destroy();
      resolve(true);
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (e.code === 'ECONNREFUSED' || e.code === 'ENOENT') resolve(false);
      else reject(new Error(`${path}: cannot check the socket: ${e.code ?? e.message}`));
    });
  });
}

export class RpcServer {
  readonly logger: Logger;
  private readonly connections = new Set<Connection>();
  private nextId = 1;
  private server: net.Server | null = null;
  private socketPath: string | null = null;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: RpcServerOptions) {
    this.logger = options.logger ?? createLogger('info');
  }

  /** Connections currently open. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** The path listened on, if any. */
  get path(): string | null {
    return this.socketPath;
  }

  /**
   * Listens on a unix socket. The socket file gets mode 0600 (only its owner
   * may connect: the protocol has no authentication of its own), its directory
   * is created 0700 when missing. A socket file left by a dead server is
   * removed; a live server there is an error.
   */
  async listen(path: string): Promise<void> {
    if (this.server) throw new Error('already listening');
    if (Buffer.byteLength(path) > MAX_SOCKET_PATH) throw new Error(`${path}: a unix socket path has at most ${MAX_SOCKET_PATH} bytes`);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    let existing: ReturnType<typeof lstatSync> | undefined;
    try {
      existing = lstatSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (existing) {
      if (!existing.isSocket()) throw new Error(`${path} exists and is not a socket; not touching it`);
      if (await probe(path)) throw new Error(`${path}: another server is listening there`);
      this.logger.info(`removing the stale socket ${path}`);
      unlinkSync(path);
    }
    const server = net.createServer((socket) => this.accept(socket, 'unix socket'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // The socket file is born 0600: no window in which others could connect.
      const umask = process.umask(0o177);
      try {
        server.listen(path, () => {
          server.off('error', reject);
          resolve();
        });
      } finally {
        process.umask(umask);
      }
    });
    chmodSync(path, 0o600);
    server.on('error', (e) => this.logger.error(`server: ${e.message}`));
    this.server = server;
    this.socketPath = path;
    this.logger.info(`listening on ${path}`);
  }

  /** Serves one connection over any duplex stream (a socket, stdio, a test pipe). */
  handle(stream: Duplex, via?: string): Connection {
    const c = new Connection(stream, {
      id: this.nextId++,
      createExecutor: this.options.createExecutor,
      logger: this.logger,
      limits: this.options.limits,
      via,
    });
    this.connections.add(c);
    void c.done.then(() => this.connections.delete(c));
    return c;
  }

  private accept(socket: net.Socket, via: string): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    this.handle(socket, via);
  }

  /**
   * Clean shutdown: stop accepting, let calls in flight finish and answer,
   * close every connection (finalizing its context), remove the socket file.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const server = this.server;
      const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
      await Promise.all([...this.connections].map((c) => c.shutdown()));
      await closed;
      if (this.socketPath) {
        try {
          unlinkSync(this.socketPath);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.warn(`cannot remove ${this.socketPath}: ${(e as Error).message}`);
        }
        this.logger.info(`stopped; removed ${this.socketPath}`);
      }
    })();
    return this.closing;
  }
}

/**
 * True when fd 0 and fd 1 are one and the same socket, as p11-kit's exec
 * transport sets them up. (Node's own child processes get a socketpair per
 * stdio stream: sockets too, but two of them.)
 */
export function stdioIsOneSocket(): boolean {
  try {
    const i = fstatSync(0);
    const o = fstatSync(1);
    return i.isSocket() && o.isSocket() && i.ino === o.ino && i.dev === o.dev;
  } catch {
    return false;
  }
}

/**
 * The stdio transport: p11-kit's `remote: |command` runs us with both fd 0
 * and fd 1 on one end of a socketpair; a pipe pair (a shell, a test) works
 * too. Resolves when the client is gone (EOF), after the context is finalized:
 * the caller should then exit at once, as the client waits for that.
 */
export async function serveStdio(server: RpcServer): Promise<void> {
  let stream: Duplex;
  const isSocket = stdioIsOneSocket();
  if (isSocket) {
    stream = new net.Socket({ fd: 0, readable: true, writable: true });
  } else {
    stream = Duplex.from({ readable: process.stdin, writable: process.stdout });
  }
  const connection = server.handle(stream, isSocket ? 'stdio socket' : 'stdio');
  await connection.done;
}

/**
 * SIGINT/SIGTERM: a clean shutdown, then `exit`. A second signal exits at once.
 */
export function closeOnSignals(server: RpcServer, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      exit(1);
      return;
    }
    stopping = true;
    server.logger.info(`${signal}: shutting down`);
    server.close().then(() => exit(0), (e: unknown) => {
      server.logger.error(`shutdown failed: ${e instanceof Error ? e.message : String(e)}`);
      exit(1);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

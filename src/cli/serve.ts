/**
 * `cryptoki serve`: the tokens of the configured store, served over p11-kit's
 * RPC protocol, so that any PKCS#11 application can use them through the
 * stock p11-kit-client.so:
 *
 *   cryptoki serve [--socket PATH]     a unix socket (P11_KIT_SERVER_ADDRESS=unix:path=PATH)
 *   cryptoki serve --stdio             one connection on stdin/stdout, for p11-kit's
 *                                      `remote: |cryptoki serve --stdio`
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { Command } from 'commander';
import { Cryptoki } from '../core/cryptoki.js';
import type { CryptokiOptions } from '../core/application.js';
import { loadConfig, type CryptokiConfig } from '../store/config.js';
import { SqliteStore } from '../store/sqlite.js';
import { createLogger, isLogLevel, LOG_LEVELS, type LogLevel } from '../rpc/log.js';
import {
  closeOnSignals, inProcessExecutors, RpcServer, serveStdio, serverAddress, stdioIsOneSocket, workerExecutors,
} from '../rpc/server.js';

export interface ServeOptions {
  socket?: string;
  stdio?: boolean;
  logLevel?: string;
}

const MULTIARCH: Record<string, string> = {
  x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu', arm: 'arm-linux-gnueabihf', ia32: 'i386-linux-gnu',
  ppc64: 'powerpc64le-linux-gnu', s390x: 's390x-linux-gnu', riscv64: 'riscv64-linux-gnu',
};

/** Where Debian puts p11-kit-client.so on this architecture (package p11-kit-modules). */
export function debianClientPath(arch: string = process.arch): string {
  return `/usr/lib/${MULTIARCH[arch] ?? 'x86_64-linux-gnu'}/pkcs11/p11-kit-client.so`;
}

/** The p11-kit-client.so installed on this machine, if any. */
export function findP11KitClient(arch: string = process.arch): string | undefined {
  const candidates = [
    debianClientPath(arch), '/usr/lib64/pkcs11/p11-kit-client.so', '/usr/lib/pkcs11/p11-kit-client.so',
    '/usr/local/lib/pkcs11/p11-kit-client.so', '/usr/lib64/p11-kit-client.so',
  ];
  try {
    for (const d of readdirSync('/usr/lib')) candidates.push(`/usr/lib/${d}/pkcs11/p11-kit-client.so`);
  } catch {
    // no /usr/lib: nothing more to look at
  }
  return candidates.find((p) => existsSync(p));
}

/** $XDG_RUNTIME_DIR/cryptoki/pkcs11.sock, else pkcs11.sock beside the store. */
export function defaultSocketPath(config: Pick<CryptokiConfig, 'storePath'>, env: NodeJS.ProcessEnv = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && isAbsolute(runtime)) return join(runtime, 'cryptoki', 'pkcs11.sock');
  return join(dirname(config.storePath), 'pkcs11.sock');
}

/** A command word as p11-kit's `|command` splitter reads it (whitespace splits, quotes group). */
function commandWord(w: string): string {
  return /[\s"']/.test(w) ? `"${w.replace(/"/g, '')}"` : w;
}

export interface BannerFacts {
  /** The socket path, or null in --stdio mode. */
  socket: string | null;
  storePath: string;
  /** The client module found on this machine, if any. */
  clientModule: string | undefined;
  /** Tokens in the store; none means the first one must be created. */
  tokenCount: number;
  /** The free slot, where C_InitToken creates the next token. */
  freeSlot: number;
  /** How to run this server in --stdio mode (for the `|command` address). */
  stdioCommand: string[];
}

/** What `serve` prints at start: the address to export, an example, and how to create the first token. */
export function startupBanner(f: BannerFacts): string[] {
  const module = f.clientModule ?? debianClientPath();
  const lines: string[] = [];
  if (f.socket !== null) {
    lines.push(`cryptoki serve: serving the tokens of ${f.storePath} on ${f.socket}`);
    lines.push(`export P11_KIT_SERVER_ADDRESS=${serverAddress(f.socket)}`);
  } else {
    lines.push(`cryptoki serve: serving the tokens of ${f.storePath} on stdin/stdout (one connection)`);
    lines.push(`export P11_KIT_SERVER_ADDRESS='|${f.stdioCommand.map(commandWord).join(' ')}'`);
  }
  if (!f.clientModule) lines.push(`(p11-kit-client.so was not found here: install it, e.g. "apt-get install p11-kit-modules")`);
  lines.push('then, for example:');
  lines.push(`  pkcs11-tool --module ${module} -L`);
  if (f.tokenCount === 0) {
    lines.push('The store has no token yet. Create the first one (choose an SO PIN of your own; there is no default):');
    lines.push(`  pkcs11-tool --module ${module} --init-token --slot ${f.freeSlot} --label mytoken --so-pin <choose one>`);
  }
  return lines;
}

function libraryOptions(config: CryptokiConfig): Omit<CryptokiOptions, 'store'> {
  const options: Omit<CryptokiOptions, 'store'> = {};
  if (config.pinRetryLimit !== undefined) options.pinRetryLimit = config.pinRetryLimit;
  if (config.kdf !== undefined) options.kdf = config.kdf;
  return options;
}

/** Runs the server until a signal (socket) or the client's EOF (stdio). */
export async function runServe(opts: ServeOptions, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = loadConfig(env);
  if (opts.logLevel !== undefined && !isLogLevel(opts.logLevel)) {
    throw new Error(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  }
  if (opts.stdio && opts.socket !== undefined) throw new Error('--stdio and --socket exclude each other');
  // In --stdio mode the client's application owns our stderr: say only what is wrong, unless asked.
  const level: LogLevel = (opts.logLevel as LogLevel | undefined) ?? (opts.stdio ? 'warn' : config.logLevel);
  const logger = createLogger(level);
  const cryptoki = libraryOptions(config);

  if (opts.stdio) {
    // stdout is the protocol channel: nothing else may ever write there.
    console.log = console.error;
    console.info = console.error;
    console.debug = console.error;
    const store = new SqliteStore(config.storePath);
    if (!stdioIsOneSocket()) {
      // Run by hand: tell the human how to use it. (p11-kit runs us with a socket on stdin.)
      const banner = startupBanner({
        socket: null, storePath: config.storePath, clientModule: findP11KitClient(), tokenCount: store.listTokens().length,
        freeSlot: store.nextSlotId(), stdioCommand: [process.execPath, process.argv[1] ?? 'cryptoki', 'serve', '--stdio'],
      });
      process.stderr.write(banner.join('\n') + '\n');
    }
    const server = new RpcServer({ createExecutor: inProcessExecutors(() => new Cryptoki({ ...cryptoki, store })), logger });
    const stopSignals = closeOnSignals(server, (code) => {
      store.close();
      process.exit(code);
    });
    await serveStdio(server);
    stopSignals();
    store.close();
    // The client waits for us to go (3 s, then SIGTERM): leave at once.
    process.exit(0);
  }

  const socket = opts.socket ?? defaultSocketPath(config, env);
  // Open the store here first: a store that cannot be opened is reported now, not per connection.
  const store = new SqliteStore(config.storePath);
  const tokenCount = store.listTokens().length;
  const freeSlot = store.nextSlotId();
  store.close();
  const server = new RpcServer({ createExecutor: workerExecutors({ storePath: config.storePath, cryptoki, log: (l, m) => logger[l](m) }), logger });
  await server.listen(socket);
  const banner = startupBanner({
    socket, storePath: config.storePath, clientModule: findP11KitClient(), tokenCount, freeSlot,
    stdioCommand: [process.execPath, process.argv[1] ?? 'cryptoki', 'serve', '--stdio'],
  });
  process.stdout.write(banner.join('\n') + '\n');
  closeOnSignals(server);
}

/** Adds `cryptoki serve` to the program. */
export function serveCommand(program: Command): Command {
  return program
    .command('serve')
    .description('serve the tokens to PKCS#11 applications through p11-kit-client.so (p11-kit RPC protocol)')
    .option('--socket <path>', 'unix socket to listen on (default $XDG_RUNTIME_DIR/cryptoki/pkcs11.sock, else beside the store)')
    .option('--stdio', 'serve one connection on stdin/stdout, for a p11-kit "remote: |command" module')
    .option('--log-level <level>', `log detail on stderr: ${LOG_LEVELS.join(', ')} (default: the config's, warn with --stdio)`)
    .addHelpText('after', [
      '',
      'Examples:',
      '  cryptoki serve',
      '  export P11_KIT_SERVER_ADDRESS=unix:path=$XDG_RUNTIME_DIR/cryptoki/pkcs11.sock',
      `  pkcs11-tool --module ${debianClientPath()} -L`,
      '',
      'Without a server, p11-kit can start one per application:',
      "  export P11_KIT_SERVER_ADDRESS='|cryptoki serve --stdio'",
    ].join('\n'))
    .action(async (opts: ServeOptions) => {
      try {
        await runServe(opts);
      } catch (e) {
        process.stderr.write(`cryptoki serve: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
      }
    });
}

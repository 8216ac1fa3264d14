/**
 * Running the built `cryptoki` command as a user would: a child process on a
 * store in a temporary directory (CRYPTOKI_CONF names it, with a cheap PIN
 * KDF), with PIN files beside it.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAST_KDF } from './helpers.js';

export const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');

export interface Result { code: number; stdout: Buffer; stderr: string; text: string }

export const onPath = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

/** A `cryptoki serve` child process on a socket in the home, and the P11_KIT_SERVER_ADDRESS its banner names. */
export async function startServer(h: CliHome): Promise<{ server: ChildProcess; address: string }> {
  const server = spawn(process.execPath, [MAIN, 'serve', '--socket', h.path('pkcs11.sock')], { cwd: h.dir, env: h.env, stdio: ['ignore', 'pipe', 'ignore'] });
  // The banner names the address to export once the socket listens.
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /^export P11_KIT_SERVER_ADDRESS=(\S+)$/m.exec(out);
      if (m) resolve(m[1]!);
    });
    server.once('exit', (code) => reject(new Error(`cryptoki serve exited with ${code}: ${out}`)));
  });
  return { server, address };
}

/** Stops a server startServer() started, if it still runs, and waits for it to go. */
export async function stopServer(server: ChildProcess | undefined): Promise<void> {
  if (!server || server.exitCode !== null) return;
  const gone = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  await gone;
}

export class CliHome {
  readonly dir = mkdtempSync(join(tmpdir(), 'cryptoki-cli-'));
  readonly env: NodeJS.ProcessEnv;
  readonly soPin: string;
  readonly pin: string;
  readonly wrongPin: string;

  constructor() {
    const conf = this.file('cryptoki.json', JSON.stringify({ storePath: 'tokens.db', pinRetryLimit: 3, kdf: { N: FAST_KDF.N, r: FAST_KDF.r, p: FAST_KDF.p } }));
    this.env = { ...process.env, CRYPTOKI_CONF: conf };
    this.soPin = this.file('so.pin', 'so-secret-1\n');
    this.pin = this.file('user.pin', 'user-secret-1\n');
    this.wrongPin = this.file('wrong.pin', 'not-the-pin\n');
  }

  /** Writes a file in the home and gives its path. */
  file(name: string, content: string | Buffer): string {
    const path = join(this.dir, name);
    writeFileSync(path, content);
    return path;
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** Runs `cryptoki ...args` (standard input from `input`, none otherwise). */
  run(args: string[], input?: string | Buffer, env: NodeJS.ProcessEnv = {}): Result {
    return this.exec(process.execPath, [MAIN, ...args], input, env);
  }

  exec(cmd: string, args: string[], input?: string | Buffer, env: NodeJS.ProcessEnv = {}): Result {
    const r = spawnSync(cmd, args, { cwd: this.dir, env: { ...this.env, ...env }, input: input ?? '', timeout: 120_000, maxBuffer: 1 << 26 });
    const stdout = r.stdout ?? Buffer.alloc(0);
    return { code: r.status ?? -1, stdout, stderr: (r.stderr ?? Buffer.alloc(0)).toString(), text: stdout.toString() };
  }

  /** Runs and asserts exit 0. */
  ok(args: string[], input?: string | Buffer, env: NodeJS.ProcessEnv = {}): Result {
    const r = this.run(args, input, env);
    assert.equal(r.code, 0, `cryptoki ${args.join(' ')}: exit ${r.code}\n${r.text}\n${r.stderr}`);
    return r;
  }

  /** Runs with --json and parses the output. */
  json<T = unknown>(args: string[]): T {
    return JSON.parse(this.ok([...args, '--json']).text) as T;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

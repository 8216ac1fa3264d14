/** What the native module's tests share: building it, a private token store, and running programs. */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..');
export const NATIVE = join(ROOT, 'native');

/** Builds targets of native/Makefile (SAN '' | 'asan' | 'tsan'); returns the build directory. */
export function buildNative(san: '' | 'asan' | 'tsan', targets: string[]): string {
  const out = san ? `build-${san}` : 'build';
  execFileSync('make', ['-s', '-C', NATIVE, `SAN=${san}`, ...targets.map((t) => `${out}/${t}`)], { stdio: ['ignore', 'ignore', 'inherit'] });
  return join(NATIVE, out);
}

export const SO_PIN = 'so-pin-native-1';
export const PIN = 'user-pin-native-1';

/** A private store: the module's private server opens $XDG_DATA_HOME/cryptoki/tokens.db. */
export class NativeEnv {
  readonly dir = mkdtempSync(join(tmpdir(), 'cryptoki-native-'));
  readonly env: NodeJS.ProcessEnv;

  constructor(extra: NodeJS.ProcessEnv = {}) {
    this.env = {
      ...process.env,
      XDG_DATA_HOME: join(this.dir, 'data'),
      XDG_CONFIG_HOME: join(this.dir, 'config'),
      CRYPTOKI_NODE: process.execPath,
      CRYPTOKI_SERVER: '',
      TEST_PIN: PIN,
      ...extra,
    };
  }

  run(cmd: string, args: string[], input?: Buffer): SpawnSyncReturns<Buffer> {
    return spawnSync(cmd, args, { env: this.env, cwd: this.dir, input, timeout: 300_000 });
  }

  /** Runs and fails with the program's output unless it exits 0 and prints no error. */
  ok(cmd: string, args: string[]): string {
    const r = this.run(cmd, args);
    const out = `${r.stdout?.toString() ?? ''}${r.stderr?.toString() ?? ''}`;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status} (${r.signal ?? ''}):\n${out}`);
    return out;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

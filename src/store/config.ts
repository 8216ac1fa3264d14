/**
 * Where tokens live and how the library is tuned: defaults, optionally
 * overridden by a JSON file named in $CRYPTOKI_CONF. The file is checked
 * strictly (unknown keys are errors), because a misspelt key that is silently
 * ignored would leave, say, a weaker PIN retry limit in force unnoticed.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { SqliteStore } from './sqlite.js';
import type { KdfParams } from './store.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface CryptokiConfig {
  storePath: string;
  pinRetryLimit?: number;
  kdf?: KdfParams;
  logLevel: LogLevel;
}

const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

/** $XDG_DATA_HOME/cryptoki/tokens.db, else ~/.local/share/cryptoki/tokens.db. */
export function defaultStorePath(env: NodeJS.ProcessEnv = process.env): string {
  // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME;
  const dataHome = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.local', 'share');
  return join(dataHome, 'cryptoki', 'tokens.db');
}

/** Reads $CRYPTOKI_CONF when it is set; every error names the file and, where there is one, the key. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): CryptokiConfig {
  const config: CryptokiConfig = { storePath: defaultStorePath(env), logLevel: 'info' };
  const file = env.CRYPTOKI_CONF;
  if (!file) return config;

  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`config file ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const json = parseJson(file, text);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error(`config file ${file}: must hold a JSON object`);
  }

  for (const [key, value] of Object.entries(json)) {
    const bad = (what: string) => new Error(`config file ${file}: "${key}" ${what}, not ${describe(value)}`);
    switch (key) {
      case 'storePath':
        if (typeof value !== 'string' || value === '') throw bad('must be a non-empty string');
        // Relative to the config file, so that the meaning does not depend on the working directory.
        config.storePath = resolve(dirname(file), value);
        break;
      case 'pinRetryLimit':
        if (!isIntegerIn(value, 1, 1000)) throw bad('must be an integer from 1 to 1000');
        config.pinRetryLimit = value;
        break;
      case 'kdf':
        config.kdf = parseKdf(file, value);
        break;
      case 'logLevel':
        if (!LOG_LEVELS.includes(value as LogLevel)) throw bad(`must be one of ${LOG_LEVELS.join(', ')}`);
        config.logLevel = value as LogLevel;
        break;
      default:
        throw new Error(`config file ${file}: unknown key "${key}" (known keys: storePath, pinRetryLimit, kdf, logLevel)`);
    }
  }
  return config;
}

/** The store the configuration names. */
export function openDefaultStore(config: CryptokiConfig = loadConfig()): SqliteStore {
  return new SqliteStore(config.storePath);
}

function parseKdf(file: string, value: unknown): KdfParams {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`config file ${file}: "kdf" must be an object {"N", "r", "p"}, not ${describe(value)}`);
  }
  const kdf = value as Record<string, unknown>;
  const limits: Record<string, [number, number, string]> = {
    N: [1024, 2 ** 22, 'a power of two from 1024 to 4194304'],
    r: [1, 32, 'an integer from 1 to 32'],
    p: [1, 16, 'an integer from 1 to 16'],
  };
  for (const key of Object.keys(kdf)) {
    // "name" is accepted so that a KdfParams written back out reads in again.
    if (key === 'name') {
      if (kdf.name !== 'scrypt') throw new Error(`config file ${file}: "kdf.name" must be "scrypt", not ${describe(kdf.name)}`);
    } else if (!(key in limits)) {
      throw new Error(`config file ${file}: unknown key "kdf.${key}" (known keys: N, r, p)`);
    }
  }
  for (const [key, [min, max, what]] of Object.entries(limits)) {
    const v = kdf[key];
    if (v === undefined) throw new Error(`config file ${file}: "kdf.${key}" is missing; it must be ${what}`);
    const ok = isIntegerIn(v, min, max) && (key !== 'N' || (v & (v - 1)) === 0);
    if (!ok) throw new Error(`config file ${file}: "kdf.${key}" must be ${what}, not ${describe(v)}`);
  }
  return { name: 'scrypt', N: kdf.N as number, r: kdf.r as number, p: kdf.p as number };
}

function isIntegerIn(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/** A short description of a bad value for an error message (the file holds no secrets). */
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  const text = JSON.stringify(v);
  return `${typeof v} ${text.length > 40 ? text.slice(0, 37) + '...' : text}`;
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // V8 reports "... at position N" for most errors; turn that into line and column.
    const m = /at position (\d+)/.exec(message);
    let where = '';
    if (m) {
      const before = text.slice(0, Number(m[1]));
      const line = before.split('\n').length;
      const column = before.length - before.lastIndexOf('\n');
      where = ` at line ${line} column ${column}`;
    } else if (/end of JSON input/.test(message)) {
      where = ' (the file ends too early)';
    }
    throw new Error(`config file ${file}: invalid JSON${where}: ${message.replace(/ in JSON at position \d+.*$/, '')}`);
  }
}

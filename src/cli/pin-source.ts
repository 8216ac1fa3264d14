/**
 * Where a PIN (or a passphrase) comes from: a file (--pin-file), an
 * environment variable named by --pin-env, an explicit --pin (unsafe: other
 * users see command lines), or a prompt without echo when a terminal is
 * attached. Never from anywhere else, and never printed.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from './errors.js';

/** A secret's option names: `--${flag}`, `--${flag}-file`, `--${flag}-env`. */
export interface SecretKind {
  flag: string;
  /** For messages and the prompt: "user PIN", "SO PIN", "passphrase". */
  what: string;
}

export const USER_PIN: SecretKind = { flag: 'pin', what: 'user PIN' };
export const SO_PIN: SecretKind = { flag: 'so-pin', what: 'SO PIN' };
export const NEW_PIN: SecretKind = { flag: 'new-pin', what: 'new PIN' };
export const PASSPHRASE: SecretKind = { flag: 'passphrase', what: 'passphrase' };

function camel(s: string): string {
  return s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Adds --X-file, --X-env and --X to a command. */
export function addSecretOptions(cmd: Command, kind: SecretKind, purpose = ''): Command {
  const of = purpose ? ` (${purpose})` : '';
  return cmd
    .option(`--${kind.flag}-file <file>`, `read the ${kind.what}${of} from this file (its first line)`)
    .option(`--${kind.flag}-env <name>`, `read the ${kind.what}${of} from this environment variable`)
    .option(`--${kind.flag} <value>`, `the ${kind.what}${of} itself: UNSAFE, other users can see command lines`);
}

/** True when the options name a source for this secret. */
export function hasSecretOption(opts: Record<string, unknown>, kind: SecretKind): boolean {
  const base = camel(kind.flag);
  return [base, `${base}File`, `${base}Env`].some((k) => opts[k] !== undefined);
}

export interface SecretRequest {
  /** A value from a URI's pin-value / pin-source, used when no option names one. */
  fromUri?: { value?: string; source?: string };
  /** Ask twice at the prompt (a new PIN). */
  confirm?: boolean;
}

/** The secret, or undefined when no option names it and no terminal can be asked. */
export async function readSecret(opts: Record<string, unknown>, kind: SecretKind, req: SecretRequest = {}): Promise<string | undefined> {
  const base = camel(kind.flag);
  const given = [base, `${base}File`, `${base}Env`].filter((k) => opts[k] !== undefined);
  if (given.length > 1) throw new UsageError(`give the ${kind.what} one way only (--${kind.flag}, --${kind.flag}-file or --${kind.flag}-env)`);
  const file = opts[`${base}File`] as string | undefined;
  if (file !== undefined) return readSecretFile(file, kind);
  const env = opts[`${base}Env`] as string | undefined;
  if (env !== undefined) {
    const value = process.env[env];
    if (value === undefined) throw new UsageError(`--${kind.flag}-env: the environment variable ${env} is not set`);
    return value;
  }
  const value = opts[base] as string | undefined;
  if (value !== undefined) return value;
  if (req.fromUri?.value !== undefined) return req.fromUri.value;
  if (req.fromUri?.source !== undefined) {
    const source = req.fromUri.source.replace(/^file:(\/\/)?/, '');
    return readSecretFile(source, kind);
  }
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  const first = await promptHidden(`${capitalize(kind.what)}: `);
  if (req.confirm) {
    const again = await promptHidden(`${capitalize(kind.what)} again: `);
    if (again !== first) throw new UsageError(`the two ${kind.what}s differ`);
  }
  return first;
}

/** As readSecret, but the secret must be had: a usage error names the options otherwise. */
export async function requireSecret(opts: Record<string, unknown>, kind: SecretKind, req: SecretRequest = {}): Promise<string> {
  const value = await readSecret(opts, kind, req);
  if (value === undefined) {
    throw new UsageError(`the ${kind.what} is needed: give --${kind.flag}-file FILE or --${kind.flag}-env NAME (no terminal to ask on)`);
  }
  return value;
}

function capitalize(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1);
}

/** The first line of the file, without its line ending. */
function readSecretFile(path: string, kind: SecretKind): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`--${kind.flag}-file ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return text.split(/\r?\n/, 1)[0]!;
}

/** Reads a line from the terminal with echo off. Ctrl-C ends the command (exit 130). */
function promptHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  return new Promise((resolve) => {
    let typed = '';
    // Echo goes off before the prompt shows, so that nothing typed after it is ever echoed.
    input.setRawMode(true);
    process.stderr.write(prompt);
    input.resume();
    input.setEncoding('utf8');
    const done = () => {
      input.setRawMode(false);
      input.pause();
      input.removeListener('data', onData);
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          done();
          resolve(typed);
          return;
        }
        if (ch === '\u0003') {
          done();
          process.exit(130);
        }
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else if (ch >= ' ') typed += ch;
      }
    };
    input.on('data', onData);
  });
}

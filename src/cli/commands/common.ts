/** Options and input/output that several commands share. */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { addSecretOptions, USER_PIN } from '../pin-source.js';

export type Opts = Record<string, unknown>;

export function example(cmd: Command, ...lines: string[]): Command {
  return cmd.addHelpText('after', `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => '  ' + l).join('\n')}`);
}

export function tokenOption(cmd: Command): Command {
  return cmd.option('--token <label|serial|uri>', 'the token: its label, serial number or PKCS#11 URI (may be left out when the store has one token)');
}

export function jsonOption(cmd: Command): Command {
  return cmd.option('--json', 'print JSON');
}

/** --token and the user PIN options. */
export function tokenAndPin(cmd: Command): Command {
  return addSecretOptions(tokenOption(cmd), USER_PIN);
}

/** The bytes of --in FILE, or of standard input when it is left out or "-". */
export function readInput(path: string | undefined): Buffer {
  try {
    return readFileSync(path === undefined || path === '-' ? 0 : path);
  } catch (e) {
    throw new UsageError(`cannot read ${path ?? 'standard input'} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Writes to --out FILE, or to standard output when it is left out or "-". */
export function writeOutput(path: string | undefined, data: Buffer | string): void {
  if (path === undefined || path === '-') {
    process.stdout.write(data);
    return;
  }
  try {
    writeFileSync(path, data, { mode: 0o644 });
  } catch (e) {
    throw new UsageError(`cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** A comma-separated list option ("sign,verify"). */
export function listOf(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((w) => w.trim().toLowerCase()).filter((w) => w !== '');
}

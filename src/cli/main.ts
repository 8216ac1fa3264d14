#!/usr/bin/env node
/**
 * The `cryptoki` command: tokens, PINs, keys, objects and the token's
 * cryptography for operators and shell scripts, and the token server.
 * Exit codes: 0 success, 1 a PKCS#11 error (CKR name on stderr with what to
 * do), 2 a usage error.
 */
import { CommanderError } from 'commander';
import { CKRError } from '../pkcs11/error.js';
import { EXIT_PKCS11, EXIT_USAGE, pkcs11Failure, UsageError } from './errors.js';
import { buildProgram } from './program.js';

function fail(e: unknown): number {
  if (e instanceof CommanderError) {
    // Help and version were asked for; anything else was a usage error commander has already described.
    return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : EXIT_USAGE;
  }
  if (e instanceof CKRError) {
    process.stderr.write(pkcs11Failure(e));
    return EXIT_PKCS11;
  }
  if (e instanceof UsageError) {
    process.stderr.write(`cryptoki: ${e.message}\n`);
    return EXIT_USAGE;
  }
  process.stderr.write(`cryptoki: ${e instanceof Error ? e.message : String(e)}\n`);
  return EXIT_PKCS11;
}

try {
  await buildProgram().parseAsync();
} catch (e) {
  // Leave by the event loop, not process.exit, so that output still queued on a pipe is written.
  process.exitCode = fail(e);
}

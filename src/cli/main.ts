#!/usr/bin/env node
/**
 * The `cryptoki` command: tokens, PINs, keys, objects and the token's
 * cryptography for operators and shell scripts, and the token server.
 * Exit codes: 0 success, 1 a PKCS#11 error (CKR name on stderr with what to
 * do), 2 a usage error.
 */
import { Command, CommanderError } from 'commander';
import { CKRError } from '../pkcs11/error.js';
import { EXIT_PKCS11, EXIT_USAGE, pkcs11Failure, UsageError } from './errors.js';
import { serveCommand } from './serve.js';
import { addBackupCommands } from './token-backup.js';
import { addCryptoCommands } from './commands/crypto.js';
import { addKeyCommands } from './commands/key.js';
import { addObjectCommands } from './commands/object.js';
import { addPinCommands } from './commands/pin.js';
import { addSlotCommands } from './commands/slots.js';
import { addTokenCommands } from './commands/token.js';

const program = new Command('cryptoki')
  .description('cryptoki-ts: a PKCS#11 3.2 software token. The store is $CRYPTOKI_CONF\'s storePath, else ~/.local/share/cryptoki/tokens.db.')
  .showHelpAfterError()
  .exitOverride()
  .addHelpText('after', [
    '',
    'PINs come from --pin-file FILE, --pin-env NAME, a prompt when a terminal is attached, or --pin VALUE (unsafe:',
    'other users see command lines); the SO PIN likewise (--so-pin-file...). Objects are named by PKCS#11 URIs (RFC 7512).',
    'Exit codes: 0 success, 1 a PKCS#11 error (its CKR_ name on stderr), 2 a usage error.',
    '',
    'Example, from nothing to a signature:',
    '  cryptoki token init --label demo --so-pin-file so.pin --pin-file user.pin',
    '  cryptoki key generate ec:P-256 --token demo --label signer --pin-file user.pin',
    '  cryptoki sign "pkcs11:token=demo;object=signer" -m ECDSA-SHA256 --in doc.txt --out doc.sig --pin-file user.pin',
  ].join('\n'));

addSlotCommands(program);
serveCommand(program);
const token = program.command('token').description('create, list, show, delete, back up and restore tokens');
addTokenCommands(token);
addBackupCommands(token);
addPinCommands(program.command('pin').description('set, change and unlock PINs'));
addKeyCommands(program.command('key').description('generate keys'));
addObjectCommands(program.command('object').description('list, show, change, delete, import and export objects'));
addCryptoCommands(program);

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
  await program.parseAsync();
} catch (e) {
  // Leave by the event loop, not process.exit, so that output still queued on a pipe is written.
  process.exitCode = fail(e);
}

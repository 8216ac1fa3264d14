#!/usr/bin/env node
/**
 * The `cryptoki` command: the token server (`serve`), the slots of the store,
 * token backup and restore.
 */
import { Command } from 'commander';
import { CKF_TOKEN_INITIALIZED, CKF_USER_PIN_INITIALIZED } from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import { openLibrary } from './store.js';
import { serveCommand } from './serve.js';
import { addBackupCommands } from './token-backup.js';

function listSlots(options: { json?: boolean }): void {
  const { p11, store, location } = openLibrary();
  p11.C_Initialize();
  try {
    const slots = p11.C_GetSlotList(true).map((slotID) => {
      const token = p11.C_GetTokenInfo(slotID);
      const initialized = (token.flags & CKF_TOKEN_INITIALIZED) !== 0;
      return {
        slotID,
        initialized,
        label: token.label.trimEnd(),
        serial: token.serialNumber.trimEnd(),
        userPinInitialized: (token.flags & CKF_USER_PIN_INITIALIZED) !== 0,
      };
    });
    if (options.json) {
      process.stdout.write(JSON.stringify({ store: location, slots }, null, 2) + '\n');
      return;
    }
    process.stdout.write(`store: ${location}\n`);
    for (const s of slots) {
      const what = s.initialized
        ? `token "${s.label}" serial ${s.serial}${s.userPinInitialized ? '' : ' (user PIN not set)'}`
        : 'free slot: C_InitToken here creates the next token';
      process.stdout.write(`slot ${s.slotID}: ${what}\n`);
    }
  } finally {
    p11.C_Finalize();
    store.close();
  }
}

const program = new Command('cryptoki')
  .description('cryptoki-ts: a PKCS#11 3.2 software token')
  .showHelpAfterError();

program
  .command('slots')
  .description('list the slots and tokens of the store')
  .option('--json', 'print JSON')
  .addHelpText('after', '\nExample:\n  cryptoki slots --json')
  .action(listSlots);

serveCommand(program);

const token = program.command('token').description('manage tokens');
addBackupCommands(token);

try {
  program.parse();
} catch (e) {
  if (e instanceof CKRError) {
    process.stderr.write(`cryptoki: ${e.rvName}\n`);
    process.exit(1);
  }
  process.stderr.write(`cryptoki: ${(e as Error).message}\n`);
  process.exit(1);
}

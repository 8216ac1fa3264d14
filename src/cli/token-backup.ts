/** `cryptoki token backup` and `cryptoki token restore`. */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { backupToken, restoreTokens } from '../store/backup.js';
import { SqliteStore } from '../store/sqlite.js';
import type { TokenRecord, TokenStore } from '../store/store.js';
import { UsageError } from './errors.js';
import { withProgress } from './progress.js';
import { openStore } from './store.js';

/** A token named by its label or serial number; none named means every token. */
function chooseToken(tokens: TokenRecord[], name: string | undefined): TokenRecord | undefined {
  if (name === undefined) return undefined;
  const found = tokens.filter((t) => t.label.trimEnd() === name || t.serial.trimEnd() === name);
  if (found.length !== 1) throw new UsageError(found.length === 0 ? `no token is labelled "${name}" or has that serial` : `several tokens are labelled "${name}": name one by serial`);
  return found[0];
}

function withStore<T>(fn: (store: TokenStore) => T): T {
  const { store } = openStore();
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

export function addBackupCommands(token: Command): void {
  token
    .command('backup')
    .description('copy tokens into a backup file, while they are in use; the copy opens with the same PINs')
    .argument('<file>', 'the backup file to create (never overwritten)')
    .option('--token <label-or-serial>', 'only this token')
    .addHelpText('after', '\nExample:\n  cryptoki token backup ~/tokens-2026-11-27.db --token signing')
    .action((file: string, opts: { token?: string }) => withStore((store) => {
      if (!(store instanceof SqliteStore)) throw new UsageError('backups are taken of an SQLite store');
      const chosen = chooseToken(store.listTokens(), opts.token);
      withProgress('backing up', () => backupToken(store, file, chosen?.tokenId));
      process.stdout.write(`backed up ${chosen ? `token "${chosen.label.trimEnd()}"` : 'every token'} to ${file}\n`);
    }));
  token
    .command('restore')
    .description('put tokens back from a backup file; a token that exists is replaced by its backup')
    .argument('<file>', 'a file made by `cryptoki token backup`')
    .option('--token <label-or-serial>', 'only this token of the backup')
    .addHelpText('after', '\nExample:\n  cryptoki token restore ~/tokens-2026-11-27.db --token signing')
    .action((file: string, opts: { token?: string }) => withStore((store) => {
      if (!existsSync(file)) throw new UsageError(`${file} does not exist`);
      const backup = new SqliteStore(file);
      let chosen: TokenRecord | undefined;
      try {
        chosen = chooseToken(backup.listTokens(), opts.token);
      } finally {
        backup.close();
      }
      for (const { token: t, slotId } of withProgress('restoring', () => restoreTokens(store, file, chosen?.tokenId))) {
        process.stdout.write(`restored token "${t.label.trimEnd()}" (serial ${t.serial}) in slot ${slotId}\n`);
      }
    }));
}

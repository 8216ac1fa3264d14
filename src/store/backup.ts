/**
 * Backup and restore of tokens. A backup is an SQLite token store file holding
 * the chosen tokens exactly as they are stored: sealed attributes and wrapped
 * token keys stay as they are, so a restored token opens with the same PINs
 * and nothing in the backup is readable without them.
 */
import type { TokenRecord, TokenStore } from './store.js';
import { SqliteStore } from './sqlite.js';

export function backupToken(store: SqliteStore, path: string, tokenId?: string): void {
  store.backupTo(path, tokenId);
}

/** Restores every token of the backup (or the one given); returns what went where. */
export function restoreTokens(target: TokenStore, path: string, tokenId?: string): { token: TokenRecord; slotId: number }[] {
  const backup = new SqliteStore(path);
  try {
    const tokens = backup.listTokens().filter((t) => tokenId === undefined || t.tokenId === tokenId);
    if (tokens.length === 0) throw new Error(`${path} holds no such token`);
    return tokens.map((token) => {
      const objects = backup.listObjects(token.tokenId, { includePrivate: true }).map(({ uid: _uid, ...rest }) => rest);
      return { token, slotId: target.restoreToken(token, objects) };
    });
  } finally {
    backup.close();
  }
}

/** The store the command works on: the configured one, else the embedded default. */
import type { TokenStore } from '../store/store.js';
import { loadConfig, openDefaultStore } from '../store/config.js';

export function openStore(): { store: TokenStore; location: string } {
  const config = loadConfig();
  return { store: openDefaultStore(config), location: config.storePath };
}

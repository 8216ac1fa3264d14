/** The store the command works on, and the library options the configuration sets. */
import type { CryptokiOptions } from '../core/application.js';
import { Cryptoki } from '../core/cryptoki.js';
import type { TokenStore } from '../store/store.js';
import { loadConfig, openDefaultStore, type CryptokiConfig } from '../store/config.js';

export function openStore(): { store: TokenStore; location: string; config: CryptokiConfig } {
  const config = loadConfig();
  return { store: openDefaultStore(config), location: config.storePath, config };
}

/** A library on the configured store, with the configured PIN retry limit and KDF cost. */
export function openLibrary(): { p11: Cryptoki; store: TokenStore; location: string } {
  const { store, location, config } = openStore();
  const options: CryptokiOptions = { store };
  if (config.pinRetryLimit !== undefined) options.pinRetryLimit = config.pinRetryLimit;
  if (config.kdf !== undefined) options.kdf = config.kdf;
  return { p11: new Cryptoki(options), store, location };
}

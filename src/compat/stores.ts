/**
 * What `load()` opens instead of a shared library: one of our token stores.
 *
 * - `"memory"` or `"memory:<name>"`: an in-memory store shared by every PKCS11
 *   instance in the process that loads the same name (as every handle on one
 *   .so sees the same tokens);
 * - any other string: the SQLite store at that path (created if its directory
 *   exists: a path in a missing directory fails as a missing .so would);
 * - a TokenStore object: that store.
 *
 * A string may end in `?lenientKeyPolicy`: SoftHSM's key rules instead of
 * ours (see CryptokiOptions). It is how suites that only let their users set a
 * library path can ask for them.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { MemoryStore } from '../store/memory.js';
import { SqliteStore } from '../store/sqlite.js';
import type { TokenStore } from '../store/store.js';

export type StoreSpec = string | TokenStore;

const MEMORY = /^memory(?::(.*))?$/;
const memoryStores = new Map<string, MemoryStore>();

/** The process-wide in-memory store that `load("memory:<name>")` opens. */
export function sharedMemoryStore(name = 'default'): MemoryStore {
  let store = memoryStores.get(name);
  if (!store) {
    store = new MemoryStore();
    memoryStores.set(name, store);
  }
  return store;
}

/** Forgets a shared in-memory store: the next load of its name starts empty. */
export function dropSharedMemoryStore(name = 'default'): void {
  memoryStores.delete(name);
}

export interface OpenedStore {
  store: TokenStore;
  /** True when this load opened it, so close() closes it. */
  owned: boolean;
  /** Token options the spec asked for. */
  options: { lenientKeyPolicy?: boolean };
}

const OPTIONS = new Set(['lenientKeyPolicy']);

function splitOptions(spec: string): [string, OpenedStore['options']] {
  const at = spec.lastIndexOf('?');
  if (at < 0) return [spec, {}];
  const options: OpenedStore['options'] = {};
  for (const name of spec.slice(at + 1).split('&')) {
    if (!OPTIONS.has(name)) throw new Error(`load(): unknown option "${name}" (known: ${[...OPTIONS].join(', ')})`);
    options.lenientKeyPolicy = true;
  }
  return [spec.slice(0, at), options];
}

export function openStore(spec: unknown): OpenedStore {
  if (typeof spec === 'object' && spec !== null && typeof (spec as TokenStore).listTokens === 'function') {
    return { store: spec as TokenStore, owned: false, options: {} };
  }
  if (typeof spec !== 'string' || spec === '') throw new Error('load() takes "memory", "memory:<name>", a SQLite file path or a TokenStore');
  const [where, options] = splitOptions(spec);
  const memory = MEMORY.exec(where);
  if (memory) return { store: sharedMemoryStore(memory[1] || 'default'), owned: false, options };
  const path = resolve(where);
  if (!existsSync(dirname(path))) throw new Error(`${where}: cannot open token store: no such directory`);
  return { store: new SqliteStore(path), owned: true, options };
}

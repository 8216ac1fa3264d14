export { Cryptoki } from './core/cryptoki.js';
export type { CryptokiOptions } from './core/application.js';
export * from './pkcs11/constants.js';
export { constantName, constantValue, rvName } from './pkcs11/names.js';
export { BufferTooSmallError, CKRError } from './pkcs11/error.js';
export type * from './pkcs11/types.js';
export { MemoryStore } from './store/memory.js';
export type { TokenStore } from './store/store.js';
export { SqliteStore } from './store/sqlite.js';
export { defaultStorePath, loadConfig } from './store/config.js';
// pkcs11js's names too, so that the package itself can stand in for pkcs11js
// (`"overrides": { "pkcs11js": "npm:cryptoki-ts@…" }`, see the README).
export { PKCS11, NativeError, Pkcs11Error } from './compat/index.js';
export * from './compat/constants.js';

/**
 * cryptoki-ts/pkcs11js: a stand-in for the pkcs11js package (2.1) on our
 * token, with no native code. Same class, methods, constants and errors;
 * `load()` opens one of our stores instead of a .so (see ./stores.ts).
 */
export * from '../pkcs11/constants.js';
export * from './constants.js';
export { PKCS11 } from './pkcs11.js';
export { NativeError, Pkcs11Error } from './errors.js';
export { sharedMemoryStore, dropSharedMemoryStore } from './stores.js';
export type { StoreSpec } from './stores.js';
export type * from './types.js';

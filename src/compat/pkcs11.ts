/**
 * PKCS11: the class of pkcs11js 2.1, on our token instead of a native module.
 * Each instance is one application (what one dlopen of a .so is to a C
 * program): its own sessions and logins over the store `load()` opened.
 */
import { promisify } from 'node:util';
import { Cryptoki } from '../core/cryptoki.js';
import type { CryptokiOptions } from '../core/application.js';
import { expectCount, readBuffer, readCallback, type Args, type Callback } from './args.js';
import { NativeError, Pkcs11Error, toCompatError } from './errors.js';
import { FUNCTIONS, type FunctionSpec } from './functions.js';
import { openStore, type OpenedStore, type StoreSpec } from './stores.js';
import { datesToText } from './template.js';
import type { Pkcs11Api } from './types.js';

/** Calls that write object attributes, whose Date values pkcs11js turns into YYYYMMDD first. */
const WRITES_ATTRIBUTES: Record<string, number> = { C_CreateObject: 1, C_CopyObject: 2, C_SetAttributeValue: 2 };

export interface PKCS11 extends Pkcs11Api {}

export class PKCS11 {
  /** What was loaded (pkcs11js: the library path). */
  libPath?: StoreSpec;
  #p11: Cryptoki | undefined;
  #opened: OpenedStore | undefined;
  readonly #options: Omit<CryptokiOptions, 'store'>;

  /**
   * @param libPath what to load at once (see load()).
   * @param options options of our token (PIN retry limit, KDF cost of new PINs...).
   */
  constructor(libPath?: StoreSpec, options: Omit<CryptokiOptions, 'store'> = {}) {
    this.#options = options;
    if (libPath !== undefined && libPath !== null) this.load(libPath);
  }

  /** Opens a store: "memory", "memory:<name>", a SQLite file path (either may end in "?lenientKeyPolicy"), or a TokenStore. */
  load(libPath: StoreSpec): void {
    this.close();
    this.#opened = openStore(libPath);
    this.#p11 = new Cryptoki({ ...this.#options, ...this.#opened.options, store: this.#opened.store });
    this.libPath = libPath;
  }

  /** Unloads: the store this instance opened is closed; later calls fail as before load(). */
  close(): void {
    const opened = this.#opened;
    this.#p11 = undefined;
    this.#opened = undefined;
    if (opened?.owned) opened.store.close();
  }

  /** The loaded token, or the error pkcs11js gives before load(). */
  cryptoki(): Cryptoki {
    if (!this.#p11) throw new NativeError('PKCS11 module not loaded yet');
    return this.#p11;
  }
}

function call(self: PKCS11, name: string, spec: FunctionSpec, args: Args): unknown {
  try {
    const p11 = self.cryptoki();
    if (spec.count !== undefined) expectCount(args, spec.count);
    const written = WRITES_ATTRIBUTES[name];
    if (written !== undefined) datesToText(args[written]);
    const result = spec.run(p11, args);
    return spec.out === undefined ? result : readBuffer(args, spec.out).subarray(0, result as number);
  } catch (e) {
    throw toCompatError(e, name);
  }
}

/**
 * pkcs11js builds the errors of its worker threads from the return value alone:
 * no method and no stack.
 */
function asWorkerError(e: Error): Error {
  return e instanceof Pkcs11Error ? new Pkcs11Error(`${e.message}:${e.code}`) : e;
}

/**
 * The callback form: arguments are checked at once (a TypeError is thrown, as
 * pkcs11js does before queuing its worker); the result or the Pkcs11Error
 * arrives on a later turn of the event loop, never synchronously.
 */
function callWithCallback(self: PKCS11, name: string, spec: FunctionSpec, args: Args): void {
  const index = spec.callback!;
  let callback: Callback;
  try {
    self.cryptoki();
    expectCount(args, index + 1);
    callback = readCallback(args, index);
  } catch (e) {
    throw toCompatError(e, name);
  }
  const syncArgs = args.slice(0, index);
  let outcome: { error: Error | null; result: unknown };
  try {
    outcome = { error: null, result: call(self, name, spec, syncArgs) };
  } catch (e) {
    if (e instanceof TypeError) throw e;
    outcome = { error: asWorkerError(e as Error), result: null };
  }
  setImmediate(() => callback(outcome.error, outcome.result));
}

for (const [name, spec] of Object.entries(FUNCTIONS)) {
  const proto = PKCS11.prototype as unknown as Record<string, unknown>;
  if (spec.callback === undefined) {
    proto[name] = function (this: PKCS11, ...args: unknown[]) { return call(this, name, spec, args); };
    continue;
  }
  const callbackName = `${name}Callback`;
  proto[callbackName] = function (this: PKCS11, ...args: unknown[]) { return callWithCallback(this, name, spec, args); };
  proto[name] = function (this: PKCS11, ...args: unknown[]) {
    return args.length > spec.callback! ? callWithCallback(this, name, spec, args) : call(this, name, spec, args);
  };
  const asPromise = promisify((self: PKCS11, args: unknown[], done: Callback) => callWithCallback(self, name, spec, [...args, done]));
  proto[`${name}Async`] = function (this: PKCS11, ...args: unknown[]) { return asPromise(this, args); };
}

// pkcs11js: C_FindObjects(session) without a count returns one handle or null.
const findObjects = (PKCS11.prototype as unknown as Record<string, (...a: unknown[]) => unknown>).C_FindObjects!;
(PKCS11.prototype as unknown as Record<string, unknown>).C_FindObjects = function (this: PKCS11, ...args: unknown[]) {
  if (args.length < 2) return (findObjects.call(this, ...args, 1) as Buffer[])[0] ?? null;
  return findObjects.apply(this, args);
};

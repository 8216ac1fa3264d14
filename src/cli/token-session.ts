/**
 * The token a command works on: chosen by --token (label, serial or a PKCS#11
 * URI) or by an object URI, opened in a read/write session, logged in as the
 * command needs.
 */
import * as K from '../pkcs11/constants.js';
import type { Cryptoki } from '../core/cryptoki.js';
import type { CK_TOKEN_INFO } from '../pkcs11/types.js';
import type { TokenStore } from '../store/store.js';
import { UsageError } from './errors.js';
import { readSecret, requireSecret, SO_PIN, USER_PIN } from './pin-source.js';
import { openLibrary } from './store.js';
import { isPkcs11Uri, parseUri, type Pkcs11Uri } from './uri.js';

export interface Library {
  p11: Cryptoki;
  store: TokenStore;
  location: string;
}

/** Runs fn on an initialized library over the configured store, and closes both after. */
export async function withLibrary<T>(fn: (lib: Library) => T | Promise<T>): Promise<T> {
  const lib = openLibrary();
  lib.p11.C_Initialize();
  try {
    return await fn(lib);
  } finally {
    lib.p11.C_Finalize();
    lib.store.close();
  }
}

export interface TokenChoice {
  token?: string;
  serial?: string;
  slotId?: number;
  model?: string;
  manufacturer?: string;
}

/** What --token means: a PKCS#11 URI, else a label or a serial number. */
export function tokenChoice(tokenOption: string | undefined, uri?: Pkcs11Uri): TokenChoice {
  const choice: TokenChoice = {};
  if (uri) Object.assign(choice, pick(uri));
  if (tokenOption === undefined) return choice;
  if (isPkcs11Uri(tokenOption)) return { ...choice, ...pick(parseUri(tokenOption)) };
  return { ...choice, token: tokenOption };
}

function pick(u: Pkcs11Uri): TokenChoice {
  const c: TokenChoice = {};
  if (u.token !== undefined) c.token = u.token;
  if (u.serial !== undefined) c.serial = u.serial;
  if (u.slotId !== undefined) c.slotId = u.slotId;
  if (u.model !== undefined) c.model = u.model;
  if (u.manufacturer !== undefined) c.manufacturer = u.manufacturer;
  return c;
}

export interface SlotToken {
  slotID: number;
  info: CK_TOKEN_INFO;
}

/** The initialized tokens of the library, with their slots. */
export function tokensOf(p11: Cryptoki): SlotToken[] {
  return p11.C_GetSlotList(true)
    .map((slotID) => ({ slotID, info: p11.C_GetTokenInfo(slotID) }))
    .filter((t) => (t.info.flags & K.CKF_TOKEN_INITIALIZED) !== 0);
}

/** The one token the choice names; a plain name matches a label, else a serial number. */
export function findToken(p11: Cryptoki, choice: TokenChoice): SlotToken {
  const all = tokensOf(p11);
  const match = all.filter(({ slotID, info }) =>
    (choice.slotId === undefined || slotID === choice.slotId)
    && (choice.serial === undefined || info.serialNumber.trimEnd() === choice.serial)
    && (choice.model === undefined || info.model.trimEnd() === choice.model)
    && (choice.manufacturer === undefined || info.manufacturerID.trimEnd() === choice.manufacturer)
    && (choice.token === undefined || info.label.trimEnd() === choice.token));
  let found = match;
  // A --token that is not a label may be a serial number.
  if (found.length === 0 && choice.token !== undefined && choice.serial === undefined) {
    found = all.filter(({ info }) => info.serialNumber.trimEnd() === choice.token);
  }
  if (found.length === 1) return found[0]!;
  const named = Object.keys(choice).length > 0;
  if (found.length === 0) {
    if (all.length === 0) throw new UsageError('the store has no token yet: create one with "cryptoki token init --label NAME"');
    throw new UsageError(named ? `no token matches ${describeChoice(choice)} (see "cryptoki token list")` : 'no token found');
  }
  throw new UsageError(named
    ? `several tokens match ${describeChoice(choice)}: name one by serial (see "cryptoki token list")`
    : 'the store has several tokens: choose one with --token LABEL');
}

function describeChoice(c: TokenChoice): string {
  return Object.entries(c).map(([k, v]) => `${k}=${String(v)}`).join(', ');
}

export function tokenUri(info: CK_TOKEN_INFO): Pkcs11Uri {
  return {
    token: info.label.trimEnd(), manufacturer: info.manufacturerID.trimEnd(), model: info.model.trimEnd(),
    serial: info.serialNumber.trimEnd(),
  };
}

/** user: the user PIN is required; user-if-given: log in only when a PIN is given; so: the SO PIN is required. */
export type LoginNeed = 'none' | 'user' | 'user-if-given' | 'so';

export interface TokenSession extends Library, SlotToken {
  session: number;
  loggedIn: boolean;
  /** The PIN of the login, for C_SetPIN. */
  pin: string | undefined;
  uri: Pkcs11Uri;
}

/**
 * Reads the PIN the command needs (before the store is opened, so that a
 * prompt comes first), opens the chosen token and runs fn in a logged-in
 * read/write session.
 */
export async function withToken<T>(
  choice: TokenChoice, login: LoginNeed, opts: Record<string, unknown>,
  fn: (t: TokenSession) => T | Promise<T>, uri?: Pkcs11Uri,
): Promise<T> {
  const fromUri: { value?: string; source?: string } = {};
  if (uri?.pinValue !== undefined) fromUri.value = uri.pinValue;
  if (uri?.pinSource !== undefined) fromUri.source = uri.pinSource;
  let pin: string | undefined;
  if (login === 'user') pin = await requireSecret(opts, USER_PIN, { fromUri });
  else if (login === 'so') pin = await requireSecret(opts, SO_PIN);
  else if (login === 'user-if-given') {
    const given = ['pin', 'pinFile', 'pinEnv'].some((k) => opts[k] !== undefined) || uri?.pinValue !== undefined || uri?.pinSource !== undefined;
    if (given) pin = await readSecret(opts, USER_PIN, { fromUri });
  }
  return withLibrary(async (lib) => {
    const token = findToken(lib.p11, choice);
    const session = lib.p11.C_OpenSession(token.slotID, K.CKF_SERIAL_SESSION | K.CKF_RW_SESSION);
    let loggedIn = false;
    if (pin !== undefined) {
      lib.p11.C_Login(session, login === 'so' ? K.CKU_SO : K.CKU_USER, pin);
      loggedIn = true;
    }
    return fn({ ...lib, ...token, session, loggedIn, pin, uri: tokenUri(token.info) });
  });
}

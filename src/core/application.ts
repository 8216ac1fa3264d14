/**
 * One application's view of the library: what a process that loaded the module
 * has. Its sessions, its login state per token, its object handles and its
 * slot-event flags. The RPC server gives each connection one of these.
 */
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { KdfParams, TokenRecord, TokenStore } from '../store/store.js';
import { DEFAULT_KDF } from './pin.js';
import { ObjectTable } from './object-table.js';
import type { Operation, OperationKind } from './operation.js';
import { SlotEvents } from './slot-events.js';

export interface CryptokiOptions {
  /** Where tokens live; a fresh in-memory store when not given. */
  store?: TokenStore;
  /** Consecutive wrong PINs that lock a role (default 10). */
  pinRetryLimit?: number;
  /** Cost of the PIN key derivation for new PINs. */
  kdf?: KdfParams;
  minPinLength?: number;
  maxPinLength?: number;
  /** How often a blocking C_WaitForSlotEvent looks at the store, in ms. */
  slotEventPollMs?: number;
  /** Largest multi-part digest input kept to make the operation state saveable. */
  maxSavedStateInput?: number;
  /**
   * SoftHSM's key rules instead of ours, for test suites written against it: one key
   * may both wrap keys and encrypt data, and an unwrapped key is as sensitive and
   * extractable as its template asks. Off by default: the first lets an attacker wrap
   * a key and decrypt it as data, the second unwrap a sensitive key as non-sensitive.
   */
  lenientKeyPolicy?: boolean;
}

export type Role = 'so' | 'user';

export interface Login {
  role: Role;
  tokenKey: Buffer;
}

export class Session {
  readonly operations = new Map<OperationKind, Operation>();
  constructor(
    readonly handle: number,
    readonly slotId: number,
    readonly tokenId: string,
    readonly rw: boolean,
  ) {}

  /** Starts an operation of a kind; one of each kind at a time. */
  begin(kind: OperationKind, op: Operation): void {
    if (this.operations.has(kind)) throw new CKRError(K.CKR_OPERATION_ACTIVE);
    this.operations.set(kind, op);
  }

  operation<T extends Operation>(kind: OperationKind): T {
    const op = this.operations.get(kind);
    if (!op) throw new CKRError(K.CKR_OPERATION_NOT_INITIALIZED);
    return op as T;
  }

  end(kind: OperationKind): void {
    this.operations.delete(kind);
  }
}

/** Sessions open per token across every application of this process (for CKR_SESSION_EXISTS). */
const openSessionCounts = new WeakMap<TokenStore, Map<string, number>>();

export function sessionsOpenOn(store: TokenStore, tokenId: string): number {
  return openSessionCounts.get(store)?.get(tokenId) ?? 0;
}

function countSession(store: TokenStore, tokenId: string, delta: number): void {
  let counts = openSessionCounts.get(store);
  if (!counts) openSessionCounts.set(store, (counts = new Map()));
  const n = (counts.get(tokenId) ?? 0) + delta;
  if (n > 0) counts.set(tokenId, n);
  else counts.delete(tokenId);
}

export class Application {
  readonly store: TokenStore;
  readonly pinRetryLimit: number;
  readonly kdf: KdfParams;
  readonly minPinLength: number;
  readonly maxPinLength: number;
  readonly slotEventPollMs: number;
  readonly maxSavedStateInput: number;
  readonly lenientKeyPolicy: boolean;

  initialized = false;
  readonly sessions = new Map<number, Session>();
  private nextSessionHandle = 1;
  readonly logins = new Map<string, Login>();
  readonly objects: ObjectTable;
  readonly slotEvents: SlotEvents;

  constructor(store: TokenStore, options: CryptokiOptions) {
    this.store = store;
    this.pinRetryLimit = options.pinRetryLimit ?? 10;
    this.kdf = options.kdf ?? DEFAULT_KDF;
    this.minPinLength = options.minPinLength ?? 4;
    this.maxPinLength = options.maxPinLength ?? 255;
    this.slotEventPollMs = options.slotEventPollMs ?? 200;
    this.maxSavedStateInput = options.maxSavedStateInput ?? 1 << 20;
    this.lenientKeyPolicy = options.lenientKeyPolicy ?? false;
    this.objects = new ObjectTable(this);
    this.slotEvents = new SlotEvents(store);
  }

  requireInitialized(): void {
    if (!this.initialized) throw new CKRError(K.CKR_CRYPTOKI_NOT_INITIALIZED);
  }

  session(handle: number): Session {
    this.requireInitialized();
    const s = this.sessions.get(handle);
    if (!s) throw new CKRError(K.CKR_SESSION_HANDLE_INVALID);
    if (!this.store.hasToken(s.tokenId)) {
      // The token went away under us (deleted by another process).
      this.dropSessionsOf(s.tokenId);
      throw new CKRError(K.CKR_DEVICE_REMOVED);
    }
    return s;
  }

  /** The initialised token in a slot, or the error the spec gives for the slot. */
  token(slotId: number): TokenRecord {
    this.requireInitialized();
    const t = this.store.listTokens().find((r) => r.slotId === slotId);
    if (t) return t;
    if (slotId === this.store.nextSlotId()) throw new CKRError(K.CKR_TOKEN_NOT_RECOGNIZED);
    throw new CKRError(K.CKR_SLOT_ID_INVALID);
  }

  tokenOf(session: Session): TokenRecord {
    const t = this.store.getToken(session.tokenId);
    if (!t) throw new CKRError(K.CKR_DEVICE_REMOVED);
    return t;
  }

  openSession(token: TokenRecord, rw: boolean): Session {
    const s = new Session(this.nextSessionHandle++, token.slotId, token.tokenId, rw);
    this.sessions.set(s.handle, s);
    countSession(this.store, token.tokenId, +1);
    return s;
  }

  closeSession(s: Session): void {
    if (!this.sessions.delete(s.handle)) return;
    countSession(this.store, s.tokenId, -1);
    this.objects.dropSessionObjects(s.handle);
    if (this.sessionsOn(s.tokenId).length === 0) this.logout(s.tokenId);
  }

  sessionsOn(tokenId: string): Session[] {
    return [...this.sessions.values()].filter((s) => s.tokenId === tokenId);
  }

  dropSessionsOf(tokenId: string): void {
    for (const s of this.sessionsOn(tokenId)) this.closeSession(s);
    this.logout(tokenId);
  }

  loginOf(tokenId: string): Login | undefined {
    return this.logins.get(tokenId);
  }

  /** The spec's session state (CKS_*) of a session. */
  sessionState(s: Session): number {
    const role = this.logins.get(s.tokenId)?.role;
    if (role === 'so') return K.CKS_RW_SO_FUNCTIONS;
    if (role === 'user') return s.rw ? K.CKS_RW_USER_FUNCTIONS : K.CKS_RO_USER_FUNCTIONS;
    return s.rw ? K.CKS_RW_PUBLIC_SESSION : K.CKS_RO_PUBLIC_SESSION;
  }

  /**
   * Ends a login: the token key is forgotten, private session objects die,
   * handles of private token objects become invalid, operations end.
   */
  logout(tokenId: string): void {
    const login = this.logins.get(tokenId);
    if (!login) return;
    login.tokenKey.fill(0);
    this.logins.delete(tokenId);
    this.objects.forgetPrivate(tokenId);
    for (const s of this.sessionsOn(tokenId)) s.operations.clear();
  }

  finalize(): void {
    for (const s of [...this.sessions.values()]) this.closeSession(s);
    for (const tokenId of [...this.logins.keys()]) this.logout(tokenId);
    this.initialized = false;
  }
}

/**
 * Token storage, as the core sees it. The core does all cryptography (PIN
 * verifiers, sealing private attributes); a store keeps records and bytes, and
 * makes each call one atomic change.
 */

export interface KdfParams {
  name: 'scrypt';
  N: number;
  r: number;
  p: number;
}

/** What a PIN leaves behind: a verifier and the token key wrapped under the PIN. */
export interface PinRecord {
  salt: Buffer;
  kdf: KdfParams;
  verifier: Buffer;
  wrappedKey: Buffer;
}

export interface TokenRecord {
  /** Random identity of this token (hex); the associated data of everything sealed in it. */
  tokenId: string;
  slotId: number;
  /** The 32-byte label, blank padded as CK_TOKEN_INFO has it. */
  label: string;
  serial: string;
  so: PinRecord;
  user: PinRecord | null;
  soFailures: number;
  userFailures: number;
}

export interface ObjectRecord {
  /** Assigned by the store, unique within the store. */
  uid: number;
  /** 16 random bytes, fixed for the object's life: associated data of its sealed part. */
  oid: Buffer;
  cls: number;
  isPrivate: boolean;
  /** Lookup keys: the raw CKA_LABEL / CKA_ID of public objects, a keyed hash for private ones. */
  labelIndex: Buffer | null;
  idIndex: Buffer | null;
  /** Attributes readable without login, in the attribute codec's binary form. */
  plain: Buffer;
  /** The other attributes, sealed under the token key; null when there are none. */
  sealed: Buffer | null;
}

export type NewObjectRecord = Omit<ObjectRecord, 'uid'>;

export interface ObjectFilter {
  includePrivate: boolean;
  cls?: number;
  /** Any of these lookup keys matches. */
  labelIndex?: Buffer[];
  idIndex?: Buffer[];
}

export type PinRole = 'so' | 'user';

/** A copy of a token record that its reader may change freely (the PIN records' bytes are shared). */
export function cloneToken(t: TokenRecord): TokenRecord {
  return { ...t, so: { ...t.so, kdf: { ...t.so.kdf } }, user: t.user ? { ...t.user, kdf: { ...t.user.kdf } } : null };
}

export interface TokenStore {
  readonly kind: string;

  listTokens(): TokenRecord[];
  getToken(tokenId: string): TokenRecord | undefined;
  /** Whether the token exists: what every call asks, so without copying its record. */
  hasToken(tokenId: string): boolean;
  /** The slot ID the next new token will get: the ID of the free slot. */
  nextSlotId(): number;
  /**
   * Writes a token record in one transaction: a new token takes nextSlotId()
   * (which then moves on); an existing token (same tokenId) is replaced and all
   * its objects are destroyed.
   */
  initToken(record: TokenRecord): void;
  deleteToken(tokenId: string): void;
  /**
   * Puts a token back from a backup, with its objects, in one transaction: an
   * existing token of that tokenId is replaced whole; a new one keeps its slot
   * ID if that is free, else takes nextSlotId(). Returns the slot ID.
   */
  restoreToken(record: TokenRecord, objects: NewObjectRecord[]): number;
  /** Replaces the PIN records (either may be left as is) and resets that role's failure count. */
  setPins(tokenId: string, pins: { so?: PinRecord; user?: PinRecord | null }): void;
  /** Adds one failed login and returns the new count, atomically. */
  recordLoginFailure(tokenId: string, role: PinRole): number;
  resetLoginFailures(tokenId: string, role: PinRole): void;

  listObjects(tokenId: string, filter: ObjectFilter): ObjectRecord[];
  getObject(tokenId: string, uid: number): ObjectRecord | undefined;
  addObject(tokenId: string, record: NewObjectRecord): number;
  updateObject(tokenId: string, record: ObjectRecord): void;
  /** Returns false when the object was already gone. */
  deleteObject(tokenId: string, uid: number): boolean;

  /** A number that changes whenever the set of tokens changes (for slot events across processes). */
  tokensVersion(): number;
  close(): void;
}

/**
 * Tokens in one SQLite file, shared by every process that opens it.
 *
 * The core does all cryptography; this file only keeps records and bytes. Each
 * TokenStore call is one transaction, so a crash (or SIGKILL) leaves either
 * the whole change or none of it, and a call that returned is durable
 * (WAL + synchronous=FULL fsyncs the log on every commit).
 */
import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  cloneToken, type KdfParams, type NewObjectRecord, type ObjectFilter, type ObjectRecord, type PinRecord, type PinRole, type TokenRecord,
  type TokenStore,
} from './store.js';

type DB = Database.Database;
type Statement = Database.Statement;

/**
 * Schema migrations, in order: migrations[i] takes the file from version i to
 * i + 1 (version 0 is an empty file). Never edit a released migration; append.
 */
const migrations: ReadonlyArray<(db: DB) => void> = [
  // 1: the first release.
  (db) => db.exec(`
    CREATE TABLE tokens (
      token_id       TEXT PRIMARY KEY NOT NULL,
      slot_id        INTEGER NOT NULL UNIQUE,
      label          TEXT NOT NULL,
      serial         TEXT NOT NULL,
      so_salt        BLOB NOT NULL,
      so_kdf         TEXT NOT NULL,
      so_verifier    BLOB NOT NULL,
      so_wrapped_key BLOB NOT NULL,
      user_salt        BLOB,
      user_kdf         TEXT,
      user_verifier    BLOB,
      user_wrapped_key BLOB,
      so_failures    INTEGER NOT NULL DEFAULT 0,
      user_failures  INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE objects (
      uid         INTEGER PRIMARY KEY AUTOINCREMENT,
      token_id    TEXT NOT NULL REFERENCES tokens (token_id) ON DELETE CASCADE,
      oid         BLOB NOT NULL,
      cls         INTEGER NOT NULL,
      is_private  INTEGER NOT NULL,
      label_index BLOB,
      id_index    BLOB,
      plain       BLOB NOT NULL,
      sealed      BLOB
    );
    CREATE INDEX objects_by_label ON objects (token_id, label_index);
    CREATE INDEX objects_by_id    ON objects (token_id, id_index);
    CREATE INDEX objects_by_class ON objects (token_id, cls);
    CREATE TABLE meta (
      key   TEXT PRIMARY KEY NOT NULL,
      value INTEGER NOT NULL
    );
    INSERT INTO meta (key, value) VALUES ('next_slot_id', 1), ('tokens_version', 0);
  `),
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = migrations.length;

interface TokenRow {
  token_id: string;
  slot_id: number;
  label: string;
  serial: string;
  so_salt: Buffer;
  so_kdf: string;
  so_verifier: Buffer;
  so_wrapped_key: Buffer;
  user_salt: Buffer | null;
  user_kdf: string | null;
  user_verifier: Buffer | null;
  user_wrapped_key: Buffer | null;
  so_failures: number;
  user_failures: number;
}

interface ObjectRow {
  uid: number;
  oid: Buffer;
  cls: number;
  is_private: number;
  label_index: Buffer | null;
  id_index: Buffer | null;
  plain: Buffer;
  sealed: Buffer | null;
}

function kdfFromJson(text: string): KdfParams {
  const k = JSON.parse(text) as KdfParams;
  return { name: k.name, N: k.N, r: k.r, p: k.p };
}

function kdfToJson(k: KdfParams): string {
  return JSON.stringify({ name: k.name, N: k.N, r: k.r, p: k.p });
}

function tokenFromRow(r: TokenRow): TokenRecord {
  const user = r.user_salt && r.user_kdf && r.user_verifier && r.user_wrapped_key
    ? { salt: r.user_salt, kdf: kdfFromJson(r.user_kdf), verifier: r.user_verifier, wrappedKey: r.user_wrapped_key }
    : null;
  return {
    tokenId: r.token_id,
    slotId: r.slot_id,
    label: r.label,
    serial: r.serial,
    so: { salt: r.so_salt, kdf: kdfFromJson(r.so_kdf), verifier: r.so_verifier, wrappedKey: r.so_wrapped_key },
    user,
    soFailures: r.so_failures,
    userFailures: r.user_failures,
  };
}

function objectFromRow(r: ObjectRow): ObjectRecord {
  return {
    uid: r.uid,
    oid: r.oid,
    cls: r.cls,
    isPrivate: r.is_private !== 0,
    labelIndex: r.label_index,
    idIndex: r.id_index,
    plain: r.plain,
    sealed: r.sealed,
  };
}

/** Named parameters for one role's PIN columns; all null when the PIN is not set. */
function pinParams(pin: PinRecord | null): Record<string, Buffer | string | null> {
  return {
    salt: pin?.salt ?? null,
    kdf: pin ? kdfToJson(pin.kdf) : null,
    verifier: pin?.verifier ?? null,
    wrappedKey: pin?.wrappedKey ?? null,
  };
}

const OBJECT_COLUMNS = 'uid, oid, cls, is_private, label_index, id_index, plain, sealed';

/**
 * The SELECT for listObjects. Filters are WHERE clauses, so that a lookup by
 * label or id in a large token walks an index instead of every row. Exported
 * so that tests can look at the query plan. Returns null when no object can
 * match (an empty candidate list).
 */
export function objectQuery(tokenId: string, filter: ObjectFilter): { sql: string; params: unknown[] } | null {
  const where = ['token_id = ?'];
  const params: unknown[] = [tokenId];
  if (!filter.includePrivate) where.push('is_private = 0');
  if (filter.cls !== undefined) {
    where.push('cls = ?');
    params.push(filter.cls);
  }
  for (const [column, keys] of [['label_index', filter.labelIndex], ['id_index', filter.idIndex]] as const) {
    if (!keys) continue;
    if (keys.length === 0) return null;
    where.push(`${column} IN (${keys.map(() => '?').join(', ')})`);
    params.push(...keys);
  }
  return { sql: `SELECT ${OBJECT_COLUMNS} FROM objects WHERE ${where.join(' AND ')} ORDER BY uid`, params };
}

/** listObjects statements are kept per query shape; past this many shapes they are not kept. */
const MAX_CACHED_QUERIES = 64;
/** Object records kept between reads: enough for the keys an application uses, bounded for a token of many objects. */
const MAX_CACHED_OBJECTS = 4096;

export interface SqliteStoreOptions {
  /** How long a call waits for another process's write lock before failing (default 5000). */
  busyTimeoutMs?: number;
}

export class SqliteStore implements TokenStore {
  readonly kind = 'sqlite';
  readonly path: string;
  private readonly db: DB;
  private readonly st: ReturnType<typeof prepareStatements>;
  private seenDataVersion = -1;
  private tokenCache: readonly TokenRecord[] | undefined;
  /** Object records by token and uid (null: known to be absent), while sync() finds no other writer. */
  private readonly objectCache = new Map<string, ObjectRecord | null>();
  private readonly queries = new Map<string, Statement>();

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.path = path;
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) throw new RangeError('busyTimeoutMs must be a non-negative integer');
    try {
      if (path !== ':memory:') createPrivateFile(path);
      this.db = new Database(path);
    } catch (e) {
      throw new Error(`token store ${path}: cannot open it (${e instanceof Error ? e.message : String(e)})`, { cause: e });
    }
    try {
      this.db.pragma(`busy_timeout = ${busyTimeoutMs}`);
      // Before anything that writes (even journal_mode writes the header):
      // a file from newer code must be left exactly as it is.
      const found = this.schemaVersion();
      if (found > SCHEMA_VERSION) {
        throw new Error(`token store ${path} has schema version ${found}, newer than this cryptoki-ts supports (${SCHEMA_VERSION}); upgrade cryptoki-ts to use it`);
      }
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.pragma('foreign_keys = ON');
      this.migrate();
      this.st = prepareStatements(this.db);
    } catch (e) {
      this.db.close();
      if (e instanceof Error && (e as { code?: string }).code === 'SQLITE_NOTADB') {
        throw new Error(`token store ${path} is not an SQLite database`, { cause: e });
      }
      throw e;
    }
  }

  listTokens(): TokenRecord[] {
    return this.tokens().map(cloneToken);
  }

  getToken(tokenId: string): TokenRecord | undefined {
    const t = this.tokens().find((r) => r.tokenId === tokenId);
    return t && cloneToken(t);
  }

  hasToken(tokenId: string): boolean {
    return this.tokens().some((r) => r.tokenId === tokenId);
  }

  /**
   * The token records, read again only when they may have changed (see
   * sync()). The core asks for its token on every call; reading and parsing
   * the row each time was most of the cost of a small operation.
   */
  private tokens(): readonly TokenRecord[] {
    this.sync();
    this.tokenCache ??= (this.st.listTokens.all() as TokenRow[]).map(tokenFromRow);
    return this.tokenCache;
  }

  /**
   * Forgets the cached token and object records when another connection has
   * committed since we last looked (PRAGMA data_version); write() forgets them
   * after our own commits, which data_version does not count.
   */
  private sync(): void {
    const dataVersion = this.st.dataVersion.get() as number;
    if (dataVersion !== this.seenDataVersion) {
      this.seenDataVersion = dataVersion;
      this.forgetCaches();
    }
  }

  private forgetCaches(): void {
    this.tokenCache = undefined;
    this.objectCache.clear();
  }

  nextSlotId(): number {
    return this.meta('next_slot_id');
  }

  initToken(record: TokenRecord): void {
    this.write(() => {
      const params = {
        tokenId: record.tokenId,
        slotId: record.slotId,
        label: record.label,
        serial: record.serial,
        soFailures: record.soFailures,
        userFailures: record.userFailures,
        ...prefixed('so', pinParams(record.so)),
        ...prefixed('user', pinParams(record.user)),
      };
      if (this.st.tokenExists.get(record.tokenId)) {
        this.st.deleteTokenObjects.run(record.tokenId);
        this.st.replaceToken.run(params);
      } else {
        const holder = this.st.tokenAtSlot.get(record.slotId) as { token_id: string } | undefined;
        // Another process may have taken this slot since nextSlotId() was read.
        if (holder) throw new Error(`slot ${record.slotId} already holds a token`);
        this.st.insertToken.run(params);
        if (record.slotId >= this.meta('next_slot_id')) this.st.setMeta.run(record.slotId + 1, 'next_slot_id');
      }
      this.st.bumpTokensVersion.run();
    });
  }

  restoreToken(record: TokenRecord, objects: NewObjectRecord[]): number {
    return this.write(() => {
      const existing = this.getToken(record.tokenId);
      const holder = this.st.tokenAtSlot.get(record.slotId) as { token_id: string } | undefined;
      const free = !holder || holder.token_id === record.tokenId;
      const slotId = existing?.slotId ?? (free ? record.slotId : this.nextSlotId());
      this.initToken({ ...record, slotId });
      for (const o of objects) this.st.insertObject.run({ tokenId: record.tokenId, ...objectParams(o) });
      return slotId;
    });
  }

  /**
   * A consistent copy of the whole store, taken while it is in use (VACUUM
   * INTO reads one snapshot); with `tokenId`, the copy keeps only that token.
   */
  backupTo(path: string, tokenId?: string): void {
    if (tokenId !== undefined && !this.getToken(tokenId)) throw new Error('no such token');
    // An empty private file first: SQLite writes into it, and an existing backup is never overwritten.
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    try {
      closeSync(openSync(path, 'wx', 0o600));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`${path} exists already; a backup never overwrites a file`);
      throw e;
    }
    this.db.prepare('VACUUM INTO ?').run(path);
    if (tokenId === undefined) return;
    const copy = new SqliteStore(path);
    try {
      for (const t of copy.listTokens()) if (t.tokenId !== tokenId) copy.deleteToken(t.tokenId);
      copy.db.exec('VACUUM');
    } finally {
      copy.close();
    }
  }

  deleteToken(tokenId: string): void {
    this.write(() => {
      // Objects go explicitly too, not only through ON DELETE CASCADE.
      this.st.deleteTokenObjects.run(tokenId);
      if (this.st.deleteToken.run(tokenId).changes > 0) this.st.bumpTokensVersion.run();
    });
  }

  setPins(tokenId: string, pins: { so?: PinRecord; user?: PinRecord | null }): void {
    this.write(() => {
      this.mustToken(tokenId);
      if (pins.so) this.st.setSoPin.run({ tokenId, ...pinParams(pins.so) });
      if (pins.user !== undefined) this.st.setUserPin.run({ tokenId, ...pinParams(pins.user) });
    });
  }

  recordLoginFailure(tokenId: string, role: PinRole): number {
    return this.write(() => {
      const row = (role === 'so' ? this.st.addSoFailure : this.st.addUserFailure).get(tokenId) as { n: number } | undefined;
      if (!row) throw new Error('no such token');
      return row.n;
    });
  }

  resetLoginFailures(tokenId: string, role: PinRole): void {
    this.write(() => {
      const result = (role === 'so' ? this.st.resetSoFailures : this.st.resetUserFailures).run(tokenId);
      if (result.changes === 0) throw new Error('no such token');
    });
  }

  listObjects(tokenId: string, filter: ObjectFilter): ObjectRecord[] {
    const q = objectQuery(tokenId, filter);
    if (!q) return [];
    let stmt = this.queries.get(q.sql);
    if (!stmt) {
      stmt = this.db.prepare(q.sql);
      if (this.queries.size < MAX_CACHED_QUERIES) this.queries.set(q.sql, stmt);
    }
    return (stmt.all(...q.params) as ObjectRow[]).map(objectFromRow);
  }

  getObject(tokenId: string, uid: number): ObjectRecord | undefined {
    this.sync();
    const key = `${tokenId}/${uid}`;
    let rec = this.objectCache.get(key);
    if (rec === undefined) {
      const row = this.st.getObject.get(uid, tokenId) as ObjectRow | undefined;
      rec = row ? objectFromRow(row) : null;
      if (this.objectCache.size >= MAX_CACHED_OBJECTS) this.objectCache.clear();
      this.objectCache.set(key, rec);
    }
    return rec ? { ...rec } : undefined;
  }

  addObject(tokenId: string, record: NewObjectRecord): number {
    return this.write(() => {
      this.mustToken(tokenId);
      return Number(this.st.insertObject.run({ tokenId, ...objectParams(record) }).lastInsertRowid);
    });
  }

  updateObject(tokenId: string, record: ObjectRecord): void {
    this.write(() => {
      const result = this.st.updateObject.run({ tokenId, uid: record.uid, ...objectParams(record) });
      if (result.changes === 0) throw new Error('no such object');
    });
  }

  deleteObject(tokenId: string, uid: number): boolean {
    return this.write(() => this.st.deleteObject.run(uid, tokenId).changes > 0);
  }

  /** Read from the file every time, so that other processes' changes show. */
  tokensVersion(): number {
    return this.meta('tokens_version');
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * Runs fn as one write transaction. IMMEDIATE takes the write lock up front:
   * a deferred transaction that reads and then writes can fail at once with
   * SQLITE_BUSY when another connection wrote in between, busy_timeout or not.
   */
  private write<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn).immediate();
    } finally {
      this.forgetCaches();
    }
  }

  private meta(key: string): number {
    return (this.st.getMeta.get(key) as { value: number }).value;
  }

  private mustToken(tokenId: string): void {
    if (!this.st.tokenExists.get(tokenId)) throw new Error('no such token');
  }

  private schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** Brings the file up to SCHEMA_VERSION, one transaction per step. */
  private migrate(): void {
    const step = this.db.transaction(() => {
      // Read again under the write lock: another process may have migrated first.
      const version = this.schemaVersion();
      if (version >= SCHEMA_VERSION) return false;
      migrations[version](this.db);
      this.db.pragma(`user_version = ${version + 1}`);
      return true;
    });
    while (this.schemaVersion() < SCHEMA_VERSION && step.immediate()) { /* next step */ }
  }
}

function prefixed(prefix: string, params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [prefix + k[0].toUpperCase() + k.slice(1), v]));
}

function objectParams(r: NewObjectRecord): Record<string, unknown> {
  return {
    oid: r.oid,
    cls: r.cls,
    isPrivate: r.isPrivate ? 1 : 0,
    labelIndex: r.labelIndex,
    idIndex: r.idIndex,
    plain: r.plain,
    sealed: r.sealed,
  };
}

/** Makes the parent directories (0700) and the file itself (0600) before SQLite does, less privately. */
function createPrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}

const TOKEN_PIN_COLUMNS = `
  so_salt = @soSalt, so_kdf = @soKdf, so_verifier = @soVerifier, so_wrapped_key = @soWrappedKey,
  user_salt = @userSalt, user_kdf = @userKdf, user_verifier = @userVerifier, user_wrapped_key = @userWrappedKey`;

function prepareStatements(db: DB) {
  return {
    listTokens: db.prepare('SELECT * FROM tokens ORDER BY slot_id'),
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
    tokenExists: db.prepare('SELECT 1 FROM tokens WHERE token_id = ?').pluck(),
    tokenAtSlot: db.prepare('SELECT token_id FROM tokens WHERE slot_id = ?'),
    insertToken: db.prepare(`
      INSERT INTO tokens (token_id, slot_id, label, serial,
        so_salt, so_kdf, so_verifier, so_wrapped_key,
        user_salt, user_kdf, user_verifier, user_wrapped_key, so_failures, user_failures)
      VALUES (@tokenId, @slotId, @label, @serial,
        @soSalt, @soKdf, @soVerifier, @soWrappedKey,
        @userSalt, @userKdf, @userVerifier, @userWrappedKey, @soFailures, @userFailures)`),
    replaceToken: db.prepare(`
      UPDATE tokens SET slot_id = @slotId, label = @label, serial = @serial, ${TOKEN_PIN_COLUMNS},
        so_failures = @soFailures, user_failures = @userFailures
      WHERE token_id = @tokenId`),
    deleteToken: db.prepare('DELETE FROM tokens WHERE token_id = ?'),
    deleteTokenObjects: db.prepare('DELETE FROM objects WHERE token_id = ?'),
    setSoPin: db.prepare(`
      UPDATE tokens SET so_salt = @salt, so_kdf = @kdf, so_verifier = @verifier, so_wrapped_key = @wrappedKey,
        so_failures = 0
      WHERE token_id = @tokenId`),
    setUserPin: db.prepare(`
      UPDATE tokens SET user_salt = @salt, user_kdf = @kdf, user_verifier = @verifier, user_wrapped_key = @wrappedKey,
        user_failures = 0
      WHERE token_id = @tokenId`),
    addSoFailure: db.prepare('UPDATE tokens SET so_failures = so_failures + 1 WHERE token_id = ? RETURNING so_failures AS n'),
    addUserFailure: db.prepare('UPDATE tokens SET user_failures = user_failures + 1 WHERE token_id = ? RETURNING user_failures AS n'),
    resetSoFailures: db.prepare('UPDATE tokens SET so_failures = 0 WHERE token_id = ?'),
    resetUserFailures: db.prepare('UPDATE tokens SET user_failures = 0 WHERE token_id = ?'),
    getObject: db.prepare(`SELECT ${OBJECT_COLUMNS} FROM objects WHERE uid = ? AND token_id = ?`),
    insertObject: db.prepare(`
      INSERT INTO objects (token_id, oid, cls, is_private, label_index, id_index, plain, sealed)
      VALUES (@tokenId, @oid, @cls, @isPrivate, @labelIndex, @idIndex, @plain, @sealed)`),
    updateObject: db.prepare(`
      UPDATE objects SET oid = @oid, cls = @cls, is_private = @isPrivate, label_index = @labelIndex,
        id_index = @idIndex, plain = @plain, sealed = @sealed
      WHERE uid = @uid AND token_id = @tokenId`),
    deleteObject: db.prepare('DELETE FROM objects WHERE uid = ? AND token_id = ?'),
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare('UPDATE meta SET value = ? WHERE key = ?'),
    bumpTokensVersion: db.prepare("UPDATE meta SET value = value + 1 WHERE key = 'tokens_version'"),
  };
}

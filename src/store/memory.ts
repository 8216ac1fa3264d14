import {
  cloneToken, type NewObjectRecord, type ObjectFilter, type ObjectRecord, type PinRecord, type PinRole, type TokenRecord, type TokenStore,
} from './store.js';

/** Tokens that live as long as the process: for tests and throw-away tokens. */
export class MemoryStore implements TokenStore {
  readonly kind = 'memory';
  private tokens = new Map<string, TokenRecord>();
  private objects = new Map<string, Map<number, ObjectRecord>>();
  private slotCounter: number;
  private uidCounter = 1;
  private version = 0;

  constructor(options: { firstSlotId?: number } = {}) {
    this.slotCounter = options.firstSlotId ?? 1;
  }

  listTokens(): TokenRecord[] {
    return [...this.tokens.values()].map(cloneToken).sort((a, b) => a.slotId - b.slotId);
  }

  getToken(tokenId: string): TokenRecord | undefined {
    const t = this.tokens.get(tokenId);
    return t && cloneToken(t);
  }

  hasToken(tokenId: string): boolean {
    return this.tokens.has(tokenId);
  }

  nextSlotId(): number {
    return this.slotCounter;
  }

  initToken(record: TokenRecord): void {
    if (!this.tokens.has(record.tokenId) && record.slotId >= this.slotCounter) this.slotCounter = record.slotId + 1;
    this.tokens.set(record.tokenId, cloneToken(record));
    this.objects.set(record.tokenId, new Map());
    this.version++;
  }

  deleteToken(tokenId: string): void {
    if (this.tokens.delete(tokenId)) this.version++;
    this.objects.delete(tokenId);
  }

  restoreToken(record: TokenRecord, objects: NewObjectRecord[]): number {
    const existing = this.tokens.get(record.tokenId);
    const taken = [...this.tokens.values()].some((t) => t.slotId === record.slotId && t.tokenId !== record.tokenId);
    const slotId = existing?.slotId ?? (taken ? this.slotCounter : record.slotId);
    this.initToken({ ...record, slotId });
    for (const o of objects) this.addObject(record.tokenId, o);
    return slotId;
  }

  setPins(tokenId: string, pins: { so?: PinRecord; user?: PinRecord | null }): void {
    const t = this.mustToken(tokenId);
    if (pins.so) {
      t.so = { ...pins.so };
      t.soFailures = 0;
    }
    if (pins.user !== undefined) {
      t.user = pins.user && { ...pins.user };
      t.userFailures = 0;
    }
  }

  recordLoginFailure(tokenId: string, role: PinRole): number {
    const t = this.mustToken(tokenId);
    return role === 'so' ? ++t.soFailures : ++t.userFailures;
  }

  resetLoginFailures(tokenId: string, role: PinRole): void {
    const t = this.mustToken(tokenId);
    if (role === 'so') t.soFailures = 0;
    else t.userFailures = 0;
  }

  listObjects(tokenId: string, filter: ObjectFilter): ObjectRecord[] {
    const out: ObjectRecord[] = [];
    for (const o of this.objects.get(tokenId)?.values() ?? []) {
      if (!filter.includePrivate && o.isPrivate) continue;
      if (filter.cls !== undefined && o.cls !== filter.cls) continue;
      if (filter.labelIndex && !filter.labelIndex.some((k) => o.labelIndex?.equals(k))) continue;
      if (filter.idIndex && !filter.idIndex.some((k) => o.idIndex?.equals(k))) continue;
      out.push({ ...o });
    }
    return out;
  }

  getObject(tokenId: string, uid: number): ObjectRecord | undefined {
    const o = this.objects.get(tokenId)?.get(uid);
    return o && { ...o };
  }

  addObject(tokenId: string, record: NewObjectRecord): number {
    const objects = this.objects.get(tokenId);
    if (!objects) throw new Error('no such token');
    const uid = this.uidCounter++;
    objects.set(uid, { ...record, uid });
    return uid;
  }

  updateObject(tokenId: string, record: ObjectRecord): void {
    const objects = this.objects.get(tokenId);
    if (!objects?.has(record.uid)) throw new Error('no such object');
    objects.set(record.uid, { ...record });
  }

  deleteObject(tokenId: string, uid: number): boolean {
    return this.objects.get(tokenId)?.delete(uid) ?? false;
  }

  tokensVersion(): number {
    return this.version;
  }

  close(): void {}

  private mustToken(tokenId: string): TokenRecord {
    const t = this.tokens.get(tokenId);
    if (!t) throw new Error('no such token');
    return t;
  }
}

/**
 * Slot event flags of one application (C_WaitForSlotEvent): a slot's flag is
 * set when a token appears in it, goes, or the free slot moves on.
 */
import type { TokenStore } from '../store/store.js';

/** Which token (by tokenId) each slot holds; the free slot holds ''. */
type SlotMap = Map<number, string>;

export class SlotEvents {
  private known: SlotMap = new Map();
  private knownVersion = -1;
  private pending = new Set<number>();

  constructor(private readonly store: TokenStore) {}

  /** Forget everything: C_Initialize clears every flag. */
  reset(): void {
    this.known = this.snapshot();
    this.knownVersion = this.store.tokensVersion();
    this.pending.clear();
  }

  /** Looks at the store and sets the flags of slots that changed since last time. */
  poll(): void {
    const version = this.store.tokensVersion();
    if (version === this.knownVersion) return;
    const now = this.snapshot();
    for (const [slot, token] of now) if (this.known.get(slot) !== token) this.pending.add(slot);
    for (const slot of this.known.keys()) if (!now.has(slot)) this.pending.add(slot);
    this.known = now;
    this.knownVersion = version;
  }

  /** Clears and returns one set flag, if any. */
  take(): number | undefined {
    this.poll();
    const first = this.pending.values().next();
    if (first.done) return undefined;
    this.pending.delete(first.value);
    return first.value;
  }

  private snapshot(): SlotMap {
    const m: SlotMap = new Map();
    for (const t of this.store.listTokens()) m.set(t.slotId, t.tokenId);
    m.set(this.store.nextSlotId(), '');
    return m;
  }
}

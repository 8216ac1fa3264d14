/**
 * An application's objects: session objects in memory, token objects in the
 * store. Here handles are given out, visibility is decided, and token objects
 * are split into a plain part and a part sealed under the token key.
 */
import { randomBytes } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import {
  decodeAttributes, encodeAttributes, valuesEqual, type AttributeMap, type StoredValue,
} from '../pkcs11/attributes.js';
import type { ObjectRecord } from '../store/store.js';
import type { Application, Session } from './application.js';
import { isHidden, isKeyClass, secretAttributeTypes } from './object-policy.js';
import { objectAad, privateIndex, seal, unseal } from './seal.js';

export interface LiveObject {
  handle: number;
  tokenId: string;
  attrs: AttributeMap;
  /** Token objects: where the object is stored. */
  stored?: { uid: number; oid: Buffer };
  /** Session objects: the session that created it. */
  session?: number;
  /** A token object whose sealed part could not be opened (no login): its secret values are absent. */
  locked?: boolean;
}

/** How many decoded token objects an application keeps for reuse. */
const DECODED_CACHE_SIZE = 4096;

/** Attributes a private token object keeps in the clear: what the store needs to filter by. */
const ALWAYS_PLAIN = new Set<number>([K.CKA_CLASS, K.CKA_TOKEN, K.CKA_PRIVATE]);

export class ObjectTable {
  private nextHandle = 1;
  private readonly sessionObjects = new Map<number, LiveObject>();
  private readonly tokenHandles = new Map<string, number>();
  /** Handle -> stored object; whether it is private is kept so that a logout needs no store reads. */
  private readonly tokenRefs = new Map<number, { tokenId: string; uid: number; isPrivate: boolean }>();

  constructor(private readonly app: Application) {}

  /** The object behind a handle, if the session may see it; else `code`. */
  get(session: Session, handle: number, code: number = K.CKR_OBJECT_HANDLE_INVALID): LiveObject {
    let obj: LiveObject | undefined = this.sessionObjects.get(handle);
    if (!obj) {
      const ref = this.tokenRefs.get(handle);
      if (ref) obj = this.load(ref.tokenId, ref.uid, handle);
    }
    if (!obj || obj.tokenId !== session.tokenId || !this.visible(obj)) throw new CKRError(code);
    return obj;
  }

  /**
   * The key behind a handle. Any other object is answered CKR_KEY_HANDLE_INVALID,
   * which the spec defines to cover "a valid handle for an object which is not a key".
   */
  getKey(session: Session, handle: number): LiveObject {
    const obj = this.get(session, handle, K.CKR_KEY_HANDLE_INVALID);
    if (!isKeyClass(obj.attrs.get(K.CKA_CLASS))) throw new CKRError(K.CKR_KEY_HANDLE_INVALID);
    return obj;
  }

  private visible(obj: LiveObject): boolean {
    return obj.attrs.get(K.CKA_PRIVATE) !== true || this.app.loginOf(obj.tokenId)?.role === 'user';
  }

  private load(tokenId: string, uid: number, handle: number): LiveObject | undefined {
    const rec = this.app.store.getObject(tokenId, uid);
    if (!rec) {
      this.tokenRefs.delete(handle);
      this.tokenHandles.delete(`${tokenId}/${uid}`);
      return undefined;
    }
    return this.fromRecord(tokenId, rec, handle);
  }

  /**
   * Decoded token objects, reused while their stored bytes and our login are
   * unchanged: this saves the unsealing, and keeps the attribute Buffers the
   * same objects, so that mechanisms' per-key caches (parsed keys) hit.
   */
  private readonly decoded = new Map<string, { plain: Buffer; sealed: Buffer | null; key: Buffer | undefined; obj: LiveObject }>();

  private fromRecord(tokenId: string, rec: ObjectRecord, handle: number): LiveObject {
    const cacheKey = `${tokenId}/${rec.uid}`;
    const key = this.app.loginOf(tokenId)?.tokenKey;
    const hit = this.decoded.get(cacheKey);
    if (hit && hit.key === key && hit.plain.equals(rec.plain) && (hit.sealed === rec.sealed || (hit.sealed && rec.sealed?.equals(hit.sealed)))) {
      return { ...hit.obj, handle, attrs: new Map(hit.obj.attrs) };
    }
    const obj = this.decodeRecord(tokenId, rec, handle, key);
    this.decoded.delete(cacheKey);
    if (this.decoded.size >= DECODED_CACHE_SIZE) this.decoded.delete(this.decoded.keys().next().value!);
    this.decoded.set(cacheKey, { plain: rec.plain, sealed: rec.sealed, key, obj: { ...obj, attrs: new Map(obj.attrs) } });
    return obj;
  }

  private decodeRecord(tokenId: string, rec: ObjectRecord, handle: number, key: Buffer | undefined): LiveObject {
    const attrs = decode(rec.plain);
    const obj: LiveObject = { handle, tokenId, attrs, stored: { uid: rec.uid, oid: rec.oid } };
    if (rec.sealed) {
      if (!key) {
        obj.locked = true;
      } else {
        const opened = unseal(key, rec.sealed, objectAad(tokenId, rec.oid));
        if (!opened) throw new CKRError(K.CKR_DEVICE_ERROR, 'a stored object failed its integrity check');
        for (const [t, v] of decode(opened)) attrs.set(t, v);
      }
    }
    return obj;
  }

  private handleFor(tokenId: string, uid: number, isPrivate: boolean): number {
    const key = `${tokenId}/${uid}`;
    let h = this.tokenHandles.get(key);
    if (h === undefined) {
      h = this.nextHandle++;
      this.tokenHandles.set(key, h);
      this.tokenRefs.set(h, { tokenId, uid, isPrivate });
    }
    return h;
  }

  /** Stores a new object (checked and completed by the caller) and returns its handle. */
  create(session: Session, attrs: AttributeMap): number {
    attrs.set(K.CKA_UNIQUE_ID, Buffer.from(randomBytes(16).toString('hex')));
    if (attrs.get(K.CKA_TOKEN) !== true) {
      const handle = this.nextHandle++;
      this.sessionObjects.set(handle, { handle, tokenId: session.tokenId, attrs, session: session.handle });
      return handle;
    }
    const oid = randomBytes(16);
    const rec = this.toRecord(session.tokenId, oid, attrs);
    const uid = this.app.store.addObject(session.tokenId, rec);
    return this.handleFor(session.tokenId, uid, rec.isPrivate);
  }

  /** Replaces an object's attributes (already checked by the caller). */
  update(obj: LiveObject, attrs: AttributeMap): void {
    if (obj.stored) {
      if (obj.locked) throw new CKRError(K.CKR_USER_NOT_LOGGED_IN);
      const rec = this.toRecord(obj.tokenId, obj.stored.oid, attrs);
      this.app.store.updateObject(obj.tokenId, { ...rec, uid: obj.stored.uid });
    }
    obj.attrs = attrs;
  }

  destroy(obj: LiveObject): void {
    if (obj.stored) {
      this.app.store.deleteObject(obj.tokenId, obj.stored.uid);
      this.tokenRefs.delete(obj.handle);
      this.tokenHandles.delete(`${obj.tokenId}/${obj.stored.uid}`);
    } else {
      this.sessionObjects.delete(obj.handle);
    }
  }

  /** Handles of every object the session may see that matches the template. */
  find(session: Session, template: AttributeMap): number[] {
    const out: number[] = [];
    const { tokenId } = session;
    const wantToken = template.get(K.CKA_TOKEN);
    if (wantToken !== true) {
      for (const obj of this.sessionObjects.values()) {
        if (obj.tokenId === tokenId && this.visible(obj) && matches(obj.attrs, template)) out.push(obj.handle);
      }
    }
    if (wantToken !== false) {
      const login = this.app.loginOf(tokenId);
      const includePrivate = login?.role === 'user' && template.get(K.CKA_PRIVATE) !== false;
      if (template.get(K.CKA_PRIVATE) === true && !includePrivate) return out;
      const lookup = (what: 'label' | 'id', type: number): Buffer[] | undefined => {
        const v = template.get(type);
        if (!Buffer.isBuffer(v)) return undefined;
        return includePrivate ? [v, privateIndex(login!.tokenKey, what, v)] : [v];
      };
      const cls = template.get(K.CKA_CLASS);
      const records = this.app.store.listObjects(tokenId, {
        includePrivate,
        cls: typeof cls === 'number' ? cls : undefined,
        labelIndex: lookup('label', K.CKA_LABEL),
        idIndex: lookup('id', K.CKA_ID),
      });
      for (const rec of records) {
        const handle = this.handleFor(tokenId, rec.uid, rec.isPrivate);
        const obj = this.fromRecord(tokenId, rec, handle);
        if (this.visible(obj) && matches(obj.attrs, template)) out.push(handle);
      }
    }
    return out;
  }

  dropSessionObjects(sessionHandle: number): void {
    for (const [h, obj] of this.sessionObjects) if (obj.session === sessionHandle) this.sessionObjects.delete(h);
  }

  /** At logout: private session objects die and handles of private token objects stop working. */
  forgetPrivate(tokenId: string): void {
    for (const k of [...this.decoded.keys()]) if (k.startsWith(`${tokenId}/`)) this.decoded.delete(k);
    for (const [h, obj] of this.sessionObjects) {
      if (obj.tokenId === tokenId && obj.attrs.get(K.CKA_PRIVATE) === true) this.sessionObjects.delete(h);
    }
    for (const [h, ref] of this.tokenRefs) {
      if (ref.tokenId === tokenId && ref.isPrivate) {
        this.tokenRefs.delete(h);
        this.tokenHandles.delete(`${tokenId}/${ref.uid}`);
      }
    }
  }

  /** Splits an object into what the store keeps in the clear and what it keeps sealed. */
  private toRecord(tokenId: string, oid: Buffer, attrs: AttributeMap) {
    const isPrivate = attrs.get(K.CKA_PRIVATE) === true;
    const secret = secretAttributeTypes(attrs);
    const plain: [number, StoredValue][] = [];
    const sealed: [number, StoredValue][] = [];
    for (const entry of attrs) {
      const sealIt = isPrivate ? !ALWAYS_PLAIN.has(entry[0]) : secret.has(entry[0]);
      (sealIt ? sealed : plain).push(entry);
    }
    const key = this.app.loginOf(tokenId)?.tokenKey;
    if (sealed.length > 0 && !key) {
      throw new CKRError(K.CKR_USER_NOT_LOGGED_IN, 'key material is stored only sealed under the token key');
    }
    const index = (what: 'label' | 'id', type: number): Buffer | null => {
      const v = attrs.get(type);
      if (!Buffer.isBuffer(v)) return null;
      return isPrivate ? privateIndex(key!, what, v) : v;
    };
    return {
      oid,
      cls: attrs.get(K.CKA_CLASS) as number,
      isPrivate,
      labelIndex: index('label', K.CKA_LABEL),
      idIndex: index('id', K.CKA_ID),
      plain: encodeAttributes(plain),
      sealed: sealed.length > 0 ? seal(key!, encodeAttributes(sealed), objectAad(tokenId, oid)) : null,
    };
  }
}

function decode(buf: Buffer): AttributeMap {
  try {
    return decodeAttributes(buf);
  } catch {
    throw new CKRError(K.CKR_DEVICE_ERROR, 'a stored object is malformed');
  }
}

/**
 * Every template attribute must be present with an equal value. Hidden secret
 * values never match: a search must not confirm a guessed key.
 */
function matches(attrs: AttributeMap, template: AttributeMap): boolean {
  for (const [type, want] of template) {
    const have = attrs.get(type);
    if (have === undefined || !valuesEqual(have, want)) return false;
    if (isHidden(attrs, type)) return false;
  }
  return true;
}

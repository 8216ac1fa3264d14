/** Object management (spec 5.7): create, copy, destroy, attributes, search. */
import * as K from '../../pkcs11/constants.js';
import { CKRError } from '../../pkcs11/error.js';
import {
  encodeAttributes, exportValue, normalizeTemplate, valueLength, type AttributeMap,
} from '../../pkcs11/attributes.js';
import type { CK_ATTRIBUTE } from '../../pkcs11/types.js';
import type { Application, Session } from '../application.js';
import { applyChanges, completeNewObject, isHidden, type CreationContext } from '../object-policy.js';
import type { LiveObject } from '../object-table.js';
import type { Operation } from '../operation.js';

/** Checks that this session may hold an object with these attributes (token objects, private objects). */
export function checkMayHold(app: Application, s: Session, attrs: AttributeMap): void {
  if (attrs.get(K.CKA_TOKEN) === true && !s.rw) throw new CKRError(K.CKR_SESSION_READ_ONLY);
  if (attrs.get(K.CKA_PRIVATE) === true && app.loginOf(s.tokenId)?.role !== 'user') {
    throw new CKRError(K.CKR_USER_NOT_LOGGED_IN);
  }
}

/** Completes, checks and stores a new object; shared by every function that makes objects. */
export function storeNewObject(app: Application, s: Session, template: AttributeMap, ctx: Omit<CreationContext, 'isSO'>): number {
  if (template.get(K.CKA_TOKEN) === true && !s.rw) throw new CKRError(K.CKR_SESSION_READ_ONLY);
  const attrs = completeNewObject(template, {
    ...ctx, isSO: app.loginOf(s.tokenId)?.role === 'so', lenientKeyPolicy: app.lenientKeyPolicy,
  });
  checkMayHold(app, s, attrs);
  return app.objects.create(s, attrs);
}

export function createObject(app: Application, hSession: number, template: CK_ATTRIBUTE[]): number {
  const s = app.session(hSession);
  return storeNewObject(app, s, normalizeTemplate(template), { origin: 'create' });
}

export function copyObject(app: Application, hSession: number, hObject: number, template: CK_ATTRIBUTE[]): number {
  const s = app.session(hSession);
  const obj = app.objects.get(s, hObject);
  const changes = normalizeTemplate(template);
  if (obj.attrs.get(K.CKA_COPYABLE) === false) throw new CKRError(K.CKR_ACTION_PROHIBITED);
  if (obj.locked) throw new CKRError(K.CKR_USER_NOT_LOGGED_IN);
  const attrs = applyChanges(obj.attrs, changes, 'copy', app.loginOf(s.tokenId)?.role === 'so', app.lenientKeyPolicy);
  attrs.delete(K.CKA_UNIQUE_ID);
  checkMayHold(app, s, attrs);
  return app.objects.create(s, attrs);
}

function checkMayChange(s: Session, obj: LiveObject): void {
  if (obj.attrs.get(K.CKA_TOKEN) === true && !s.rw) throw new CKRError(K.CKR_SESSION_READ_ONLY);
}

export function destroyObject(app: Application, hSession: number, hObject: number): void {
  const s = app.session(hSession);
  const obj = app.objects.get(s, hObject);
  checkMayChange(s, obj);
  if (obj.attrs.get(K.CKA_DESTROYABLE) === false) throw new CKRError(K.CKR_ACTION_PROHIBITED);
  app.objects.destroy(obj);
}

/** The size of the object as we store it, in bytes. */
export function getObjectSize(app: Application, hSession: number, hObject: number): number {
  const s = app.session(hSession);
  return encodeAttributes(app.objects.get(s, hObject).attrs).length;
}

/**
 * C_GetAttributeValue as the spec has it: every entry is processed; unknown
 * and hidden attributes get CK_UNAVAILABLE_INFORMATION; a value that does not
 * fit the caller's buffer too. The first such problem is the error thrown,
 * after the whole template was filled in.
 */
export function getAttributeValue(app: Application, hSession: number, hObject: number, template: CK_ATTRIBUTE[]): CK_ATTRIBUTE[] {
  const s = app.session(hSession);
  const obj = app.objects.get(s, hObject);
  if (!Array.isArray(template)) throw new CKRError(K.CKR_ARGUMENTS_BAD);
  let error: number | undefined;
  const fail = (entry: CK_ATTRIBUTE, code: number) => {
    entry.ulValueLen = K.CK_UNAVAILABLE_INFORMATION;
    error ??= code;
  };
  for (const entry of template) {
    if (!entry || typeof entry.type !== 'number') throw new CKRError(K.CKR_ARGUMENTS_BAD);
    const value = obj.attrs.get(entry.type);
    if (isHidden(obj.attrs, entry.type)) {
      fail(entry, K.CKR_ATTRIBUTE_SENSITIVE);
    } else if (value === undefined) {
      fail(entry, obj.locked ? K.CKR_USER_NOT_LOGGED_IN : K.CKR_ATTRIBUTE_TYPE_INVALID);
    } else {
      const length = valueLength(value);
      if (entry.value === null) {
        entry.ulValueLen = length;
      } else if (entry.ulValueLen !== undefined && entry.ulValueLen < length) {
        fail(entry, K.CKR_BUFFER_TOO_SMALL);
      } else {
        entry.value = exportValue(value);
        entry.ulValueLen = length;
      }
    }
  }
  if (error !== undefined) throw new CKRError(error);
  return template;
}

export function setAttributeValue(app: Application, hSession: number, hObject: number, template: CK_ATTRIBUTE[]): void {
  const s = app.session(hSession);
  const obj = app.objects.get(s, hObject);
  const changes = normalizeTemplate(template);
  checkMayChange(s, obj);
  if (obj.attrs.get(K.CKA_MODIFIABLE) === false) throw new CKRError(K.CKR_ACTION_PROHIBITED);
  const next = applyChanges(obj.attrs, changes, 'set', app.loginOf(s.tokenId)?.role === 'so', app.lenientKeyPolicy);
  app.objects.update(obj, next);
}

class FindOperation implements Operation {
  /** A search is not part of the saved cryptographic state. */
  readonly saveState = undefined;
  private position = 0;
  constructor(private readonly handles: number[]) {}
  next(max: number): number[] {
    const out = this.handles.slice(this.position, this.position + max);
    this.position += out.length;
    return out;
  }
}

export function findObjectsInit(app: Application, hSession: number, template: CK_ATTRIBUTE[] = []): void {
  const s = app.session(hSession);
  if (s.operations.has('find')) throw new CKRError(K.CKR_OPERATION_ACTIVE);
  const wanted = normalizeTemplate(template);
  s.begin('find', new FindOperation(app.objects.find(s, wanted)));
}

export function findObjects(app: Application, hSession: number, maxObjectCount: number): number[] {
  const s = app.session(hSession);
  const op = s.operation<FindOperation>('find');
  if (!Number.isInteger(maxObjectCount) || maxObjectCount < 0) throw new CKRError(K.CKR_ARGUMENTS_BAD);
  return op.next(maxObjectCount);
}

export function findObjectsFinal(app: Application, hSession: number): void {
  const s = app.session(hSession);
  s.operation('find');
  s.end('find');
}

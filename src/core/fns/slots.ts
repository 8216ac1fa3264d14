/**
 * Slot and token management (spec 5.5). Every initialised token sits in its
 * own slot with a stable ID; one more slot always holds an uninitialised token,
 * from which C_InitToken makes the next one.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleepAsync } from 'node:timers/promises';
import * as K from '../../pkcs11/constants.js';
import { CKRError } from '../../pkcs11/error.js';
import type { CK_MECHANISM_INFO, CK_SLOT_INFO, CK_TOKEN_INFO, OutputCapacity, Pin } from '../../pkcs11/types.js';
import type { TokenRecord } from '../../store/store.js';
import { mechanismInfo, mechanismList } from '../../mechanisms/index.js';
import { sessionsOpenOn, type Application } from '../application.js';
import { deliverList, padded } from '../output.js';
import { makePinRecord } from '../pin.js';
import { checkPinLength, pinBytes, verifyPin } from '../pin-checks.js';
import { LIBRARY_VERSION, MANUFACTURER } from './general.js';

function slotIds(app: Application): number[] {
  return [...app.store.listTokens().map((t) => t.slotId), app.store.nextSlotId()];
}

export function getSlotList(app: Application, tokenPresent: boolean, capacity?: OutputCapacity): number[] | number {
  app.requireInitialized();
  // Every slot holds a token (the free slot an uninitialised one), so tokenPresent filters nothing.
  void tokenPresent;
  return deliverList(slotIds(app), capacity);
}

function requireSlot(app: Application, slotId: number): TokenRecord | undefined {
  app.requireInitialized();
  const token = app.store.listTokens().find((t) => t.slotId === slotId);
  if (!token && slotId !== app.store.nextSlotId()) throw new CKRError(K.CKR_SLOT_ID_INVALID);
  return token;
}

export function getSlotInfo(app: Application, slotId: number): CK_SLOT_INFO {
  const token = requireSlot(app, slotId);
  return {
    slotDescription: padded(token ? `cryptoki-ts slot ${slotId}` : 'cryptoki-ts slot (free)', 64),
    manufacturerID: padded(MANUFACTURER, 32),
    flags: K.CKF_TOKEN_PRESENT,
    hardwareVersion: { ...LIBRARY_VERSION },
    firmwareVersion: { ...LIBRARY_VERSION },
  };
}

/** CKF_*_PIN_COUNT_LOW / FINAL_TRY / LOCKED for one role. */
function pinCountFlags(failures: number, limit: number, low: number, finalTry: number, locked: number): number {
  if (failures >= limit) return locked;
  let flags = failures > 0 ? low : 0;
  if (failures === limit - 1) flags |= finalTry;
  return flags;
}

function utcTime(): string {
  const d = new Date().toISOString();
  return d.slice(0, 4) + d.slice(5, 7) + d.slice(8, 10) + d.slice(11, 13) + d.slice(14, 16) + d.slice(17, 19) + '00';
}

export function getTokenInfo(app: Application, slotId: number): CK_TOKEN_INFO {
  const token = requireSlot(app, slotId);
  let flags = K.CKF_RNG | K.CKF_LOGIN_REQUIRED | K.CKF_CLOCK_ON_TOKEN;
  let sessions = 0;
  let rwSessions = 0;
  if (token) {
    flags |= K.CKF_TOKEN_INITIALIZED;
    if (token.user) flags |= K.CKF_USER_PIN_INITIALIZED;
    flags |= pinCountFlags(token.userFailures, app.pinRetryLimit, K.CKF_USER_PIN_COUNT_LOW, K.CKF_USER_PIN_FINAL_TRY, K.CKF_USER_PIN_LOCKED);
    flags |= pinCountFlags(token.soFailures, app.pinRetryLimit, K.CKF_SO_PIN_COUNT_LOW, K.CKF_SO_PIN_FINAL_TRY, K.CKF_SO_PIN_LOCKED);
    const mine = app.sessionsOn(token.tokenId);
    sessions = mine.length;
    rwSessions = mine.filter((s) => s.rw).length;
  }
  return {
    label: token ? token.label : padded('', 32),
    manufacturerID: padded(MANUFACTURER, 32),
    model: padded('software token', 16),
    serialNumber: padded(token?.serial ?? '', 16),
    flags,
    ulMaxSessionCount: K.CK_EFFECTIVELY_INFINITE,
    ulSessionCount: sessions,
    ulMaxRwSessionCount: K.CK_EFFECTIVELY_INFINITE,
    ulRwSessionCount: rwSessions,
    ulMaxPinLen: app.maxPinLength,
    ulMinPinLen: app.minPinLength,
    ulTotalPublicMemory: K.CK_UNAVAILABLE_INFORMATION,
    ulFreePublicMemory: K.CK_UNAVAILABLE_INFORMATION,
    ulTotalPrivateMemory: K.CK_UNAVAILABLE_INFORMATION,
    ulFreePrivateMemory: K.CK_UNAVAILABLE_INFORMATION,
    hardwareVersion: { ...LIBRARY_VERSION },
    firmwareVersion: { ...LIBRARY_VERSION },
    utcTime: utcTime(),
  };
}

// Mechanisms are a property of the kind of token, so the free slot answers too.
export function getMechanismList(app: Application, slotId: number, capacity?: OutputCapacity): number[] | number {
  requireSlot(app, slotId);
  return deliverList(mechanismList(), capacity);
}

export function getMechanismInfo(app: Application, slotId: number, type: number): CK_MECHANISM_INFO {
  requireSlot(app, slotId);
  return mechanismInfo(type);
}

function tokenLabel(label: string | Uint8Array): string {
  const bytes = typeof label === 'string' ? Buffer.from(label, 'utf8') : Buffer.from(label);
  if (bytes.length > 32) throw new CKRError(K.CKR_ARGUMENTS_BAD, 'a token label has at most 32 bytes');
  return padded(bytes.toString('utf8'), 32);
}

/**
 * C_InitToken: makes the free slot's token, or re-initialises a token (SO PIN
 * required, every object destroyed, the user PIN cleared).
 */
export function initToken(app: Application, slotId: number, pin: Pin, label: string | Uint8Array): void {
  const existing = requireSlot(app, slotId);
  const so = pinBytes(pin);
  const padLabel = tokenLabel(label);
  if (existing) {
    if (sessionsOpenOn(app.store, existing.tokenId) > 0) throw new CKRError(K.CKR_SESSION_EXISTS);
    verifyPin(app, existing, 'so', so);
  }
  checkPinLength(app, so);
  const tokenKey = randomBytes(32);
  app.store.initToken({
    tokenId: existing?.tokenId ?? randomBytes(16).toString('hex'),
    slotId: existing?.slotId ?? app.store.nextSlotId(),
    label: padLabel,
    serial: existing?.serial ?? randomBytes(8).toString('hex'),
    so: makePinRecord(so, tokenKey, app.kdf),
    user: null,
    soFailures: 0,
    userFailures: 0,
  });
  tokenKey.fill(0);
}

/** CKF_DONT_BLOCK answers at once; otherwise waits, looking at the store every slotEventPollMs. */
export function waitForSlotEvent(app: Application, flags: number): number {
  app.requireInitialized();
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    const slot = app.slotEvents.take();
    if (slot !== undefined) return slot;
    if (flags & K.CKF_DONT_BLOCK) throw new CKRError(K.CKR_NO_EVENT);
    // A synchronous API has to block its thread; Atomics.wait sleeps without spinning.
    Atomics.wait(sleeper, 0, 0, app.slotEventPollMs);
    if (!app.initialized) throw new CKRError(K.CKR_CRYPTOKI_NOT_INITIALIZED);
  }
}

/** The same wait without blocking the event loop, for Node programs. */
export async function waitForSlotEventAsync(app: Application, signal?: AbortSignal): Promise<number> {
  app.requireInitialized();
  for (;;) {
    const slot = app.slotEvents.take();
    if (slot !== undefined) return slot;
    await sleepAsync(app.slotEventPollMs, undefined, { signal });
    if (!app.initialized) throw new CKRError(K.CKR_CRYPTOKI_NOT_INITIALIZED);
  }
}

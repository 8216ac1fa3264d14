/** General-purpose functions (spec 5.4): C_Initialize, C_Finalize, C_GetInfo, interfaces. */
import * as K from '../../pkcs11/constants.js';
import { CKRError } from '../../pkcs11/error.js';
import { FUNCTIONS_2_40, FUNCTIONS_3_0, FUNCTIONS_3_2 } from '../../pkcs11/functions.js';
import type { CK_C_INITIALIZE_ARGS, CK_INFO, CK_INTERFACE, CK_VERSION } from '../../pkcs11/types.js';
import type { Application } from '../application.js';
import { padded } from '../output.js';

export const MANUFACTURER = 'cryptoki-ts';
export const LIBRARY_VERSION: CK_VERSION = { major: 0, minor: 1 };

export function initialize(app: Application, args?: CK_C_INITIALIZE_ARGS | null): void {
  if (args !== undefined && args !== null) {
    if (typeof args !== 'object') throw new CKRError(K.CKR_ARGUMENTS_BAD);
    if (args.pReserved !== undefined && args.pReserved !== null) throw new CKRError(K.CKR_ARGUMENTS_BAD);
    const mutexFns = [args.CreateMutex, args.DestroyMutex, args.LockMutex, args.UnlockMutex];
    const given = mutexFns.filter((f) => f !== undefined && f !== null).length;
    // All four or none, as the spec requires; we never need them (no shared state across threads).
    if (given !== 0 && given !== 4) throw new CKRError(K.CKR_ARGUMENTS_BAD);
    if (args.flags !== undefined && (typeof args.flags !== 'number' || !Number.isInteger(args.flags) || args.flags < 0)) {
      throw new CKRError(K.CKR_ARGUMENTS_BAD);
    }
  }
  if (app.initialized) throw new CKRError(K.CKR_CRYPTOKI_ALREADY_INITIALIZED);
  app.initialized = true;
  app.slotEvents.reset();
}

export function finalize(app: Application, reserved?: unknown): void {
  app.requireInitialized();
  if (reserved !== undefined && reserved !== null) throw new CKRError(K.CKR_ARGUMENTS_BAD);
  app.finalize();
}

export function getInfo(app: Application): CK_INFO {
  app.requireInitialized();
  return {
    cryptokiVersion: { major: 3, minor: 2 },
    manufacturerID: padded(MANUFACTURER, 32),
    flags: 0,
    libraryDescription: padded('cryptoki-ts software token', 32),
    libraryVersion: { ...LIBRARY_VERSION },
  };
}

const INTERFACE_NAME = 'PKCS 11';

/** The function tables we offer, newest first; the first is the default interface. */
export const INTERFACES: readonly CK_INTERFACE[] = [
  { pInterfaceName: INTERFACE_NAME, version: { major: 3, minor: 2 }, functions: FUNCTIONS_3_2, flags: 0 },
  { pInterfaceName: INTERFACE_NAME, version: { major: 3, minor: 0 }, functions: FUNCTIONS_3_0, flags: 0 },
  { pInterfaceName: INTERFACE_NAME, version: { major: 2, minor: 40 }, functions: FUNCTIONS_2_40, flags: 0 },
];

function copyInterface(i: CK_INTERFACE): CK_INTERFACE {
  return { ...i, version: { ...i.version } };
}

export function getInterfaceList(): CK_INTERFACE[] {
  return INTERFACES.map(copyInterface);
}

/**
 * The interface of that name and version (either may be left out: then the
 * default name, or the newest version). Asking for flags we do not offer, such
 * as CKF_INTERFACE_FORK_SAFE, finds nothing.
 */
export function getInterface(name?: string | null, version?: CK_VERSION | null, flags = 0): CK_INTERFACE {
  const found = INTERFACES.find(
    (i) =>
      (name === undefined || name === null || name === i.pInterfaceName) &&
      (!version || (version.major === i.version.major && version.minor === i.version.minor)) &&
      (i.flags & flags) === flags,
  );
  if (!found) throw new CKRError(K.CKR_ARGUMENTS_BAD, 'no such interface');
  return copyInterface(found);
}

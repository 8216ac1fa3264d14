/**
 * The PKCS#11 data types as TypeScript sees them. Numbers stand for CK_ULONG
 * (CK_UNAVAILABLE_INFORMATION, ~0 in C, is -1 here), booleans for CK_BBOOL,
 * Buffers for byte arrays and strings (RFC 2279 strings, CK_DATE).
 */

/** An attribute value as the API accepts it on input. */
export type AttributeValue = number | boolean | Buffer | Uint8Array | string | number[] | CK_ATTRIBUTE[];

/**
 * One entry of a template. For C_CreateObject and friends `value` carries the
 * value. For C_GetAttributeValue `value: null` asks for the length only (pValue
 * NULL in C); `ulValueLen`, if given, is the caller's buffer size in bytes; on
 * return `ulValueLen` holds the length or CK_UNAVAILABLE_INFORMATION (-1).
 */
export interface CK_ATTRIBUTE {
  type: number;
  value?: AttributeValue | null;
  ulValueLen?: number;
}

export interface CK_MECHANISM {
  mechanism: number;
  /** Mechanism parameter: raw bytes, or a parameter object defined by the mechanism. */
  parameter?: unknown;
}

export interface CK_VERSION { major: number; minor: number }

export interface CK_INFO {
  cryptokiVersion: CK_VERSION;
  manufacturerID: string;
  flags: number;
  libraryDescription: string;
  libraryVersion: CK_VERSION;
}

export interface CK_SLOT_INFO {
  slotDescription: string;
  manufacturerID: string;
  flags: number;
  hardwareVersion: CK_VERSION;
  firmwareVersion: CK_VERSION;
}

export interface CK_TOKEN_INFO {
  label: string;
  manufacturerID: string;
  model: string;
  serialNumber: string;
  flags: number;
  ulMaxSessionCount: number;
  ulSessionCount: number;
  ulMaxRwSessionCount: number;
  ulRwSessionCount: number;
  ulMaxPinLen: number;
  ulMinPinLen: number;
  ulTotalPublicMemory: number;
  ulFreePublicMemory: number;
  ulTotalPrivateMemory: number;
  ulFreePrivateMemory: number;
  hardwareVersion: CK_VERSION;
  firmwareVersion: CK_VERSION;
  utcTime: string;
}

export interface CK_SESSION_INFO {
  slotID: number;
  state: number;
  flags: number;
  ulDeviceError: number;
}

export interface CK_MECHANISM_INFO {
  ulMinKeySize: number;
  ulMaxKeySize: number;
  flags: number;
}

export interface CK_C_INITIALIZE_ARGS {
  flags?: number;
  CreateMutex?: unknown;
  DestroyMutex?: unknown;
  LockMutex?: unknown;
  UnlockMutex?: unknown;
  pReserved?: unknown;
}

/** A function table of one interface: the function names it offers, in table order. */
export interface CK_INTERFACE {
  pInterfaceName: string;
  version: CK_VERSION;
  functions: readonly string[];
  flags: number;
}

/** A PIN as the API takes it: UTF-8 text or its bytes. */
export type Pin = string | Buffer | Uint8Array;

/**
 * A C output array: `null` asks for the count only (pointer NULL in C);
 * a number is the capacity of the caller's array.
 */
export type OutputCapacity = number | null;

/**
 * The info structs as pkcs11js returns them: its key names and order, CK_ULONG
 * counts as uint32 (so CK_UNAVAILABLE_INFORMATION reads 4294967295), memory
 * sizes as bigint, slot IDs as 8-byte Buffers.
 */
import type { CK_INFO, CK_MECHANISM_INFO, CK_SESSION_INFO, CK_SLOT_INFO, CK_TOKEN_INFO, CK_VERSION } from '../pkcs11/types.js';
import { handleToBuffer } from './handles.js';

const u32 = (n: number): number => n >>> 0;
const u64 = (n: number): bigint => (n < 0 ? 0xffff_ffff_ffff_ffffn : BigInt(n));
const version = (v: CK_VERSION) => ({ major: v.major, minor: v.minor });

export function moduleInfo(i: CK_INFO) {
  return {
    cryptokiVersion: version(i.cryptokiVersion),
    manufacturerID: i.manufacturerID,
    flags: u32(i.flags),
    libraryDescription: i.libraryDescription,
    libraryVersion: version(i.libraryVersion),
  };
}

export function slotInfo(i: CK_SLOT_INFO) {
  return {
    slotDescription: i.slotDescription,
    manufacturerID: i.manufacturerID,
    flags: u32(i.flags),
    hardwareVersion: version(i.hardwareVersion),
    firmwareVersion: version(i.firmwareVersion),
  };
}

export function tokenInfo(i: CK_TOKEN_INFO) {
  return {
    label: i.label,
    manufacturerID: i.manufacturerID,
    model: i.model,
    serialNumber: i.serialNumber,
    flags: u32(i.flags),
    maxSessionCount: u32(i.ulMaxSessionCount),
    sessionCount: u32(i.ulSessionCount),
    maxRwSessionCount: u32(i.ulMaxRwSessionCount),
    rwSessionCount: u32(i.ulRwSessionCount),
    maxPinLen: u32(i.ulMaxPinLen),
    minPinLen: u32(i.ulMinPinLen),
    hardwareVersion: version(i.hardwareVersion),
    firmwareVersion: version(i.firmwareVersion),
    utcTime: i.utcTime,
    totalPublicMemory: u64(i.ulTotalPublicMemory),
    freePublicMemory: u64(i.ulFreePublicMemory),
    totalPrivateMemory: u64(i.ulTotalPrivateMemory),
    freePrivateMemory: u64(i.ulFreePrivateMemory),
  };
}

export function mechanismInfo(i: CK_MECHANISM_INFO) {
  return { minKeySize: u32(i.ulMinKeySize), maxKeySize: u32(i.ulMaxKeySize), flags: u32(i.flags) };
}

export function sessionInfo(i: CK_SESSION_INFO) {
  return { slotID: handleToBuffer(i.slotID), state: u32(i.state), flags: u32(i.flags), deviceError: u32(i.ulDeviceError) };
}

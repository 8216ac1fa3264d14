/**
 * The TypeScript face of the PKCS11 class: the methods pkcs11js 2.1 declares,
 * with its argument forms (handles are 8-byte Buffers, templates are lists of
 * {type, value}, outputs go to the caller's Buffer and come back cut to length).
 */
export type Handle = Buffer;
export interface Version { major: number; minor: number }
export interface Attribute { type: number; value?: number | boolean | string | Buffer | Date | null }
export type Template = Attribute[];
export interface AttributeResult { type: number; value: Buffer }
export interface Mechanism { mechanism: number; parameter?: Buffer | number | ({ type: number } & Record<string, unknown>) | null }
export interface KeyPair { privateKey: Handle; publicKey: Handle }
export interface InitializationOptions { libraryParameters?: string; flags?: number }
export interface ModuleInfo { cryptokiVersion: Version; manufacturerID: string; flags: number; libraryDescription: string; libraryVersion: Version }
export interface SlotInfo { slotDescription: string; manufacturerID: string; flags: number; hardwareVersion: Version; firmwareVersion: Version }
export interface TokenInfo {
  label: string; manufacturerID: string; model: string; serialNumber: string; flags: number;
  maxSessionCount: number; sessionCount: number; maxRwSessionCount: number; rwSessionCount: number;
  maxPinLen: number; minPinLen: number; hardwareVersion: Version; firmwareVersion: Version; utcTime: string;
  totalPublicMemory: bigint; freePublicMemory: bigint; totalPrivateMemory: bigint; freePrivateMemory: bigint;
}
export interface MechanismInfo { minKeySize: number; maxKeySize: number; flags: number }
export interface SessionInfo { slotID: Handle; state: number; flags: number; deviceError: number }

type Cb<T> = (error: Error | null, result: T) => void;

/** A function with an output buffer and the callback and promise forms. */
interface WithOutput<In extends unknown[]> {
  (...args: [...In, Buffer]): Buffer;
  (...args: [...In, Buffer, Cb<Buffer>]): void;
}

export interface Pkcs11Api {
  C_Initialize(options?: InitializationOptions): void;
  C_Finalize(): void;
  C_GetInfo(): ModuleInfo;
  C_GetSlotList(tokenPresent?: boolean): Handle[];
  C_GetSlotInfo(slot: Handle): SlotInfo;
  C_GetTokenInfo(slot: Handle): TokenInfo;
  C_GetMechanismList(slot: Handle): number[];
  C_GetMechanismInfo(slot: Handle, mech: number): MechanismInfo;
  C_InitToken(slot: Handle, pin: string, label: string): string;
  C_InitPIN(session: Handle, pin: string): void;
  C_SetPIN(session: Handle, oldPin: string, newPin: string): void;
  C_OpenSession(slot: Handle, flags: number): Handle;
  C_CloseSession(session: Handle): void;
  C_CloseAllSessions(slot: Handle): void;
  C_GetSessionInfo(session: Handle): SessionInfo;
  C_GetOperationState(session: Handle): Buffer;
  C_SetOperationState(session: Handle, state: Buffer, encryptionKey: Handle, authenticationKey: Handle): void;
  C_Login(session: Handle, userType: number, pin: string): void;
  C_Logout(session: Handle): void;
  C_SeedRandom(session: Handle, seed: Buffer): void;
  C_GenerateRandom(session: Handle, buffer: Buffer): Buffer;
  C_CreateObject(session: Handle, template: Template): Handle;
  C_CopyObject(session: Handle, object: Handle, template: Template): Handle;
  C_DestroyObject(session: Handle, object: Handle): void;
  C_GetObjectSize(session: Handle, object: Handle): number;
  C_GetAttributeValue(session: Handle, object: Handle, template: Template): AttributeResult[];
  C_SetAttributeValue(session: Handle, object: Handle, template: Template): void;
  C_FindObjectsInit(session: Handle, template: Template): void;
  C_FindObjects(session: Handle, maxObjectCount: number): Handle[];
  C_FindObjects(session: Handle): Handle | null;
  C_FindObjectsFinal(session: Handle): void;

  C_EncryptInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  C_Encrypt: WithOutput<[session: Handle, data: Buffer]>;
  C_EncryptAsync(session: Handle, data: Buffer, out: Buffer): Promise<Buffer>;
  C_EncryptUpdate(session: Handle, data: Buffer, out: Buffer): Buffer;
  C_EncryptFinal: WithOutput<[session: Handle]>;
  C_EncryptFinalAsync(session: Handle, out: Buffer): Promise<Buffer>;
  C_DecryptInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  C_Decrypt: WithOutput<[session: Handle, data: Buffer]>;
  C_DecryptAsync(session: Handle, data: Buffer, out: Buffer): Promise<Buffer>;
  C_DecryptUpdate(session: Handle, data: Buffer, out: Buffer): Buffer;
  C_DecryptFinal: WithOutput<[session: Handle]>;
  C_DecryptFinalAsync(session: Handle, out: Buffer): Promise<Buffer>;
  C_DigestInit(session: Handle, mechanism: Mechanism): void;
  C_Digest: WithOutput<[session: Handle, data: Buffer]>;
  C_DigestAsync(session: Handle, data: Buffer, out: Buffer): Promise<Buffer>;
  C_DigestUpdate(session: Handle, data: Buffer): void;
  C_DigestKey(session: Handle, key: Handle): void;
  C_DigestFinal: WithOutput<[session: Handle]>;
  C_DigestFinalCallback(session: Handle, out: Buffer, cb: Cb<Buffer>): void;
  C_DigestFinalAsync(session: Handle, out: Buffer): Promise<Buffer>;
  C_SignInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  C_Sign: WithOutput<[session: Handle, data: Buffer]>;
  C_SignAsync(session: Handle, data: Buffer, out: Buffer): Promise<Buffer>;
  C_SignUpdate(session: Handle, data: Buffer): void;
  C_SignFinal: WithOutput<[session: Handle]>;
  C_SignFinalAsync(session: Handle, out: Buffer): Promise<Buffer>;
  C_SignRecoverInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  C_SignRecover(session: Handle, data: Buffer, out: Buffer): Buffer;
  C_VerifyInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  C_Verify(session: Handle, data: Buffer, signature: Buffer): boolean;
  C_Verify(session: Handle, data: Buffer, signature: Buffer, cb: Cb<boolean>): void;
  C_VerifyAsync(session: Handle, data: Buffer, signature: Buffer): Promise<boolean>;
  C_VerifyUpdate(session: Handle, data: Buffer): void;
  C_VerifyFinal(session: Handle, signature: Buffer): boolean;
  C_VerifyFinal(session: Handle, signature: Buffer, cb: Cb<boolean>): void;
  C_VerifyFinalAsync(session: Handle, signature: Buffer): Promise<boolean>;
  C_VerifyRecoverInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  C_VerifyRecover(session: Handle, signature: Buffer, out: Buffer): Buffer;

  C_DigestEncryptUpdate: WithOutput<[session: Handle, data: Buffer]>;
  C_DigestEncryptUpdateAsync(session: Handle, data: Buffer, out: Buffer): Promise<Buffer>;
  C_DecryptDigestUpdate: WithOutput<[session: Handle, data: Buffer]>;
  C_DecryptDigestUpdateAsync(session: Handle, data: Buffer, out: Buffer): Promise<Buffer>;
  C_SignEncryptUpdate: WithOutput<[session: Handle, data: Buffer]>;
  C_SignEncryptUpdateAsync(session: Handle, data: Buffer, out: Buffer): Promise<Buffer>;
  C_DecryptVerifyUpdate: WithOutput<[session: Handle, data: Buffer]>;
  C_DecryptVerifyUpdateAsync(session: Handle, data: Buffer, out: Buffer): Promise<Buffer>;

  C_GenerateKey(session: Handle, mechanism: Mechanism, template: Template): Handle;
  C_GenerateKey(session: Handle, mechanism: Mechanism, template: Template, cb: Cb<Handle>): void;
  C_GenerateKeyAsync(session: Handle, mechanism: Mechanism, template: Template): Promise<Handle>;
  C_GenerateKeyPair(session: Handle, mechanism: Mechanism, publicTemplate: Template, privateTemplate: Template): KeyPair;
  C_GenerateKeyPair(session: Handle, mechanism: Mechanism, publicTemplate: Template, privateTemplate: Template, cb: Cb<KeyPair>): void;
  C_GenerateKeyPairAsync(session: Handle, mechanism: Mechanism, publicTemplate: Template, privateTemplate: Template): Promise<KeyPair>;
  C_WrapKey(session: Handle, mechanism: Mechanism, wrappingKey: Handle, key: Handle, out: Buffer): Buffer;
  C_WrapKey(session: Handle, mechanism: Mechanism, wrappingKey: Handle, key: Handle, out: Buffer, cb: Cb<Buffer>): void;
  C_WrapKeyAsync(session: Handle, mechanism: Mechanism, wrappingKey: Handle, key: Handle, out: Buffer): Promise<Buffer>;
  C_UnwrapKey(session: Handle, mechanism: Mechanism, unwrappingKey: Handle, wrapped: Buffer, template: Template): Handle;
  C_UnwrapKey(session: Handle, mechanism: Mechanism, unwrappingKey: Handle, wrapped: Buffer, template: Template, cb: Cb<Handle>): void;
  C_UnwrapKeyAsync(session: Handle, mechanism: Mechanism, unwrappingKey: Handle, wrapped: Buffer, template: Template): Promise<Handle>;
  C_DeriveKey(session: Handle, mechanism: Mechanism, baseKey: Handle, template: Template): Handle;
  C_DeriveKey(session: Handle, mechanism: Mechanism, baseKey: Handle, template: Template, cb: Cb<Handle>): void;
  C_DeriveKeyAsync(session: Handle, mechanism: Mechanism, baseKey: Handle, template: Template): Promise<Handle>;
  C_WaitForSlotEvent(flags: number): Handle | null;
}

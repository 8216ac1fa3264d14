/**
 * The Cryptoki API object: the 104 functions of the PKCS#11 3.2 function list,
 * under their spec names. Each instance is one application (as a process that
 * loaded the module); each method delegates to its function group in fns/.
 *
 * Conventions: a non-OK return value is thrown as CKRError. Outputs follow the
 * spec's section 5.2 in TypeScript form: leave the output argument out to get
 * the result, pass null for a length query, pass a Buffer (or a capacity) to
 * have it filled or get CKR_BUFFER_TOO_SMALL (a BufferTooSmallError that says
 * the size needed).
 */
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import { FUNCTIONS_3_2 } from '../pkcs11/functions.js';
import type {
  CK_ATTRIBUTE, CK_C_INITIALIZE_ARGS, CK_INFO, CK_INTERFACE, CK_MECHANISM, CK_MECHANISM_INFO, CK_SESSION_INFO,
  CK_SLOT_INFO, CK_TOKEN_INFO, CK_VERSION, Pin,
} from '../pkcs11/types.js';
import { MemoryStore } from '../store/memory.js';
import { Application, type CryptokiOptions } from './application.js';
import * as crypto from './fns/crypto.js';
import * as digestFns from './fns/digest.js';
import * as keys from './fns/keys.js';
import * as message from './fns/message.js';
import * as general from './fns/general.js';
import * as objects from './fns/objects.js';
import * as random from './fns/random.js';
import * as sessions from './fns/sessions.js';
import * as slots from './fns/slots.js';

type Out = Buffer | null;

/**
 * Whatever goes wrong below a function (a storage error, a bug) reaches the
 * caller as a CKR code, never as another exception; the cause is kept for
 * debugging but its text is not shown, as it might carry data.
 */
function guardFunctions(p11: Cryptoki): void {
  const table = p11 as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of FUNCTIONS_3_2) {
    const fn = table[name]!;
    table[name] = function guarded(this: unknown, ...args: unknown[]) {
      try {
        return fn.apply(this, args);
      } catch (e) {
        if (e instanceof CKRError) throw e;
        const storage = e instanceof Error && (e.name === 'SqliteError' || /^no such (token|object)/.test(e.message));
        throw new CKRError(storage ? K.CKR_DEVICE_ERROR : K.CKR_GENERAL_ERROR, storage ? 'the token store failed' : 'internal error', { cause: e });
      }
    };
  }
}

export class Cryptoki {
  /** The application state behind this API object (for the RPC server and tests). */
  readonly app: Application;

  constructor(options: CryptokiOptions = {}) {
    this.app = new Application(options.store ?? new MemoryStore(), options);
    guardFunctions(this);
  }

  // ---- general purpose ----------------------------------------------------
  C_Initialize(args?: CK_C_INITIALIZE_ARGS | null): void { general.initialize(this.app, args); }
  C_Finalize(reserved?: unknown): void { general.finalize(this.app, reserved); }
  C_GetInfo(): CK_INFO { return general.getInfo(this.app); }
  /** The 2.40 function table (what C_GetFunctionList hands a C caller). */
  C_GetFunctionList(): CK_INTERFACE { return general.getInterface(null, { major: 2, minor: 40 }); }
  C_GetInterfaceList(): CK_INTERFACE[] { return general.getInterfaceList(); }
  C_GetInterface(name?: string | null, version?: CK_VERSION | null, flags?: number): CK_INTERFACE {
    return general.getInterface(name, version, flags);
  }

  // ---- slots and tokens ---------------------------------------------------
  C_GetSlotList(tokenPresent: boolean): number[];
  C_GetSlotList(tokenPresent: boolean, capacity: null): number;
  C_GetSlotList(tokenPresent: boolean, capacity: number): number[];
  C_GetSlotList(tokenPresent: boolean, capacity?: number | null): number[] | number {
    return slots.getSlotList(this.app, tokenPresent, capacity);
  }
  C_GetSlotInfo(slotID: number): CK_SLOT_INFO { return slots.getSlotInfo(this.app, slotID); }
  C_GetTokenInfo(slotID: number): CK_TOKEN_INFO { return slots.getTokenInfo(this.app, slotID); }
  /** Blocks the thread unless CKF_DONT_BLOCK is given; see C_WaitForSlotEventAsync for the event loop. */
  C_WaitForSlotEvent(flags: number, reserved?: unknown): number {
    this.app.requireInitialized();
    if (reserved !== undefined && reserved !== null) throw new CKRError(K.CKR_ARGUMENTS_BAD);
    return slots.waitForSlotEvent(this.app, flags);
  }
  /** Not in the C API: C_WaitForSlotEvent for Node programs, without blocking the event loop. */
  C_WaitForSlotEventAsync(signal?: AbortSignal): Promise<number> { return slots.waitForSlotEventAsync(this.app, signal); }
  C_GetMechanismList(slotID: number): number[];
  C_GetMechanismList(slotID: number, capacity: null): number;
  C_GetMechanismList(slotID: number, capacity: number): number[];
  C_GetMechanismList(slotID: number, capacity?: number | null): number[] | number {
    return slots.getMechanismList(this.app, slotID, capacity);
  }
  C_GetMechanismInfo(slotID: number, type: number): CK_MECHANISM_INFO { return slots.getMechanismInfo(this.app, slotID, type); }
  C_InitToken(slotID: number, pin: Pin, label: string | Uint8Array): void { slots.initToken(this.app, slotID, pin, label); }
  C_InitPIN(hSession: number, pin: Pin): void { sessions.initPin(this.app, hSession, pin); }
  C_SetPIN(hSession: number, oldPin: Pin, newPin: Pin): void { sessions.setPin(this.app, hSession, oldPin, newPin); }

  // ---- sessions -----------------------------------------------------------
  C_OpenSession(slotID: number, flags: number, application?: unknown, notify?: unknown): number {
    void application;
    void notify;
    return sessions.openSession(this.app, slotID, flags);
  }
  C_CloseSession(hSession: number): void { sessions.closeSession(this.app, hSession); }
  C_CloseAllSessions(slotID: number): void { sessions.closeAllSessions(this.app, slotID); }
  C_GetSessionInfo(hSession: number): CK_SESSION_INFO { return sessions.getSessionInfo(this.app, hSession); }
  C_SessionCancel(hSession: number, flags: number): void { sessions.sessionCancel(this.app, hSession, flags); }
  C_GetOperationState(hSession: number): Buffer;
  C_GetOperationState(hSession: number, out: Out): number;
  C_GetOperationState(hSession: number, out?: Out): Buffer | number { return sessions.getOperationState(this.app, hSession, out); }
  C_SetOperationState(hSession: number, state: Uint8Array, hEncryptionKey = 0, hAuthenticationKey = 0): void {
    sessions.setOperationState(this.app, hSession, state, hEncryptionKey, hAuthenticationKey);
  }
  C_Login(hSession: number, userType: number, pin: Pin): void { sessions.login(this.app, hSession, userType, pin); }
  /** We have one user per role, so the user name is not used. */
  C_LoginUser(hSession: number, userType: number, pin: Pin, username?: string | Uint8Array): void {
    void username;
    sessions.login(this.app, hSession, userType, pin);
  }
  C_Logout(hSession: number): void { sessions.logout(this.app, hSession); }
  C_GetSessionValidationFlags(hSession: number, type: number): number {
    return sessions.getSessionValidationFlags(this.app, hSession, type);
  }

  // ---- objects ------------------------------------------------------------
  C_CreateObject(hSession: number, template: CK_ATTRIBUTE[]): number { return objects.createObject(this.app, hSession, template); }
  C_CopyObject(hSession: number, hObject: number, template: CK_ATTRIBUTE[]): number {
    return objects.copyObject(this.app, hSession, hObject, template);
  }
  C_DestroyObject(hSession: number, hObject: number): void { objects.destroyObject(this.app, hSession, hObject); }
  C_GetObjectSize(hSession: number, hObject: number): number { return objects.getObjectSize(this.app, hSession, hObject); }
  /** Fills the template in place (and returns it); see CK_ATTRIBUTE for the length conventions. */
  C_GetAttributeValue(hSession: number, hObject: number, template: CK_ATTRIBUTE[]): CK_ATTRIBUTE[] {
    return objects.getAttributeValue(this.app, hSession, hObject, template);
  }
  C_SetAttributeValue(hSession: number, hObject: number, template: CK_ATTRIBUTE[]): void {
    objects.setAttributeValue(this.app, hSession, hObject, template);
  }
  C_FindObjectsInit(hSession: number, template: CK_ATTRIBUTE[] = []): void { objects.findObjectsInit(this.app, hSession, template); }
  C_FindObjects(hSession: number, maxObjectCount: number): number[] { return objects.findObjects(this.app, hSession, maxObjectCount); }
  C_FindObjectsFinal(hSession: number): void { objects.findObjectsFinal(this.app, hSession); }

  // ---- digest -------------------------------------------------------------
  /** A null mechanism ends the active operation (PKCS#11 3.0), as for every Init of an operation. */
  C_DigestInit(hSession: number, mechanism: CK_MECHANISM | null): void { digestFns.digestInit(this.app, hSession, mechanism); }
  C_Digest(hSession: number, data: Uint8Array): Buffer;
  C_Digest(hSession: number, data: Uint8Array, out: Out): number;
  C_Digest(hSession: number, data: Uint8Array, out?: Out): Buffer | number { return digestFns.digest(this.app, hSession, data, out); }
  C_DigestUpdate(hSession: number, data: Uint8Array): void { digestFns.digestUpdate(this.app, hSession, data); }
  C_DigestKey(hSession: number, hKey: number): void { digestFns.digestKey(this.app, hSession, hKey); }
  C_DigestFinal(hSession: number): Buffer;
  C_DigestFinal(hSession: number, out: Out): number;
  C_DigestFinal(hSession: number, out?: Out): Buffer | number { return digestFns.digestFinal(this.app, hSession, out); }

  // ---- random -------------------------------------------------------------
  C_SeedRandom(hSession: number, seed: Uint8Array): void { random.seedRandom(this.app, hSession, seed); }
  /** Returns `length` random bytes, or fills the Buffer given. */
  C_GenerateRandom(hSession: number, lengthOrBuffer: number | Buffer): Buffer {
    return random.generateRandom(this.app, hSession, lengthOrBuffer);
  }

  // ---- encryption and decryption ------------------------------------------------
  C_EncryptInit(hSession: number, mechanism: CK_MECHANISM | null, hKey: number): void { crypto.cryptoInit(this.app, hSession, 'encrypt', mechanism, hKey); }
  C_Encrypt(hSession: number, data: Uint8Array): Buffer;
  C_Encrypt(hSession: number, data: Uint8Array, out: Out): number;
  C_Encrypt(hSession: number, data: Uint8Array, out?: Out): Buffer | number { return crypto.cipherOnce(this.app, hSession, 'encrypt', data, out); }
  C_EncryptUpdate(hSession: number, part: Uint8Array): Buffer;
  C_EncryptUpdate(hSession: number, part: Uint8Array, out: Out): number;
  C_EncryptUpdate(hSession: number, part: Uint8Array, out?: Out): Buffer | number { return crypto.cipherUpdate(this.app, hSession, 'encrypt', part, out); }
  C_EncryptFinal(hSession: number): Buffer;
  C_EncryptFinal(hSession: number, out: Out): number;
  C_EncryptFinal(hSession: number, out?: Out): Buffer | number { return crypto.cipherFinal(this.app, hSession, 'encrypt', out); }
  C_DecryptInit(hSession: number, mechanism: CK_MECHANISM | null, hKey: number): void { crypto.cryptoInit(this.app, hSession, 'decrypt', mechanism, hKey); }
  C_Decrypt(hSession: number, data: Uint8Array): Buffer;
  C_Decrypt(hSession: number, data: Uint8Array, out: Out): number;
  C_Decrypt(hSession: number, data: Uint8Array, out?: Out): Buffer | number { return crypto.cipherOnce(this.app, hSession, 'decrypt', data, out); }
  C_DecryptUpdate(hSession: number, part: Uint8Array): Buffer;
  C_DecryptUpdate(hSession: number, part: Uint8Array, out: Out): number;
  C_DecryptUpdate(hSession: number, part: Uint8Array, out?: Out): Buffer | number { return crypto.cipherUpdate(this.app, hSession, 'decrypt', part, out); }
  C_DecryptFinal(hSession: number): Buffer;
  C_DecryptFinal(hSession: number, out: Out): number;
  C_DecryptFinal(hSession: number, out?: Out): Buffer | number { return crypto.cipherFinal(this.app, hSession, 'decrypt', out); }

  // ---- signing and verification ------------------------------------------------
  C_SignInit(hSession: number, mechanism: CK_MECHANISM | null, hKey: number): void { crypto.cryptoInit(this.app, hSession, 'sign', mechanism, hKey); }
  C_Sign(hSession: number, data: Uint8Array): Buffer;
  C_Sign(hSession: number, data: Uint8Array, out: Out): number;
  C_Sign(hSession: number, data: Uint8Array, out?: Out): Buffer | number { return crypto.signOnce(this.app, hSession, data, out); }
  C_SignUpdate(hSession: number, part: Uint8Array): void { crypto.signUpdate(this.app, hSession, part); }
  C_SignFinal(hSession: number): Buffer;
  C_SignFinal(hSession: number, out: Out): number;
  C_SignFinal(hSession: number, out?: Out): Buffer | number { return crypto.signFinal(this.app, hSession, out); }
  C_SignRecoverInit(hSession: number, mechanism: CK_MECHANISM | null, hKey: number): void { crypto.cryptoInit(this.app, hSession, 'signRecover', mechanism, hKey); }
  C_SignRecover(hSession: number, data: Uint8Array): Buffer;
  C_SignRecover(hSession: number, data: Uint8Array, out: Out): number;
  C_SignRecover(hSession: number, data: Uint8Array, out?: Out): Buffer | number { return crypto.recover(this.app, hSession, 'signRecover', data, out); }
  C_VerifyInit(hSession: number, mechanism: CK_MECHANISM | null, hKey: number): void { crypto.cryptoInit(this.app, hSession, 'verify', mechanism, hKey); }
  /** Returns when the signature is valid; throws CKR_SIGNATURE_INVALID or CKR_SIGNATURE_LEN_RANGE. */
  C_Verify(hSession: number, data: Uint8Array, signature: Uint8Array): void { crypto.verifyOnce(this.app, hSession, data, signature); }
  C_VerifyUpdate(hSession: number, part: Uint8Array): void { crypto.verifyUpdate(this.app, hSession, 'verify', part); }
  C_VerifyFinal(hSession: number, signature: Uint8Array): void { crypto.verifyFinal(this.app, hSession, signature); }
  C_VerifyRecoverInit(hSession: number, mechanism: CK_MECHANISM | null, hKey: number): void { crypto.cryptoInit(this.app, hSession, 'verifyRecover', mechanism, hKey); }
  C_VerifyRecover(hSession: number, signature: Uint8Array): Buffer;
  C_VerifyRecover(hSession: number, signature: Uint8Array, out: Out): number;
  C_VerifyRecover(hSession: number, signature: Uint8Array, out?: Out): Buffer | number { return crypto.recover(this.app, hSession, 'verifyRecover', signature, out); }
  C_VerifySignatureInit(hSession: number, mechanism: CK_MECHANISM, hKey: number, signature: Uint8Array): void {
    crypto.cryptoInit(this.app, hSession, 'verifySignature', mechanism, hKey, signature);
  }
  C_VerifySignature(hSession: number, data: Uint8Array): void { crypto.verifySignatureOnce(this.app, hSession, data); }
  C_VerifySignatureUpdate(hSession: number, part: Uint8Array): void { crypto.verifyUpdate(this.app, hSession, 'verifySignature', part); }
  C_VerifySignatureFinal(hSession: number): void { crypto.verifySignatureFinal(this.app, hSession); }

  // ---- dual-function updates -------------------------------------------------------
  C_DigestEncryptUpdate(hSession: number, part: Uint8Array): Buffer;
  C_DigestEncryptUpdate(hSession: number, part: Uint8Array, out: Out): number;
  C_DigestEncryptUpdate(hSession: number, part: Uint8Array, out?: Out): Buffer | number { return crypto.dualUpdate(this.app, hSession, 'encrypt', 'digest', part, out); }
  C_DecryptDigestUpdate(hSession: number, part: Uint8Array): Buffer;
  C_DecryptDigestUpdate(hSession: number, part: Uint8Array, out: Out): number;
  C_DecryptDigestUpdate(hSession: number, part: Uint8Array, out?: Out): Buffer | number { return crypto.dualUpdate(this.app, hSession, 'decrypt', 'digest', part, out); }
  C_SignEncryptUpdate(hSession: number, part: Uint8Array): Buffer;
  C_SignEncryptUpdate(hSession: number, part: Uint8Array, out: Out): number;
  C_SignEncryptUpdate(hSession: number, part: Uint8Array, out?: Out): Buffer | number { return crypto.dualUpdate(this.app, hSession, 'encrypt', 'sign', part, out); }
  C_DecryptVerifyUpdate(hSession: number, part: Uint8Array): Buffer;
  C_DecryptVerifyUpdate(hSession: number, part: Uint8Array, out: Out): number;
  C_DecryptVerifyUpdate(hSession: number, part: Uint8Array, out?: Out): Buffer | number { return crypto.dualUpdate(this.app, hSession, 'decrypt', 'verify', part, out); }

  // ---- key management ---------------------------------------------------------------
  C_GenerateKey(hSession: number, mechanism: CK_MECHANISM, template: CK_ATTRIBUTE[]): number {
    return keys.generateKey(this.app, hSession, mechanism, template);
  }
  /** Returns [public key handle, private key handle]. */
  C_GenerateKeyPair(hSession: number, mechanism: CK_MECHANISM, publicTemplate: CK_ATTRIBUTE[], privateTemplate: CK_ATTRIBUTE[]): [number, number] {
    return keys.generateKeyPair(this.app, hSession, mechanism, publicTemplate, privateTemplate);
  }
  C_WrapKey(hSession: number, mechanism: CK_MECHANISM, hWrappingKey: number, hKey: number): Buffer;
  C_WrapKey(hSession: number, mechanism: CK_MECHANISM, hWrappingKey: number, hKey: number, out: Out): number;
  C_WrapKey(hSession: number, mechanism: CK_MECHANISM, hWrappingKey: number, hKey: number, out?: Out): Buffer | number {
    return keys.wrapKey(this.app, hSession, mechanism, hWrappingKey, hKey, out);
  }
  C_UnwrapKey(hSession: number, mechanism: CK_MECHANISM, hUnwrappingKey: number, wrappedKey: Uint8Array, template: CK_ATTRIBUTE[]): number {
    return keys.unwrapKey(this.app, hSession, mechanism, hUnwrappingKey, wrappedKey, template);
  }
  C_DeriveKey(hSession: number, mechanism: CK_MECHANISM, hBaseKey: number, template: CK_ATTRIBUTE[]): number {
    return keys.deriveKey(this.app, hSession, mechanism, hBaseKey, template);
  }
  /** The ciphertext (or its length, for out = null) and the new key's handle. */
  C_EncapsulateKey(hSession: number, mechanism: CK_MECHANISM, hPublicKey: number, template: CK_ATTRIBUTE[], out?: Out): { ciphertext: Buffer | number; hKey: number } {
    return keys.encapsulateKey(this.app, hSession, mechanism, hPublicKey, template, out);
  }
  C_DecapsulateKey(hSession: number, mechanism: CK_MECHANISM, hPrivateKey: number, template: CK_ATTRIBUTE[], ciphertext: Uint8Array): number {
    return keys.decapsulateKey(this.app, hSession, mechanism, hPrivateKey, template, ciphertext);
  }
  // Authenticated wrapping needs an AEAD wrapping mechanism; none is registered yet.
  C_WrapKeyAuthenticated(hSession: number, mechanism: CK_MECHANISM, hWrappingKey: number, hKey: number, associatedData: Uint8Array, out?: Out): Buffer | number {
    return this.noMechanism(hSession, mechanism, hWrappingKey, hKey, associatedData, out);
  }
  C_UnwrapKeyAuthenticated(hSession: number, mechanism: CK_MECHANISM, hUnwrappingKey: number, wrappedKey: Uint8Array, template: CK_ATTRIBUTE[], associatedData: Uint8Array): number {
    return this.noMechanism(hSession, mechanism, hUnwrappingKey, wrappedKey, template, associatedData);
  }

  // ---- message-based functions (3.0) ------------------------------------------
  /** A null mechanism ends the message-based operation and any message in it. */
  C_MessageEncryptInit(hSession: number, mechanism: CK_MECHANISM | null, hKey = 0): void { message.messageInit(this.app, hSession, 'messageEncrypt', mechanism, hKey); }
  /** The parameter is written in place: a generated IV into pIv/pNonce, the tag into pTag/pMAC. */
  C_EncryptMessage(hSession: number, parameter: unknown, associatedData: Uint8Array | null, plaintext: Uint8Array): Buffer;
  C_EncryptMessage(hSession: number, parameter: unknown, associatedData: Uint8Array | null, plaintext: Uint8Array, out: Out): number;
  C_EncryptMessage(hSession: number, parameter: unknown, associatedData: Uint8Array | null, plaintext: Uint8Array, out?: Out): Buffer | number {
    return message.cryptMessage(this.app, hSession, 'messageEncrypt', parameter, associatedData, plaintext, out);
  }
  C_EncryptMessageBegin(hSession: number, parameter: unknown, associatedData: Uint8Array | null): void {
    message.cryptMessageBegin(this.app, hSession, 'messageEncrypt', parameter, associatedData);
  }
  C_EncryptMessageNext(hSession: number, parameter: unknown, part: Uint8Array, flags: number): Buffer;
  C_EncryptMessageNext(hSession: number, parameter: unknown, part: Uint8Array, flags: number, out: Out): number;
  C_EncryptMessageNext(hSession: number, parameter: unknown, part: Uint8Array, flags: number, out?: Out): Buffer | number {
    return message.cryptMessageNext(this.app, hSession, 'messageEncrypt', parameter, part, flags, out);
  }
  C_MessageEncryptFinal(hSession: number): void { message.messageFinal(this.app, hSession, 'messageEncrypt'); }
  C_MessageDecryptInit(hSession: number, mechanism: CK_MECHANISM | null, hKey = 0): void { message.messageInit(this.app, hSession, 'messageDecrypt', mechanism, hKey); }
  C_DecryptMessage(hSession: number, parameter: unknown, associatedData: Uint8Array | null, ciphertext: Uint8Array): Buffer;
  C_DecryptMessage(hSession: number, parameter: unknown, associatedData: Uint8Array | null, ciphertext: Uint8Array, out: Out): number;
  C_DecryptMessage(hSession: number, parameter: unknown, associatedData: Uint8Array | null, ciphertext: Uint8Array, out?: Out): Buffer | number {
    return message.cryptMessage(this.app, hSession, 'messageDecrypt', parameter, associatedData, ciphertext, out);
  }
  C_DecryptMessageBegin(hSession: number, parameter: unknown, associatedData: Uint8Array | null): void {
    message.cryptMessageBegin(this.app, hSession, 'messageDecrypt', parameter, associatedData);
  }
  C_DecryptMessageNext(hSession: number, parameter: unknown, part: Uint8Array, flags: number): Buffer;
  C_DecryptMessageNext(hSession: number, parameter: unknown, part: Uint8Array, flags: number, out: Out): number;
  C_DecryptMessageNext(hSession: number, parameter: unknown, part: Uint8Array, flags: number, out?: Out): Buffer | number {
    return message.cryptMessageNext(this.app, hSession, 'messageDecrypt', parameter, part, flags, out);
  }
  C_MessageDecryptFinal(hSession: number): void { message.messageFinal(this.app, hSession, 'messageDecrypt'); }
  // No message-based signing mechanism is registered yet: an Init answers
  // CKR_MECHANISM_INVALID, and so no such operation can be active.
  C_MessageSignInit(hSession: number, mechanism: CK_MECHANISM, hKey: number): void { this.noMechanism(hSession, mechanism, hKey); }
  C_SignMessage(hSession: number, parameter: unknown, data: Uint8Array, out?: Out): Buffer | number { return this.noOperation(hSession, parameter, data, out); }
  C_SignMessageBegin(hSession: number, parameter: unknown): void { this.noOperation(hSession, parameter); }
  C_SignMessageNext(hSession: number, parameter: unknown, part: Uint8Array, out?: Out | undefined): Buffer | number | void {
    return this.noOperation(hSession, parameter, part, out);
  }
  C_MessageSignFinal(hSession: number): void { this.noOperation(hSession); }
  C_MessageVerifyInit(hSession: number, mechanism: CK_MECHANISM, hKey: number): void { this.noMechanism(hSession, mechanism, hKey); }
  C_VerifyMessage(hSession: number, parameter: unknown, data: Uint8Array, signature: Uint8Array): void {
    this.noOperation(hSession, parameter, data, signature);
  }
  C_VerifyMessageBegin(hSession: number, parameter: unknown): void { this.noOperation(hSession, parameter); }
  C_VerifyMessageNext(hSession: number, parameter: unknown, part: Uint8Array, signature?: Uint8Array | null): void {
    this.noOperation(hSession, parameter, part, signature);
  }
  C_MessageVerifyFinal(hSession: number): void { this.noOperation(hSession); }

  // ---- parallel and asynchronous function management -----------------------------
  /** Legacy parallel functions: every call of ours runs to completion. */
  C_GetFunctionStatus(hSession: number): void { this.app.session(hSession); throw new CKRError(K.CKR_FUNCTION_NOT_PARALLEL); }
  C_CancelFunction(hSession: number): void { this.app.session(hSession); throw new CKRError(K.CKR_FUNCTION_NOT_PARALLEL); }
  /** No call of ours returns CKR_PENDING, so there is never an asynchronous operation to complete. */
  C_AsyncComplete(hSession: number, functionName: string): never { return this.noAsync(hSession, functionName); }
  C_AsyncGetID(hSession: number, functionName: string): never { return this.noAsync(hSession, functionName); }
  C_AsyncJoin(hSession: number, functionName: string, id: number, data?: Uint8Array): never {
    void id;
    void data;
    return this.noAsync(hSession, functionName);
  }

  private noMechanism(hSession: number, mechanism: CK_MECHANISM, ...rest: unknown[]): never {
    void rest;
    this.app.session(hSession);
    if (!mechanism || typeof mechanism.mechanism !== 'number') throw new CKRError(K.CKR_ARGUMENTS_BAD);
    throw new CKRError(K.CKR_MECHANISM_INVALID);
  }

  private noOperation(hSession: number, ...rest: unknown[]): never {
    void rest;
    this.app.session(hSession);
    throw new CKRError(K.CKR_OPERATION_NOT_INITIALIZED);
  }

  private noAsync(hSession: number, functionName: string): never {
    void functionName;
    this.app.session(hSession);
    throw new CKRError(K.CKR_FUNCTION_NOT_SUPPORTED);
  }
}

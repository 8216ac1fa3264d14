import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cryptoki } from '../src/core/cryptoki.js';
import * as K from '../src/pkcs11/constants.js';
import { FUNCTIONS_2_40, FUNCTIONS_3_0, FUNCTIONS_3_2 } from '../src/pkcs11/functions.js';
import { throwsCKR } from './helpers.js';

/** Functions that work before C_Initialize. */
const BEFORE_INIT = new Set(['C_Initialize', 'C_GetFunctionList', 'C_GetInterfaceList', 'C_GetInterface']);

describe('general-purpose functions', () => {
  it('offers every function of the 3.2 list under its spec name', () => {
    assert.equal(FUNCTIONS_3_2.length, 104);
    const p11 = new Cryptoki();
    for (const name of FUNCTIONS_3_2) {
      assert.equal(typeof (p11 as unknown as Record<string, unknown>)[name], 'function', name);
    }
  });

  it('answers CKR_CRYPTOKI_NOT_INITIALIZED from every other function before C_Initialize', () => {
    const p11 = new Cryptoki() as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const name of FUNCTIONS_3_2) {
      if (BEFORE_INIT.has(name)) continue;
      // Arguments that are valid in shape, so that only the library state can fail the call.
      const args = [1, { mechanism: K.CKM_SHA256 }, 1, [], Buffer.alloc(1), Buffer.alloc(1)];
      throwsCKR(() => p11[name]!(...args), K.CKR_CRYPTOKI_NOT_INITIALIZED, name);
    }
  });

  it('initialises once, finalises, and initialises again', () => {
    const p11 = new Cryptoki();
    p11.C_Initialize();
    throwsCKR(() => p11.C_Initialize(), K.CKR_CRYPTOKI_ALREADY_INITIALIZED);
    p11.C_Finalize();
    throwsCKR(() => p11.C_Finalize(), K.CKR_CRYPTOKI_NOT_INITIALIZED);
    p11.C_Initialize({ flags: K.CKF_OS_LOCKING_OK });
    p11.C_Finalize();
  });

  it('checks C_Initialize and C_Finalize arguments', () => {
    const p11 = new Cryptoki();
    throwsCKR(() => p11.C_Initialize({ pReserved: 1 }), K.CKR_ARGUMENTS_BAD);
    throwsCKR(() => p11.C_Initialize({ CreateMutex: () => 0 }), K.CKR_ARGUMENTS_BAD);
    throwsCKR(() => p11.C_Initialize({ flags: -1 }), K.CKR_ARGUMENTS_BAD);
    const f = () => 0;
    p11.C_Initialize({ CreateMutex: f, DestroyMutex: f, LockMutex: f, UnlockMutex: f });
    throwsCKR(() => p11.C_Finalize({}), K.CKR_ARGUMENTS_BAD);
    p11.C_Finalize();
  });

  it('reports version 3.2 in C_GetInfo, with blank-padded fields', () => {
    const p11 = new Cryptoki();
    p11.C_Initialize();
    const info = p11.C_GetInfo();
    assert.deepEqual(info.cryptokiVersion, { major: 3, minor: 2 });
    assert.equal(Buffer.byteLength(info.manufacturerID), 32);
    assert.equal(Buffer.byteLength(info.libraryDescription), 32);
    assert.match(info.manufacturerID, /^cryptoki-ts +$/);
    assert.equal(info.flags, 0);
  });

  it('lists the 3.2, 3.0 and 2.40 interfaces, each with its true function table', () => {
    const p11 = new Cryptoki();
    const list = p11.C_GetInterfaceList();
    assert.deepEqual(list.map((i) => `${i.pInterfaceName} ${i.version.major}.${i.version.minor}`), ['PKCS 11 3.2', 'PKCS 11 3.0', 'PKCS 11 2.40']);
    assert.deepEqual(list[0]!.functions, FUNCTIONS_3_2);
    assert.deepEqual(list[1]!.functions, FUNCTIONS_3_0);
    assert.deepEqual(list[2]!.functions, FUNCTIONS_2_40);
    assert.equal(FUNCTIONS_2_40.length, 68);
    assert.equal(FUNCTIONS_3_0.length, 92);
    assert.deepEqual(FUNCTIONS_3_0.slice(0, 68), [...FUNCTIONS_2_40], '3.0 extends the 2.40 table');
    assert.deepEqual(FUNCTIONS_3_2.slice(0, 92), [...FUNCTIONS_3_0], '3.2 extends the 3.0 table');
  });

  it('finds interfaces by name and version', () => {
    const p11 = new Cryptoki();
    assert.deepEqual(p11.C_GetInterface().version, { major: 3, minor: 2 });
    assert.deepEqual(p11.C_GetInterface('PKCS 11', { major: 3, minor: 0 }).version, { major: 3, minor: 0 });
    assert.equal(p11.C_GetInterface(null, { major: 2, minor: 40 }).functions.length, 68);
    assert.equal(p11.C_GetFunctionList().functions.length, 68);
    throwsCKR(() => p11.C_GetInterface('Vendor'), K.CKR_ARGUMENTS_BAD);
    throwsCKR(() => p11.C_GetInterface('PKCS 11', { major: 1, minor: 0 }), K.CKR_ARGUMENTS_BAD);
    throwsCKR(() => p11.C_GetInterface('PKCS 11', null, K.CKF_INTERFACE_FORK_SAFE), K.CKR_ARGUMENTS_BAD);
  });

  it('answers unknown mechanisms, missing operations and the legacy parallel functions per spec', () => {
    const p11 = new Cryptoki();
    p11.C_Initialize();
    const slot = p11.C_GetSlotList(false)[0]!;
    p11.C_InitToken(slot, '12345678', 'x');
    const h = p11.C_OpenSession(slot, K.CKF_SERIAL_SESSION);
    throwsCKR(() => p11.C_EncryptInit(h, { mechanism: K.CKM_RC4 }, 1), K.CKR_MECHANISM_INVALID);
    throwsCKR(() => p11.C_EncryptInit(h, { mechanism: K.CKM_VENDOR_DEFINED | 0x1234 }, 1), K.CKR_MECHANISM_INVALID);
    throwsCKR(() => p11.C_Encrypt(h, Buffer.alloc(16)), K.CKR_OPERATION_NOT_INITIALIZED);
    throwsCKR(() => p11.C_GetFunctionStatus(h), K.CKR_FUNCTION_NOT_PARALLEL);
    throwsCKR(() => p11.C_CancelFunction(h), K.CKR_FUNCTION_NOT_PARALLEL);
    throwsCKR(() => p11.C_AsyncGetID(h, 'C_Sign'), K.CKR_FUNCTION_NOT_SUPPORTED);
    throwsCKR(() => p11.C_EncryptInit(h, undefined as never, 1), K.CKR_ARGUMENTS_BAD);
    throwsCKR(() => p11.C_EncryptInit(999, { mechanism: K.CKM_RC4 }, 1), K.CKR_SESSION_HANDLE_INVALID);
    p11.C_Finalize();
  });
});

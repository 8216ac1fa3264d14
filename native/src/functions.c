/*
 * The 104 functions of PKCS#11 3.2, each forwarded to the token server as one
 * call of the p11-kit dialect (ids 1..89) or of our extension (256..). Only
 * the function list, the interfaces and the legacy parallel functions are
 * answered here.
 */
#include "internal.h"
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

/* A call: request fields between BEGIN and RUN, response fields between RUN and END. */
#define BEGIN(id, req, resp) \
  call c;                    \
  if (call_prepare(&c, (id), (req), (resp)) == CKR_OK) {
#define RUN() \
  if (call_run(&c) == CKR_OK) {
#define END() \
  }           \
  }           \
  return call_done(&c);

#define ARG(cond) \
  if (!(cond)) return CKR_ARGUMENTS_BAD;

/* ---- general purpose ------------------------------------------------------------------ */

EXPORT CK_RV C_Initialize(CK_VOID_PTR pInitArgs) { return module_initialize(pInitArgs); }

EXPORT CK_RV C_Finalize(CK_VOID_PTR pReserved) {
  ARG(pReserved == NULL);
  return module_finalize();
}

EXPORT CK_RV C_GetInfo(CK_INFO_PTR pInfo) {
  ARG(pInfo);
  BEGIN(3, "", "vsusv")
  RUN()
  CK_INFO i;
  get_version(&c, &i.cryptokiVersion);
  get_string(&c, i.manufacturerID, 32);
  i.flags = get_ulong(&c);
  get_string(&c, i.libraryDescription, 32);
  get_version(&c, &i.libraryVersion);
  if (!c.resp.failed) *pInfo = i;
  END()
}

/* ---- slots and tokens --------------------------------------------------------------------- */

EXPORT CK_RV C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList, CK_ULONG_PTR pulCount) {
  ARG(pulCount);
  BEGIN(4, "yfu", "au")
  put_byte(&c, tokenPresent ? 1 : 0);
  put_capacity(&c, pSlotList, pulCount);
  RUN()
  get_ulong_list(&c, pSlotList, pulCount);
  END()
}

EXPORT CK_RV C_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo) {
  ARG(pInfo);
  BEGIN(5, "u", "ssuvv")
  put_ulong(&c, slotID);
  RUN()
  CK_SLOT_INFO i;
  get_string(&c, i.slotDescription, 64);
  get_string(&c, i.manufacturerID, 32);
  i.flags = get_ulong(&c);
  get_version(&c, &i.hardwareVersion);
  get_version(&c, &i.firmwareVersion);
  if (!c.resp.failed) *pInfo = i;
  END()
}

EXPORT CK_RV C_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo) {
  ARG(pInfo);
  BEGIN(6, "u", "ssssuuuuuuuuuuuvvs")
  put_ulong(&c, slotID);
  RUN()
  CK_TOKEN_INFO i;
  get_string(&c, i.label, 32);
  get_string(&c, i.manufacturerID, 32);
  get_string(&c, i.model, 16);
  get_string(&c, i.serialNumber, 16);
  i.flags = get_ulong(&c);
  i.ulMaxSessionCount = get_ulong(&c);
  i.ulSessionCount = get_ulong(&c);
  i.ulMaxRwSessionCount = get_ulong(&c);
  i.ulRwSessionCount = get_ulong(&c);
  i.ulMaxPinLen = get_ulong(&c);
  i.ulMinPinLen = get_ulong(&c);
  i.ulTotalPublicMemory = get_ulong(&c);
  i.ulFreePublicMemory = get_ulong(&c);
  i.ulTotalPrivateMemory = get_ulong(&c);
  i.ulFreePrivateMemory = get_ulong(&c);
  get_version(&c, &i.hardwareVersion);
  get_version(&c, &i.firmwareVersion);
  get_string(&c, i.utcTime, 16);
  if (!c.resp.failed) *pInfo = i;
  END()
}

EXPORT CK_RV C_GetMechanismList(CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pMechanismList, CK_ULONG_PTR pulCount) {
  ARG(pulCount);
  BEGIN(7, "ufu", "au")
  put_ulong(&c, slotID);
  put_capacity(&c, pMechanismList, pulCount);
  RUN()
  get_ulong_list(&c, pMechanismList, pulCount);
  END()
}

EXPORT CK_RV C_GetMechanismInfo(CK_SLOT_ID slotID, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR pInfo) {
  ARG(pInfo);
  BEGIN(8, "uu", "uuu")
  put_ulong(&c, slotID);
  put_ulong(&c, type);
  RUN()
  CK_MECHANISM_INFO i;
  i.ulMinKeySize = get_ulong(&c);
  i.ulMaxKeySize = get_ulong(&c);
  i.flags = get_ulong(&c);
  if (!c.resp.failed) *pInfo = i;
  END()
}

EXPORT CK_RV C_InitToken(CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen, CK_UTF8CHAR_PTR pLabel) {
  ARG(pLabel);
  BEGIN(88, "uays", "")
  put_ulong(&c, slotID);
  put_bytes(&c, pPin, ulPinLen);
  put_string(&c, pLabel, 32);
  RUN()
  END()
}

EXPORT CK_RV C_InitPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen) {
  BEGIN(14, "uay", "")
  put_ulong(&c, hSession);
  put_bytes(&c, pPin, ulPinLen);
  RUN()
  END()
}

EXPORT CK_RV C_SetPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pOldPin, CK_ULONG ulOldLen, CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen) {
  BEGIN(15, "uayay", "")
  put_ulong(&c, hSession);
  put_bytes(&c, pOldPin, ulOldLen);
  put_bytes(&c, pNewPin, ulNewLen);
  RUN()
  END()
}

/* ---- sessions -------------------------------------------------------------------------- */

EXPORT CK_RV C_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR pApplication, CK_NOTIFY Notify, CK_SESSION_HANDLE_PTR phSession) {
  (void)pApplication; /* no callbacks cross the protocol; our token never calls back */
  (void)Notify;
  ARG(phSession);
  BEGIN(10, "uu", "u")
  put_ulong(&c, slotID);
  put_ulong(&c, flags);
  RUN()
  CK_SESSION_HANDLE h = get_ulong(&c);
  if (!c.resp.failed) *phSession = h;
  END()
}

#define SESSION_ONLY(name, id)                 \
  EXPORT CK_RV name(CK_SESSION_HANDLE hSession) { \
    BEGIN(id, "u", "")                         \
    put_ulong(&c, hSession);                   \
    RUN()                                      \
    END()                                      \
  }

SESSION_ONLY(C_CloseSession, 11)
SESSION_ONLY(C_Logout, 19)
SESSION_ONLY(C_FindObjectsFinal, 28)
SESSION_ONLY(C_MessageEncryptFinal, 72)
SESSION_ONLY(C_MessageDecryptFinal, 77)
SESSION_ONLY(C_MessageSignFinal, 82)
SESSION_ONLY(C_MessageVerifyFinal, 87)
SESSION_ONLY(C_VerifySignatureFinal, EXT_CALL(5))

EXPORT CK_RV C_CloseAllSessions(CK_SLOT_ID slotID) {
  BEGIN(12, "u", "")
  put_ulong(&c, slotID);
  RUN()
  END()
}

EXPORT CK_RV C_GetSessionInfo(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo) {
  ARG(pInfo);
  BEGIN(13, "u", "uuuu")
  put_ulong(&c, hSession);
  RUN()
  CK_SESSION_INFO i;
  i.slotID = get_ulong(&c);
  i.state = get_ulong(&c);
  i.flags = get_ulong(&c);
  i.ulDeviceError = get_ulong(&c);
  if (!c.resp.failed) *pInfo = i;
  END()
}

EXPORT CK_RV C_SessionCancel(CK_SESSION_HANDLE hSession, CK_FLAGS flags) {
  BEGIN(67, "uu", "")
  put_ulong(&c, hSession);
  put_ulong(&c, flags);
  RUN()
  END()
}

EXPORT CK_RV C_GetOperationState(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState, CK_ULONG_PTR pulOperationStateLen) {
  ARG(pulOperationStateLen);
  BEGIN(16, "ufy", "ay")
  put_ulong(&c, hSession);
  put_capacity(&c, pOperationState, pulOperationStateLen);
  RUN()
  get_bytes_out(&c, pOperationState, pulOperationStateLen);
  END()
}

EXPORT CK_RV C_SetOperationState(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState, CK_ULONG ulOperationStateLen,
                                 CK_OBJECT_HANDLE hEncryptionKey, CK_OBJECT_HANDLE hAuthenticationKey) {
  BEGIN(17, "uayuu", "")
  put_ulong(&c, hSession);
  put_bytes(&c, pOperationState, ulOperationStateLen);
  put_ulong(&c, hEncryptionKey);
  put_ulong(&c, hAuthenticationKey);
  RUN()
  END()
}

EXPORT CK_RV C_Login(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen) {
  BEGIN(18, "uuay", "")
  put_ulong(&c, hSession);
  put_ulong(&c, userType);
  put_bytes(&c, pPin, ulPinLen);
  RUN()
  END()
}

EXPORT CK_RV C_LoginUser(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen,
                         CK_UTF8CHAR_PTR pUsername, CK_ULONG ulUsernameLen) {
  BEGIN(66, "uuayay", "")
  put_ulong(&c, hSession);
  put_ulong(&c, userType);
  put_bytes(&c, pPin, ulPinLen);
  put_bytes(&c, pUsername, ulUsernameLen);
  RUN()
  END()
}

EXPORT CK_RV C_GetSessionValidationFlags(CK_SESSION_HANDLE hSession, CK_SESSION_VALIDATION_FLAGS_TYPE type, CK_FLAGS_PTR pFlags) {
  ARG(pFlags);
  BEGIN(EXT_CALL(6), "uu", "u")
  put_ulong(&c, hSession);
  put_ulong(&c, type);
  RUN()
  CK_FLAGS f = get_ulong(&c);
  if (!c.resp.failed) *pFlags = f;
  END()
}

/* ---- objects ---------------------------------------------------------------------------- */

EXPORT CK_RV C_CreateObject(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phObject) {
  ARG(phObject);
  BEGIN(20, "uaA", "u")
  put_ulong(&c, hSession);
  put_template(&c, pTemplate, ulCount);
  RUN()
  CK_OBJECT_HANDLE h = get_ulong(&c);
  if (!c.resp.failed) *phObject = h;
  END()
}

EXPORT CK_RV C_CopyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,
                          CK_OBJECT_HANDLE_PTR phNewObject) {
  ARG(phNewObject);
  BEGIN(21, "uuaA", "u")
  put_ulong(&c, hSession);
  put_ulong(&c, hObject);
  put_template(&c, pTemplate, ulCount);
  RUN()
  CK_OBJECT_HANDLE h = get_ulong(&c);
  if (!c.resp.failed) *phNewObject = h;
  END()
}

EXPORT CK_RV C_DestroyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject) {
  BEGIN(22, "uu", "")
  put_ulong(&c, hSession);
  put_ulong(&c, hObject);
  RUN()
  END()
}

EXPORT CK_RV C_GetObjectSize(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ULONG_PTR pulSize) {
  ARG(pulSize);
  BEGIN(23, "uu", "u")
  put_ulong(&c, hSession);
  put_ulong(&c, hObject);
  RUN()
  CK_ULONG n = get_ulong(&c);
  if (!c.resp.failed) *pulSize = n;
  END()
}

EXPORT CK_RV C_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount) {
  ARG(pTemplate || ulCount == 0);
  BEGIN(24, "uufA", "aAu")
  put_ulong(&c, hSession);
  put_ulong(&c, hObject);
  put_buffer_template(&c, pTemplate, ulCount);
  RUN()
  get_attribute_values(&c, pTemplate, ulCount);
  /* The function's own rv travels after the values (CKR_ATTRIBUTE_SENSITIVE and friends). */
  CK_RV rv = get_ulong(&c);
  if (!c.resp.failed) call_fail(&c, rv);
  END()
}

EXPORT CK_RV C_SetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount) {
  BEGIN(25, "uuaA", "")
  put_ulong(&c, hSession);
  put_ulong(&c, hObject);
  put_template(&c, pTemplate, ulCount);
  RUN()
  END()
}

EXPORT CK_RV C_FindObjectsInit(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount) {
  BEGIN(26, "uaA", "")
  put_ulong(&c, hSession);
  put_template(&c, pTemplate, ulCount);
  RUN()
  END()
}

EXPORT CK_RV C_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject, CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount) {
  ARG(phObject && pulObjectCount);
  BEGIN(27, "ufu", "au")
  put_ulong(&c, hSession);
  /* ulMaxObjectCount travels as the capacity. */
  wb_u32(&c.req, ulMaxObjectCount >= 0x7fffffffUL ? 0x7ffffffeu : (uint32_t)ulMaxObjectCount);
  RUN()
  CK_ULONG count = ulMaxObjectCount;
  get_ulong_list(&c, phObject, &count);
  if (c.rv == CKR_OK && !c.resp.failed) *pulObjectCount = count;
  END()
}

/* ---- cryptographic operations ---------------------------------------------------------------- */

#define INIT(name, id)                                                                           \
  EXPORT CK_RV name(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey) { \
    BEGIN(id, "uMu", "")                                                                         \
    put_ulong(&c, hSession);                                                                     \
    put_mechanism(&c, pMechanism);                                                               \
    put_ulong(&c, hKey);                                                                         \
    RUN()                                                                                        \
    END()                                                                                        \
  }

/* Input bytes in, output bytes out with the spec's length conventions. */
#define IN_OUT(name, id)                                                                                   \
  EXPORT CK_RV name(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pIn, CK_ULONG ulIn, CK_BYTE_PTR pOut, CK_ULONG_PTR pulOut) { \
    ARG(pulOut);                                                                                           \
    BEGIN(id, "uayfy", "ay")                                                                               \
    put_ulong(&c, hSession);                                                                               \
    put_bytes(&c, pIn, ulIn);                                                                              \
    put_capacity(&c, pOut, pulOut);                                                                        \
    RUN()                                                                                                  \
    get_bytes_out(&c, pOut, pulOut);                                                                       \
    END()                                                                                                  \
  }

#define OUT_ONLY(name, id)                                                            \
  EXPORT CK_RV name(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOut, CK_ULONG_PTR pulOut) { \
    ARG(pulOut);                                                                      \
    BEGIN(id, "ufy", "ay")                                                            \
    put_ulong(&c, hSession);                                                          \
    put_capacity(&c, pOut, pulOut);                                                   \
    RUN()                                                                             \
    get_bytes_out(&c, pOut, pulOut);                                                  \
    END()                                                                             \
  }

#define IN_ONLY(name, id)                                                          \
  EXPORT CK_RV name(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pIn, CK_ULONG ulIn) { \
    BEGIN(id, "uay", "")                                                           \
    put_ulong(&c, hSession);                                                       \
    put_bytes(&c, pIn, ulIn);                                                      \
    RUN()                                                                          \
    END()                                                                          \
  }

INIT(C_EncryptInit, 29)
IN_OUT(C_Encrypt, 30)
IN_OUT(C_EncryptUpdate, 31)
OUT_ONLY(C_EncryptFinal, 32)
INIT(C_DecryptInit, 33)
IN_OUT(C_Decrypt, 34)
IN_OUT(C_DecryptUpdate, 35)
OUT_ONLY(C_DecryptFinal, 36)
IN_OUT(C_Digest, 38)
IN_ONLY(C_DigestUpdate, 39)
OUT_ONLY(C_DigestFinal, 41)
INIT(C_SignInit, 42)
IN_OUT(C_Sign, 43)
IN_ONLY(C_SignUpdate, 44)
OUT_ONLY(C_SignFinal, 45)
INIT(C_SignRecoverInit, 46)
IN_OUT(C_SignRecover, 47)
INIT(C_VerifyInit, 48)
IN_ONLY(C_VerifyUpdate, 50)
IN_ONLY(C_VerifyFinal, 51)
INIT(C_VerifyRecoverInit, 52)
IN_OUT(C_VerifyRecover, 53)
IN_OUT(C_DigestEncryptUpdate, 54)
IN_OUT(C_DecryptDigestUpdate, 55)
IN_OUT(C_SignEncryptUpdate, 56)
IN_OUT(C_DecryptVerifyUpdate, 57)
IN_ONLY(C_SeedRandom, 63)
INIT(C_MessageEncryptInit, 68)
INIT(C_MessageDecryptInit, 73)
INIT(C_MessageSignInit, 78)
INIT(C_MessageVerifyInit, 83)
IN_ONLY(C_VerifySignature, EXT_CALL(3))
IN_ONLY(C_VerifySignatureUpdate, EXT_CALL(4))

EXPORT CK_RV C_DigestInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism) {
  BEGIN(37, "uM", "")
  put_ulong(&c, hSession);
  put_mechanism(&c, pMechanism);
  RUN()
  END()
}

EXPORT CK_RV C_DigestKey(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hKey) {
  BEGIN(40, "uu", "")
  put_ulong(&c, hSession);
  put_ulong(&c, hKey);
  RUN()
  END()
}

EXPORT CK_RV C_Verify(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen) {
  BEGIN(49, "uayay", "")
  put_ulong(&c, hSession);
  put_bytes(&c, pData, ulDataLen);
  put_bytes(&c, pSignature, ulSignatureLen);
  RUN()
  END()
}

EXPORT CK_RV C_VerifySignatureInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey, CK_BYTE_PTR pSignature,
                                   CK_ULONG ulSignatureLen) {
  BEGIN(EXT_CALL(2), "uMuay", "")
  put_ulong(&c, hSession);
  put_mechanism(&c, pMechanism);
  put_ulong(&c, hKey);
  put_bytes(&c, pSignature, ulSignatureLen);
  RUN()
  END()
}

EXPORT CK_RV C_GenerateRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR RandomData, CK_ULONG ulRandomLen) {
  ARG(RandomData || ulRandomLen == 0);
  BEGIN(64, "ufy", "ay")
  put_ulong(&c, hSession);
  /* The capacity is the number of bytes asked for; 0xffffffff is 0 of them. */
  if (ulRandomLen > WIRE_MAX_LEN) call_fail(&c, CKR_DATA_LEN_RANGE);
  wb_u32(&c.req, ulRandomLen == 0 ? 0xffffffffu : (uint32_t)ulRandomLen);
  RUN()
  CK_ULONG got = ulRandomLen;
  CK_BYTE dummy;
  get_bytes_out(&c, RandomData ? RandomData : &dummy, &got);
  if (c.rv == CKR_OK && got != ulRandomLen) c.resp.failed = 1;
  END()
}

/* ---- keys ---------------------------------------------------------------------------------- */

EXPORT CK_RV C_GenerateKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,
                           CK_OBJECT_HANDLE_PTR phKey) {
  ARG(pMechanism && phKey);
  BEGIN(58, "uMaA", "u")
  put_ulong(&c, hSession);
  put_mechanism(&c, pMechanism);
  put_template(&c, pTemplate, ulCount);
  RUN()
  CK_OBJECT_HANDLE h = get_ulong(&c);
  if (!c.resp.failed) *phKey = h;
  END()
}

EXPORT CK_RV C_GenerateKeyPair(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_ATTRIBUTE_PTR pPublicKeyTemplate,
                               CK_ULONG ulPublicKeyAttributeCount, CK_ATTRIBUTE_PTR pPrivateKeyTemplate, CK_ULONG ulPrivateKeyAttributeCount,
                               CK_OBJECT_HANDLE_PTR phPublicKey, CK_OBJECT_HANDLE_PTR phPrivateKey) {
  ARG(pMechanism && phPublicKey && phPrivateKey);
  BEGIN(59, "uMaAaA", "uu")
  put_ulong(&c, hSession);
  put_mechanism(&c, pMechanism);
  put_template(&c, pPublicKeyTemplate, ulPublicKeyAttributeCount);
  put_template(&c, pPrivateKeyTemplate, ulPrivateKeyAttributeCount);
  RUN()
  CK_OBJECT_HANDLE pub = get_ulong(&c), priv = get_ulong(&c);
  if (!c.resp.failed) {
    *phPublicKey = pub;
    *phPrivateKey = priv;
  }
  END()
}

EXPORT CK_RV C_WrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hWrappingKey, CK_OBJECT_HANDLE hKey,
                       CK_BYTE_PTR pWrappedKey, CK_ULONG_PTR pulWrappedKeyLen) {
  ARG(pMechanism && pulWrappedKeyLen);
  BEGIN(60, "uMuufy", "ay")
  put_ulong(&c, hSession);
  put_mechanism(&c, pMechanism);
  put_ulong(&c, hWrappingKey);
  put_ulong(&c, hKey);
  put_capacity(&c, pWrappedKey, pulWrappedKeyLen);
  RUN()
  get_bytes_out(&c, pWrappedKey, pulWrappedKeyLen);
  END()
}

EXPORT CK_RV C_UnwrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hUnwrappingKey, CK_BYTE_PTR pWrappedKey,
                         CK_ULONG ulWrappedKeyLen, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey) {
  ARG(pMechanism && phKey);
  BEGIN(61, "uMuayaA", "u")
  put_ulong(&c, hSession);
  put_mechanism(&c, pMechanism);
  put_ulong(&c, hUnwrappingKey);
  put_bytes(&c, pWrappedKey, ulWrappedKeyLen);
  put_template(&c, pTemplate, ulAttributeCount);
  RUN()
  CK_OBJECT_HANDLE h = get_ulong(&c);
  if (!c.resp.failed) *phKey = h;
  END()
}

EXPORT CK_RV C_DeriveKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hBaseKey, CK_ATTRIBUTE_PTR pTemplate,
                         CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey) {
  ARG(pMechanism);
  BEGIN(62, "uMuaA", "u")
  put_ulong(&c, hSession);
  put_mechanism(&c, pMechanism);
  put_ulong(&c, hBaseKey);
  put_template(&c, pTemplate, ulAttributeCount);
  RUN()
  CK_OBJECT_HANDLE h = get_ulong(&c);
  if (!c.resp.failed && phKey) *phKey = h;
  END()
}

EXPORT CK_RV C_EncapsulateKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hPublicKey, CK_ATTRIBUTE_PTR pTemplate,
                              CK_ULONG ulAttributeCount, CK_BYTE_PTR pCiphertext, CK_ULONG_PTR pulCiphertextLen, CK_OBJECT_HANDLE_PTR phKey) {
  ARG(pMechanism && pulCiphertextLen && (phKey || !pCiphertext));
  BEGIN(EXT_CALL(0), "uMuaAfy", "ayu")
  put_ulong(&c, hSession);
  put_mechanism(&c, pMechanism);
  put_ulong(&c, hPublicKey);
  put_template(&c, pTemplate, ulAttributeCount);
  put_capacity(&c, pCiphertext, pulCiphertextLen);
  RUN()
  get_bytes_out(&c, pCiphertext, pulCiphertextLen);
  CK_OBJECT_HANDLE h = get_ulong(&c);
  if (c.rv == CKR_OK && !c.resp.failed && pCiphertext) *phKey = h;
  END()
}

EXPORT CK_RV C_DecapsulateKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hPrivateKey, CK_ATTRIBUTE_PTR pTemplate,
                              CK_ULONG ulAttributeCount, CK_BYTE_PTR pCiphertext, CK_ULONG ulCiphertextLen, CK_OBJECT_HANDLE_PTR phKey) {
  ARG(pMechanism && phKey);
  BEGIN(EXT_CALL(1), "uMuaAay", "u")
  put_ulong(&c, hSession);
  put_mechanism(&c, pMechanism);
  put_ulong(&c, hPrivateKey);
  put_template(&c, pTemplate, ulAttributeCount);
  put_bytes(&c, pCiphertext, ulCiphertextLen);
  RUN()
  CK_OBJECT_HANDLE h = get_ulong(&c);
  if (!c.resp.failed) *phKey = h;
  END()
}

EXPORT CK_RV C_WrapKeyAuthenticated(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hWrappingKey, CK_OBJECT_HANDLE hKey,
                                    CK_BYTE_PTR pAssociatedData, CK_ULONG ulAssociatedDataLen, CK_BYTE_PTR pWrappedKey,
                                    CK_ULONG_PTR pulWrappedKeyLen) {
  ARG(pMechanism && pulWrappedKeyLen);
  BEGIN(EXT_CALL(7), "uMuuayfy", "ay")
  put_ulong(&c, hSession);
  put_mechanism(&c, pMechanism);
  put_ulong(&c, hWrappingKey);
  put_ulong(&c, hKey);
  put_bytes(&c, pAssociatedData, ulAssociatedDataLen);
  put_capacity(&c, pWrappedKey, pulWrappedKeyLen);
  RUN()
  get_bytes_out(&c, pWrappedKey, pulWrappedKeyLen);
  END()
}

EXPORT CK_RV C_UnwrapKeyAuthenticated(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hUnwrappingKey,
                                      CK_BYTE_PTR pWrappedKey, CK_ULONG ulWrappedKeyLen, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulAttributeCount,
                                      CK_BYTE_PTR pAssociatedData, CK_ULONG ulAssociatedDataLen, CK_OBJECT_HANDLE_PTR phKey) {
  ARG(pMechanism && phKey);
  BEGIN(EXT_CALL(8), "uMuayaAay", "u")
  put_ulong(&c, hSession);
  put_mechanism(&c, pMechanism);
  put_ulong(&c, hUnwrappingKey);
  put_bytes(&c, pWrappedKey, ulWrappedKeyLen);
  put_template(&c, pTemplate, ulAttributeCount);
  put_bytes(&c, pAssociatedData, ulAssociatedDataLen);
  RUN()
  CK_OBJECT_HANDLE h = get_ulong(&c);
  if (!c.resp.failed) *phKey = h;
  END()
}

/* ---- message-based functions (the extension carries their parameters both ways) --------------- */

EXPORT CK_RV C_EncryptMessage(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen, CK_BYTE_PTR pAssociatedData,
                              CK_ULONG ulAssociatedDataLen, CK_BYTE_PTR pPlaintext, CK_ULONG ulPlaintextLen, CK_BYTE_PTR pCiphertext,
                              CK_ULONG_PTR pulCiphertextLen) {
  ARG(pulCiphertextLen);
  BEGIN(EXT_CALL(12), "uXayayfy", "Xay")
  put_ulong(&c, hSession);
  put_message_param(&c, pParameter, ulParameterLen);
  put_bytes(&c, pAssociatedData, ulAssociatedDataLen);
  put_bytes(&c, pPlaintext, ulPlaintextLen);
  put_capacity(&c, pCiphertext, pulCiphertextLen);
  RUN()
  get_message_param(&c, pParameter, ulParameterLen);
  get_bytes_out(&c, pCiphertext, pulCiphertextLen);
  END()
}

EXPORT CK_RV C_DecryptMessage(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen, CK_BYTE_PTR pAssociatedData,
                              CK_ULONG ulAssociatedDataLen, CK_BYTE_PTR pCiphertext, CK_ULONG ulCiphertextLen, CK_BYTE_PTR pPlaintext,
                              CK_ULONG_PTR pulPlaintextLen) {
  ARG(pulPlaintextLen);
  BEGIN(EXT_CALL(15), "uXayayfy", "Xay")
  put_ulong(&c, hSession);
  put_message_param(&c, pParameter, ulParameterLen);
  put_bytes(&c, pAssociatedData, ulAssociatedDataLen);
  put_bytes(&c, pCiphertext, ulCiphertextLen);
  put_capacity(&c, pPlaintext, pulPlaintextLen);
  RUN()
  get_message_param(&c, pParameter, ulParameterLen);
  get_bytes_out(&c, pPlaintext, pulPlaintextLen);
  END()
}

#define MESSAGE_BEGIN(name, id)                                                                                   \
  EXPORT CK_RV name(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen, CK_BYTE_PTR pAssociatedData, \
                    CK_ULONG ulAssociatedDataLen) {                                                               \
    BEGIN(id, "uXay", "X")                                                                                        \
    put_ulong(&c, hSession);                                                                                      \
    put_message_param(&c, pParameter, ulParameterLen);                                                            \
    put_bytes(&c, pAssociatedData, ulAssociatedDataLen);                                                          \
    RUN()                                                                                                         \
    get_message_param(&c, pParameter, ulParameterLen);                                                            \
    END()                                                                                                         \
  }

#define MESSAGE_NEXT(name, id)                                                                                     \
  EXPORT CK_RV name(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen, CK_BYTE_PTR pIn, CK_ULONG ulIn, \
                    CK_BYTE_PTR pOut, CK_ULONG_PTR pulOut, CK_FLAGS flags) {                                       \
    ARG(pulOut);                                                                                                   \
    BEGIN(id, "uXayfyu", "Xay")                                                                                    \
    put_ulong(&c, hSession);                                                                                       \
    put_message_param(&c, pParameter, ulParameterLen);                                                             \
    put_bytes(&c, pIn, ulIn);                                                                                      \
    put_capacity(&c, pOut, pulOut);                                                                                \
    put_ulong(&c, flags);                                                                                          \
    RUN()                                                                                                          \
    get_message_param(&c, pParameter, ulParameterLen);                                                             \
    get_bytes_out(&c, pOut, pulOut);                                                                               \
    END()                                                                                                          \
  }

MESSAGE_BEGIN(C_EncryptMessageBegin, EXT_CALL(13))
MESSAGE_NEXT(C_EncryptMessageNext, EXT_CALL(14))
MESSAGE_BEGIN(C_DecryptMessageBegin, EXT_CALL(16))
MESSAGE_NEXT(C_DecryptMessageNext, EXT_CALL(17))

EXPORT CK_RV C_SignMessage(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
                           CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen) {
  ARG(pulSignatureLen);
  BEGIN(EXT_CALL(18), "uXayfy", "Xay")
  put_ulong(&c, hSession);
  put_message_param(&c, pParameter, ulParameterLen);
  put_bytes(&c, pData, ulDataLen);
  put_capacity(&c, pSignature, pulSignatureLen);
  RUN()
  get_message_param(&c, pParameter, ulParameterLen);
  get_bytes_out(&c, pSignature, pulSignatureLen);
  END()
}

EXPORT CK_RV C_SignMessageBegin(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen) {
  BEGIN(EXT_CALL(19), "uX", "X")
  put_ulong(&c, hSession);
  put_message_param(&c, pParameter, ulParameterLen);
  RUN()
  get_message_param(&c, pParameter, ulParameterLen);
  END()
}

EXPORT CK_RV C_SignMessageNext(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
                               CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen) {
  BEGIN(EXT_CALL(20), "uXayyfy", "Xay")
  put_ulong(&c, hSession);
  put_message_param(&c, pParameter, ulParameterLen);
  put_bytes(&c, pData, ulDataLen);
  /* A NULL pulSignatureLen: not the last part, no signature wanted. */
  put_byte(&c, pulSignatureLen ? 1 : 0);
  CK_ULONG zero = 0;
  put_capacity(&c, pSignature, pulSignatureLen ? pulSignatureLen : &zero);
  RUN()
  get_message_param(&c, pParameter, ulParameterLen);
  if (pulSignatureLen) get_bytes_out(&c, pSignature, pulSignatureLen);
  END()
}

EXPORT CK_RV C_VerifyMessage(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
                             CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen) {
  BEGIN(EXT_CALL(21), "uXayay", "")
  put_ulong(&c, hSession);
  put_message_param(&c, pParameter, ulParameterLen);
  put_bytes(&c, pData, ulDataLen);
  put_bytes(&c, pSignature, ulSignatureLen);
  RUN()
  END()
}

EXPORT CK_RV C_VerifyMessageBegin(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen) {
  BEGIN(EXT_CALL(22), "uX", "")
  put_ulong(&c, hSession);
  put_message_param(&c, pParameter, ulParameterLen);
  RUN()
  END()
}

EXPORT CK_RV C_VerifyMessageNext(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
                                 CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen) {
  BEGIN(EXT_CALL(23), "uXayay", "")
  put_ulong(&c, hSession);
  put_message_param(&c, pParameter, ulParameterLen);
  put_bytes(&c, pData, ulDataLen);
  if (pSignature) {
    put_bytes(&c, pSignature, ulSignatureLen);
  } else {
    wb_u8(&c.req, 0); /* NULL: not the last part */
    wb_u32(&c.req, 0);
  }
  RUN()
  END()
}

/* ---- parallel, asynchronous and slot events ------------------------------------------------------ */

/* Legacy parallel functions: every call runs to completion (the server checks the session). */
EXPORT CK_RV C_GetFunctionStatus(CK_SESSION_HANDLE hSession) {
  BEGIN(13, "u", "uuuu")
  put_ulong(&c, hSession);
  RUN()
  call_fail(&c, CKR_FUNCTION_NOT_PARALLEL);
  c.resp.failed = 0;
  END()
}

EXPORT CK_RV C_CancelFunction(CK_SESSION_HANDLE hSession) { return C_GetFunctionStatus(hSession); }

static size_t bounded_strlen(const CK_UTF8CHAR *s) {
  size_t n = 0;
  while (n < 256 && s[n]) n++;
  return n;
}

EXPORT CK_RV C_AsyncComplete(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pFunctionName, CK_ASYNC_DATA_PTR pResult) {
  ARG(pFunctionName && pResult);
  BEGIN(EXT_CALL(9), "uz", "")
  put_ulong(&c, hSession);
  put_string(&c, pFunctionName, bounded_strlen(pFunctionName));
  RUN()
  END()
}

EXPORT CK_RV C_AsyncGetID(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pFunctionName, CK_ULONG_PTR pulID) {
  ARG(pFunctionName && pulID);
  BEGIN(EXT_CALL(10), "uz", "u")
  put_ulong(&c, hSession);
  put_string(&c, pFunctionName, bounded_strlen(pFunctionName));
  RUN()
  CK_ULONG id = get_ulong(&c);
  if (!c.resp.failed) *pulID = id;
  END()
}

EXPORT CK_RV C_AsyncJoin(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pFunctionName, CK_ULONG ulID, CK_BYTE_PTR pData, CK_ULONG ulData) {
  ARG(pFunctionName);
  BEGIN(EXT_CALL(11), "uzuay", "")
  put_ulong(&c, hSession);
  put_string(&c, pFunctionName, bounded_strlen(pFunctionName));
  put_ulong(&c, ulID);
  put_bytes(&c, pData, ulData);
  RUN()
  END()
}

EXPORT CK_RV C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR pSlot, CK_VOID_PTR pReserved) {
  ARG(pSlot && pReserved == NULL);
  BEGIN(65, "u", "u")
  put_ulong(&c, flags);
  RUN()
  CK_SLOT_ID s = get_ulong(&c);
  if (!c.resp.failed) *pSlot = s;
  END()
}

/* ---- function lists and interfaces ------------------------------------------------------------------- */

#define CK_FN(name, args) name,
static struct CK_FUNCTION_LIST_3_2 list_3_2 = { { 3, 2 }, CK_FUNCTIONS_2_40 CK_FUNCTIONS_3_0 CK_FUNCTIONS_3_2 };
static struct CK_FUNCTION_LIST_3_0 list_3_0 = { { 3, 0 }, CK_FUNCTIONS_2_40 CK_FUNCTIONS_3_0 };
static struct CK_FUNCTION_LIST list_2_40 = { { 2, 40 }, CK_FUNCTIONS_2_40 };
#undef CK_FN

static CK_UTF8CHAR interface_name[] = "PKCS 11";
static CK_INTERFACE interfaces[] = {
  { interface_name, &list_3_2, 0 },
  { interface_name, &list_3_0, 0 },
  { interface_name, &list_2_40, 0 },
};
#define INTERFACE_COUNT (sizeof interfaces / sizeof interfaces[0])

EXPORT CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR ppFunctionList) {
  ARG(ppFunctionList);
  *ppFunctionList = &list_2_40;
  return CKR_OK;
}

EXPORT CK_RV C_GetInterfaceList(CK_INTERFACE_PTR pInterfacesList, CK_ULONG_PTR pulCount) {
  ARG(pulCount);
  if (!pInterfacesList) {
    *pulCount = INTERFACE_COUNT;
    return CKR_OK;
  }
  if (*pulCount < INTERFACE_COUNT) {
    *pulCount = INTERFACE_COUNT;
    return CKR_BUFFER_TOO_SMALL;
  }
  memcpy(pInterfacesList, interfaces, sizeof interfaces);
  *pulCount = INTERFACE_COUNT;
  return CKR_OK;
}

EXPORT CK_RV C_GetInterface(CK_UTF8CHAR_PTR pInterfaceName, CK_VERSION_PTR pVersion, CK_INTERFACE_PTR_PTR ppInterface, CK_FLAGS flags) {
  ARG(ppInterface);
  for (size_t i = 0; i < INTERFACE_COUNT; i++) {
    const CK_VERSION *v = interfaces[i].pFunctionList;
    if (pInterfaceName && strcmp((const char *)pInterfaceName, (const char *)interface_name) != 0) continue;
    if (pVersion && (pVersion->major != v->major || pVersion->minor != v->minor)) continue;
    if ((interfaces[i].flags & flags) != flags) continue;
    *ppInterface = &interfaces[i];
    return CKR_OK;
  }
  return CKR_ARGUMENTS_BAD;
}

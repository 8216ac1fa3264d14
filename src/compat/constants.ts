/**
 * The constants pkcs11js has beyond the spec's CK*_ names: which C struct a
 * mechanism parameter object describes (its `type` field).
 */
export const CK_PARAMS_BUFFER = 0;
export const CK_PARAMS_AES_CBC = 1;
export const CK_PARAMS_AES_CCM = 2;
export const CK_PARAMS_AES_GCM = 3;
export const CK_PARAMS_RSA_OAEP = 4;
export const CK_PARAMS_RSA_PSS = 5;
export const CK_PARAMS_EC_DH = 6;
export const CK_PARAMS_AES_GCM_v240 = 7;
export const CK_PARAMS_ECDH2_DERIVE = 8;
export const CK_PARAMS_ECMQV_DERIVE = 9;
export const CK_PARAMS_X9_42_DH1_DERIVE = 10;
export const CK_PARAMS_X9_42_DH2_DERIVE = 11;
export const CK_PARAMS_X9_42_MQV_DERIVE = 12;
export const CK_PARAMS_KEA_DERIVE = 13;
export const CK_PARAMS_RC2 = 14;
export const CK_PARAMS_RC2_CBC = 15;
export const CK_PARAMS_RC2_MAC_GENERAL = 16;
export const CK_PARAMS_RC5 = 17;
export const CK_PARAMS_RC5_CBC = 18;
export const CK_PARAMS_RC5_MAC_GENERAL = 19;
export const CK_PARAMS_DES_CBC_ENCRYPT_DATA = 20;
export const CK_PARAMS_SKIPJACK_PRIVATE_WRAP = 21;
export const CK_PARAMS_SKIPJACK_RELAYX = 22;
export const CK_PARAMS_PBE = 23;
export const CK_PARAMS_KEY_WRAP_SET_OAEP = 24;
export const CK_PARAMS_GCM = 25;
export const CK_PARAMS_CCM = 26;
export const CK_PARAM_GOSTR3410_DERIVE = 27;
export const CK_PARAM_GOSTR3410_KEY_WRAP = 28;

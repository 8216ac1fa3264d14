/**
 * One face for the two PKCS#11 APIs the benchmark drives, so that every case
 * is written once: our `Cryptoki` object (numbers for handles, results
 * returned) and pkcs11js (Buffers for handles, caller-supplied output buffers),
 * the latter loading SoftHSM2 itself or p11-kit-client.so.
 *
 * Mechanisms are described in a neutral form and translated once, at set-up,
 * by `api.mechanism()`; the objects it returns are reused for every call, so
 * a case can change an IV in place between operations on both sides alike.
 *   { mechanism }                                  no parameter
 *   { mechanism, iv: Buffer }                      a bare IV (CBC family)
 *   { mechanism, gcm: { iv, aad, tagBits } }       CK_GCM_PARAMS
 *   { mechanism, oaep: { hashAlg, mgf } }          CK_RSA_PKCS_OAEP_PARAMS, no label
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './paths.mjs';

/** pkcs11js, or a clear error saying how to get it. */
export function loadPkcs11js() {
  const require = createRequire(join(ROOT, 'package.json'));
  try {
    return require('pkcs11js');
  } catch (e) {
    throw new Error(`pkcs11js does not load: run \`npm install\` (it builds a native addon): ${e.message.split('\n')[0]}`);
  }
}

/** Our Cryptoki object behind the common face. */
export function oursApi(p11, K) {
  return {
    kind: 'ours',
    slotByLabel(label) {
      const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trim() === label);
      if (slot === undefined) throw new Error(`no token labelled ${label}`);
      return slot;
    },
    mechanism(m) {
      if (m.gcm) return { mechanism: m.mechanism, parameter: { pIv: m.gcm.iv, ulIvBits: m.gcm.iv.length * 8, pAAD: m.gcm.aad, ulTagBits: m.gcm.tagBits } };
      if (m.oaep) return { mechanism: m.mechanism, parameter: { hashAlg: m.oaep.hashAlg, mgf: m.oaep.mgf, source: K.CKZ_DATA_SPECIFIED, pSourceData: Buffer.alloc(0) } };
      if (m.iv) return { mechanism: m.mechanism, parameter: m.iv };
      return { mechanism: m.mechanism };
    },
    openSession: (slot, rw) => p11.C_OpenSession(slot, K.CKF_SERIAL_SESSION | (rw ? K.CKF_RW_SESSION : 0)),
    closeSession: (h) => p11.C_CloseSession(h),
    login: (h, userType, pin) => p11.C_Login(h, userType, pin),
    logout: (h) => p11.C_Logout(h),
    initToken: (slot, soPin, label) => p11.C_InitToken(slot, soPin, label),
    initPin: (h, pin) => p11.C_InitPIN(h, pin),
    freeSlot() {
      return p11.C_GetSlotList(true).find((s) => !(p11.C_GetTokenInfo(s).flags & K.CKF_TOKEN_INITIALIZED));
    },
    random: (h, n) => p11.C_GenerateRandom(h, n),
    digest(h, mech, data) {
      p11.C_DigestInit(h, mech);
      return p11.C_Digest(h, data);
    },
    sign(h, mech, key, data) {
      p11.C_SignInit(h, mech, key);
      return p11.C_Sign(h, data);
    },
    /** True when the signature is good, false when the token says CKR_SIGNATURE_INVALID. */
    verify(h, mech, key, data, sig) {
      p11.C_VerifyInit(h, mech, key);
      try {
        p11.C_Verify(h, data, sig);
        return true;
      } catch (e) {
        if (e?.code === K.CKR_SIGNATURE_INVALID) return false;
        throw e;
      }
    },
    encrypt(h, mech, key, data) {
      p11.C_EncryptInit(h, mech, key);
      return p11.C_Encrypt(h, data);
    },
    decrypt(h, mech, key, data) {
      p11.C_DecryptInit(h, mech, key);
      return p11.C_Decrypt(h, data);
    },
    generateKey: (h, mech, template) => p11.C_GenerateKey(h, mech, template),
    generateKeyPair(h, mech, pub, priv) {
      const [publicKey, privateKey] = p11.C_GenerateKeyPair(h, mech, pub, priv);
      return { publicKey, privateKey };
    },
    destroy: (h, o) => p11.C_DestroyObject(h, o),
    create: (h, template) => p11.C_CreateObject(h, template),
    find(h, template, max = 10) {
      p11.C_FindObjectsInit(h, template);
      try {
        return p11.C_FindObjects(h, max);
      } finally {
        p11.C_FindObjectsFinal(h);
      }
    },
    attribute(h, o, type) {
      const [a] = p11.C_GetAttributeValue(h, o, [{ type, value: null }]);
      const [b] = p11.C_GetAttributeValue(h, o, [{ type, value: Buffer.alloc(a.ulValueLen) }]);
      return Buffer.from(b.value);
    },
  };
}

/**
 * pkcs11js behind the common face. Outputs go into one scratch buffer that
 * grows as needed (as a C caller would reuse its own); results are copied out
 * only where a case keeps them.
 */
export function pkcs11jsApi(mod, P, K) {
  let scratch = Buffer.alloc(4096);
  const out = (n) => {
    if (scratch.length < n) scratch = Buffer.alloc(n);
    return scratch;
  };
  return {
    kind: 'pkcs11js',
    slotByLabel(label) {
      const slot = mod.C_GetSlotList(true).find((s) => mod.C_GetTokenInfo(s).label.trim() === label);
      if (slot === undefined) throw new Error(`no token labelled ${label}`);
      return slot;
    },
    mechanism(m) {
      if (m.gcm) {
        return { mechanism: m.mechanism, parameter: { type: P.CK_PARAMS_AES_GCM, iv: m.gcm.iv, aad: m.gcm.aad, ivBits: m.gcm.iv.length * 8, tagBits: m.gcm.tagBits } };
      }
      if (m.oaep) return { mechanism: m.mechanism, parameter: { type: P.CK_PARAMS_RSA_OAEP, hashAlg: m.oaep.hashAlg, mgf: m.oaep.mgf, source: K.CKZ_DATA_SPECIFIED } };
      if (m.iv) return { mechanism: m.mechanism, parameter: m.iv };
      return { mechanism: m.mechanism };
    },
    openSession: (slot, rw) => mod.C_OpenSession(slot, K.CKF_SERIAL_SESSION | (rw ? K.CKF_RW_SESSION : 0)),
    closeSession: (h) => mod.C_CloseSession(h),
    login: (h, userType, pin) => mod.C_Login(h, userType, pin),
    logout: (h) => mod.C_Logout(h),
    // pkcs11js pads the label with NULs; PKCS#11 labels are padded with spaces.
    initToken: (slot, soPin, label) => mod.C_InitToken(slot, soPin, label.padEnd(32, ' ')),
    initPin: (h, pin) => mod.C_InitPIN(h, pin),
    freeSlot() {
      return mod.C_GetSlotList(true).find((s) => !(mod.C_GetTokenInfo(s).flags & K.CKF_TOKEN_INITIALIZED));
    },
    random: (h, n) => mod.C_GenerateRandom(h, out(n).subarray(0, n)),
    digest(h, mech, data) {
      mod.C_DigestInit(h, mech);
      return mod.C_Digest(h, data, out(64));
    },
    sign(h, mech, key, data) {
      mod.C_SignInit(h, mech, key);
      return mod.C_Sign(h, data, out(1024));
    },
    verify(h, mech, key, data, sig) {
      mod.C_VerifyInit(h, mech, key);
      return mod.C_Verify(h, data, sig);
    },
    encrypt(h, mech, key, data) {
      mod.C_EncryptInit(h, mech, key);
      return mod.C_Encrypt(h, data, out(data.length + 1024));
    },
    decrypt(h, mech, key, data) {
      mod.C_DecryptInit(h, mech, key);
      return mod.C_Decrypt(h, data, out(data.length + 1024));
    },
    generateKey: (h, mech, template) => mod.C_GenerateKey(h, mech, template),
    generateKeyPair: (h, mech, pub, priv) => mod.C_GenerateKeyPair(h, mech, pub, priv),
    destroy: (h, o) => mod.C_DestroyObject(h, o),
    create: (h, template) => mod.C_CreateObject(h, template),
    find(h, template, max = 10) {
      mod.C_FindObjectsInit(h, template);
      try {
        return mod.C_FindObjects(h, max);
      } finally {
        mod.C_FindObjectsFinal(h);
      }
    },
    attribute(h, o, type) {
      const [a] = mod.C_GetAttributeValue(h, o, [{ type }]);
      return Buffer.from(a.value);
    },
  };
}

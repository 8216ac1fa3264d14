/**
 * The benchmark's cases, written once against the common face of api.mjs.
 *
 * A case's `setup(ctx)` returns the operation to time (a function of no
 * arguments doing one operation) and, if it changed the context, a `teardown`.
 * `node(K)` gives the same operation with raw node:crypto (the ceiling of the
 * in-process path), where there is one. `rpc` is true, or the reason the case
 * cannot cross Debian 12's p11-kit-client.so (0.24.1): then it is not
 * applicable on that path, for both tokens alike.
 *
 * Keys are token objects (private, sensitive) made once per token by
 * `prepareToken`, and found by label in each context, as an application would.
 */
import {
  createCipheriv, createHash, createHmac, generateKeyPairSync, generateKeySync, privateDecrypt, publicEncrypt,
  randomBytes, sign, verify, constants as cryptoConstants,
} from 'node:crypto';

export const TOKEN_LABEL = 'bench';
export const FIND_TOKEN_LABEL = 'bench-find';
export const SO_PIN = 'bench-so-pin-1234';
export const USER_PIN = 'bench-user-pin-1234';

const P256_OID = Buffer.from('06082a8648ce3d030107', 'hex');
const ED25519_OID = Buffer.from('06032b6570', 'hex');
const KIB = 1024;
const MIB = 1024 * 1024;

const NO_GCM = 'p11-kit 0.24.1 cannot carry CK_GCM_PARAMS (its serializer came in 0.25.0)';
const NO_CBC = 'p11-kit 0.24.1 cannot carry an AES-CBC IV (its serializer came in 0.25.0)';
const NO_EDDSA = 'no p11-kit client carries CKM_EDDSA or Edwards key generation';

/** Deterministic bytes, so both sides get the same input. */
function bytes(n, seed = 7) {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** The keys every crypto case uses, made as token objects on the benchmark token. */
export function prepareToken(api, K, h) {
  const tok = (label) => [{ type: K.CKA_TOKEN, value: true }, { type: K.CKA_LABEL, value: label }];
  const secret = (label) => [...tok(label), { type: K.CKA_PRIVATE, value: true }, { type: K.CKA_SENSITIVE, value: true }];
  api.generateKey(h, { mechanism: K.CKM_AES_KEY_GEN }, [...secret('bench-aes'), { type: K.CKA_VALUE_LEN, value: 32 },
    { type: K.CKA_ENCRYPT, value: true }, { type: K.CKA_DECRYPT, value: true }]);
  api.generateKey(h, { mechanism: K.CKM_GENERIC_SECRET_KEY_GEN }, [...secret('bench-hmac'), { type: K.CKA_VALUE_LEN, value: 32 },
    { type: K.CKA_SIGN, value: true }, { type: K.CKA_VERIFY, value: true }]);
  api.generateKeyPair(h, { mechanism: K.CKM_EC_KEY_PAIR_GEN }, [...tok('bench-ec'), { type: K.CKA_EC_PARAMS, value: P256_OID }, { type: K.CKA_VERIFY, value: true }],
    [...secret('bench-ec'), { type: K.CKA_SIGN, value: true }]);
  api.generateKeyPair(h, { mechanism: K.CKM_EC_EDWARDS_KEY_PAIR_GEN }, [...tok('bench-ed'), { type: K.CKA_EC_PARAMS, value: ED25519_OID },
    { type: K.CKA_VERIFY, value: true }], [...secret('bench-ed'), { type: K.CKA_SIGN, value: true }]);
  api.generateKeyPair(h, { mechanism: K.CKM_RSA_PKCS_KEY_PAIR_GEN }, [...tok('bench-rsa'), { type: K.CKA_MODULUS_BITS, value: 2048 },
    { type: K.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) }, { type: K.CKA_VERIFY, value: true }, { type: K.CKA_ENCRYPT, value: true }],
  [...secret('bench-rsa'), { type: K.CKA_SIGN, value: true }, { type: K.CKA_DECRYPT, value: true }]);
}

/** A logged-in read/write session on a token, and the benchmark keys in it (when asked). */
export function openContext(api, K, label, { withKeys }) {
  const slot = api.slotByLabel(label);
  const h = api.openSession(slot, true);
  api.login(h, K.CKU_USER, USER_PIN);
  const one = (cls, l) => {
    const found = api.find(h, [{ type: K.CKA_CLASS, value: cls }, { type: K.CKA_LABEL, value: l }], 2);
    if (found.length !== 1) throw new Error(`${found.length} objects of class ${cls} labelled ${l}`);
    return found[0];
  };
  const findKeys = () => (withKeys ? {
    aes: one(K.CKO_SECRET_KEY, 'bench-aes'),
    hmac: one(K.CKO_SECRET_KEY, 'bench-hmac'),
    ecPriv: one(K.CKO_PRIVATE_KEY, 'bench-ec'),
    ecPub: one(K.CKO_PUBLIC_KEY, 'bench-ec'),
    edPriv: one(K.CKO_PRIVATE_KEY, 'bench-ed'),
    rsaPriv: one(K.CKO_PRIVATE_KEY, 'bench-rsa'),
    rsaPub: one(K.CKO_PUBLIC_KEY, 'bench-rsa'),
  } : {});
  const ctx = {
    api, K, slot, h, keys: findKeys(),
    /**
     * Logs in again after a case logged out, and finds the keys again: handles
     * of private objects need not survive a logout (ours do not; SoftHSM2's do).
     */
    relogin() {
      api.login(h, K.CKU_USER, USER_PIN);
      ctx.keys = findKeys();
    },
  };
  return ctx;
}

export function closeContext(ctx) {
  ctx.api.logout(ctx.h);
  ctx.api.closeSession(ctx.h);
}

// ---- the find-by-label token --------------------------------------------------

export const findLabel = (i) => `obj-${i}`;

/** The data object the find token is filled with: private, so lookups need the keyed-hash index on our side. */
export function dataObject(K, i) {
  return [
    { type: K.CKA_CLASS, value: K.CKO_DATA }, { type: K.CKA_TOKEN, value: true }, { type: K.CKA_PRIVATE, value: true },
    { type: K.CKA_LABEL, value: findLabel(i) }, { type: K.CKA_VALUE, value: bytes(32, i + 1) },
  ];
}

/** Labels to look up in a token of n objects: the same sequence on both sides. */
function lookupLabels(n, count) {
  let x = 0x5eed ^ n;
  return Array.from({ length: count }, () => {
    x = (x * 1103515245 + 12345) >>> 0;
    return findLabel(x % n);
  });
}

// ---- node:crypto ceilings -------------------------------------------------------

const nodeKeys = (() => {
  let keys;
  return () => {
    keys ??= {
      aes: generateKeySync('aes', { length: 256 }),
      hmac: generateKeySync('hmac', { length: 256 }),
      ec: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
      ed: generateKeyPairSync('ed25519'),
      rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }),
    };
    return keys;
  };
})();

// ---- the cases -------------------------------------------------------------------

function digestCase(id, name, size) {
  return {
    id, name, rpc: true,
    setup({ api, K, h }) {
      const mech = api.mechanism({ mechanism: K.CKM_SHA256 });
      const data = bytes(size);
      return { op: () => api.digest(h, mech, data) };
    },
    node() {
      const data = bytes(size);
      return () => createHash('sha256').update(data).digest();
    },
  };
}

function aesCase(id, name, mode, size) {
  return {
    id, name, rpc: mode === 'gcm' ? NO_GCM : NO_CBC,
    setup({ api, K, h, keys }) {
      const data = bytes(size);
      if (mode === 'gcm') {
        // A fresh IV for every message, as GCM requires: a counter in the last 4 bytes, changed in place.
        const iv = bytes(12, 3);
        const mech = api.mechanism({ mechanism: K.CKM_AES_GCM, gcm: { iv, aad: Buffer.alloc(0), tagBits: 128 } });
        let n = 0;
        return { op: () => { iv.writeUInt32BE(n++ >>> 0, 8); return api.encrypt(h, mech, keys.aes, data); } };
      }
      const mech = api.mechanism({ mechanism: K.CKM_AES_CBC_PAD, iv: bytes(16, 5) });
      return { op: () => api.encrypt(h, mech, keys.aes, data) };
    },
    node() {
      const { aes } = nodeKeys();
      const data = bytes(size);
      if (mode === 'gcm') {
        const iv = bytes(12, 3);
        let n = 0;
        return () => {
          iv.writeUInt32BE(n++ >>> 0, 8);
          const c = createCipheriv('aes-256-gcm', aes, iv);
          return [c.update(data), c.final(), c.getAuthTag()];
        };
      }
      const iv = bytes(16, 5);
      return () => {
        const c = createCipheriv('aes-256-cbc', aes, iv);
        return [c.update(data), c.final()];
      };
    },
  };
}

function keygenCase(id, name, kind, minOps) {
  return {
    id, name, rpc: true, minOps,
    setup({ api, K, h }) {
      // Session objects, destroyed at once: this times the generation, not the store.
      const session = [{ type: K.CKA_TOKEN, value: false }];
      if (kind === 'aes') {
        const mech = api.mechanism({ mechanism: K.CKM_AES_KEY_GEN });
        const t = [...session, { type: K.CKA_VALUE_LEN, value: 32 }, { type: K.CKA_ENCRYPT, value: true }];
        return { op: () => api.destroy(h, api.generateKey(h, mech, t)) };
      }
      const [mech, pub, priv] = kind === 'ec'
        ? [api.mechanism({ mechanism: K.CKM_EC_KEY_PAIR_GEN }), [...session, { type: K.CKA_EC_PARAMS, value: P256_OID }, { type: K.CKA_VERIFY, value: true }],
          [...session, { type: K.CKA_SIGN, value: true }, { type: K.CKA_SENSITIVE, value: true }]]
        : [api.mechanism({ mechanism: K.CKM_RSA_PKCS_KEY_PAIR_GEN }),
          [...session, { type: K.CKA_MODULUS_BITS, value: 2048 }, { type: K.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
            { type: K.CKA_VERIFY, value: true }],
          [...session, { type: K.CKA_SIGN, value: true }, { type: K.CKA_SENSITIVE, value: true }]];
      return {
        op: () => {
          const { publicKey, privateKey } = api.generateKeyPair(h, mech, pub, priv);
          api.destroy(h, privateKey);
          api.destroy(h, publicKey);
        },
      };
    },
    node() {
      if (kind === 'aes') return () => generateKeySync('aes', { length: 256 });
      if (kind === 'ec') return () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
      return () => generateKeyPairSync('rsa', { modulusLength: 2048 });
    },
  };
}

/** The message signed by the signature cases, and the 32-byte hash CKM_ECDSA signs. */
const MESSAGE = bytes(64, 11);
const MESSAGE_HASH = createHash('sha256').update(MESSAGE).digest();

export const CASES = [
  {
    id: 'random-32', name: 'random 32 B', rpc: true,
    setup: ({ api, h }) => ({ op: () => api.random(h, 32) }),
    node: () => () => randomBytes(32),
  },
  digestCase('sha256-64', 'SHA-256 64 B', 64),
  digestCase('sha256-1m', 'SHA-256 1 MiB', MIB),
  {
    id: 'hmac-sha256-64', name: 'HMAC-SHA256 64 B', rpc: true,
    setup({ api, K, h, keys }) {
      const mech = api.mechanism({ mechanism: K.CKM_SHA256_HMAC });
      return { op: () => api.sign(h, mech, keys.hmac, MESSAGE) };
    },
    node() {
      const { hmac } = nodeKeys();
      return () => createHmac('sha256', hmac).update(MESSAGE).digest();
    },
  },
  aesCase('aes-gcm-1k', 'AES-256-GCM encrypt 1 KiB', 'gcm', KIB),
  aesCase('aes-gcm-1m', 'AES-256-GCM encrypt 1 MiB', 'gcm', MIB),
  aesCase('aes-cbc-pad-1k', 'AES-256-CBC-PAD encrypt 1 KiB', 'cbc', KIB),
  aesCase('aes-cbc-pad-1m', 'AES-256-CBC-PAD encrypt 1 MiB', 'cbc', MIB),
  {
    id: 'ecdsa-p256-sign', name: 'ECDSA P-256 sign (CKM_ECDSA)', rpc: true,
    setup({ api, K, h, keys }) {
      const mech = api.mechanism({ mechanism: K.CKM_ECDSA });
      return { op: () => api.sign(h, mech, keys.ecPriv, MESSAGE_HASH) };
    },
    node() {
      const { ec } = nodeKeys();
      return () => sign('sha256', MESSAGE, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' });
    },
  },
  {
    id: 'ecdsa-p256-verify', name: 'ECDSA P-256 verify (CKM_ECDSA)', rpc: true,
    setup({ api, K, h, keys }) {
      const mech = api.mechanism({ mechanism: K.CKM_ECDSA });
      const sig = Buffer.from(api.sign(h, mech, keys.ecPriv, MESSAGE_HASH));
      if (!api.verify(h, mech, keys.ecPub, MESSAGE_HASH, sig)) throw new Error('the token does not verify its own ECDSA signature');
      return {
        op: () => {
          if (!api.verify(h, mech, keys.ecPub, MESSAGE_HASH, sig)) throw new Error('ECDSA verification failed');
        },
      };
    },
    node() {
      const { ec } = nodeKeys();
      const sig = sign('sha256', MESSAGE, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' });
      return () => verify('sha256', MESSAGE, { key: ec.publicKey, dsaEncoding: 'ieee-p1363' }, sig);
    },
  },
  {
    id: 'ed25519-sign', name: 'Ed25519 sign 64 B', rpc: NO_EDDSA,
    setup({ api, K, h, keys }) {
      const mech = api.mechanism({ mechanism: K.CKM_EDDSA });
      return { op: () => api.sign(h, mech, keys.edPriv, MESSAGE) };
    },
    node() {
      const { ed } = nodeKeys();
      return () => sign(null, MESSAGE, ed.privateKey);
    },
  },
  {
    id: 'rsa2048-sign', name: 'RSA-2048 sign (SHA256_RSA_PKCS, 64 B)', rpc: true,
    setup({ api, K, h, keys }) {
      const mech = api.mechanism({ mechanism: K.CKM_SHA256_RSA_PKCS });
      return { op: () => api.sign(h, mech, keys.rsaPriv, MESSAGE) };
    },
    node() {
      const { rsa } = nodeKeys();
      return () => sign('sha256', MESSAGE, rsa.privateKey);
    },
  },
  {
    // SHA-1 for hash and MGF1: SoftHSM2 2.6.1 accepts no other OAEP parameters.
    id: 'rsa2048-oaep-decrypt', name: 'RSA-2048 OAEP decrypt (SHA-1, 32 B)', rpc: true,
    setup({ api, K, h, keys }) {
      const mech = api.mechanism({ mechanism: K.CKM_RSA_PKCS_OAEP, oaep: { hashAlg: K.CKM_SHA_1, mgf: K.CKG_MGF1_SHA1 } });
      const plain = bytes(32, 13);
      const ct = Buffer.from(api.encrypt(h, mech, keys.rsaPub, plain));
      if (!Buffer.from(api.decrypt(h, mech, keys.rsaPriv, ct)).equals(plain)) throw new Error('OAEP round trip failed');
      return { op: () => api.decrypt(h, mech, keys.rsaPriv, ct) };
    },
    node() {
      const { rsa } = nodeKeys();
      const opts = { key: rsa.privateKey, padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' };
      const ct = publicEncrypt({ key: rsa.publicKey, padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, bytes(32, 13));
      return () => privateDecrypt(opts, ct);
    },
  },
  keygenCase('keygen-aes256', 'generate AES-256 key', 'aes', 1),
  keygenCase('keygen-ec-p256', 'generate EC P-256 key pair', 'ec', 1),
  keygenCase('keygen-rsa2048', 'generate RSA-2048 key pair', 'rsa', 4),
  {
    id: 'session-open-close', name: 'open + close session', rpc: true,
    setup: ({ api, slot }) => ({ op: () => api.closeSession(api.openSession(slot, false)) }),
  },
  {
    id: 'login-logout', name: 'login + logout (user)', rpc: true, minOps: 1,
    setup(ctx) {
      const { api, K, h } = ctx;
      api.logout(h);
      return {
        op: () => { api.login(h, K.CKU_USER, USER_PIN); api.logout(h); },
        teardown: () => ctx.relogin(),
      };
    },
  },
];

/** find by label in the find token, once it holds n objects (the caller fills it). */
export function findCase(n) {
  return {
    id: `find-label-${n}`, name: `find by label, ${n.toLocaleString('en-US')} objects`, rpc: true, minOps: 1, findToken: true, objects: n,
    setup({ api, K, h }) {
      const labels = lookupLabels(n, 1024);
      const templates = labels.map((l) => [{ type: K.CKA_LABEL, value: l }]);
      let i = 0;
      return {
        op: () => {
          const found = api.find(h, templates[i++ % templates.length]);
          if (found.length !== 1) throw new Error(`label ${labels[(i - 1) % labels.length]}: ${found.length} objects, expected 1`);
        },
      };
    },
  };
}

/** The case the concurrent connections run. */
export const CONCURRENT_CASE_ID = 'ecdsa-p256-sign';

export function caseById(id) {
  const m = /^find-label-(\d+)$/.exec(id);
  if (m) return findCase(Number(m[1]));
  const c = CASES.find((x) => x.id === id);
  if (!c) throw new Error(`unknown case ${id}`);
  return c;
}

/** Makes the node:crypto ceiling's keys now, before anything is timed. */
export function warmNodeKeys() {
  nodeKeys();
}

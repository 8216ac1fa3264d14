// Speed of the hand-built paths against OpenSSL through node:crypto, in one run:
// CKM_ECDSA (the caller hashes; our own path on OpenSSL's scalar multiplication),
// CKM_ECDSA_SHA256 and RSA, through the in-process Cryptoki API. No assertions:
// it prints ops/s and writes bench/results/mechanisms.json.
//   npm run bench:mechanisms [-- --seconds 2]
import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Cryptoki } from '../dist/src/core/cryptoki.js';
import * as K from '../dist/src/pkcs11/constants.js';

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 2;

function rate(fn) {
  for (let i = 0; i < 200; i++) fn(); // warm up
  let n = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  while (performance.now() < end) { fn(); n++; }
  return n / ((performance.now() - start) / 1000);
}

const p11 = new Cryptoki({ kdf: { name: 'scrypt', N: 1024, r: 8, p: 1 } });
p11.C_Initialize();
const slot = p11.C_GetSlotList(true)[0];
p11.C_InitToken(slot, 'bench-so-pin', 'bench');
const h = p11.C_OpenSession(slot, K.CKF_SERIAL_SESSION | K.CKF_RW_SESSION);
p11.C_Login(h, K.CKU_SO, 'bench-so-pin');
p11.C_InitPIN(h, 'bench-pin');
p11.C_Logout(h);
p11.C_Login(h, K.CKU_USER, 'bench-pin');

const P256 = Buffer.from('06082a8648ce3d030107', 'hex');
const [ecPub, ecPriv] = p11.C_GenerateKeyPair(h, { mechanism: K.CKM_EC_KEY_PAIR_GEN }, [{ type: K.CKA_EC_PARAMS, value: P256 }, { type: K.CKA_TOKEN, value: true }], [{ type: K.CKA_TOKEN, value: true }]);
const [rsaPub, rsaPriv] = p11.C_GenerateKeyPair(h, { mechanism: K.CKM_RSA_PKCS_KEY_PAIR_GEN }, [{ type: K.CKA_MODULUS_BITS, value: 2048 }, { type: K.CKA_TOKEN, value: true }], [{ type: K.CKA_TOKEN, value: true }]);
const message = Buffer.alloc(64, 7);
const digest = createHash('sha256').update(message).digest();

const once = (init, run) => () => { init(); return run(); };
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ecdsaSig = (p11.C_SignInit(h, { mechanism: K.CKM_ECDSA }, ecPriv), p11.C_Sign(h, digest));
const nodeEcSig = sign('sha256', message, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' });

const cases = [
  ['ECDSA P-256 sign (CKM_ECDSA, 32-byte hash)', once(() => p11.C_SignInit(h, { mechanism: K.CKM_ECDSA }, ecPriv), () => p11.C_Sign(h, digest)),
    () => sign('sha256', message, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' })],
  ['ECDSA P-256 sign (CKM_ECDSA_SHA256, 64 B)', once(() => p11.C_SignInit(h, { mechanism: K.CKM_ECDSA_SHA256 }, ecPriv), () => p11.C_Sign(h, message)),
    () => sign('sha256', message, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' })],
  ['ECDSA P-256 verify (CKM_ECDSA)', once(() => p11.C_VerifyInit(h, { mechanism: K.CKM_ECDSA }, ecPub), () => p11.C_Verify(h, digest, ecdsaSig)),
    () => verify('sha256', message, { key: ec.publicKey, dsaEncoding: 'ieee-p1363' }, nodeEcSig)],
  ['RSA-2048 sign (CKM_SHA256_RSA_PKCS, 64 B)', once(() => p11.C_SignInit(h, { mechanism: K.CKM_SHA256_RSA_PKCS }, rsaPriv), () => p11.C_Sign(h, message)),
    () => sign('sha256', message, rsa.privateKey)],
  ['RSA-2048 verify (CKM_SHA256_RSA_PKCS, 64 B)', (() => {
    p11.C_SignInit(h, { mechanism: K.CKM_SHA256_RSA_PKCS }, rsaPriv);
    const s = p11.C_Sign(h, message);
    return once(() => p11.C_VerifyInit(h, { mechanism: K.CKM_SHA256_RSA_PKCS }, rsaPub), () => p11.C_Verify(h, message, s));
  })(), (() => { const s = sign('sha256', message, rsa.privateKey); return () => verify('sha256', message, rsa.publicKey, s); })()],
];

const results = [];
for (const [name, ours, openssl] of cases) {
  const a = rate(ours);
  const b = rate(openssl);
  results.push({ case: name, oursOpsPerSec: Math.round(a), nodeCryptoOpsPerSec: Math.round(b), ratio: +(a / b).toFixed(3) });
  process.stderr.write(`[bench] ${name}: ${Math.round(a)} ops/s (node:crypto ${Math.round(b)})\n`);
}
console.table(results);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/mechanisms.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), node: process.version, seconds, results }, null, 2));
p11.C_Finalize();

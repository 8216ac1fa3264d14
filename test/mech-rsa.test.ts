/**
 * RSA family (src/mechanisms/rsa*.ts) through the Cryptoki API: published
 * vectors (quoted from their sources, named at each), round trips, the
 * padding-oracle resistance of PKCS #1 v1.5 decryption, wrapping, and
 * cross-checks with the openssl command-line tool in both directions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as K from '../src/pkcs11/constants.js';
import { BufferTooSmallError, CKRError } from '../src/pkcs11/error.js';
import type { CK_ATTRIBUTE, CK_MECHANISM } from '../src/pkcs11/types.js';
import { emeOaepEncode, emsaPssEncode, mgf1 } from '../src/mechanisms/rsa-pkcs1.js';
import { RW, setup, STORE_KINDS, throwsCKR, USER_PIN, type Fixture } from './helpers.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const sha = (name: string, data: Buffer): Buffer => createHash(name).update(data).digest();
const big = (b: Buffer): bigint => BigInt('0x' + (b.length ? b.toString('hex') : '0'));

interface RsaComponents { n: Buffer; e: Buffer; d: Buffer; p?: Buffer; q?: Buffer; dp?: Buffer; dq?: Buffer; qi?: Buffer }

// ---- pkcs-1v2-1-vec (RSA Laboratories), pkcs1v15sign-vectors.txt and pss-vect.txt, Example 1 --------
// (The same 1024-bit key is Example 1 of both files.)
const KEY1: RsaComponents = {
  n: hex(`a5 6e 4a 0e 70 10 17 58 9a 51 87 dc 7e a8 41 d1 56 f2 ec 0e 36 ad 52 a4 4d fe b1 e6 1f 7a d9 91
          d8 c5 10 56 ff ed b1 62 b4 c0 f2 83 a1 2a 88 a3 94 df f5 26 ab 72 91 cb b3 07 ce ab fc e0 b1 df
          d5 cd 95 08 09 6d 5b 2b 8b 6d f5 d6 71 ef 63 77 c0 92 1c b2 3c 27 0a 70 e2 59 8e 6f f8 9d 19 f1
          05 ac c2 d3 f0 cb 35 f2 92 80 e1 38 6b 6f 64 c4 ef 22 e1 e1 f2 0d 0c e8 cf fb 22 49 bd 9a 21 37`),
  e: hex('01 00 01'),
  d: hex(`33 a5 04 2a 90 b2 7d 4f 54 51 ca 9b bb d0 b4 47 71 a1 01 af 88 43 40 ae f9 88 5f 2a 4b be 92 e8
          94 a7 24 ac 3c 56 8c 8f 97 85 3a d0 7c 02 66 c8 c6 a3 ca 09 29 f1 e8 f1 12 31 88 44 29 fc 4d 9a
          e5 5f ee 89 6a 10 ce 70 7c 3e d7 e7 34 e4 47 27 a3 95 74 50 1a 53 26 83 10 9c 2a ba ca ba 28 3c
          31 b4 bd 2f 53 c3 ee 37 e3 52 ce e3 4f 9e 50 3b d8 0c 06 22 ad 79 c6 dc ee 88 35 47 c6 a3 b3 25`),
  p: hex(`e7 e8 94 27 20 a8 77 51 72 73 a3 56 05 3e a2 a1 bc 0c 94 aa 72 d5 5c 6e 86 29 6b 2d fc 96 79 48
          c0 a7 2c bc cc a7 ea cb 35 70 6e 09 a1 df 55 a1 53 5b d9 b3 cc 34 16 0b 3b 6d cd 3e da 8e 64 43`),
  q: hex(`b6 9d ca 1c f7 d4 d7 ec 81 e7 5b 90 fc ca 87 4a bc de 12 3f d2 70 01 80 aa 90 47 9b 6e 48 de 8d
          67 ed 24 f9 f1 9d 85 ba 27 58 74 f5 42 cd 20 dc 72 3e 69 63 36 4a 1f 94 25 45 2b 26 9a 67 99 fd`),
  dp: hex(`28 fa 13 93 86 55 be 1f 8a 15 9c ba ca 5a 72 ea 19 0c 30 08 9e 19 cd 27 4a 55 6f 36 c4 f6 e1 9f
           55 4b 34 c0 77 79 04 27 bb dd 8d d3 ed e2 44 83 28 f3 85 d8 1b 30 e8 e4 3b 2f ff a0 27 86 19 79`),
  dq: hex(`1a 8b 38 f3 98 fa 71 20 49 89 8d 7f b7 9e e0 a7 76 68 79 12 99 cd fa 09 ef c0 e5 07 ac b2 1e d7
           43 01 ef 5b fd 48 be 45 5e ae b6 e1 67 82 55 82 75 80 a8 e4 e8 e1 41 51 d1 51 0a 82 a3 f2 e7 29`),
  qi: hex(`27 15 6a ba 41 26 d2 4a 81 f3 a5 28 cb fb 27 f5 68 86 f8 40 a9 f6 e8 6e 17 a4 4b 94 fe 93 19 58
           4b 8e 22 fd de 1e 5a 2e 3b d8 aa 5b a8 d8 58 41 94 eb 21 90 ac f8 32 b8 47 f1 3a 3d 24 a7 9f 4d`),
};
/** Message of "PKCS#1 v1.5 Signature Example 1.1" and of "RSASSA-PSS Signature Example 1.1". */
const MSG_1_1 = hex(`cd c8 7d a2 23 d7 86 df 3b 45 e0 bb bc 72 13 26 d1 ee 2a f8 06 cc 31 54 75 cc 6f 0d 9c 66 e1 b6
  23 71 d4 5c e2 39 2e 1a c9 28 44 c3 10 10 2f 15 6a 0d 8d 52 c1 f4 c4 0b a3 aa 65 09 57 86 cb 76
  97 57 a6 56 3b a9 58 fe d0 bc c9 84 e8 b5 17 a3 d5 f5 15 b2 3b 8a 41 e7 4a a8 67 69 3f 90 df b0
  61 a6 e8 6d fa ae e6 44 72 c0 0e 5f 20 94 57 29 cb eb e7 7f 06 ce 78 e0 8f 40 98 fb a4 1f 9d 61
  93 c0 31 7e 8b 60 d4 b6 08 4a cb 42 d2 9e 38 08 a3 bc 37 2d 85 e3 31 17 0f cb f7 cc 72 d0 b7 1c
  29 66 48 b3 a4 d1 0f 41 62 95 d0 80 7a a6 25 ca b2 74 4f d9 ea 8f d2 23 c4 25 37 02 98 28 bd 16
  be 02 54 6f 13 0f d2 e3 3b 93 6d 26 76 e0 8a ed 1b 73 31 8b 75 0a 01 67 d0`);
/** pkcs1v15sign-vectors.txt, Example 1.1 (SHA-1). */
const PKCS1_SIG_1_1 = hex(`6b c3 a0 66 56 84 29 30 a2 47 e3 0d 58 64 b4 d8 19 23 6b a7 c6 89 65 86 2a d7 db c4 e2 4a f2 8e
  86 bb 53 1f 03 35 8b e5 fb 74 77 7c 60 86 f8 50 ca ef 89 3f 0d 6f cc 2d 0c 91 ec 01 36 93 b4 ea
  00 b8 0c d4 9a ac 4e cb 5f 89 11 af e5 39 ad a4 a8 f3 82 3d 1d 13 e4 72 d1 49 05 47 c6 59 c7 61
  7f 3d 24 08 7d db 6f 2b 72 09 61 67 fc 09 7c ab 18 e9 a4 58 fc b6 34 cd ce 8e e3 58 94 c4 84 d7`);
/** pss-vect.txt, Example 1.1 (SHA-1, MGF1 with SHA-1, 20-byte salt). */
const PSS_SALT_1_1 = hex('de e9 59 c7 e0 64 11 36 14 20 ff 80 18 5e d5 7f 3e 67 76 af');
const PSS_SIG_1_1 = hex(`90 74 30 8f b5 98 e9 70 1b 22 94 38 8e 52 f9 71 fa ac 2b 60 a5 14 5a f1 85 df 52 87 b5 ed 28 87
  e5 7c e7 fd 44 dc 86 34 e4 07 c8 e0 e4 36 0b c2 26 f3 ec 22 7f 9d 9e 54 63 8e 8d 31 f5 05 12 15
  df 6e bb 9c 2f 95 79 aa 77 59 8a 38 f9 14 b5 b9 c1 bd 83 c4 e2 f9 f3 82 a0 d0 aa 35 42 ff ee 65
  98 4a 60 1b c6 9e b2 8d eb 27 dc a1 2c 82 c2 d4 c3 f6 6c d5 00 f1 ff 2b 99 4d 8a 4e 30 cb b3 3c`);
/** pss-vect.txt, Example 1.4. */
const PSS_MSG_1_4 = hex('bc 65 67 47 fa 9e af b3 f0');
const PSS_SIG_1_4 = hex(`46 09 79 3b 23 e9 d0 93 62 dc 21 bb 47 da 0b 4f 3a 76 22 64 9a 47 d4 64 01 9b 9a ea fe 53 35 9c
  17 8c 91 cd 58 ba 6b cb 78 be 03 46 a7 bc 63 7f 4b 87 3d 4b ab 38 ee 66 1f 19 96 34 c5 47 a1 ad
  84 42 e0 3d a0 15 b1 36 e5 43 f7 ab 07 c0 c1 3e 42 25 b8 de 8c ce 25 d4 f6 eb 84 00 f8 1f 7e 18
  33 b7 ee 6e 33 4d 37 09 64 ca 79 fd b8 72 b4 d7 52 23 b5 ee b0 81 01 59 1f b5 32 d1 55 a6 de 87`);

// ---- pkcs-1v2-1-vec, oaep-vect.txt, Example 1 (1024-bit key; SHA-1, MGF1-SHA-1, empty label) -----
const OAEP_KEY1: RsaComponents = {
  n: hex(`a8 b3 b2 84 af 8e b5 0b 38 70 34 a8 60 f1 46 c4 91 9f 31 87 63 cd 6c 55 98 c8 ae 48 11 a1 e0 ab
          c4 c7 e0 b0 82 d6 93 a5 e7 fc ed 67 5c f4 66 85 12 77 2c 0c bc 64 a7 42 c6 c6 30 f5 33 c8 cc 72
          f6 2a e8 33 c4 0b f2 58 42 e9 84 bb 78 bd bf 97 c0 10 7d 55 bd b6 62 f5 c4 e0 fa b9 84 5c b5 14
          8e f7 39 2d d3 aa ff 93 ae 1e 6b 66 7b b3 d4 24 76 16 d4 f5 ba 10 d4 cf d2 26 de 88 d3 9f 16 fb`),
  e: hex('01 00 01'),
  d: hex(`53 33 9c fd b7 9f c8 46 6a 65 5c 73 16 ac a8 5c 55 fd 8f 6d d8 98 fd af 11 95 17 ef 4f 52 e8 fd
          8e 25 8d f9 3f ee 18 0f a0 e4 ab 29 69 3c d8 3b 15 2a 55 3d 4a c4 d1 81 2b 8b 9f a5 af 0e 7f 55
          fe 73 04 df 41 57 09 26 f3 31 1f 15 c4 d6 5a 73 2c 48 31 16 ee 3d 3d 2d 0a f3 54 9a d9 bf 7c bf
          b7 8a d8 84 f8 4d 5b eb 04 72 4d c7 36 9b 31 de f3 7d 0c f5 39 e9 cf cd d3 de 65 37 29 ea d5 d1`),
  p: hex(`d3 27 37 e7 26 7f fe 13 41 b2 d5 c0 d1 50 a8 1b 58 6f b3 13 2b ed 2f 8d 52 62 86 4a 9c b9 f3 0a
          f3 8b e4 48 59 8d 41 3a 17 2e fb 80 2c 21 ac f1 c1 1c 52 0c 2f 26 a4 71 dc ad 21 2e ac 7c a3 9d`),
  q: hex(`cc 88 53 d1 d5 4d a6 30 fa c0 04 f4 71 f2 81 c7 b8 98 2d 82 24 a4 90 ed be b3 3d 3e 3d 5c c9 3c
          47 65 70 3d 1d d7 91 64 2f 1f 11 6a 0d d8 52 be 24 19 b2 af 72 bf e9 a0 30 e8 60 b0 28 8b 5d 77`),
  dp: hex(`0e 12 bf 17 18 e9 ce f5 59 9b a1 c3 88 2f e8 04 6a 90 87 4e ef ce 8f 2c cc 20 e4 f2 74 1f b0 a3
           3a 38 48 ae c9 c9 30 5f be cb d2 d7 68 19 96 7d 46 71 ac c6 43 1e 40 37 96 8d b3 78 78 e6 95 c1`),
  dq: hex(`95 29 7b 0f 95 a2 fa 67 d0 07 07 d6 09 df d4 fc 05 c8 9d af c2 ef 6d 6e a5 5b ec 77 1e a3 33 73
           4d 92 51 e7 90 82 ec da 86 6e fe f1 3c 45 9e 1a 63 13 86 b7 e3 54 c8 99 f5 f1 12 ca 85 d7 15 83`),
  qi: hex(`4f 45 6c 50 24 93 bd c0 ed 2a b7 56 a3 a6 ed 4d 67 35 2a 69 7d 42 16 e9 32 12 b1 27 a6 3d 54 11
           ce 6f a9 8d 5d be fd 73 26 3e 37 28 14 27 43 81 81 66 ed 7d d6 36 87 dd 2a 8c a1 d2 f4 fb d8 e1`),
};
const OAEP_MSG_1_1 = hex('66 28 19 4e 12 07 3d b0 3b a9 4c da 9e f9 53 23 97 d5 0d ba 79 b9 87 00 4a fe fe 34');
const OAEP_SEED_1_1 = hex('18 b7 76 ea 21 06 9d 69 77 6a 33 e9 6b ad 48 e1 dd a0 a5 ef');
const OAEP_CT_1_1 = hex(`35 4f e6 7b 4a 12 6d 5d 35 fe 36 c7 77 79 1a 3f 7b a1 3d ef 48 4e 2d 39 08 af f7 22 fa d4 68 fb
  21 69 6d e9 5d 0b e9 11 c2 d3 17 4f 8a fc c2 01 03 5f 7b 6d 8e 69 40 2d e5 45 16 18 c2 1a 53 5f
  a9 d7 bf c5 b8 dd 9f c2 43 f8 cf 92 7d b3 13 22 d6 e8 81 ea a9 1a 99 61 70 e6 57 a0 5a 26 64 26
  d9 8c 88 00 3f 84 77 c1 22 70 94 a0 d9 fa 1e 8c 40 24 30 9c e1 ec cc b5 21 00 35 d4 7a c7 2e 8a`);

// ---- pyca/cryptography vectors, asymmetric/RSA/oaep-custom/oaep-sha1-sha256.txt, first key,
// "OAEP Example 1 alg=sha256 mgf1=sha1" (derived from the NIST vectors, checked against Bouncy Castle) ----
const OAEP_MIXED_KEY: RsaComponents = {
  n: hex('ce5536da105445109110fe1f7ad5d255d726860fbfda98b77c60e788e62fada998b75e06fc78ff3cf385876c77f40e3a8109e2fe1327daf55f57119d597b634f7712ebde13d3493db58f0cd8cf5d7dec7a3df98b5b992bba3280fc6a7a2d925bc180fbdc3677d294ece97576d6e31dcb6bfaee2afc22d838981806ac764ad89a3a01d9bf45a38d3f1be5996bc524b710d3fc09199cac8cc99c3ed8e3ec141fbfe49caddf3f095778924144b9b8ed0313c3115586d46d1f152747dbae7a3a6b7b832bae8e909763b85c6dde2bbad58fab47fb5e24dc18e889771655b9e525b9a9e25f44d4167ced263026c3560089ae1f7d993032f392a7de0b532e619fa70ec7'),
  e: hex('010001'),
  d: hex('801b244d4bea265f5cd24215657cb0751f7a09ae699ddd47beefa391b9e94c578a3bff23334a249ec14bdc831a0eeb6ea38371edf212c2bdaa0e331f90d92d15bf867def8a3b9ab3b7b03377c177f8a1045cca3d1e0801c03f6f1a4939c665a29687f0d80ef1624b98b4727bf07b5e9a585699dd1262c8008b5e0f76b09353db7eba91f44e91ccd7241a6337fd56b491a3a2178d9c2cb80239d7ab4650847914669417c452dadcfa84628d2f660cf7b715d82f02af2ab682f0f9693c019335846bb88c2a8428760578891522fc10ca0ecc395b4a0f1e04a2ef1db93b1b27714510b83d6db92df633d3ef23814060e9a89db8dc9c68b4cafbec529917341a46c1'),
};
const OAEP_MIXED_MSG = hex('6628194e12073db03ba94cda9ef9532397d50dba79b987004afefe34');
const OAEP_MIXED_CT = hex('bedcb1a91fd19cf7722f800f62fe5aa1d1477bec1f6c9b46c4c08679684a8d104c1069292d0d6869880ddf0a1b2fae77fc7d4f0aa9def102709ac47e43eff79bf83b7a6e65ea4a2c36dbdd85d873041e39b971f17e34f1b40b22c29eba07d4972c62019719505d61214a577fc0a6071f5149e34fc94eac5ca48799fb17aafcdbf7ef3978f48974c3ad8e7bb2c960bb7421dcc16ee46e8af90b4856a9d702097f85b774af1814f0dcae9a597d10e68f92caffb9f58fce8627692e19f7ec9eddb587ab2c17bc952fb791297895c6d08c11503c80bdbfbf8a866f3d22cfc1efecec0a43e16504485271a176ab63846e55afa5e78ab6c86a4bf2e13ab9daec1e42c2');

// ---- NIST CAVP 186-3 "SigGen PKCS#1 Ver 1.5" (SigGen15_186-3.rsp), [mod = 1024], first SHA256 entry ----
const CAVP_N = hex('a3ecf80ff1804833c36a89a1583f58ef3332476a50a153e73ced17796139636045c131a6b17222ba8848f70150b18dfa390bfb1670ae982dfbc311fd0ede055564687af3805ca883944bb5ac9ec19b0e0cfbd9a314d70b17080c3d49b50cbf417062eb41bd639d67a5fb330ec55a0489fee08eeec97ed487c114b20393fe0aef');
const CAVP_E = hex('1001');
const CAVP_MSG = hex('dfce08b64b9ea4014947012670548da4ceeee084dbfe509aac92bf096982b8050153bbdd1c5bd4385226729e9a19773b05558ce0acdfb74be6fd2fa8bfe36f58a68e89f066f1bd85584f4a27d6e884abf2d727ae683bebd6d295585b1b71dcc636491bf910a68670c3882fc60c08db7bff3c59f4f95b13c3d721e329657528d9');
const CAVP_S = hex('8D9D30A87DF0C2F6CD651FCAF2B9AC1296287AD3D4B03132E330F08AB701FC197040D0A261F631E7E34478B592551E1F682395C9E2B54C8CE8B0C72C1B5A79748CC34F9152730A7F67FAE1225A4CE750F1D5D4E288176DF197E7503C88B5BAECEF3ABCF2875F111E6D7F7B4DC8AFA2ED3C1D7AD8E7CF45A77F0B1CB178518402');

/** DigestInfo prefix of SHA-1 (RFC 8017 9.2, note 1). */
const SHA1_DIGEST_INFO = hex('3021300906052b0e03021a05000414');

// ---- helpers --------------------------------------------------------------------------------

let f: Fixture;
let h: number;

function importPrivate(c: RsaComponents, extra: CK_ATTRIBUTE[] = []): number {
  const parts: [number, Buffer | undefined][] = [
    [K.CKA_MODULUS, c.n], [K.CKA_PUBLIC_EXPONENT, c.e], [K.CKA_PRIVATE_EXPONENT, c.d], [K.CKA_PRIME_1, c.p],
    [K.CKA_PRIME_2, c.q], [K.CKA_EXPONENT_1, c.dp], [K.CKA_EXPONENT_2, c.dq], [K.CKA_COEFFICIENT, c.qi],
  ];
  return f.p11.C_CreateObject(h, [
    { type: K.CKA_CLASS, value: K.CKO_PRIVATE_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_RSA },
    ...parts.filter(([, v]) => v !== undefined).map(([type, value]) => ({ type, value: value! })),
    ...extra,
  ]);
}

function importPublic(n: Buffer, e: Buffer, extra: CK_ATTRIBUTE[] = []): number {
  return f.p11.C_CreateObject(h, [
    { type: K.CKA_CLASS, value: K.CKO_PUBLIC_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_RSA },
    { type: K.CKA_MODULUS, value: n }, { type: K.CKA_PUBLIC_EXPONENT, value: e }, ...extra,
  ]);
}

function generate(bits: number, publicExtra: CK_ATTRIBUTE[] = [], privateExtra: CK_ATTRIBUTE[] = []): [number, number] {
  return f.p11.C_GenerateKeyPair(h, { mechanism: K.CKM_RSA_PKCS_KEY_PAIR_GEN },
    [{ type: K.CKA_MODULUS_BITS, value: bits }, ...publicExtra], privateExtra);
}

function attribute(hObject: number, type: number): Buffer {
  return f.p11.C_GetAttributeValue(h, hObject, [{ type }])[0]!.value as Buffer;
}

function sign(mechanism: CK_MECHANISM, key: number, data: Buffer): Buffer {
  f.p11.C_SignInit(h, mechanism, key);
  return f.p11.C_Sign(h, data);
}

function verify(mechanism: CK_MECHANISM, key: number, data: Buffer, signature: Buffer): void {
  f.p11.C_VerifyInit(h, mechanism, key);
  f.p11.C_Verify(h, data, signature);
}

function encrypt(mechanism: CK_MECHANISM, key: number, data: Buffer): Buffer {
  f.p11.C_EncryptInit(h, mechanism, key);
  return f.p11.C_Encrypt(h, data);
}

function decrypt(mechanism: CK_MECHANISM, key: number, data: Buffer): Buffer {
  f.p11.C_DecryptInit(h, mechanism, key);
  return f.p11.C_Decrypt(h, data);
}

/** The CKRError a call throws (asserting that it throws one). */
function failure(fn: () => unknown): CKRError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CKRError, String(e));
    return e;
  }
  assert.fail('the call succeeded');
}

const pss = (hashAlg: number, mgf: number, sLen: number): CK_MECHANISM['parameter'] => ({ hashAlg, mgf, sLen });
const oaep = (hashAlg: number, mgf: number, label?: Buffer) =>
  ({ hashAlg, mgf, source: K.CKZ_DATA_SPECIFIED, pSourceData: label ?? null });

const HASHED: { pkcs1: number; pss: number; hash: number; mgf: number; name: string; size: number }[] = [
  { pkcs1: K.CKM_SHA1_RSA_PKCS, pss: K.CKM_SHA1_RSA_PKCS_PSS, hash: K.CKM_SHA_1, mgf: K.CKG_MGF1_SHA1, name: 'sha1', size: 20 },
  { pkcs1: K.CKM_SHA224_RSA_PKCS, pss: K.CKM_SHA224_RSA_PKCS_PSS, hash: K.CKM_SHA224, mgf: K.CKG_MGF1_SHA224, name: 'sha224', size: 28 },
  { pkcs1: K.CKM_SHA256_RSA_PKCS, pss: K.CKM_SHA256_RSA_PKCS_PSS, hash: K.CKM_SHA256, mgf: K.CKG_MGF1_SHA256, name: 'sha256', size: 32 },
  { pkcs1: K.CKM_SHA384_RSA_PKCS, pss: K.CKM_SHA384_RSA_PKCS_PSS, hash: K.CKM_SHA384, mgf: K.CKG_MGF1_SHA384, name: 'sha384', size: 48 },
  { pkcs1: K.CKM_SHA512_RSA_PKCS, pss: K.CKM_SHA512_RSA_PKCS_PSS, hash: K.CKM_SHA512, mgf: K.CKG_MGF1_SHA512, name: 'sha512', size: 64 },
  { pkcs1: K.CKM_SHA3_224_RSA_PKCS, pss: K.CKM_SHA3_224_RSA_PKCS_PSS, hash: K.CKM_SHA3_224, mgf: K.CKG_MGF1_SHA3_224, name: 'sha3-224', size: 28 },
  { pkcs1: K.CKM_SHA3_256_RSA_PKCS, pss: K.CKM_SHA3_256_RSA_PKCS_PSS, hash: K.CKM_SHA3_256, mgf: K.CKG_MGF1_SHA3_256, name: 'sha3-256', size: 32 },
  { pkcs1: K.CKM_SHA3_384_RSA_PKCS, pss: K.CKM_SHA3_384_RSA_PKCS_PSS, hash: K.CKM_SHA3_384, mgf: K.CKG_MGF1_SHA3_384, name: 'sha3-384', size: 48 },
  { pkcs1: K.CKM_SHA3_512_RSA_PKCS, pss: K.CKM_SHA3_512_RSA_PKCS_PSS, hash: K.CKM_SHA3_512, mgf: K.CKG_MGF1_SHA3_512, name: 'sha3-512', size: 64 },
];

/** A 2048-bit pair made by the token, readable (extractable, not sensitive) so openssl can use it. */
let pub2048: number;
let priv2048: number;
let components2048: RsaComponents;

describe('RSA mechanisms', () => {
  before(() => {
    f = setup(STORE_KINDS[0]!);
    h = f.p11.C_OpenSession(f.slot, RW);
    f.p11.C_Login(h, K.CKU_USER, USER_PIN);
    [pub2048, priv2048] = generate(2048, [], [{ type: K.CKA_SENSITIVE, value: false }, { type: K.CKA_EXTRACTABLE, value: true }]);
    const get = (type: number) => attribute(priv2048, type);
    components2048 = {
      n: get(K.CKA_MODULUS), e: get(K.CKA_PUBLIC_EXPONENT), d: get(K.CKA_PRIVATE_EXPONENT), p: get(K.CKA_PRIME_1),
      q: get(K.CKA_PRIME_2), dp: get(K.CKA_EXPONENT_1), dq: get(K.CKA_EXPONENT_2), qi: get(K.CKA_COEFFICIENT),
    };
  });
  after(() => f.cleanup());

  describe('mechanism info', () => {
    it('lists every mechanism with key sizes in bits and the functions it has', () => {
      const list = f.p11.C_GetMechanismList(f.slot);
      for (const m of [K.CKM_RSA_PKCS_KEY_PAIR_GEN, K.CKM_RSA_PKCS, K.CKM_RSA_X_509, K.CKM_RSA_PKCS_OAEP, K.CKM_RSA_PKCS_PSS,
        ...HASHED.flatMap((x) => [x.pkcs1, x.pss])]) {
        assert.ok(list.includes(m), `0x${m.toString(16)} listed`);
        const info = f.p11.C_GetMechanismInfo(f.slot, m);
        assert.equal(info.ulMinKeySize, 1024);
        assert.equal(info.ulMaxKeySize, 8192);
      }
      const flags = (m: number) => f.p11.C_GetMechanismInfo(f.slot, m).flags;
      assert.equal(flags(K.CKM_RSA_PKCS_KEY_PAIR_GEN), K.CKF_GENERATE_KEY_PAIR);
      assert.equal(flags(K.CKM_RSA_PKCS), K.CKF_ENCRYPT | K.CKF_DECRYPT | K.CKF_SIGN | K.CKF_VERIFY | K.CKF_SIGN_RECOVER
        | K.CKF_VERIFY_RECOVER | K.CKF_WRAP | K.CKF_UNWRAP);
      assert.equal(flags(K.CKM_RSA_X_509), K.CKF_ENCRYPT | K.CKF_DECRYPT | K.CKF_SIGN | K.CKF_VERIFY | K.CKF_SIGN_RECOVER | K.CKF_VERIFY_RECOVER);
      assert.equal(flags(K.CKM_RSA_PKCS_OAEP), K.CKF_ENCRYPT | K.CKF_DECRYPT | K.CKF_WRAP | K.CKF_UNWRAP);
      assert.equal(flags(K.CKM_RSA_PKCS_PSS), K.CKF_SIGN | K.CKF_VERIFY);
      assert.equal(flags(K.CKM_SHA3_512_RSA_PKCS_PSS), K.CKF_SIGN | K.CKF_VERIFY);
    });
  });

  describe('CKM_RSA_PKCS_KEY_PAIR_GEN', () => {
    it('computes every component, big-endian without leading zeros, and the SPKI on both keys', () => {
      const { n, e, d, p, q, dp, dq, qi } = components2048;
      for (const v of [n, e, d, p!, q!, dp!, dq!, qi!]) assert.notEqual(v[0], 0, 'no leading zero byte');
      assert.equal(n.length, 256);
      assert.deepEqual(e, hex('010001'));
      const [N, E, D, P, Q] = [big(n), big(e), big(d), big(p!), big(q!)];
      assert.equal(P * Q, N);
      assert.equal(big(dp!), D % (P - 1n));
      assert.equal(big(dq!), D % (Q - 1n));
      assert.equal((big(qi!) * Q) % P, 1n);
      assert.equal((D * E) % ((P - 1n) * (Q - 1n) / gcd(P - 1n, Q - 1n)), 1n);

      const got = f.p11.C_GetAttributeValue(h, pub2048, [
        { type: K.CKA_MODULUS_BITS }, { type: K.CKA_KEY_TYPE }, { type: K.CKA_LOCAL }, { type: K.CKA_KEY_GEN_MECHANISM },
        { type: K.CKA_MODULUS }, { type: K.CKA_PUBLIC_EXPONENT }, { type: K.CKA_PUBLIC_KEY_INFO },
      ]).map((a) => a.value);
      assert.deepEqual(got.slice(0, 4), [2048, K.CKK_RSA, true, K.CKM_RSA_PKCS_KEY_PAIR_GEN]);
      assert.deepEqual(got[4], n);
      assert.deepEqual(got[5], e);
      const spki = got[6] as Buffer;
      assert.deepEqual(attribute(priv2048, K.CKA_PUBLIC_KEY_INFO), spki);
      const jwk = createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ format: 'jwk' });
      assert.deepEqual(Buffer.from(jwk.n!, 'base64url'), n);
    });

    it('honours CKA_PUBLIC_EXPONENT, and makes odd modulus lengths exactly', () => {
      const [pub] = generate(1024, [{ type: K.CKA_PUBLIC_EXPONENT, value: hex('03') }]);
      assert.deepEqual(attribute(pub, K.CKA_PUBLIC_EXPONENT), hex('03'));
      const [pub1025] = generate(1025);
      assert.equal(f.p11.C_GetAttributeValue(h, pub1025, [{ type: K.CKA_MODULUS_BITS }])[0]!.value, 1025);
      assert.equal(attribute(pub1025, K.CKA_MODULUS).length, 129);
    });

    it('refuses a missing or out-of-range size, a bad exponent, a parameter and a contradicting template', () => {
      const gen = (pubT: CK_ATTRIBUTE[], privT: CK_ATTRIBUTE[] = [], parameter?: unknown) =>
        f.p11.C_GenerateKeyPair(h, { mechanism: K.CKM_RSA_PKCS_KEY_PAIR_GEN, parameter } as CK_MECHANISM, pubT, privT);
      const bits = (v: number) => ({ type: K.CKA_MODULUS_BITS, value: v });
      throwsCKR(() => gen([]), K.CKR_TEMPLATE_INCOMPLETE);
      throwsCKR(() => gen([bits(512)]), K.CKR_ATTRIBUTE_VALUE_INVALID);
      throwsCKR(() => gen([bits(8200)]), K.CKR_ATTRIBUTE_VALUE_INVALID);
      for (const e of ['010000', '01', '00', '']) {
        throwsCKR(() => gen([bits(1024), { type: K.CKA_PUBLIC_EXPONENT, value: hex(e) }]), K.CKR_ATTRIBUTE_VALUE_INVALID, `e = ${e}`);
      }
      throwsCKR(() => gen([bits(1024), { type: K.CKA_PUBLIC_EXPONENT, value: hex('0100000001') }]), K.CKR_TEMPLATE_INCONSISTENT);
      throwsCKR(() => gen([bits(1024)], [], Buffer.alloc(4)), K.CKR_MECHANISM_PARAM_INVALID);
      throwsCKR(() => gen([bits(1024), { type: K.CKA_KEY_TYPE, value: K.CKK_EC }]), K.CKR_TEMPLATE_INCONSISTENT);
      throwsCKR(() => gen([bits(1024), { type: K.CKA_MODULUS, value: Buffer.alloc(128, 1) }]), K.CKR_TEMPLATE_INCONSISTENT);
    });
  });

  describe('published vectors', () => {
    it('PKCS #1 v1.5 signature Example 1.1: CKM_SHA1_RSA_PKCS and CKM_RSA_PKCS over the DigestInfo', () => {
      const priv = importPrivate(KEY1);
      const pub = importPublic(KEY1.n, KEY1.e);
      assert.deepEqual(sign({ mechanism: K.CKM_SHA1_RSA_PKCS }, priv, MSG_1_1), PKCS1_SIG_1_1);
      const digestInfo = Buffer.concat([SHA1_DIGEST_INFO, sha('sha1', MSG_1_1)]);
      assert.deepEqual(sign({ mechanism: K.CKM_RSA_PKCS }, priv, digestInfo), PKCS1_SIG_1_1);
      verify({ mechanism: K.CKM_SHA1_RSA_PKCS }, pub, MSG_1_1, PKCS1_SIG_1_1);
      verify({ mechanism: K.CKM_RSA_PKCS }, pub, digestInfo, PKCS1_SIG_1_1);
      f.p11.C_VerifyRecoverInit(h, { mechanism: K.CKM_RSA_PKCS }, pub);
      assert.deepEqual(f.p11.C_VerifyRecover(h, PKCS1_SIG_1_1), digestInfo);

      const tampered = Buffer.from(PKCS1_SIG_1_1);
      tampered[7]! ^= 0x10;
      throwsCKR(() => verify({ mechanism: K.CKM_SHA1_RSA_PKCS }, pub, MSG_1_1, tampered), K.CKR_SIGNATURE_INVALID);
      throwsCKR(() => verify({ mechanism: K.CKM_RSA_PKCS }, pub, digestInfo, tampered), K.CKR_SIGNATURE_INVALID);
      throwsCKR(() => verify({ mechanism: K.CKM_SHA1_RSA_PKCS }, pub, MSG_1_1.subarray(1), PKCS1_SIG_1_1), K.CKR_SIGNATURE_INVALID);
      throwsCKR(() => verify({ mechanism: K.CKM_SHA1_RSA_PKCS }, pub, MSG_1_1, PKCS1_SIG_1_1.subarray(1)), K.CKR_SIGNATURE_LEN_RANGE);
      throwsCKR(() => verify({ mechanism: K.CKM_SHA1_RSA_PKCS }, pub, MSG_1_1, KEY1.n), K.CKR_SIGNATURE_INVALID, 'a signature >= n');
    });

    it('signs the same with a private key that has only n, e and d (the primes are recovered)', () => {
      const priv = importPrivate({ n: KEY1.n, e: KEY1.e, d: KEY1.d }, [{ type: K.CKA_EXTRACTABLE, value: true }]);
      assert.deepEqual(sign({ mechanism: K.CKM_SHA1_RSA_PKCS }, priv, MSG_1_1), PKCS1_SIG_1_1);
      // Parts that do not make one key are refused when they are imported.
      throwsCKR(() => importPrivate({ n: KEY1.n, e: KEY1.e, d: hex('1234') }), K.CKR_ATTRIBUTE_VALUE_INVALID);
      assert.ok((f.p11.C_GetAttributeValue(h, priv, [{ type: K.CKA_PUBLIC_KEY_INFO }])[0]!.value as Buffer).length > 100, 'and the SPKI follows from them');
    });

    it('NIST CAVP SigGen15 (186-3), SHA-256: the published signature verifies', () => {
      const pub = importPublic(CAVP_N, CAVP_E);
      verify({ mechanism: K.CKM_SHA256_RSA_PKCS }, pub, CAVP_MSG, CAVP_S);
      throwsCKR(() => verify({ mechanism: K.CKM_SHA384_RSA_PKCS }, pub, CAVP_MSG, CAVP_S), K.CKR_SIGNATURE_INVALID);
    });

    it('RSASSA-PSS Examples 1.1 and 1.4 verify, and the encoding with the published salt gives the published signature', () => {
      const pub = importPublic(KEY1.n, KEY1.e);
      const priv = importPrivate(KEY1);
      const params = pss(K.CKM_SHA_1, K.CKG_MGF1_SHA1, 20);
      verify({ mechanism: K.CKM_SHA1_RSA_PKCS_PSS, parameter: params }, pub, MSG_1_1, PSS_SIG_1_1);
      verify({ mechanism: K.CKM_SHA1_RSA_PKCS_PSS, parameter: params }, pub, PSS_MSG_1_4, PSS_SIG_1_4);
      verify({ mechanism: K.CKM_RSA_PKCS_PSS, parameter: params }, pub, sha('sha1', MSG_1_1), PSS_SIG_1_1);
      throwsCKR(() => verify({ mechanism: K.CKM_SHA1_RSA_PKCS_PSS, parameter: pss(K.CKM_SHA_1, K.CKG_MGF1_SHA1, 19) }, pub, MSG_1_1, PSS_SIG_1_1),
        K.CKR_SIGNATURE_INVALID, 'another salt length');
      throwsCKR(() => verify({ mechanism: K.CKM_SHA1_RSA_PKCS_PSS, parameter: pss(K.CKM_SHA_1, K.CKG_MGF1_SHA256, 20) }, pub, MSG_1_1, PSS_SIG_1_1),
        K.CKR_SIGNATURE_INVALID, 'another MGF');
      throwsCKR(() => verify({ mechanism: K.CKM_SHA1_RSA_PKCS_PSS, parameter: params }, pub, PSS_MSG_1_4, PSS_SIG_1_1), K.CKR_SIGNATURE_INVALID);

      // Our EMSA-PSS encoder, given the vector's salt, then raw RSA through the token.
      const em = emsaPssEncode(sha('sha1', MSG_1_1), 1024, { hash: 'sha1', mgfHash: 'sha1', saltLength: 20 }, PSS_SALT_1_1);
      assert.deepEqual(sign({ mechanism: K.CKM_RSA_X_509 }, priv, em), PSS_SIG_1_1);
    });

    it('RSAES-OAEP Example 1.1 decrypts, and the encoding with the published seed gives the published ciphertext', () => {
      const priv = importPrivate(OAEP_KEY1);
      const pub = importPublic(OAEP_KEY1.n, OAEP_KEY1.e);
      const params = oaep(K.CKM_SHA_1, K.CKG_MGF1_SHA1);
      assert.deepEqual(decrypt({ mechanism: K.CKM_RSA_PKCS_OAEP, parameter: params }, priv, OAEP_CT_1_1), OAEP_MSG_1_1);
      const em = emeOaepEncode(OAEP_MSG_1_1, 128, { hash: 'sha1', mgfHash: 'sha1', label: Buffer.alloc(0) }, OAEP_SEED_1_1);
      assert.deepEqual(encrypt({ mechanism: K.CKM_RSA_X_509 }, pub, em), OAEP_CT_1_1);
      throwsCKR(() => decrypt({ mechanism: K.CKM_RSA_PKCS_OAEP, parameter: oaep(K.CKM_SHA_1, K.CKG_MGF1_SHA1, Buffer.from('L')) }, priv, OAEP_CT_1_1),
        K.CKR_ENCRYPTED_DATA_INVALID, 'another label');
    });

    it('OAEP with SHA-256 and MGF1-SHA-1 (pyca oaep-custom) decrypts with our decoder', () => {
      const priv = importPrivate(OAEP_MIXED_KEY);
      const params = oaep(K.CKM_SHA256, K.CKG_MGF1_SHA1);
      assert.deepEqual(decrypt({ mechanism: K.CKM_RSA_PKCS_OAEP, parameter: params }, priv, OAEP_MIXED_CT), OAEP_MIXED_MSG);
      throwsCKR(() => decrypt({ mechanism: K.CKM_RSA_PKCS_OAEP, parameter: oaep(K.CKM_SHA256, K.CKG_MGF1_SHA256) }, priv, OAEP_MIXED_CT),
        K.CKR_ENCRYPTED_DATA_INVALID);
    });
  });

  describe('round trips', () => {
    it('signs and verifies with every hash-and-sign mechanism, single-part and multi-part', () => {
      const data = randomBytes(300);
      for (const x of HASHED) {
        const pssParams = pss(x.hash, x.mgf, x.size);
        for (const mechanism of [{ mechanism: x.pkcs1 }, { mechanism: x.pss, parameter: pssParams }]) {
          const signature = sign(mechanism, priv2048, data);
          assert.equal(signature.length, 256);
          verify(mechanism, pub2048, data, signature);
          f.p11.C_SignInit(h, mechanism, priv2048);
          f.p11.C_SignUpdate(h, data.subarray(0, 100));
          f.p11.C_SignUpdate(h, data.subarray(100));
          const multi = f.p11.C_SignFinal(h);
          f.p11.C_VerifyInit(h, mechanism, pub2048);
          f.p11.C_VerifyUpdate(h, data.subarray(0, 7));
          f.p11.C_VerifyUpdate(h, data.subarray(7));
          f.p11.C_VerifyFinal(h, multi);
          throwsCKR(() => verify(mechanism, pub2048, Buffer.concat([data, Buffer.from([0])]), signature), K.CKR_SIGNATURE_INVALID,
            `0x${mechanism.mechanism.toString(16)} with other data`);
        }
        // PKCS #1 v1.5 is deterministic: multi-part gives the same signature.
        assert.deepEqual(sign({ mechanism: x.pkcs1 }, priv2048, data), sign({ mechanism: x.pkcs1 }, priv2048, data));
      }
    });

    it('PSS with sLen 0 is deterministic; the raw mechanism takes the caller\'s hash and any MGF1', () => {
      const data = Buffer.from('deterministic');
      const params = pss(K.CKM_SHA256, K.CKG_MGF1_SHA256, 0);
      const a = sign({ mechanism: K.CKM_SHA256_RSA_PKCS_PSS, parameter: params }, priv2048, data);
      assert.deepEqual(sign({ mechanism: K.CKM_SHA256_RSA_PKCS_PSS, parameter: params }, priv2048, data), a);
      assert.deepEqual(sign({ mechanism: K.CKM_RSA_PKCS_PSS, parameter: params }, priv2048, sha('sha256', data)), a);
      const mixed = pss(K.CKM_SHA3_384, K.CKG_MGF1_SHA1, 48);
      const s = sign({ mechanism: K.CKM_RSA_PKCS_PSS, parameter: mixed }, priv2048, sha('sha3-384', data));
      verify({ mechanism: K.CKM_SHA3_384_RSA_PKCS_PSS, parameter: mixed }, pub2048, data, s);
      throwsCKR(() => sign({ mechanism: K.CKM_RSA_PKCS_PSS, parameter: mixed }, priv2048, sha('sha256', data)), K.CKR_DATA_LEN_RANGE);
      throwsCKR(() => verify({ mechanism: K.CKM_RSA_PKCS_PSS, parameter: mixed }, pub2048, sha('sha256', data), s), K.CKR_DATA_LEN_RANGE);
    });

    it('encrypts and decrypts with PKCS #1 v1.5, OAEP (one hash, mixed hashes, SHA-3, labels) and raw RSA', () => {
      const message = Buffer.from('attack at dawn');
      const cases: CK_MECHANISM[] = [
        { mechanism: K.CKM_RSA_PKCS },
        { mechanism: K.CKM_RSA_PKCS_OAEP, parameter: oaep(K.CKM_SHA256, K.CKG_MGF1_SHA256) },
        { mechanism: K.CKM_RSA_PKCS_OAEP, parameter: oaep(K.CKM_SHA_1, K.CKG_MGF1_SHA512, Buffer.from('label')) },
        { mechanism: K.CKM_RSA_PKCS_OAEP, parameter: oaep(K.CKM_SHA3_256, K.CKG_MGF1_SHA3_256, Buffer.from('label')) },
        { mechanism: K.CKM_RSA_PKCS_OAEP, parameter: { hashAlg: K.CKM_SHA224, mgf: K.CKG_MGF1_SHA224, source: 0 } },
      ];
      for (const mechanism of cases) {
        const ct = encrypt(mechanism, pub2048, message);
        assert.equal(ct.length, 256);
        assert.notDeepEqual(encrypt(mechanism, pub2048, message), ct, 'randomised');
        assert.deepEqual(decrypt(mechanism, priv2048, ct), message);
      }
      const raw = encrypt({ mechanism: K.CKM_RSA_X_509 }, pub2048, message);
      const block = decrypt({ mechanism: K.CKM_RSA_X_509 }, priv2048, raw);
      assert.equal(block.length, 256);
      assert.deepEqual(block.subarray(256 - message.length), message);
      assert.ok(block.subarray(0, 256 - message.length).every((b) => b === 0), 'left-padded with zeros');
      // The longest messages each encoding takes.
      assert.equal(decrypt({ mechanism: K.CKM_RSA_PKCS }, priv2048, encrypt({ mechanism: K.CKM_RSA_PKCS }, pub2048, Buffer.alloc(245, 7))).length, 245);
      const sha512 = { mechanism: K.CKM_RSA_PKCS_OAEP, parameter: oaep(K.CKM_SHA512, K.CKG_MGF1_SHA256) };
      assert.equal(decrypt(sha512, priv2048, encrypt(sha512, pub2048, Buffer.alloc(126, 7))).length, 126);
      assert.deepEqual(decrypt({ mechanism: K.CKM_RSA_PKCS }, priv2048, encrypt({ mechanism: K.CKM_RSA_PKCS }, pub2048, Buffer.alloc(0))), Buffer.alloc(0));
    });

    it('signs with recovery and verifies with recovery (PKCS #1 v1.5 and raw)', () => {
      const data = Buffer.from('recover me');
      f.p11.C_SignRecoverInit(h, { mechanism: K.CKM_RSA_PKCS }, priv2048);
      const s = f.p11.C_SignRecover(h, data);
      assert.deepEqual(s, sign({ mechanism: K.CKM_RSA_PKCS }, priv2048, data));
      f.p11.C_VerifyRecoverInit(h, { mechanism: K.CKM_RSA_PKCS }, pub2048);
      assert.equal(f.p11.C_VerifyRecover(h, s, null), 245);
      assert.deepEqual(f.p11.C_VerifyRecover(h, s), data);
      f.p11.C_SignRecoverInit(h, { mechanism: K.CKM_RSA_X_509 }, priv2048);
      const raw = f.p11.C_SignRecover(h, data);
      verify({ mechanism: K.CKM_RSA_X_509 }, pub2048, data, raw);
      f.p11.C_VerifyRecoverInit(h, { mechanism: K.CKM_RSA_X_509 }, pub2048);
      assert.deepEqual(f.p11.C_VerifyRecover(h, raw).subarray(256 - data.length), data);
      // A raw signature is not a PKCS #1 one.
      f.p11.C_VerifyRecoverInit(h, { mechanism: K.CKM_RSA_PKCS }, pub2048);
      throwsCKR(() => f.p11.C_VerifyRecover(h, raw), K.CKR_SIGNATURE_INVALID);
      f.p11.C_VerifyRecoverInit(h, { mechanism: K.CKM_RSA_PKCS }, pub2048);
      throwsCKR(() => f.p11.C_VerifyRecover(h, raw.subarray(2)), K.CKR_SIGNATURE_LEN_RANGE);
    });
  });

  describe('lengths, single-part rules and wrong keys', () => {
    it('answers length queries and CKR_BUFFER_TOO_SMALL without ending the operation', () => {
      f.p11.C_SignInit(h, { mechanism: K.CKM_SHA256_RSA_PKCS }, priv2048);
      assert.equal(f.p11.C_Sign(h, Buffer.from('x'), null), 256);
      const e = throwsCKR(() => f.p11.C_Sign(h, Buffer.from('x'), Buffer.alloc(255)), K.CKR_BUFFER_TOO_SMALL);
      assert.ok(e instanceof BufferTooSmallError && e.required === 256);
      const out = Buffer.alloc(300);
      assert.equal(f.p11.C_Sign(h, Buffer.from('x'), out), 256);
      verify({ mechanism: K.CKM_SHA256_RSA_PKCS }, pub2048, Buffer.from('x'), out.subarray(0, 256));

      f.p11.C_SignInit(h, { mechanism: K.CKM_SHA256_RSA_PKCS_PSS, parameter: pss(K.CKM_SHA256, K.CKG_MGF1_SHA256, 32) }, priv2048);
      f.p11.C_SignUpdate(h, Buffer.from('x'));
      assert.equal(f.p11.C_SignFinal(h, null), 256);
      throwsCKR(() => f.p11.C_SignFinal(h, Buffer.alloc(10)), K.CKR_BUFFER_TOO_SMALL);
      verify({ mechanism: K.CKM_SHA256_RSA_PKCS_PSS, parameter: pss(K.CKM_SHA256, K.CKG_MGF1_SHA256, 32) }, pub2048, Buffer.from('x'), f.p11.C_SignFinal(h));

      f.p11.C_EncryptInit(h, { mechanism: K.CKM_RSA_PKCS }, pub2048);
      assert.equal(f.p11.C_Encrypt(h, Buffer.from('hi'), null), 256);
      throwsCKR(() => f.p11.C_Encrypt(h, Buffer.from('hi'), Buffer.alloc(100)), K.CKR_BUFFER_TOO_SMALL);
      const ct = f.p11.C_Encrypt(h, Buffer.from('hi'));

      f.p11.C_DecryptInit(h, { mechanism: K.CKM_RSA_PKCS }, priv2048);
      assert.equal(f.p11.C_Decrypt(h, ct, null), 245, 'the bound k - 11');
      const small = throwsCKR(() => f.p11.C_Decrypt(h, ct, Buffer.alloc(1)), K.CKR_BUFFER_TOO_SMALL);
      assert.ok(small instanceof BufferTooSmallError && small.required === 2);
      assert.deepEqual(f.p11.C_Decrypt(h, ct), Buffer.from('hi'));

      const oaepSha256 = { mechanism: K.CKM_RSA_PKCS_OAEP, parameter: oaep(K.CKM_SHA256, K.CKG_MGF1_SHA256) };
      const oaepCt = encrypt(oaepSha256, pub2048, Buffer.from('hi'));
      f.p11.C_DecryptInit(h, oaepSha256, priv2048);
      assert.equal(f.p11.C_Decrypt(h, oaepCt, null), 256 - 66);
      assert.deepEqual(f.p11.C_Decrypt(h, oaepCt), Buffer.from('hi'));
      f.p11.C_SignRecoverInit(h, { mechanism: K.CKM_RSA_PKCS }, priv2048);
      assert.equal(f.p11.C_SignRecover(h, Buffer.from('x'), null), 256);
      throwsCKR(() => f.p11.C_SignRecover(h, Buffer.from('x'), Buffer.alloc(3)), K.CKR_BUFFER_TOO_SMALL);
      assert.equal(f.p11.C_SignRecover(h, Buffer.from('x')).length, 256);
    });

    it('keeps the raw mechanisms single-part and checks input lengths', () => {
      for (const mechanism of [{ mechanism: K.CKM_RSA_PKCS }, { mechanism: K.CKM_RSA_X_509 },
        { mechanism: K.CKM_RSA_PKCS_PSS, parameter: pss(K.CKM_SHA256, K.CKG_MGF1_SHA256, 32) }]) {
        f.p11.C_SignInit(h, mechanism, priv2048);
        throwsCKR(() => f.p11.C_SignUpdate(h, Buffer.from('x')), K.CKR_FUNCTION_NOT_SUPPORTED);
      }
      f.p11.C_EncryptInit(h, { mechanism: K.CKM_RSA_PKCS_OAEP, parameter: oaep(K.CKM_SHA256, K.CKG_MGF1_SHA256) }, pub2048);
      throwsCKR(() => f.p11.C_EncryptUpdate(h, Buffer.from('x')), K.CKR_FUNCTION_NOT_SUPPORTED);
      f.p11.C_DecryptInit(h, { mechanism: K.CKM_RSA_PKCS }, priv2048);
      throwsCKR(() => f.p11.C_DecryptUpdate(h, Buffer.alloc(256)), K.CKR_FUNCTION_NOT_SUPPORTED);

      throwsCKR(() => encrypt({ mechanism: K.CKM_RSA_PKCS }, pub2048, Buffer.alloc(246)), K.CKR_DATA_LEN_RANGE);
      throwsCKR(() => encrypt({ mechanism: K.CKM_RSA_PKCS_OAEP, parameter: oaep(K.CKM_SHA256, K.CKG_MGF1_SHA1) }, pub2048, Buffer.alloc(191)),
        K.CKR_DATA_LEN_RANGE);
      throwsCKR(() => sign({ mechanism: K.CKM_RSA_PKCS }, priv2048, Buffer.alloc(246)), K.CKR_DATA_LEN_RANGE);
      throwsCKR(() => sign({ mechanism: K.CKM_RSA_X_509 }, priv2048, Buffer.alloc(257)), K.CKR_DATA_LEN_RANGE);
      throwsCKR(() => sign({ mechanism: K.CKM_RSA_X_509 }, priv2048, Buffer.alloc(256, 0xff)), K.CKR_DATA_INVALID, 'not below n');
      throwsCKR(() => encrypt({ mechanism: K.CKM_RSA_X_509 }, pub2048, components2048.n), K.CKR_DATA_INVALID);
      throwsCKR(() => decrypt({ mechanism: K.CKM_RSA_X_509 }, priv2048, components2048.n), K.CKR_ENCRYPTED_DATA_INVALID);
      throwsCKR(() => decrypt({ mechanism: K.CKM_RSA_X_509 }, priv2048, Buffer.alloc(255, 1)), K.CKR_ENCRYPTED_DATA_LEN_RANGE);
      throwsCKR(() => decrypt({ mechanism: K.CKM_RSA_PKCS_OAEP, parameter: oaep(K.CKM_SHA256, K.CKG_MGF1_SHA256) }, priv2048, Buffer.alloc(257, 1)),
        K.CKR_ENCRYPTED_DATA_LEN_RANGE);
    });

    it('fails with another key\'s signature or ciphertext, and refuses non-RSA keys', () => {
      const [, otherPriv] = generate(1024);
      const data = Buffer.from('data');
      for (const mechanism of [{ mechanism: K.CKM_SHA256_RSA_PKCS },
        { mechanism: K.CKM_SHA256_RSA_PKCS_PSS, parameter: pss(K.CKM_SHA256, K.CKG_MGF1_SHA256, 32) }]) {
        const s = sign(mechanism, otherPriv, data);
        throwsCKR(() => verify(mechanism, pub2048, data, s), K.CKR_SIGNATURE_LEN_RANGE, 'a 1024-bit signature for a 2048-bit key');
        throwsCKR(() => verify(mechanism, pub2048, data, sign(mechanism, priv2048, data).reverse()), K.CKR_SIGNATURE_INVALID);
      }
      const [pub2, priv2] = generate(2048);
      const ct = encrypt({ mechanism: K.CKM_RSA_PKCS_OAEP, parameter: oaep(K.CKM_SHA256, K.CKG_MGF1_SHA256) }, pub2, data);
      throwsCKR(() => decrypt({ mechanism: K.CKM_RSA_PKCS_OAEP, parameter: oaep(K.CKM_SHA256, K.CKG_MGF1_SHA256) }, priv2048, ct),
        K.CKR_ENCRYPTED_DATA_INVALID);
      throwsCKR(() => verify({ mechanism: K.CKM_SHA256_RSA_PKCS }, pub2048, data, sign({ mechanism: K.CKM_SHA256_RSA_PKCS }, priv2, data)),
        K.CKR_SIGNATURE_INVALID);
      const aes = f.p11.C_CreateObject(h, [{ type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_GENERIC_SECRET },
        { type: K.CKA_VALUE, value: Buffer.alloc(32, 1) }]);
      throwsCKR(() => f.p11.C_SignInit(h, { mechanism: K.CKM_SHA256_RSA_PKCS }, aes), K.CKR_KEY_TYPE_INCONSISTENT);
      throwsCKR(() => f.p11.C_SignInit(h, { mechanism: K.CKM_SHA256_RSA_PKCS }, pub2048), K.CKR_KEY_TYPE_INCONSISTENT);
    });

    it('refuses wrong parameters with CKR_MECHANISM_PARAM_INVALID', () => {
      const bad: CK_MECHANISM[] = [
        { mechanism: K.CKM_RSA_PKCS, parameter: Buffer.alloc(8) },
        { mechanism: K.CKM_SHA256_RSA_PKCS, parameter: pss(K.CKM_SHA256, K.CKG_MGF1_SHA256, 32) },
        { mechanism: K.CKM_RSA_PKCS_PSS },
        { mechanism: K.CKM_SHA256_RSA_PKCS_PSS },
        { mechanism: K.CKM_SHA256_RSA_PKCS_PSS, parameter: pss(K.CKM_SHA384, K.CKG_MGF1_SHA256, 32) },
        { mechanism: K.CKM_SHA256_RSA_PKCS_PSS, parameter: pss(K.CKM_SHA256, 0x99, 32) },
        { mechanism: K.CKM_SHA256_RSA_PKCS_PSS, parameter: pss(K.CKM_SHA256, K.CKG_MGF1_SHA256, -1) },
        // k* - 2 - hLen = 256 - 2 - 32 = 222 is the longest salt.
        { mechanism: K.CKM_SHA256_RSA_PKCS_PSS, parameter: pss(K.CKM_SHA256, K.CKG_MGF1_SHA256, 223) },
        { mechanism: K.CKM_RSA_PKCS_PSS, parameter: pss(K.CKM_MD5, K.CKG_MGF1_SHA256, 16) },
      ];
      for (const mechanism of bad) {
        throwsCKR(() => f.p11.C_SignInit(h, mechanism, priv2048), K.CKR_MECHANISM_PARAM_INVALID, `0x${mechanism.mechanism.toString(16)}`);
      }
      f.p11.C_SignInit(h, { mechanism: K.CKM_SHA256_RSA_PKCS_PSS, parameter: pss(K.CKM_SHA256, K.CKG_MGF1_SHA256, 222) }, priv2048);
      verify({ mechanism: K.CKM_SHA256_RSA_PKCS_PSS, parameter: pss(K.CKM_SHA256, K.CKG_MGF1_SHA256, 222) }, pub2048, Buffer.from('m'),
        f.p11.C_Sign(h, Buffer.from('m')));
      const badOaep = [
        undefined,
        Buffer.alloc(4),
        { hashAlg: K.CKM_MD5, mgf: K.CKG_MGF1_SHA256, source: K.CKZ_DATA_SPECIFIED },
        { hashAlg: K.CKM_SHA256, mgf: 0, source: K.CKZ_DATA_SPECIFIED },
        { hashAlg: K.CKM_SHA256, mgf: K.CKG_MGF1_SHA256, source: 2 },
        { hashAlg: K.CKM_SHA256, mgf: K.CKG_MGF1_SHA256, source: 0, pSourceData: Buffer.from('label') },
        { hashAlg: K.CKM_SHA256, mgf: K.CKG_MGF1_SHA256, source: K.CKZ_DATA_SPECIFIED, pSourceData: 'label' },
      ];
      for (const parameter of badOaep) {
        throwsCKR(() => f.p11.C_EncryptInit(h, { mechanism: K.CKM_RSA_PKCS_OAEP, parameter } as CK_MECHANISM, pub2048), K.CKR_MECHANISM_PARAM_INVALID);
      }
      const [pub1024] = generate(1024);
      throwsCKR(() => f.p11.C_EncryptInit(h, { mechanism: K.CKM_RSA_PKCS_OAEP, parameter: oaep(K.CKM_SHA512, K.CKG_MGF1_SHA512) }, pub1024),
        K.CKR_KEY_SIZE_RANGE, '128 < 2 * 64 + 2');
    });
  });

  describe('CKM_RSA_PKCS decryption is no padding oracle', () => {
    /** An encryption block 0x00 0x02 PS 0x00 M, with PS of nonzero bytes, for the 2048-bit key. */
    function block(psLength: number, message: Buffer): Buffer {
      const ps = Buffer.alloc(psLength, 0x5a);
      return Buffer.concat([Buffer.from([0x00, 0x02]), ps, Buffer.from([0x00]), message]);
    }
    const rawEncrypt = (b: Buffer) => encrypt({ mechanism: K.CKM_RSA_X_509 }, pub2048, b);

    it('decrypts the edge cases of well-formed blocks', () => {
      assert.deepEqual(decrypt({ mechanism: K.CKM_RSA_PKCS }, priv2048, rawEncrypt(block(8, Buffer.alloc(245, 1)))), Buffer.alloc(245, 1));
      assert.deepEqual(decrypt({ mechanism: K.CKM_RSA_PKCS }, priv2048, rawEncrypt(block(253, Buffer.alloc(0)))), Buffer.alloc(0));
    });

    it('answers every malformed block with the identical error', () => {
      const message = Buffer.from('secret');
      const good = block(256 - 3 - message.length, message);
      const variants: [string, Buffer][] = [];
      const withByte = (i: number, v: number) => { const b = Buffer.from(good); b[i] = v; return b; };
      variants.push(['first byte 0x01', withByte(0, 0x01)]);
      variants.push(['second byte 0x01 (a signature block)', withByte(1, 0x01)]);
      variants.push(['second byte 0x00', withByte(1, 0x00)]);
      variants.push(['second byte 0x03', withByte(1, 0x03)]);
      variants.push(['padding string of 7 bytes', block(7, Buffer.alloc(246, 1))]);
      variants.push(['padding string of 0 bytes', block(0, Buffer.alloc(253, 1))]);
      variants.push(['no zero separator', Buffer.concat([Buffer.from([0x00, 0x02]), Buffer.alloc(254, 0x77)])]);
      const real = encrypt({ mechanism: K.CKM_RSA_PKCS }, pub2048, message);
      const tampered = Buffer.from(real);
      tampered[100]! ^= 0x01;

      const errors = [
        ...variants.map(([name, b]) => [name, failure(() => decrypt({ mechanism: K.CKM_RSA_PKCS }, priv2048, rawEncrypt(b)))] as const),
        ['tampered ciphertext', failure(() => decrypt({ mechanism: K.CKM_RSA_PKCS }, priv2048, tampered))] as const,
      ];
      for (const [name, e] of errors) {
        assert.equal(e.code, K.CKR_ENCRYPTED_DATA_INVALID, name);
        assert.equal(e.message, errors[0]![1].message, `${name}: the same message`);
      }
      assert.deepEqual(decrypt({ mechanism: K.CKM_RSA_PKCS }, priv2048, real), message, 'the untampered one decrypts');
      // What is public may be said: the length, and a ciphertext not below n.
      throwsCKR(() => decrypt({ mechanism: K.CKM_RSA_PKCS }, priv2048, real.subarray(1)), K.CKR_ENCRYPTED_DATA_LEN_RANGE);
      throwsCKR(() => decrypt({ mechanism: K.CKM_RSA_PKCS }, priv2048, Buffer.concat([real, Buffer.alloc(1)])), K.CKR_ENCRYPTED_DATA_LEN_RANGE);
      throwsCKR(() => decrypt({ mechanism: K.CKM_RSA_PKCS }, priv2048, Buffer.alloc(256, 0xff)), K.CKR_ENCRYPTED_DATA_INVALID);
    });

    it('answers every malformed OAEP block (our decoder) with the same error', () => {
      const options = { hash: 'sha256', mgfHash: 'sha1', label: Buffer.from('L') };
      const params = oaep(K.CKM_SHA256, K.CKG_MGF1_SHA1, Buffer.from('L'));
      const seed = Buffer.alloc(32, 9);
      const good = emeOaepEncode(Buffer.from('secret'), 256, options, seed);
      assert.deepEqual(decrypt({ mechanism: K.CKM_RSA_PKCS_OAEP, parameter: params }, priv2048, rawEncrypt(good)), Buffer.from('secret'));
      const firstByte = Buffer.from(good);
      firstByte[0] = 1;
      // EM = 0x00 || maskedSeed || maskedDB from a DB of our choosing (RFC 8017 7.1.1 steps 2f-2i).
      const withDb = (db: Buffer): Buffer => {
        const maskedDb = Buffer.from(db.map((b, i) => b ^ mgf1('sha1', seed, db.length)[i]!));
        const maskedSeed = Buffer.from(seed.map((b, i) => b ^ mgf1('sha1', maskedDb, 32)[i]!));
        return Buffer.concat([Buffer.alloc(1), maskedSeed, maskedDb]);
      };
      const lHash = sha('sha256', Buffer.from('L'));
      const db = (middle: Buffer) => Buffer.concat([lHash, Buffer.alloc(256 - 33 - 32 - middle.length - 6), middle, Buffer.from('secret')]);
      assert.deepEqual(decrypt({ mechanism: K.CKM_RSA_PKCS_OAEP, parameter: params }, priv2048, rawEncrypt(withDb(db(hex('01'))))),
        Buffer.from('secret'), 'the hand-made block is right');
      const blocks = [
        withDb(db(hex('02 01'))),
        withDb(db(hex('00 00 00'))),
        withDb(db(hex('02'))),
        firstByte,
        emeOaepEncode(Buffer.from('secret'), 256, { ...options, label: Buffer.from('M') }, seed),
        emeOaepEncode(Buffer.from('secret'), 256, { ...options, mgfHash: 'sha256' }, seed),
        Buffer.concat([Buffer.alloc(1), randomBytes(255)]),
      ];
      const errors = blocks.map((b) => failure(() => decrypt({ mechanism: K.CKM_RSA_PKCS_OAEP, parameter: params }, priv2048, rawEncrypt(b))));
      for (const e of errors) {
        assert.equal(e.code, K.CKR_ENCRYPTED_DATA_INVALID);
        assert.equal(e.message, errors[0]!.message);
      }
    });
  });

  describe('wrapping', () => {
    let wrapPub: number;
    let unwrapPriv: number;
    before(() => {
      [wrapPub, unwrapPriv] = generate(2048, [{ type: K.CKA_WRAP, value: true }], [
        { type: K.CKA_UNWRAP, value: true },
        { type: K.CKA_UNWRAP_TEMPLATE, value: [{ type: K.CKA_SENSITIVE, value: false }, { type: K.CKA_EXTRACTABLE, value: true }] },
      ]);
    });

    const secret = (value: Buffer) => f.p11.C_CreateObject(h, [
      { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_GENERIC_SECRET },
      { type: K.CKA_VALUE, value }, { type: K.CKA_EXTRACTABLE, value: true },
    ]);
    const unwrapTemplate: CK_ATTRIBUTE[] = [
      { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_GENERIC_SECRET },
      { type: K.CKA_SENSITIVE, value: false }, { type: K.CKA_EXTRACTABLE, value: true },
    ];

    it('wraps and unwraps a secret key with CKM_RSA_PKCS and CKM_RSA_PKCS_OAEP', () => {
      // 14 bytes: a 112-bit key, no stronger than the 2048-bit wrapping key.
      const value = randomBytes(14);
      const key = secret(value);
      for (const mechanism of [{ mechanism: K.CKM_RSA_PKCS }, { mechanism: K.CKM_RSA_PKCS_OAEP, parameter: oaep(K.CKM_SHA256, K.CKG_MGF1_SHA1) },
        { mechanism: K.CKM_RSA_PKCS_OAEP, parameter: oaep(K.CKM_SHA384, K.CKG_MGF1_SHA384, Buffer.from('wrap')) }]) {
        assert.equal(f.p11.C_WrapKey(h, mechanism, wrapPub, key, null), 256);
        const wrapped = f.p11.C_WrapKey(h, mechanism, wrapPub, key);
        const unwrapped = f.p11.C_UnwrapKey(h, mechanism, unwrapPriv, wrapped, unwrapTemplate);
        assert.deepEqual(attribute(unwrapped, K.CKA_VALUE), value);
        const tampered = Buffer.from(wrapped);
        tampered[5]! ^= 1;
        throwsCKR(() => f.p11.C_UnwrapKey(h, mechanism, unwrapPriv, tampered, unwrapTemplate), K.CKR_WRAPPED_KEY_INVALID);
        throwsCKR(() => f.p11.C_UnwrapKey(h, mechanism, unwrapPriv, wrapped.subarray(1), unwrapTemplate), K.CKR_WRAPPED_KEY_LEN_RANGE);
      }
      // RSA-2048 (112 bits) meets the 112-bit floor, so it may wrap an AES-256-sized secret.
      assert.equal(f.p11.C_WrapKey(h, { mechanism: K.CKM_RSA_PKCS }, wrapPub, secret(randomBytes(32))).length, 256);
      // RSA-1024 (80 bits) may not wrap anything stronger than itself.
      const [weakPub] = generate(1024, [{ type: K.CKA_WRAP, value: true }, { type: K.CKA_ENCRYPT, value: false }]);
      throwsCKR(() => f.p11.C_WrapKey(h, { mechanism: K.CKM_RSA_PKCS }, weakPub, secret(randomBytes(16))), K.CKR_WRAPPING_KEY_SIZE_RANGE,
        'a 128-bit key under an 80-bit one');
      // A key pair that encrypts may not wrap.
      throwsCKR(() => f.p11.C_WrapKey(h, { mechanism: K.CKM_RSA_PKCS }, pub2048, key), K.CKR_KEY_FUNCTION_NOT_PERMITTED);
    });

    it('refuses to wrap a key too long for the wrapping key (an RSA private key as PKCS #8)', () => {
      const [, exportable] = generate(1024, [], [{ type: K.CKA_EXTRACTABLE, value: true }]);
      throwsCKR(() => f.p11.C_WrapKey(h, { mechanism: K.CKM_RSA_PKCS }, wrapPub, exportable), K.CKR_KEY_SIZE_RANGE);
    });

    it('wraps RSA private keys as PKCS #8 under AES (the codec), including one imported without its primes', () => {
      const aes = f.p11.C_CreateObject(h, [
        { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES }, { type: K.CKA_VALUE, value: randomBytes(32) },
        { type: K.CKA_WRAP, value: true }, { type: K.CKA_UNWRAP, value: true },
      ]);
      const mechanism = { mechanism: K.CKM_AES_CBC_PAD, parameter: randomBytes(16) };
      const dOnly = importPrivate({ n: KEY1.n, e: KEY1.e, d: KEY1.d }, [{ type: K.CKA_EXTRACTABLE, value: true }]);
      const template: CK_ATTRIBUTE[] = [{ type: K.CKA_CLASS, value: K.CKO_PRIVATE_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_RSA }];
      const back = f.p11.C_UnwrapKey(h, mechanism, aes, f.p11.C_WrapKey(h, mechanism, aes, dOnly), template);
      assert.deepEqual(sign({ mechanism: K.CKM_SHA1_RSA_PKCS }, back, MSG_1_1), PKCS1_SIG_1_1);
      assert.deepEqual(attribute(back, K.CKA_MODULUS), KEY1.n);
      assert.equal(f.p11.C_GetAttributeValue(h, back, [{ type: K.CKA_KEY_TYPE }])[0]!.value, K.CKK_RSA);
      assert.deepEqual(createPublicKey({ key: attribute(back, K.CKA_PUBLIC_KEY_INFO), format: 'der', type: 'spki' }).export({ format: 'jwk' }).n,
        KEY1.n.toString('base64url'));

      const again = f.p11.C_UnwrapKey(h, mechanism, aes, f.p11.C_WrapKey(h, mechanism, aes, priv2048), template);
      const data = Buffer.from('same key');
      assert.deepEqual(sign({ mechanism: K.CKM_SHA256_RSA_PKCS }, again, data), sign({ mechanism: K.CKM_SHA256_RSA_PKCS }, priv2048, data));
    });
  });

  describe('openssl cross-checks', () => {
    let dir: string;
    let privPem: string;
    let pubPem: string;
    const file = (name: string, data?: Buffer): string => {
      const path = join(dir, name);
      if (data) writeFileSync(path, data);
      return path;
    };
    const openssl = (...args: string[]): Buffer => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });

    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'rsa-openssl-'));
      const c = components2048;
      const b64 = (b: Buffer) => b.toString('base64url');
      const key = createPrivateKey({ key: { kty: 'RSA', n: b64(c.n), e: b64(c.e), d: b64(c.d), p: b64(c.p!), q: b64(c.q!),
        dp: b64(c.dp!), dq: b64(c.dq!), qi: b64(c.qi!) }, format: 'jwk' });
      privPem = file('priv.pem', Buffer.from(key.export({ type: 'pkcs8', format: 'pem' }) as string));
      const spki = attribute(pub2048, K.CKA_PUBLIC_KEY_INFO);
      pubPem = file('pub.pem', Buffer.from(createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }) as string));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('openssl verifies the token\'s signatures (PKCS #1 v1.5, PSS, SHA-3, raw PSS with another MGF1)', () => {
      const data = file('data.bin', randomBytes(1000));
      const message = readFileSync(data);
      const check = (sig: Buffer, ...args: string[]) => openssl(...args, '-signature', file('sig.bin', sig), data);
      check(sign({ mechanism: K.CKM_SHA256_RSA_PKCS }, priv2048, message), 'dgst', '-sha256', '-verify', pubPem);
      check(sign({ mechanism: K.CKM_SHA3_256_RSA_PKCS }, priv2048, message), 'dgst', '-sha3-256', '-verify', pubPem);
      check(sign({ mechanism: K.CKM_SHA384_RSA_PKCS_PSS, parameter: pss(K.CKM_SHA384, K.CKG_MGF1_SHA384, 48) }, priv2048, message),
        'dgst', '-sha384', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:48', '-verify', pubPem);
      check(sign({ mechanism: K.CKM_SHA3_512_RSA_PKCS_PSS, parameter: pss(K.CKM_SHA3_512, K.CKG_MGF1_SHA3_512, 0) }, priv2048, message),
        'dgst', '-sha3-512', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:0', '-verify', pubPem);
      assert.throws(() => check(sign({ mechanism: K.CKM_SHA256_RSA_PKCS }, priv2048, Buffer.from('other')), 'dgst', '-sha256', '-verify', pubPem),
        'openssl rejects a signature of other data');

      const hash = file('hash.bin', sha('sha256', message));
      const rawPss = sign({ mechanism: K.CKM_RSA_PKCS_PSS, parameter: pss(K.CKM_SHA256, K.CKG_MGF1_SHA1, 20) }, priv2048, sha('sha256', message));
      openssl('pkeyutl', '-verify', '-pubin', '-inkey', pubPem, '-in', hash, '-sigfile', file('sig.bin', rawPss),
        '-pkeyopt', 'digest:sha256', '-pkeyopt', 'rsa_padding_mode:pss', '-pkeyopt', 'rsa_mgf1_md:sha1', '-pkeyopt', 'rsa_pss_saltlen:20');
    });

    it('openssl verifies a PSS signature of a 1025-bit key (the encoding one byte shorter than the modulus)', () => {
      const [pub, priv] = generate(1025);
      const pem = file('pub1025.pem', Buffer.from(createPublicKey({ key: attribute(pub, K.CKA_PUBLIC_KEY_INFO), format: 'der', type: 'spki' })
        .export({ type: 'spki', format: 'pem' }) as string));
      const data = file('data1025.bin', Buffer.from('odd modulus'));
      const params = pss(K.CKM_SHA256, K.CKG_MGF1_SHA256, 32);
      const s = sign({ mechanism: K.CKM_SHA256_RSA_PKCS_PSS, parameter: params }, priv, readFileSync(data));
      assert.equal(s.length, 129);
      openssl('dgst', '-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32', '-verify', pem, '-signature', file('s1025.bin', s), data);
      verify({ mechanism: K.CKM_SHA256_RSA_PKCS_PSS, parameter: params }, pub, readFileSync(data), s);
    });

    it('the token verifies openssl\'s signatures', () => {
      const data = file('data2.bin', randomBytes(500));
      const message = readFileSync(data);
      const sigFile = join(dir, 'osig.bin');
      openssl('dgst', '-sha512', '-sign', privPem, '-out', sigFile, data);
      verify({ mechanism: K.CKM_SHA512_RSA_PKCS }, pub2048, message, readFileSync(sigFile));
      openssl('dgst', '-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32', '-sign', privPem, '-out', sigFile, data);
      const pssSig = readFileSync(sigFile);
      verify({ mechanism: K.CKM_SHA256_RSA_PKCS_PSS, parameter: pss(K.CKM_SHA256, K.CKG_MGF1_SHA256, 32) }, pub2048, message, pssSig);
      verify({ mechanism: K.CKM_RSA_PKCS_PSS, parameter: pss(K.CKM_SHA256, K.CKG_MGF1_SHA256, 32) }, pub2048, sha('sha256', message), pssSig);
      throwsCKR(() => verify({ mechanism: K.CKM_SHA256_RSA_PKCS_PSS, parameter: pss(K.CKM_SHA256, K.CKG_MGF1_SHA256, 20) }, pub2048, message, pssSig),
        K.CKR_SIGNATURE_INVALID);
      openssl('dgst', '-sha3-384', '-sign', privPem, '-out', sigFile, data);
      verify({ mechanism: K.CKM_SHA3_384_RSA_PKCS }, pub2048, message, readFileSync(sigFile));
    });

    it('the token decrypts what openssl encrypts (PKCS #1 v1.5, OAEP with one hash and with another MGF1 hash, labels)', () => {
      const message = file('msg.bin', Buffer.from('from openssl'));
      const ctFile = join(dir, 'ct.bin');
      const enc = (...opts: string[]) => {
        openssl('pkeyutl', '-encrypt', '-pubin', '-inkey', pubPem, '-in', message, '-out', ctFile, ...opts.flatMap((o) => ['-pkeyopt', o]));
        return readFileSync(ctFile);
      };
      const expected = readFileSync(message);
      assert.deepEqual(decrypt({ mechanism: K.CKM_RSA_PKCS }, priv2048, enc('rsa_padding_mode:pkcs1')), expected);
      assert.deepEqual(decrypt({ mechanism: K.CKM_RSA_PKCS_OAEP, parameter: oaep(K.CKM_SHA_1, K.CKG_MGF1_SHA1) }, priv2048,
        enc('rsa_padding_mode:oaep')), expected);
      assert.deepEqual(decrypt({ mechanism: K.CKM_RSA_PKCS_OAEP, parameter: oaep(K.CKM_SHA256, K.CKG_MGF1_SHA256, Buffer.from('lbl')) }, priv2048,
        enc('rsa_padding_mode:oaep', 'rsa_oaep_md:sha256', 'rsa_oaep_label:6c626c')), expected);
      assert.deepEqual(decrypt({ mechanism: K.CKM_RSA_PKCS_OAEP, parameter: oaep(K.CKM_SHA256, K.CKG_MGF1_SHA1, Buffer.from('lbl')) }, priv2048,
        enc('rsa_padding_mode:oaep', 'rsa_oaep_md:sha256', 'rsa_mgf1_md:sha1', 'rsa_oaep_label:6c626c')), expected);
    });

    it('openssl decrypts what the token encrypts', () => {
      const message = Buffer.from('from the token');
      const dec = (ct: Buffer, ...opts: string[]) =>
        openssl('pkeyutl', '-decrypt', '-inkey', privPem, '-in', file('tct.bin', ct), ...opts.flatMap((o) => ['-pkeyopt', o]));
      assert.deepEqual(dec(encrypt({ mechanism: K.CKM_RSA_PKCS }, pub2048, message), 'rsa_padding_mode:pkcs1'), message);
      assert.deepEqual(dec(encrypt({ mechanism: K.CKM_RSA_PKCS_OAEP, parameter: oaep(K.CKM_SHA3_256, K.CKG_MGF1_SHA3_256) }, pub2048, message),
        'rsa_padding_mode:oaep', 'rsa_oaep_md:sha3-256'), message);
      assert.deepEqual(dec(encrypt({ mechanism: K.CKM_RSA_PKCS_OAEP, parameter: oaep(K.CKM_SHA384, K.CKG_MGF1_SHA1, Buffer.from('lbl')) }, pub2048, message),
        'rsa_padding_mode:oaep', 'rsa_oaep_md:sha384', 'rsa_mgf1_md:sha1', 'rsa_oaep_label:6c626c'), message);
      assert.deepEqual(dec(encrypt({ mechanism: K.CKM_RSA_X_509 }, pub2048, message), 'rsa_padding_mode:none').subarray(256 - message.length), message);
    });
  });
});

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

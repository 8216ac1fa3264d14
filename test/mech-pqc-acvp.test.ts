/**
 * ML-DSA (FIPS 204) against NIST ACVP known answers, through the Cryptoki API.
 *
 * The cases are in test/fixtures/acvp-ml-dsa.json, copied verbatim (hex lower-cased) from
 * NIST ACVP-Server gen-val/json-files/ML-DSA-keyGen-FIPS204/internalProjection.json (vsId 42),
 * as copied in RustCrypto/signatures ml-dsa/tests/key-gen.json
 * (commit 5595c3b1bfa14022b46ec3cc662a87e49b954266):
 *   tgId 1 (ML-DSA-44) tcId 1, tgId 2 (ML-DSA-65) tcId 26, tgId 3 (ML-DSA-87) tcId 51.
 *
 * keyGen: the token accepts an ML-DSA private key as CKA_VALUE (the expanded sk) plus CKA_SEED
 * (ξ) and, at C_SignInit, re-derives the key from the seed and refuses it unless it matches
 * CKA_VALUE. So a signature made with the imported ACVP (seed, sk) shows the seed derives that
 * sk; the signature then has to verify under the ACVP pk imported as a public key.
 *
 * sigVer: test/fixtures/acvp-ml-dsa-sigver.json holds cases copied verbatim from NIST ACVP-Server
 * gen-val/json-files/ML-DSA-sigVer-FIPS204/prompt.json with their testPassed from
 * expectedResults.json (commit 203f667c26e10a1be89dfe8da7a54498fde2d848, vsId 42): for each
 * parameter set an accepted and a rejected signature of the external interface, pure mode (with
 * contexts), and two pre-hash ones (HashML-DSA: SHA3-224 accepted, SHA3-512 rejected). The public
 * key is made with C_CreateObject and C_Verify must answer CKR_OK or CKR_SIGNATURE_INVALID as NIST
 * expects. The internal and external-mu interfaces have no PKCS#11 mechanism here, so their groups
 * are left out.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import * as K from '../src/pkcs11/constants.js';
import type { Cryptoki } from '../src/core/cryptoki.js';
import type { CK_MECHANISM } from '../src/pkcs11/types.js';
import { RW, setup, STORE_KINDS, throwsCKR, USER_PIN, type Fixture } from './helpers.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
interface KeyGenCase { tgId: number; tcId: number; parameterSet: string; seed: string; pk: string; sk: string }
const VECTORS = JSON.parse(readFileSync(resolve(repoRoot, 'test', 'fixtures', 'acvp-ml-dsa.json'), 'utf8')) as { keyGen: KeyGenCase[] };
interface SigVerCase {
  tgId: number; tcId: number; parameterSet: string; signatureInterface: 'external'; preHash: 'pure' | 'preHash';
  hashAlg?: string; testPassed: boolean; pk: string; message: string; context: string; signature: string;
}
const SIG_VER = JSON.parse(readFileSync(resolve(repoRoot, 'test', 'fixtures', 'acvp-ml-dsa-sigver.json'), 'utf8')) as { sigVer: SigVerCase[] };

/** ACVP hash names: the token's hashing mechanism, and the digest mechanism and node:crypto name for CKM_HASH_ML_DSA. */
const PRE_HASHES: Record<string, { hashing: number; digest: number; node: string }> = {
  'SHA3-224': { hashing: K.CKM_HASH_ML_DSA_SHA3_224, digest: K.CKM_SHA3_224, node: 'sha3-224' },
  'SHA3-512': { hashing: K.CKM_HASH_ML_DSA_SHA3_512, digest: K.CKM_SHA3_512, node: 'sha3-512' },
};

const SETS: Record<string, number> = { 'ML-DSA-44': K.CKP_ML_DSA_44, 'ML-DSA-65': K.CKP_ML_DSA_65, 'ML-DSA-87': K.CKP_ML_DSA_87 };
const hex = (s: string) => Buffer.from(s, 'hex');
const flip = (b: Buffer, i = 0) => { const c = Buffer.from(b); c[i] ^= 1; return c; };

describe('ML-DSA against NIST ACVP samples', () => {
  let f: Fixture;
  let p11: Cryptoki;
  let h: number;
  before(() => {
    f = setup(STORE_KINDS[0]!);
    p11 = f.p11;
    h = p11.C_OpenSession(f.slot, RW);
    p11.C_Login(h, K.CKU_USER, USER_PIN);
  });
  after(() => f.cleanup());

  const importPublic = (set: number, value: Buffer) => p11.C_CreateObject(h, [
    { type: K.CKA_CLASS, value: K.CKO_PUBLIC_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_ML_DSA },
    { type: K.CKA_PARAMETER_SET, value: set }, { type: K.CKA_VALUE, value }, { type: K.CKA_VERIFY, value: true },
  ]);
  const importPrivate = (set: number, value: Buffer, seed: Buffer) => p11.C_CreateObject(h, [
    { type: K.CKA_CLASS, value: K.CKO_PRIVATE_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_ML_DSA },
    { type: K.CKA_PARAMETER_SET, value: set }, { type: K.CKA_VALUE, value }, { type: K.CKA_SIGN, value: true },
    { type: K.CKA_SEED, value: seed },
  ]);
  const sign = (m: CK_MECHANISM, key: number, data: Buffer) => { p11.C_SignInit(h, m, key); return p11.C_Sign(h, data) as Buffer; };
  const verify = (m: CK_MECHANISM, key: number, data: Buffer, sig: Buffer) => { p11.C_VerifyInit(h, m, key); p11.C_Verify(h, data, sig); };

  for (const v of VECTORS.keyGen) {
    it(`keyGen ${v.parameterSet} (tgId ${v.tgId}, tcId ${v.tcId}): the seed derives sk, whose signatures verify under pk`, () => {
      const set = SETS[v.parameterSet]!;
      const pub = importPublic(set, hex(v.pk));
      const priv = importPrivate(set, hex(v.sk), hex(v.seed));
      const message = Buffer.from(`ACVP ${v.parameterSet} tcId ${v.tcId}`);
      for (const mechanism of [
        { mechanism: K.CKM_ML_DSA },
        { mechanism: K.CKM_ML_DSA, parameter: { hedgeVariant: K.CKH_DETERMINISTIC_REQUIRED, pContext: Buffer.from('ctx') } },
      ] as CK_MECHANISM[]) {
        const signature = sign(mechanism, priv, message);
        verify(mechanism, pub, message, signature);
        throwsCKR(() => verify(mechanism, pub, flip(message), signature), K.CKR_SIGNATURE_INVALID);
      }
      // The ACVP pk is the one bound into sk (ρ is shared; tr = H(pk) sits at sk[64..128]).
      assert.deepEqual(hex(v.sk).subarray(0, 32), hex(v.pk).subarray(0, 32));
      // Another seed does not derive this sk: the token refuses the key.
      const mismatched = importPrivate(set, hex(v.sk), flip(hex(v.seed), 5));
      throwsCKR(() => p11.C_SignInit(h, { mechanism: K.CKM_ML_DSA }, mismatched), K.CKR_FUNCTION_FAILED);
    });
  }

  /** The mechanisms that verify a case: pure ML-DSA, or HashML-DSA both hashing and given the hash. */
  const sigVerRuns = (v: SigVerCase): { mechanism: CK_MECHANISM; data: Buffer }[] => {
    const message = hex(v.message);
    const pContext = hex(v.context);
    if (v.preHash === 'pure') return [{ mechanism: { mechanism: K.CKM_ML_DSA, parameter: { pContext } }, data: message }];
    const preHash = PRE_HASHES[v.hashAlg!]!;
    return [
      { mechanism: { mechanism: preHash.hashing, parameter: { pContext } }, data: message },
      { mechanism: { mechanism: K.CKM_HASH_ML_DSA, parameter: { pContext, hash: preHash.digest } }, data: createHash(preHash.node).update(message).digest() },
    ];
  };

  it('has sigVer cases of each parameter set, accepted and rejected, with contexts and a pre-hash one', () => {
    for (const set of Object.keys(SETS)) {
      const cases = SIG_VER.sigVer.filter((v) => v.parameterSet === set);
      assert.ok(cases.some((v) => v.testPassed) && cases.some((v) => !v.testPassed), `${set}: both answers`);
    }
    assert.ok(SIG_VER.sigVer.some((v) => v.testPassed && v.preHash === 'pure' && v.context.length > 0), 'an accepted signature with a context');
    assert.ok(SIG_VER.sigVer.some((v) => v.testPassed && v.preHash === 'preHash'), 'an accepted pre-hash signature');
  });

  for (const v of SIG_VER.sigVer) {
    const mode = v.preHash === 'pure' ? 'pure' : `pre-hash ${v.hashAlg}`;
    it(`sigVer ${v.parameterSet} ${mode} (tgId ${v.tgId}, tcId ${v.tcId}): ${v.testPassed ? 'CKR_OK' : 'CKR_SIGNATURE_INVALID'}`, () => {
      const pub = importPublic(SETS[v.parameterSet]!, hex(v.pk));
      for (const { mechanism, data } of sigVerRuns(v)) {
        if (v.testPassed) verify(mechanism, pub, data, hex(v.signature));
        else throwsCKR(() => verify(mechanism, pub, data, hex(v.signature)), K.CKR_SIGNATURE_INVALID);
      }
    });
  }
});

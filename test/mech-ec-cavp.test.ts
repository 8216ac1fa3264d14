/**
 * ECDSA signature verification against NIST CAVP: every [P-256,SHA-256] case of
 * FIPS 186-4 SigVer.rsp (test/fixtures/cavp-ecdsa-p256-sha256-sigver.json),
 * three that pass and twelve with the message, R, S or Q changed. Each is
 * checked with CKM_ECDSA_SHA256 (single- and multi-part) and with CKM_ECDSA
 * over the caller's SHA-256 digest.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as K from '../src/pkcs11/constants.js';
import { CKRError } from '../src/pkcs11/error.js';
import { sharedUserSession } from './helpers.js';

interface SigVerCase { msg: string; qx: string; qy: string; r: string; s: string; result: string }

const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/cavp-ecdsa-p256-sha256-sigver.json', import.meta.url), 'utf8')) as {
  cases: SigVerCase[];
};
const hex = (s: string) => Buffer.from(s, 'hex');
/** DER OBJECT IDENTIFIER 1.2.840.10045.3.1.7 (P-256). */
const P256_PARAMS = hex('06082a8648ce3d030107');

/** One logged-in RW user session for the whole file. */
const t = sharedUserSession();

function publicKey(c: SigVerCase): number {
  const point = Buffer.concat([Buffer.of(0x04), hex(c.qx), hex(c.qy)]);
  return t.p11.C_CreateObject(t.session, [
    { type: K.CKA_CLASS, value: K.CKO_PUBLIC_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_EC },
    { type: K.CKA_EC_PARAMS, value: P256_PARAMS }, { type: K.CKA_VERIFY, value: true },
    // CKA_EC_POINT is the DER OCTET STRING around the uncompressed point.
    { type: K.CKA_EC_POINT, value: Buffer.concat([Buffer.of(0x04, point.length), point]) },
  ]);
}

/** CKR_OK or the error code of one verification. */
function verdict(run: () => void): number {
  try {
    run();
    return K.CKR_OK;
  } catch (err) {
    if (err instanceof CKRError) return err.code;
    throw err;
  }
}

describe('CKM_ECDSA_SHA256 and CKM_ECDSA against NIST CAVP SigVer [P-256,SHA-256]', () => {
  it('has the fifteen published cases, three of them passing', () => {
    assert.equal(fixture.cases.length, 15);
    assert.equal(fixture.cases.filter((c) => c.result.startsWith('P')).length, 3);
  });

  for (const [i, c] of fixture.cases.entries()) {
    it(`case ${i}: ${c.result}`, () => {
      const expected = c.result.startsWith('P') ? K.CKR_OK : K.CKR_SIGNATURE_INVALID;
      const key = publicKey(c);
      const message = hex(c.msg);
      const signature = Buffer.concat([hex(c.r), hex(c.s)]);
      const single = verdict(() => {
        t.p11.C_VerifyInit(t.session, { mechanism: K.CKM_ECDSA_SHA256 }, key);
        t.p11.C_Verify(t.session, message, signature);
      });
      const multi = verdict(() => {
        t.p11.C_VerifyInit(t.session, { mechanism: K.CKM_ECDSA_SHA256 }, key);
        t.p11.C_VerifyUpdate(t.session, message.subarray(0, 50));
        t.p11.C_VerifyUpdate(t.session, message.subarray(50));
        t.p11.C_VerifyFinal(t.session, signature);
      });
      const raw = verdict(() => {
        t.p11.C_VerifyInit(t.session, { mechanism: K.CKM_ECDSA }, key);
        t.p11.C_Verify(t.session, createHash('sha256').update(message).digest(), signature);
      });
      assert.deepEqual([single, multi, raw], [expected, expected, expected]);
    });
  }
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { mechanismTable } from '../src/mechanisms/doc.js';
import { constantValue } from '../src/pkcs11/names.js';
import { setup, STORE_KINDS } from './helpers.js';

describe('docs/mechanisms.md', () => {
  it('is the table the registry makes now (regenerate with npm run gen:mechanism-doc)', () => {
    const committed = readFileSync(new URL('../../docs/mechanisms.md', import.meta.url), 'utf8');
    assert.equal(committed, mechanismTable());
  });

  it('lists exactly what C_GetMechanismList returns', () => {
    const f = setup(STORE_KINDS[0]!);
    const listed = [...mechanismTable().matchAll(/^\| `(CKM_[A-Z0-9_]+|CKM_0x[0-9a-f]+)` \| 0x([0-9a-f]+) \|/gm)]
      .map((m) => { assert.equal(constantValue(m[1]!) ?? parseInt(m[2]!, 16), parseInt(m[2]!, 16)); return parseInt(m[2]!, 16); });
    assert.deepEqual(listed, f.p11.C_GetMechanismList(f.slot));
    f.cleanup();
  });
});

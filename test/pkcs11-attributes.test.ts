import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  attributeKind, decodeAttributes, encodeAttributes, exportValue, MalformedEncodingError, normalizeTemplate,
  normalizeValue, valueLength, valuesEqual, type StoredValue,
} from '../src/pkcs11/attributes.js';
import * as K from '../src/pkcs11/constants.js';
import { throwsCKR } from './helpers.js';

describe('attribute values', () => {
  it('knows the type of each attribute', () => {
    assert.equal(attributeKind(K.CKA_TOKEN), 'bool');
    assert.equal(attributeKind(K.CKA_CLASS), 'ulong');
    assert.equal(attributeKind(K.CKA_LABEL), 'utf8');
    assert.equal(attributeKind(K.CKA_START_DATE), 'date');
    assert.equal(attributeKind(K.CKA_WRAP_TEMPLATE), 'template');
    assert.equal(attributeKind(K.CKA_ALLOWED_MECHANISMS), 'mechanisms');
    assert.equal(attributeKind(K.CKA_VALUE), 'bytes');
  });

  it('accepts the C layouts too, and refuses what does not fit the type', () => {
    assert.equal(normalizeValue(K.CKA_TOKEN, Buffer.from([1])), true);
    assert.equal(normalizeValue(K.CKA_TOKEN, 0), false);
    throwsCKR(() => normalizeValue(K.CKA_TOKEN, Buffer.from([2])), K.CKR_ATTRIBUTE_VALUE_INVALID);
    const le = Buffer.alloc(8);
    le.writeBigUInt64LE(3n);
    assert.equal(normalizeValue(K.CKA_CLASS, le), 3);
    throwsCKR(() => normalizeValue(K.CKA_CLASS, Buffer.alloc(8, 0xff)), K.CKR_ATTRIBUTE_VALUE_INVALID);
    throwsCKR(() => normalizeValue(K.CKA_CLASS, 1.5), K.CKR_ATTRIBUTE_VALUE_INVALID);
    throwsCKR(() => normalizeValue(K.CKA_CLASS, -2), K.CKR_ATTRIBUTE_VALUE_INVALID);
    assert.deepEqual(normalizeValue(K.CKA_START_DATE, ''), Buffer.alloc(0));
    assert.deepEqual(normalizeValue(K.CKA_START_DATE, '20240229'), Buffer.from('20240229'));
    throwsCKR(() => normalizeValue(K.CKA_START_DATE, '2024-02-29'), K.CKR_ATTRIBUTE_VALUE_INVALID);
    throwsCKR(() => normalizeValue(K.CKA_START_DATE, 5), K.CKR_ATTRIBUTE_VALUE_INVALID);
    assert.deepEqual(normalizeValue(K.CKA_LABEL, 'é'), Buffer.from('é'));
    throwsCKR(() => normalizeValue(K.CKA_LABEL, 5), K.CKR_ATTRIBUTE_VALUE_INVALID);
    throwsCKR(() => normalizeValue(K.CKA_VALUE, 'text'), K.CKR_ATTRIBUTE_VALUE_INVALID);
    throwsCKR(() => normalizeValue(K.CKA_VALUE, null), K.CKR_ATTRIBUTE_VALUE_INVALID);
    assert.deepEqual(normalizeValue(K.CKA_ALLOWED_MECHANISMS, [1, 2]), [1, 2]);
    throwsCKR(() => normalizeValue(K.CKA_ALLOWED_MECHANISMS, [1, 'x'] as never), K.CKR_ATTRIBUTE_VALUE_INVALID);
    throwsCKR(() => normalizeValue(K.CKA_WRAP_TEMPLATE, 'x'), K.CKR_ATTRIBUTE_VALUE_INVALID);
    throwsCKR(() => normalizeValue(K.CKA_WRAP_TEMPLATE, [{ type: K.CKA_WRAP_TEMPLATE, value: [] }]), K.CKR_ATTRIBUTE_VALUE_INVALID, 'no template in a template');
    throwsCKR(() => normalizeValue(K.CKA_WRAP_TEMPLATE, [5] as never), K.CKR_ATTRIBUTE_VALUE_INVALID);
  });

  it('copies buffers in and out, so the caller cannot change a stored value', () => {
    const input = Buffer.from('abc');
    const stored = normalizeValue(K.CKA_VALUE, input) as Buffer;
    input[0] = 0x7a;
    assert.deepEqual(stored, Buffer.from('abc'));
    const out = exportValue(stored) as Buffer;
    out[0] = 0x7a;
    assert.deepEqual(stored, Buffer.from('abc'));
  });

  it('measures values as C does', () => {
    assert.equal(valueLength(true), 1);
    assert.equal(valueLength(7), 8);
    assert.equal(valueLength(Buffer.alloc(5)), 5);
    assert.equal(valueLength([1, 2, 3]), 24);
    assert.equal(valueLength([{ type: 1, value: true }]), 24);
    assert.equal(valueLength([]), 0);
  });

  it('round-trips every kind through the binary form', () => {
    const attrs: [number, StoredValue][] = [
      [K.CKA_TOKEN, true], [K.CKA_CLASS, K.CKO_SECRET_KEY], [K.CKA_KEY_GEN_MECHANISM, -1], [K.CKA_LABEL, Buffer.from('x')],
      [K.CKA_ALLOWED_MECHANISMS, [K.CKM_SHA256, K.CKM_VENDOR_DEFINED]],
      [K.CKA_WRAP_TEMPLATE, [{ type: K.CKA_EXTRACTABLE, value: false }, { type: K.CKA_LABEL, value: Buffer.alloc(0) }]],
    ];
    const decoded = decodeAttributes(encodeAttributes(attrs));
    assert.equal(decoded.size, attrs.length);
    for (const [t, v] of attrs) assert.ok(valuesEqual(decoded.get(t)!, v), `attribute ${t}`);
    const exported = exportValue(decoded.get(K.CKA_WRAP_TEMPLATE)!) as { type: number; value: unknown }[];
    assert.equal(exported[0]!.value, false);
  });

  it('refuses a malformed binary form', () => {
    const good = encodeAttributes([[K.CKA_LABEL, Buffer.from('label')]]);
    for (let cut = 0; cut < good.length; cut++) {
      assert.throws(() => decodeAttributes(good.subarray(0, cut)), MalformedEncodingError);
    }
    assert.throws(() => decodeAttributes(Buffer.concat([good, Buffer.from([0])])), MalformedEncodingError);
    const badTag = Buffer.from(good);
    badTag[8] = 99;
    assert.throws(() => decodeAttributes(badTag), MalformedEncodingError);
    const huge = Buffer.from('0000000100000003040fffffff', 'hex');
    assert.throws(() => decodeAttributes(huge), MalformedEncodingError, 'a count that lies is caught before allocation');
  });

  it('compares values of every kind', () => {
    assert.ok(valuesEqual(Buffer.from('a'), Buffer.from('a')));
    assert.ok(!valuesEqual(Buffer.from('a'), true));
    assert.ok(!valuesEqual([1], [1, 2]));
    assert.ok(!valuesEqual([1], [2]));
    assert.ok(!valuesEqual([{ type: 1, value: true }], [{ type: 1, value: false }]));
  });

  it('takes a template once per type', () => {
    assert.equal(normalizeTemplate([{ type: K.CKA_TOKEN, value: true }, { type: K.CKA_TOKEN, value: true }]).size, 1);
    throwsCKR(() => normalizeTemplate([{ type: K.CKA_TOKEN, value: true }, { type: K.CKA_TOKEN, value: false }]), K.CKR_TEMPLATE_INCONSISTENT);
    throwsCKR(() => normalizeTemplate([{ type: -1, value: true }]), K.CKR_ARGUMENTS_BAD);
  });
});

/**
 * Names for PKCS#11 numbers and numbers for names, over the generated
 * constants (./constants.ts).
 *
 * Several names can share a value within one prefix (CKK_ECDSA / CKK_EC,
 * CKM_CAST5_CBC / CKM_CAST128_CBC, CKA_SUB_PRIME_BITS / CKA_SUBPRIME_BITS).
 * Some prefixes also hold several unrelated families whose values overlap
 * (CKH_ hardware feature types and CKH_ hedge types, CKS_ session states and
 * CKS_LAST_VALIDATION_OK, CKP_ profiles, PBKDF2 PRFs and parameter sets, CKG_
 * MGFs and IV generators, CKZ_, CKV_). The headers declare each family as its
 * own run of #defines (SECTION_STARTS marks where each run begins).
 *
 * The name given back for a value is chosen in this order:
 *  1. not marked deprecated in the headers,
 *  2. not a plain alias of another name (`#define A B`),
 *  3. from the earliest section (family) of the headers that has the value:
 *     the prefix's original family (CKH_CLOCK, not CKH_DETERMINISTIC_REQUIRED),
 *  4. within one section, defined last: the headers put the modern name after
 *     the one it replaces (CKK_EC after CKK_ECDSA, CKM_EC_KEY_PAIR_GEN after
 *     CKM_ECDSA_KEY_PAIR_GEN, CKM_CAST128_* after CKM_CAST5_*).
 */
import { ALIASES, CONSTANTS, DEPRECATED, SECTION_STARTS } from './constants.js';

/** prefix -> (value -> preferred name); built on first use of each prefix. */
const byPrefix = new Map<string, Map<number, string>>();

/** Lower is better: rules 1 and 2 above. */
function rank(name: string): number {
  return (DEPRECATED.has(name) ? 2 : 0) + (Object.hasOwn(ALIASES, name) ? 1 : 0);
}

interface Candidate { name: string; rank: number; section: number }

function tableFor(prefix: string): Map<number, string> {
  let table = byPrefix.get(prefix);
  if (table) return table;
  const best = new Map<number, Candidate>();
  const start = prefix + '_';
  let section = 0;
  // Object key order is insertion order, i.e. header order.
  for (const [name, value] of Object.entries(CONSTANTS)) {
    if (SECTION_STARTS.has(name)) section++;
    if (!name.startsWith(start)) continue;
    const candidate: Candidate = { name, rank: rank(name), section };
    const current = best.get(value);
    if (
      current === undefined ||
      candidate.rank < current.rank ||
      // Same rank: an earlier section keeps its name; in the same section the later name wins.
      (candidate.rank === current.rank && candidate.section === current.section)
    ) {
      best.set(value, candidate);
    }
  }
  table = new Map<number, string>();
  for (const [value, c] of best) table.set(value, c.name);
  byPrefix.set(prefix, table);
  return table;
}

/**
 * The name of `value` among the constants named `${prefix}_...`, e.g.
 * constantName('CKR', 0xa0) === 'CKR_PIN_INCORRECT'. `prefix` is given without
 * the underscore: 'CKR', 'CKA', 'CKM', 'CKK', 'CKO', 'CKU', 'CKS', 'CKC', 'CKD',
 * 'CKG', 'CKP', 'CKZ', 'CKH', ... ('CKH' does not match CKHSS_ names).
 * Flag prefixes such as 'CKF' are ambiguous (many flag words reuse bits); the
 * answer is then just one of the names with that value.
 */
export function constantName(prefix: string, value: number): string | undefined {
  return tableFor(prefix).get(value);
}

/** The value of a constant by its full name, e.g. constantValue('CKA_LABEL') === 3. */
export function constantValue(name: string): number | undefined {
  return Object.hasOwn(CONSTANTS, name) ? CONSTANTS[name] : undefined;
}

/** `${prefix}_0x<lowercase hex>` for values without a name, e.g. CKR_0x12345. */
function hexName(prefix: string, value: number): string {
  const text = Number.isInteger(value) && value >= 0 ? '0x' + value.toString(16) : String(value);
  return `${prefix}_${text}`;
}

/** The name of a value within `prefix`, or `${prefix}_0x<hex>` when it has none. */
export function nameOrHex(prefix: string, value: number): string {
  return constantName(prefix, value) ?? hexName(prefix, value);
}

/** CK_RV name: rvName(0xa0) === 'CKR_PIN_INCORRECT', rvName(0x12345) === 'CKR_0x12345'. */
export function rvName(code: number): string {
  return nameOrHex('CKR', code);
}

/** CK_MECHANISM_TYPE name, or CKM_0x<hex>. */
export function mechanismName(mechanism: number): string {
  return nameOrHex('CKM', mechanism);
}

/** CK_ATTRIBUTE_TYPE name, or CKA_0x<hex>. */
export function attributeName(type: number): string {
  return nameOrHex('CKA', type);
}

/** CK_KEY_TYPE name, or CKK_0x<hex>. */
export function keyTypeName(keyType: number): string {
  return nameOrHex('CKK', keyType);
}

/** CK_OBJECT_CLASS name, or CKO_0x<hex>. */
export function objectClassName(objectClass: number): string {
  return nameOrHex('CKO', objectClass);
}

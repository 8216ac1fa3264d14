/** The mechanism table of docs/mechanisms.md, made from the registry (scripts/gen-mechanism-doc.mjs writes it). */
import * as K from '../pkcs11/constants.js';
import { mechanismName } from '../pkcs11/names.js';
import { mechanismInfo, mechanismList } from './index.js';

const FUNCTIONS: [number, string][] = [
  [K.CKF_ENCRYPT, 'encrypt'], [K.CKF_DECRYPT, 'decrypt'], [K.CKF_DIGEST, 'digest'], [K.CKF_SIGN, 'sign'],
  [K.CKF_SIGN_RECOVER, 'sign-recover'], [K.CKF_VERIFY, 'verify'], [K.CKF_VERIFY_RECOVER, 'verify-recover'],
  [K.CKF_GENERATE, 'generate'], [K.CKF_GENERATE_KEY_PAIR, 'generate-pair'], [K.CKF_WRAP, 'wrap'], [K.CKF_UNWRAP, 'unwrap'],
  [K.CKF_DERIVE, 'derive'], [K.CKF_ENCAPSULATE, 'encapsulate'], [K.CKF_DECAPSULATE, 'decapsulate'],
  [K.CKF_MESSAGE_ENCRYPT, 'message-encrypt'], [K.CKF_MESSAGE_DECRYPT, 'message-decrypt'],
  [K.CKF_MESSAGE_SIGN, 'message-sign'], [K.CKF_MESSAGE_VERIFY, 'message-verify'],
];

export function mechanismTable(): string {
  const rows = mechanismList().map((type) => {
    const info = mechanismInfo(type);
    const fns = FUNCTIONS.filter(([flag]) => info.flags & flag).map(([, name]) => name).join(', ');
    const sizes = info.ulMinKeySize === 0 && info.ulMaxKeySize === 0 ? '' : `${info.ulMinKeySize}–${info.ulMaxKeySize}`;
    return `| \`${mechanismName(type)}\` | 0x${type.toString(16).padStart(8, '0')} | ${fns} | ${sizes} |`;
  });
  return [
    '# Mechanisms',
    '',
    'Generated from the mechanism registry by `npm run gen:mechanism-doc`; a test checks that it matches',
    '`C_GetMechanismList`. Key sizes are as `C_GetMechanismInfo` reports them, in the unit the PKCS#11',
    'specification gives for each mechanism (bits for RSA and EC, bytes for most secret keys).',
    '',
    `${rows.length} mechanisms.`,
    '',
    '| mechanism | value | functions | key sizes |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

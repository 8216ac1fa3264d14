/**
 * How the command fails: exit 1 for a PKCS#11 error (its CKR name and a
 * sentence saying what to do), exit 2 for a usage error (bad arguments, a
 * token or object that does not exist, an unreadable input file).
 */
import { CKRError } from '../pkcs11/error.js';

export const EXIT_OK = 0;
export const EXIT_PKCS11 = 1;
export const EXIT_USAGE = 2;

/** The user asked for something that cannot be done as asked: exit 2. */
export class UsageError extends Error {}

const ADVICE: Record<string, string> = {
  CKR_PIN_INCORRECT: 'The PIN is wrong; check the PIN file or variable. Each failure counts towards locking the PIN.',
  CKR_PIN_LOCKED: 'Too many wrong PINs: the security officer can set a new user PIN with "cryptoki pin unlock".',
  CKR_PIN_LEN_RANGE: 'The PIN is too short or too long for this token (see "cryptoki token show").',
  CKR_PIN_INVALID: 'The PIN has characters the token does not accept.',
  CKR_USER_PIN_NOT_INITIALIZED: 'The token has no user PIN yet: set one with "cryptoki pin init".',
  CKR_USER_NOT_LOGGED_IN: 'This needs a login: give the PIN with --pin-file, --pin-env or at the prompt.',
  CKR_USER_ALREADY_LOGGED_IN: 'Another login is active on this token in this process; try again.',
  CKR_TOKEN_NOT_RECOGNIZED: 'That slot holds no token yet: create one with "cryptoki token init".',
  CKR_SESSION_EXISTS: 'The token is in use by this process; close its sessions first.',
  CKR_KEY_TYPE_INCONSISTENT: 'This mechanism does not work with this kind of key; see "cryptoki mechanisms" and "cryptoki object show".',
  CKR_KEY_FUNCTION_NOT_PERMITTED: 'The key\'s usage attributes do not allow this operation (see "cryptoki object show").',
  CKR_MECHANISM_INVALID: 'The token does not offer this mechanism, or not for this operation: see "cryptoki mechanisms".',
  CKR_MECHANISM_PARAM_INVALID: 'The mechanism\'s parameters are wrong: check --iv, --aad, --hash and friends.',
  CKR_SIGNATURE_INVALID: 'The signature does not match the data and key.',
  CKR_SIGNATURE_LEN_RANGE: 'The signature has the wrong length for this key: is it the right file and format?',
  CKR_DATA_LEN_RANGE: 'The input has the wrong length for this mechanism and key.',
  CKR_ENCRYPTED_DATA_INVALID: 'The ciphertext is damaged, or not for this key and mechanism.',
  CKR_ENCRYPTED_DATA_LEN_RANGE: 'The ciphertext has the wrong length for this mechanism.',
  CKR_ATTRIBUTE_READ_ONLY: 'That attribute cannot be changed on this object.',
  CKR_ATTRIBUTE_SENSITIVE: 'The key is sensitive or not extractable: its value never leaves the token.',
  CKR_ATTRIBUTE_VALUE_INVALID: 'An attribute value was refused: check the key specification and options.',
  CKR_TEMPLATE_INCONSISTENT: 'The options given contradict each other for this kind of object.',
  CKR_TEMPLATE_INCOMPLETE: 'Something the object needs is missing from the input.',
  CKR_KEY_SIZE_RANGE: 'The token does not support this key size: see "cryptoki mechanisms".',
  CKR_CURVE_NOT_SUPPORTED: 'The token does not support this curve: see "cryptoki key generate --help".',
  CKR_DOMAIN_PARAMS_INVALID: 'The curve parameters were refused: use a named curve.',
  CKR_ACTION_PROHIBITED: 'The object\'s attributes forbid this action.',
  CKR_DEVICE_ERROR: 'The token store failed: check the store file and its disk (CRYPTOKI_CONF names it).',
  CKR_DEVICE_MEMORY: 'The token store is full or the machine is out of memory.',
  CKR_GENERAL_ERROR: 'An internal error: please report it with the command you ran (never with a PIN).',
  CKR_SLOT_ID_INVALID: 'No such slot: see "cryptoki slots".',
  CKR_OBJECT_HANDLE_INVALID: 'The object is gone: list the objects again.',
  CKR_PARAMETER_SET_NOT_SUPPORTED: 'The token does not support this parameter set.',
};

/** The message printed for a PKCS#11 error: the CKR name, then what to do. */
export function pkcs11Failure(e: CKRError): string {
  const advice = ADVICE[e.rvName] ?? 'The token refused the operation; see the PKCS#11 specification for this code.';
  return `cryptoki: ${e.rvName}\n${advice}\n`;
}

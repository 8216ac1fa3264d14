/** `cryptoki slots` and `cryptoki mechanisms`. */
import type { Command } from 'commander';
import * as K from '../../pkcs11/constants.js';
import { mechanismName } from '../../pkcs11/names.js';
import { printJson, printTable } from '../output.js';
import { findToken, tokenChoice, tokenUri, withLibrary } from '../token-session.js';
import { formatUri } from '../uri.js';
import { example, jsonOption, tokenOption, type Opts } from './common.js';

async function listSlots(opts: Opts): Promise<void> {
  await withLibrary(({ p11, location }) => {
    const slots = p11.C_GetSlotList(true).map((slotID) => {
      const token = p11.C_GetTokenInfo(slotID);
      const initialized = (token.flags & K.CKF_TOKEN_INITIALIZED) !== 0;
      return {
        slotID,
        initialized,
        label: token.label.trimEnd(),
        serial: token.serialNumber.trimEnd(),
        userPinInitialized: (token.flags & K.CKF_USER_PIN_INITIALIZED) !== 0,
        uri: initialized ? formatUri(tokenUri(token)) : null,
      };
    });
    if (opts.json) return printJson({ store: location, slots });
    process.stdout.write(`store: ${location}\n`);
    for (const s of slots) {
      const what = s.initialized
        ? `token "${s.label}" serial ${s.serial}${s.userPinInitialized ? '' : ' (user PIN not set)'}`
        : 'free slot: "cryptoki token init" creates the next token here';
      process.stdout.write(`slot ${s.slotID}: ${what}\n`);
    }
  });
}

const MECHANISM_FLAGS: [number, string][] = [
  [K.CKF_ENCRYPT, 'encrypt'], [K.CKF_DECRYPT, 'decrypt'], [K.CKF_DIGEST, 'digest'], [K.CKF_SIGN, 'sign'],
  [K.CKF_SIGN_RECOVER, 'sign-recover'], [K.CKF_VERIFY, 'verify'], [K.CKF_VERIFY_RECOVER, 'verify-recover'],
  [K.CKF_GENERATE, 'generate'], [K.CKF_GENERATE_KEY_PAIR, 'generate-key-pair'], [K.CKF_WRAP, 'wrap'],
  [K.CKF_UNWRAP, 'unwrap'], [K.CKF_DERIVE, 'derive'], [K.CKF_ENCAPSULATE, 'encapsulate'], [K.CKF_DECAPSULATE, 'decapsulate'],
  [K.CKF_MESSAGE_ENCRYPT, 'message-encrypt'], [K.CKF_MESSAGE_DECRYPT, 'message-decrypt'],
];

async function listMechanisms(opts: Opts): Promise<void> {
  await withLibrary(({ p11 }) => {
    // Without --token: the mechanisms are the same on every slot, the free one included.
    const slot = opts.token !== undefined ? findToken(p11, tokenChoice(opts.token as string)).slotID : p11.C_GetSlotList(true)[0]!;
    const mechanisms = p11.C_GetMechanismList(slot).map((type) => {
      const info = p11.C_GetMechanismInfo(slot, type);
      return {
        name: mechanismName(type), code: type, minKeySize: info.ulMinKeySize, maxKeySize: info.ulMaxKeySize,
        flags: MECHANISM_FLAGS.filter(([bit]) => (info.flags & bit) !== 0).map(([, n]) => n),
      };
    });
    if (opts.json) return printJson(mechanisms);
    printTable(['MECHANISM', 'KEY SIZES', 'FUNCTIONS'], mechanisms.map((m) => [
      m.name, m.maxKeySize ? `${m.minKeySize}-${m.maxKeySize}` : '', m.flags.join(','),
    ]));
  });
}

export function addSlotCommands(program: Command): void {
  example(jsonOption(program.command('slots').description('list the slots and tokens of the store')), 'cryptoki slots --json')
    .action(listSlots);
  example(jsonOption(tokenOption(program.command('mechanisms')
    .description('list the mechanisms the token offers, with key sizes and functions'))),
  'cryptoki mechanisms --token signing', 'cryptoki mechanisms --json | jq -r ".[].name"')
    .action(listMechanisms);
}

/** `cryptoki token init|list|show|delete` (backup and restore are in ../token-backup.ts). */
import type { Command } from 'commander';
import * as K from '../../pkcs11/constants.js';
import { UsageError } from '../errors.js';
import { printFields, printJson, printTable } from '../output.js';
import { addSecretOptions, readSecret, requireSecret, SO_PIN, USER_PIN } from '../pin-source.js';
import { findToken, tokenChoice, tokensOf, tokenUri, withLibrary, withToken } from '../token-session.js';
import { formatUri } from '../uri.js';
import type { CK_TOKEN_INFO } from '../../pkcs11/types.js';
import { example, jsonOption, tokenOption, type Opts } from './common.js';

const TOKEN_FLAGS: [number, string][] = [
  [K.CKF_RNG, 'rng'], [K.CKF_WRITE_PROTECTED, 'write-protected'], [K.CKF_LOGIN_REQUIRED, 'login-required'],
  [K.CKF_USER_PIN_INITIALIZED, 'user-pin-initialized'], [K.CKF_TOKEN_INITIALIZED, 'token-initialized'],
  [K.CKF_USER_PIN_COUNT_LOW, 'user-pin-count-low'], [K.CKF_USER_PIN_FINAL_TRY, 'user-pin-final-try'],
  [K.CKF_USER_PIN_LOCKED, 'user-pin-locked'], [K.CKF_USER_PIN_TO_BE_CHANGED, 'user-pin-to-be-changed'],
  [K.CKF_SO_PIN_COUNT_LOW, 'so-pin-count-low'], [K.CKF_SO_PIN_FINAL_TRY, 'so-pin-final-try'],
  [K.CKF_SO_PIN_LOCKED, 'so-pin-locked'], [K.CKF_SO_PIN_TO_BE_CHANGED, 'so-pin-to-be-changed'],
];

export function tokenFlags(flags: number): string[] {
  return TOKEN_FLAGS.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
}

function tokenView(slotID: number, info: CK_TOKEN_INFO) {
  return {
    uri: formatUri(tokenUri(info)), slot: slotID, label: info.label.trimEnd(), serial: info.serialNumber.trimEnd(),
    manufacturer: info.manufacturerID.trimEnd(), model: info.model.trimEnd(), flags: tokenFlags(info.flags),
    pinLength: { min: info.ulMinPinLen, max: info.ulMaxPinLen },
    sessions: info.ulSessionCount, hardwareVersion: `${info.hardwareVersion.major}.${info.hardwareVersion.minor}`,
    firmwareVersion: `${info.firmwareVersion.major}.${info.firmwareVersion.minor}`,
  };
}

async function init(opts: Opts): Promise<void> {
  const label = opts.label as string;
  if (Buffer.byteLength(label, 'utf8') > 32) throw new UsageError('--label: a token label has at most 32 bytes');
  const soPin = await requireSecret(opts, SO_PIN, { confirm: true });
  const userPin = await readSecret(opts, USER_PIN, { confirm: true });
  await withLibrary(({ p11 }) => {
    if (tokensOf(p11).some((t) => t.info.label.trimEnd() === label)) {
      throw new UsageError(`a token labelled "${label}" exists already: choose another label, or delete that token first`);
    }
    const free = p11.C_GetSlotList(true).find((s) => (p11.C_GetTokenInfo(s).flags & K.CKF_TOKEN_INITIALIZED) === 0);
    if (free === undefined) throw new UsageError('no free slot');
    p11.C_InitToken(free, soPin, label);
    // The new token is in the slot that was free; a new free slot follows it.
    if (userPin !== undefined) {
      const session = p11.C_OpenSession(free, K.CKF_SERIAL_SESSION | K.CKF_RW_SESSION);
      p11.C_Login(session, K.CKU_SO, soPin);
      p11.C_InitPIN(session, userPin);
      p11.C_Logout(session);
      p11.C_CloseSession(session);
    }
    const view = tokenView(free, p11.C_GetTokenInfo(free));
    if (opts.json) printJson(view);
    else {
      process.stdout.write(`created token "${label}" (serial ${view.serial}) in slot ${free}\n${view.uri}\n`);
      if (userPin === undefined) process.stdout.write('the user PIN is not set yet: "cryptoki pin init" sets it\n');
    }
  });
}

async function list(opts: Opts): Promise<void> {
  await withLibrary(({ p11 }) => {
    const views = tokensOf(p11).map(({ slotID, info }) => tokenView(slotID, info));
    if (opts.json) return printJson(views);
    if (views.length === 0) {
      process.stdout.write('no token yet: "cryptoki token init --label NAME" creates one\n');
      return;
    }
    printTable(['SLOT', 'LABEL', 'SERIAL', 'STATE', 'URI'], views.map((v) => [
      String(v.slot), v.label, v.serial,
      v.flags.includes('user-pin-locked') ? 'user PIN locked' : v.flags.includes('user-pin-initialized') ? 'ready' : 'no user PIN', v.uri,
    ]));
  });
}

async function show(opts: Opts): Promise<void> {
  await withLibrary(({ p11 }) => {
    const { slotID, info } = findToken(p11, tokenChoice(opts.token as string | undefined));
    const view = tokenView(slotID, info);
    if (opts.json) return printJson(view);
    printFields([
      ['uri', view.uri], ['slot', String(slotID)], ['label', view.label], ['serial', view.serial],
      ['manufacturer', view.manufacturer], ['model', view.model], ['flags', view.flags.join(' ')],
      ['PIN length', `${view.pinLength.min} to ${view.pinLength.max}`], ['versions', `hardware ${view.hardwareVersion}, firmware ${view.firmwareVersion}`],
    ]);
  });
}

async function remove(opts: Opts): Promise<void> {
  if (!opts.yes) throw new UsageError('deleting a token destroys its keys for good: add --yes to confirm');
  await withToken(tokenChoice(opts.token as string | undefined), 'so', opts, ({ p11, store, slotID, session, info }) => {
    // The SO PIN was checked by the login; the token record goes with all its objects.
    p11.C_Logout(session);
    p11.C_CloseSession(session);
    const record = store.listTokens().find((t) => t.slotId === slotID);
    if (!record) throw new UsageError('the token disappeared');
    store.deleteToken(record.tokenId);
    process.stdout.write(`deleted token "${info.label.trimEnd()}" (serial ${info.serialNumber.trimEnd()})\n`);
  });
}

export function addTokenCommands(token: Command): void {
  example(addSecretOptions(addSecretOptions(jsonOption(token.command('init')
    .description('create a token in the free slot, with its SO PIN and (optionally) its user PIN')
    .requiredOption('--label <label>', 'the new token\'s label (at most 32 bytes)')), SO_PIN), USER_PIN, 'the first user PIN'),
  'cryptoki token init --label signing --so-pin-file so.pin --pin-file user.pin')
    .action(init);
  example(jsonOption(token.command('list').description('list the tokens, with their PKCS#11 URIs')), 'cryptoki token list --json')
    .action(list);
  example(jsonOption(tokenOption(token.command('show').description('show a token: serial, flags, PIN lengths, URI'))),
    'cryptoki token show --token signing')
    .action(show);
  example(addSecretOptions(tokenOption(token.command('delete')
    .description('delete a token and every object on it (needs the SO PIN)')
    .option('--yes', 'confirm the deletion')), SO_PIN),
  'cryptoki token delete --token old --so-pin-file so.pin --yes')
    .action(remove);
}

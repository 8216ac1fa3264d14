/** `cryptoki pin init|change|unlock`: the user PIN set by the SO, changed by its owner, reset when locked. */
import type { Command } from 'commander';
import { addSecretOptions, NEW_PIN, requireSecret, SO_PIN, USER_PIN } from '../pin-source.js';
import { tokenChoice, withToken } from '../token-session.js';
import { example, tokenOption, type Opts } from './common.js';

/** The SO sets the user PIN: the first time (init) or after it was locked or forgotten (unlock). */
function soSetsUserPin(what: string) {
  return async (opts: Opts): Promise<void> => {
    const userPin = await requireSecret(opts, USER_PIN, { confirm: true });
    await withToken(tokenChoice(opts.token as string | undefined), 'so', opts, ({ p11, session, info }) => {
      p11.C_InitPIN(session, userPin);
      process.stdout.write(`${what} the user PIN of token "${info.label.trimEnd()}"\n`);
    });
  };
}

async function change(opts: Opts): Promise<void> {
  const so = opts.so === true;
  const newPin = await requireSecret(opts, NEW_PIN, { confirm: true });
  await withToken(tokenChoice(opts.token as string | undefined), so ? 'so' : 'user', opts, ({ p11, session, info, pin }) => {
    p11.C_SetPIN(session, pin!, newPin);
    process.stdout.write(`changed the ${so ? 'SO' : 'user'} PIN of token "${info.label.trimEnd()}"\n`);
  });
}

export function addPinCommands(pin: Command): void {
  example(addSecretOptions(addSecretOptions(tokenOption(pin.command('init')
    .description('set the user PIN of a token (logs in as SO)')), SO_PIN), USER_PIN, 'the user PIN to set'),
  'cryptoki pin init --token signing --so-pin-file so.pin --pin-file user.pin')
    .action(soSetsUserPin('set'));
  example(addSecretOptions(addSecretOptions(addSecretOptions(tokenOption(pin.command('change')
    .description('change the user PIN (or with --so, the SO PIN), knowing the current one')
    .option('--so', 'change the SO PIN instead')), USER_PIN, 'the current user PIN'), SO_PIN, 'the current SO PIN, with --so'), NEW_PIN),
  'cryptoki pin change --token signing --pin-file old.pin --new-pin-file new.pin')
    .action(change);
  example(addSecretOptions(addSecretOptions(tokenOption(pin.command('unlock')
    .description('give a locked (or forgotten) user PIN a new value: the SO resets it')), SO_PIN), USER_PIN, 'the new user PIN'),
  'cryptoki pin unlock --token signing --so-pin-file so.pin --pin-file new-user.pin')
    .action(soSetsUserPin('reset'));
}

/** The `cryptoki` command's verbs, options and help, without running anything. */
import { Command } from 'commander';
import { serveCommand } from './serve.js';
import { addBackupCommands } from './token-backup.js';
import { addCryptoCommands } from './commands/crypto.js';
import { addKeyCommands } from './commands/key.js';
import { addObjectCommands } from './commands/object.js';
import { addPinCommands } from './commands/pin.js';
import { addSlotCommands } from './commands/slots.js';
import { addTokenCommands } from './commands/token.js';

export function buildProgram(): Command {
  const program = new Command('cryptoki')
    .description('cryptoki-ts: a PKCS#11 3.2 software token. The store is $CRYPTOKI_CONF\'s storePath, else ~/.local/share/cryptoki/tokens.db.')
    .showHelpAfterError()
    .exitOverride()
    .addHelpText('after', [
      '',
      'PINs come from --pin-file FILE, --pin-env NAME, a prompt when a terminal is attached, or --pin VALUE (unsafe:',
      'other users see command lines); the SO PIN likewise (--so-pin-file...). Objects are named by PKCS#11 URIs (RFC 7512).',
      'Exit codes: 0 success, 1 a PKCS#11 error (its CKR_ name on stderr), 2 a usage error.',
      '',
      'Example, from nothing to a signature:',
      '  cryptoki token init --label demo --so-pin-file so.pin --pin-file user.pin',
      '  cryptoki key generate ec:P-256 --token demo --label signer --pin-file user.pin',
      '  cryptoki sign "pkcs11:token=demo;object=signer" -m ECDSA-SHA256 --in doc.txt --out doc.sig --pin-file user.pin',
    ].join('\n'));

  addSlotCommands(program);
  serveCommand(program);
  const group = (name: string, description: string, ...examples: string[]) =>
    program.command(name).description(description).addHelpText('after', `\nExamples:\n${examples.map((e) => '  ' + e).join('\n')}`);
  const token = group('token', 'create, list, show, delete, back up and restore tokens',
    'cryptoki token init --label signing --so-pin-file so.pin --pin-file user.pin', 'cryptoki token list');
  addTokenCommands(token);
  addBackupCommands(token);
  addPinCommands(group('pin', 'set, change and unlock PINs',
    'cryptoki pin change --token signing --pin-file old.pin --new-pin-file new.pin',
    'cryptoki pin unlock --token signing --so-pin-file so.pin --pin-file new-user.pin'));
  addKeyCommands(group('key', 'generate keys', 'cryptoki key generate ec:P-256 --token signing --label web --pin-file user.pin'));
  addObjectCommands(group('object', 'list, show, change, delete, import and export objects',
    'cryptoki object list --token signing --pin-file user.pin',
    'cryptoki object import server.p12 --token signing --passphrase-file p12.pass --pin-file user.pin',
    'cryptoki object export "pkcs11:token=signing;object=web;type=public" --out web.pub.pem'));
  addCryptoCommands(program);
  return program;
}

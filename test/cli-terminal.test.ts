/**
 * The `cryptoki` command on a terminal (util-linux `script` gives it one):
 * PINs are asked for without echo, a new PIN twice, and long work shows a
 * progress line. Skipped where `script` is missing.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { CliHome, MAIN, onPath } from './cli-support.js';

const skip = onPath('script') ? false : 'util-linux script is not installed';

/** Runs the command (or another script) on a pseudo-terminal, typing each answer when its prompt appears; resolves with the exit code and all output. */
function onTerminal(h: CliHome, args: string[], answers: [RegExp, string][], script = MAIN): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, script, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: h.dir, env: { ...h.env, TERM: 'dumb' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let next = 0;
  let seen = 0;
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const pending = answers[next];
      if (pending) {
        const m = pending[0].exec(output.slice(seen));
        if (m) {
          seen += m.index + m[0].length;
          next++;
          child.stdin.write(pending[1] + '\r');
        }
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code, output });
    });
  });
}

const PROGRESS = new URL('../src/cli/progress.js', import.meta.url).href;

describe('cryptoki on a terminal', { skip }, () => {
  let h: CliHome;
  before(() => {
    h = new CliHome();
  });
  after(() => h.cleanup());

  it('asks for the SO PIN and a new user PIN (twice) without echoing them', async () => {
    const r = await onTerminal(h, ['token', 'init', '--label', 'T'], [
      [/SO PIN: /, 'so-typed-1'], [/SO PIN again: /, 'so-typed-1'], [/User PIN: /, 'user-typed-1'], [/User PIN again: /, 'user-typed-1'],
    ]);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /created token "T"/);
    assert.doesNotMatch(r.output, /so-typed-1|user-typed-1/, 'nothing typed is echoed');
  });

  it('refuses two different new PINs', async () => {
    const r = await onTerminal(h, ['pin', 'unlock', '--token', 'T', '--so-pin', 'so-typed-1'], [[/User PIN: /, 'one-pin-1'], [/User PIN again: /, 'another-1']]);
    assert.equal(r.code, 2, r.output);
    assert.match(r.output, /differ/);
  });

  it('asks for the user PIN when none is given, and shows progress while generating', async () => {
    const r = await onTerminal(h, ['key', 'generate', 'rsa:3072', '--token', 'T', '--label', 'big'], [[/User PIN: /, 'user-typed-1']]);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /generating a rsa:3072 key\.\.\./);
    assert.match(r.output, /generating a rsa:3072 key: done in \d+\.\d s/);
    assert.match(r.output, /generated private RSA 3072 "big"/);
    assert.doesNotMatch(r.output, /user-typed-1/);
  });

  it('animates the progress line while synchronous work blocks the main thread', async () => {
    const script = h.file('busy.mjs', `import { withProgress } from '${PROGRESS}';
withProgress('busy work', () => { const end = Date.now() + 2000; while (Date.now() < end); });
`);
    const r = await onTerminal(h, [], [], script);
    assert.equal(r.code, 0, r.output);
    const frames = r.output.match(/busy work\.\.\. [|/\\-] \d+ s/g) ?? [];
    assert.ok(frames.length >= 2, `frames drawn while the main thread was busy: ${JSON.stringify(r.output)}`);
    assert.match(r.output, /busy work: done in \d+\.\d s\r?\n$/, 'the last line is the result, after every frame');
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('README', () => {
  it('opens with the two commands of a fresh machine', () => {
    const readme = readFileSync(`${root}README.md`, 'utf8');
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)![1]!;
    assert.match(firstBlock, /npm install && npm start/);
    assert.match(firstBlock, /npm install && npm test/);
  });

  it('has a Node example that runs as written', () => {
    const readme = readFileSync(`${root}README.md`, 'utf8');
    const example = /## Use it from Node[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)![1]!;
    assert.ok(example.split('\n').length <= 25, 'the example stays short');
    // Inside the package directory, so that `import ... from 'cryptoki-ts'` resolves to this package.
    const file = `${root}dist/readme-example.mjs`;
    writeFileSync(file, example);
    try {
      const out = execFileSync(process.execPath, [file], { encoding: 'utf8' });
      const digest = createHash('sha256').update('hello').digest('hex');
      assert.equal(out.trim(), `hello ${digest}`);
    } finally {
      rmSync(file, { force: true });
    }
  });
});

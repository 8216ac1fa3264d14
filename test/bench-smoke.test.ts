/**
 * Keeps `npm run bench` from rotting: one short case on both tokens, on both
 * paths (in-process, and p11-kit-client.so against `cryptoki serve` and
 * `p11-kit server` over SoftHSM2), one case that cannot cross p11-kit, and
 * the document generator on the result. No speed is asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Side { opsPerSec: number; rounds: number[] }
interface Row { path: string; id: string; results?: Record<string, Side>; node?: Side; ratio?: number; notApplicable?: string; error?: string }

test('the benchmark runs a case on both tokens, in-process and through p11-kit, and the doc script reads its JSON', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cryptoki-bench-smoke-'));
  try {
    const out = join(dir, 'bench.json');
    const run = spawnSync(process.execPath, [
      join(ROOT, 'bench', 'run.mjs'), '--only', 'random-32,aes-gcm-1k', '--rounds', '1', '--seconds', '0.05', '--warmup', '0',
      '--out', out, '--dir', dir,
    ], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.status, 0, `bench/run.mjs failed:\n${run.stderr}`);
    assert.match(run.stdout, /random 32 B/);

    const report = JSON.parse(readFileSync(out, 'utf8')) as { rows: Row[]; sides: Array<{ key: string }>; failed: boolean };
    assert.equal(report.failed, false);
    assert.deepEqual(report.sides.map((s) => s.key), ['ours', 'softhsm']);
    const row = (path: string, id: string) => {
      const r = report.rows.find((x) => x.path === path && x.id === id);
      assert.ok(r, `no ${path} row for ${id}`);
      assert.equal(r.error, undefined, r.error);
      return r;
    };
    for (const path of ['inproc', 'rpc']) {
      const r = row(path, 'random-32');
      for (const side of ['ours', 'softhsm']) {
        assert.ok(r.results![side]!.opsPerSec > 0, `${path} ${side}: no operations counted`);
        assert.equal(r.results![side]!.rounds.length, 1);
      }
      assert.equal(r.ratio, r.results!.ours!.opsPerSec / r.results!.softhsm!.opsPerSec);
    }
    assert.ok(row('inproc', 'random-32').node!.opsPerSec > 0, 'the node:crypto ceiling is missing');
    assert.ok(row('inproc', 'aes-gcm-1k').results!.softhsm!.opsPerSec > 0);
    // GCM parameters cannot cross a 0.24 p11-kit client: not applicable, for both tokens.
    const na = row('rpc', 'aes-gcm-1k');
    assert.match(na.notApplicable ?? '', /p11-kit/);
    assert.equal(na.results, undefined);

    const doc = join(dir, 'benchmarks.md');
    const gen = spawnSync(process.execPath, [
      join(ROOT, 'scripts', 'gen-benchmark-doc.mjs'), '--json', out, '--aa', join(dir, 'no-aa.json'), '--out', doc,
    ], { encoding: 'utf8' });
    assert.equal(gen.status, 0, gen.stderr);
    const text = readFileSync(doc, 'utf8');
    assert.match(text, /\| in-process \| random 32 B \| [\d,.]+ \|/);
    assert.match(text, /\| p11-kit RPC \| AES-256-GCM encrypt 1 KiB \| n\/a \|/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

#!/usr/bin/env node
/**
 * cryptoki-ts beside SoftHSM2, case by case, in one run (`npm run bench`).
 *
 * Two paths, each like with like:
 *   in-process   our Cryptoki API called directly, against SoftHSM2 loaded through
 *                pkcs11js, each in its own Node process; raw node:crypto as the ceiling
 *   p11-kit RPC  the stock p11-kit-client.so (through pkcs11js) against `cryptoki serve`,
 *                and the same client against `p11-kit server --provider libsofthsm2.so`
 * Every case runs several rounds, the sides alternating (A B, B A, A B, ...); the
 * table gives each side's median ops/s, the spread of its rounds, and the ratio.
 *
 *   npm run bench                         full run (10 to 15 minutes on 2 busy cores)
 *   npm run bench -- --quick              every case, shorter (under 3 minutes)
 *   npm run bench -- --aa --quick         A/A: SoftHSM2 against itself (the noise band)
 *   node bench/run.mjs --only random-32,sha256-64 --paths rpc   (after `npm run build`)
 *
 * Options: --quick  --aa  --rounds N  --seconds S (per round and side)  --warmup S
 *          --sizes 1000,10000,100000 (objects in the find token)  --concurrency 1,2,4,8
 *          --concurrency-seconds S  --only id,id  --paths inproc,rpc  --out file.json
 *          --dir <tmp parent> (default /dev/shm when it is a tmpfs)  --keep
 * Case ids: see bench/lib/cases.mjs (and find-label-<N>, concurrent-ecdsa).
 *
 * Set-up: installs Debian's softhsm2 (and p11-kit) with apt-get when missing.
 * Progress goes to stderr, the table to stdout, the results to
 * bench/results/bench[-quick][-aa].json; `node scripts/gen-benchmark-doc.mjs`
 * turns a full run's JSON into docs/benchmarks.md. Nothing here asserts a speed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CASES, CONCURRENT_CASE_ID, caseById, findCase } from './lib/cases.mjs';
import { median, quantile, summarize } from './lib/measure.mjs';
import { CLI_MAIN, DIST, RESULTS_DIR, ROOT, SOFTHSM_LIB } from './lib/paths.mjs';
import {
  ensureSoftHSM, log, softhsmConfText, startCryptokiServer, startDriver, startP11KitServer,
} from './lib/processes.mjs';
import { machineInfo, PATH_NAMES, textTable } from './lib/report.mjs';

const SELF = fileURLToPath(import.meta.url);

const MODES = {
  full: { rounds: 5, seconds: 0.5, warmup: 0.2, sizes: [1000, 10000, 100000], concurrency: [1, 2, 4, 8], concurrencySeconds: 1.5 },
  // Every case, the 100,000-object find included (about 40 s of it filling the two tokens): 2.2 minutes on a quiet 2-core machine.
  quick: { rounds: 3, seconds: 0.15, warmup: 0.05, sizes: [1000, 10000, 100000], concurrency: [1, 2, 4, 8], concurrencySeconds: 0.5 },
};

/**
 * The tokens live in memory (tmpfs) when the machine has /dev/shm: the cases
 * time the tokens' code, not the disk, and filling SoftHSM2's find token to
 * 100,000 objects on a busy disk would take most of the run (each object is a
 * file, rewritten with ftruncate). What disk writes cost is measured by
 * bench/store-scale.mjs (docs/benchmarks-store.md).
 */
function defaultDir() {
  return fsType('/dev/shm') === 'tmpfs' ? '/dev/shm' : tmpdir();
}

function fsType(dir) {
  try {
    return execFileSync('df', ['--output=fstype', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').pop().trim();
  } catch {
    return 'unknown';
  }
}

function parseArgs(argv) {
  const opts = { quick: false, aa: false, only: null, paths: ['inproc', 'rpc'], out: null, dir: defaultDir(), keep: false };
  const over = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const num = (v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${a}: not a positive number: ${v}`);
      return n;
    };
    const list = (v) => v.split(',').map((s) => s.trim()).filter(Boolean);
    if (a === '--quick') opts.quick = true;
    else if (a === '--aa') opts.aa = true;
    else if (a === '--rounds') over.rounds = Math.round(num(next()));
    else if (a === '--seconds') over.seconds = num(next());
    else if (a === '--warmup') over.warmup = Number(next());
    else if (a === '--sizes') over.sizes = list(next()).map((s) => Math.round(num(s.replace(/_/g, ''))));
    else if (a === '--concurrency') over.concurrency = list(next()).map((s) => Math.round(num(s)));
    else if (a === '--concurrency-seconds') over.concurrencySeconds = num(next());
    else if (a === '--only') opts.only = new Set(list(next()));
    else if (a === '--paths') {
      opts.paths = list(next());
      for (const p of opts.paths) if (!PATH_NAMES[p]) throw new Error(`--paths: unknown path ${p} (inproc, rpc)`);
    } else if (a === '--out') opts.out = resolve(next());
    else if (a === '--dir') opts.dir = resolve(next());
    else if (a === '--keep') opts.keep = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(readFileSync(SELF, 'utf8').split('*/')[0] + '*/\n');
      process.exit(0);
    } else throw new Error(`unknown option ${a} (see --help)`);
  }
  Object.assign(opts, MODES[opts.quick ? 'quick' : 'full'], over);
  opts.out ??= join(RESULTS_DIR, `bench${opts.quick ? '-quick' : ''}${opts.aa ? '-aa' : ''}.json`);
  return opts;
}

const wanted = (opts, id) => !opts.only || opts.only.has(id) || (id.startsWith('find-label-') && opts.only.has('find-label'));

async function findClientModule() {
  const { findP11KitClient } = await import(pathToFileURL(join(DIST, 'cli', 'serve.js')).href);
  const m = findP11KitClient();
  if (!m) throw new Error('p11-kit-client.so is not installed (apt-get install p11-kit-modules)');
  return m;
}

/**
 * The two sides. Normally cryptoki-ts (A) and SoftHSM2 (B); in an A/A run,
 * SoftHSM2 against itself: two drivers, two p11-kit servers, one token.
 */
function sidesFor(opts) {
  if (opts.aa) {
    return [
      { key: 'softhsmA', label: 'SoftHSM2 (A)', short: 'A', token: 'softhsm' },
      { key: 'softhsmB', label: 'SoftHSM2 (B)', short: 'B', token: 'softhsm' },
    ];
  }
  return [
    { key: 'ours', label: 'cryptoki-ts', short: 'ours', token: 'ours' },
    { key: 'softhsm', label: 'SoftHSM2', short: 'SoftHSM2', token: 'softhsm' },
  ];
}

class Bench {
  constructor(opts, dir, clientModule) {
    this.opts = opts;
    this.dir = dir;
    this.clientModule = clientModule;
    this.sides = sidesFor(opts);
    this.inproc = new Map(); // side key -> driver
    this.pools = new Map(); // side key -> [driver] (one connection each)
    this.servers = new Map(); // side key -> server
    this.node = null;
    this.rows = [];
    this.fills = [];
    this.stops = [];
    this.tokens = {
      ours: { storePath: join(dir, 'ours', 'tokens.db'), conf: join(dir, 'ours', 'cryptoki.json') },
      softhsm: { tokenDir: join(dir, 'softhsm', 'tokens'), conf: join(dir, 'softhsm', 'softhsm2.conf') },
    };
  }

  /** Creates the stores and the tokens: each store once, through the in-process driver of its first side. */
  async setUp() {
    const t = this.tokens;
    mkdirSync(dirname(t.ours.storePath), { recursive: true });
    // The production PIN KDF (no "kdf" key): login + logout is timed as users get it.
    writeFileSync(t.ours.conf, JSON.stringify({ storePath: t.ours.storePath }) + '\n');
    mkdirSync(t.softhsm.tokenDir, { recursive: true });
    writeFileSync(t.softhsm.conf, softhsmConfText(t.softhsm.tokenDir));
    const initialised = new Set();
    for (const s of this.sides) {
      const d = await this.inprocDriver(s);
      if (!initialised.has(s.token)) {
        log(`${s.label}: creating the tokens and keys`);
        await d.call('initTokens');
        initialised.add(s.token);
      }
    }
  }

  spec(side) {
    if (side.token === 'ours') return { api: 'ours', storePath: this.tokens.ours.storePath };
    return { api: 'pkcs11js', module: SOFTHSM_LIB, env: { SOFTHSM2_CONF: this.tokens.softhsm.conf } };
  }

  async inprocDriver(side) {
    if (!this.inproc.has(side.key)) {
      const d = await startDriver(`${side.label} in-process`, this.spec(side));
      this.stops.push(() => d.stop());
      this.inproc.set(side.key, d);
    }
    return this.inproc.get(side.key);
  }

  async nodeDriver() {
    if (!this.node) {
      this.node = await startDriver('node:crypto', { api: 'node' });
      this.stops.push(() => this.node.stop());
    }
    return this.node;
  }

  async server(side) {
    if (!this.servers.has(side.key)) {
      const socket = join(this.dir, `${side.key}.sock`);
      const logFile = join(this.dir, `${side.key}-server.log`);
      const server = side.token === 'ours'
        ? await startCryptokiServer(socket, this.tokens.ours.conf, logFile)
        : await startP11KitServer(socket, this.tokens.softhsm.conf, logFile);
      this.stops.push(() => server.stop());
      this.servers.set(side.key, { ...server, socket, logFile });
    }
    return this.servers.get(side.key);
  }

  /** The first n client connections of a side (p11-kit-client.so in a driver each), started as needed. */
  async pool(side, n) {
    const { socket } = await this.server(side);
    const pool = this.pools.get(side.key) ?? [];
    this.pools.set(side.key, pool);
    const start = [];
    for (let i = pool.length; i < n; i++) {
      start.push(startDriver(`${side.label} client ${i + 1}`, {
        api: 'pkcs11js', module: this.clientModule, osLocking: true, env: { P11_KIT_SERVER_ADDRESS: `unix:path=${socket}` },
      }));
    }
    for (const d of await Promise.all(start)) {
      this.stops.push(() => d.stop());
      pool.push(d);
    }
    return pool.slice(0, n);
  }

  async drivers(path) {
    const out = {};
    for (const s of this.sides) out[s.key] = path === 'inproc' ? await this.inprocDriver(s) : (await this.pool(s, 1))[0];
    return out;
  }

  /** One case on one path: warm-up, then rounds with the sides alternating; node:crypto last in each round. */
  async measure(path, c) {
    const o = this.opts;
    const row = { path, id: c.id, name: c.name };
    if (path === 'rpc' && c.rpc !== true) {
      row.notApplicable = c.rpc;
      log(`${PATH_NAMES[path]} | ${c.name}: n/a (${c.rpc})`);
      return this.push(row);
    }
    const drivers = await this.drivers(path);
    const withNode = path === 'inproc' && typeof c.node === 'function';
    if (withNode) drivers.node = await this.nodeDriver();
    const keys = Object.keys(drivers);
    const rates = Object.fromEntries(keys.map((k) => [k, []]));
    const args = { caseId: c.id, seconds: o.seconds, minOps: c.minOps ?? 1, warmupSeconds: 0 };
    try {
      for (const k of keys) await drivers[k].call('prepare', { caseId: c.id });
      for (const k of keys) await drivers[k].call('run', { ...args, seconds: o.warmup });
      for (let r = 0; r < o.rounds; r++) {
        const order = r % 2 === 0 ? [this.sides[0].key, this.sides[1].key] : [this.sides[1].key, this.sides[0].key];
        if (withNode) order.push('node');
        for (const k of order) {
          const res = await drivers[k].call('run', args);
          rates[k].push(res.ops / res.seconds);
        }
      }
    } catch (e) {
      row.error = e.message.split('\n').slice(0, 3).join(' ');
      log(`${PATH_NAMES[path]} | ${c.name}: ERROR ${row.error}`);
    } finally {
      for (const k of keys) await drivers[k].call('release', { caseId: c.id }).catch(() => {});
    }
    if (row.error) return this.push(row);
    row.results = Object.fromEntries(this.sides.map((s) => [s.key, summarize(rates[s.key])]));
    if (withNode) row.node = summarize(rates.node);
    row.ratio = row.results[this.sides[0].key].opsPerSec / row.results[this.sides[1].key].opsPerSec;
    return this.push(row);
  }

  /** n connections signing at once, each side in turn: total ops/s and the p99 latency of all calls. */
  async concurrent(n) {
    const o = this.opts;
    const c = caseById(CONCURRENT_CASE_ID);
    const row = { path: 'rpc', id: `concurrent-ecdsa-${n}`, name: `${n} connection${n > 1 ? 's' : ''}: ECDSA P-256 sign`, connections: n };
    const per = Object.fromEntries(this.sides.map((s) => [s.key, { rates: [], p99: [] }]));
    try {
      const pools = {};
      for (const s of this.sides) {
        pools[s.key] = await this.pool(s, n);
        for (const d of pools[s.key]) await d.call('prepare', { caseId: c.id });
        await Promise.all(pools[s.key].map((d) => d.call('run', { caseId: c.id, seconds: o.warmup, minOps: 1 })));
      }
      for (let r = 0; r < o.rounds; r++) {
        const order = r % 2 === 0 ? this.sides : [...this.sides].reverse();
        for (const s of order) {
          const startAt = Date.now() + 150;
          const res = await Promise.all(pools[s.key].map((d) => d.call('run', {
            caseId: c.id, seconds: o.concurrencySeconds, minOps: 1, latencies: true, startAt,
          })));
          const ops = res.reduce((a, x) => a + x.ops, 0);
          const secs = Math.max(...res.map((x) => x.seconds));
          const lat = res.flatMap((x) => x.latenciesUs).sort((a, b) => a - b);
          per[s.key].rates.push(ops / secs);
          per[s.key].p99.push(quantile(lat, 0.99) / 1000);
        }
      }
    } catch (e) {
      row.error = e.message.split('\n').slice(0, 3).join(' ');
      log(`${row.name}: ERROR ${row.error}`);
      return this.push(row);
    }
    row.results = Object.fromEntries(this.sides.map((s) => [s.key, {
      ...summarize(per[s.key].rates), p99Ms: median(per[s.key].p99), p99MsRounds: per[s.key].p99,
    }]));
    row.ratio = row.results[this.sides[0].key].opsPerSec / row.results[this.sides[1].key].opsPerSec;
    return this.push(row);
  }

  /**
   * Fills each side's find token to n objects (once per token). The tokens are
   * filled at the same time, in their own processes, to keep the full run short:
   * the creates/s recorded are a by-product, not an interleaved measurement.
   */
  async fill(n) {
    const tokens = new Map();
    for (const s of this.sides) if (!tokens.has(s.token)) tokens.set(s.token, s);
    log(`filling the find token${tokens.size > 1 ? 's' : ''} to ${n.toLocaleString('en-US')} objects`);
    await Promise.all([...tokens.values()].map(async (s) => {
      const d = await this.inprocDriver(s);
      const r = await d.call('fill', { to: n });
      const f = { side: s.key, token: s.token, to: n, created: r.created, seconds: r.seconds, createsPerSec: r.created / r.seconds, concurrent: tokens.size > 1 };
      this.fills.push(f);
      log(`${s.label}: ${r.created} creates in ${r.seconds.toFixed(1)} s (${Math.round(f.createsPerSec)}/s)`);
    }));
  }

  push(row) {
    this.rows.push(row);
    if (row.results) {
      const [a, b] = this.sides;
      const ra = row.results[a.key];
      const rb = row.results[b.key];
      const p99 = ra.p99Ms !== undefined ? `, p99 ${ra.p99Ms.toFixed(2)} vs ${rb.p99Ms.toFixed(2)} ms` : '';
      log(`${PATH_NAMES[row.path]} | ${row.name}: ${a.short} ${Math.round(ra.opsPerSec)}/s, ${b.short} ${Math.round(rb.opsPerSec)}/s, ` +
        `ratio ${row.ratio.toFixed(2)}${row.node ? `, node ${Math.round(row.node.opsPerSec)}/s` : ''}${p99}`);
    }
    return row;
  }

  async stopAll() {
    for (const stop of this.stops.reverse()) await stop().catch((e) => log(`stopping: ${e.message}`));
  }
}

async function main() {
  const argv = process.argv.slice(2);
  const opts = parseArgs(argv);
  const started = Date.now();
  if (!existsSync(CLI_MAIN)) throw new Error('dist/ is missing: run `npm run build` first (or `npm run bench`)');
  const machine = machineInfo();
  ensureSoftHSM();
  const clientModule = await findClientModule();
  const dir = mkdtempSync(join(opts.dir, 'cryptoki-bench-'));
  const bench = new Bench(opts, dir, clientModule);
  log(`${opts.quick ? 'quick' : 'full'} run${opts.aa ? ' (A/A: SoftHSM2 against itself)' : ''} in ${dir}; load average ${machine.loadavgStart.join(' ')}`);
  let failed = false;
  // Ctrl-C: the drivers and servers get the signal too; still remove the temporary tokens.
  process.once('SIGINT', () => {
    log('interrupted');
    rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  });
  try {
    await bench.setUp();
    for (const c of CASES) {
      if (!wanted(opts, c.id)) continue;
      for (const path of opts.paths) await bench.measure(path, c);
    }
    if (opts.paths.includes('rpc') && wanted(opts, 'concurrent-ecdsa')) {
      for (const n of opts.concurrency) await bench.concurrent(n);
    }
    if (wanted(opts, 'find-label')) {
      for (const n of [...opts.sizes].sort((a, b) => a - b)) {
        await bench.fill(n);
        for (const path of opts.paths) await bench.measure(path, findCase(n));
      }
      // Sizes left out with --sizes still get their rows, saying so.
      for (const n of MODES.full.sizes.filter((x) => !opts.sizes.includes(x))) {
        for (const path of opts.paths) {
          bench.push({ path, id: findCase(n).id, name: findCase(n).name, skipped: 'left out by --sizes' });
        }
      }
    }
  } catch (e) {
    failed = true;
    log(`run failed: ${e.stack ?? e}`);
  } finally {
    await bench.stopAll();
    if (opts.keep) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }

  const report = {
    date: new Date(started).toISOString(),
    mode: opts.quick ? 'quick' : 'full',
    aa: opts.aa,
    argv,
    options: {
      rounds: opts.rounds, seconds: opts.seconds, warmup: opts.warmup, sizes: opts.sizes, concurrency: opts.concurrency,
      concurrencySeconds: opts.concurrencySeconds, paths: opts.paths, only: opts.only ? [...opts.only] : null,
    },
    machine: { ...machine, tokenDir: opts.dir, tokenFs: fsType(opts.dir), loadavgEnd: loadavg().map((x) => Number(x.toFixed(2))) },
    sides: bench.sides,
    rows: bench.rows,
    fills: bench.fills,
    totalSeconds: (Date.now() - started) / 1000,
    failed,
  };
  process.stdout.write(`\n${textTable(report)}\n\n` +
    `ops/s: median of ${opts.rounds} rounds; spread: ± half the range of the rounds, in % of the median; ` +
    `${report.sides[0].short}/${report.sides[1].short} > 1: ${report.sides[0].label} faster\n` +
    `${(report.totalSeconds / 60).toFixed(1)} minutes; load average ${machine.loadavgStart.join(' ')} at start, ${report.machine.loadavgEnd.join(' ')} at end\n`);
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, JSON.stringify(report, null, 2) + '\n');
  log(`wrote ${relative(ROOT, opts.out) || opts.out}`);
  const errors = bench.rows.filter((r) => r.error).length;
  if (failed || errors) {
    log(`${errors} case(s) failed`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  process.stderr.write(`bench: ${e?.stack ?? e}\n`);
  process.exit(1);
});

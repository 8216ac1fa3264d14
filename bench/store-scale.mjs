#!/usr/bin/env node
/**
 * Persistent-token scale benchmark: cryptoki-ts's SQLite store beside
 * SoftHSM2 (Debian's `softhsm2`, file object store), in one Node process.
 *
 * For each N token objects (default 1,000, 10,000 and 100,000) it measures, on
 * both sides with the same operations and the same object template:
 *   create  mean µs per C_CreateObject over N creates (one session, user logged in)
 *   find    median of 50 label lookups (FindObjectsInit + FindObjects + Final) in a fresh session
 *   login   median of 5 C_Login(CKU_USER) + C_Logout in a token holding N objects
 *   open    C_Initialize + C_GetSlotList + C_OpenSession on the existing store in a
 *           fresh library instance (median of 3)
 *   size    bytes of the store on disk after close
 * plus, as extras: login and logout timed apart, the first lookup after a fresh
 * open, and disk blocks used.
 *
 *   npm run bench:store                              # builds, then all three sizes
 *   node bench/store-scale.mjs --sizes 1000,10000    # after `npm run build`
 *   node bench/store-scale.mjs --write-doc           # also regenerates docs/benchmarks-store.md
 *
 * Options: --sizes a,b,c  --finds 50  --logins 5  --opens 3  --dir <tmp parent>
 *          --keep (leave the stores on disk)  --write-doc
 *
 * Set-up: installs Debian's softhsm2 with apt-get when its module is missing
 * (needs root), and rebuilds the pkcs11js addon if it is not built. Progress
 * goes to stderr; the table to stdout; the results to bench/results/store-scale.json.
 * This is a measurement, not a test: nothing here asserts a speed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const RESULTS = join(HERE, 'results', 'store-scale.json');
const DOC = join(ROOT, 'docs', 'benchmarks-store.md');
const SOFTHSM_LIB = '/usr/lib/softhsm/libsofthsm2.so';
const SO_PIN = 'bench-so-pin-1234';
const USER_PIN = 'bench-user-pin-1234';
const TOKEN_LABEL = 'bench';

// ---- command line -----------------------------------------------------------

function parseArgs(argv) {
  const opts = { sizes: [1000, 10000, 100000], finds: 50, logins: 5, opens: 3, dir: tmpdir(), keep: false, writeDoc: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const int = (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${a}: not a positive integer: ${v}`);
      return n;
    };
    if (a === '--sizes') opts.sizes = next().split(',').map((s) => int(s.trim().replace(/_/g, '')));
    else if (a === '--finds') opts.finds = int(next());
    else if (a === '--logins') opts.logins = int(next());
    else if (a === '--opens') opts.opens = int(next());
    else if (a === '--dir') opts.dir = resolve(next());
    else if (a === '--keep') opts.keep = true;
    else if (a === '--write-doc') opts.writeDoc = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0] + '*/\n');
      process.exit(0);
    } else throw new Error(`unknown option ${a} (see --help)`);
  }
  return opts;
}

// ---- helpers -----------------------------------------------------------------

const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);
const now = () => process.hrtime.bigint();
const usSince = (t0) => Number(now() - t0) / 1000;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Small seeded PRNG, so both sides look up the same labels in the same order. */
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function lookupLabels(n, count) {
  const rnd = mulberry32(0x5eed ^ n);
  return Array.from({ length: count }, () => `obj-${Math.floor(rnd() * n)}`);
}

/** Apparent bytes (sum of file sizes) and allocated bytes (blocks × 512) under a directory. */
function diskUsage(dir) {
  let bytes = 0;
  let allocated = 0;
  let files = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = statSync(p);
        bytes += st.size;
        allocated += st.blocks * 512;
        files++;
      }
    }
  };
  walk(dir);
  return { bytes, allocated, files };
}

/** Logs progress at most every 5 s and at every 10%. */
function progress(tag, n) {
  let last = Date.now();
  let nextTenth = 1;
  const start = Date.now();
  return (i) => {
    const t = Date.now();
    if (i >= (n * nextTenth) / 10 || t - last > 5000) {
      while (i >= (n * nextTenth) / 10) nextTenth++;
      last = t;
      const el = (t - start) / 1000;
      log(`${tag}: ${i}/${n} created, ${el.toFixed(1)} s, ${((el * 1e6) / Math.max(i, 1)).toFixed(0)} µs/object so far`);
    }
  };
}

// ---- set-up ------------------------------------------------------------------

function sh(cmd, args) {
  log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

function ensureSoftHSM() {
  if (existsSync(SOFTHSM_LIB)) return;
  log(`${SOFTHSM_LIB} is missing: installing Debian's softhsm2`);
  if (process.getuid?.() !== 0) throw new Error(`SoftHSM2 is not installed and this is not root: apt-get install -y softhsm2`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'softhsm2'], { stdio: ['ignore', 2, 2], env });
  if (install().status !== 0) {
    sh('apt-get', ['update']);
    const r = install();
    if (r.status !== 0) throw new Error('apt-get install softhsm2 failed');
  }
  if (!existsSync(SOFTHSM_LIB)) throw new Error(`softhsm2 installed, but ${SOFTHSM_LIB} is still missing`);
}

function loadPkcs11js() {
  const require = createRequire(join(ROOT, 'package.json'));
  try {
    return require('pkcs11js');
  } catch (e) {
    log(`pkcs11js does not load (${e.message.split('\n')[0]}); rebuilding its addon`);
    try {
      sh('npm', ['rebuild', 'pkcs11js', '--foreground-scripts']);
    } catch {
      // fall through to the clearer error below
    }
    try {
      return require('pkcs11js');
    } catch (e2) {
      throw new Error(`pkcs11js is needed for the SoftHSM2 side: run \`npm install\` (it builds a native addon with node-gyp): ${e2.message}`);
    }
  }
}

async function loadOurs() {
  const dist = join(ROOT, 'dist', 'src');
  if (!existsSync(join(dist, 'core', 'cryptoki.js'))) throw new Error('dist/ is missing: run `npm run build` first (or `npm run bench:store`)');
  const { Cryptoki } = await import(join(dist, 'core', 'cryptoki.js'));
  const { SqliteStore } = await import(join(dist, 'store', 'sqlite.js'));
  const K = await import(join(dist, 'pkcs11', 'constants.js'));
  return { Cryptoki, SqliteStore, K };
}

function machineInfo() {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  let nproc = cpus().length;
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch { /* keep os.cpus() */ }
  const memTotal = /^MemTotal:\s*(\d+) kB/m.exec(existsSync('/proc/meminfo') ? readFileSync('/proc/meminfo', 'utf8') : '')?.[1];
  let softhsm = 'unknown';
  try {
    softhsm = execFileSync('softhsm2-util', ['--version'], { encoding: 'utf8' }).trim();
  } catch { /* not on PATH */ }
  let debPkg = '';
  try {
    debPkg = execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'softhsm2'], { encoding: 'utf8' }).trim();
  } catch { /* not a Debian system */ }
  let fs = 'unknown';
  try {
    fs = execFileSync('df', ['--output=fstype,source', process.env.BENCH_DIR ?? tmpdir()], { encoding: 'utf8' })
      .trim().split('\n').pop().trim().replace(/\s+/, ' on ');
  } catch { /* keep unknown */ }
  let kernel = 'unknown';
  try {
    kernel = execFileSync('uname', ['-sr'], { encoding: 'utf8' }).trim();
  } catch { /* keep unknown */ }
  // Does the SoftHSM2 module ever fsync? (Debian's 2.6.1 imports neither fsync nor fdatasync.)
  let softhsmFsync = 'unknown';
  try {
    const syms = execFileSync('nm', ['-D', '--undefined-only', realpathSync(SOFTHSM_LIB)], { encoding: 'utf8' });
    softhsmFsync = /\b(fsync|fdatasync|sync_file_range|msync)\b/.test(syms) ? 'yes' : 'no';
  } catch { /* binutils missing */ }
  return {
    nproc,
    cpuModel,
    memGiB: memTotal ? +(Number(memTotal) / 1024 / 1024).toFixed(1) : null,
    node: process.version,
    kernel,
    softhsm2: softhsm + (debPkg ? ` (Debian package ${debPkg})` : ''),
    filesystem: fs,
    softhsmImportsFsync: softhsmFsync,
  };
}

// ---- one object template, both sides ------------------------------------------

function template(K, i) {
  return [
    { type: K.CKA_CLASS, value: K.CKO_DATA },
    { type: K.CKA_TOKEN, value: true },
    { type: K.CKA_PRIVATE, value: false },
    { type: K.CKA_LABEL, value: `obj-${i}` },
    { type: K.CKA_VALUE, value: randomBytes(32) },
  ];
}

/**
 * Both libraries behind the same small interface, so the measuring code below
 * is one function for both. Handles are opaque (numbers for ours, Buffers for
 * pkcs11js).
 */
function oursDriver(lib, dir) {
  const { Cryptoki, SqliteStore, K } = lib;
  const path = join(dir, 'tokens.db');
  let store = null;
  let p11 = null;
  let slot = null;
  return {
    name: 'cryptoki-ts',
    K,
    dir,
    init() {
      store = new SqliteStore(path);
      p11 = new Cryptoki({ store }); // the default PIN KDF (scrypt N=2^15): the honest login number
      p11.C_Initialize();
      slot = p11.C_GetSlotList(true)[0];
      p11.C_InitToken(slot, SO_PIN, TOKEN_LABEL);
      const h = p11.C_OpenSession(slot, K.CKF_SERIAL_SESSION | K.CKF_RW_SESSION);
      p11.C_Login(h, K.CKU_SO, SO_PIN);
      p11.C_InitPIN(h, USER_PIN);
      p11.C_Logout(h);
      p11.C_CloseSession(h);
    },
    open() {
      store = new SqliteStore(path);
      p11 = new Cryptoki({ store });
      p11.C_Initialize();
      const slots = p11.C_GetSlotList(true);
      const h = p11.C_OpenSession(slot, K.CKF_SERIAL_SESSION);
      return { slots, h };
    },
    hasSlot: (slots) => slots.includes(slot),
    close() {
      p11.C_Finalize();
      store.close();
      p11 = null;
      store = null;
    },
    openSession: (rw) => p11.C_OpenSession(slot, K.CKF_SERIAL_SESSION | (rw ? K.CKF_RW_SESSION : 0)),
    closeSession: (h) => p11.C_CloseSession(h),
    login: (h) => p11.C_Login(h, K.CKU_USER, USER_PIN),
    logout: (h) => p11.C_Logout(h),
    create: (h, t) => p11.C_CreateObject(h, t),
    find(h, label) {
      p11.C_FindObjectsInit(h, [{ type: K.CKA_LABEL, value: label }]);
      const found = p11.C_FindObjects(h, 10);
      p11.C_FindObjectsFinal(h);
      return found.length;
    },
    storeDir: dir,
  };
}

function softhsmDriver(pkcs11js, dir) {
  const K = pkcs11js;
  const tokenDir = join(dir, 'tokens');
  const conf = join(dir, 'softhsm2.conf');
  let mod = null;
  let slot = null;
  const load = () => {
    mod = new pkcs11js.PKCS11();
    mod.load(SOFTHSM_LIB);
  };
  const findSlot = (slots) => slots.find((s) => mod.C_GetTokenInfo(s).label.trim() === TOKEN_LABEL);
  return {
    name: 'SoftHSM2',
    K,
    dir,
    init() {
      mkdirSync(tokenDir, { recursive: true });
      writeFileSync(conf, [
        `directories.tokendir = ${tokenDir}`,
        'objectstore.backend = file',
        'log.level = ERROR',
        'slots.removable = false',
        '',
      ].join('\n'));
      process.env.SOFTHSM2_CONF = conf; // read by the module at C_Initialize
      execFileSync('softhsm2-util', ['--init-token', '--free', '--label', TOKEN_LABEL, '--so-pin', SO_PIN, '--pin', USER_PIN],
        { env: process.env, stdio: ['ignore', 'ignore', 'inherit'] });
      load();
      mod.C_Initialize();
      slot = findSlot(mod.C_GetSlotList(true));
      if (slot === undefined) throw new Error('SoftHSM2: the initialised token was not found');
    },
    open() {
      process.env.SOFTHSM2_CONF = conf;
      load();
      mod.C_Initialize();
      const slots = mod.C_GetSlotList(true);
      const h = mod.C_OpenSession(slot, K.CKF_SERIAL_SESSION);
      return { slots, h };
    },
    hasSlot: (slots) => slots.some((s) => Buffer.compare(s, slot) === 0),
    close() {
      mod.C_Finalize();
      mod.close();
      mod = null;
    },
    openSession: (rw) => mod.C_OpenSession(slot, K.CKF_SERIAL_SESSION | (rw ? K.CKF_RW_SESSION : 0)),
    closeSession: (h) => mod.C_CloseSession(h),
    login: (h) => mod.C_Login(h, K.CKU_USER, USER_PIN),
    logout: (h) => mod.C_Logout(h),
    create: (h, t) => mod.C_CreateObject(h, t),
    find(h, label) {
      mod.C_FindObjectsInit(h, [{ type: K.CKA_LABEL, value: label }]);
      const found = mod.C_FindObjects(h, 10);
      mod.C_FindObjectsFinal(h);
      return found.length;
    },
    storeDir: tokenDir,
  };
}

// ---- the measurements, the same for both sides -----------------------------------

function measure(d, n, opts) {
  const tag = `${d.name} N=${n}`;
  const r = { n };
  d.init();

  // create: one RW session, user logged in; only the C_CreateObject call is timed.
  let h = d.openSession(true);
  d.login(h);
  const tick = progress(tag, n);
  let createUs = 0;
  for (let i = 0; i < n; i++) {
    const t = template(d.K, i);
    const t0 = now();
    d.create(h, t);
    createUs += usSince(t0);
    if ((i & 255) === 255) tick(i + 1);
  }
  r.createUsPerObject = createUs / n;
  r.createTotalS = createUs / 1e6;
  d.logout(h);
  d.closeSession(h);
  log(`${tag}: create ${r.createUsPerObject.toFixed(1)} µs/object (${r.createTotalS.toFixed(1)} s)`);

  // find-by-label: a fresh session, the same random existing labels on both sides.
  h = d.openSession(false);
  const labels = lookupLabels(n, opts.finds);
  const findUs = labels.map((label) => {
    const t0 = now();
    const count = d.find(h, label);
    const us = usSince(t0);
    if (count !== 1) throw new Error(`${tag}: label ${label} matched ${count} objects, expected 1`);
    return us;
  });
  r.findUsMedian = median(findUs);
  log(`${tag}: find-by-label median ${r.findUsMedian.toFixed(1)} µs`);

  // login + logout with N objects in the token.
  // Each half is timed too (extras), to tell which one grows with N.
  const loginUs = [];
  const loginOnlyUs = [];
  const logoutUs = [];
  for (let i = 0; i < opts.logins; i++) {
    const t0 = now();
    d.login(h);
    const t1 = now();
    d.logout(h);
    const t2 = now();
    loginUs.push(Number(t2 - t0) / 1000);
    loginOnlyUs.push(Number(t1 - t0) / 1000);
    logoutUs.push(Number(t2 - t1) / 1000);
  }
  r.loginMsMedian = median(loginUs) / 1000;
  r.loginOnlyMsMedian = median(loginOnlyUs) / 1000;
  r.logoutMsMedian = median(logoutUs) / 1000;
  log(`${tag}: login+logout median ${r.loginMsMedian.toFixed(2)} ms (login ${r.loginOnlyMsMedian.toFixed(2)}, logout ${r.logoutMsMedian.toFixed(2)})`);
  d.closeSession(h);
  d.close();

  // size on disk, after close.
  const du = diskUsage(d.storeDir);
  r.sizeBytes = du.bytes;
  r.diskBytes = du.allocated;
  r.files = du.files;
  log(`${tag}: ${du.bytes} bytes in ${du.files} files (${du.allocated} bytes allocated)`);

  // open: a fresh library instance on the existing store; then, untimed as
  // open, the first lookup (a store that loads lazily pays here).
  const openUs = [];
  const firstFindUs = [];
  const firstLabel = lookupLabels(n, 1)[0];
  for (let i = 0; i < opts.opens; i++) {
    const t0 = now();
    const { slots, h: hs } = d.open();
    openUs.push(usSince(t0));
    if (!d.hasSlot(slots)) throw new Error(`${tag}: the token's slot is missing after reopening`);
    const t1 = now();
    const count = d.find(hs, firstLabel);
    firstFindUs.push(usSince(t1));
    if (count !== 1) throw new Error(`${tag}: label ${firstLabel} matched ${count} objects after reopening`);
    d.closeSession(hs);
    d.close();
  }
  r.openMsMedian = median(openUs) / 1000;
  r.firstFindMsMedian = median(firstFindUs) / 1000;
  log(`${tag}: open median ${r.openMsMedian.toFixed(2)} ms, first find after open ${r.firstFindMsMedian.toFixed(2)} ms`);
  return r;
}

// ---- report --------------------------------------------------------------------

const METRICS = [
  { key: 'createUsPerObject', name: 'create (µs/object, mean)', kind: 'time', digits: 1 },
  { key: 'findUsMedian', name: 'find-by-label (µs, median)', kind: 'time', digits: 1 },
  { key: 'loginMsMedian', name: 'login+logout (ms, median)', kind: 'time', digits: 2 },
  { key: 'openMsMedian', name: 'open (ms, median)', kind: 'time', digits: 2 },
  { key: 'sizeBytes', name: 'file size (bytes)', kind: 'size', digits: 0 },
  { key: 'loginOnlyMsMedian', name: 'login alone (ms, median)', kind: 'time', digits: 2, extra: true },
  { key: 'logoutMsMedian', name: 'logout alone (ms, median)', kind: 'time', digits: 2, extra: true },
  { key: 'diskBytes', name: 'disk used (bytes, blocks)', kind: 'size', digits: 0, extra: true },
  { key: 'firstFindMsMedian', name: 'first find after open (ms)', kind: 'time', digits: 2, extra: true },
];

function fmt(x, digits) {
  if (x === undefined || x === null || Number.isNaN(x)) return 'n/a';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function rows(results) {
  const out = [];
  for (const m of METRICS) {
    for (const r of results) {
      const a = r.ours[m.key];
      const b = r.softhsm[m.key];
      const ratio = m.kind === 'time' ? b / a : a / b;
      out.push([m.name, r.n.toLocaleString('en-US'), fmt(a, m.digits), fmt(b, m.digits), `${ratio >= 100 ? ratio.toFixed(0) : ratio.toPrecision(3)}×`]);
    }
  }
  return out;
}

const HEADER = ['metric', 'N', 'cryptoki-ts', 'SoftHSM2', 'ratio'];

function textTable(results) {
  const all = [HEADER, ...rows(results)];
  const widths = HEADER.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r) => r.map((v, c) => (c < 2 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  return [line(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

function markdownTable(results) {
  const all = rows(results);
  return [
    `| ${HEADER.join(' | ')} |`,
    '| --- | ---: | ---: | ---: | ---: |',
    ...all.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function writeDoc(report) {
  const m = report.machine;
  const cmd = `node bench/store-scale.mjs ${report.argv.join(' ')}`.trim();
  const text = `# Persistent token store: scale benchmark

<!-- Generated by \`${cmd}\` (bench/store-scale.mjs --write-doc). Do not edit by hand: run it again. -->

\`bench/store-scale.mjs\` fills one token with N data objects and times the
operations whose cost could grow with the size of the store, on cryptoki-ts's
SQLite store and, in the same run, on SoftHSM2 (Debian's \`softhsm2\` package,
\`objectstore.backend = file\`), driven from the same Node process through
\`pkcs11js\`. Run it with \`npm run bench:store\` (builds first; add
\`-- --sizes 1000,10000\` for a shorter run). It is a measurement only: no
test asserts a speed.

Both sides get the same calls and the same object template: \`CKO_DATA\`,
\`CKA_TOKEN\` true, \`CKA_PRIVATE\` false, \`CKA_LABEL\` \`obj-<i>\`, \`CKA_VALUE\`
32 random bytes. One side runs after the other for each N, each in a new
temporary directory.

| metric | what is timed |
| --- | --- |
| create | mean over N \`C_CreateObject\` calls in one read/write session with the user logged in (only the call is timed) |
| find-by-label | median of ${report.options.finds} lookups of a random existing label (\`C_FindObjectsInit\` + \`C_FindObjects\` + \`C_FindObjectsFinal\`) in a fresh session; both sides look up the same labels |
| login+logout | median of ${report.options.logins} \`C_Login(CKU_USER)\` + \`C_Logout\` with N objects in the token |
| open | a fresh library instance on the existing store: \`C_Initialize\` + \`C_GetSlotList\` + \`C_OpenSession\` (median of ${report.options.opens}). Ours: a new \`Cryptoki\` over a new \`SqliteStore\` on the same file; SoftHSM2: \`C_Finalize\`, unload, then load the module again with pkcs11js and initialise |
| file size | bytes of the store after close: ours the \`.db\` (and \`-wal\`/\`-shm\` if any are left), SoftHSM2 its token directory |
| login alone, logout alone | (extra) the two halves of the login+logout row, timed within the same calls (medians taken separately, so they need not add up exactly) |
| disk used | (extra) the same files counted in allocated blocks (\`st_blocks\` × 512), as \`du\` would |
| first find after open | (extra) the first label lookup in the freshly opened instance, which pays for anything the library loads lazily |

The ratio column is SoftHSM2 / cryptoki-ts for times (above 1 means cryptoki-ts
is faster) and cryptoki-ts / SoftHSM2 for sizes (below 1 means cryptoki-ts is
smaller).

Things to keep in mind when reading the numbers:

- Login uses each side's default PIN check. Ours derives a key with scrypt
  (N=2^15, r=8, p=1), which is slow by design; SoftHSM2's PIN check is far
  cheaper. The "login alone" and "logout alone" rows show which half of
  login+logout costs what, and which one grows with N. The library instance
  timed there is the one that created the N objects, so it holds a handle for
  each of them.
- Durability differs. Our store commits every \`C_CreateObject\` as one SQLite
  transaction in WAL mode with \`synchronous=FULL\`, so each create waits for an
  fsync. ${m.softhsmImportsFsync === 'no'
    ? `SoftHSM2 ${m.softhsm2.split(' ')[0]} writes one file per object and never calls
  \`fsync\`/\`fdatasync\` (its module imports neither symbol: \`nm -D\`), so a
  create returns once the data is in the page cache.`
    : `SoftHSM2 writes one file per object${m.softhsmImportsFsync === 'yes' ? ' and its module does import an fsync-like call' : ''}.`}
- SoftHSM2's file store holds one \`.object\` file (and a \`.lock\` file) per
  object, which is why its allocated size is much larger than its byte count.

## Results

Run on ${report.date.slice(0, 10)} with \`${cmd}\`:

- machine: ${m.nproc} CPUs (\`nproc\`), ${m.cpuModel}, ${m.memGiB ?? '?'} GiB memory, ${m.kernel}
- Node ${m.node}; SoftHSM2 ${m.softhsm2}; SQLite ${report.sqliteVersion}
- stores in a temporary directory on ${m.filesystem}
- total wall time of the run: ${(report.totalSeconds / 60).toFixed(1)} minutes

${markdownTable(report.results)}

The raw numbers of the latest run are in \`bench/results/store-scale.json\`
(not committed).
`;
  mkdirSync(dirname(DOC), { recursive: true });
  writeFileSync(DOC, text);
  log(`wrote ${relative(ROOT, DOC)}`);
}

// ---- main -----------------------------------------------------------------------

async function main() {
  const argv = process.argv.slice(2);
  const opts = parseArgs(argv);
  const started = Date.now();
  ensureSoftHSM();
  const pkcs11js = loadPkcs11js();
  const ours = await loadOurs();
  mkdirSync(opts.dir, { recursive: true });
  process.env.BENCH_DIR = opts.dir;
  const machine = machineInfo();
  const sqliteVersion = (() => {
    const s = new ours.SqliteStore(':memory:');
    try {
      return s.db?.prepare?.('select sqlite_version() as v').get()?.v ?? 'unknown';
    } finally {
      s.close();
    }
  })();
  log(`machine: ${machine.nproc} CPUs, ${machine.cpuModel}, node ${machine.node}, ${machine.softhsm2}, sqlite ${sqliteVersion}`);
  log(`sizes: ${opts.sizes.join(', ')}`);

  const results = [];
  for (const n of opts.sizes) {
    const base = mkdtempSync(join(opts.dir, `store-scale-${n}-`));
    try {
      const oursDir = join(base, 'cryptoki-ts');
      const hsmDir = join(base, 'softhsm2');
      mkdirSync(oursDir);
      mkdirSync(hsmDir);
      log(`=== N=${n}: cryptoki-ts in ${oursDir}`);
      const o = measure(oursDriver(ours, oursDir), n, opts);
      log(`=== N=${n}: SoftHSM2 in ${hsmDir}`);
      const s = measure(softhsmDriver(pkcs11js, hsmDir), n, opts);
      results.push({ n, ours: o, softhsm: s });
    } finally {
      if (opts.keep) log(`kept ${base}`);
      else rmSync(base, { recursive: true, force: true });
    }
  }

  const report = {
    date: new Date().toISOString(),
    argv,
    options: { sizes: opts.sizes, finds: opts.finds, logins: opts.logins, opens: opts.opens },
    machine,
    sqliteVersion,
    units: {
      createUsPerObject: 'µs per C_CreateObject (mean)',
      createTotalS: 's for all N creates',
      findUsMedian: 'µs per label lookup (median)',
      loginMsMedian: 'ms per C_Login(CKU_USER) + C_Logout (median)',
      loginOnlyMsMedian: 'ms for the C_Login(CKU_USER) half (median)',
      logoutMsMedian: 'ms for the C_Logout half (median)',
      openMsMedian: 'ms for C_Initialize + C_GetSlotList + C_OpenSession in a fresh instance (median)',
      firstFindMsMedian: 'ms for the first label lookup after open (median)',
      sizeBytes: 'bytes (sum of file sizes) after close',
      diskBytes: 'bytes allocated on disk (st_blocks * 512) after close',
      files: 'files in the store',
    },
    results,
    totalSeconds: (Date.now() - started) / 1000,
  };

  process.stdout.write(`\n${textTable(results)}\n\nratio: SoftHSM2 / cryptoki-ts for times (>1: cryptoki-ts faster); cryptoki-ts / SoftHSM2 for sizes\n`);
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, JSON.stringify(report, null, 2) + '\n');
  log(`wrote ${relative(ROOT, RESULTS)} (${report.totalSeconds.toFixed(0)} s in all)`);
  if (opts.writeDoc) writeDoc(report);
}

main().catch((e) => {
  process.stderr.write(`store-scale: ${e?.stack ?? e}\n`);
  process.exit(1);
});

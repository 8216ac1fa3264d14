#!/usr/bin/env node
/**
 * RPC concurrency benchmark: does a slow call on one connection hold up the
 * others? `cryptoki serve` (one worker thread per connection) on a temporary
 * socket and store; two PKCS#11 applications in their own processes, each
 * loading the stock p11-kit-client.so through pkcs11js:
 *
 *   signer   C_SignInit + C_Sign with CKM_ECDSA over 32 bytes, EC P-256 token key, in a loop
 *   keygen   C_GenerateKeyPair RSA-4096 (session objects, destroyed after each), in a loop
 *
 * Phase 1 runs the signer alone for the duration; phase 2 runs the signer and
 * the key generator together for the same duration. Each process warms up
 * first (the signer for 1 s, the generator with one key pair), and the
 * measurement starts in both at the same moment. Reported: the signer's
 * ops/s and latency percentiles in each phase, the RSA-4096 key pairs
 * generated, and the server's CPU time in each phase.
 *
 *   npm run bench:rpc                            # builds, then 20 s per phase
 *   node bench/rpc-concurrency.mjs --seconds 5   # after `npm run build`
 *
 * Options: --seconds N (per phase, default 20)  --dir <tmp parent>  --keep (leave the temp dir)
 *          --alone-after (a third phase: the signer alone again, to tell order effects from contention)
 *
 * Progress goes to stderr; the table to stdout; the results to
 * bench/results/rpc-concurrency.json. This is a measurement, not a test:
 * nothing here asserts a speed.
 */
import { execFileSync, fork, spawn } from 'node:child_process';
import { createHash, createPublicKey, randomBytes, verify as cryptoVerify } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const HERE = dirname(SELF);
const ROOT = resolve(HERE, '..');
const MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const RESULTS = join(HERE, 'results', 'rpc-concurrency.json');
const SO_PIN = 'bench-so-pin-1234';
const USER_PIN = 'bench-user-pin-1234';
const TOKEN_LABEL = 'rpc-bench';
const EC_LABEL = 'bench-ec-p256';
const WARMUP_MS = 1000;
const P256_OID = Buffer.from('06082a8648ce3d030107', 'hex');
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');

const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);
const now = () => process.hrtime.bigint();

// ---- command line -----------------------------------------------------------

function parseArgs(argv) {
  const opts = { seconds: 20, dir: tmpdir(), keep: false, aloneAfter: false, child: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--seconds') {
      const v = next();
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`--seconds: not a positive number: ${v}`);
      opts.seconds = n;
    } else if (a === '--dir') opts.dir = resolve(next());
    else if (a === '--keep') opts.keep = true;
    else if (a === '--alone-after') opts.aloneAfter = true;
    else if (a === '--child') opts.child = next(); // internal: run as the signer or keygen process
    else if (a === '--help' || a === '-h') {
      process.stdout.write(readFileSync(SELF, 'utf8').split('*/')[0] + '*/\n');
      process.exit(0);
    } else throw new Error(`unknown option ${a} (see --help)`);
  }
  return opts;
}

// ---- PKCS#11 through pkcs11js -------------------------------------------------

function loadPkcs11js() {
  const require = createRequire(join(ROOT, 'package.json'));
  try {
    return require('pkcs11js');
  } catch (e) {
    throw new Error(`pkcs11js does not load: run \`npm install\` (it builds a native addon with node-gyp): ${e.message.split('\n')[0]}`);
  }
}

/** p11-kit-client.so, loaded and initialised (it needs OS locking: without it C_Initialize answers CKR_CANT_LOCK). */
function openModule(P, module) {
  const p11 = new P.PKCS11();
  p11.load(module);
  p11.C_Initialize({ flags: P.CKF_OS_LOCKING_OK });
  return p11;
}

const tokenLabel = (p11, slot) => p11.C_GetTokenInfo(slot).label.trim();

function slotByLabel(p11, label) {
  const slot = p11.C_GetSlotList(true).find((s) => tokenLabel(p11, s) === label);
  if (!slot) throw new Error(`no token labelled ${label}`);
  return slot;
}

function findOne(P, p11, h, template) {
  p11.C_FindObjectsInit(h, template);
  try {
    const [o] = p11.C_FindObjects(h, 1);
    return o;
  } finally {
    p11.C_FindObjectsFinal(h);
  }
}

/** Creates the token on the free slot, sets the user PIN, makes the EC P-256 signing key (a token object). */
function initToken(P, module) {
  const p11 = openModule(P, module);
  try {
    const free = p11.C_GetSlotList(true).find((s) => !(p11.C_GetTokenInfo(s).flags & P.CKF_TOKEN_INITIALIZED));
    if (!free) throw new Error('the server shows no free slot');
    p11.C_InitToken(free, SO_PIN, TOKEN_LABEL);
    const slot = slotByLabel(p11, TOKEN_LABEL);
    const h = p11.C_OpenSession(slot, P.CKF_SERIAL_SESSION | P.CKF_RW_SESSION);
    p11.C_Login(h, P.CKU_SO, SO_PIN);
    p11.C_InitPIN(h, USER_PIN);
    p11.C_Logout(h);
    p11.C_Login(h, P.CKU_USER, USER_PIN);
    p11.C_GenerateKeyPair(h, { mechanism: P.CKM_EC_KEY_PAIR_GEN },
      [{ type: P.CKA_TOKEN, value: true }, { type: P.CKA_LABEL, value: EC_LABEL }, { type: P.CKA_EC_PARAMS, value: P256_OID }, { type: P.CKA_VERIFY, value: true }],
      [{ type: P.CKA_TOKEN, value: true }, { type: P.CKA_LABEL, value: EC_LABEL }, { type: P.CKA_PRIVATE, value: true },
        { type: P.CKA_SENSITIVE, value: true }, { type: P.CKA_SIGN, value: true }]);
    p11.C_Logout(h);
    p11.C_CloseSession(h);
  } finally {
    p11.C_Finalize();
    p11.close();
  }
}

// ---- the two client processes ----------------------------------------------------

/**
 * Child mode: log in, get ready, tell the parent; on {go: deadline}, loop until
 * the deadline (Date.now() ms), then send the samples back and exit.
 */
async function runChild(role, module) {
  const P = loadPkcs11js();
  const p11 = openModule(P, module);
  const slot = slotByLabel(p11, TOKEN_LABEL);
  const h = p11.C_OpenSession(slot, P.CKF_SERIAL_SESSION | P.CKF_RW_SESSION);
  p11.C_Login(h, P.CKU_USER, USER_PIN);

  let step;
  let check = null;
  if (role === 'signer') {
    const key = findOne(P, p11, h, [{ type: P.CKA_CLASS, value: P.CKO_PRIVATE_KEY }, { type: P.CKA_LABEL, value: EC_LABEL }]);
    const pubKey = findOne(P, p11, h, [{ type: P.CKA_CLASS, value: P.CKO_PUBLIC_KEY }, { type: P.CKA_LABEL, value: EC_LABEL }]);
    if (!key || !pubKey) throw new Error('the EC signing key is missing');
    const [{ value: ecPoint }] = p11.C_GetAttributeValue(h, pubKey, [{ type: P.CKA_EC_POINT }]);
    // CKA_EC_POINT: DER OCTET STRING (04 41) around the uncompressed point.
    const point = ecPoint[0] === 0x04 && ecPoint[1] === 0x41 ? ecPoint.subarray(2) : ecPoint;
    const pub = createPublicKey({ key: Buffer.concat([P256_SPKI_PREFIX, point]), format: 'der', type: 'spki' });
    // The 32 bytes signed are SHA-256 hashes of random messages (CKM_ECDSA signs a hash made by the caller).
    const messages = Array.from({ length: 64 }, () => randomBytes(48));
    const hashes = messages.map((m) => createHash('sha256').update(m).digest());
    const out = Buffer.alloc(64);
    let i = 0;
    step = () => {
      const k = i++ % hashes.length;
      p11.C_SignInit(h, { mechanism: P.CKM_ECDSA }, key);
      return { message: messages[k], sig: Buffer.from(p11.C_Sign(h, hashes[k], out)) };
    };
    // One signature per phase checked with Node's crypto: the numbers are for working signatures.
    check = ({ message, sig }) => cryptoVerify('sha256', message, { key: pub, dsaEncoding: 'ieee-p1363' }, sig);
  } else if (role === 'keygen') {
    step = () => {
      const { publicKey, privateKey } = p11.C_GenerateKeyPair(h, { mechanism: P.CKM_RSA_PKCS_KEY_PAIR_GEN },
        [{ type: P.CKA_TOKEN, value: false }, { type: P.CKA_MODULUS_BITS, value: 4096 }, { type: P.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
          { type: P.CKA_VERIFY, value: true }],
        [{ type: P.CKA_TOKEN, value: false }, { type: P.CKA_PRIVATE, value: true }, { type: P.CKA_SENSITIVE, value: true }, { type: P.CKA_SIGN, value: true }]);
      p11.C_DestroyObject(h, publicKey);
      p11.C_DestroyObject(h, privateKey);
      return null;
    };
  } else {
    throw new Error(`unknown child role ${role}`);
  }

  // Warm-up outside the measurement (first-use and JIT costs in the client and in the connection's
  // new worker thread): one key pair, or a second of signatures.
  const first = step();
  const checked = check ? check(first) : null;
  if (role === 'signer') for (const until = Date.now() + WARMUP_MS; Date.now() < until;) step();

  process.send({ ready: true });
  const deadline = await new Promise((res) => process.once('message', (m) => res(m.go)));
  const latenciesUs = [];
  const t0 = now();
  while (Date.now() < deadline) {
    const s = now();
    step();
    latenciesUs.push(Number(now() - s) / 1000);
  }
  const elapsedS = Number(now() - t0) / 1e9;
  p11.C_Logout(h);
  p11.C_CloseSession(h);
  p11.C_Finalize();
  p11.close();
  // Large messages go out asynchronously: disconnect only once this one is written.
  await new Promise((res, rej) => process.send({ role, elapsedS, latenciesUs, verified: checked }, (e) => (e ? rej(e) : res())));
  process.disconnect();
}

function startChild(role, module, env) {
  const child = fork(SELF, ['--child', role], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = new Promise((res, rej) => {
    child.once('message', (m) => (m.ready ? res() : rej(new Error(`${role}: unexpected ${JSON.stringify(m)}`))));
    child.once('exit', (code) => rej(new Error(`${role} exited with ${code} before it was ready`)));
  });
  const done = new Promise((res, rej) => {
    let result = null;
    child.on('message', (m) => { if (m.role) result = m; });
    child.on('exit', (code) => (code === 0 && result ? res(result) : rej(new Error(`${role} exited with ${code}`))));
  });
  ready.catch(() => {});
  done.catch(() => {});
  return { child, ready, done, go: (deadline) => child.send({ go: deadline }) };
}

// ---- statistics ---------------------------------------------------------------------

function percentile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function summarize(r) {
  const s = [...r.latenciesUs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  const ms = (us) => Math.round(us) / 1000;
  return {
    ops: s.length, seconds: Number(r.elapsedS.toFixed(3)), opsPerSecond: Number((s.length / r.elapsedS).toFixed(1)),
    meanMs: ms(mean), p50Ms: ms(percentile(s, 0.5)), p90Ms: ms(percentile(s, 0.9)), p99Ms: ms(percentile(s, 0.99)),
    maxMs: ms(s[s.length - 1] ?? NaN), minMs: ms(s[0] ?? NaN),
  };
}

/** The server's CPU seconds (user + system, all threads) from /proc, if there is one. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    return (Number(fields[11]) + Number(fields[12])) / ticks; // utime, stime (fields 14 and 15 of stat)
  } catch {
    return NaN;
  }
}

function machineInfo() {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  let nproc = cpus().length;
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch { /* keep os.cpus() */ }
  let p11kit = 'unknown';
  try {
    p11kit = execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'p11-kit-modules'], { encoding: 'utf8' }).trim();
  } catch { /* not a Debian system */ }
  return { cpuModel, nproc, node: process.version, platform: `${process.platform} ${process.arch}`, p11KitModules: p11kit };
}

// ---- the server -----------------------------------------------------------------------

async function startServer(socket, env, logFile) {
  const { openSync } = await import('node:fs');
  const err = openSync(logFile, 'a');
  const server = spawn(process.execPath, [MAIN, 'serve', '--socket', socket], { env, stdio: ['ignore', 'pipe', err] });
  let out = '';
  server.stdout.on('data', (d) => { out += d.toString(); });
  const exited = new Promise((res) => server.once('exit', (code, signal) => res({ code, signal })));
  for (let i = 0; i < 300 && !(existsSync(socket) && out.includes('P11_KIT_SERVER_ADDRESS')); i++) {
    const gone = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 50))]);
    if (gone) throw new Error(`cryptoki serve exited (${JSON.stringify(gone)}): ${readFileSync(logFile, 'utf8')}`);
  }
  if (!existsSync(socket)) throw new Error(`cryptoki serve did not create ${socket} in 15 s`);
  return {
    pid: server.pid,
    async stop() {
      server.kill('SIGTERM');
      const t = setTimeout(() => server.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

// ---- main ------------------------------------------------------------------------------

async function phase(name, roles, seconds, module, env, server) {
  log(`${name}: ${roles.join(' + ')} for ${seconds} s`);
  const children = roles.map((role) => startChild(role, module, env));
  try {
    await Promise.all(children.map((c) => c.ready));
    const cpu0 = cpuSeconds(server.pid);
    const deadline = Date.now() + 200 + seconds * 1000;
    // Both start at the same moment: the deadline is shared, the loops begin at once.
    for (const c of children) c.go(deadline);
    const results = await Promise.all(children.map((c) => c.done));
    const cpu1 = cpuSeconds(server.pid);
    const byRole = Object.fromEntries(results.map((r) => [r.role, r]));
    return { byRole, serverCpuSeconds: Number((cpu1 - cpu0).toFixed(2)) };
  } catch (e) {
    for (const c of children) c.child.kill('SIGKILL');
    throw e;
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(MAIN)) throw new Error('dist/ is missing: run `npm run build` first (or `npm run bench:rpc`)');
  const { findP11KitClient } = await import(pathToFileURL(join(ROOT, 'dist', 'src', 'cli', 'serve.js')).href);
  const module = findP11KitClient();
  if (!module) throw new Error('p11-kit-client.so is not installed (apt-get install p11-kit-modules)');

  if (opts.child) {
    await runChild(opts.child, module);
    return;
  }

  const P = loadPkcs11js();
  const dir = mkdtempSync(join(opts.dir, 'cryptoki-rpc-bench-'));
  const socket = join(dir, 'pkcs11.sock');
  const serverLog = join(dir, 'serve.log');
  const serverEnv = { ...process.env, XDG_DATA_HOME: join(dir, 'data') };
  delete serverEnv.CRYPTOKI_CONF;
  const clientEnv = { ...process.env, P11_KIT_SERVER_ADDRESS: `unix:path=${socket}` };
  delete clientEnv.P11_KIT_DEBUG;
  let server;
  try {
    log(`store ${join(dir, 'data')}, socket ${socket}`);
    server = await startServer(socket, serverEnv, serverLog);
    process.env.P11_KIT_SERVER_ADDRESS = clientEnv.P11_KIT_SERVER_ADDRESS;
    log('creating the token and the EC P-256 key through p11-kit-client.so');
    initToken(P, module);

    const alone = await phase('phase 1', ['signer'], opts.seconds, module, clientEnv, server);
    const together = await phase('phase 2', ['signer', 'keygen'], opts.seconds, module, clientEnv, server);
    const after = opts.aloneAfter ? await phase('phase 3', ['signer'], opts.seconds, module, clientEnv, server) : null;
    const signerAfter = after ? summarize(after.byRole.signer) : null;

    const signerAlone = summarize(alone.byRole.signer);
    const signerTogether = summarize(together.byRole.signer);
    const keygen = summarize(together.byRole.keygen);
    const serveLog = readFileSync(serverLog, 'utf8');
    const failedCalls = serveLog.split('\n').filter((l) => / failed: /.test(l));

    const report = {
      date: new Date().toISOString(),
      machine: machineInfo(),
      secondsPerPhase: opts.seconds,
      signer: {
        mechanism: 'CKM_ECDSA over 32 bytes, EC P-256 token key', alone: signerAlone, withKeygen: signerTogether,
        ...(signerAfter ? { aloneAfter: signerAfter } : {}),
      },
      signaturesVerified: {
        alone: alone.byRole.signer.verified, withKeygen: together.byRole.signer.verified, ...(after ? { aloneAfter: after.byRole.signer.verified } : {}),
      },
      keygen: {
        mechanism: 'CKM_RSA_PKCS_KEY_PAIR_GEN, 4096 bits, e=65537, session objects',
        keyPairs: keygen.ops, seconds: keygen.seconds, meanMs: keygen.meanMs, minMs: keygen.minMs, p50Ms: keygen.p50Ms, maxMs: keygen.maxMs,
      },
      serverCpuSeconds: {
        alone: alone.serverCpuSeconds, withKeygen: together.serverCpuSeconds, ...(after ? { aloneAfter: after.serverCpuSeconds } : {}),
      },
      serverFailedCalls: failedCalls,
    };

    const rows = [
      ['', 'ops', 'ops/s', 'p50 ms', 'p99 ms', 'max ms', 'server CPU s'],
      ['signer alone', signerAlone.ops, signerAlone.opsPerSecond, signerAlone.p50Ms, signerAlone.p99Ms, signerAlone.maxMs, alone.serverCpuSeconds],
      ['signer + RSA-4096 keygen', signerTogether.ops, signerTogether.opsPerSecond, signerTogether.p50Ms, signerTogether.p99Ms, signerTogether.maxMs,
        together.serverCpuSeconds],
      ...(signerAfter ? [['signer alone, after', signerAfter.ops, signerAfter.opsPerSecond, signerAfter.p50Ms, signerAfter.p99Ms, signerAfter.maxMs,
        after.serverCpuSeconds]] : []),
    ].map((r) => r.map(String));
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    const table = rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
    process.stdout.write(`\n${table}\n\nRSA-4096 key pairs generated in phase 2: ${keygen.ops} in ${keygen.seconds} s` +
      ` (mean ${keygen.meanMs} ms, min ${keygen.minMs} ms, max ${keygen.maxMs} ms)\n` +
      `signatures checked with Node's crypto: ${Object.values(report.signaturesVerified).every(Boolean) ? 'ok' : 'FAILED'}\n` +
      `server calls that failed: ${failedCalls.length}${failedCalls.length ? '\n  ' + failedCalls.slice(0, 10).join('\n  ') : ''}\n` +
      `${report.machine.cpuModel}, ${report.machine.nproc} CPUs, Node ${report.machine.node}, p11-kit-modules ${report.machine.p11KitModules}\n`);
    mkdirSync(dirname(RESULTS), { recursive: true });
    writeFileSync(RESULTS, JSON.stringify(report, null, 2) + '\n');
    log(`results written to ${RESULTS}`);
  } finally {
    await server?.stop();
    if (opts.keep) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`rpc-concurrency: ${e.stack ?? e}\n`);
  process.exit(1);
});

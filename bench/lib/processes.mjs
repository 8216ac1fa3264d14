/**
 * The processes a benchmark run starts: load-generating drivers (driver.mjs),
 * `cryptoki serve`, and `p11-kit server` over SoftHSM2; and the set-up step
 * that installs SoftHSM2 when it is missing. Everything started here is
 * stopped by the stop function it returns.
 */
import { fork, spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, readFileSync, closeSync } from 'node:fs';
import { CLI_MAIN, SOFTHSM_LIB } from './paths.mjs';

export const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

const DRIVER = new URL('./driver.mjs', import.meta.url);

/** Starts a driver process; resolves once it is ready to take requests. */
export async function startDriver(name, spec) {
  const child = fork(DRIVER, [JSON.stringify({ ...spec, name })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map();
  let nextId = 1;
  let exited = null;
  const ready = new Promise((res, rej) => {
    child.once('message', (m) => (m.ready ? res() : rej(new Error(`${name}: unexpected first message`))));
    child.once('exit', (code, signal) => rej(new Error(`${name} exited (${code ?? signal}) before it was ready`)));
  });
  child.on('message', (m) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.res(m.result);
    else p.rej(new Error(`${name}: ${m.error}`));
  });
  child.on('exit', (code, signal) => {
    exited = code ?? signal;
    for (const p of pending.values()) p.rej(new Error(`${name} exited (${exited})`));
    pending.clear();
  });
  await ready;
  const call = (cmd, args = {}) => {
    if (exited !== null) return Promise.reject(new Error(`${name} has exited (${exited})`));
    const id = nextId++;
    return new Promise((res, rej) => {
      pending.set(id, { res, rej });
      child.send({ id, cmd, ...args });
    });
  };
  return {
    name,
    pid: child.pid,
    call,
    async stop() {
      if (exited !== null) return;
      const gone = new Promise((res) => child.once('exit', res));
      try {
        await Promise.race([call('exit'), new Promise((res) => setTimeout(res, 5000))]);
      } catch { /* it may be gone already */ }
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    },
  };
}

/** Waits for a socket file to appear while the process lives. */
async function waitForSocket(socket, proc, what, logFile) {
  let exit = null;
  proc.once('exit', (code, signal) => { exit = code ?? signal; });
  for (let i = 0; i < 600; i++) {
    if (existsSync(socket)) return;
    if (exit !== null) throw new Error(`${what} exited (${exit}): ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not create ${socket} in 30 s`);
}

function stopper(proc) {
  const exited = new Promise((res) => {
    if (proc.exitCode !== null || proc.signalCode !== null) res();
    else proc.once('exit', res);
  });
  return async () => {
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };
}

/** `cryptoki serve` on a socket, over the store named by the config file. */
export async function startCryptokiServer(socket, confFile, logFile) {
  const err = openSync(logFile, 'a');
  const env = { ...process.env, CRYPTOKI_CONF: confFile };
  const proc = spawn(process.execPath, [CLI_MAIN, 'serve', '--socket', socket, '--log-level', 'warn'], { env, stdio: ['ignore', 'ignore', err] });
  closeSync(err);
  await waitForSocket(socket, proc, 'cryptoki serve', logFile);
  return { pid: proc.pid, stop: stopper(proc) };
}

/** `p11-kit server` over SoftHSM2 (a p11-kit-remote process per connection), serving every SoftHSM2 token. */
export async function startP11KitServer(socket, softhsmConf, logFile) {
  const err = openSync(logFile, 'a');
  const env = { ...process.env, SOFTHSM2_CONF: softhsmConf };
  const proc = spawn('p11-kit', ['server', '-f', '-n', socket, '--provider', SOFTHSM_LIB, 'pkcs11:model=SoftHSM%20v2'],
    { env, stdio: ['ignore', 'ignore', err] });
  closeSync(err);
  await waitForSocket(socket, proc, 'p11-kit server', logFile);
  return { pid: proc.pid, stop: stopper(proc) };
}

function sh(cmd, args) {
  log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: ['ignore', 2, 2], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.error) throw r.error;
  return r.status === 0;
}

/** The set-up step: Debian's softhsm2 (module and softhsm2-util) and p11-kit's server, installed when missing. */
export function ensureSoftHSM() {
  const have = () => existsSync(SOFTHSM_LIB) && spawnSync('p11-kit', ['server', '--help'], { stdio: 'ignore' }).status !== null;
  if (have()) return;
  log(`${SOFTHSM_LIB} or p11-kit is missing: installing Debian's softhsm2 and p11-kit`);
  if (process.getuid?.() !== 0) throw new Error('SoftHSM2 is not installed and this is not root: apt-get install -y softhsm2 p11-kit p11-kit-modules');
  const pkgs = ['install', '-y', '--no-install-recommends', 'softhsm2', 'p11-kit', 'p11-kit-modules'];
  if (!sh('apt-get', pkgs)) {
    sh('apt-get', ['update']);
    if (!sh('apt-get', pkgs)) throw new Error('apt-get install softhsm2 failed');
  }
  if (!have()) throw new Error(`softhsm2 installed, but ${SOFTHSM_LIB} is still missing`);
}

export const softhsmConfText = (tokenDir) => [
  `directories.tokendir = ${tokenDir}`,
  'objectstore.backend = file',
  'log.level = ERROR',
  'slots.removable = false',
  '',
].join('\n');

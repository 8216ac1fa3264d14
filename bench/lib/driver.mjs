/**
 * A load-generating process: one PKCS#11 application (or raw node:crypto)
 * that the orchestrator (bench/run.mjs) drives over IPC. Every side of every
 * path is one of these, so each side runs alone in its own Node process:
 *
 *   { api: 'ours', storePath }                    our Cryptoki, in this process, on the SQLite store
 *   { api: 'pkcs11js', module, env, osLocking }   a PKCS#11 module through pkcs11js: libsofthsm2.so
 *                                                 itself, or p11-kit-client.so (one connection)
 *   { api: 'node' }                               node:crypto, the ceiling
 *
 * The spec comes as JSON in argv[2]. Requests are { id, cmd, ... }; each gets
 * { id, ok: true, result } or { id, ok: false, error }.
 */
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { oursApi, pkcs11jsApi, loadPkcs11js } from './api.mjs';
import {
  caseById, closeContext, dataObject, FIND_TOKEN_LABEL, openContext, prepareToken, SO_PIN, TOKEN_LABEL, USER_PIN, warmNodeKeys,
} from './cases.mjs';
import { DIST, loadConstants } from './paths.mjs';
import { timeLoop } from './measure.mjs';

const spec = JSON.parse(process.argv[2]);
const K = await loadConstants();

let api = null;
let finish = () => {};
if (spec.api === 'ours') {
  const { Cryptoki } = await import(join(DIST, 'core', 'cryptoki.js'));
  const { SqliteStore } = await import(join(DIST, 'store', 'sqlite.js'));
  const store = new SqliteStore(spec.storePath);
  const p11 = new Cryptoki({ store });
  p11.C_Initialize();
  api = oursApi(p11, K);
  finish = () => {
    p11.C_Finalize();
    store.close();
  };
} else if (spec.api === 'pkcs11js') {
  Object.assign(process.env, spec.env ?? {});
  const P = loadPkcs11js();
  const mod = new P.PKCS11();
  mod.load(spec.module);
  // p11-kit-client.so answers CKR_CANT_LOCK unless it may use OS locking.
  mod.C_Initialize(spec.osLocking ? { flags: K.CKF_OS_LOCKING_OK } : undefined);
  api = pkcs11jsApi(mod, P, K);
  finish = () => {
    mod.C_Finalize();
    mod.close();
  };
} else if (spec.api !== 'node') {
  throw new Error(`unknown api ${spec.api}`);
}

const contexts = new Map(); // token label -> logged-in context
const prepared = new Map(); // case id -> { op, teardown }

function context(label) {
  let ctx = contexts.get(label);
  if (!ctx) {
    ctx = openContext(api, K, label, { withKeys: label === TOKEN_LABEL });
    contexts.set(label, ctx);
  }
  return ctx;
}

/** Creates the benchmark token and the find token on free slots, with their PINs, and the keys. */
function initTokens() {
  for (const label of [TOKEN_LABEL, FIND_TOKEN_LABEL]) {
    const free = api.freeSlot();
    if (free === undefined) throw new Error('no free slot to create a token in');
    api.initToken(free, SO_PIN, label);
    const slot = api.slotByLabel(label);
    const h = api.openSession(slot, true);
    api.login(h, K.CKU_SO, SO_PIN);
    api.initPin(h, USER_PIN);
    api.logout(h);
    if (label === TOKEN_LABEL) {
      api.login(h, K.CKU_USER, USER_PIN);
      prepareToken(api, K, h);
      api.logout(h);
    }
    api.closeSession(h);
  }
}

let findCount = 0;
/** Adds data objects to the find token until it holds `to`; the time per create is a by-product worth reporting. */
function fill(to) {
  const ctx = context(FIND_TOKEN_LABEL);
  const from = findCount;
  const t0 = performance.now();
  let lastLog = t0;
  for (let i = from; i < to; i++) {
    api.create(ctx.h, dataObject(K, i));
    if ((i & 1023) === 1023 && performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      process.stderr.write(`[bench]   ${spec.name}: ${i + 1}/${to} objects\n`);
    }
  }
  findCount = to;
  return { created: to - from, seconds: (performance.now() - t0) / 1000 };
}

function prepare(caseId) {
  if (prepared.has(caseId)) return;
  const c = caseById(caseId);
  if (spec.api === 'node') {
    if (!c.node) throw new Error(`${caseId} has no node:crypto form`);
    warmNodeKeys();
    prepared.set(caseId, { op: c.node(K) });
    return;
  }
  const ctx = context(c.findToken ? FIND_TOKEN_LABEL : TOKEN_LABEL);
  prepared.set(caseId, c.setup(ctx));
}

function release(caseId) {
  const p = prepared.get(caseId);
  prepared.delete(caseId);
  p?.teardown?.();
}

async function run({ caseId, seconds, minOps, warmupSeconds, latencies, startAt }) {
  prepare(caseId);
  const { op } = prepared.get(caseId);
  if (warmupSeconds > 0) timeLoop(op, warmupSeconds, 1);
  if (startAt !== undefined) {
    // Concurrent runs start together: sleep to just before the shared moment, then spin.
    const wait = startAt - Date.now();
    if (wait > 20) await new Promise((r) => setTimeout(r, wait - 20));
    while (Date.now() < startAt);
  }
  return timeLoop(op, seconds, minOps, latencies);
}

const handlers = {
  initTokens: () => initTokens(),
  fill: ({ to }) => fill(to),
  prepare: ({ caseId }) => prepare(caseId),
  release: ({ caseId }) => release(caseId),
  run,
  async exit() {
    // Best effort: a case that failed half-way may have left a session logged out already.
    const quietly = (f) => { try { f(); } catch { /* going away anyway */ } };
    for (const id of [...prepared.keys()]) quietly(() => release(id));
    for (const ctx of contexts.values()) quietly(() => closeContext(ctx));
    contexts.clear();
    quietly(finish);
    setImmediate(() => process.disconnect());
  },
};

process.on('message', async (m) => {
  try {
    const result = await handlers[m.cmd](m);
    process.send({ id: m.id, ok: true, result });
  } catch (e) {
    process.send({ id: m.id, ok: false, error: e?.stack ?? String(e) });
  }
});
process.send({ ready: true, pid: process.pid });

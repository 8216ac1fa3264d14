/**
 * A progress line on stderr for long work (RSA-8192 generation, a restore,
 * importing many certificates), shown only when stderr is a terminal. Counted
 * work redraws the line between steps. The core is synchronous, so work of
 * unknown length blocks the main thread: a worker thread animates the line
 * meanwhile, writing straight to file descriptor 2.
 */
import { writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/**
 * The worker draws a frame only while it holds the lock (state 0 -> 2 -> 0);
 * the main thread takes the lock for good (state 1) before its last write, so
 * that no frame can follow it.
 */
const SPINNER = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const state = new Int32Array(workerData.lock);
const frames = '|/-\\\\';
const started = Date.now();
let i = 0;
const timer = setInterval(() => {
  if (Atomics.compareExchange(state, 0, 0, 2) !== 0) { clearInterval(timer); return; }
  const seconds = Math.floor((Date.now() - started) / 1000);
  writeSync(2, '\\r\\x1b[K' + workerData.what + '... ' + frames[i++ % 4] + ' ' + seconds + ' s');
  Atomics.store(state, 0, 0);
}, 150);
`;

export class Progress {
  private readonly shown: boolean;
  private readonly started = Date.now();
  private spinner: { worker: Worker; state: Int32Array } | undefined;

  constructor(private readonly what: string, private readonly total?: number) {
    this.shown = process.stderr.isTTY === true;
    this.draw(0);
    if (this.shown && total === undefined) {
      const lock = new SharedArrayBuffer(4);
      const worker = new Worker(SPINNER, { eval: true, workerData: { lock, what } });
      worker.unref();
      this.spinner = { worker, state: new Int32Array(lock) };
    }
  }

  private draw(done: number): void {
    if (!this.shown) return;
    const count = this.total === undefined ? '' : ` ${done}/${this.total}`;
    writeSync(2, `\r\x1b[K${this.what}...${count}`);
  }

  /** `done` steps of the total are done. */
  step(done: number): void {
    this.draw(done);
  }

  /** Replaces the line by how long the work took, or clears it when the work failed. */
  finish(ok = true): void {
    if (!this.shown) return;
    if (this.spinner) {
      const { worker, state } = this.spinner;
      while (Atomics.compareExchange(state, 0, 0, 1) !== 0) {
        // The worker is drawing a frame: it lets go within a write.
      }
      void worker.terminate();
      this.spinner = undefined;
    }
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    writeSync(2, ok ? `\r\x1b[K${this.what}: done in ${seconds} s\n` : '\r\x1b[K');
  }
}

/** Runs a long synchronous job under a progress line, drawn before the job blocks. */
export function withProgress<T>(what: string, job: () => T): T {
  const p = new Progress(what);
  let ok = false;
  try {
    const result = job();
    ok = true;
    return result;
  } finally {
    p.finish(ok);
  }
}

/**
 * A progress line on stderr for long work (RSA-8192 generation, a restore,
 * importing many certificates), shown only when stderr is a terminal. The
 * core is synchronous, so the line is redrawn between steps, not by a timer.
 */
export class Progress {
  private readonly shown: boolean;
  private readonly started = Date.now();

  constructor(private readonly what: string, private readonly total?: number, private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.shown = stream.isTTY === true;
    this.draw(0);
  }

  private draw(done: number): void {
    if (!this.shown) return;
    const count = this.total === undefined ? '' : ` ${done}/${this.total}`;
    this.stream.write(`\r\x1b[K${this.what}...${count}`);
  }

  /** `done` steps of the total are done. */
  step(done: number): void {
    this.draw(done);
  }

  /** Replaces the line by how long the work took, or clears it when the work failed. */
  finish(ok = true): void {
    if (!this.shown) return;
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    this.stream.write(ok ? `\r\x1b[K${this.what}: done in ${seconds} s\n` : '\r\x1b[K');
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

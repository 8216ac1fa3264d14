/** Timing loops and the statistics of rounds. */
import { performance } from 'node:perf_hooks';

/**
 * Runs `op` until `seconds` have passed and at least `minOps` were done.
 * With `latencies`, also returns each operation's time in µs.
 */
export function timeLoop(op, seconds, minOps = 1, latencies = false) {
  const lat = latencies ? [] : null;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let n = 0;
  let t = t0;
  do {
    const s = t;
    op();
    n++;
    t = performance.now();
    if (lat) lat.push((t - s) * 1000);
  } while (t < end || n < minOps);
  return { ops: n, seconds: (t - t0) / 1000, ...(lat ? { latenciesUs: lat } : {}) };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The q-quantile of an ascending list (nearest rank). */
export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Median ops/s of the rounds and their spread: (max - min) / median. */
export function summarize(rates) {
  const med = median(rates);
  return {
    opsPerSec: med,
    spread: rates.length > 1 ? (Math.max(...rates) - Math.min(...rates)) / med : 0,
    rounds: rates,
  };
}

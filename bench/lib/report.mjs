/** Tables of a run's results, for the terminal and for docs/benchmarks.md (same rows). */
import { cpus, loadavg, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

export const PATH_NAMES = { inproc: 'in-process', rpc: 'p11-kit RPC' };

export function fmtRate(x) {
  if (x === undefined || x === null || Number.isNaN(x)) return '';
  if (x >= 100) return Math.round(x).toLocaleString('en-US');
  if (x >= 10) return x.toFixed(1);
  return x.toPrecision(3);
}

export const fmtSpread = (s) => (s === undefined ? '' : `±${((s * 100) / 2).toFixed(0)}%`);

export function fmtRatio(r) {
  if (r === undefined || r === null || !Number.isFinite(r)) return '';
  if (r >= 100) return `${r.toFixed(0)}×`;
  if (r >= 10) return `${r.toFixed(1)}×`;
  return `${r.toFixed(2)}×`;
}

const fmtMs = (x) => (x === undefined || Number.isNaN(x) ? '' : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/**
 * One line per row: path, case, then for each side its median ops/s and
 * spread, the ratio first/second, and node:crypto with first/node when there
 * is a ceiling. Concurrency rows add p99 latencies; n/a rows say why.
 */
export function tableRows(report, extra = null) {
  const [a, b] = report.sides;
  const header = ['path', 'case', `${a.label} ops/s`, 'spread', `${b.label} ops/s`, 'spread', `${a.short}/${b.short}`,
    'node:crypto ops/s', `${a.short}/node`, `p99 ms ${a.short}`, `p99 ms ${b.short}`];
  const rows = report.rows.map((r) => {
    const path = PATH_NAMES[r.path] ?? r.path;
    if (r.notApplicable) return [path, r.name, 'n/a', '', 'n/a', '', '', '', '', '', ''];
    if (r.skipped) return [path, r.name, 'skipped', '', 'skipped', '', '', '', '', '', ''];
    if (r.error) return [path, r.name, r.results?.[a.key] ? fmtRate(r.results[a.key].opsPerSec) : 'error', '', r.results?.[b.key] ? fmtRate(r.results[b.key].opsPerSec) : 'error', '', '', '', '', '', ''];
    const ra = r.results[a.key];
    const rb = r.results[b.key];
    return [
      path, r.name, fmtRate(ra.opsPerSec), fmtSpread(ra.spread), fmtRate(rb.opsPerSec), fmtSpread(rb.spread), fmtRatio(r.ratio),
      r.node ? fmtRate(r.node.opsPerSec) : '', r.node ? fmtRatio(ra.opsPerSec / r.node.opsPerSec) : '',
      ra.p99Ms !== undefined ? fmtMs(ra.p99Ms) : '', rb.p99Ms !== undefined ? fmtMs(rb.p99Ms) : '',
    ];
  });
  if (extra) {
    header.push(extra.header);
    report.rows.forEach((r, i) => rows[i].push(extra.value(r) ?? ''));
  }
  // Columns no row uses (p99 outside concurrency runs, node in an rpc-only run) are left out.
  const used = header.map((_, i) => i < 7 || rows.some((r) => r[i] !== ''));
  const keep = (r) => r.filter((_, i) => used[i]);
  return { header: keep(header), rows: rows.map(keep) };
}

export function textTable(report) {
  const { header, rows } = tableRows(report);
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r) => r.map((v, c) => (c < 2 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The table in Markdown; `extra` ({ header, value(row) }) adds a last column. */
export function markdownTable(report, extra = null) {
  const { header, rows } = tableRows(report, extra);
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function run(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** What the doc needs to say about the machine, including how loaded it was. */
export function machineInfo() {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  return {
    nproc: Number(run('nproc', [])) || cpus().length,
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown',
    memGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    kernel: run('uname', ['-sr']),
    node: process.version,
    softhsm2: run('dpkg-query', ['-W', '-f', '${Version}', 'softhsm2']),
    p11kit: run('dpkg-query', ['-W', '-f', '${Version}', 'p11-kit-modules']),
    openssl: process.versions.openssl,
    loadavgStart: loadavg().map((x) => Number(x.toFixed(2))),
  };
}

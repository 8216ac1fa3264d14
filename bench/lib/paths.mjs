/** Where things are, seen from the benchmark. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = join(ROOT, 'dist', 'src');
export const CLI_MAIN = join(DIST, 'cli', 'main.js');
export const SOFTHSM_LIB = '/usr/lib/softhsm/libsofthsm2.so';
export const RESULTS_DIR = join(ROOT, 'bench', 'results');

/** Our constants, from the build (`npm run build` first). */
export async function loadConstants() {
  const file = join(DIST, 'pkcs11', 'constants.js');
  if (!existsSync(file)) throw new Error('dist/ is missing: run `npm run build` first (or `npm run bench`)');
  return import(file);
}

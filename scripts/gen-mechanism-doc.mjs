// Writes docs/mechanisms.md from the mechanism registry. Run after `npm run build`.
import { writeFileSync } from 'node:fs';
import { mechanismTable } from '../dist/src/mechanisms/doc.js';

writeFileSync(new URL('../docs/mechanisms.md', import.meta.url), mechanismTable());

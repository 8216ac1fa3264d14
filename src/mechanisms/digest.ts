/** Digest mechanisms: only listed here; C_Digest* runs them in core/digest.ts. */
import { DIGESTS } from '../core/digest.js';
import { registerMechanism } from './registry.js';

for (const type of DIGESTS.keys()) registerMechanism({ type, minKeySize: 0, maxKeySize: 0, digest: true });

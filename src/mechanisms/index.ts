/** Loads every mechanism family into the registry. */
import './digest.js';
export { mechanismFor, mechanismInfo, mechanismList } from './registry.js';

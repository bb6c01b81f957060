// Kept for src/commands/collect.ts, which imports it from here; to be removed once it imports src/load/config.ts.
export { loadConfig, type EvidenceConfig } from '../load/config.js';

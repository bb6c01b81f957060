// Kept for src/commands/audit.ts and collect.ts, which import these from here;
// to be removed once they import src/load and src/verifier/inputs.ts.
export { checkPolicyOptions } from '../verifier/inputs.js';
export { readKeys } from '../load/keys.js';
export { resolveTrustRoots } from '../load/trust.js';

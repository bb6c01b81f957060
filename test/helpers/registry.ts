import { registrySkipReason as skipReason } from '../../scripts/local-registry.mjs';

export { startRegistry, type RunningRegistry } from '../../scripts/local-registry.mjs';

/** Why the real-registry tests are skipped on this machine (they use htpasswd too), or undefined when they can run. */
export const registrySkipReason: string | undefined = skipReason({ auth: true });

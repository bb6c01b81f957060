import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Env } from '../core/env.js';
import { loadTrustRoots, publicGoodRoot, trustRootFiles } from '../verifier/inputs.js';
import type { LoadedTrustRoot, TrustRootInput } from '../verifier/trusted-root.js';
import { readJsonFile } from './json.js';

/** Where `evidence trust-root update` keeps a refreshed public-good root. */
export function refreshedRootPath(env: Env): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'evidence', 'trusted_root.json');
}

/**
 * The trusted roots to verify with: the files given, else a root refreshed
 * by `evidence trust-root update`, else the public-good root in the package.
 */
export async function resolveTrustRoots(
  cwd: string,
  files: string[] | undefined,
  env: Env,
): Promise<LoadedTrustRoot[]> {
  let refreshed: string | undefined;
  if (!files || files.length === 0) {
    const path = refreshedRootPath(env);
    const present = await stat(path).then(
      () => true,
      () => false,
    );
    if (present) refreshed = path;
  }
  const chosen = trustRootFiles(files, refreshed);
  const inputs: TrustRootInput[] = chosen.length === 0 ? [publicGoodRoot()] : [];
  // One after the other, so that the first file that fails is the one reported.
  for (const c of chosen)
    inputs.push({
      source: c.source,
      json: await readJsonFile(resolve(cwd, c.file), c.file, {
        missing: 'TRUSTED_ROOT_NOT_FOUND',
        bad: 'TRUSTED_ROOT_INVALID',
      }),
    });
  return loadTrustRoots(inputs);
}

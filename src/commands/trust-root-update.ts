import { redactSecrets } from '../core/redact.js';
import { redactUrl } from '../collector/source.js';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { VerifyError } from '../verifier/errors.js';
import { isTrustRootProblem, loadTrustRoot } from '../verifier/trusted-root.js';
import { writeFileAtomically } from '../fs/atomic.js';
import type { Env } from '../core/env.js';
import { refreshedRootPath } from '../load/trust.js';

export interface TrustRootUpdateOptions {
  cwd: string;
  env?: Env;
  /** Where to write; by default where `evidence verify` looks for a refreshed root. */
  output?: string;
  /** The TUF repository (default: Sigstore's public-good CDN). */
  mirrorUrl?: string;
  /** The TUF root.json to start from, for a mirror other than public-good. */
  tufRoot?: string;
  timeoutMs?: number;
}

export interface TrustRootUpdateResult {
  output: string;
  date?: string;
}

/**
 * Refreshes the public-good trusted root through Sigstore's TUF repository,
 * where the network allows; `evidence verify` then uses it by default. TUF
 * checks the metadata's signatures from the root embedded in @sigstore/tuf.
 */
export async function trustRootUpdate(options: TrustRootUpdateOptions): Promise<TrustRootUpdateResult> {
  const env = options.env ?? {};
  const output = options.output ? resolve(options.cwd, options.output) : refreshedRootPath(env);
  const cachePath = join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'evidence', 'tuf');
  await mkdir(cachePath, { recursive: true });
  let json: unknown;
  try {
    const { getTrustedRoot } = await import('@sigstore/tuf');
    const root = await getTrustedRoot({
      cachePath,
      ...(options.mirrorUrl ? { mirrorURL: options.mirrorUrl } : {}),
      ...(options.tufRoot ? { rootPath: resolve(options.cwd, options.tufRoot) } : {}),
      timeout: options.timeoutMs ?? 30_000,
      retry: 1,
    });
    json = TrustedRoot.toJSON(root);
  } catch (e) {
    const err = e as { code?: string; message?: string };
    const mirror = redactUrl(options.mirrorUrl ?? 'https://tuf-repo-cdn.sigstore.dev');
    throw new VerifyError(
      'TRUST_ROOT_UPDATE_FAILED',
      redactSecrets(
        `the trusted root could not be refreshed from ${mirror}: ${err.code ? `${err.code}: ` : ''}${String(err.message ?? e).slice(0, 500)}`,
      ),
    );
  }
  const loaded = loadTrustRoot({ source: 'TUF', json });
  if (isTrustRootProblem(loaded))
    throw new VerifyError('TRUST_ROOT_UPDATE_FAILED', `the refreshed trusted root is not usable: ${loaded.message}`);
  await mkdir(dirname(output), { recursive: true });
  await writeFileAtomically(output, `${JSON.stringify(json, null, 2)}\n`);
  return { output, ...(loaded.date ? { date: loaded.date } : {}) };
}

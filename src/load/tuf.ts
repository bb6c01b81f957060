import { readFile } from 'node:fs/promises';
import { sha256Hex } from '../core/digest.js';
import { redactSecrets } from '../core/redact.js';
import { commonJsExports } from '../core/commonjs.js';
import { redactUrl } from '../collector/source.js';
import { VerifyError } from '../verifier/errors.js';
import { isTrustRootProblem, loadTrustRoot } from '../verifier/trusted-root.js';
import { PUBLIC_GOOD_TUF } from '../verifier/trust-origin.js';

export interface TufOptions {
  /** Where TUF keeps its metadata and targets between runs. */
  cachePath: string;
  mirrorUrl?: string;
  /** The TUF root.json to start from, for a mirror other than public-good. */
  rootPath?: string;
  timeoutMs: number;
}

/**
 * Targets of a TUF repository, each verified by TUF from the root it starts from (the one embedded in @sigstore/tuf
 * for public-good). `required` targets must be there; an `optional` one that the repository does not publish is
 * undefined. Anything else that fails is TRUST_ROOT_UPDATE_FAILED, naming the mirror without its credentials.
 */
export async function tufTargets(
  options: TufOptions,
  required: readonly string[],
  optional: readonly string[],
): Promise<Map<string, string | undefined>> {
  const mirror = redactUrl(options.mirrorUrl ?? PUBLIC_GOOD_TUF);
  const failed = (e: unknown): VerifyError => {
    const err = e as { code?: unknown; name?: unknown; message?: string };
    // A timeout is a DOMException, whose numeric code (23) says nothing to a reader.
    const why =
      err.name === 'TimeoutError'
        ? 'no answer within the timeout (--timeout)'
        : `${typeof err.code === 'string' ? `${err.code}: ` : ''}${String(err.message ?? e).slice(0, 500)}`;
    return new VerifyError(
      'TRUST_ROOT_UPDATE_FAILED',
      redactSecrets(`the trust material could not be refreshed from ${mirror}: ${why}`),
    );
  };
  const out = new Map<string, string | undefined>();
  try {
    const { initTUF } = commonJsExports(await import('@sigstore/tuf'));
    const tuf = await initTUF({
      cachePath: options.cachePath,
      ...(options.mirrorUrl ? { mirrorURL: options.mirrorUrl } : {}),
      // A root given is started from even where a cache for this mirror exists.
      ...(options.rootPath ? { rootPath: options.rootPath, forceInit: true } : {}),
      timeout: options.timeoutMs,
      retry: 1,
    });
    for (const name of required) out.set(name, await tuf.getTarget(name));
    for (const name of optional)
      out.set(
        name,
        await tuf.getTarget(name).catch((e: unknown) => {
          if ((e as { code?: string }).code === 'TUF_FIND_TARGET_ERROR') return undefined;
          throw e;
        }),
      );
  } catch (e) {
    throw failed(e);
  }
  return out;
}

/** A target as JSON, or TRUST_ROOT_UPDATE_FAILED naming it. */
export function tufJson(name: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new VerifyError('TRUST_ROOT_UPDATE_FAILED', `TUF's ${name} is not JSON`);
  }
}

/** The trusted root TUF gave, checked usable: its JSON and the newest key's date. */
export function tufTrustedRoot(text: string): { json: unknown; date?: string } {
  const json = tufJson('trusted_root.json', text);
  const loaded = loadTrustRoot({ source: 'TUF', json });
  if (isTrustRootProblem(loaded))
    throw new VerifyError('TRUST_ROOT_UPDATE_FAILED', `the refreshed trusted root is not usable: ${loaded.message}`);
  return { json, ...(loaded.date ? { date: loaded.date } : {}) };
}

/** `sha256:<hex>` of the TUF root.json a refresh starts from, for the record of its origin. */
export async function tufRootDigest(path: string): Promise<string> {
  try {
    return `sha256:${sha256Hex(await readFile(path))}`;
  } catch (e) {
    throw new VerifyError('TRUST_ROOT_UPDATE_FAILED', `--tuf-root ${path}: cannot be read (${(e as Error).message})`);
  }
}

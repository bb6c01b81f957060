import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { sha256Hex } from '../core/digest.js';
import type { Env } from '../core/env.js';
import { parseJsonStrict } from '../core/strict-json.js';
import { readSmallFile } from '../fs/small-file.js';
import { VerifyError } from '../verifier/errors.js';
import { loadTrustRoots, publicGoodRoot, trustRootFiles, type TrustRootFile } from '../verifier/inputs.js';
import { refreshedRootLabel } from '../verifier/trust-origin.js';
import type { LoadedTrustRoot, TrustRootInput } from '../verifier/trusted-root.js';
import { readJsonBytes } from './json.js';

/** Where `evidence trust-root update` keeps a refreshed root by default. */
export function refreshedRootPath(env: Env): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'evidence', 'trusted_root.json');
}

/** The record of where a refreshed root came from, beside it: NAME.origin.json for NAME.json. */
export function originRecordPath(root: string): string {
  return root.replace(/(\.json)?$/, '.origin.json');
}

const CODES = { missing: 'TRUSTED_ROOT_NOT_FOUND', bad: 'TRUSTED_ROOT_INVALID' } as const;

/**
 * The trusted roots to verify with: the files given, else a root refreshed
 * by `evidence trust-root update` (labelled by the record of its origin
 * beside it), else the public-good root in the package.
 */
export async function resolveTrustRoots(
  cwd: string,
  files: string[] | undefined,
  env: Env,
): Promise<LoadedTrustRoot[]> {
  // The refreshed root is read once: the digest its label is checked against is of the bytes verified with.
  const refreshed = files && files.length > 0 ? undefined : await readRefreshed(env);
  const chosen = trustRootFiles(files, refreshed?.file);
  const inputs: TrustRootInput[] = chosen.length === 0 ? [publicGoodRoot()] : [];
  // One after the other, so that the first file that fails is the one reported.
  for (const c of chosen)
    inputs.push(
      c === refreshed?.file
        ? refreshed.input
        : { source: c.source, json: (await readJsonBytes(resolve(cwd, c.file), c.file, CODES)).json },
    );
  return loadTrustRoots(inputs);
}

/** The root `evidence trust-root update` wrote where verify looks by default, labelled by its origin record. */
async function readRefreshed(env: Env): Promise<{ file: TrustRootFile; input: TrustRootInput } | undefined> {
  const path = refreshedRootPath(env);
  const present = await stat(path).then(
    () => true,
    () => false,
  );
  if (!present) return undefined;
  const { json, bytes } = await readJsonBytes(path, path, CODES);
  const source = refreshedRootLabel(path, `sha256:${sha256Hex(bytes)}`, await readOrigin(path));
  return { file: { file: path, source }, input: { source, json } };
}

/** The origin record beside a refreshed root: undefined when there is none; what it holds, parsed, otherwise. */
async function readOrigin(root: string): Promise<unknown> {
  const path = originRecordPath(root);
  const bytes = await readSmallFile(path, path, {
    what: 'a trusted root origin record',
    max: 64 * 1024,
    notFound: () => new VerifyError('TRUSTED_ROOT_NOT_FOUND', `${path}: no such file`),
  }).catch((e: unknown) => {
    if ((e as VerifyError).code === 'TRUSTED_ROOT_NOT_FOUND') return undefined;
    throw e;
  });
  if (bytes === undefined) return undefined;
  try {
    return parseJsonStrict(bytes);
  } catch {
    // Not JSON: a record that is not one, which the label says.
    return null;
  }
}

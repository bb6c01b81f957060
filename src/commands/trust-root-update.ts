import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { VerifyError } from '../verifier/errors.js';
import { writeFileAtomically } from '../fs/atomic.js';
import type { Env } from '../core/env.js';
import { originRecordPath, refreshedRootPath } from '../load/trust.js';
import { SIGNING_CONFIG_REKOR_V2_TARGET, SIGNING_CONFIG_TARGET } from '../signer/choose-signer.js';
import { parseSigningConfig } from '../signer/signing-config.js';
import { tufJson, tufRootDigest, tufTargets, tufTrustedRoot } from '../load/tuf.js';
import { sha256Hex } from '../core/digest.js';
import { redactUrl } from '../collector/source.js';
import { originRecord, PUBLIC_GOOD_TUF, requireOutputForOtherMirror } from '../verifier/trust-origin.js';

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
  /** The record of where it came from (NAME.origin.json beside it), by which verify labels it. */
  origin: string;
  date?: string;
  /** The signing configs written beside it, by file; those the repository does not publish are left out. */
  signingConfigs: string[];
}

/**
 * Refreshes the public-good trusted root and signing configs through Sigstore's TUF repository, where the network
 * allows; `evidence verify` then uses the root, and keyless signing the signing config (`--rekor-v2`: the Rekor v2
 * one), from the same folder. TUF checks the metadata's signatures from the root embedded in @sigstore/tuf. Nothing is
 * written unless every target read is usable.
 */
export async function trustRootUpdate(options: TrustRootUpdateOptions): Promise<TrustRootUpdateResult> {
  const env = options.env ?? {};
  requireOutputForOtherMirror(options);
  const tufRoot = options.tufRoot ? await tufRootDigest(resolve(options.cwd, options.tufRoot)) : undefined;
  const output = options.output ? resolve(options.cwd, options.output) : refreshedRootPath(env);
  const cachePath = join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'evidence', 'tuf');
  await mkdir(cachePath, { recursive: true });
  const targets = await tufTargets(
    {
      cachePath,
      ...(options.mirrorUrl ? { mirrorUrl: options.mirrorUrl } : {}),
      ...(options.tufRoot ? { rootPath: resolve(options.cwd, options.tufRoot) } : {}),
      timeoutMs: options.timeoutMs ?? 30_000,
    },
    ['trusted_root.json'],
    [SIGNING_CONFIG_TARGET, SIGNING_CONFIG_REKOR_V2_TARGET],
  );
  const { json, date } = tufTrustedRoot(targets.get('trusted_root.json') ?? '');
  const configs: [string, string][] = [];
  for (const name of [SIGNING_CONFIG_TARGET, SIGNING_CONFIG_REKOR_V2_TARGET]) {
    const text = targets.get(name);
    if (text === undefined) continue;
    try {
      parseSigningConfig(tufJson(name, text), `TUF's ${name}`);
    } catch (e) {
      throw new VerifyError('TRUST_ROOT_UPDATE_FAILED', (e as Error).message);
    }
    // Kept byte for byte as TUF vouched for them: the digest a signature records is of these bytes.
    configs.push([join(dirname(output), name), text]);
  }
  await mkdir(dirname(output), { recursive: true });
  const text = `${JSON.stringify(json, null, 2)}\n`;
  const mirror = redactUrl(options.mirrorUrl ?? PUBLIC_GOOD_TUF);
  const trustedRootDigest = `sha256:${sha256Hex(text)}`;
  const record = originRecord({
    mirror,
    ...(tufRoot ? { tufRootDigest: tufRoot } : {}),
    trustedRootDigest,
    now: new Date(),
  });
  const origin = originRecordPath(output);
  // The record first: a root without its record is labelled 'origin not recorded', never by an older record.
  await writeFileAtomically(origin, `${JSON.stringify(record, null, 2)}\n`);
  await writeFileAtomically(output, text);
  for (const [file, text] of configs) await writeFileAtomically(file, text);
  return { output, origin, ...(date ? { date } : {}), signingConfigs: configs.map(([f]) => f) };
}

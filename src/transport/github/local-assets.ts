import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  bundleStem,
  detachedMismatch,
  detachedNames,
  isBundleAsset,
  VERIFIER_ASSET,
} from '../../core/release-assets.js';
import { sha256Hex } from '../../core/digest.js';
import { exists } from '../../fs/atomic.js';
import { hashFile } from '../../fs/hash-file.js';
import { openBundle } from '../../fs/open-bundle.js';
import { requireIntegrity } from '../../verifier/verify-bundle.js';
import { GitHubError } from './errors.js';
import type { LocalAsset } from './upload.js';

export interface LocalAssetsOptions {
  cwd: string;
  /** The bundle (.tar.gz); the files published beside it are beside it. */
  bundle: string;
  /** Attach a bundle that holds no attestation, alone (attach --allow-unsigned). */
  allowUnsigned?: boolean;
  /** NAME.sigstore.jsonl is required (attach --attestations-api). */
  attestationsApi?: boolean;
  /** The one-file verifier to attach too. */
  verifier?: string;
}

/**
 * What attach publishes, checked before anything is uploaded: the bundle, intact (the integrity gate every command
 * shares), and beside it exactly what it holds (detachedMismatch: NAME.sigstore.json its attestation, NAME.intoto.jsonl
 * that attestation's envelope, NAME.sigstore.jsonl its attestations), or ATTACH_INPUT_INVALID naming the file. A
 * bundle that holds no attestation is ATTACH_UNSIGNED unless `allowUnsigned`; it then goes up alone, and any signature
 * file beside it is refused as another signing's.
 */
export async function localAssets(options: LocalAssetsOptions): Promise<{ assets: LocalAsset[]; signed: boolean }> {
  const bundlePath = resolve(options.cwd, options.bundle);
  if (!isBundleAsset(bundlePath))
    throw new GitHubError('ATTACH_INPUT_MISSING', `${options.bundle}: expected a bundle named *.tar.gz or *.tgz`);
  if (!(await exists(bundlePath))) throw new GitHubError('ATTACH_INPUT_MISSING', `${options.bundle}: no such file`);
  // Publishing a bundle that doesn't verify helps nobody; checked before anything is uploaded.
  const { stream } = await openBundle(options.cwd, options.bundle);
  const { contents, digest, size } = await requireIntegrity(stream, options.bundle, 'not attached');
  const signed = contents.attestationBytes !== undefined;
  if (!signed && !options.allowUnsigned)
    throw new GitHubError(
      'ATTACH_UNSIGNED',
      `${options.bundle}: holds no attestation (it is unsigned): sign it first (evidence sign, or collect --sign), or attach it as unsigned with --allow-unsigned`,
    );
  if (!signed && options.attestationsApi)
    throw new GitHubError(
      'ATTACH_UNSIGNED',
      `${options.bundle}: holds no attestation (it is unsigned): --attestations-api has nothing to record`,
    );
  const stem = join(dirname(bundlePath), bundleStem(basename(bundlePath)));
  const paths = detachedNames(stem);
  const labels = detachedNames(basename(stem));
  const unsignedHint = 'not beside the bundle (sign again to write it: evidence sign)';
  // Each as it was checked: the bundle by the integrity pass's own digest (not hashed again), the rest by its bytes.
  const files: Array<{ path: string; contentType: string; bytes?: Buffer; hashed?: { size: number; sha256: string } }> =
    [{ path: bundlePath, contentType: 'application/gzip', hashed: { size, sha256: digest.replace(/^sha256:/, '') } }];
  const beside: { sigstore?: Buffer; intoto?: Buffer; sigstoreJsonl?: Buffer } = {};
  for (const [file, contentType] of [
    ['sigstore', 'application/json'],
    ['intoto', 'application/jsonl'],
    ['sigstoreJsonl', 'application/jsonl'],
  ] as const) {
    const path = paths[file];
    const present = await exists(path);
    // NAME.sigstore.jsonl is absent beside bundles signed before it existed: required only by --attestations-api.
    const required = signed && (file !== 'sigstoreJsonl' || options.attestationsApi === true);
    if (!present && required) throw new GitHubError('ATTACH_INPUT_MISSING', `${labels[file]}: ${unsignedHint}`);
    if (!present) continue;
    const bytes = await readFile(path);
    beside[file] = bytes;
    files.push({ path, contentType, bytes });
  }
  // A release must not carry one thing inside the bundle and another beside it.
  const mismatch = detachedMismatch(
    {
      ...(contents.attestationBytes ? { attestation: contents.attestationBytes } : {}),
      ...(contents.standardBytes ? { standard: contents.standardBytes } : {}),
    },
    beside,
  );
  if (mismatch)
    throw new GitHubError(
      'ATTACH_INPUT_INVALID',
      `${labels[mismatch.file]} (beside ${options.bundle}): ${mismatch.what}; nothing was attached (${signed ? 'sign again to write both' : 'remove it, or sign the bundle: evidence sign'})`,
    );
  if (options.verifier !== undefined) {
    if (!(await exists(options.verifier)))
      throw new GitHubError('ATTACH_INPUT_MISSING', `${VERIFIER_ASSET}: not found (run npm run build)`);
    files.push({ path: options.verifier, contentType: 'text/javascript' });
  }
  const assets: LocalAsset[] = [];
  for (const f of files) {
    // Published as compared: the read-back checks these digests, not a later read's.
    const { size: bytes, sha256 } = f.hashed ?? (await digestOf(f));
    assets.push({ name: basename(f.path), path: f.path, contentType: f.contentType, size: bytes, sha256 });
  }
  return { assets, signed };
}

/** Size and sha256 of a file to publish: of the bytes read to compare it, else of the file. */
async function digestOf(f: { path: string; bytes?: Buffer }): Promise<{ size: number; sha256: string }> {
  if (f.bytes) return { size: f.bytes.length, sha256: sha256Hex(f.bytes) };
  const h = await hashFile(f.path, ['sha256']);
  return { size: h.size, sha256: h.hex.sha256 };
}

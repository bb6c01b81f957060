import type { ByteProgress } from '../fs/progress.js';
import { placeFile, writeDirectoryAtomically } from '../fs/atomic.js';
import { destinationWithin, isEmptyOrAbsent } from '../fs/destination.js';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import pathApi, { join, resolve, win32 } from 'node:path';
import { digestHex } from '../core/digest.js';
import { VerifyError } from '../verifier/errors.js';
import type { IdentityPolicy } from '../verifier/identity-policy.js';
import type { Env } from '../core/env.js';
import type { Manifest } from '../core/manifest.js';
import { verify, type VerifyCommandReport } from './verify.js';
import { EXTRACT_RECORD, extractRecord, refuseRecordName } from '../verifier/extract-record.js';

export interface ExtractOptions {
  cwd: string;
  env?: Env;
  bundle: string;
  /** Directory to create; it must not exist or be empty. */
  output: string;
  /** As verify's: check the content only, and say so. */
  integrityOnly?: boolean;
  attestation?: string;
  trustedRoot?: string[];
  key?: string[];
  identity?: IdentityPolicy;
  /** As verify's: the most the bundle may declare in blobs. */
  maxBundleSize?: number;
  /** Told of the bytes read, for a progress display. */
  onBytes?: ByteProgress;
  /** The record's clock, and how it names the bundle (default: as given). */
  now?: () => Date;
  bundleName?: string;
}

export interface ExtractResult {
  report: VerifyCommandReport;
  /** Set when the bundle verified and its entries were written. */
  output?: string;
  files: string[];
  /** The record of how it was checked (EXTRACTED-FROM.json in `output`), when it was written. */
  record?: string;
  /** The manifest, when the bundle verified. */
  manifest?: Manifest;
}

/**
 * Writes each entry under its logical path, but only from a bundle that
 * verifies exactly as `verify` verifies it (signature and signer included,
 * unless integrity-only is asked for and then reported): blobs go to a
 * hidden staging directory beside the target while the bundle is read, and
 * the target appears (by rename) only after every check passed. A bundle
 * that fails leaves nothing behind. EXTRACTED-FROM.json says how it was checked.
 */
export async function extract(options: ExtractOptions): Promise<ExtractResult> {
  const target = resolve(options.cwd, options.output);
  if (!(await isEmptyOrAbsent(target)))
    throw new VerifyError('EXTRACT_TARGET_EXISTS', `${options.output}: already exists and is not an empty directory`, {
      path: options.output,
    });
  // An entry this system refuses while another accepts it (a name over 255 bytes) is named.
  const writeFailed = (e: unknown, entry?: string): VerifyError =>
    new VerifyError(
      'EXTRACT_WRITE_FAILED',
      `${options.output}: ${entry ? `entry '${entry}' ` : ''}cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      { path: entry ?? options.output, cause: e },
    );
  return writeDirectoryAtomically(
    target,
    async (staging, commit): Promise<ExtractResult> => {
      const blobDir = join(staging, '.blobs');
      await mkdir(blobDir, { recursive: true }).catch((e: unknown) => {
        throw writeFailed(e);
      });
      const { report, manifest } = await verify({
        cwd: options.cwd,
        env: options.env ?? {},
        bundle: options.bundle,
        ...(options.integrityOnly ? { integrityOnly: true } : {}),
        ...(options.attestation ? { attestation: options.attestation } : {}),
        ...(options.trustedRoot ? { trustedRoot: options.trustedRoot } : {}),
        ...(options.key ? { key: options.key } : {}),
        ...(options.identity ? { identity: options.identity } : {}),
        ...(options.maxBundleSize !== undefined ? { maxBundleSize: options.maxBundleSize } : {}),
        ...(options.onBytes ? { onBytes: options.onBytes } : {}),
        blobSink: (hex) => createWriteStream(join(blobDir, hex), { flags: 'wx' }),
      });
      if (!report.ok || !manifest) return { report, files: [] };
      refuseRecordName(manifest.entries);
      try {
        const files: string[] = [];
        const root = join(staging, 'tree');
        // Each staged blob is moved to its first entry's place and copied only for
        // further entries of the same digest: extraction needs the bundle's size on
        // disk once, not twice.
        const placed = new Map<string, string>();
        for (const entry of manifest.entries) {
          // The manifest schema already refuses unsafe paths; this is the second
          // lock, on this system's rules and on Windows' whatever this system is.
          const dest = destinationWithin(root, entry.path, pathApi);
          if (!dest || !destinationWithin('C:\\out', entry.path, win32))
            throw new VerifyError('EXTRACT_WRITE_FAILED', `entry path '${entry.path}' leaves the output directory`, {
              path: entry.path,
            });
          const hex = digestHex(entry.digest);
          const first = placed.get(hex);
          await placeFile(dest, first, join(blobDir, hex)).catch((e: unknown) => {
            throw writeFailed(e, entry.path);
          });
          if (!first) placed.set(hex, dest);
          files.push(entry.path);
        }
        await mkdir(root, { recursive: true });
        const record = extractRecord({ report, manifest, asked: options, at: (options.now ?? (() => new Date()))() });
        await writeFile(join(root, EXTRACT_RECORD), `${JSON.stringify(record, null, 2)}\n`, { flag: 'wx' });
        await commit(root);
        return { report, output: target, files, record: join(target, EXTRACT_RECORD), manifest };
      } catch (e) {
        throw e instanceof VerifyError ? e : writeFailed(e);
      }
    },
    writeFailed,
  );
}

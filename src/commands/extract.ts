import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { digestHex } from '../core/digest.js';
import { VerifyError } from '../verifier/errors.js';
import type { VerifyReport } from '../verifier/report.js';
import { verifyBundleIntegrity } from '../verifier/verify-bundle.js';
import { openBundle } from './open-bundle.js';

export interface ExtractOptions {
  cwd: string;
  bundle: string;
  /** Directory to create; it must not exist or be empty. */
  output: string;
}

export interface ExtractResult {
  report: VerifyReport;
  /** Set when the bundle verified and its entries were written. */
  output?: string;
  files: string[];
}

/**
 * Writes each entry under its logical path, but only from a bundle that
 * verifies: blobs go to a hidden staging directory beside the target while
 * the bundle is read, and the target appears (by rename) only after every
 * check passed. A bundle that fails leaves nothing behind.
 */
export async function extract(options: ExtractOptions): Promise<ExtractResult> {
  const target = resolve(options.cwd, options.output);
  await assertEmptyOrAbsent(target, options.output);
  const { stream } = await openBundle(options.cwd, options.bundle);
  const staging = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.partial`);
  const blobDir = join(staging, '.blobs');
  try {
    await mkdir(blobDir, { recursive: true });
    const { report, contents } = await verifyBundleIntegrity(stream, {
      blobSink: (hex) => createWriteStream(join(blobDir, hex), { flags: 'wx' }),
    });
    if (!report.ok || !contents.manifest) return { report, files: [] };
    const files: string[] = [];
    const root = join(staging, 'tree');
    for (const entry of contents.manifest.entries) {
      const dest = resolve(root, ...entry.path.split('/'));
      // The manifest schema already refuses unsafe paths; this is the second lock.
      const rel = relative(root, dest);
      if (rel.startsWith('..') || rel.split(sep).includes('..')) throw new VerifyError('EXTRACT_WRITE_FAILED', `entry path '${entry.path}' leaves the output directory`, { path: entry.path });
      await mkdir(dirname(dest), { recursive: true });
      await copyFile(join(blobDir, digestHex(entry.digest)), dest, 1 /* COPYFILE_EXCL */);
      files.push(entry.path);
    }
    await mkdir(root, { recursive: true });
    await removeIfEmptyDir(target);
    await rename(root, target);
    return { report, output: target, files };
  } catch (e) {
    if (e instanceof VerifyError) throw e;
    throw new VerifyError('EXTRACT_WRITE_FAILED', `${options.output}: cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { path: options.output, cause: e });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function assertEmptyOrAbsent(dir: string, label: string): Promise<void> {
  try {
    const info = await stat(dir);
    if (!info.isDirectory() || (await readdir(dir)).length > 0) {
      throw new VerifyError('EXTRACT_TARGET_EXISTS', `${label}: already exists and is not an empty directory`, { path: label });
    }
  } catch (e) {
    if (e instanceof VerifyError) throw e;
  }
}

async function removeIfEmptyDir(dir: string): Promise<void> {
  try {
    await rmdir(dir);
  } catch {
    // absent: nothing to remove
  }
}

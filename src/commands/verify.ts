import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { HASH_READ_CHUNK, hashStream } from '../core/hash-stream.js';
import { VerifyError } from '../verifier/errors.js';
import type { Check, VerifyReport } from '../verifier/report.js';
import { verifyBundleIntegrity, type SubjectToCheck } from '../verifier/verify-bundle.js';
import { openBundle } from './open-bundle.js';

export interface VerifyOptions {
  cwd: string;
  bundle: string;
  /** Check content only; the report says the signature was not checked. */
  integrityOnly?: boolean;
  /** Release artifacts to re-hash and find among the manifest's subjects. */
  subject?: string[];
}

export interface VerifyResult {
  report: VerifyReport & { bundle: VerifyReport['bundle'] & { path: string } };
}

export async function verify(options: VerifyOptions): Promise<VerifyResult> {
  const subjects = await hashArtifacts(options.cwd, options.subject ?? []);
  const { path, stream } = await openBundle(options.cwd, options.bundle);
  const { report, contents } = await verifyBundleIntegrity(stream, { subjects });
  if (!options.integrityOnly) {
    const signature = report.checks.find((c) => c.id === 'signature') as Check;
    Object.assign(signature, contents.attestationBytes
      ? { ok: false, skipped: false, code: 'SIGNATURE_UNVERIFIABLE', message: 'the bundle carries an attestation, but this build cannot verify signatures yet' }
      : { ok: false, skipped: false, code: 'SIGNATURE_MISSING', message: 'the bundle is not signed (use --integrity-only to check its content alone)' });
    report.mode = 'signed';
    report.ok = false;
  }
  return { report: { ...report, bundle: { path: options.bundle, ...report.bundle } } };
}

export async function hashArtifacts(cwd: string, files: string[]): Promise<SubjectToCheck[]> {
  return Promise.all(
    files.map(async (file) => {
      const path = resolve(cwd, file);
      try {
        if (!(await stat(path)).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
        const { hex } = await hashStream(createReadStream(path, { highWaterMark: HASH_READ_CHUNK }));
        return { file, digest: `sha256:${hex}` };
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') throw new VerifyError('SUBJECT_NOT_FOUND', `${file}: no such file`, { path: file, cause: e });
        throw new VerifyError('SUBJECT_UNREADABLE', `${file}: cannot be read (${code ?? (e as Error).message})`, { path: file, cause: e });
      }
    }),
  );
}

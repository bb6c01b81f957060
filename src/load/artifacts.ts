import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseChecksumList } from '../formats/checksums.js';
import { hashFile } from '../fs/hash-file.js';
import { SMALL_FILE_LIMITS, readSmallFile } from '../fs/small-file.js';
import { VerifyError } from '../verifier/errors.js';
import type { SubjectToCheck } from '../verifier/verify-bundle.js';

/** Release artifacts given with --subject, each re-hashed (sha256) to be found among the subjects. */
export async function hashArtifacts(cwd: string, files: string[]): Promise<SubjectToCheck[]> {
  return Promise.all(
    files.map(async (file) => {
      const path = resolve(cwd, file);
      try {
        if (!(await stat(path)).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
        const { hex } = await hashFile(path, ['sha256']);
        return { file, digest: `sha256:${hex.sha256}` };
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT')
          throw new VerifyError('SUBJECT_NOT_FOUND', `${file}: no such file`, { path: file, cause: e });
        throw new VerifyError('SUBJECT_UNREADABLE', `${file}: cannot be read (${code ?? (e as Error).message})`, {
          path: file,
          cause: e,
        });
      }
    }),
  );
}

/** The artifacts a sha256sum list names, each to be found among the subjects. */
export async function subjectsFromList(cwd: string, file: string | undefined): Promise<SubjectToCheck[]> {
  if (file === undefined) return [];
  const bytes = await readSmallFile(resolve(cwd, file), file, {
    what: 'a list of artifact digests',
    max: SMALL_FILE_LIMITS.checksums,
    notFound: (l) => new VerifyError('ARTIFACT_NOT_FOUND', `${l}: no such file`, { path: l }),
  });
  return parseChecksumList(bytes.toString('utf8'), file).map((l) => ({ file: l.name, digest: l.digest }));
}

/** An artifact an attestation is about: its sha256 and sha512. */
export async function hashArtifact(cwd: string, file: string): Promise<Record<string, string>> {
  const path = resolve(cwd, file);
  try {
    return (await hashFile(path, ['sha256', 'sha512'])).hex;
  } catch (e) {
    throw new VerifyError(
      'ARTIFACT_NOT_FOUND',
      `${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      { path: file },
    );
  }
}

/** Messages signed directly are read whole to be verified: bounded. */
const MAX_MESSAGE_ARTIFACT_BYTES = 1024 * 1024 * 1024;

/** An artifact verified by a message signature, read whole (the signature is over its bytes). */
export async function readMessageArtifact(cwd: string, file: string): Promise<Buffer> {
  return readSmallFile(resolve(cwd, file), file, {
    what: 'an artifact verified by a message signature',
    max: MAX_MESSAGE_ARTIFACT_BYTES,
    notFound: (l) => new VerifyError('ARTIFACT_NOT_FOUND', `${l}: no such file`, { path: l }),
  });
}

import { resolve } from 'node:path';
import { FileError, SMALL_FILE_LIMITS, readSmallFile } from '../fs/small-file.js';
import { VerifyError } from '../verifier/errors.js';
import type { VerificationKeyInput } from '../verifier/sigstore-bundle.js';

/** The public keys (PEM) given with --key, each read with its cap. */
export async function readKeys(cwd: string, files: string[] | undefined): Promise<VerificationKeyInput[]> {
  return Promise.all(
    (files ?? []).map(async (f) => {
      try {
        return {
          label: f,
          pem: (
            await readSmallFile(resolve(cwd, f), f, {
              what: 'a public key',
              max: SMALL_FILE_LIMITS.key,
              notFound: (l) => new VerifyError('KEY_NOT_FOUND', `${l}: no such file`, { path: l }),
            })
          ).toString('utf8'),
        };
      } catch (e) {
        if (e instanceof VerifyError || e instanceof FileError) throw e;
        throw new VerifyError(
          'KEY_NOT_FOUND',
          `${f}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
          { path: f },
        );
      }
    }),
  );
}

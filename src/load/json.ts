import { parseJsonStrict } from '../core/strict-json.js';
import { SMALL_FILE_LIMITS, readSmallFile } from '../fs/small-file.js';
import { VerifyError } from '../verifier/errors.js';

/** A small JSON input (an attestation or a trusted root), read with its cap and strictly parsed. */
export async function readJsonFile(
  path: string,
  label: string,
  codes: {
    missing: 'ATTESTATION_NOT_FOUND' | 'TRUSTED_ROOT_NOT_FOUND';
    bad: 'ATTESTATION_UNREADABLE' | 'TRUSTED_ROOT_INVALID';
  },
): Promise<unknown> {
  return (await readJsonBytes(path, label, codes)).json;
}

/** readJsonFile, with the bytes it parsed (to digest the very bytes read). */
export async function readJsonBytes(
  path: string,
  label: string,
  codes: Parameters<typeof readJsonFile>[2],
): Promise<{ json: unknown; bytes: Buffer }> {
  const attestation = codes.missing === 'ATTESTATION_NOT_FOUND';
  const bytes = await readSmallFile(path, label, {
    what: attestation ? 'an attestation' : 'a trusted root',
    max: attestation ? SMALL_FILE_LIMITS.attestation : SMALL_FILE_LIMITS.trustedRoot,
    notFound: (l) => new VerifyError(codes.missing, `${l}: no such file`, { path: l }),
  });
  try {
    return { json: parseJsonStrict(bytes), bytes };
  } catch (e) {
    throw new VerifyError(codes.bad, `${label}: not valid JSON (${(e as Error).message})`, { path: label });
  }
}

import { stat } from 'node:fs/promises';
import { FileError, SMALL_FILE_LIMITS, readSmallFile } from '../fs/small-file.js';
import { parseJsonStrict } from '../core/strict-json.js';
import type { Env } from '../core/env.js';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { VerifyError } from '../verifier/errors.js';
import { anchored, type IdentityPolicy } from '../verifier/identity-policy.js';
import { PUBLIC_GOOD_SOURCE, PUBLIC_GOOD_TRUSTED_ROOT } from '../verifier/public-good.js';
import type { VerificationKeyInput } from '../verifier/sigstore-bundle.js';
import { isTrustRootProblem, loadTrustRoot, type LoadedTrustRoot } from '../verifier/trusted-root.js';

/** Where `evidence trust-root update` keeps a refreshed public-good root. */
export function refreshedRootPath(env: Env): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'evidence', 'trusted_root.json');
}

export async function readJsonFile(
  path: string,
  label: string,
  codes: {
    missing: 'ATTESTATION_NOT_FOUND' | 'TRUSTED_ROOT_NOT_FOUND';
    bad: 'ATTESTATION_UNREADABLE' | 'TRUSTED_ROOT_INVALID';
  },
): Promise<unknown> {
  const attestation = codes.missing === 'ATTESTATION_NOT_FOUND';
  const bytes = await readSmallFile(path, label, {
    what: attestation ? 'an attestation' : 'a trusted root',
    max: attestation ? SMALL_FILE_LIMITS.attestation : SMALL_FILE_LIMITS.trustedRoot,
    notFound: (l) => new VerifyError(codes.missing, `${l}: no such file`, { path: l }),
  });
  try {
    return parseJsonStrict(bytes);
  } catch (e) {
    throw new VerifyError(codes.bad, `${label}: not valid JSON (${(e as Error).message})`, { path: label });
  }
}

/**
 * The trusted roots to verify with: the files given, else a root refreshed
 * by `evidence trust-root update`, else the public-good root in the package.
 */
export async function resolveTrustRoots(
  cwd: string,
  files: string[] | undefined,
  env: Env,
): Promise<LoadedTrustRoot[]> {
  const inputs: { source: string; json: unknown }[] = [];
  if (files && files.length > 0) {
    for (const f of files)
      inputs.push({
        source: f,
        json: await readJsonFile(resolve(cwd, f), f, {
          missing: 'TRUSTED_ROOT_NOT_FOUND',
          bad: 'TRUSTED_ROOT_INVALID',
        }),
      });
  } else {
    const refreshed = refreshedRootPath(env);
    const present = await stat(refreshed).then(
      () => true,
      () => false,
    );
    if (present)
      inputs.push({
        source: `${refreshed} (refreshed public-good)`,
        json: await readJsonFile(refreshed, refreshed, {
          missing: 'TRUSTED_ROOT_NOT_FOUND',
          bad: 'TRUSTED_ROOT_INVALID',
        }),
      });
    else inputs.push({ source: PUBLIC_GOOD_SOURCE, json: PUBLIC_GOOD_TRUSTED_ROOT });
  }
  return inputs.map((input) => {
    const loaded = loadTrustRoot(input);
    if (isTrustRootProblem(loaded))
      throw new VerifyError('TRUSTED_ROOT_INVALID', `${loaded.source}: ${loaded.message}`, { path: loaded.source });
    return loaded;
  });
}

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

/** Refuses regular expressions that do not compile, before anything is read. */
export function checkPolicyOptions(policy: IdentityPolicy): void {
  for (const [name, value] of [
    ['--certificate-identity-regexp', policy.certificateIdentityRegexp],
    ['--certificate-oidc-issuer-regexp', policy.certificateOidcIssuerRegexp],
  ] as const) {
    if (value === undefined) continue;
    try {
      anchored(value);
    } catch (e) {
      throw new VerifyError('INVALID_OPTION', `${name}: not a valid regular expression (${(e as Error).message})`);
    }
  }
}

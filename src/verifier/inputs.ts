import { VerifyError } from './errors.js';
import { anchored, hasIdentityConstraint, identityNotPinned, type IdentityPolicy } from './identity-policy.js';
import { PUBLIC_GOOD_SOURCE, PUBLIC_GOOD_TRUSTED_ROOT } from './public-good.js';
import { isTrustRootProblem, loadTrustRoot, type LoadedTrustRoot, type TrustRootInput } from './trusted-root.js';

/**
 * What a verification is given, decided without reading a file: the options
 * checked, and which trusted roots apply. src/load reads the files these name.
 */

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

/**
 * For the commands that state what many releases' evidence shows (audit, index): the signer identity given must say
 * who signed (identityNotPinned). A pattern that matches anyone would make every release "hold" and every indexed row
 * "verified" by whoever holds a Sigstore certificate; verify of one bundle says SIGNER NOT PINNED instead.
 */
export function requirePinnedSigner(policy: IdentityPolicy, command: string): void {
  const loose = hasIdentityConstraint(policy) ? identityNotPinned(policy) : undefined;
  if (loose)
    throw new VerifyError(
      'IDENTITY_POLICY_REQUIRED',
      `${command} holds every release to one signer, and ${loose}: name who signed (--signer-workflow, --source-repository, or a pattern that names the owner, such as ^https://github\\.com/acme/.*) or give --key`,
    );
}

/** `--digest sha256:<64 hex>` or `sha512:<128 hex>`, as `{ alg: lowercase hex }`. */
export function parseDigestOption(value: string): Record<string, string> {
  const m = /^(sha256|sha512):([0-9a-fA-F]+)$/.exec(value);
  const lengths: Record<string, number> = { sha256: 64, sha512: 128 };
  if (!m || (m[2] as string).length !== lengths[m[1] as string])
    throw new VerifyError('INVALID_OPTION', `--digest: '${value}' is not sha256:<64 hex> or sha512:<128 hex>`);
  return { [m[1] as string]: (m[2] as string).toLowerCase() };
}

/** A trusted root file to read: the file (relative to the working directory, or absolute), and how it is reported. */
export interface TrustRootFile {
  file: string;
  source: string;
}

/**
 * Which trusted roots apply: the files given, else the root refreshed by
 * `evidence trust-root update` (`refreshed`, when that file is there, labelled
 * by the record of its origin: refreshedRootLabel), else none to read: the
 * public-good root in the package (`publicGoodRoot`).
 */
export function trustRootFiles(
  given: readonly string[] | undefined,
  refreshed: TrustRootFile | undefined,
): TrustRootFile[] {
  if (given && given.length > 0) return given.map((f) => ({ file: f, source: f }));
  if (refreshed !== undefined) return [refreshed];
  return [];
}

/** The public-good trusted root embedded in the package. */
export function publicGoodRoot(): TrustRootInput {
  return { source: PUBLIC_GOOD_SOURCE, json: PUBLIC_GOOD_TRUSTED_ROOT };
}

/** Trusted roots as read, each loaded; the first that cannot be used is refused (TRUSTED_ROOT_INVALID). */
export function loadTrustRoots(inputs: readonly TrustRootInput[]): LoadedTrustRoot[] {
  return inputs.map((input) => {
    const loaded = loadTrustRoot(input);
    if (isTrustRootProblem(loaded))
      throw new VerifyError('TRUSTED_ROOT_INVALID', `${loaded.source}: ${loaded.message}`, { path: loaded.source });
    return loaded;
  });
}

/** fetch verifies what it downloads: a signer to check, or downloadOnly, is required. */
export function requireSignerOrDownloadOnly(options: { verify?: unknown; downloadOnly?: boolean }): void {
  if (!options.verify && !options.downloadOnly) {
    throw new VerifyError(
      'IDENTITY_POLICY_REQUIRED',
      'fetch verifies what it downloads: name the signer (--certificate-identity and --certificate-oidc-issuer, or --key), or say --download-only',
    );
  }
}

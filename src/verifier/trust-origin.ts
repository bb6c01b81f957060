/**
 * Where a refreshed trusted root came from, as `evidence trust-root update` records it beside the root
 * (NAME.origin.json), and how verify labels the root by that record. Pure: the record and the root's digest are read
 * by src/load/trust.ts. A label says "public-good" only when the record says the root came from public-good's TUF
 * repository, checked from the TUF root embedded in @sigstore/tuf, and the record is of the file verify reads; and it
 * says the record is not signed (whoever writes the folder writes both): where the root came from, as recorded.
 */
import { VerifyError } from './errors.js';

/** Sigstore's public-good TUF repository. */
export const PUBLIC_GOOD_TUF = 'https://tuf-repo-cdn.sigstore.dev';

/** The TUF root a run started from when none was given: the one embedded in @sigstore/tuf for public-good. */
export const EMBEDDED_TUF_ROOT = 'embedded';

export const TRUST_ROOT_ORIGIN_FORMAT = 'evidence-trust-root-origin/1';

export interface TrustRootOrigin {
  format: typeof TRUST_ROOT_ORIGIN_FORMAT;
  /** The TUF repository, without credentials. */
  mirror: string;
  /** `sha256:<hex>` of the TUF root.json it started from (--tuf-root), or `embedded`. */
  tufRoot: string;
  /** `sha256:<hex>` of the trusted root written beside this record. */
  trustedRoot: string;
  /** When it was written (ISO 8601). */
  updatedAt: string;
}

/** Whether a TUF repository is public-good's (its URL, whatever trailing slashes). */
export function isPublicGoodMirror(mirror: string | undefined): boolean {
  return mirror === undefined || mirror.replace(/\/+$/, '') === PUBLIC_GOOD_TUF;
}

/** Whether a refresh starts from public-good's own TUF root and repository: the only one labelled public-good. */
export function isPublicGoodRefresh(options: { mirrorUrl?: string; tufRoot?: string }): boolean {
  return isPublicGoodMirror(options.mirrorUrl) && options.tufRoot === undefined;
}

/**
 * How verify names the refreshed root at `path` (whose bytes have sha256 `digest`, `sha256:<hex>`), from the record
 * beside it (undefined when there is none): in text, JSON and every report, as the trusted root's source.
 */
export function refreshedRootLabel(path: string, digest: string, record: unknown): string {
  if (record === undefined) return `${path} (refreshed, origin not recorded)`;
  const r = record as Partial<TrustRootOrigin>;
  if (
    r === null ||
    typeof r !== 'object' ||
    r.format !== TRUST_ROOT_ORIGIN_FORMAT ||
    typeof r.mirror !== 'string' ||
    typeof r.tufRoot !== 'string'
  )
    return `${path} (refreshed, origin not recorded: the record beside it is not one)`;
  if (r.trustedRoot !== digest)
    return `${path} (refreshed, origin not recorded: the record beside it is of another file)`;
  if (r.tufRoot === EMBEDDED_TUF_ROOT && isPublicGoodMirror(r.mirror))
    // The record is not signed: it says where trust-root update got the root, not that the root is public-good's.
    return `${path} (recorded as refreshed from public-good, ${PUBLIC_GOOD_TUF}; the record is not signed)`;
  return `${path} (refreshed from ${r.mirror}, TUF root ${r.tufRoot}: not public-good)`;
}

/** The record written beside a refreshed root. */
export function originRecord(options: {
  mirror: string;
  tufRootDigest?: string;
  trustedRootDigest: string;
  now: Date;
}): TrustRootOrigin {
  return {
    format: TRUST_ROOT_ORIGIN_FORMAT,
    mirror: options.mirror.replace(/\/+$/, ''),
    tufRoot: options.tufRootDigest ?? EMBEDDED_TUF_ROOT,
    trustedRoot: options.trustedRootDigest,
    updatedAt: options.now.toISOString(),
  };
}

/**
 * A root from any TUF repository but public-good's, started from its own root, is not written where verify and keyless
 * signing look by default unless that output is asked for (-o): a private root must not take over every later verify
 * and sign of the account without saying so.
 */
export function requireOutputForOtherMirror(options: { mirrorUrl?: string; tufRoot?: string; output?: string }): void {
  if (options.output !== undefined || isPublicGoodRefresh(options)) return;
  throw new VerifyError(
    'TRUST_ROOT_OUTPUT_REQUIRED',
    `${options.mirrorUrl !== undefined && !isPublicGoodMirror(options.mirrorUrl) ? '--mirror-url' : '--tuf-root'}: a root from a TUF repository other than public-good's (or from a TUF root of your own) is written only where -o says: by default verify would use it, and keyless sign its signing configs, for every bundle (give -o FILE; -o ~/.config/evidence/trusted_root.json makes it that default on purpose)`,
  );
}

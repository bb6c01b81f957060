import { TrustedRoot } from '@sigstore/protobuf-specs';
import { isRfc3339 } from '../core/time.js';

/**
 * A trusted root (Sigstore's trusted_root.json) as the verifier uses it. The
 * caller reads the file; nothing here touches the disk or the network.
 */
export interface TrustRootInput {
  /** Where it came from, for the report: a path, or "public-good (embedded)". */
  source: string;
  json: unknown;
}

export interface LoadedTrustRoot {
  source: string;
  root: TrustedRoot;
  /** The newest validFor.start among its authorities: how current the root is. */
  date?: string;
}

export type TrustRootProblem = { source: string; message: string };

/**
 * Parses a trusted root and refuses what @sigstore/verify would quietly
 * accept: a log or authority key without a validity start (it would be
 * trusted from the beginning of time).
 */
export function loadTrustRoot(input: TrustRootInput): LoadedTrustRoot | TrustRootProblem {
  const json = input.json as Record<string, unknown> | null;
  if (
    !json ||
    typeof json !== 'object' ||
    typeof json.mediaType !== 'string' ||
    !json.mediaType.startsWith('application/vnd.dev.sigstore.trustedroot')
  ) {
    return {
      source: input.source,
      message: 'not a Sigstore trusted root (mediaType application/vnd.dev.sigstore.trustedroot+json…)',
    };
  }
  const missing: string[] = [];
  const starts: string[] = [];
  const check = (list: unknown, name: string, path: (x: Record<string, unknown>) => unknown): void => {
    if (list === undefined) return;
    if (!Array.isArray(list)) {
      missing.push(`${name} is not a list`);
      return;
    }
    list.forEach((item, i) => {
      const start = (path(item as Record<string, unknown>) as { start?: unknown } | undefined)?.start;
      if (typeof start !== 'string' || !isRfc3339(start)) missing.push(`${name}[${i}] has no validFor.start`);
      else starts.push(start);
    });
  };
  check(json.tlogs, 'tlogs', (x) => (x.publicKey as Record<string, unknown> | undefined)?.validFor);
  check(json.ctlogs, 'ctlogs', (x) => (x.publicKey as Record<string, unknown> | undefined)?.validFor);
  check(json.certificateAuthorities, 'certificateAuthorities', (x) => x.validFor);
  check(json.timestampAuthorities, 'timestampAuthorities', (x) => x.validFor);
  if (missing.length > 0) return { source: input.source, message: missing.join('; ') };
  let root: TrustedRoot;
  try {
    root = TrustedRoot.fromJSON(json);
  } catch (e) {
    return { source: input.source, message: `not a valid trusted root (${(e as Error).message})` };
  }
  const date = starts.sort().at(-1);
  return { source: input.source, root, ...(date ? { date } : {}) };
}

export function isTrustRootProblem(x: LoadedTrustRoot | TrustRootProblem): x is TrustRootProblem {
  return 'message' in x;
}

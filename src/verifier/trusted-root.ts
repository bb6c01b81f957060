import { TrustedRoot } from '@sigstore/protobuf-specs';
import { sha256Hex } from '../core/digest.js';
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

/** Roots loaded before, by the sha256 of their source and JSON text: the same root is the same object (loadTrustRoot). */
const byText = new Map<string, LoadedTrustRoot>();
/** Trusted roots a run names (a few): at most this many are kept by their text. */
const MAX_ROOTS = 8;

/**
 * Parses a trusted root and refuses what @sigstore/verify would quietly
 * accept: a log or authority key without a validity start (it would be
 * trusted from the beginning of time). A root loaded before (the same text
 * from the same source, by its sha256; never one holding a number JSON
 * cannot write, such as 1e400 read as Infinity, which JSON.stringify would
 * write as null) is the object loaded then,
 * so that its parsed material (trust-material.ts, by root) is made once per
 * run: an audit of 500 releases parsed every certificate of the public-good
 * root for each, 0.2 MB a release left to the garbage collector (issue 28).
 */
export function loadTrustRoot(input: TrustRootInput): LoadedTrustRoot | TrustRootProblem {
  let text: string | undefined;
  try {
    // A number JSON cannot write (1e400 read as Infinity) would be written as null: such a root is never cached.
    let exact = true;
    const json = JSON.stringify(input.json, (_k, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) exact = false;
      return v;
    });
    text = exact ? sha256Hex(Buffer.from(`${input.source}\0${json}`)) : undefined;
  } catch {
    text = undefined; // not JSON (a cycle, a BigInt): read as it is, and refused below
  }
  const loaded = (text !== undefined && byText.get(text)) || parseTrustRoot(input);
  if (isTrustRootProblem(loaded)) return loaded;
  if (text !== undefined) {
    if (byText.size >= MAX_ROOTS) byText.clear();
    byText.set(text, loaded);
  }
  return loaded;
}

function parseTrustRoot(input: TrustRootInput): LoadedTrustRoot | TrustRootProblem {
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

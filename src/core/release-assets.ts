import { basename } from 'node:path';
import { canonicalize } from './canonical-json.js';

/**
 * A release's evidence as the files published beside it (a GitHub release's
 * assets): the bundle NAME.tar.gz (or NAME.tgz) and, beside it,
 * NAME.sigstore.json (its attestation), NAME.intoto.jsonl (the DSSE envelope
 * alone), NAME.sigstore.jsonl (every Sigstore bundle of the signing, ours
 * first) and, optionally, the one-file verifier. Pure: names and bytes only.
 */
export const BUNDLE_ASSET = /\.(tar\.gz|tgz)$/;

/** The one-file verifier's asset name (attach --with-verifier). */
export const VERIFIER_ASSET = 'evidence-verify.mjs';

export function isBundleAsset(name: string): boolean {
  return BUNDLE_ASSET.test(name);
}

/** NAME of NAME.tar.gz or NAME.tgz (a name without either ending is its own stem). */
export function bundleStem(name: string): string {
  return name.replace(BUNDLE_ASSET, '');
}

/** The names of the files published beside the bundle NAME.tar.gz, from NAME. */
export function detachedNames(stem: string): { sigstore: string; intoto: string; sigstoreJsonl: string } {
  return { sigstore: `${stem}.sigstore.json`, intoto: `${stem}.intoto.jsonl`, sigstoreJsonl: `${stem}.sigstore.jsonl` };
}

/**
 * Asset names come from the server: only a plain file name (no directory, not hidden, no backslash) may become a path.
 */
export function isPlainFileName(name: string): boolean {
  return !(name !== basename(name) || name === '.' || name === '..' || name.includes('\\') || name.startsWith('.'));
}

export type BundleChoice<A extends { name: string }> =
  /** The bundle, and the files beside it that the release has. */
  | { state: 'found'; bundle: A; stem: string; sigstore?: A; intoto?: A; sigstoreJsonl?: A }
  /** No bundle (of that name, when one was given). */
  | { state: 'missing' }
  /** Several bundles compete: which one must be named. */
  | { state: 'ambiguous'; bundles: A[] };

export interface ChooseBundleOptions {
  /** The bundle's asset name or its stem (--name). */
  name?: string;
  /**
   * Which bundles compete. `signed` (fetch, the default): without a name,
   * only bundles with NAME.sigstore.json beside them; a name takes the first
   * bundle of that stem, signed or not. `all` (audit): every bundle (of that
   * stem, when named), whatever lies beside it, so that an uploader cannot
   * choose by adding or removing a signature file; more than one is ambiguous,
   * named or not.
   */
  among?: 'signed' | 'all';
}

/**
 * The one rule for which of a release's assets is its evidence bundle, and
 * which of the files beside it belong to it.
 */
export function chooseBundleAsset<A extends { name: string }>(
  assets: readonly A[],
  options: ChooseBundleOptions = {},
): BundleChoice<A> {
  const named = (a: A): boolean => options.name === undefined || bundleStem(a.name) === bundleStem(options.name);
  const hasSigstore = (a: A): boolean => assets.some((s) => s.name === detachedNames(bundleStem(a.name)).sigstore);
  const bundles = assets.filter((a) => isBundleAsset(a.name) && named(a));
  let candidates: A[];
  if (options.among === 'all') candidates = bundles;
  else if (options.name !== undefined) candidates = bundles.slice(0, 1);
  else candidates = bundles.filter(hasSigstore);
  if (candidates.length === 0) return { state: 'missing' };
  if (candidates.length > 1) return { state: 'ambiguous', bundles: candidates };
  const bundle = candidates[0] as A;
  const stem = bundleStem(bundle.name);
  const names = detachedNames(stem);
  const find = (name: string): A | undefined => assets.find((a) => a.name === name);
  const [sigstore, intoto, sigstoreJsonl] = [find(names.sigstore), find(names.intoto), find(names.sigstoreJsonl)];
  return {
    state: 'found',
    bundle,
    stem,
    ...(sigstore ? { sigstore } : {}),
    ...(intoto ? { intoto } : {}),
    ...(sigstoreJsonl ? { sigstoreJsonl } : {}),
  };
}

// --- Do the files beside the bundle match it? --------------------------------

/** Whether the first line of JSON lines is, byte for byte, the other file (its trailing newline aside). */
export function firstLineIs(lines: Buffer, one: Buffer): boolean {
  const end = lines.indexOf(0x0a);
  const first = end === -1 ? lines : lines.subarray(0, end);
  const single = one.at(-1) === 0x0a ? one.subarray(0, -1) : one;
  return first.equals(single);
}

/** Whether JSON lines, after their first line, are exactly `rest`. */
export function restIs(lines: Buffer, rest: Buffer): boolean {
  const end = lines.indexOf(0x0a);
  return (end === -1 ? Buffer.alloc(0) : lines.subarray(end + 1)).equals(rest);
}

/** Whether NAME.intoto.jsonl is one line, the DSSE envelope of NAME.sigstore.json (compared canonically). */
export function envelopesMatch(sigstoreJson: string, intotoJsonl: string): boolean {
  try {
    const bundle = JSON.parse(sigstoreJson) as { dsseEnvelope?: unknown };
    const lines = intotoJsonl.split('\n').filter((l) => l.trim());
    if (lines.length !== 1 || bundle.dsseEnvelope === undefined) return false;
    return canonicalize(JSON.parse(lines[0] as string)) === canonicalize(bundle.dsseEnvelope);
  } catch {
    return false;
  }
}

/** A file published beside a bundle that is not what the bundle holds: which one, and what differs. */
export interface DetachedMismatch {
  file: 'sigstore' | 'intoto' | 'sigstoreJsonl';
  what: string;
}

/**
 * The rule for the files attach publishes beside a bundle: NAME.sigstore.json is, byte for byte, the attestation the bundle holds; NAME.intoto.jsonl is its DSSE
 * envelope (envelopesMatch); NAME.sigstore.jsonl is that attestation's line then exactly the standard statements the
 * bundle holds. A bundle that holds no attestation has nothing beside it: any such file is another signing's. Only the
 * files given are compared (`beside` leaves out those absent); the first that differs is returned. fetch holds the
 * files it downloads to the same comparisons (envelopesMatch, firstLineIs, restIs), against NAME.sigstore.json rather
 * than the bundle's inside: a release may carry its signature only beside the bundle.
 */
export function detachedMismatch(
  inside: { attestation?: Buffer; standard?: Buffer },
  beside: { sigstore?: Buffer; intoto?: Buffer; sigstoreJsonl?: Buffer },
): DetachedMismatch | undefined {
  const { attestation } = inside;
  if (!attestation) {
    for (const file of ['sigstore', 'intoto', 'sigstoreJsonl'] as const)
      if (beside[file])
        return { file, what: 'the bundle holds no attestation (it is unsigned): this is another signing' };
    return undefined;
  }
  if (beside.sigstore && !beside.sigstore.equals(attestation))
    return { file: 'sigstore', what: 'not the attestation the bundle holds (attestations/evidence.sigstore.json)' };
  if (beside.intoto && !envelopesMatch(attestation.toString('utf8'), beside.intoto.toString('utf8')))
    return { file: 'intoto', what: "not the DSSE envelope of the bundle's attestation (one line, that envelope)" };
  const jsonl = beside.sigstoreJsonl;
  if (jsonl && !firstLineIs(jsonl, attestation))
    return { file: 'sigstoreJsonl', what: "its first line is not the bundle's attestation" };
  if (jsonl && !restIs(jsonl, inside.standard ?? Buffer.alloc(0)))
    return {
      file: 'sigstoreJsonl',
      what: 'after its first line, it is not the standard statements the bundle holds (attestations/standard.sigstore.jsonl)',
    };
  return undefined;
}

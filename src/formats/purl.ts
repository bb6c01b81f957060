/**
 * Package URLs (https://github.com/package-url/purl-spec), read by `packageurl-js` and compared by the purl
 * specification's rules, as VEX matching needs them:
 *
 * - the type is compared lower-case;
 * - namespace and name are compared after percent-decoding and the per-type normalisation the specification gives
 *   and `packageurl-js` applies (pypi names lower-cased with `_` read as `-`, npm, github and bitbucket names
 *   lower-cased, …);
 * - a statement's purl without a version covers every version of its package; with one, the versions must be the same
 *   string once decoded (`v2.7.1%2Bincompatible` is `v2.7.1+incompatible`). Versions are not otherwise normalised:
 *   `1.0` and `1.0.0` are different versions, as no type's specification says they are one;
 * - every qualifier the statement's purl gives must be in the other purl with the same value (that one may have
 *   more), and so must its subpath when it gives one.
 *
 * A purl that does not parse matches nothing.
 */
import { PackageURL } from 'packageurl-js';

/** A purl read and normalised by packageurl-js, or undefined when the text is not one (never throws). */
export function parsePurl(s: string): PackageURL | undefined {
  if (typeof s !== 'string') return undefined;
  try {
    return PackageURL.fromString(s);
  } catch {
    return undefined;
  }
}

/**
 * Parsed purls, kept for the comparisons of one VEX application (the same few purls are compared again and again).
 * Bounded: emptied when full. The objects never leave this module, so nobody can change them.
 */
const CACHE_LIMIT = 10_000;
const cache = new Map<string, PackageURL | null>();

function cachedParse(s: string): PackageURL | undefined {
  const hit = cache.get(s);
  if (hit !== undefined) return hit ?? undefined;
  const parsed = parsePurl(s);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(s, parsed ?? null);
  return parsed;
}

/** Whether a VEX statement's purl covers a finding's purl by the purl specification's comparison rules. */
export function purlMatches(statementPurl: string, findingPurl: string): boolean {
  const a = cachedParse(statementPurl);
  const b = cachedParse(findingPurl);
  if (!a || !b) return false;
  if (a.type.toLowerCase() !== b.type.toLowerCase()) return false;
  if ((a.namespace ?? '') !== (b.namespace ?? '')) return false;
  if (a.name !== b.name) return false;
  if (a.version !== undefined && a.version !== '' && a.version !== b.version) return false;
  for (const [key, value] of Object.entries(a.qualifiers ?? {})) {
    if (b.qualifiers?.[key] !== value) return false;
  }
  if (a.subpath !== undefined && a.subpath !== '' && a.subpath !== b.subpath) return false;
  return true;
}

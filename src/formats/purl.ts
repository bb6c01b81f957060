/**
 * Package URLs (https://github.com/package-url/purl-spec), read by `packageurl-js` and compared by the purl
 * specification's rules, as VEX matching and the merging of findings need them:
 *
 * - the type is compared lower-case;
 * - namespace and name are compared after percent-decoding and the per-type normalisation the specification gives
 *   and `packageurl-js` applies (pypi names lower-cased with `_` read as `-`, npm, github and bitbucket names
 *   lower-cased, …);
 * - a statement's purl without a version covers every version of its package; with one, the versions must be the same
 *   string once decoded (`v2.7.1%2Bincompatible` is `v2.7.1+incompatible`). Versions are not otherwise normalised
 *   (`1.0` and `1.0.0` are different versions, as no type's specification says they are one), with one exception the
 *   ecosystem defines: a Go module's version is `v` followed by a semantic version, so `pkg:golang/…@1.2.3` (as
 *   OSV-Scanner writes it) is read as `@v1.2.3` (as Trivy and Grype write it);
 * - every qualifier the statement's purl gives must be in the other purl with the same value (that one may have
 *   more), and so must its subpath when it gives one.
 *
 * A purl that does not parse matches nothing. Parsed purls are kept by a `PurlReader`, one per piece of work (a VEX
 * application, a merge), so that memory follows that work's input and nothing is shared between calls.
 */
import { PackageURL } from 'packageurl-js';

/** A purl read and normalised by packageurl-js, or undefined when the text is not one (never throws). */
export function parsePurl(s: string): PackageURL | undefined {
  if (typeof s !== 'string') return undefined;
  try {
    const p = PackageURL.fromString(s);
    if (p.type.toLowerCase() === 'golang' && p.version !== undefined && /^\d+\.\d+\.\d+/.test(p.version)) {
      p.version = `v${p.version}`;
    }
    return p;
  } catch {
    return undefined;
  }
}

/**
 * Parsed purls for one piece of work: each text parsed once. With `limit`, a reader kept across many pieces (the
 * index's writer, over every release of a run: most components recur) forgets what it read once it holds that many.
 */
export class PurlReader {
  readonly #parsed = new Map<string, PackageURL | null>();
  readonly #limit: number;

  constructor(limit = Number.POSITIVE_INFINITY) {
    this.#limit = limit;
  }

  read(s: string): PackageURL | undefined {
    const hit = this.#parsed.get(s);
    if (hit !== undefined) return hit ?? undefined;
    const parsed = parsePurl(s);
    if (this.#parsed.size >= this.#limit) this.#parsed.clear();
    this.#parsed.set(s, parsed ?? null);
    return parsed;
  }

  /** The package a purl names, whatever its version, qualifiers and subpath: `type/namespace/name`, normalised. */
  packageKey(s: string): string | undefined {
    const p = this.read(s);
    return p && `${p.type.toLowerCase()}/${p.namespace ?? ''}/${p.name}`;
  }

  /** The purl in its normalised form (what two spellings of one purl share), or undefined when it does not parse. */
  canonical(s: string): string | undefined {
    const p = this.read(s);
    if (!p) return undefined;
    try {
      return p.toString();
    } catch {
      return undefined;
    }
  }

  /** Whether a VEX statement's purl covers a finding's purl by the purl specification's comparison rules. */
  matches(statementPurl: string, findingPurl: string): boolean {
    const a = this.read(statementPurl);
    const b = this.read(findingPurl);
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
}

/** Whether a VEX statement's purl covers a finding's purl (one comparison; `PurlReader` for many). */
export function purlMatches(statementPurl: string, findingPurl: string): boolean {
  return new PurlReader().matches(statementPurl, findingPurl);
}

/** An OCI digest as a purl's version: `sha256:` and 64 hex digits, or `sha512:` and 128. */
export function isImageDigest(version: string): boolean {
  return /^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/.test(version);
}

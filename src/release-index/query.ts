/**
 * `evidence query`'s options as one question to the index (sql.ts's IndexQuery): exactly one of `--purl`, `--cve`,
 * `--digest`, `--license`, `--missing`, `--control`, narrowed by `--product`. Pure: a purl is read as the purl
 * specification writes it (so the index's normalised purls are found), and a period's dates become instants.
 */
import { EvidenceError } from '../core/error.js';
import { collectedKinds, isCollectedKind } from '../core/summaries.js';
import { endBound, startBound } from '../core/time.js';
import { PurlReader } from '../formats/purl.js';
import type { IndexQuery } from './sql.js';

export class IndexQueryError extends EvidenceError<'INDEX_QUERY_INVALID'> {
  constructor(message: string) {
    super('IndexQueryError', 'INDEX_QUERY_INVALID', message);
  }
}

export interface QueryOptions {
  purl?: string;
  cve?: string;
  digest?: string;
  license?: string;
  missing?: string;
  control?: string;
  since?: string;
  until?: string;
  product?: string;
}

const QUESTIONS = ['purl', 'cve', 'digest', 'license', 'missing', 'control'] as const;

/** The one question the options ask; INDEX_QUERY_INVALID naming the option when they ask none, several, or badly. */
export function indexQuestion(o: QueryOptions): IndexQuery & { product?: string } {
  const asked = QUESTIONS.filter((q) => o[q] !== undefined);
  if (asked.length !== 1)
    throw new IndexQueryError(
      `ask one question: one of ${QUESTIONS.map((q) => `--${q}`).join(', ')} (${asked.length ? `given ${asked.map((q) => `--${q}`).join(' and ')}` : 'none given'})`,
    );
  if ((o.since !== undefined || o.until !== undefined) && o.control === undefined)
    throw new IndexQueryError('--since and --until narrow --control only');
  const product = o.product === undefined ? {} : { product: o.product };
  const text = (flag: string, v: string | undefined): string => {
    if (v === undefined || v.trim() === '') throw new IndexQueryError(`${flag}: empty`);
    return v.trim();
  };
  if (o.purl !== undefined) {
    const purls = new PurlReader();
    const canonical = purls.canonical(o.purl);
    const parsed = purls.read(o.purl);
    if (canonical === undefined || parsed === undefined)
      throw new IndexQueryError(
        `--purl ${JSON.stringify(o.purl)}: not a package URL (pkg:TYPE/NAMESPACE/NAME@VERSION)`,
      );
    // Without a version: the package across every version the index holds.
    const key = purls.packageKey(o.purl) as string;
    // A purl without qualifiers or a subpath names every component of that version whatever its qualifiers (VEX reads
    // purls so too): log4j-core@2.14.1 is the SBOM's log4j-core@2.14.1?type=jar.
    const bare = Object.keys(parsed.qualifiers ?? {}).length === 0 && !parsed.subpath;
    return parsed.version
      ? { kind: 'purl', purl: canonical, within: key, ...(bare ? { anyQualifiers: true } : {}), ...product }
      : { kind: 'purl', purl: canonical, packageKey: key, ...product };
  }
  if (o.cve !== undefined) return { kind: 'cve', id: text('--cve', o.cve), ...product };
  if (o.digest !== undefined) {
    const d = text('--digest', o.digest).toLowerCase();
    const digest = /^[0-9a-f]{64}$/.test(d) ? `sha256:${d}` : d;
    if (!/^sha256:[0-9a-f]{64}$/.test(digest))
      throw new IndexQueryError(`--digest ${JSON.stringify(o.digest)}: not a sha256 digest (sha256:HEX or HEX)`);
    return { kind: 'digest', digest, ...product };
  }
  if (o.license !== undefined) return { kind: 'license', license: text('--license', o.license), ...product };
  if (o.missing !== undefined) {
    // The index counts each entry under its collector's kind, and an entry the file collector took as `file`
    // (rows.ts): any other word would list every release as lacking it, a typo included.
    const kind = text('--missing', o.missing);
    if (kind !== 'file' && !isCollectedKind(kind))
      throw new IndexQueryError(
        `--missing ${JSON.stringify(o.missing)}: not a kind of evidence (${[...collectedKinds(), 'file'].join(', ')})`,
      );
    return { kind: 'missing', evidenceKind: kind, ...product };
  }
  const instant = (flag: string, v: string | undefined, end: boolean) => {
    if (v === undefined) return undefined;
    const at = end ? endBound(v) : startBound(v);
    if (at === undefined) throw new IndexQueryError(`${flag} ${JSON.stringify(v)}: not a date or an RFC 3339 instant`);
    return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
  };
  const since = instant('--since', o.since, false);
  const until = instant('--until', o.until, true);
  return {
    kind: 'control',
    control: text('--control', o.control),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...product,
  };
}

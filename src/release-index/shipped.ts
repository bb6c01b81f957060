/**
 * Releases that ship what a vulnerability's findings name, though their own scans did not report it (docs/index.md,
 * "Components a finding names"). A scanner that did not report a vulnerability has not shown a release unaffected:
 * when another release's finding of it names a package at a version (its purl) and this release's SBOM lists that
 * same package at that same version, the release ships the component the finding is about. Pure: from the rows of
 * the `cve` question (every finding of the vulnerability, by any of its ids) and of the `components` question.
 *
 * Same package and version, by the purl specification's rules as formats/purl.ts reads them: the package key (type,
 * namespace and name, normalised per type) and the version once decoded (a Go module's `1.2.3` is `v1.2.3`).
 * Qualifiers and subpaths are not compared: `?arch=amd64` and `?arch=arm64` of one package and version are the same
 * release of its code. A finding or component whose purl does not read, or gives no version, names nothing here; a
 * release whose SBOM lists no component with a purl cannot show this, and stays as its scans leave it.
 */
import { PackageURL } from 'packageurl-js';
import { PurlReader } from '../formats/purl.js';
import type { IndexQuery } from './sql.js';

/** What a release's own scans said of the vulnerability's component, when they did not report it. */
export type ShippedScan = 'not-reported' | 'not-scanned' | 'not-read';

/** The note each answer carries, by what its own scans said. */
export const SHIPPED_NOTES: Record<ShippedScan, string> = {
  'not-reported':
    'ships a component a finding of this vulnerability names (same package and version); its own scan did not report it',
  'not-scanned':
    'ships a component a finding of this vulnerability names (same package and version); its bundle holds no vulnerability scan',
  'not-read':
    'ships a component a finding of this vulnerability names (same package and version); its scans were not read',
};

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** `package-key version` of a purl, or undefined when it does not read or gives no version. */
function packageVersion(purls: PurlReader, purl: string): string | undefined {
  const key = purls.packageKey(purl);
  const version = purls.read(purl)?.version;
  return key === undefined || !version ? undefined : `${key} ${version}`;
}

/**
 * The `components` question for the packages the findings name (undefined when they name none), narrowed to the
 * versions named: `purlPrefixes` holds each named package at its version in the index's canonical form without
 * qualifiers or subpath (`pkg:npm/lodash@4.17.20`), which a component's stored purl (canonical, rows.ts) starts with
 * when it is that package at that version. A prefix may also take in another version (`@4.17.201`): shippedAnswers
 * compares exactly. Without the narrowing, a package named at one version read every release's every version of it
 * (100,000 rows for one question at 10,000 releases, a second; docs/performance.md).
 */
export function shippedQuestion(
  findings: readonly Record<string, unknown>[],
  product?: string,
): Extract<IndexQuery, { kind: 'components' }> | undefined {
  const purls = new PurlReader();
  const keys = new Set<string>();
  const prefixes = new Set<string>();
  let everyVersion = false;
  for (const f of findings) {
    const p = purls.read(text(f.purl));
    const key = purls.packageKey(text(f.purl));
    if (!p?.version || !key) continue;
    keys.add(key);
    try {
      prefixes.add(new PackageURL(p.type, p.namespace, p.name, p.version, undefined, undefined).toString());
    } catch {
      // A purl that reads but does not write back: every version of the packages is asked for (the rows compared).
      everyVersion = true;
    }
  }
  if (keys.size === 0) return undefined;
  return {
    kind: 'components',
    packageKeys: [...keys].sort(),
    ...(everyVersion ? {} : { purlPrefixes: [...prefixes].sort() }),
    ...(product === undefined ? {} : { product }),
  };
}

/**
 * The releases among `components` (rows of the `components` question) whose SBOMs list a package at a version that a
 * finding among `findings` names, without a finding of their own naming it: one answer per release and component,
 * with the release's columns, `purl` (the component's), `found_by: 'sbom'`, `named_by` (the releases whose findings
 * name it, `product version`, '; '-separated), `scan` (ShippedScan) and `note`. In the components' order.
 */
export function shippedAnswers(
  findings: readonly Record<string, unknown>[],
  components: readonly Record<string, unknown>[],
): Record<string, unknown>[] {
  const purls = new PurlReader();
  // Each package and version the findings name, with the releases naming it; and what each release's own findings name.
  const namedBy = new Map<string, Set<string>>();
  const own = new Set<string>();
  for (const f of findings) {
    const at = packageVersion(purls, text(f.purl));
    if (at === undefined) continue;
    const by = namedBy.get(at) ?? new Set<string>();
    by.add(`${text(f.product)} ${text(f.version)}`);
    namedBy.set(at, by);
    own.add(`${text(f.bundle_digest)} ${at}`);
  }
  const out: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  // Each set of naming releases written once.
  const written = new Map<Set<string>, string>();
  const namedByText = (by: Set<string>): string => {
    if (!written.has(by)) written.set(by, [...by].sort().join('; '));
    return written.get(by) as string;
  };
  // Every row of one question has the same columns: the answer's are listed once (a `for…in` over each row, whose
  // objects the engines make in dictionary mode, was most of this function's time at 8,000 rows).
  const kept = Object.keys(components[0] ?? {}).filter(
    (k) => k !== 'package_key' && k !== 'findings_read' && k !== 'scanned',
  );
  // What each distinct purl is (its package and version, and the releases naming that), worked out once: thousands of
  // rows name a few purls.
  const named = new Map<string, { at: string; by: Set<string> } | null>();
  for (const c of components) {
    const purl = text(c.purl);
    let hit = named.get(purl);
    if (hit === undefined) {
      const at = packageVersion(purls, purl);
      const by = at === undefined ? undefined : namedBy.get(at);
      hit = at === undefined || by === undefined ? null : { at, by };
      named.set(purl, hit);
    }
    if (hit === null) continue;
    const { at, by } = hit;
    const digest = text(c.bundle_digest);
    const once = `${digest} ${purl}`;
    if (own.has(`${digest} ${at}`) || seen.has(once)) continue;
    seen.add(once);
    const scan: ShippedScan =
      Number(c.scanned ?? 0) === 0
        ? 'not-scanned'
        : c.findings_read !== null && c.findings_read !== undefined && Number(c.findings_read) === 1
          ? 'not-reported'
          : 'not-read';
    // The release's columns and the component's purl; not the columns that only served the comparison. Copied key
    // by key: thousands of rows (Object.entries and a spread cost five times as much at 8,000).
    const answer: Record<string, unknown> = {};
    for (const k of kept) answer[k] = c[k];
    answer.found_by = 'sbom';
    answer.named_by = namedByText(by);
    answer.scan = scan;
    answer.note = SHIPPED_NOTES[scan];
    out.push(answer);
  }
  return out;
}

/**
 * The `cve` question's answers with those of `shipped`: each found by a release's own scan marked `found_by: 'scan'`,
 * all in the index's order (product, created, version).
 */
export function withShipped(
  found: readonly Record<string, unknown>[],
  shipped: readonly Record<string, unknown>[],
): Record<string, unknown>[] {
  return [...found.map((r) => ({ ...r, found_by: 'scan' })), ...shipped].sort(indexOrder);
}

const ORDER_KEYS = ['product', 'created', 'version'] as const;

/**
 * The index's order of answers, as its SQL's ORDER BY (product, created, version), compared as the strings are. Run
 * for every comparison of thousands of answers: nothing is allocated.
 */
export function indexOrder(a: Record<string, unknown>, b: Record<string, unknown>): number {
  for (const k of ORDER_KEYS) {
    const x = text(a[k]);
    const y = text(b[k]);
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

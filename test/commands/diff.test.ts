import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { collect, type CollectOptions } from '../../src/commands/collect.js';
import { diff, type Change, type DiffResult } from '../../src/commands/diff.js';
import { bufferSource, writeBundle, type BlobSource } from '../../src/core/bundle-writer.js';
import { sha256Hex } from '../../src/core/digest.js';
import {
  MANIFEST_FORMAT_VERSION,
  MANIFEST_MEDIA_TYPE,
  type Manifest,
  type ManifestEntry,
} from '../../src/core/manifest.js';
import type { DoraSummary } from '../../src/core/summaries.js';
import { formatDiff } from '../../src/present/diff-text.js';
import { VerifyError } from '../../src/verifier/errors.js';
import { runCli } from '../helpers/io.js';
import { fixture, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const SDE = { SOURCE_DATE_EPOCH: '1767225600' }; // 2026-01-01T00:00:00Z
const SLO_SNAPSHOT = new URL('../../examples/acme-web/slo/availability.snapshot.json', import.meta.url).pathname;

// --- Independent readings of the fixtures (no project code) -------------------

type CdxComponent = {
  name: string;
  version?: string;
  purl?: string;
  'bom-ref'?: string;
  licenses?: { license?: { id?: string }; expression?: string }[];
  components?: CdxComponent[];
};
type CdxDoc = { components: CdxComponent[]; dependencies?: { ref: string; dependsOn?: string[] }[] };

const walk = (list: CdxComponent[] | undefined): CdxComponent[] =>
  (list ?? []).flatMap((c) => [c, ...walk(c.components)]);
/** purl minus `@version` (the fixtures have no qualifiers), else the name. */
const keyOf = (c: CdxComponent): string => (c.purl ? c.purl.replace(/@[^@/]*$/, '') : `name:${c.name}`);
const licenseIds = (doc: CdxDoc): Set<string> =>
  new Set(
    walk(doc.components).flatMap((c) =>
      (c.licenses ?? []).flatMap((l) => [
        ...(l.license?.id ? [l.license.id] : []),
        ...(l.expression
          ? l.expression.split(/[()\s]+|\bOR\b|\bAND\b/).filter((s) => s && s !== 'OR' && s !== 'AND')
          : []),
      ]),
    ),
  );

/** What a diff of two CycloneDX documents must find, worked out directly from their JSON. */
function expectedComponents(a: CdxDoc, b: CdxDoc): DiffResult['components'] {
  const map = (d: CdxDoc): Map<string, CdxComponent> => new Map(walk(d.components).map((c) => [keyOf(c), c]));
  const o = map(a);
  const n = map(b);
  const item = (c: CdxComponent): { name: string; version: string | null; purl?: string } => ({
    name: c.name,
    version: c.version ?? null,
    ...(c.purl ? { purl: c.purl } : {}),
  });
  const byName = <T extends { name: string }>(x: T, y: T): number => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0);
  return {
    added: [...n]
      .filter(([k]) => !o.has(k))
      .map(([, c]) => item(c))
      .sort(byName),
    removed: [...o]
      .filter(([k]) => !n.has(k))
      .map(([, c]) => item(c))
      .sort(byName),
    changed: [...n]
      .filter(([k, c]) => o.has(k) && o.get(k)?.version !== c.version)
      .map(([k, c]) => ({
        name: c.name,
        from: o.get(k)?.version ?? null,
        to: c.version ?? null,
        ...(c.purl ? { purl: c.purl } : {}),
      }))
      .sort(byName),
  };
}

const same = (n: number): Change => ({ old: n, new: n, delta: 0 });
const ch = (o: number | null, n: number | null): Change => ({
  old: o,
  new: n,
  delta: o === null || n === null ? null : n - o,
});

/**
 * The next release's SBOM, derived from the fixture: argparse dropped,
 * semver bumped, and two new components nested under rc — left-pad (with a
 * purl and a license the old release did not have) and a vendored library
 * known only by its name.
 */
function nextSbom(old: CdxDoc): CdxDoc {
  const doc = JSON.parse(JSON.stringify(old).replaceAll('semver@7.6.3', 'semver@7.7.1')) as CdxDoc;
  const semver = doc.components.find((c) => c.name === 'semver');
  if (!semver) throw new Error('fixture changed: no semver');
  semver.version = '7.7.1';
  const argparse = doc.components.find((c) => c.name === 'argparse');
  doc.components = doc.components.filter((c) => c !== argparse);
  doc.dependencies = doc.dependencies
    ?.filter((d) => d.ref !== argparse?.['bom-ref'])
    .map((d) => ({
      ...d,
      ...(d.dependsOn ? { dependsOn: d.dependsOn.filter((r) => r !== argparse?.['bom-ref']) } : {}),
    }));
  const rc = doc.components.find((c) => c.name === 'rc');
  if (!rc) throw new Error('fixture changed: no rc');
  rc.components = [
    {
      type: 'library',
      name: 'left-pad',
      version: '1.3.0',
      'bom-ref': 'left-pad@1.3.0',
      licenses: [{ license: { id: 'WTFPL' } }],
      purl: 'pkg:npm/left-pad@1.3.0',
    } as CdxComponent,
    { type: 'library', name: 'vendored-thing', version: '0.1.0', 'bom-ref': 'vendored-thing' } as CdxComponent,
  ];
  return doc;
}

/** The SLO snapshot with the 30-day error ratio (the SLI query's answer) replaced. */
function snapshotWithErrorRatio(ratio: string): { json: string; sliQuery: string } {
  const snap = JSON.parse(readFileSync(SLO_SNAPSHOT, 'utf8')) as {
    slos: { queries: Record<string, string> }[];
    results: { query: string; value: string; data: { result: { value: [number, string] }[] } }[];
  };
  const sliQuery = snap.slos[0]?.queries.sli as string;
  const r = snap.results.find((x) => x.query === sliQuery);
  if (!r || !r.data.result[0]) throw new Error('snapshot changed');
  r.value = ratio;
  r.data.result[0].value[1] = ratio;
  return { json: JSON.stringify(snap), sliQuery };
}

async function twoReleases(): Promise<{
  dir: string;
  oldDoc: CdxDoc;
  newDoc: CdxDoc;
  old: string;
  new: string;
  oldErrorRatio: number;
}> {
  const dir = await tmp();
  await mkdir(join(dir, 'next'));
  const oldDoc = JSON.parse(await readFile(fixture('sbom/cdx-npm-1.2.cdx.json'), 'utf8')) as CdxDoc;
  const newDoc = nextSbom(oldDoc);
  // Same file name, so the same logical path: a changed entry.
  await writeFile(join(dir, 'next', 'cdx-npm-1.2.cdx.json'), JSON.stringify(newDoc, null, 2));
  await writeFile(join(dir, 'next', 'availability.snapshot.json'), snapshotWithErrorRatio('0.0005').json);
  await writeFile(join(dir, 'app-1.0.0.tgz'), 'release one');
  await writeFile(join(dir, 'app-1.1.0.tgz'), 'release two');
  await writeFile(join(dir, 'NOTES.md'), 'shared notes\n');
  const snap = JSON.parse(readFileSync(SLO_SNAPSHOT, 'utf8')) as {
    slos: { queries: { sli: string } }[];
    results: { query: string; value: string }[];
  };
  const oldErrorRatio = Number(snap.results.find((r) => r.query === snap.slos[0]?.queries.sli)?.value);
  const common: Partial<CollectOptions> = {
    cwd: dir,
    env: SDE,
    name: 'app',
    file: ['NOTES.md=notes'],
    asOf: '2026-11-01T00:00:00Z',
  };
  const old = await collect({
    ...common,
    cwd: dir,
    output: 'old.tar.gz',
    version: '1.0.0',
    sbom: [fixture('sbom/cdx-npm-1.2.cdx.json')],
    sarif: [fixture('sarif/eslint.sarif')],
    junit: [fixture('junit/vitest.junit.xml')],
    coverage: [fixture('coverage/vitest.lcov.info')],
    sloSnapshot: [SLO_SNAPSHOT],
    subject: ['app-1.0.0.tgz'],
  });
  const next = await collect({
    ...common,
    cwd: dir,
    output: 'new.tar.gz',
    version: '1.1.0',
    sbom: ['next/cdx-npm-1.2.cdx.json'],
    sarif: [fixture('sarif/eslint.sarif'), fixture('sarif/security-severity.handwritten.sarif')],
    junit: [fixture('junit/vitest.junit.xml'), fixture('junit/pytest.junit.xml')],
    coverage: [fixture('coverage/vitest.no-counts.cobertura.xml')],
    sloSnapshot: ['next/availability.snapshot.json'],
    subject: ['app-1.1.0.tgz'],
  });
  return { dir, oldDoc, newDoc, old: old.output, new: next.output, oldErrorRatio };
}

async function failure(p: Promise<unknown>): Promise<VerifyError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(VerifyError);
    return e as VerifyError;
  }
  throw new Error('diff succeeded');
}

describe('diff', () => {
  it('finds what changed between two releases, from the SBOMs and the summaries', async () => {
    const r = await twoReleases();
    const result = await diff({ cwd: r.dir, old: 'old.tar.gz', new: 'new.tar.gz' });

    expect(result.old).toMatchObject({ name: 'app', version: '1.0.0', created: '2026-01-01T00:00:00Z' });
    expect(result.new).toMatchObject({ name: 'app', version: '1.1.0', created: '2026-01-01T00:00:00Z' });
    expect(result.old.manifestDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.old.manifestDigest).not.toBe(result.new.manifestDigest);

    // Components, worked out from the two JSON documents directly.
    const components = expectedComponents(r.oldDoc, r.newDoc);
    expect(result.components).toEqual(components);
    // …and spelled out, so the expectation itself is checked.
    expect(components).toEqual({
      added: [
        { name: 'left-pad', version: '1.3.0', purl: 'pkg:npm/left-pad@1.3.0' },
        { name: 'vendored-thing', version: '0.1.0' },
      ],
      removed: [{ name: 'argparse', version: '3.0.4', purl: 'pkg:npm/argparse@3.0.4' }],
      changed: [{ name: 'semver', from: '7.6.3', to: '7.7.1', purl: 'pkg:npm/semver@7.7.1' }],
    });

    const oldIds = licenseIds(r.oldDoc);
    const newIds = licenseIds(r.newDoc);
    expect(result.licenses).toEqual({
      added: [...newIds].filter((x) => !oldIds.has(x)).sort(),
      removed: [...oldIds].filter((x) => !newIds.has(x)).sort(),
    });
    expect(result.licenses).toEqual({ added: ['WTFPL'], removed: ['PSF-2.0'] });

    // test/fixtures/sarif/README.md: eslint 8 results (4 error, 4 warning, no severities);
    // the hand-written file 8 (3 error, 2 warning, 2 note, 1 none; 2 critical, 1 high, 1 medium, 2 low).
    expect(result.vulnerabilities).toEqual({
      // The rule ids with results, read from the SARIF files: eslint's six stay, the hand-written file's five are new.
      rules: { added: ['HW001', 'HW002', 'HW003', 'HW004', 'HW005'], removed: [] },
      results: ch(8, 16),
      severities: { critical: ch(0, 2), high: ch(0, 1), medium: ch(0, 1), low: ch(0, 2) },
      levels: { error: ch(4, 7), warning: ch(4, 6), note: ch(0, 2), none: ch(0, 1) },
    });
    // test/fixtures/junit/README.md: vitest 7 tests (3 passed, 2 failed, 0 errors, 2 skipped); pytest 6 (2, 1, 1, 2).
    expect(result.tests).toEqual({
      tests: ch(7, 13),
      passed: ch(3, 5),
      failed: ch(2, 3),
      errored: ch(0, 1),
      skipped: ch(2, 4),
    });
    // test/fixtures/coverage/README.md: lcov 12/21 lines, 8/17 branches; the count-less Cobertura 12/21, 7/16.
    expect(result.coverage.lines).toEqual(same(12 / 21));
    expect(result.coverage.branches.old).toBeCloseTo(8 / 17, 12);
    expect(result.coverage.branches.new).toBeCloseTo(7 / 16, 12);
    expect(result.coverage.branches.delta).toBeCloseTo(7 / 16 - 8 / 17, 12);

    // SLI = 1 − the 30-day error ratio; budget left = 1 − ratio / (1 − objective 0.999).
    const slo = result.slo['requests-availability'];
    expect(Object.keys(result.slo)).toEqual(['requests-availability']);
    expect(slo?.sli.old).toBeCloseTo(1 - r.oldErrorRatio, 10);
    expect(slo?.sli.new).toBeCloseTo(0.9995, 10);
    expect(slo?.sli.delta).toBeCloseTo(r.oldErrorRatio - 0.0005, 10);
    expect(slo?.errorBudgetRemaining.old).toBeCloseTo(1 - r.oldErrorRatio / 0.001, 8);
    expect(slo?.errorBudgetRemaining.new).toBeCloseTo(0.5, 8);

    // No DORA in either bundle: every figure is null on both sides.
    for (const c of Object.values(result.dora)) expect(c).toEqual({ old: null, new: null, delta: null });

    expect(result.entries).toEqual({
      added: [
        'coverage/vitest.no-counts.cobertura.xml',
        'junit/pytest.junit.xml',
        'sarif/security-severity.handwritten.sarif',
      ],
      removed: ['coverage/vitest.lcov.info'],
      changed: ['sbom/cdx-npm-1.2.cdx.json', 'slo/availability.snapshot.json'],
    });
    const digest = (s: string): string => `sha256:${sha256Hex(Buffer.from(s))}`;
    expect(result.subjects).toEqual({
      added: [{ name: 'app-1.1.0.tgz', digest: digest('release two') }],
      removed: [{ name: 'app-1.0.0.tgz', digest: digest('release one') }],
    });
    expect(result.warnings).toEqual([]);
    expect(result.differs).toBe(true);
  });

  it('--exit-code exits 4 when the releases differ and 0 when they do not; 1 stays a bundle that is not intact', async () => {
    const r = await twoReleases();
    const differ = await runCli(['diff', 'old.tar.gz', 'new.tar.gz', '--exit-code'], { cwd: r.dir });
    expect(differ.code).toBe(4);
    expect(differ.stdout).toContain('Finding rules (+5 -0)\n  + HW001\n');
    expect((await runCli(['diff', 'old.tar.gz', 'new.tar.gz'], { cwd: r.dir })).code).toBe(0);
    const same = await runCli(['diff', 'new.tar.gz', 'new.tar.gz', '--exit-code'], { cwd: r.dir });
    expect(same.code).toBe(0);
    expect(same.stdout).not.toContain('Finding rules');
    // A gate tells a damaged bundle from a change: the one is 1 (BUNDLE_INVALID), the other 4.
    const bytes = await readFile(join(r.dir, 'new.tar.gz'));
    bytes[bytes.length - 8] = (bytes[bytes.length - 8] as number) ^ 0xff;
    await writeFile(join(r.dir, 'damaged.tar.gz'), bytes);
    const damaged = await runCli(['diff', 'old.tar.gz', 'damaged.tar.gz', '--exit-code'], { cwd: r.dir });
    expect([damaged.code, damaged.stderr.includes('[BUNDLE_INVALID]')]).toEqual([1, true]);
  });

  it('formats the diff as text with +/- lines and signed deltas', async () => {
    const r = await twoReleases();
    const out = formatDiff(await diff({ cwd: r.dir, old: r.old, new: r.new }));
    const lines = out.split('\n');
    expect(lines[0]).toBe('app 1.0.0 → app 1.1.0');
    const after = (title: string): string[] => {
      const start = lines.findIndex((l) => l.startsWith(title));
      expect(start).toBeGreaterThan(0);
      const end = lines.indexOf('', start);
      return lines.slice(start + 1, end === -1 ? undefined : end);
    };
    expect(after('Components (+2 -1 ~1)')).toEqual([
      '  + left-pad 1.3.0  pkg:npm/left-pad@1.3.0',
      '  + vendored-thing 0.1.0',
      '  - argparse 3.0.4  pkg:npm/argparse@3.0.4',
      '  ~ semver 7.6.3 → 7.7.1',
    ]);
    expect(after('Licenses')).toEqual(['  + WTFPL', '  - PSF-2.0']);
    expect(after('Findings (SARIF)')).toContain('  severity critical  0 →  2  (+2)');
    expect(after('Tests (JUnit)')).toEqual([
      '  tests    7 → 13  (+6)',
      '  passed   3 →  5  (+2)',
      '  failed   2 →  3  (+1)',
      '  errored  0 →  1  (+1)',
      '  skipped  2 →  4  (+2)',
    ]);
    // 12/21 = 57.1%; 8/17 = 47.1% → 7/16 = 43.8%, 3.3 points down.
    expect(after('Coverage')).toEqual(['  lines     57.1% → 57.1%  (±0.0 pp)', '  branches  47.1% → 43.8%  (-3.3 pp)']);
    expect(after('SLOs')[1]).toMatch(/error budget left +69\.5% → +50\.0% +\(-19\.5 pp\)$/);
    expect(out).not.toContain('DORA');
    expect(after('Evidence entries (+3 -1 ~2)')).toEqual([
      '  + coverage/vitest.no-counts.cobertura.xml',
      '  + junit/pytest.junit.xml',
      '  + sarif/security-severity.handwritten.sarif',
      '  - coverage/vitest.lcov.info',
      '  ~ sbom/cdx-npm-1.2.cdx.json',
      '  ~ slo/availability.snapshot.json',
    ]);
    expect(after('Subjects')).toEqual([
      expect.stringMatching(/^ {2}\+ app-1\.1\.0\.tgz {2}sha256:/),
      expect.stringMatching(/^ {2}- app-1\.0\.0\.tgz {2}sha256:/),
    ]);
  });

  it('finds nothing between a bundle and itself', async () => {
    const r = await twoReleases();
    const result = await diff({ cwd: r.dir, old: 'new.tar.gz', new: 'new.tar.gz' });
    expect(result.old).toEqual(result.new);
    expect(result.components).toEqual({ added: [], removed: [], changed: [] });
    expect(result.licenses).toEqual({ added: [], removed: [] });
    expect(result.entries).toEqual({ added: [], removed: [], changed: [] });
    expect(result.subjects).toEqual({ added: [], removed: [] });
    expect(result.differs).toBe(false);
    expect(result.vulnerabilities.rules).toEqual({ added: [], removed: [] });
    const changes = [
      result.vulnerabilities.results,
      ...Object.values(result.vulnerabilities.severities),
      ...Object.values(result.vulnerabilities.levels),
      ...Object.values(result.tests),
      result.coverage.lines,
      result.coverage.branches,
      ...Object.values(result.slo).flatMap((s) => [s.sli, s.errorBudgetRemaining]),
    ];
    expect(changes).toHaveLength(18); // 1 + 4 + 4 + 5 + 2 + 2
    for (const c of changes) expect(c.delta).toBe(0);
    expect(formatDiff(result)).toMatch(/Components \(\+0 -0 ~0\)\n {2}no change\n/);
  });

  it('reads SPDX tag-value, CycloneDX XML, and packages known only by name', async () => {
    const dir = await tmp();
    const tv = await readFile(fixture('sbom/handwritten-2.3.spdx'), 'utf8');
    // Next release: left-pad bumped to 1.3.1 under MIT alone; "mystery" (no purl) gone; "newcomer" (no purl) added.
    const next = tv
      .replace('PackageVersion: 1.3.0', 'PackageVersion: 1.3.1')
      .replace('left-pad/-/left-pad-1.3.0.tgz', 'left-pad/-/left-pad-1.3.1.tgz')
      .replace('pkg:npm/left-pad@1.3.0', 'pkg:npm/left-pad@1.3.1')
      .replace('PackageLicenseDeclared: WTFPL OR MIT', 'PackageLicenseDeclared: MIT')
      .replace('PackageName: mystery', 'PackageName: newcomer')
      .replace('SPDXID: SPDXRef-Package-mystery', 'SPDXID: SPDXRef-Package-newcomer')
      .replace('PackageVersion: 0.0.1', 'PackageVersion: 2.0.0')
      .replace('DEPENDS_ON SPDXRef-Package-mystery', 'DEPENDS_ON SPDXRef-Package-newcomer');
    expect(next).not.toBe(tv);
    await mkdir(join(dir, 'next'));
    await writeFile(join(dir, 'next', 'handwritten-2.3.spdx'), next);
    await collect({
      cwd: dir,
      env: SDE,
      output: 'a.tar.gz',
      name: 'demo-app',
      version: '1.4.2',
      sbom: [fixture('sbom/handwritten-2.3.spdx')],
    });
    await collect({
      cwd: dir,
      env: SDE,
      output: 'b.tar.gz',
      name: 'demo-app',
      version: '1.4.3',
      sbom: ['next/handwritten-2.3.spdx'],
    });
    const result = await diff({ cwd: dir, old: 'a.tar.gz', new: 'b.tar.gz' });
    // demo-app is what the document DESCRIBES: the product, not a component.
    expect(result.components).toEqual({
      added: [{ name: 'newcomer', version: '2.0.0' }],
      removed: [{ name: 'mystery', version: '0.0.1' }],
      changed: [{ name: 'left-pad', from: '1.3.0', to: '1.3.1', purl: 'pkg:npm/left-pad@1.3.1' }],
    });
    expect(result.licenses).toEqual({ added: [], removed: ['WTFPL'] });
    expect(result.entries.changed).toEqual(['sbom/handwritten-2.3.spdx']);
    // Kinds neither bundle has: null on both sides, no crash.
    expect(result.tests.tests).toEqual({ old: null, new: null, delta: null });
    expect(result.vulnerabilities.severities.critical).toEqual({ old: null, new: null, delta: null });
    expect(result.coverage.lines).toEqual({ old: null, new: null, delta: null });
    expect(result.slo).toEqual({});

    // The same npm project as CycloneDX 1.4 XML and as 1.6 JSON: the same components.
    await collect({
      cwd: dir,
      env: SDE,
      output: 'x.tar.gz',
      name: 'p',
      version: '1',
      sbom: [fixture('sbom/cdx-npm-1.4.cdx.xml')],
    });
    await collect({
      cwd: dir,
      env: SDE,
      output: 'j.tar.gz',
      name: 'p',
      version: '1',
      sbom: [fixture('sbom/cdx-npm-1.6.cdx.json')],
    });
    const cross = await diff({ cwd: dir, old: 'x.tar.gz', new: 'j.tar.gz' });
    expect(cross.components).toEqual({ added: [], removed: [], changed: [] });
    expect(cross.entries).toEqual({
      added: ['sbom/cdx-npm-1.6.cdx.json'],
      removed: ['sbom/cdx-npm-1.4.cdx.xml'],
      changed: [],
    });
    // Against the tag-value SBOM: the XML's 11 npm packages removed, left-pad and mystery added.
    const toSpdx = await diff({ cwd: dir, old: 'x.tar.gz', new: 'a.tar.gz' });
    expect(toSpdx.components?.removed).toHaveLength(11);
    expect(toSpdx.components?.added.map((c) => `${c.name}@${c.version}`)).toEqual(['left-pad@1.3.0', 'mystery@0.0.1']);
  });

  it('compares DORA figures and SLOs present on one side only', async () => {
    const dir = await tmp();
    const dora = (o: Partial<DoraSummary>): DoraSummary => ({
      asOf: '2026-01-01T00:00:00Z',
      environment: 'production',
      windowDays: 30,
      deployments: 6,
      deploymentsPerDay: 0.2,
      band: 'weekly',
      commits: 20,
      leadTimeSeconds: { median: 7200, p90: 36000 },
      changeFailureRate: 0.5,
      failedDeployments: 3,
      timeToRestoreSeconds: { median: 3600 },
      incidents: 3,
      resolvedIncidents: 3,
      ...o,
    });
    await craft(join(dir, 'a.tar.gz'), '1.0.0', [['dora/dora.json', 'dora', dora({})]]);
    await craft(join(dir, 'b.tar.gz'), '1.1.0', [
      [
        'dora/dora.json',
        'dora',
        dora({
          deployments: 12,
          deploymentsPerDay: 0.4,
          leadTimeSeconds: { median: 3600, p90: 7200 },
          changeFailureRate: 0.25,
          timeToRestoreSeconds: { median: null },
        }),
      ],
      [
        'slo/slo.json',
        'slo',
        { asOf: '2026-01-01T00:00:00Z', live: false, slos: [slo('checkout', 0.9991, 0.1), slo('api', 0.99, -0.5)] },
      ],
    ]);
    const result = await diff({ cwd: dir, old: 'a.tar.gz', new: 'b.tar.gz' });
    expect(result.dora).toEqual({
      deploymentsPerDay: ch(0.2, 0.4),
      leadTimeMedianSeconds: ch(7200, 3600),
      changeFailureRate: ch(0.5, 0.25),
      timeToRestoreMedianSeconds: { old: 3600, new: null, delta: null },
    });
    expect(result.slo).toEqual({
      api: { sli: { old: null, new: 0.99, delta: null }, errorBudgetRemaining: { old: null, new: -0.5, delta: null } },
      checkout: {
        sli: { old: null, new: 0.9991, delta: null },
        errorBudgetRemaining: { old: null, new: 0.1, delta: null },
      },
    });
    // Neither bundle has an SBOM: components are not compared, not shown as unchanged.
    expect(result.components).toBeNull();
    expect(result.entries).toEqual({ added: ['slo/slo.json'], removed: [], changed: ['dora/dora.json'] });
    const text = formatDiff(result);
    expect(text).toContain(
      '  deployments per day        0.20 →  0.40  (+0.20)\n  lead time (median)        2.0 h → 1.0 h  (-1.0 h)\n  change failure rate       50.0% → 25.0%  (-25.0 pp)\n  time to restore (median)  1.0 h →   n/a\n',
    );
    expect(text).toMatch(/ {2}api SLI +n\/a → 99\.000%\n/);
  });

  it('entries that hold nothing are not compared, as if absent: JSON, text and --exit-code (outside review D1)', async () => {
    const dir = await tmp();
    const X = new URL('../../examples/acme-web/', import.meta.url).pathname;
    await writeFile(
      join(dir, 'e.cdx.json'),
      '{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[]}',
    );
    await writeFile(join(dir, 'e.sarif'), '{"version":"2.1.0","runs":[]}');
    await writeFile(join(dir, 'e.xml'), '<?xml version="1.0"?><testsuites tests="0"></testsuites>');
    const common = { cwd: dir, env: SDE, name: 'a' };
    await collect({
      ...common,
      output: 'a.tgz',
      version: '1',
      sbom: [`${X}sbom/acme-web.cdx.json`],
      sarif: [`${X}reports/sarif/eslint.sarif`],
      junit: [`${X}reports/junit/integration.junit.xml`, `${X}reports/junit/unit.junit.xml`],
    });
    await collect({
      ...common,
      output: 'b.tgz',
      version: '2',
      sbom: ['e.cdx.json'],
      sarif: ['e.sarif'],
      junit: ['e.xml'],
    });

    const json = await runCli(['diff', 'a.tgz', 'b.tgz', '--json', '--exit-code'], { cwd: dir });
    // The entries differ: exit 4, never 0 for a part that was not compared.
    expect(json.code).toBe(4);
    const r = JSON.parse(json.stdout) as DiffResult;
    expect([r.components, r.licenses, r.vulnerabilities.rules]).toEqual([null, null, null]);
    expect(r.vulnerabilities.results).toEqual({ old: 8, new: null, delta: null });
    expect(r.tests.failed).toEqual({ old: 3, new: null, delta: null });
    expect(r.warnings).toEqual([
      "components and licenses not compared: the new bundle's SBOMs hold nothing (an SBOM without components): sbom/e.cdx.json",
      "findings (SARIF) not compared: the new bundle's SARIF logs hold nothing (a SARIF log without runs): sarif/e.sarif",
      "tests not compared: the new bundle's JUnit reports hold nothing (a test report in which no test ran (none, or all skipped)): junit/e.xml",
    ]);
    expect(r.differs).toBe(true);

    const text = (await runCli(['diff', 'a.tgz', 'b.tgz'], { cwd: dir })).stdout;
    expect(text).toMatch(/\nComponents\n {2}not compared: /);
    expect(text).toMatch(/\nFinding rules\n {2}not compared: /);
    expect(text).toMatch(/\n {2}failed +3 → n\/a\n/);
    expect(text).not.toMatch(/Components \(|Finding rules \(|\(-3\)|\(-8\)/);
    expect(text).toContain("  ! tests not compared: the new bundle's JUnit reports hold nothing");

    // A report whose every test was skipped beside one that ran: the one that ran is compared, the other said.
    await collect({
      ...common,
      output: 'c.tgz',
      version: '3',
      junit: [`${X}reports/junit/unit.junit.xml`, fixture('junit/node24-test-all-skipped.junit.xml')],
    });
    const only = await collect({
      ...common,
      output: 'u.tgz',
      version: '3',
      junit: [`${X}reports/junit/unit.junit.xml`],
    });
    const mixed = await diff({ cwd: dir, old: 'a.tgz', new: 'c.tgz' });
    const unit = await diff({ cwd: dir, old: 'a.tgz', new: only.output });
    expect(mixed.tests).toEqual(unit.tests);
    expect(mixed.tests.tests.new).toBeGreaterThan(0);
    expect(mixed.warnings).toEqual([
      'components and licenses not compared: the new bundle has no SBOM',
      'findings (SARIF) not compared: the new bundle has no SARIF log',
      "tests compared without the new bundle's JUnit reports that hold nothing (a test report in which no test ran (none, or all skipped)): junit/node24-test-all-skipped.junit.xml",
    ]);
    // The same bytes on both sides: exit 0 says the evidence is the same, and the warnings still say what was not compared.
    const self = await runCli(['diff', 'b.tgz', 'b.tgz', '--exit-code'], { cwd: dir });
    expect(self.code).toBe(0);
    expect(self.stdout).toMatch(/\nComponents\n {2}not compared: /);
    expect(self.stdout).toContain("! tests not compared: the old bundle's JUnit reports hold nothing");
  });

  it('refuses a corrupted bundle, naming which one (BUNDLE_INVALID)', async () => {
    const r = await twoReleases();
    const bytes = await readFile(r.new);
    const bad = Buffer.from(bytes);
    const at = Math.floor(bad.length / 2);
    bad[at] = (bad[at] as number) ^ 0xff;
    await writeFile(join(r.dir, 'bad.tar.gz'), bad);
    const e = await failure(diff({ cwd: r.dir, old: 'old.tar.gz', new: 'bad.tar.gz' }));
    expect(e.code).toBe('BUNDLE_INVALID');
    expect(e.path).toBe('bad.tar.gz');
    expect(e.message).toMatch(/^new bundle bad\.tar\.gz: fails its integrity check \(/);
    const first = await failure(diff({ cwd: r.dir, old: 'bad.tar.gz', new: 'new.tar.gz' }));
    expect(first.code).toBe('BUNDLE_INVALID');
    expect(first.message).toMatch(/^old bundle bad\.tar\.gz/);
    // Not a bundle at all.
    await writeFile(join(r.dir, 'notes.txt'), 'hello');
    expect((await failure(diff({ cwd: r.dir, old: 'notes.txt', new: 'new.tar.gz' }))).code).toBe('BUNDLE_INVALID');
  });

  it('says which bundle is missing (BUNDLE_NOT_FOUND)', async () => {
    const r = await twoReleases();
    const e = await failure(diff({ cwd: r.dir, old: 'old.tar.gz', new: 'nope.tar.gz' }));
    expect(e.code).toBe('BUNDLE_NOT_FOUND');
    expect(e.path).toBe('nope.tar.gz');
  });
});

function slo(name: string, sli: number, remaining: number): Record<string, unknown> {
  return {
    name,
    objective: 0.999,
    period: '30d',
    sli,
    errorBudget: { total: 0.001, consumed: 1 - remaining, remaining },
    burnRates: { '5m': 0, '30m': 0, '1h': 0, '2h': 0, '6h': 0, '1d': 0, '3d': 0 },
    alerts: { page: false, ticket: false },
  };
}

/** A bundle holding entries with the given summaries, written by the real writer. */
async function craft(path: string, version: string, entries: [string, string, object][]): Promise<void> {
  const blobs = new Map<string, BlobSource>();
  const list: ManifestEntry[] = entries.map(([p, kind, summary]) => {
    const bytes = Buffer.from(JSON.stringify(summary));
    const hex = sha256Hex(bytes);
    blobs.set(hex, bufferSource(bytes, p));
    return {
      path: p,
      kind,
      mediaType: 'application/json',
      digest: `sha256:${hex}`,
      size: bytes.length,
      collector: { name: kind, version: '0.1.0' },
      summary: summary as Record<string, unknown>,
    };
  });
  const manifest: Manifest = {
    mediaType: MANIFEST_MEDIA_TYPE,
    formatVersion: MANIFEST_FORMAT_VERSION,
    name: 'svc',
    version,
    created: '2026-01-01T00:00:00Z',
    generator: { name: 'test', version: '0.0.0' },
    source: {},
    entries: list.sort((a, b) => (a.path < b.path ? -1 : 1)),
    subjects: [],
  };
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  await writeBundle({ manifest, blobs, mtime: new Date('2026-01-01T00:00:00Z') }, out);
  await writeFile(path, Buffer.concat(chunks));
}

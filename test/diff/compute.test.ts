import { describe, expect, it } from 'vitest';
import { MAX_ATTESTATION_BYTES } from '../../src/core/layout.js';
import type { Manifest, ManifestEntry } from '../../src/core/manifest.js';
import {
  computeDiff,
  INTEGRITY_ONLY,
  keepForDiff,
  MAX_SBOM_BYTES_IN_MEMORY,
  sideCheck,
  type DiffSide,
} from '../../src/diff/compute.js';
import { formatDiff } from '../../src/present/diff-text.js';
import { HOLLOW_WHY } from '../../src/verifier/policy/hollow.js';

// Two bundles' data as a diff gets it once read: manifests, typed summaries and the kept blobs. No files.

const CDX = 'application/vnd.cyclonedx+json';
const D = (c: string): string => `sha256:${c.repeat(64)}`;
const HEX = (c: string): string => c.repeat(64);

function entry(path: string, kind: string, summary: Record<string, unknown>, digest: string, size = 10): ManifestEntry {
  return {
    path,
    kind,
    mediaType: kind === 'sbom' ? CDX : 'application/json',
    digest,
    size,
    collector: { name: kind, version: '1' },
    summary,
  };
}

function side(
  label: 'old' | 'new',
  entries: ManifestEntry[],
  options: { kept?: Map<string, Buffer>; subjects?: Manifest['subjects']; version?: string } = {},
): DiffSide {
  return {
    label,
    path: `${label}.tar.gz`,
    manifest: {
      mediaType: 'application/vnd.evidence.manifest.v1+json',
      formatVersion: 1,
      name: 'web',
      version: options.version ?? (label === 'old' ? '1.0.0' : '1.1.0'),
      created: '2026-01-01T00:00:00Z',
      generator: { name: 'evidence', version: '1' },
      source: {},
      entries,
      subjects: options.subjects ?? [],
    },
    manifestDigest: D(label === 'old' ? 'a' : 'b'),
    kept: options.kept ?? new Map(),
    checked: INTEGRITY_ONLY,
  };
}

const sbomSummary = (licenses: string[], components = 1): Record<string, unknown> => ({
  format: 'cyclonedx',
  specVersion: '1.6',
  components,
  licenses,
  unlicensed: 0,
});
const cdx = (components: { name: string; version?: string; purl?: string }[]): Buffer =>
  Buffer.from(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', components }));

const sarifSummary = (results: number, critical: number, error: number): Record<string, unknown> => ({
  tools: ['eslint'],
  results,
  levels: { error, warning: results - error, note: 0, none: 0 },
  severities: { critical, high: 0, medium: 0, low: 0 },
});

const junit = (tests: number, failed: number): Record<string, unknown> => ({
  tests,
  passed: tests - failed,
  failed,
  errored: 0,
  skipped: 0,
  durationSeconds: 1,
});

const coverage = (lines: [number, number], branches: [number, number]): Record<string, unknown> => ({
  format: 'lcov',
  lines: { covered: lines[0], total: lines[1], ratio: lines[1] === 0 ? null : lines[0] / lines[1] },
  branches: { covered: branches[0], total: branches[1], ratio: branches[1] === 0 ? null : branches[0] / branches[1] },
});

describe('computeDiff', () => {
  it('two bundles with the same evidence and subjects do not differ, and sides without a kind compare as null', () => {
    const e = [entry('junit/a.xml', 'junit', junit(10, 1), D('1'))];
    const r = computeDiff(side('old', e), side('new', e));
    expect(r.differs).toBe(false);
    expect(r.entries).toEqual({ added: [], removed: [], changed: [] });
    expect(r.tests.tests).toEqual({ old: 10, new: 10, delta: 0 });
    expect(r.vulnerabilities.results).toEqual({ old: null, new: null, delta: null });
    expect(r.coverage.lines).toEqual({ old: null, new: null, delta: null });
    expect(r.old).toMatchObject({
      path: 'old.tar.gz',
      version: '1.0.0',
      manifestDigest: D('a'),
      checked: INTEGRITY_ONLY,
    });
    expect(r.new.version).toBe('1.1.0');
    expect(r.warnings).toEqual([]);
  });

  it('entries by path (added, removed, another digest) and subjects by name and digest make a difference', () => {
    const o = side('old', [entry('a', 'x', {}, D('1')), entry('b', 'x', {}, D('2'))], {
      subjects: [{ name: 'web.tgz', digest: D('c'), size: 1 }],
    });
    const n = side('new', [entry('b', 'x', {}, D('3')), entry('c', 'x', {}, D('4'))], {
      subjects: [{ name: 'web.tgz', digest: D('d'), size: 1 }],
    });
    const r = computeDiff(o, n);
    expect(r.entries).toEqual({ added: ['c'], removed: ['a'], changed: ['b'] });
    expect(r.subjects).toEqual({
      added: [{ name: 'web.tgz', digest: D('d') }],
      removed: [{ name: 'web.tgz', digest: D('c') }],
    });
    expect(r.differs).toBe(true);
  });

  it('components from the SBOM blobs: one version for another is a change, a second version is added', () => {
    const o = side('old', [entry('sbom/a.json', 'sbom', sbomSummary(['MIT']), D('1'))], {
      kept: new Map([
        [
          HEX('1'),
          cdx([
            { name: 'left-pad', version: '1.0.0', purl: 'pkg:npm/left-pad@1.0.0' },
            { name: 'gone', version: '2.0.0' },
            { name: 'lodash', version: '4.0.0', purl: 'pkg:npm/lodash@4.0.0' },
          ]),
        ],
      ]),
    });
    const n = side('new', [entry('sbom/a.json', 'sbom', sbomSummary(['Apache-2.0', 'MIT']), D('2'))], {
      kept: new Map([
        [
          HEX('2'),
          cdx([
            { name: 'left-pad', version: '1.1.0', purl: 'pkg:npm/left-pad@1.1.0' },
            { name: 'lodash', version: '4.0.0', purl: 'pkg:npm/lodash@4.0.0' },
            { name: 'lodash', version: '5.0.0', purl: 'pkg:npm/lodash@5.0.0' },
            { name: 'new-one', version: '0.1.0' },
          ]),
        ],
      ]),
    });
    const r = computeDiff(o, n);
    expect(r.components?.changed).toEqual([
      { name: 'left-pad', from: '1.0.0', to: '1.1.0', purl: 'pkg:npm/left-pad@1.1.0' },
    ]);
    expect(r.components?.removed).toEqual([{ name: 'gone', version: '2.0.0' }]);
    expect(r.components?.added).toEqual([
      { name: 'lodash', version: '5.0.0', purl: 'pkg:npm/lodash@5.0.0' },
      { name: 'new-one', version: '0.1.0' },
    ]);
    expect(r.licenses).toEqual({ added: ['Apache-2.0'], removed: [] });
  });

  it('an SBOM not kept or not readable is a warning, not an error', () => {
    const big = entry('sbom/big.json', 'sbom', sbomSummary([]), D('1'), MAX_ATTESTATION_BYTES + 1);
    const over = entry('sbom/over.json', 'sbom', sbomSummary([]), D('2'));
    const bad = entry('sbom/bad.json', 'sbom', sbomSummary([]), D('3'));
    const r = computeDiff(
      side('old', [big, over]),
      side('new', [bad], { kept: new Map([[HEX('3'), Buffer.from('not json')]]) }),
    );
    // Not read in full: not compared at all (what was not read would read as removed), and said.
    expect(r.components).toBeNull();
    expect(r.licenses).toBeNull();
    expect(r.warnings).toHaveLength(4);
    expect(r.warnings[0]).toMatch(/^old sbom\/big\.json: .*not compared$/);
    expect(r.warnings[1]).toContain(String(MAX_SBOM_BYTES_IN_MEMORY));
    expect(r.warnings[2]).toMatch(/^new sbom\/bad\.json: SBOM cannot be read/);
    expect(r.warnings[3]).toBe('components not compared: not every SBOM of both bundles could be read (above)');
  });

  it('SARIF: figures summed over entries, rule ids from the blobs (ruleId, rule.id, rule.index)', () => {
    const log = (results: unknown[]): Buffer =>
      Buffer.from(JSON.stringify({ runs: [{ tool: { driver: { rules: [{ id: 'by-index' }] } }, results }] }));
    const o = side('old', [entry('sarif/a.sarif', 'sarif', sarifSummary(3, 1, 2), D('1'))], {
      kept: new Map([[HEX('1'), log([{ ruleId: 'old-rule' }, { ruleId: 'kept' }])]]),
    });
    const n = side(
      'new',
      [
        entry('sarif/a.sarif', 'sarif', sarifSummary(2, 0, 1), D('2')),
        entry('sarif/b.sarif', 'sarif', sarifSummary(4, 2, 4), D('3')),
      ],
      {
        kept: new Map([
          [HEX('2'), log([{ ruleId: 'kept' }, { rule: { id: 'by-id' } }])],
          [HEX('3'), log([{ rule: { index: 0 } }, { ruleId: '' }])],
        ]),
      },
    );
    const r = computeDiff(o, n);
    expect(r.vulnerabilities.rules).toEqual({ added: ['by-id', 'by-index'], removed: ['old-rule'] });
    expect(r.vulnerabilities.results).toEqual({ old: 3, new: 6, delta: 3 });
    expect(r.vulnerabilities.severities.critical).toEqual({ old: 1, new: 2, delta: 1 });
    expect(r.vulnerabilities.levels.error).toEqual({ old: 2, new: 5, delta: 3 });
    expect(r.vulnerabilities.levels.warning).toEqual({ old: 1, new: 1, delta: 0 });
  });

  it('a SARIF blob missing or unreadable is a warning', () => {
    const r = computeDiff(
      side('old', [entry('sarif/a.sarif', 'sarif', sarifSummary(0, 0, 0), D('1'))]),
      side('new', [entry('sarif/a.sarif', 'sarif', sarifSummary(0, 0, 0), D('2'))], {
        kept: new Map([[HEX('2'), Buffer.from('{')]]),
      }),
    );
    expect(r.warnings).toEqual([
      'old: sarif/a.sarif is too large to compare its rules',
      'new: sarif/a.sarif cannot be read for its rules',
      'finding rules not compared: not every SARIF log of both bundles could be read (above)',
    ]);
    expect(r.vulnerabilities.rules).toBeNull();
  });

  it('tests summed; coverage: one report its ratio, several covered over total; deltas without binary noise', () => {
    const o = side('old', [
      entry('cov/a', 'coverage', coverage([1, 10], [0, 0]), D('1')),
      entry('junit/a', 'junit', junit(10, 2), D('2')),
      entry('junit/b', 'junit', junit(5, 0), D('3')),
    ]);
    const n = side('new', [
      entry('cov/a', 'coverage', coverage([3, 10], [1, 2]), D('4')),
      entry('cov/b', 'coverage', coverage([1, 10], [1, 2]), D('5')),
    ]);
    const r = computeDiff(o, n);
    expect(r.tests.tests).toEqual({ old: 15, new: null, delta: null });
    expect(r.tests.failed).toEqual({ old: 2, new: null, delta: null });
    expect(r.coverage.lines).toEqual({ old: 0.1, new: 0.2, delta: 0.1 });
    expect(r.coverage.branches).toEqual({ old: null, new: 0.5, delta: null });
    expect(r.warnings).toEqual(['tests not compared: the new bundle has no JUnit report']);
  });

  it('SLOs by name, and DORA from the first entry with a warning when there are several', () => {
    const slo = (name: string, sli: number, remaining: number): Record<string, unknown> => ({
      name,
      objective: 0.99,
      period: '30d',
      sli,
      errorBudget: { total: 0.01, consumed: 0, remaining },
      burnRates: { '5m': 0, '30m': 0, '1h': 0, '2h': 0, '6h': 0, '1d': 0, '3d': 0 },
      alerts: { page: false, ticket: false },
    });
    const slos = (list: Record<string, unknown>[]): Record<string, unknown> => ({
      asOf: '2026-01-01T00:00:00Z',
      live: false,
      slos: list,
    });
    const dora = (perDay: number, cfr: number | null): Record<string, unknown> => ({
      asOf: '2026-01-01T00:00:00Z',
      environment: 'production',
      windowDays: 30,
      deployments: 1,
      deploymentsPerDay: perDay,
      band: 'daily',
      commits: 1,
      leadTimeSeconds: { median: 60, p90: 120 },
      changeFailureRate: cfr,
      failedDeployments: 0,
      timeToRestoreSeconds: { median: null },
      incidents: 0,
      resolvedIncidents: 0,
    });
    const o = side('old', [
      entry('dora/a', 'dora', dora(1, 0.5), D('1')),
      entry('slo/a', 'slo', slos([slo('api', 0.999, 0.5), slo('gone', 0.99, 0.1)]), D('2')),
    ]);
    const n = side('new', [
      entry('dora/a', 'dora', dora(2, null), D('3')),
      entry('dora/b', 'dora', dora(9, 0), D('4')),
      entry('slo/a', 'slo', slos([slo('api', 0.998, 0.25)]), D('5')),
    ]);
    const r = computeDiff(o, n);
    expect(Object.keys(r.slo)).toEqual(['api', 'gone']);
    expect(r.slo.api?.errorBudgetRemaining).toEqual({ old: 0.5, new: 0.25, delta: -0.25 });
    expect(r.slo.gone?.sli).toEqual({ old: 0.99, new: null, delta: null });
    expect(r.dora.deploymentsPerDay).toEqual({ old: 1, new: 2, delta: 1 });
    expect(r.dora.changeFailureRate).toEqual({ old: 0.5, new: null, delta: null });
    expect(r.dora.timeToRestoreMedianSeconds).toEqual({ old: null, new: null, delta: null });
    expect(r.warnings).toEqual(['new: 2 DORA entries; only the first (by path) is compared']);
  });
});

describe('sideCheck', () => {
  const authentic = { status: 'authentic', method: 'identity', summary: 'signed by X' } as const;
  const assessment = (authenticity: unknown): never => ({ authenticity }) as never;

  it('authentic when the signature check passed for the bytes compared', () => {
    expect(sideCheck({ bundle: { digest: 'd', size: 1 }, assessment: assessment(authentic) }, 'd')).toEqual({
      authenticity: 'authentic',
      method: 'identity',
      summary: 'signed by X',
    });
  });

  it('failed when the file changed in between, or the signature did not verify', () => {
    const changed = sideCheck({ bundle: { digest: 'd', size: 1 }, assessment: assessment(authentic) }, 'e');
    expect(changed.authenticity).toBe('failed');
    expect(changed.method).toBe('identity');
    const failed = sideCheck(
      { bundle: { digest: 'd', size: 1 }, assessment: assessment({ status: 'failed', method: 'key', summary: 'bad' }) },
      'd',
    );
    expect(failed).toMatchObject({ authenticity: 'failed', method: 'key' });
    expect(failed.summary).toContain('bad');
    expect(sideCheck({ bundle: { digest: 'd', size: 1 } }, 'd')).toMatchObject({
      authenticity: 'failed',
      method: 'identity',
    });
  });
});

describe('keepForDiff', () => {
  it('keeps SBOM and SARIF blobs only, while they fit the budget together', () => {
    const half = MAX_SBOM_BYTES_IN_MEMORY / 2;
    const m = side('old', [
      entry('a', 'sbom', sbomSummary([]), D('1'), half),
      entry('b', 'sarif', sarifSummary(0, 0, 0), D('2'), half),
      entry('c', 'sbom', sbomSummary([]), D('3'), 1),
      entry('d', 'junit', junit(1, 0), D('4'), 1),
    ]).manifest;
    const keep = keepForDiff();
    expect(keep(HEX('4'), m)).toBe(false);
    expect(keep(HEX('1'), m)).toBe(true);
    expect(keep(HEX('2'), m)).toBe(true);
    expect(keep(HEX('3'), m)).toBe(false);
    expect(keepForDiff()(HEX('3'), m)).toBe(true);
  });
});

describe('a part one side has none of', () => {
  it('is not compared, never read as everything removed (the claims review: -11 components, 6 rules gone)', () => {
    const sbom = entry('sbom/a.json', 'sbom', sbomSummary(['MIT']), D('1'));
    const sarif = entry('sarif/a.sarif', 'sarif', sarifSummary(1, 0, 1), D('2'));
    const o = side('old', [sbom, sarif], {
      kept: new Map([
        [HEX('1'), cdx([{ name: 'left-pad', version: '1.0.0', purl: 'pkg:npm/left-pad@1.0.0' }])],
        [HEX('2'), Buffer.from(JSON.stringify({ runs: [{ results: [{ ruleId: 'r1' }] }] }))],
      ]),
    });
    const n = side('new', [entry('junit/a.xml', 'junit', junit(1, 0), D('3'))]);
    const r = computeDiff(o, n);
    expect([r.components, r.licenses, r.vulnerabilities.rules]).toEqual([null, null, null]);
    expect(r.warnings).toEqual([
      'components and licenses not compared: the new bundle has no SBOM',
      'findings (SARIF) not compared: the new bundle has no SARIF log',
      'tests not compared: the old bundle has no JUnit report',
    ]);
    const text = formatDiff(r);
    expect(text).toMatch(/\nComponents\n {2}not compared: a bundle has none, none that holds anything, or not all/);
    expect(text).toMatch(/\nFinding rules\n {2}not compared: /);
    expect(text).not.toMatch(/\n {2}- left-pad/);
  });
});

describe('a part whose entries hold nothing (hollow.ts)', () => {
  const real = (): DiffSide =>
    side(
      'old',
      [
        entry('sbom/a.json', 'sbom', sbomSummary(['MIT'], 1), D('1')),
        entry('sarif/a.sarif', 'sarif', sarifSummary(8, 0, 4), D('2')),
        entry('junit/a.xml', 'junit', junit(11, 3), D('3')),
      ],
      {
        kept: new Map([
          [HEX('1'), cdx([{ name: 'left-pad', version: '1.0.0', purl: 'pkg:npm/left-pad@1.0.0' }])],
          [HEX('2'), Buffer.from(JSON.stringify({ runs: [{ results: [{ ruleId: 'r1' }] }] }))],
        ]),
      },
    );
  const emptySbom = entry('sbom/e.cdx.json', 'sbom', sbomSummary([], 0), D('4'));
  const noRuns = entry('sarif/e.sarif', 'sarif', { ...sarifSummary(0, 0, 0), tools: [] }, D('5'));
  const noTests = entry('junit/e.xml', 'junit', junit(0, 0), D('6'));
  const allSkipped = entry(
    'junit/skipped.xml',
    'junit',
    { tests: 4, passed: 0, failed: 0, errored: 0, skipped: 4, durationSeconds: 0 },
    D('7'),
  );
  const emptyKept = new Map([
    [HEX('4'), cdx([])],
    [HEX('5'), Buffer.from(JSON.stringify({ version: '2.1.0', runs: [] }))],
  ]);

  it('is not compared, as if the side had none, and says which side and why (the outside review D1)', () => {
    const r = computeDiff(real(), side('new', [emptySbom, noRuns, noTests], { kept: emptyKept }));
    expect([r.components, r.licenses, r.vulnerabilities.rules]).toEqual([null, null, null]);
    expect(r.vulnerabilities.results).toEqual({ old: 8, new: null, delta: null });
    expect(r.vulnerabilities.levels.error).toEqual({ old: 4, new: null, delta: null });
    expect(r.tests.failed).toEqual({ old: 3, new: null, delta: null });
    expect(r.tests.tests).toEqual({ old: 11, new: null, delta: null });
    // Why, in hollow.ts's words: the one rule verify, policy and the reports apply.
    const said = (what: string, noun: string, kind: string, path: string): string =>
      `${what} not compared: the new bundle's ${noun}s hold nothing (${HOLLOW_WHY[kind] ?? '?'}): ${path}`;
    expect(r.warnings).toEqual([
      said('components and licenses', 'SBOM', 'sbom', 'sbom/e.cdx.json'),
      said('findings (SARIF)', 'SARIF log', 'sarif', 'sarif/e.sarif'),
      said('tests', 'JUnit report', 'junit', 'junit/e.xml'),
    ]);
    // The entries differ, so --exit-code says so: a part not compared is never read as unchanged.
    expect(r.differs).toBe(true);
    const text = formatDiff(r);
    expect(text).toMatch(/\nComponents\n {2}not compared: /);
    expect(text).toMatch(/\nLicenses\n {2}not compared: /);
    expect(text).toMatch(/\nFinding rules\n {2}not compared: /);
    expect(text).toContain('  failed    3 → n/a\n');
    expect(text).not.toMatch(/ - left-pad|\(-3\)|\(-8\)|- r1/);
  });

  it('on the old side too: nothing shows as added', () => {
    const old = side('old', [emptySbom, noRuns, noTests], { kept: emptyKept });
    const r = computeDiff(old, { ...real(), label: 'new' });
    expect([r.components, r.licenses, r.vulnerabilities.rules]).toEqual([null, null, null]);
    expect(r.tests.passed).toEqual({ old: null, new: 8, delta: null });
    expect(r.warnings.map((w) => w.split(':')[0])).toEqual([
      'components and licenses not compared',
      'findings (SARIF) not compared',
      'tests not compared',
    ]);
    expect(r.warnings.every((w) => w.includes("the old bundle's"))).toBe(true);
  });

  it('a JUnit report whose every test was skipped holds nothing', () => {
    const r = computeDiff(side('old', [entry('junit/a.xml', 'junit', junit(4, 1), D('1'))]), side('new', [allSkipped]));
    expect(r.tests).toEqual({
      tests: { old: 4, new: null, delta: null },
      passed: { old: 3, new: null, delta: null },
      failed: { old: 1, new: null, delta: null },
      errored: { old: 0, new: null, delta: null },
      skipped: { old: 0, new: null, delta: null },
    });
    expect(r.warnings).toEqual([
      "tests not compared: the new bundle's JUnit reports hold nothing (a test report in which no test ran (none, or all skipped)): junit/skipped.xml",
    ]);
  });

  it('on a side with some that hold something, those are compared and the others said to be left out', () => {
    const n = side(
      'new',
      [
        entry('junit/a.xml', 'junit', junit(11, 1), D('8')),
        allSkipped,
        emptySbom,
        entry('sbom/b.json', 'sbom', sbomSummary(['MIT', 'ISC'], 1), D('9')),
      ],
      {
        kept: new Map([
          ...emptyKept,
          [HEX('9'), cdx([{ name: 'left-pad', version: '1.1.0', purl: 'pkg:npm/left-pad@1.1.0' }])],
        ]),
      },
    );
    const r = computeDiff(real(), n);
    // The skipped-only report's 4 skipped are not added to the real one's figures.
    expect(r.tests.tests).toEqual({ old: 11, new: 11, delta: 0 });
    expect(r.tests.failed).toEqual({ old: 3, new: 1, delta: -2 });
    expect(r.tests.skipped).toEqual({ old: 0, new: 0, delta: 0 });
    expect(r.components).toEqual({
      added: [],
      removed: [],
      changed: [{ name: 'left-pad', from: '1.0.0', to: '1.1.0', purl: 'pkg:npm/left-pad@1.1.0' }],
    });
    expect(r.licenses).toEqual({ added: ['ISC'], removed: [] });
    expect(r.warnings).toEqual([
      "components and licenses compared without the new bundle's SBOMs that hold nothing (an SBOM without components): sbom/e.cdx.json",
      'findings (SARIF) not compared: the new bundle has no SARIF log',
      "tests compared without the new bundle's JUnit reports that hold nothing (a test report in which no test ran (none, or all skipped)): junit/skipped.xml",
    ]);
  });

  it('on both sides: neither is compared, each side said; the same bytes do not differ', () => {
    const e = [emptySbom, noTests];
    const r = computeDiff(side('old', e, { kept: emptyKept }), side('new', e, { kept: emptyKept }));
    expect(r.components).toBeNull();
    expect(r.tests.tests).toEqual({ old: null, new: null, delta: null });
    expect(r.warnings).toHaveLength(4);
    expect(r.warnings[0]).toMatch(/^components and licenses not compared: the old bundle's SBOMs hold nothing/);
    expect(r.warnings[1]).toMatch(/^components and licenses not compared: the new bundle's SBOMs hold nothing/);
    // Exit 0 under --exit-code means every entry is the same bytes on both sides, not that a part showed no change.
    expect(r.differs).toBe(false);
    expect(formatDiff(r)).not.toContain('Tests (JUnit)');
  });

  it('coverage that measured nothing and an SLO snapshot without SLOs are said, and add no figure', () => {
    const r = computeDiff(
      side('old', [entry('cov/a', 'coverage', coverage([5, 10], [1, 2]), D('1'))]),
      side('new', [
        entry('cov/a', 'coverage', coverage([0, 0], [0, 0]), D('2')),
        entry('slo/a', 'slo', { asOf: '2026-01-01T00:00:00Z', live: false, slos: [] }, D('3')),
      ]),
    );
    expect(r.coverage).toEqual({
      lines: { old: 0.5, new: null, delta: null },
      branches: { old: 0.5, new: null, delta: null },
    });
    expect(r.slo).toEqual({});
    expect(r.warnings).toEqual([
      "coverage not compared: the new bundle's coverage reports hold nothing (a coverage report that measured nothing): cov/a",
      "SLOs not compared: the new bundle's SLO snapshots hold nothing (an SLO snapshot without SLOs): slo/a",
    ]);
  });
});

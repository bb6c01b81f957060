import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/core/digest.js';
import type { Manifest, ManifestEntry } from '../../src/core/manifest.js';
import { junitCollector } from '../../src/collector/junit.js';
import { sarifCollector } from '../../src/collector/sarif.js';
import { sbomCollector } from '../../src/collector/sbom.js';
import type { Collector } from '../../src/collector/collector.js';
import { statementSchema } from '../../src/formats/intoto.js';
import {
  CYCLONEDX_PREDICATE_TYPE,
  RELEASE_PREDICATE_TYPE,
  SPDX_PREDICATE_TYPE,
  TEST_RESULT_PREDICATE_TYPE,
  VULNS_PREDICATE_TYPE,
  standardStatements,
} from '../../src/formats/standard-statements.js';
import { parseSpdxTagValue } from '../../src/formats/spdx-tag-value.js';

/**
 * The standard statements restate real tools' outputs exactly (docs/bundle-format.md §6.5):
 * the SBOM predicate is the SBOM, the test lists add up to the collector's
 * counts, the vulnerability ids are the SARIF's, the subjects are the release's.
 */
const fixture = (p: string): string => new URL(`../fixtures/${p}`, import.meta.url).pathname;

async function entryFor(collector: Collector, path: string): Promise<{ entry: ManifestEntry; bytes: Buffer }> {
  const bytes = readFileSync(fixture(path));
  const out = await collector.collect({ file: fixture(path), label: path });
  return {
    bytes,
    entry: {
      path,
      kind: out.kind,
      mediaType: out.mediaType,
      digest: `sha256:${out.hex}`,
      size: out.size,
      collector: { name: collector.name, version: '0.1.0' },
      summary: out.summary,
    },
  };
}

function manifestOf(
  entries: ManifestEntry[],
  subjects: Manifest['subjects'] = [{ name: 'app.tgz', digest: `sha256:${'c'.repeat(64)}`, size: 10 }],
): Manifest {
  return {
    mediaType: 'application/vnd.evidence.manifest.v1+json',
    formatVersion: 1,
    name: '@acme/app',
    version: '1.2.3',
    created: '2026-11-01T00:00:00Z',
    generator: { name: 'evidence', version: '0.1.0' },
    source: {},
    entries: [...entries].sort((a, b) => (a.path < b.path ? -1 : 1)),
    subjects,
  };
}

function make(items: { entry: ManifestEntry; bytes: Buffer }[], subjects?: Manifest['subjects']) {
  const blobs = new Map(items.map((i) => [sha256Hex(i.bytes), i.bytes]));
  return standardStatements(
    manifestOf(
      items.map((i) => i.entry),
      subjects,
    ),
    'f'.repeat(64),
    (hex) => blobs.get(hex),
  );
}

describe('standard statements', () => {
  it('restate a CycloneDX and an SPDX SBOM as their documents, and the release, with the release subjects', async () => {
    const cdx = await entryFor(sbomCollector, 'sbom/cdx-npm-6.0.1-spec1.6.cdx.json');
    const spdx = await entryFor(sbomCollector, 'sbom/npm11-sbom.spdx.json');
    const { statements, skipped } = make([cdx, spdx]);
    expect(skipped).toEqual([]);
    expect(statements.map((s) => s.predicateType)).toEqual([
      CYCLONEDX_PREDICATE_TYPE,
      SPDX_PREDICATE_TYPE,
      RELEASE_PREDICATE_TYPE,
    ]);
    expect(statements[0]?.statement.predicate).toEqual(JSON.parse(cdx.bytes.toString('utf8')));
    expect(statements[1]?.statement.predicate).toEqual(JSON.parse(spdx.bytes.toString('utf8')));
    expect(statements[2]?.statement.predicate).toEqual({ purl: 'pkg:generic/%40acme%2Fapp@1.2.3' });
    for (const s of statements) {
      expect(statementSchema.safeParse(s.statement).success).toBe(true);
      expect(s.statement.subject).toEqual([{ name: 'app.tgz', digest: { sha256: 'c'.repeat(64) } }]);
    }
  });

  it('read SPDX tag-value into its JSON form, and leave CycloneDX XML out with the reason', async () => {
    const tv = await entryFor(sbomCollector, 'sbom/handwritten-2.3.spdx');
    const xml = await entryFor(sbomCollector, 'sbom/cdx-npm-1.6.cdx.xml');
    const { statements, skipped } = make([tv, xml]);
    const parsed = parseSpdxTagValue(tv.bytes.toString('utf8'));
    expect(parsed.ok).toBe(true);
    expect(statements[0]?.statement.predicate).toEqual(parsed.ok ? parsed.document : undefined);
    expect(skipped).toEqual([{ path: 'sbom/cdx-npm-1.6.cdx.xml', reason: expect.stringContaining('XML') }]);
  });

  it('name the manifest as subject when the release names none', () => {
    const { statements } = make([], []);
    expect(statements).toHaveLength(1);
    expect(statements[0]?.statement.subject).toEqual([{ name: 'manifest.json', digest: { sha256: 'f'.repeat(64) } }]);
  });

  const junitFixtures = readdirSync(fixture('junit')).filter((f) => f.endsWith('.xml') && !f.startsWith('malformed'));
  it.each(junitFixtures)("test-result of %s adds up to the JUnit collector's counts", async (name) => {
    const j = await entryFor(junitCollector, `junit/${name}`);
    const { statements } = make([j]);
    const s = statements[0];
    expect(s?.predicateType).toBe(TEST_RESULT_PREDICATE_TYPE);
    const p = s?.statement.predicate as {
      result: string;
      passedTests: string[];
      failedTests: string[];
      warnedTests: string[];
      configuration: unknown[];
    };
    const sum = j.entry.summary as { tests: number; passed: number; failed: number; errored: number };
    expect(p.passedTests).toHaveLength(sum.passed);
    expect(p.failedTests).toHaveLength(sum.failed + sum.errored);
    expect(p.warnedTests).toEqual([]);
    expect(p.result).toBe(sum.failed + sum.errored > 0 ? 'FAILED' : sum.passed === 0 ? 'WARNED' : 'PASSED');
    expect(p.configuration).toEqual([
      { name: `junit/${name}`, digest: { sha256: sha256Hex(j.bytes) }, mediaType: 'application/xml' },
    ]);
  });

  it('test-result of a report whose every test was skipped is WARNED, not PASSED: no test ran', async () => {
    const j = await entryFor(junitCollector, 'junit/node24-test-all-skipped.junit.xml');
    expect(j.entry.summary).toMatchObject({ tests: 2, passed: 0, skipped: 2 });
    const p = make([j]).statements[0]?.statement.predicate as { result: string; passedTests: string[] };
    expect(p.result).toBe('WARNED');
    expect(p.passedTests).toEqual([]);
  });

  it('vulns of a scan that names advisories: each id once, sorted, with every rating given and the scan times', async () => {
    const v = await entryFor(sarifCollector, 'sarif/vulns-trivy-shaped.handwritten.sarif');
    const { statements } = make([v]);
    expect(statements[0]?.predicateType).toBe(VULNS_PREDICATE_TYPE);
    expect(statements[0]?.statement.predicate).toEqual({
      scanner: {
        uri: 'https://github.com/aquasecurity/trivy',
        version: '0.57.0',
        result: [
          {
            id: 'CVE-2024-45590',
            severity: [
              { method: 'sarif-level', score: 'error' },
              { method: 'security-severity', score: '7.5' },
              // A second result of the id, at warning: every rating the scan gave is restated, not only the first.
              { method: 'sarif-level', score: 'warning' },
            ],
          },
          {
            id: 'GHSA-9wv6-86v2-598j',
            severity: [
              { method: 'sarif-level', score: 'error' },
              { method: 'security-severity', score: '7.5' },
            ],
          },
        ],
      },
      metadata: { scanStartedOn: '2026-11-20T10:00:00Z', scanFinishedOn: '2026-11-20T10:00:07Z' },
    });
  });

  it('leave lint SARIF (no advisory ids) to the evidence statement, and say so', async () => {
    const lint = await entryFor(sarifCollector, 'sarif/eslint.sarif');
    const { statements, skipped } = make([lint]);
    expect(statements.map((s) => s.predicateType)).toEqual([RELEASE_PREDICATE_TYPE]);
    expect(skipped).toEqual([{ path: 'sarif/eslint.sarif', reason: expect.stringContaining('no vulnerability id') }]);
  });

  it('mark a blob not given as unavailable, so a verifier can tell "not compared" from "differs"', async () => {
    const cdx = await entryFor(sbomCollector, 'sbom/cdx-npm-6.0.1-spec1.6.cdx.json');
    const out = standardStatements(manifestOf([cdx.entry]), 'f'.repeat(64), () => undefined);
    expect(out.skipped).toEqual([{ path: cdx.entry.path, reason: expect.any(String), unavailable: true }]);
  });

  it('are the same bytes every time (the verifier makes them again)', async () => {
    const items = [
      await entryFor(sbomCollector, 'sbom/npm11-sbom.cdx.json'),
      await entryFor(junitCollector, 'junit/vitest.junit.xml'),
    ];
    expect(JSON.stringify(make(items))).toBe(JSON.stringify(make(items)));
  });
});

describe('standard statements from SBOMs other readers would read differently', () => {
  const sbomEntry = (bytes: Buffer): { entry: ManifestEntry; bytes: Buffer } => ({
    bytes,
    entry: {
      path: 'sbom/x.cdx.json',
      kind: 'sbom',
      mediaType: 'application/vnd.cyclonedx+json',
      digest: `sha256:${sha256Hex(bytes)}`,
      size: bytes.length,
      collector: { name: 'sbom', version: '0.1.0' },
      summary: { format: 'cyclonedx', specVersion: '1.6', components: 0, licenses: [], unlicensed: 0 },
    },
  });

  it('leave out, with the reason, an SBOM with a key twice or a lone surrogate, instead of restating it or failing', () => {
    for (const text of [
      '{"bomFormat":"CycloneDX","specVersion":"1.6","specVersion":"1.5"}',
      '{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"name":"\\ud800"}}}',
    ]) {
      const { statements, skipped } = make([sbomEntry(Buffer.from(text))]);
      expect(statements.map((s) => s.predicateType)).toEqual([RELEASE_PREDICATE_TYPE]);
      expect(skipped).toEqual([
        { path: 'sbom/x.cdx.json', reason: expect.stringMatching(/not readable|canonical JSON/) },
      ]);
    }
  });
});

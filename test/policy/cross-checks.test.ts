import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/core/digest.js';
import type { Manifest } from '../../src/core/manifest.js';
import { evaluatePolicy, loadPolicy } from '../../src/verifier/policy/evaluate.js';

const fixture = (p: string): Promise<Buffer> => readFile(new URL(`../fixtures/${p}`, import.meta.url));
const COMMIT = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

/** A manifest with the given blobs as entries (summaries are not read by cross-checks), and the blobs by hex. */
function bundleOf(version: string, entries: { path: string; kind: string; mediaType: string; bytes: Buffer }[]) {
  const blobs = new Map(entries.map((e) => [sha256Hex(e.bytes), e.bytes]));
  const manifest = {
    mediaType: 'application/vnd.evidence.manifest.v1+json',
    formatVersion: 1,
    name: 'x',
    version,
    created: '2026-01-01T00:00:00Z',
    generator: { name: 'evidence', version: '0' },
    source: { commit: COMMIT },
    subjects: [],
    entries: entries.map((e) => ({
      path: e.path,
      kind: e.kind,
      mediaType: e.mediaType,
      digest: `sha256:${sha256Hex(e.bytes)}`,
      size: e.bytes.length,
      collector: { name: e.kind, version: '0' },
      summary: {},
    })),
  } as unknown as Manifest;
  return { manifest, blobs };
}

function crossChecks(version: string, entries: Parameters<typeof bundleOf>[1]) {
  const policy = loadPolicy(Buffer.from('version: 1\ncrossChecks: [junit-commit, sbom-version]\n'), 'p.yaml');
  const { manifest, blobs } = bundleOf(version, entries);
  return Object.fromEntries(
    evaluatePolicy(policy, { manifest, blobs, mode: 'integrity-only', now: new Date() }).crossChecks.map((c) => [
      c.name,
      c.status,
    ]),
  );
}

const junit = (name: string, value: string): Buffer =>
  Buffer.from(
    `<?xml version="1.0"?>\n<testsuites>\n  <testsuite name="s" tests="1">\n    <properties>\n      <property name="${name}" value="${value}"/>\n    </properties>\n    <testcase name="t"/>\n  </testsuite>\n</testsuites>\n`,
  );

describe('policy cross-checks read evidence with the shared readers', () => {
  it('sbom-version reads the product version, not a tool’s, from a real cyclonedx-npm XML SBOM', async () => {
    // Its <metadata> lists the tools (npm 11.19.1, cyclonedx-npm 6.0.1) before the product (1.0.0).
    const sbom = {
      path: 'sbom/app.cdx.xml',
      kind: 'sbom',
      mediaType: 'application/vnd.cyclonedx+xml',
      bytes: await fixture('sbom/cdx-npm-6.0.1-spec1.6.cdx.xml'),
    };
    expect(crossChecks('1.0.0', [sbom])['sbom-version']).toBe('pass');
    expect(crossChecks('11.19.1', [sbom])['sbom-version']).toBe('fail');
  });

  it('sbom-version reads SPDX JSON and tag-value by the package the document describes', async () => {
    const json = {
      path: 'sbom/npm.spdx.json',
      kind: 'sbom',
      mediaType: 'application/spdx+json',
      bytes: await fixture('sbom/npm11-sbom.spdx.json'),
    };
    const tagValue = {
      path: 'sbom/app.spdx',
      kind: 'sbom',
      mediaType: 'text/spdx',
      bytes: await fixture('sbom/handwritten-2.3.spdx'),
    };
    expect(crossChecks('1.0.0', [json])['sbom-version']).toBe('pass');
    expect(crossChecks('1.4.2', [tagValue])['sbom-version']).toBe('pass');
    expect(crossChecks('1.4.3', [tagValue])['sbom-version']).toBe('fail');
  });

  it('junit-commit reads <property> elements as XML, agreeing with a short sha and refusing another commit', () => {
    const report = (value: string) => ({
      path: 'junit/unit.xml',
      kind: 'junit',
      mediaType: 'application/xml',
      bytes: junit('git.commit', value),
    });
    expect(crossChecks('1', [report(COMMIT.slice(0, 12))])['junit-commit']).toBe('pass');
    expect(crossChecks('1', [report('ffffffffffff')])['junit-commit']).toBe('fail');
    // A property of another name states nothing; a report that is not XML could not be checked.
    expect(
      crossChecks('1', [
        {
          path: 'junit/u.xml',
          kind: 'junit',
          mediaType: 'application/xml',
          bytes: junit('build.number', 'ffffffffffff'),
        },
      ])['junit-commit'],
    ).toBe('not-applicable');
    expect(
      crossChecks('1', [
        {
          path: 'junit/u.xml',
          kind: 'junit',
          mediaType: 'application/xml',
          bytes: Buffer.from('<testsuites><property name="commit" value="ffffffff"'),
        },
      ])['junit-commit'],
    ).toBe('not-checked');
  });
});

/**
 * Class: a cross-check that could not read what it checks (a blob verify does not hold in memory, over 16 MiB; one
 * its reader refuses) said `not-applicable`, and the policy held: a 17 MB JUnit report naming another commit passed
 * junit-commit. It is `not-checked` now, says what, and the policy does not hold.
 */
describe('a cross-check that cannot read its evidence', () => {
  it('is not-checked, names the entry, and fails the policy; beside a mismatch, it fails', () => {
    const policy = loadPolicy(Buffer.from('version: 1\ncrossChecks: [junit-commit, sbom-version]\n'), 'p.yaml');
    const report = { path: 'junit/r.xml', kind: 'junit', mediaType: 'application/xml', bytes: junit('commit', COMMIT) };
    const sbom = {
      path: 'sbom/a.cdx.json',
      kind: 'sbom',
      mediaType: 'application/vnd.cyclonedx+json',
      bytes: Buffer.from('{'),
    };
    const { manifest, blobs } = bundleOf('1.0.0', [report, sbom]);
    // The report's blob is not held (as verify leaves one over 16 MiB); the SBOM's cannot be read.
    blobs.delete(sha256Hex(report.bytes));
    const r = evaluatePolicy(policy, { manifest, blobs, mode: 'integrity-only', now: new Date() });
    expect(r.ok).toBe(false);
    expect(r.crossChecks.map((c) => [c.name, c.status])).toEqual([
      ['junit-commit', 'not-checked'],
      ['sbom-version', 'not-checked'],
    ]);
    expect(r.crossChecks[0]?.message).toMatch(/not checked against junit\/r\.xml \(\d+ bytes, more than verify holds/);
    expect(r.crossChecks[1]?.message).toMatch(/not checked against sbom\/a\.cdx\.json \(it cannot be read/);
    // A mismatch found beside what could not be read: failed, and both are said.
    const other = { ...report, path: 'junit/s.xml', bytes: junit('commit', 'b'.repeat(40)) };
    const both = bundleOf('1.0.0', [report, other]);
    both.blobs.delete(sha256Hex(report.bytes));
    const failed = evaluatePolicy(policy, { ...both, mode: 'integrity-only', now: new Date() }).crossChecks[0];
    expect(failed?.status).toBe('fail');
    expect(failed?.message).toMatch(/junit\/s\.xml was made from b+, .*; not checked against junit\/r\.xml/);
  });
});

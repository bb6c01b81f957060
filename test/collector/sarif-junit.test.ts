import { describe, expect, it } from 'vitest';
import { CollectError } from '../../src/collector/errors.js';
import { junitCollector } from '../../src/collector/junit.js';
import { sarifCollector } from '../../src/collector/sarif.js';
import { fixture } from '../helpers/tmp.js';

const err = (p: Promise<unknown>): Promise<CollectError> =>
  p.then(
    () => {
      throw new Error('accepted');
    },
    (e: CollectError) => e,
  );

// Figures from test/fixtures/sarif/README.md (counted with jq).
describe('sarif collector', () => {
  it.each([
    [
      'eslint.sarif',
      ['ESLint'],
      8,
      { error: 4, warning: 4, note: 0, none: 0 },
      { critical: 0, high: 0, medium: 0, low: 0 },
    ],
    [
      'flawfinder.sarif',
      ['Flawfinder'],
      8,
      { error: 3, warning: 0, note: 5, none: 0 },
      { critical: 0, high: 0, medium: 0, low: 0 },
    ],
    [
      'security-severity.handwritten.sarif',
      ['handwritten-security-scanner'],
      8,
      { error: 3, warning: 2, note: 2, none: 1 },
      { critical: 2, high: 1, medium: 1, low: 2 },
    ],
    [
      'vulns-trivy-shaped.handwritten.sarif',
      ['Trivy'],
      3,
      { error: 2, warning: 1, note: 0, none: 0 },
      { critical: 0, high: 3, medium: 0, low: 0 },
    ],
  ])('summarises %s', async (name, tools, results, levels, severities) => {
    const out = await sarifCollector.collect({ file: fixture(`sarif/${name}`), label: name });
    expect(out.mediaType).toBe('application/sarif+json');
    expect(out.summary).toEqual({ tools, results, levels, severities });
  });

  it('refuses truncated SARIF', async () => {
    expect(
      (await err(sarifCollector.collect({ file: fixture('sarif/malformed-truncated.sarif'), label: 'm' }))).code,
    ).toBe('JSON_INVALID');
  });

  it('refuses JSON that is not SARIF 2.1.0, naming the field', async () => {
    const e = await err(sarifCollector.collect({ file: fixture('sbom/npm-sbom.cdx.json'), label: 'x' }));
    expect(e.code).toBe('SARIF_INVALID');
    expect(e.issues.map((i) => i.path)).toContain('$.version');
  });
});

// Figures from test/fixtures/junit/README.md (counted with xmllint).
describe('junit collector', () => {
  it.each([
    ['vitest.junit.xml', { tests: 7, passed: 3, failed: 2, errored: 0, skipped: 2, durationSeconds: 0.023 }],
    // jest-junit's todo test is a bare <testcase> outside the suite's tests="2": skipped, not passed.
    ['jest.junit.xml', { tests: 7, passed: 3, failed: 2, errored: 0, skipped: 2, durationSeconds: 0.68 }],
    // pytest: no attributes on <testsuites>, so the suite's time is used.
    ['pytest.junit.xml', { tests: 6, passed: 2, failed: 1, errored: 1, skipped: 2, durationSeconds: 0.058 }],
    // Surefire: a bare <testsuite> root.
    ['surefire.junit.xml', { tests: 5, passed: 2, failed: 1, errored: 1, skipped: 1, durationSeconds: 0.056 }],
  ])('summarises %s', async (name, summary) => {
    const out = await junitCollector.collect({ file: fixture(`junit/${name}`), label: name });
    expect(out.summary).toEqual(summary);
  });

  it('refuses malformed XML with its line', async () => {
    const e = await err(
      junitCollector.collect({ file: fixture('junit/malformed-truncated.junit.xml'), label: 'm.xml' }),
    );
    expect(e.code).toBe('XML_INVALID');
    expect(e.issues[0]?.path).toMatch(/^line \d+/);
  });

  it('refuses XML whose root is not a test suite', async () => {
    expect((await err(junitCollector.collect({ file: fixture('sbom/cdx-npm-1.4.cdx.xml'), label: 'x' }))).code).toBe(
      'JUNIT_INVALID',
    );
  });
});

/**
 * The eighth outside review of issue 26: an image named by a tag is never restated nor taken as the release (a tag
 * moves), and what the made documents copy is bounded in the bytes JSON writes, escapes included, below what verify
 * holds to remake them: collect never writes a document verify could only say it did not check.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/formats/findings.js';
import { parseVexDocument } from '../../src/formats/vex/index.js';
import {
  MAX_VULNERABILITY_DOCUMENT_BYTES,
  checkReleaseProducts,
  restatedProducts,
  vulnerabilitiesDocument,
  vulnerabilityBlobs,
} from '../../src/formats/vulnerability-evidence.js';
import { codeOf, finding, openvexDocument } from '../helpers/vex.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const RELEASE = 'pkg:generic/app@1.0.0';
const DIGEST = `pkg:oci/app@sha256%3A${'a'.repeat(64)}?repository_url=ghcr.io/acme/app`;
const TAG = 'pkg:oci/app@latest?repository_url=ghcr.io/acme/app';

/** The blobs collect writes for a release known as `products`, from `findings` and these OpenVEX statements. */
function blobsOf(findings: Finding[], statements: unknown[], products = [RELEASE]) {
  const vex = parseVexDocument(openvexDocument(statements), 'vex/a.json', NOW);
  const doc = vulnerabilitiesDocument({
    release: { name: 'app', version: '1.0.0', products },
    scans: [
      { path: 'scan/g.json', digest: 'sha256:0', report: { format: 'grype', scanner: { name: 'grype' }, findings } },
    ],
    vex: [{ path: 'vex/a.json', digest: 'sha256:1', doc: vex }],
  });
  return vulnerabilityBlobs(doc, '2026-06-01T00:00:00Z');
}
const wide = (id: string, extra: Record<string, unknown> = {}) => ({
  vulnerability: { name: id },
  products: [{ '@id': RELEASE }],
  status: 'not_affected',
  justification: 'vulnerable_code_not_present',
  ...extra,
});

describe('an image named by a tag', () => {
  it('is not a purl a release may be known as: refused, by collect and by verify alike', () => {
    expect(codeOf(() => checkReleaseProducts([RELEASE, TAG]))).toBe('PRODUCT_INVALID');
    expect(codeOf(() => checkReleaseProducts([RELEASE, 'pkg:docker/acme/app@1.0.0']))).toBe('PRODUCT_INVALID');
    expect(codeOf(() => checkReleaseProducts([RELEASE, DIGEST, 'pkg:oci/app?repository_url=ghcr.io/acme/app']))).toBe(
      undefined,
    );
  });

  it('is never restated in the OpenVEX document, whoever gives it', () => {
    expect(restatedProducts([RELEASE, TAG, DIGEST])).toEqual([RELEASE, DIGEST]);
  });
});

describe('what the made documents copy is counted in written bytes', () => {
  const findings = Array.from({ length: 55 }, (_, i) => finding('CVE-2026-0001', `pkg:npm/lib${i}@1.0.0`));

  it('an impact statement of control characters, six bytes each escaped, is refused before it is copied', () => {
    // Before: 3.6 MB of VEX made a 198 MB findings document at about 1 GB, which verify then only said it skipped.
    const impact = '\u0001'.repeat(600_000);
    expect(codeOf(() => blobsOf(findings, [wide('CVE-2026-0001', { impact_statement: impact })]))).toBe(
      'VEX_TOO_COMPLEX',
    );
    // Plain text of the same length, copied 55 times, is more than verify holds too.
    expect(codeOf(() => blobsOf(findings, [wide('CVE-2026-0001', { impact_statement: 'x'.repeat(600_000) })]))).toBe(
      'VEX_TOO_COMPLEX',
    );
    const fits = blobsOf(findings, [wide('CVE-2026-0001', { impact_statement: 'x'.repeat(1_000) })]);
    expect(fits.findings.length).toBeLessThan(MAX_VULNERABILITY_DOCUMENT_BYTES);
  });

  it('packages whose purls escape long are counted as written under every product', () => {
    // Before: a 0.87 MB scan made an 87 MB OpenVEX document under a bound of 16 Mi characters.
    const products = [RELEASE, ...Array.from({ length: 100 }, (_, i) => `pkg:generic/app${i}@1.0.0`)];
    // 1,830 characters each, 10,830 bytes written: 3 vulnerabilities × 10 packages × 101 products are 5.5 Mi
    // characters, 33 MB.
    const odd = (i: number) => `pkg:npm/lib${i}@1.0.0?x=${'\u0001'.repeat(1_800)}`;
    const ids = Array.from({ length: 3 }, (_, i) => `CVE-2026-${1000 + i}`);
    const many = ids.flatMap((id) => Array.from({ length: 10 }, (_, i) => finding(id, odd(i))));
    const statements = ids.map((id) => wide(id));
    const code = codeOf(() => blobsOf(many, statements, products));
    expect(code === undefined ? 'made' : code).toBe('VULNERABILITIES_TOO_LARGE');
  });

  it('a findings document larger than verify holds is refused', () => {
    // 40,000 findings with long titles: not a VEX matter, a findings document verify could not hold.
    const big = Array.from({ length: 40_000 }, (_, i) => ({
      ...finding(`CVE-2026-${10_000 + i}`, `pkg:npm/lib${i}@1.0.0`),
      title: 't'.repeat(500),
    }));
    expect(codeOf(() => blobsOf(big, []))).toBe('VULNERABILITIES_TOO_LARGE');
  });
});

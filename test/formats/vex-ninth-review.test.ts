/**
 * The ninth outside review of issue 26: the findings document is bounded before it is written (a reader gives every
 * finding strings of its report held once in memory), collect refuses inputs and documents verify would not read
 * (one blob over 16 MiB, all over 32 MiB), and an image named by a `tag` qualifier is as tagged as one named by a
 * tagged version. An image's digest is a whole digest. (With the tenth review's bound on findings merged.)
 */
import { describe, expect, it } from 'vitest';
import { applyVex, parseVexDocument } from '../../src/formats/vex/index.js';
import {
  MAX_RELEASE_FINDINGS,
  MAX_VULNERABILITY_BYTES,
  MAX_VULNERABILITY_DOCUMENT_BYTES,
  checkReleaseProducts,
  checkVulnerabilityReading,
  restatedProducts,
  vulnerabilitiesDocument,
  vulnerabilityInputsFromBlobs,
} from '../../src/formats/vulnerability-evidence.js';
import { codeOf, finding, openvexDocument } from '../helpers/vex.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const RELEASE = 'pkg:generic/web@1.0.0';
const DIGEST = `sha256:${'b'.repeat(64)}`;

/** Trivy's JSON: one result whose Target is `target`, with `n` vulnerabilities in as many packages. */
function trivy(target: string, n: number) {
  return {
    SchemaVersion: 2,
    Trivy: { Version: '0.57.0' },
    Results: [
      {
        Target: target,
        Type: 'npm',
        Vulnerabilities: Array.from({ length: n }, (_, i) => ({
          VulnerabilityID: `CVE-2026-${10_000 + i}`,
          PkgName: `p${i}`,
          InstalledVersion: '1.0.0',
          PkgIdentifier: { PURL: `pkg:npm/p${i}@1.0.0` },
          Severity: 'LOW',
        })),
      },
    ],
  };
}

function documentOf(json: unknown) {
  const bytes = Buffer.from(JSON.stringify(json));
  const release = { name: 'web', version: '1.0.0', products: [RELEASE] };
  const { inputs } = vulnerabilityInputsFromBlobs(
    [{ path: 'scan/t.json', kind: 'scan', digest: 'd' }],
    () => bytes,
    release,
  );
  return vulnerabilitiesDocument(inputs);
}

describe('the findings document', () => {
  it('is counted before it is written: a 1 MiB Trivy target under 400 vulnerabilities is refused, not built', () => {
    // Before: 400 copies of the target made a 420 MB document at 1.8 GB (collect, and verify before the signature).
    const before = process.memoryUsage().rss;
    expect(codeOf(() => documentOf(trivy('a'.repeat(1024 * 1024), 400)))).toBe('VULNERABILITIES_TOO_LARGE');
    // Well under the 420 MB the document would take (the test's own heap varies by tens of MiB).
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
    expect(documentOf(trivy('package-lock.json', 400)).findings).toHaveLength(400);
  });
});

describe('the findings the scans report together', () => {
  it('are refused over MAX_RELEASE_FINDINGS before they are merged (tenth review)', () => {
    // Before: 105,000 small Trivy findings (15.9 MB) were merged, at 740 MB and 12 s, before the document was refused.
    const scan = (n: number) => trivy('package-lock.json', n);
    expect(codeOf(() => documentOf(scan(MAX_RELEASE_FINDINGS + 1)))).toBe('VULNERABILITIES_TOO_LARGE');
  });
});

describe('what verify reads to remake the documents', () => {
  it('is refused in collect when one blob or all of them are more than verify reads', () => {
    const mib = 1024 * 1024;
    expect(
      codeOf(() => checkVulnerabilityReading([{ path: 'vex/big.json', size: MAX_VULNERABILITY_DOCUMENT_BYTES + 1 }])),
    ).toBe('VULNERABILITIES_TOO_LARGE');
    const three = [15, 15, 3].map((n, i) => ({ path: `scan/${i}.json`, size: n * mib }));
    expect(three.reduce((n, b) => n + b.size, 0)).toBeGreaterThan(MAX_VULNERABILITY_BYTES);
    expect(codeOf(() => checkVulnerabilityReading(three))).toBe('VULNERABILITIES_TOO_LARGE');
    expect(codeOf(() => checkVulnerabilityReading(three.slice(0, 2)))).toBeUndefined();
  });
});

describe('an image named by a tag qualifier', () => {
  const settled = (product: string, release: string[]) => {
    const vex = parseVexDocument(
      openvexDocument([
        {
          vulnerability: { name: 'CVE-2024-1' },
          products: [{ '@id': product }],
          status: 'not_affected',
          justification: 'vulnerable_code_not_present',
        },
      ]),
      'v',
      NOW,
    );
    return applyVex([finding('CVE-2024-1', 'pkg:npm/foo@1.0.0')], [{ label: 'v', doc: vex }], release)[0]?.status;
  };
  const image = `pkg:oci/web@${encodeURIComponent(DIGEST)}?repository_url=ghcr.io/acme/web`;

  it('in a statement is not the release: a statement about :latest then is not about this image', () => {
    expect(settled('pkg:oci/web?repository_url=ghcr.io/acme/web&tag=latest', [RELEASE, image])).toBeUndefined();
    expect(settled('pkg:oci/web?repository_url=ghcr.io/acme/web', [RELEASE, image])).toBe('not_affected');
  });

  it('is refused as a purl the release is known as, and never restated', () => {
    const tagged = 'pkg:oci/web?repository_url=ghcr.io/acme/web&tag=latest';
    expect(codeOf(() => checkReleaseProducts([RELEASE, tagged]))).toBe('PRODUCT_INVALID');
    expect(restatedProducts([RELEASE, `${image}&tag=latest`])).toEqual([RELEASE]);
  });
});

describe('an image digest', () => {
  it('is a whole sha256 or sha512 digest', () => {
    for (const bad of ['sha256:', 'sha256:abc', `SHA256:${'b'.repeat(64)}`, `sha256:${'B'.repeat(64)}`])
      expect(codeOf(() => checkReleaseProducts([RELEASE, `pkg:oci/web@${encodeURIComponent(bad)}`]))).toBe(
        'PRODUCT_INVALID',
      );
    for (const good of [DIGEST, `sha512:${'c'.repeat(128)}`])
      expect(codeOf(() => checkReleaseProducts([RELEASE, `pkg:oci/web@${encodeURIComponent(good)}`]))).toBeUndefined();
  });
});

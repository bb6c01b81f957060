import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/present/markdown.js';

import { IDENTITY, ISSUER, D, passingInput, failingInput } from './fixtures.js';

/** The cells of the Markdown table row whose first cells match. */
function rowsOf(md: string): string[][] {
  return md
    .split('\n')
    .filter((l) => l.startsWith('| '))
    .map((l) => l.slice(2, -2).split(/(?<!\\) \| /));
}

describe('renderMarkdown', () => {
  it('reports a passing signed release: verdict, signer, subjects, checks, policy, controls and evidence', () => {
    const md = renderMarkdown(passingInput());
    expect(md.startsWith('# Evidence audit: acme-web 1.4.2\n')).toBe(true);
    // Authentic and the policy holds, but the evidence itself shows failing tests and findings: never a plain pass.
    expect(md).toContain('**⚠️ VERIFIED WITH CONCERNS**');
    expect(md).toContain(
      `| Is the bundle authentic? | ✅ yes: signed by ${IDENTITY} (issuer ${ISSUER}), identity checked |`,
    );
    // It held, and says which of its items showed nothing (a waived rule, a rule over no list, a cross-check without
    // anything to compare): those are not evidence.
    expect(md).toContain(
      '| Did the policy hold? | ✅ yes: release-policy.yaml holds; 3 of its 9 requirements, rules and cross-checks show nothing (rule no-critical-vulns: waived: ',
    );
    expect(md).toMatch(/\| What does the evidence say\? \| ⚠️ \d+ concerns \|/);
    expect(md).toMatch(/- `junit\/unit\.junit\.xml`: 2 tests failed, 0 errored, of 40 \(`TESTS_FAILED`\)/);
    expect(md).not.toContain('PASSED');
    expect(md).toContain(`| Signer | \`${IDENTITY}\` |`);
    expect(md).toContain(`| Issuer | \`${ISSUER}\` |`);
    expect(md).toContain('| Rekor entry | #8573023, integrated 2026-11-22T15:47:25.000Z (time verified) |');
    expect(md).toContain('| Trust root | public-good (embedded) (newest key from 2026-11-21T15:47:23.363Z) |');
    expect(md).toContain(`| acme-web-1.4.2.tgz | 344 B | \`${D('3')}\` |`);
    expect(md).toContain('## Checks (all passed)');
    expect(md).toContain('| ✅ pass | `archive` |');
    expect(md).toContain('## Policy: ✅ satisfied');
    expect(md).toContain('| ✅ pass | `sarif` | 2 | 7d |');
    expect(md).toContain('| ⚠️ waived | `no-critical-vulns` | `SOC2-CC7.1`, `ISO27001-A.8.8` |');
    expect(md).toContain('### Waivers');
    expect(md).toContain(
      '| `no-critical-vulns` | CVE-2026-0001 not reachable; fix scheduled | 2026-12-31T00:00:00Z | ✅ in force |',
    );
    expect(md).toContain('| ➖ n/a | `provenance-covers-subject` |');
    // Results by control: each with what cites it; unmapped rules last.
    const controls = md.slice(md.indexOf('## Results by control'), md.indexOf('## Evidence'));
    // CC8.1's rules passed, but nothing shows who approved the changes or what they shipped: partly shown, and the
    // Missing column says which part.
    expect(controls).toContain(
      '| `SOC2-CC8.1` Changes are authorised, designed, developed, configured, documented, tested, approved and implemented | ◐ partly shown | ✅ pass `coverage-floor`; ✅ pass `tests-pass` | needs approval of each change',
    );
    // A control whose only rule was waived, with a need not shown, is not "held under a waiver" either.
    expect(controls).toContain(
      '| `SOC2-CC7.1` Detection and monitoring of configuration changes and newly discovered vulnerabilities | ◐ partly shown |',
    );
    // Catalog order (SOC 2, ISO 27001, SSDF, SLSA, CRA), then the policy's own; an ISO control outside the shipped
    // range keeps its id, without a title.
    expect(controls.indexOf('SOC2-CC7.1')).toBeLessThan(controls.indexOf('ISO27001-A.8.8'));
    expect(controls).toContain('| `ISO27001-A.8.8` | ⚠️ waived |');
    expect(controls.trimEnd().endsWith('| _(no control)_ | ✅ pass | ✅ pass `changelog-present` | – |')).toBe(true);
    // Evidence: one line per entry, every kind summarised.
    expect(md).toContain('## Evidence (13)');
    for (const kind of [
      'sbom',
      'sarif',
      'junit',
      'coverage',
      'k6',
      'terraform',
      'migrations',
      'dora',
      'slo',
      'attestation',
    ]) {
      const row = rowsOf(md).find((r) => r[1] === kind);
      expect(row, kind).toBeDefined();
      expect(row?.[3]?.trim().length, kind).toBeGreaterThan(5);
    }
    expect(md).toContain(
      '| `junit/unit.junit.xml` | junit | 1000 B | 40 tests: 35 passed, 2 failed, 0 errored, 3 skipped in 1.2 s |',
    );
    expect(md).toContain('https://slsa.dev/provenance/v1 by');
  });

  it('reports a failing release: integrity failure, policy failure, expired waiver, skipped check', () => {
    const md = renderMarkdown(failingInput());
    expect(md).toContain('**❌ VERIFICATION FAILED**');
    expect(md).toContain(
      '| Is the bundle authentic? | ❌ no: 1 verification check failed (BLOB\\_DIGEST\\_MISMATCH) |',
    );
    expect(md).toContain('| What does the evidence say? | ➖ not assessed |');
    expect(md).toContain('## Checks (1 failed, 1 not made)');
    expect(md).toMatch(
      /\| ❌ fail \| `blobs` \| `BLOB_DIGEST_MISMATCH` \| blob for sbom\/acme-web\.cdx\.json .* \(at blobs\/sha256\/aa\) \(expected sha256:a+, found sha256:b+\) \|/,
    );
    expect(md).toContain('| ⏭ skipped | `subjects` | `NO_SUBJECTS_GIVEN` |');
    expect(md).toContain('## Policy: ❌ not satisfied');
    expect(md).toContain('| ❌ fail | `dast` | 0 |');
    expect(md).toContain('| ❌ fail | `no-critical-vulns` | `SOC2-CC7.1` | 1 critical finding (waiver expired) |');
    expect(md).toMatch(/\| `no-critical-vulns` \| accepted risk .* \| 2026-01-01T00:00:00Z \| ❌ expired \|/);
    expect(md).toContain('| ❌ error | `k6-typo` |');
    expect(md).toContain('| ❌ fail | `sbom-matches-subjects` | the SBOM names acme-web 1.4.1, not 1.4.2 |');
    expect(md).toContain(
      '| `SOC2-CC8.1` Changes are authorised, designed, developed, configured, documented, tested, approved and implemented | ❌ fail | ❌ fail `tests-pass`; ✅ pass `coverage-floor` |',
    );
  });

  it('calls a policy failure of an authentic bundle a policy failure, never a verification failure', () => {
    const input = passingInput();
    const policy = input.policy as NonNullable<typeof input.policy>;
    input.policy = {
      ...policy,
      ok: false,
      rules: policy.rules.map((r) => (r.name === 'tests-pass' ? { ...r, status: 'fail' as const } : r)),
    };
    const md = renderMarkdown(input);
    expect(md).toContain('**❌ POLICY FAILED**');
    expect(md).toContain(`| Is the bundle authentic? | ✅ yes: signed by ${IDENTITY}`);
    expect(md).toContain('| Did the policy hold? | ❌ no: release-policy.yaml: 1 rule failed (tests-pass) |');
    expect(md.toLowerCase()).not.toContain('verification failed');
  });

  it('escapes untrusted strings: no raw HTML, no table breakouts, no links or images', () => {
    const md = renderMarkdown(failingInput());
    expect(md).not.toMatch(/<\s*(script|img|svg)/i);
    expect(md).not.toContain('<');
    expect(md).toContain('&lt;script&gt;window.\\_\\_pwned = 1; alert(1)&lt;/script&gt;');
    expect(md).toContain('"&gt;&lt;img src=x onerror="window.\\_\\_pwned = 2"&gt;');
    // `|` inside a cell is escaped and a newline never ends a row early.
    expect(md).toContain('| Bundle | evil \\| bundle next.tar.gz |');
    expect(md).toContain('3 tests failed \\| 1 errored');
    const table = rowsOf(md);
    for (const row of table.filter((r) => r.some((c) => c.includes('bundle next')))) expect(row).toHaveLength(2);
    // Every line of every table has the column count of its header.
    const lines = md.split('\n');
    let cols = 0;
    for (const [i, l] of lines.entries()) {
      if (!l.startsWith('|')) {
        cols = 0;
        continue;
      }
      const n = l.split(/(?<!\\)\|/).length - 2;
      if (cols === 0) cols = n;
      else expect(n, `line ${i + 1}: ${l}`).toBe(cols);
    }
    // Markdown link/image syntax from the data is neutralised.
    const withLink = passingInput();
    withLink.subjects = [
      {
        name: '![x](https://tracker.example/p.png) [click](javascript:alert(1)) $x^2$ **bold**',
        digest: D('3'),
        size: 1,
      },
    ];
    const md2 = renderMarkdown(withLink);
    expect(md2).toContain(
      '\\!\\[x\\](https://tracker.example/p.png) \\[click\\](javascript:alert(1)) \\$x^2\\$ \\*\\*bold\\*\\*',
    );
  });

  it('says so when there is no policy and the bundle was only checked for integrity', () => {
    const input = passingInput();
    delete input.policy;
    input.report = { ...input.report, mode: 'integrity-only', signature: undefined };
    const md = renderMarkdown(input);
    expect(md).toContain('**⚠️ INTEGRITY ONLY**');
    expect(md).toContain(
      '| Is the bundle authentic? | ⚠️ not checked (integrity only): integrity only: the content matches its digests, but the signature was NOT checked, so who made it is unknown |',
    );
    expect(md).toContain('| Did the policy hold? | ➖ not evaluated: no policy was given |');
    expect(md).toContain("(the bundle's own claims, not signature-checked)");
    expect(md).not.toContain('✅ yes');
    expect(md).not.toContain('## Policy');
    expect(md).not.toContain('| Signer |');
  });

  it('takes the policy from the report when the input has none', () => {
    const input = failingInput();
    const policy = input.policy;
    delete input.policy;
    Object.assign(input.report, { policy });
    expect(renderMarkdown(input)).toContain('## Policy: ❌ not satisfied');
  });

  it("never throws on a summary that does not have its kind's shape", () => {
    const input = passingInput();
    input.entries = [
      {
        path: 'sbom/x.json',
        kind: 'sbom',
        mediaType: 'application/json',
        digest: D('1'),
        size: 1,
        summary: { format: 'cyclonedx' },
      },
    ];
    expect(renderMarkdown(input)).toContain('| `sbom/x.json` | sbom | 1 B | (summary not readable) |');
  });
});

import {
  summarizePeriod,
  type AuditReport,
  type PeriodControl,
  type PeriodMemberInput,
  type TrendPoint,
} from '../../src/verifier/period.js';

const DAY = 86_400_000;

/**
 * A period report of `n` releases with long tags, long URLs and long digests,
 * trend figures on every examined release (a findings series all zero), and
 * controls citing long rule names: for layout and chart tests of renderAuditHtml.
 * The summary is made by summarizePeriod; trends and controls are set here, as the
 * command would after verifying each release.
 */
export function longPeriodReport(
  n = 25,
  tag: (i: number) => string = (i) =>
    `web-frontend-release-2026.${String(i + 1).padStart(2, '0')}.0-rc.1+build.${1000 + i}`,
): AuditReport {
  const members: PeriodMemberInput[] = Array.from({ length: n }, (_, i) => ({
    id: tag(i),
    published: new Date(Date.UTC(2026, 0, 3) + i * 6 * DAY).toISOString(),
    url: `https://github.com/acme-corporation-with-a-long-name/web-frontend-monorepo/releases/tag/${encodeURIComponent(tag(i))}`,
    sampled: true,
    evidence: {
      state: 'missing',
      message: `no evidence bundle among the assets of release ${tag(i)} (looked for evidence-*.tar.gz and sha256:${'9f'.repeat(32)})`,
      bundle: {
        name: `evidence-${tag(i)}.tar.gz`,
        digest: `sha256:${(i.toString(16).padStart(2, '0') + 'c0ffee').repeat(9).slice(0, 64)}`,
        size: 123456,
      },
    },
  }));
  const summary = summarizePeriod({ since: '2026-01-01', until: '2026-06-30', members });
  const trends: TrendPoint[] = summary.members.map((m, i) => ({
    id: m.id,
    published: m.published,
    unverified: i % 7 === 3,
    tests: 1200 + i * 37 + (i % 3) * 11,
    testsFailed: i % 5 === 0 ? 2 : 0,
    findingsCritical: 0,
    findingsHigh: 0,
    vulnerabilities:
      i % 2 === 0
        ? {
            findings: 10 + i,
            notAffected: 3,
            fixed: 2,
            affected: 1,
            underInvestigation: 0,
            none: 4 + i,
            openCritical: i % 3 === 0 ? 1 : 0,
            knownExploitedOpen: 0,
          }
        : null,
    deploymentsPerDay: 1.5 + (i % 4) * 0.25,
    leadTimeMedianSeconds: 3600 * (20 + (i % 6) * 3),
    changeFailureRate: 0.05,
    timeToRestoreMedianSeconds: 5400,
    sloBudgetRemaining: 0.8 - i * 0.01,
  }));
  summary.members.forEach((m, i) => (m.trend = trends[i]));
  summary.trends = trends;
  const control = (id: string, title: string): PeriodControl => ({
    id,
    title,
    citations: [
      {
        type: 'rule',
        name: `no-critical-findings-in-any-sarif-report-of-the-release-${'x'.repeat(40)}`,
        kinds: ['sarif'],
      },
      { type: 'requirement', name: 'sbom', kinds: ['sbom'] },
    ],
    kinds: ['sarif', 'sbom'],
    held: n - 3,
    waived: 1,
    failed: 2,
    partlyShown: 0,
    notShown: 0,
    missing: [{ what: `a SARIF report whose tool is pinned to sha256:${'ab'.repeat(32)}`, releases: [tag(1), tag(2)] }],
    notEvaluated: 0,
    failedIn: [tag(1), tag(2)],
  });
  summary.controls = [
    control('SSDF-PW.7.2', 'Review and/or analyze human-readable code to identify vulnerabilities'),
    control('acme-internal-control-with-a-very-long-identifier-that-does-not-break', ''),
  ];
  return {
    kind: 'evidence-audit',
    version: 1,
    source: {
      type: 'github',
      repository: 'acme-corporation-with-a-long-name/web-frontend-monorepo',
      apiUrl: 'https://api.github.com',
    },
    generatedAt: '2026-07-01T00:00:00.000Z',
    policy: { path: 'policies/release-policy-for-the-web-frontend-monorepo.yaml', digest: `sha256:${'d1'.repeat(32)}` },
    identity: {},
    summary,
  };
}

import type { ReleaseReportInput } from '../../src/present/model.js';
import type { PolicyResult } from '../../src/verifier/policy-result.js';
import type { Check } from '../../src/verifier/report.js';

// ---------------------------------------------------------------------------
// Fixtures: a passing signed release with every evidence kind, and a failing
// one (policy failure, expired waiver, integrity failure) carrying hostile
// strings wherever the bundle's contents reach the report.
// ---------------------------------------------------------------------------

export const IDENTITY = 'https://github.com/acme/web/.github/workflows/release.yml@refs/tags/v1.4.2';
export const ISSUER = 'https://token.actions.githubusercontent.com';
export const D = (c: string): string => `sha256:${c.repeat(64)}`;

export function entries(): ReleaseReportInput['entries'] {
  const e = (
    path: string,
    kind: string,
    mediaType: string,
    summary: Record<string, unknown>,
    size = 1000,
  ): ReleaseReportInput['entries'][number] => ({
    path,
    kind,
    mediaType,
    digest: D(path.length.toString(16).slice(-1)),
    size,
    summary,
  });
  return [
    e('attestation/provenance.sigstore.json', 'attestation', 'application/vnd.dev.sigstore.bundle.v0.3+json', {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      content: 'dsse',
      payloadType: 'application/vnd.in-toto+json',
      predicateType: 'https://slsa.dev/provenance/v1',
      subjects: [{ name: 'acme-web-1.4.2.tgz', digest: { sha256: 'ab'.repeat(32) } }],
      signer: { kind: 'certificate', identity: IDENTITY, issuer: ISSUER },
      tlogEntries: 1,
      timestamps: 0,
    }),
    e(
      'coverage/lcov.info',
      'coverage',
      'text/x-lcov',
      {
        format: 'lcov',
        lines: { covered: 12, total: 21, ratio: 12 / 21 },
        branches: { covered: 8, total: 17, ratio: 8 / 17 },
      },
      742,
    ),
    e('dora/dora.json', 'dora', 'application/vnd.evidence.dora+json', {
      asOf: '2026-11-01T00:00:00Z',
      environment: 'production',
      windowDays: 30,
      deployments: 5,
      deploymentsPerDay: 5 / 30,
      band: 'weekly',
      commits: 12,
      leadTimeSeconds: { median: 190800, p90: 612000 },
      changeFailureRate: 0.4,
      failedDeployments: 2,
      timeToRestoreSeconds: { median: 5400 },
      incidents: 3,
      resolvedIncidents: 2,
    }),
    e('junit/integration.junit.xml', 'junit', 'application/xml', {
      tests: 6,
      passed: 2,
      failed: 1,
      errored: 1,
      skipped: 2,
      durationSeconds: 0.058,
    }),
    e('junit/unit.junit.xml', 'junit', 'application/xml', {
      tests: 40,
      passed: 35,
      failed: 2,
      errored: 0,
      skipped: 3,
      durationSeconds: 1.2,
    }),
    e('k6/summary.json', 'k6', 'application/json', {
      checks: { passed: 1180, failed: 20 },
      thresholds: { passed: ['checks:rate>0.95'], failed: ['http_req_failed:rate<0.01'] },
      httpReqDuration: { p90: 351.77, p95: 488.012, p99: 912.5 },
      httpReqFailedRate: 0.0125,
    }),
    e('migrations/db-migrations.json', 'migrations', 'application/vnd.evidence.migrations+json', {
      files: 4,
      statements: 23,
      destructive: [
        { file: '0002_cleanup.sql', line: 4, kind: 'DELETE WITHOUT WHERE', statement: 'DELETE FROM audit_log' },
      ],
    }),
    e('release-notes/CHANGELOG.md', 'release-notes', 'text/markdown', {}, 111),
    e('sarif/codeql.sarif', 'sarif', 'application/sarif+json', {
      tools: ['CodeQL'],
      results: 9,
      levels: { error: 3, warning: 6, note: 0, none: 0 },
      severities: { critical: 1, high: 3, medium: 4, low: 1 },
    }),
    e('sarif/eslint.sarif', 'sarif', 'application/sarif+json', {
      tools: ['ESLint'],
      results: 8,
      levels: { error: 4, warning: 4, note: 0, none: 0 },
      severities: { critical: 0, high: 1, medium: 0, low: 2 },
    }),
    e('sbom/acme-web.cdx.json', 'sbom', 'application/vnd.cyclonedx+json', {
      format: 'cyclonedx',
      specVersion: '1.5',
      components: 11,
      licenses: ['Apache-2.0', 'MIT'],
      unlicensed: 1,
    }),
    e('slo/availability.snapshot.json', 'slo', 'application/vnd.evidence.slo-snapshot+json', {
      asOf: '2026-11-01T00:00:00Z',
      live: false,
      slos: [
        {
          name: 'requests-availability',
          service: 'acme-web',
          objective: 0.999,
          period: '30d',
          sli: 0.999695,
          errorBudget: { total: 0.001, consumed: 0.3046, remaining: 0.6954 },
          burnRates: { '5m': 2.4, '30m': 1.6, '1h': 0.9, '2h': 0.6, '6h': 0.3, '1d': 0.3, '3d': 0.25 },
          alerts: { page: false, ticket: true },
        },
        {
          name: 'latency-p95',
          objective: 0.99,
          period: '30d',
          sli: 0.985,
          errorBudget: { total: 0.01, consumed: 1.5, remaining: -0.5 },
          burnRates: { '5m': 1.1, '30m': 1.2, '1h': 1.4, '2h': 1.5, '6h': 1.5, '1d': 1.5, '3d': 1.5 },
          alerts: { page: true, ticket: true },
        },
      ],
    }),
    e('terraform/plan.json', 'terraform', 'application/json', {
      terraformVersion: '1.9.5',
      changes: { create: 2, update: 1, delete: 0, replace: 0, noop: 1, read: 1 },
      destructive: false,
      destructiveAddresses: [],
    }),
  ];
}

export const CHECK_MESSAGES: [Check['id'], string][] = [
  ['archive', 'gzip and tar are well formed (23129 bytes, nothing after the end)'],
  ['members', '15 members, all regular files with allowed names, in order'],
  ['manifest', 'manifest.json is valid, canonical and of format version 1'],
  ['blobs', '14 blobs match their names and declared sizes'],
  ['entries', 'every entry has its blob and every blob an entry (14 entries)'],
  ['sha256sums', 'SHA256SUMS agrees with the manifest and blobs'],
  ['subjects', 'the release artifact matches its subject'],
  ['signature', 'signature verified (Fulcio certificate; Rekor entry #8573023)'],
  ['identity', `signed by ${IDENTITY} (issuer ${ISSUER})`],
  ['statement', 'the attestation covers manifest.json and 1 release subject'],
];

export function passingInput(): ReleaseReportInput {
  return {
    generatedAt: '2026-11-22T16:00:00Z',
    source: {
      repository: 'https://github.com/acme/web',
      commit: '8ede4e336ffbafffe7aa65006224d8050167720d',
      ref: 'refs/tags/v1.4.2',
    },
    subjects: [{ name: 'acme-web-1.4.2.tgz', digest: D('3'), size: 344 }],
    entries: entries(),
    report: {
      ok: true,
      mode: 'signed',
      bundle: {
        path: 'acme-web-1.4.2.evidence.tar.gz',
        digest: D('a'),
        manifestDigest: D('e'),
        size: 23129,
        name: 'acme-web',
        version: '1.4.2',
        created: '2026-11-22T15:47:24Z',
        entries: 14,
        subjects: 1,
      },
      checks: CHECK_MESSAGES.map(([id, message]) => ({ id, ok: true, message })),
      signature: {
        kind: 'certificate',
        identity: IDENTITY,
        issuer: ISSUER,
        claims: {
          buildSignerUri: IDENTITY,
          sourceRepositoryUri: 'https://github.com/acme/web',
          sourceRepositoryRef: 'refs/tags/v1.4.2',
          sourceRepositoryDigest: '3d7e7e989f80962dbb8678a994ad7c0b8269bf98',
          buildTrigger: 'push',
          runnerEnvironment: 'github-hosted',
        },
        tlog: [
          {
            logIndex: '8573023',
            integratedTime: '2026-11-22T15:47:25.000Z',
            logId: 'XyECW60lzZkKGqRqyASq+0XHNNWPycsWJagOokqPJqw=',
            timeVerified: true,
          },
        ],
        timestamps: [{ time: '2026-11-22T15:47:25.000Z' }],
        trustedRoot: { source: 'public-good (embedded)', date: '2026-11-21T15:47:23.363Z' },
      },
    },
    policy: {
      ok: true,
      policy: { path: 'release-policy.yaml', digest: D('c') },
      evaluatedAt: '2026-11-22T16:00:00Z',
      identity: { status: 'pass', message: `signer ${IDENTITY} matches the policy` },
      requirements: [
        { kind: 'sbom', status: 'pass', message: '1 sbom entry', count: 1 },
        { kind: 'sarif', status: 'pass', message: '2 sarif entries, newest 1 h old', count: 2, maxAge: '7d' },
        { kind: 'junit', status: 'pass', message: '2 junit entries', count: 2 },
      ],
      rules: [
        {
          name: 'no-critical-vulns',
          expr: 'sarif.all(s, s.severities.critical == 0)',
          status: 'waived',
          message: '1 critical finding',
          reads: [{ kind: 'sarif', count: 2 }],
          controls: ['SOC2-CC7.1', 'ISO27001-A.8.8'],
          waiver: {
            reason: 'CVE-2026-0001 not reachable; fix scheduled',
            expires: '2026-12-31T00:00:00Z',
            expired: false,
          },
        },
        {
          name: 'coverage-floor',
          expr: 'coverage.lines.ratio >= 0.5',
          status: 'pass',
          message: 'line coverage 57.1% >= 50%',
          reads: [{ kind: 'coverage', count: 1 }],
          controls: ['SOC2-CC8.1'],
        },
        {
          name: 'tests-pass',
          expr: 'junit.all(j, j.failed == 0)',
          status: 'pass',
          message: 'no failed tests',
          reads: [{ kind: 'junit', count: 2 }],
          controls: ['SOC2-CC8.1'],
        },
        {
          name: 'changelog-present',
          expr: "has(entries['release-notes'])",
          status: 'pass',
          message: 'release notes present',
          reads: [],
          controls: [],
        },
      ],
      crossChecks: [
        { name: 'sbom-matches-subjects', status: 'pass', message: 'the SBOM names acme-web 1.4.2' },
        { name: 'provenance-covers-subject', status: 'not-applicable', message: 'no provenance subject to compare' },
      ],
      evidence: { kinds: { sbom: 1, sarif: 2, junit: 2, coverage: 1, k6: 1 }, signed: true },
    },
  };
}

export const SCRIPT = '<script>window.__pwned = 1; alert(1)</script>';
export const IMG = '"><img src=x onerror="window.__pwned = 2">';
export const SVG = '\'><svg onload="window.__pwned = 3">';

export function failingInput(): ReleaseReportInput {
  const base = passingInput();
  const hostileEntries = base.entries.map((e) =>
    e.kind === 'sarif'
      ? { ...e, summary: { ...e.summary, tools: [`Evil${SCRIPT}`] } }
      : e.kind === 'dora'
        ? { ...e, summary: { ...e.summary, environment: `prod${IMG}` } }
        : e,
  );
  hostileEntries.push({
    path: `notes/${IMG}.md`,
    kind: 'release-notes',
    mediaType: 'text/markdown',
    digest: D('9'),
    size: 5,
    summary: {},
  });
  return {
    ...base,
    source: { repository: `https://github.com/acme/web${SCRIPT}`, ref: 'refs/heads/main' },
    subjects: [{ name: `acme-web${SCRIPT}.tgz`, digest: D('3'), size: 344 }],
    entries: hostileEntries,
    report: {
      ...base.report,
      ok: false,
      bundle: { ...base.report.bundle, name: `acme-web${SVG}`, path: 'evil | bundle\nnext.tar.gz' },
      checks: base.report.checks.map((c) =>
        c.id === 'blobs'
          ? {
              ...c,
              ok: false,
              code: 'BLOB_DIGEST_MISMATCH',
              message: `blob for sbom/acme-web.cdx.json does not match its digest ${IMG}`,
              path: 'blobs/sha256/aa',
              expected: D('a'),
              found: D('b'),
            }
          : c.id === 'subjects'
            ? {
                ...c,
                ok: false,
                skipped: true,
                code: 'NO_SUBJECTS_GIVEN',
                message: 'no release artifact was given to check (--subject)',
              }
            : c,
      ),
    },
    policy: {
      ...(base.policy as PolicyResult),
      ok: false,
      requirements: [
        { kind: 'sbom', status: 'pass', message: '1 sbom entry', count: 1 },
        { kind: 'dast', status: 'fail', message: 'no dast entry in the bundle', count: 0 },
      ],
      rules: [
        {
          name: 'no-critical-vulns',
          expr: 'sarif.all(s, s.severities.critical == 0)',
          status: 'fail',
          message: '1 critical finding',
          reads: [{ kind: 'sarif', count: 2 }],
          controls: ['SOC2-CC7.1'],
          waiver: { reason: `accepted risk ${SCRIPT}`, expires: '2026-01-01T00:00:00Z', expired: true },
        },
        {
          name: 'tests-pass',
          expr: 'junit.all(j, j.failed == 0)',
          status: 'fail',
          message: '3 tests failed | 1 errored',
          reads: [{ kind: 'junit', count: 2 }],
          controls: ['SOC2-CC8.1'],
        },
        {
          name: 'coverage-floor',
          expr: 'coverage.lines.ratio >= 0.5',
          status: 'pass',
          message: 'line coverage 57.1% >= 50%',
          reads: [{ kind: 'coverage', count: 1 }],
          controls: ['SOC2-CC8.1'],
        },
        {
          name: 'k6-typo',
          expr: 'k6.checks.passd > 0',
          status: 'error',
          message: 'no such key: passd',
          reads: [{ kind: 'k6', count: 1 }],
          controls: [],
        },
      ],
      crossChecks: [
        { name: 'sbom-matches-subjects', status: 'fail', message: 'the SBOM names acme-web 1.4.1, not 1.4.2' },
      ],
    },
  };
}

/**
 * The failing input's hostile strings in a bundle whose checks pass (its policy still fails): a signer's own strings are
 * as hostile as a forger's, and only an authentic bundle's figures are drawn, so this is where they reach the charts.
 */
export function hostileInput(): ReleaseReportInput {
  const failing = failingInput();
  return { ...failing, report: { ...failing.report, ok: true, checks: passingInput().report.checks } };
}

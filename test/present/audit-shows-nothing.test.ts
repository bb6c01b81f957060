import { describe, expect, it } from 'vitest';
import { formatAuditMarkdown, formatAuditText } from '../../src/present/audit.js';
import { renderAuditHtml } from '../../src/present/audit-html.js';
import { oscalAssessmentResults } from '../../src/present/oscal.js';
import { validateOscalAssessmentResults } from '../../src/formats/oscal.js';
import { loadPolicy } from '../../src/verifier/policy/evaluate.js';
import { summarizePeriod, type AuditReport, type PeriodMemberInput } from '../../src/verifier/period.js';
import type { PolicyResult } from '../../src/verifier/policy-result.js';
import { exitCodeForPeriod, ExitCode } from '../../cli/exit-codes.js';

/**
 * A release whose policy held on no evidence (verify's POLICY SHOWS NOTHING) has a standing of its own in the audit:
 * never `holds`, never counted among the releases that hold, never a satisfied OSCAL finding, and the period's headline
 * never EVERY RELEASE HOLDS (class: a rule over an empty list shows nothing, in the period view too).
 */
const POLICY = loadPolicy(
  Buffer.from(
    [
      'version: 1',
      'rules:',
      '  - name: no-destructive-migrations',
      '    expr: migrations.all(m, size(m.destructive) == 0)',
      '    controls: [ACME-DB-1]',
    ].join('\n'),
  ),
  'policy.yaml',
);

/** An authentic release whose one rule read `migrations` entries: `count` of them (0: it ranged over nothing). */
function release(id: string, published: string, count: number): PeriodMemberInput {
  const policy: PolicyResult = {
    ok: true,
    policy: { path: 'policy.yaml', digest: POLICY.digest },
    evaluatedAt: published,
    identity: { status: 'none', message: '' },
    requirements: [],
    rules: [
      {
        name: 'no-destructive-migrations',
        expr: 'migrations.all(m, size(m.destructive) == 0)',
        status: 'pass',
        message: 'holds',
        controls: ['ACME-DB-1'],
        reads: [{ kind: 'migrations', count }],
      },
    ],
    crossChecks: [],
    evidence: { kinds: count ? { migrations: count } : {}, signed: true },
  };
  const shows = count === 0 ? 'nothing' : 'evidence';
  return {
    id,
    published,
    sampled: true,
    evidence: { state: 'found', bundle: { name: `${id}.tar.gz`, digest: `sha256:${'a'.repeat(64)}`, size: 1 } },
    report: {
      ok: true,
      mode: 'signed',
      bundle: { size: 1 },
      checks: [],
      policy,
      assessment: {
        authenticity: { status: 'authentic', method: 'identity', summary: 'signed by the release workflow' },
        policy: {
          status: 'satisfied',
          shows,
          summary:
            shows === 'nothing'
              ? 'policy.yaml holds, but shows nothing: none of its 1 requirement, rule or cross-check read evidence'
              : 'policy.yaml holds',
        },
        evidence: { status: 'clean', unverified: false, findings: [], summary: 'no concerns' },
      },
    } as unknown as NonNullable<PeriodMemberInput['report']>,
  };
}

function report(members: PeriodMemberInput[]): AuditReport {
  return {
    kind: 'evidence-audit',
    version: 1,
    source: { type: 'github', repository: 'acme/web', apiUrl: 'https://api.github.com' },
    generatedAt: '2026-07-01T00:00:00.000Z',
    policy: { path: POLICY.path, digest: POLICY.digest },
    identity: {},
    summary: summarizePeriod({ since: '2026-01-01', until: '2026-06-30', members, policy: POLICY }),
  };
}

describe('an audit in which a release’s policy held but showed nothing', () => {
  const r = report([release('v1', '2026-02-01T00:00:00.000Z', 2), release('v2', '2026-03-01T00:00:00.000Z', 0)]);

  it('stands apart from the releases that hold, in the members, the counts and the verdict (exit 0, as verify)', () => {
    const s = r.summary;
    expect(s.members.map((m) => [m.id, m.status])).toEqual([
      ['v1', 'holds'],
      ['v2', 'shows-nothing'],
    ]);
    expect(s.counts).toMatchObject({ holds: 1, 'shows-nothing': 1, examined: 2 });
    expect(s.verdict).toBe('shows-nothing');
    // Not a policy failure (3), not a verification failure (1): 0, with a headline that is no plain pass.
    expect(exitCodeForPeriod(s.verdict)).toBe(ExitCode.Ok);
    // A worse standing elsewhere still decides.
    const failed = release('v3', '2026-04-01T00:00:00.000Z', 1);
    (failed.report as { assessment: { policy: { status: string } } }).assessment.policy.status = 'failed';
    expect(report([release('v2', '2026-03-01T00:00:00.000Z', 0), failed]).summary.verdict).toBe('policy-failed');
    // Every release showing evidence still holds.
    expect(report([release('v1', '2026-02-01T00:00:00.000Z', 2)]).summary.verdict).toBe('holds');
  });

  it('text and Markdown: the headline never says EVERY RELEASE HOLDS, the standing line counts it apart', () => {
    const text = formatAuditText(r);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^POLICY SHOWS NOTHING FOR 1 OF 2 RELEASES: /);
    expect(text).not.toContain('EVERY RELEASE HOLDS');
    expect(lines.find((l) => l.startsWith('standing:'))).toBe(
      'standing: 1 hold, 1 whose policy held but showed nothing',
    );
    expect(text).toMatch(/v2 +2026-03-01 +POLICY SHOWS NOTHING +authentic \(identity\) +holds, shows nothing +clean/);
    expect(text).toContain('  v2: authentic; policy.yaml holds, but shows nothing');
    const md = formatAuditMarkdown(r);
    expect(md).toContain(
      '**POLICY SHOWS NOTHING FOR 1 OF 2 RELEASES.** 1 hold, 1 whose policy held but showed nothing.',
    );
    expect(md).toContain('| `v2` | 2026-03-01 | POLICY SHOWS NOTHING | authentic (identity) | holds, shows nothing |');
  });

  it('a sample says it is one', () => {
    const sampled = report([
      release('v1', '2026-02-01T00:00:00.000Z', 0),
      { ...release('v2', '2026-03-01T00:00:00.000Z', 2), sampled: false },
    ]);
    expect(formatAuditText(sampled).split('\n')[0]).toMatch(/^POLICY SHOWS NOTHING FOR 1 OF 1 EXAMINED RELEASE: /);
  });

  it('JSON: the verdict and the counts say it', () => {
    const json = JSON.parse(JSON.stringify(r)) as AuditReport;
    expect(json.summary.verdict).toBe('shows-nothing');
    expect(json.summary.counts['shows-nothing']).toBe(1);
  });

  it('HTML: amber, never the green pass, with a mark and a row of its own in the standing chart', () => {
    const html = renderAuditHtml(r);
    expect(html).toContain('<section class="verdict warn" id="verdict"');
    expect(html).not.toContain('class="verdict pass"');
    expect(html).toContain('<tr class="standing-shows-nothing">');
    expect(html).toContain('<th scope="row">POLICY SHOWS NOTHING</th><td class="num">1</td>');
    expect(html).toContain('○ the policy held but showed nothing');
  });

  it('OSCAL: the observation says it, and no finding is satisfied over it', () => {
    const doc = oscalAssessmentResults(r);
    expect(validateOscalAssessmentResults(doc)).toEqual({ ok: true });
    const result = doc['assessment-results'].results[0];
    const obs = result?.observations?.find((o) => o.props?.some((p) => p.name === 'release' && p.value === 'v2'));
    expect(obs?.title).toBe('Release v2: POLICY SHOWS NOTHING');
    expect(obs?.props).toContainEqual(expect.objectContaining({ name: 'standing', value: 'shows-nothing' }));
    expect(obs?.props).toContainEqual(expect.objectContaining({ name: 'policy-shows', value: 'nothing' }));
    const finding = result?.findings?.find((f) => f.title.startsWith('ACME-DB-1'));
    expect(finding?.target.status.state).toBe('not-satisfied');
    expect(doc['assessment-results'].metadata.props).toContainEqual(
      expect.objectContaining({ name: 'verdict', value: 'shows-nothing' }),
    );
  });

  it('OSCAL: a control held only under a waiver is not satisfied in a release whose policy showed nothing', () => {
    const waived = release('v2', '2026-03-01T00:00:00.000Z', 1);
    const p = (waived.report as { policy: PolicyResult }).policy;
    p.rules[0] = { ...(p.rules[0] as PolicyResult['rules'][number]), status: 'waived', message: '1 destructive' };
    // A waived rule did not hold: verify says the policy shows nothing (policyShown).
    (waived.report as { assessment: { policy: { shows: string } } }).assessment.policy.shows = 'nothing';
    const doc = oscalAssessmentResults(report([waived]));
    // The control's own state is "held under a waiver"; the release's policy showed nothing all the same.
    expect(report([waived]).summary.controls[0]).toMatchObject({ id: 'ACME-DB-1', waived: 1 });
    const finding = doc['assessment-results'].results[0]?.findings?.[0];
    expect(finding?.target.status.state).toBe('not-satisfied');
    expect(finding?.description).toContain('the policy held but showed nothing in v2');
  });
});

describe('an audit in which a release’s policy held with some checks reading no evidence', () => {
  /** v1 showed evidence; v2's policy held with part of it reading nothing (verify: `shows: partial`). */
  const partly = release('v2', '2026-03-01T00:00:00.000Z', 2);
  const policy = (partly.report as { assessment: { policy: { shows: string; summary: string } } }).assessment.policy;
  policy.shows = 'partial';
  policy.summary = 'policy.yaml holds; 1 of its 2 requirements, rules and cross-checks show nothing (rule x)';
  const r = report([release('v1', '2026-02-01T00:00:00.000Z', 2), partly]);

  it('holds, and the period says how many held so: in the counts, the headline and the release’s row', () => {
    expect(r.summary.members.map((m) => m.status)).toEqual(['holds', 'holds']);
    expect(r.summary.counts).toMatchObject({ holds: 2, partlyShown: 1 });
    expect(r.summary.verdict).toBe('holds');
    const text = formatAuditText(r);
    expect(text.split('\n')[0]).toMatch(/^EVERY RELEASE HOLDS \(1 PARTLY SHOWN: SOME CHECKS READ NO EVIDENCE\): /);
    expect(text).toContain('standing: 2 hold (1 of them partly shown: some checks read no evidence)');
    expect(text).toMatch(/v2 +2026-03-01 +holds +authentic \(identity\) +holds, partly shown +clean/);
    expect(formatAuditMarkdown(r)).toContain('**EVERY RELEASE HOLDS (1 PARTLY SHOWN: SOME CHECKS READ NO EVIDENCE).**');
    expect(renderAuditHtml(r)).toContain('EVERY RELEASE HOLDS (1 PARTLY SHOWN: SOME CHECKS READ NO EVIDENCE)');
    // A sample says both.
    const sampled = report([partly, { ...release('v3', '2026-04-01T00:00:00.000Z', 2), sampled: false }]);
    expect(formatAuditText(sampled).split('\n')[0]).toMatch(
      /^EVERY EXAMINED RELEASE HOLDS \(1 of 2, a sample; 1 PARTLY SHOWN: SOME CHECKS READ NO EVIDENCE\): /,
    );
    // Every release showing evidence: the plain headline, and no count of it.
    const plain = report([release('v1', '2026-02-01T00:00:00.000Z', 2)]);
    expect(plain.summary.counts.partlyShown).toBe(0);
    expect(formatAuditText(plain).split('\n')[0]).toMatch(/^EVERY RELEASE HOLDS: /);
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ChangeSummary, ChangesSummary } from '../../src/core/summaries.js';
import { changeSampleText } from '../../src/present/audit-changes.js';
import { renderAuditHtml } from '../../src/present/audit-html.js';
import { formatAuditMarkdown } from '../../src/present/audit.js';
import { oscalAssessmentResults } from '../../src/present/oscal.js';
import { summarizePeriod, type AuditReport } from '../../src/verifier/period.js';
import { checkAuditOptions } from '../../src/verifier/period-members.js';
import { CHANGE_SAMPLE_METHOD, changeSampleOf } from '../../src/verifier/period-changes.js';
import type { PeriodMember } from '../../src/verifier/period.js';
import { aChange, aChangesSummary, shaOf as sha } from '../helpers/changes.js';

const change = aChange;
const summary = (changes: ChangeSummary[], host = true): ChangesSummary => aChangesSummary(changes, { host });
const member = (id: string, status: PeriodMember['status'], s?: ChangesSummary, sampled = true): PeriodMember =>
  ({
    id,
    status,
    sampled,
    published: '2026-11-03T00:00:00Z',
    evidence: { state: 'found' },
    reason: '',
    entries: s
      ? [{ path: 'changes/changes.json', kind: 'changes', summary: s, collector: { name: 'changes', version: '1' } }]
      : [],
  }) as unknown as PeriodMember;

describe('the change sample of a period', () => {
  const members = [
    member('1.0.0', 'holds', summary([change(1), change(2, { emergency: true, approvedBeforeMerge: false })])),
    member('1.1.0', 'policy-failed', summary([change(3, { directPush: true, approvedByOther: false }), change(4)])),
    member('1.2.0', 'not-authentic', summary([change(5, { directPush: true })])),
    member('1.3.0', 'holds'),
    member('1.4.0', 'holds', summary([change(6)]), false),
  ];

  it('draws from the changes of examined, authentic releases by the recipe it states', () => {
    const cs = changeSampleOf(members, 2, 'q4');
    expect(cs.population).toBe(4);
    expect(cs.method).toBe(CHANGE_SAMPLE_METHOD);
    const key = (release: string, n: number): string =>
      createHash('sha256')
        .update(`q4\n${release}\n${sha(n)}`)
        .digest('hex');
    const expected = [
      ['1.0.0', 1],
      ['1.0.0', 2],
      ['1.1.0', 3],
      ['1.1.0', 4],
    ]
      .sort((a, b) => (key(a[0] as string, a[1] as number) < key(b[0] as string, b[1] as number) ? -1 : 1))
      .slice(0, 2)
      .map(([r, n]) => `${r as string}:${sha(n as number)}`)
      .sort();
    expect(cs.sampled.map((c) => `${c.release}:${c.commit}`).sort()).toEqual(expected);
    expect(
      changeSampleOf([...members].reverse(), 2, 'q4')
        .sampled.map((c) => c.commit)
        .sort(),
    ).toEqual(cs.sampled.map((c) => c.commit).sort());
  });

  it('lists every emergency change and direct push, and the releases without change evidence', () => {
    const cs = changeSampleOf(members, 1, 'q4');
    expect(cs.emergencies.map((c) => c.commit)).toEqual([sha(2)]);
    expect(cs.directPushes.map((c) => c.commit)).toEqual([sha(3)]);
    expect(cs.releasesWithoutChanges).toEqual(['1.3.0']);
  });

  it("a change's standing: meets, an exception, or not checked when no code host was asked", () => {
    const all = changeSampleOf(
      [...members, member('1.5.0', 'holds', summary([change(7, { approvedByOther: null })], false))],
      100,
      's',
    ).sampled;
    const by = Object.fromEntries(all.map((c) => [c.commit, c.standing]));
    expect(by[sha(1)]).toBe('meets');
    expect(by[sha(2)]).toBe('meets'); // an emergency approved after the fact
    expect(by[sha(3)]).toBe('exception');
    expect(by[sha(7)]).toBe('not-checked');
  });

  it('the text says "not checked", never "no", for a fact not checked', () => {
    const text = changeSampleText(
      changeSampleOf([member('2.0.0', 'holds', summary([change(8, { approvedByOther: null })], false))], 5, 's'),
    ).join('\n');
    expect(text).toMatch(/not checked/);
    expect(text).toContain('need --github-repo');
  });

  it('--sample-changes needs --seed, and a positive whole number (INVALID_OPTION)', () => {
    const base = {
      repo: 'acme/web',
      since: '2026-01-01',
      until: '2026-12-31',
      identity: { certificateIdentity: 'x', certificateOidcIssuer: 'y' },
    };
    const code = (o: object): string | undefined => {
      try {
        checkAuditOptions({ ...base, ...o });
        return undefined;
      } catch (e) {
        return (e as { code?: string }).code;
      }
    };
    expect(code({ sampleChanges: 3 })).toBe('INVALID_OPTION');
    expect(code({ sampleChanges: 0, seed: 's' })).toBe('INVALID_OPTION');
    expect(code({ sampleChanges: 3, seed: 's' })).toBeUndefined();
    expect(code({ seed: 's' })).toBe('INVALID_OPTION');
  });

  it('HTML, Markdown and OSCAL show the sample: a row per change, one observation per sampled change', () => {
    const summary = summarizePeriod({ since: '2026-01-01', until: '2026-12-31', members: [] });
    summary.changeSample = changeSampleOf(members, 3, 'q4');
    const report: AuditReport = {
      kind: 'evidence-audit',
      version: 1,
      source: { type: 'oci', repository: 'registry.example/acme/web' },
      generatedAt: '2026-12-05T00:00:00Z',
      identity: {},
      summary,
    };
    const page = renderAuditHtml(report);
    expect(page).toContain('id="changes"');
    expect(page.match(/<tr><th scope="row">1\.[01]\.0<\/th>/g)).toHaveLength(3);
    expect(formatAuditMarkdown(report)).toContain('## Changes (CC8.1 sample)');
    const observations = oscalAssessmentResults(report)['assessment-results'].results[0]?.observations ?? [];
    const changeObservations = observations.filter((o) => o.props?.some((p) => p.name === 'change-standing'));
    expect(changeObservations).toHaveLength(3);
    expect(new Set(changeObservations.map((o) => o.uuid)).size).toBe(3);
  });
});

import { describe, expect, it } from 'vitest';
import { formatAuditMarkdown, formatAuditText } from '../../src/present/audit.js';
import { renderAuditHtml } from '../../src/present/audit-html.js';
import { oscalAssessmentResults } from '../../src/present/oscal.js';
import { validateOscalAssessmentResults } from '../../src/formats/oscal.js';
import { summarizePeriod, type AuditReport, type PeriodMemberInput } from '../../src/verifier/period.js';

/** A period report built from members whose every string is hostile: the renderers must keep it inert. */
function report(members: PeriodMemberInput[]): AuditReport {
  return {
    kind: 'evidence-audit',
    version: 1,
    source: { type: 'oci', repository: 'oci://127.0.0.1:5000/acme/web' },
    generatedAt: '2026-07-01T00:00:00.000Z',
    identity: {},
    summary: summarizePeriod({ since: '2026-01-01', until: '2026-06-30', members }),
  };
}
const EVIL = 'v1\u001b]0;pwned\u0007\u001b[31m\nEVERY RELEASE HOLDS: forged\u202e';

describe('period reports of hostile strings', () => {
  const r = report([
    {
      id: 'v1.0.0',
      published: '2026-02-01T00:00:00.000Z',
      sampled: true,
      evidence: { state: 'missing', message: EVIL },
    },
    {
      id: ' v2 ',
      published: '2026-03-01T00:00:00.000Z',
      sampled: true,
      evidence: {
        state: 'found',
        code: 'X',
        message: `<script>alert(1)</script> | ${EVIL}`,
        bundle: { name: '<b>n</b>', digest: 'sha256:' + 'a'.repeat(64), size: 1, url: 'https://example.test/a' },
      },
    },
  ]);

  it('text: no control character reaches the output, and no forged line', () => {
    const text = formatAuditText(r);
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    expect(text.split('\n').filter((l) => l.startsWith('EVERY RELEASE HOLDS'))).toEqual([]);
    expect(text).toContain('\\u001b');
    expect(text.split('\n')[0]).toMatch(/^RELEASES WITHOUT AUTHENTIC EVIDENCE: /);
  });

  it('Markdown and HTML: markup stays text', () => {
    const md = formatAuditMarkdown(r);
    expect(md).not.toContain('<script>');
    // eslint-disable-next-line no-control-regex
    expect(md).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    const html = renderAuditHtml(r);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
  });

  it('OSCAL: values are trimmed to what OSCAL strings allow, and the document validates', () => {
    const doc = oscalAssessmentResults(r);
    expect(validateOscalAssessmentResults(doc)).toEqual({ ok: true });
    const props = doc['assessment-results'].results[0]?.observations?.flatMap((o) => o.props ?? []) ?? [];
    expect(props.find((p) => p.name === 'release' && p.value === 'v2')).toBeDefined();
  });

  it('an empty period is not a pass, and says so', () => {
    const empty = report([]);
    expect(empty.summary.verdict).toBe('empty');
    expect(formatAuditText(empty)).toMatch(/^NO RELEASES IN THE PERIOD/);
    expect(validateOscalAssessmentResults(oscalAssessmentResults(empty))).toEqual({ ok: true });
  });
});

describe("a release dated by its signer's own claim", () => {
  it('is marked so in text, Markdown, HTML and OSCAL: nothing but the signer vouches for the date', () => {
    const dated = (dated?: 'signer' | 'timestamp'): PeriodMemberInput => ({
      id: `v-${dated ?? 'source'}`,
      published: '2026-02-01T00:00:00.000Z',
      ...(dated ? { dated } : {}),
      sampled: true,
      evidence: { state: 'missing' },
    });
    const r = report([dated('signer'), dated('timestamp'), dated()]);
    const text = formatAuditText(r);
    expect(text).toMatch(/v-signer\s+2026-02-01 \(signer\)/);
    expect(text).toMatch(/v-timestamp\s+2026-02-01\s/);
    expect(text).toContain("(signer): dated by the bundle's own created time, which its signer wrote");
    expect(formatAuditMarkdown(r)).toContain('2026-02-01 (signer)');
    expect(renderAuditHtml(r)).toContain('(signer)</span>');
    const oscal = JSON.stringify(oscalAssessmentResults(r));
    expect(oscal).toContain("v-signer, dated by its signer's own created time 2026-02-01");
    expect(oscal).toContain('v-timestamp, signed (a verified timestamp) 2026-02-01');
    // Without one so dated, no legend.
    expect(formatAuditText(report([dated('timestamp')]))).not.toContain('(signer)');
  });
});

describe('an audit without a policy', () => {
  it('calls every release authentic, never holding, and writes no OSCAL assessment of controls it did not assess', async () => {
    const held: PeriodMemberInput = {
      id: 'v1',
      published: '2026-02-01T00:00:00.000Z',
      sampled: true,
      evidence: { state: 'found' },
      report: {
        ok: true,
        mode: 'signed',
        bundle: { size: 1 },
        checks: [],
        assessment: {
          authenticity: { status: 'authentic', summary: 'signed' },
          policy: { status: 'not-evaluated', summary: 'no policy' },
          evidence: { status: 'clean', unverified: false, findings: [], summary: '' },
        },
      } as unknown as NonNullable<PeriodMemberInput['report']>,
    };
    const r = report([held]);
    expect(r.summary.verdict).toBe('holds');
    expect(formatAuditText(r).split('\n')[0]).toMatch(/^EVERY RELEASE IS AUTHENTIC \(NO POLICY APPLIED\): /);
    expect(formatAuditMarkdown(r)).toContain('EVERY RELEASE IS AUTHENTIC (NO POLICY APPLIED)');
    expect(formatAuditText({ ...r, policy: { path: 'p.yaml', digest: 'sha256:0' } })).toMatch(/^EVERY RELEASE HOLDS: /);
    const { runCli } = await import('../helpers/io.js');
    // Refused before anything is read: the registry named here does not exist.
    const oscal = await runCli(
      ['audit', 'oci://127.0.0.1:1/acme/web', '--since', '2026-01-01', '--until', '2026-06-30', '--format', 'oscal'],
      { cwd: process.cwd() },
    );
    expect(oscal.code).toBe(2);
    expect(oscal.stderr).toMatch(/--format oscal assesses the controls a policy cites: give --policy \[USAGE\]/);
  });
});

describe("an authentic bundle that is not this release's evidence", () => {
  it('is named so in text, Markdown, HTML and OSCAL, never NOT AUTHENTIC beside a signature that verified', () => {
    const assessment = (authentic: boolean) => ({
      authenticity: authentic
        ? { status: 'authentic', method: 'keyless', summary: 'the signature verified' }
        : { status: 'failed', summary: 'the signature did not verify' },
      policy: { status: 'not-evaluated', summary: 'no policy' },
      release: { status: 'mismatch', summary: 'the bundle is the evidence of v0.9.0 (RELEASE_MISMATCH)' },
      evidence: { status: 'unknown', summary: 'not read', findings: [] },
    });
    const member = (id: string, authentic: boolean): PeriodMemberInput => ({
      id,
      published: '2026-02-01T00:00:00.000Z',
      sampled: true,
      evidence: { state: 'found' },
      report: { ok: false, checks: [], assessment: assessment(authentic) } as unknown as PeriodMemberInput['report'],
    });
    const r = report([member('v-other', true), member('v-forged', false)]);
    expect(r.summary.members.map((m) => m.status)).toEqual(['not-authentic', 'not-authentic']);
    const text = formatAuditText(r);
    expect(text).toMatch(/v-other\s+2026-02-01\s+NOT THIS RELEASE'S EVIDENCE\s+authentic \(keyless\)/);
    expect(text).toMatch(/v-forged\s+2026-02-01\s+NOT AUTHENTIC\s+NOT AUTHENTIC/);
    expect(formatAuditMarkdown(r)).toContain("NOT THIS RELEASE'S EVIDENCE");
    expect(renderAuditHtml(r)).toContain('NOT THIS RELEASE&#39;S EVIDENCE');
    const titles = oscalAssessmentResults(r)['assessment-results'].results[0]?.observations?.map((o) => o.title);
    expect(titles).toContain("Release v-other: NOT THIS RELEASE'S EVIDENCE");
    expect(titles).toContain('Release v-forged: NOT AUTHENTIC');
    // The counts say it too: in text and Markdown, and in the HTML chart's description and table.
    expect(text).toContain("standing: 0 hold, 1 not authentic, 1 with another release's evidence");
    const html = renderAuditHtml(r);
    expect(html).toContain('2 releases: 1 NOT AUTHENTIC, 1 NOT THIS RELEASE&#39;S EVIDENCE');
    expect(html).not.toContain('2 NOT AUTHENTIC');
  });

  it('a bundle whose bytes are not the ones the source listed stays NOT AUTHENTIC: that says nothing of whose it is', () => {
    const member: PeriodMemberInput = {
      id: 'v-swapped',
      published: '2026-02-01T00:00:00.000Z',
      sampled: true,
      evidence: { state: 'found', conflict: true, code: 'BUNDLE_DIGEST_MISMATCH', message: 'other bytes' },
      report: {
        ok: true,
        checks: [],
        assessment: {
          authenticity: { status: 'authentic', method: 'key', summary: 'verified' },
          policy: { status: 'not-evaluated', summary: 'no policy' },
          evidence: { status: 'unknown', summary: 'not read', findings: [] },
        },
      } as unknown as PeriodMemberInput['report'],
    };
    const released = (code: string): PeriodMemberInput => ({
      ...member,
      id: `v-${code}`,
      evidence: { ...member.evidence, code },
    });
    // An authentic bundle whose subjects miss the release's image is not its evidence either.
    const uncovered: PeriodMemberInput = {
      ...member,
      id: 'v-uncovered',
      evidence: { state: 'found' },
      report: {
        ...member.report,
        assessment: {
          ...member.report?.assessment,
          coverage: { status: 'not-covered', summary: 'the image is not a subject' },
        },
      } as unknown as PeriodMemberInput['report'],
    };
    const r = report([member, released('RELEASE_MISMATCH'), uncovered]);
    expect(formatAuditText(r)).toMatch(/v-uncovered\s+2026-02-01\s+NOT THIS RELEASE'S EVIDENCE/);
    const text = formatAuditText(r);
    expect(text).toMatch(/v-swapped\s+2026-02-01\s+NOT AUTHENTIC/);
    expect(text).toMatch(/v-RELEASE_MISMATCH\s+2026-02-01\s+NOT THIS RELEASE'S EVIDENCE/);
  });
});

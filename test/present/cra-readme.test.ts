/**
 * The Annex VII folder's README (src/present/cra.ts): its command to verify the bundle again is one a reader can paste
 * into a shell whatever the files are called, and names the signature when it is kept beside the bundle.
 */
import { describe, expect, it } from 'vitest';
import { renderAnnexViiReadme } from '../../src/present/cra.js';
import { summaryEntry } from '../helpers/entries.js';

const readme = (file: string, signature?: string) =>
  renderAnnexViiReadme({
    product: 'web',
    version: '1.0.0',
    bundle: { file, digest: `sha256:${'a'.repeat(64)}`, location: '/x', ...(signature ? { signature } : {}) },
    report: { ok: true, verdict: 'verified' },
    entries: [],
    generatedAt: '2026-12-06T00:00:00.000Z',
  });
const command = (text: string) => /`(evidence verify [^`]*)`/.exec(text)?.[1];

describe('the Annex VII README', () => {
  it('gives the verify command with --attestation when the signature is kept beside the bundle', () => {
    expect(command(readme('web.tar.gz'))).toBe('evidence verify bundle/web.tar.gz');
    expect(command(readme('web.tar.gz', 'web.sigstore.json'))).toBe(
      'evidence verify bundle/web.tar.gz --attestation bundle/web.sigstore.json',
    );
  });

  it('marks an entry that holds nothing, and leaves its point to complete', () => {
    const text = renderAnnexViiReadme({
      product: 'web',
      version: '1.0.0',
      bundle: { file: 'web.tar.gz', digest: `sha256:${'a'.repeat(64)}`, location: '/x' },
      report: { ok: true, verdict: 'verified' },
      entries: [
        summaryEntry('junit', 1, { tests: 0, passed: 0, failed: 0, errored: 0, skipped: 0, durationSeconds: 0 }),
      ],
      generatedAt: '2026-12-06T00:00:00.000Z',
    });
    const point6 = text.slice(text.indexOf('### 6.'), text.indexOf('### 7.'));
    expect(point6).toContain(
      'To complete: no evidence in the bundle documents this point (the entries below hold nothing)',
    );
    expect(point6).toContain(
      'holds nothing: a test report in which no test ran (none, or all skipped), so it documents nothing',
    );
  });

  it('quotes a file name a shell would read otherwise, so that pasting it runs nothing', () => {
    const line = readme("$(touch pwned);x 'y'.tar.gz")
      .split('\n')
      .find((l) => l.includes('evidence verify'));
    // As Markdown shows it (its backslash escapes read): the whole path is one single-quoted shell word.
    const shown = line?.replace(/\\([\\`*_{}[\]()#+\-.!$|<>&])/g, '$1');
    expect(shown).toContain(`evidence verify 'bundle/$(touch pwned);x '\\''y'\\''.tar.gz' with`);
  });
});

describe('a disposition in the drafts and answers', () => {
  const row = {
    bundle_digest: `sha256:${'a'.repeat(64)}`,
    location: 'b.tar.gz',
    product: 'app',
    version: '1.0.0',
    created: '2026-01-01T00:00:00Z',
    policy: 'none',
    scanned: 1,
    findings_read: 1,
    finding_id: 'CVE-2021-44228',
    purl: 'pkg:maven/x/log4j-core@2.14.1',
    severity: 'critical',
    status: 'not_affected',
    justification: 'inline_mitigations_already_exist',
    fix_versions: '',
    status_from: 'vex/late.openvex.json',
    known_exploited: 0,
  };

  it('indexed before schema 6: names the VEX document that set it, and says its author and contradicting statements are not recorded', async () => {
    const { renderCraNotificationMarkdown } = await import('../../src/present/cra.js');
    const { craNotificationDraft } = await import('../../src/release-index/cra.js');
    const { renderQueryAnswers } = await import('../../src/present/index-query.js');
    const old = { ...row, status_author: null, status_at: null, conflicts: null, conflicts_total: null };
    const d = craNotificationDraft({
      vulnerability: 'CVE-2021-44228',
      generatedAt: 'now',
      index: 'i.db',
      findings: [old],
      releases: [old],
    });
    expect(d.releases[0]?.findings[0]).toMatchObject({ provenanceRecorded: false });
    // Not counted as uncontested: not known.
    expect(d.summary).toMatchObject({ contested: 0, contestedNotRecorded: 1 });
    expect(renderCraNotificationMarkdown(d)).toContain('0; not known for 1 indexed before schema 6');
    // A finding no VEX statement set cannot be contested: not counted as unknown.
    const unstated = { ...old, status: 'none', justification: '', status_from: '' };
    const plain = craNotificationDraft({
      vulnerability: 'CVE-2021-44228',
      generatedAt: 'now',
      index: 'i.db',
      findings: [unstated],
      releases: [unstated],
    });
    expect(plain.summary).toMatchObject({ contested: 0, contestedNotRecorded: 0 });
    expect(d.releases[0]?.findings[0]?.contested).toBeUndefined();
    expect(renderCraNotificationMarkdown(d)).toContain(
      'stated in `vex/late.openvex.json` (who stated it, and any statement contradicting it, are not recorded: indexed before schema 6',
    );
    expect(renderQueryAnswers('text', { question: {}, rows: [old] })).toContain(
      'for releases indexed before schema 6, who stated it and any statement contradicting it are not in the index',
    );
  });

  it('says who stated it and when, and marks a status other statements contradicted as CONTESTED', async () => {
    const { renderCraNotificationMarkdown } = await import('../../src/present/cra.js');
    const { craNotificationDraft } = await import('../../src/release-index/cra.js');
    const { renderQueryAnswers } = await import('../../src/present/index-query.js');
    const contested = {
      ...row,
      status_author: 'Acme PSIRT',
      status_at: '2026-02-01T00:00:00Z',
      conflicts: 'vex/early.openvex.json#0: affected',
      conflicts_total: 1,
    };
    const settled = {
      ...contested,
      bundle_digest: `sha256:${'b'.repeat(64)}`,
      version: '1.1.0',
      conflicts: '',
      conflicts_total: 0,
    };
    const d = craNotificationDraft({
      vulnerability: 'CVE-2021-44228',
      generatedAt: 'now',
      index: 'i.db',
      findings: [contested, settled],
      releases: [contested, settled],
    });
    expect(d.summary).toMatchObject({ contested: 1, contestedNotRecorded: 0 });
    expect(d.releases.map((r) => r.findings[0]?.contested)).toEqual([
      { statements: ['vex/early.openvex.json#0: affected'], total: 1 },
      undefined,
    ]);
    const md = renderCraNotificationMarkdown(d);
    expect(md).toContain(
      'stated in `vex/late.openvex.json`, by Acme PSIRT as the document names its author, dated 2026-02-01T00:00:00Z by the document',
    );
    expect(md).toContain('**CONTESTED**: 1 other statement applied and said otherwise');
    expect(md.match(/CONTESTED\*\*/g)).toHaveLength(1);
    const text = renderQueryAnswers('text', { question: {}, rows: [contested, settled] });
    expect(text).toContain('conflicts="vex/early.openvex.json#0: affected" conflicts_total=1');
    expect(text).toContain('a status with conflicts is contested');
    expect(text).not.toContain('before schema 6');
    // A text from the evidence cannot pose as another field of the answer: quoted when it has a space or `=`.
    const posing = renderQueryAnswers('text', {
      question: {},
      rows: [{ ...contested, status_author: 'Acme status=affected justification=x' }],
    });
    expect(posing).toContain('status_author="Acme status=affected justification=x"');
  });
});

describe('the policy verdict the index holds, wherever it is printed', () => {
  const row = {
    bundle_digest: `sha256:${'b'.repeat(64)}`,
    location: 'b.tar.gz',
    product: 'app',
    version: '1.3',
    created: '2026-01-01T00:00:00Z',
    signer: 'key pub.pem',
    policy: 'pass',
    scanned: 0,
  };
  const nothing = { ...row, policy_shows: 'nothing' };
  // Indexed before schema 7: what the pass showed was not recorded.
  const old = { ...row, policy_shows: null };

  it('says a pass that showed nothing shows nothing, and a pass of an older index that what it showed is not recorded', async () => {
    const { renderQueryAnswers } = await import('../../src/present/index-query.js');
    const text = (r: Record<string, unknown>) => renderQueryAnswers('text', { question: {}, rows: [r] });
    expect(text(nothing)).toContain('(policy holds but SHOWS NOTHING: none of its checks read evidence; signed by');
    expect(text(nothing)).not.toContain('policy pass');
    expect(text({ ...row, policy_shows: 'partial' })).toContain('policy pass, partly shown');
    expect(text({ ...row, policy_shows: 'evidence' })).toContain('(policy pass; signed by');
    expect(text(old)).toContain('policy pass; what it showed is not recorded (indexed before schema 7');
    // JSON and CSV carry the column beside the verdict.
    expect(JSON.parse(renderQueryAnswers('json', { question: {}, rows: [nothing] }))).toMatchObject({
      answers: [{ policy: 'pass', policy_shows: 'nothing' }],
    });
    const csv = renderQueryAnswers('csv', { question: {}, rows: [nothing] }).split('\n');
    expect(csv[0]).toContain(',policy,policy_shows,');
    expect(csv[1]).toContain(',pass,nothing,');
  });

  it('in the CRA notification draft and the Annex VII README', async () => {
    const { renderCraNotificationMarkdown } = await import('../../src/present/cra.js');
    const { craNotificationDraft } = await import('../../src/release-index/cra.js');
    const d = craNotificationDraft({
      vulnerability: 'CVE-2021-23337',
      generatedAt: 'now',
      index: 'i.db',
      findings: [],
      releases: [nothing, { ...old, version: '1.0', bundle_digest: `sha256:${'c'.repeat(64)}` }],
    });
    expect(d.releases.map((r) => [r.version, r.policy, r.policyShows])).toEqual([
      ['1.3', 'pass', 'nothing'],
      ['1.0', 'pass', 'not-recorded'],
    ]);
    const md = renderCraNotificationMarkdown(d);
    expect(md).toContain('; policy holds but SHOWS NOTHING: none of its checks read evidence.');
    expect(md).toContain('; policy pass; what it showed is not recorded (indexed before schema 7');
    expect(md).not.toMatch(/; policy pass\.$/m);
    const readmeOf = (indexedPolicyShows?: string) =>
      renderAnnexViiReadme({
        product: 'app',
        version: '1.3',
        bundle: { file: 'b.tar.gz', digest: row.bundle_digest, location: 'b.tar.gz' },
        report: {
          ok: true,
          verdict: 'verified',
          indexedPolicy: 'pass',
          ...(indexedPolicyShows ? { indexedPolicyShows } : {}),
        },
        entries: [],
        generatedAt: 'now',
      });
    expect(readmeOf('nothing')).toContain('the policy applied then held but SHOWED NOTHING');
    expect(readmeOf('nothing')).not.toContain('it passed the policy');
    expect(readmeOf('not-recorded')).toContain('what that policy showed is not recorded (indexed before schema 7');
    expect(readmeOf('evidence')).toContain('When the release was indexed, it passed the policy applied then (');
  });
});

describe('a release that ships a component a finding names, in the draft and the answers', () => {
  it('says so, with the releases whose findings name it and what its own scan said', async () => {
    const { renderCraNotificationMarkdown } = await import('../../src/present/cra.js');
    const { craNotificationDraft } = await import('../../src/release-index/cra.js');
    const { renderQueryAnswers } = await import('../../src/present/index-query.js');
    const r = {
      bundle_digest: `sha256:${'d'.repeat(64)}`,
      location: 'b',
      product: 'app',
      version: '1.4',
      created: 't',
    };
    const shipped = {
      ...r,
      purl: 'pkg:npm/lodash@4.17.20',
      found_by: 'sbom',
      named_by: 'app 1.6',
      scan: 'not-reported',
      note: 'ships a component a finding of this vulnerability names (same package and version); its own scan did not report it',
    };
    const md = renderCraNotificationMarkdown(
      craNotificationDraft({
        vulnerability: 'CVE-2021-23337',
        generatedAt: 'now',
        index: 'i.db',
        findings: [],
        releases: [{ ...r, policy: 'none', scanned: 1, findings_read: 1 }],
        shipped: [shipped],
      }),
    );
    expect(md).toContain('### app 1.4: ships a component a finding of it names (same package and version)');
    expect(md).toContain(
      '- Its SBOM lists `pkg:npm/lodash@4.17.20`, the package and version a finding of it names (in the scans of app 1.6); its own scan did not report it.',
    );
    expect(md).toMatch(/\| ships a component a finding of it names [^|]+\| 1 \|/);
    const text = renderQueryAnswers('text', { question: {}, rows: [shipped] });
    expect(text).toContain('app 1.4: purl=pkg:npm/lodash@4.17.20 found_by=sbom named_by="app 1.6" scan=not-reported');
    expect(text).toContain('found_by sbom: the release');
  });
});

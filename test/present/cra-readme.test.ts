/**
 * The Annex VII folder's README (src/present/cra.ts): its command to verify the bundle again is one a reader can paste
 * into a shell whatever the files are called, and names the signature when it is kept beside the bundle.
 */
import { describe, expect, it } from 'vitest';
import { renderAnnexViiReadme } from '../../src/present/cra.js';

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
  it('names the VEX document that set it, and says its author and contradicting statements are not in the index', async () => {
    const { renderCraNotificationMarkdown } = await import('../../src/present/cra.js');
    const { craNotificationDraft } = await import('../../src/release-index/cra.js');
    const { renderQueryAnswers } = await import('../../src/present/index-query.js');
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
    const d = craNotificationDraft({
      vulnerability: 'CVE-2021-44228',
      generatedAt: 'now',
      index: 'i.db',
      findings: [row],
      releases: [row],
    });
    expect(renderCraNotificationMarkdown(d)).toContain(
      'stated in `vex/late.openvex.json` (who stated it, and any statement contradicting it, are not in the index',
    );
    expect(renderQueryAnswers('text', { question: {}, rows: [row] })).toContain(
      'status_from names the VEX document that set a status; who stated it, and any statement contradicting it, are not in the index',
    );
  });
});

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

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../src/core/canonical-json.js';
import { sha256Hex } from '../../src/core/digest.js';
import { sumsFor } from '../helpers/craft.js';
import { runCli } from '../helpers/io.js';
import { readMembers, writeMembers } from '../helpers/members.js';
import { EXAMPLE, keyPair } from '../helpers/release-bundles.js';

/**
 * Class: a report draws a bundle's figures as facts only when the bundle is authentic. A forged bundle (its JUnit blob
 * replaced by an all-passing one, the manifest and SHA256SUMS recomputed, the original signature kept) has its figures
 * left out of every format; an integrity-only bundle's are labelled as its own claims in every section showing them;
 * and a signature over another manifest is never labelled verified, nor its times.
 */
const FORGED_LINE = '6 tests: 6 passed, 0 failed';
const UNCHECKED = "(the bundle's own claims, not signature-checked)";
const UNCHECKED_HTML = '(the bundle&#39;s own claims, not signature-checked)';
let dir: string;

/** The JUnit blob replaced by a report of six passing tests; the manifest and SHA256SUMS made to agree again. */
async function forge(from: string, to: string): Promise<void> {
  const list = await readMembers(from);
  const manifestMember = list.find((m) => m.name === 'manifest.json') as { body: Buffer };
  const manifest = JSON.parse(manifestMember.body.toString()) as {
    entries: { kind: string; digest: string; size: number; summary: Record<string, unknown> }[];
  };
  const junit = manifest.entries.find((e) => e.kind === 'junit') as (typeof manifest.entries)[number];
  const oldHex = junit.digest.slice('sha256:'.length);
  const cases = Array.from({ length: 6 }, (_, i) => `<testcase classname="t" name="t${i}" time="0.1"/>`).join('');
  const body = Buffer.from(`<testsuite name="unit" tests="6" failures="0" errors="0" skipped="0">${cases}</testsuite>`);
  const hex = sha256Hex(body);
  Object.assign(junit, {
    digest: `sha256:${hex}`,
    size: body.length,
    summary: { ...junit.summary, tests: 6, passed: 6, failed: 0, errored: 0, skipped: 0 },
  });
  manifestMember.body = canonicalBytes(manifest);
  const kept = list.filter((m) => m.name !== `blobs/sha256/${oldHex}`);
  const blobs = [...kept.filter((m) => m.name.startsWith('blobs/')), { name: `blobs/sha256/${hex}`, body }].sort(
    (a, b) => (a.name < b.name ? -1 : 1),
  );
  const hexes = blobs.map((b) => b.name.slice('blobs/sha256/'.length));
  (kept.find((m) => m.name === 'SHA256SUMS') as { body: Buffer }).body = sumsFor(manifestMember.body, hexes);
  const head = kept.filter((m) => !m.name.startsWith('blobs/') && !m.name.startsWith('attestations/'));
  const tail = kept.filter((m) => m.name.startsWith('attestations/'));
  await writeMembers(to, [...head, ...blobs, ...tail]);
}

// One bundle and its forgery for every test of the file (collecting and signing takes a second).
afterAll(() => rm(dir, { recursive: true, force: true }));
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evidence-test-'));
  await keyPair(dir, 'key');
  const reports = join(EXAMPLE, 'reports');
  const c = await runCli(
    [
      ...['collect', '-o', 'rel.tar.gz', '--name', 'acme-web', '--version', '1.4.2'],
      ...['--sbom', join(EXAMPLE, 'sbom/acme-web.cdx.json'), '--subject', join(EXAMPLE, 'dist/acme-web-1.4.2.tgz')],
      ...['--junit', join(reports, 'junit/unit.junit.xml'), '--sarif', join(reports, 'sarif/eslint.sarif')],
      ...['--scan', join(reports, 'scans/trivy.json'), '--vex', join(EXAMPLE, 'vex/acme-web.openvex.json')],
      ...['--sign', '--key', 'key.pem', '-q'],
    ],
    { cwd: dir, env: { SOURCE_DATE_EPOCH: '1796371200' } },
  );
  expect(c.code, c.stderr).toBe(0);
  await forge(join(dir, 'rel.tar.gz'), join(dir, 'forged.tar.gz'));
}, 60_000);

const report = (bundle: string, format: string, extra: string[] = ['--key', 'key.pub.pem']) =>
  runCli(['report', bundle, '--format', format, '-q', ...extra], { cwd: dir });

describe('a forged bundle (original signature, recomputed digests): its figures are not drawn as facts', () => {
  it('the forgery is what the review found: integrity holds, the signature covers another manifest (exit 1)', async () => {
    const r = await runCli(['verify', 'forged.tar.gz', '--key', 'key.pub.pem', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    const failed = (JSON.parse(r.stdout) as { checks: { ok: boolean; skipped?: boolean; code?: string }[] }).checks
      .filter((c) => !c.ok && !c.skipped)
      .map((c) => c.code);
    expect(failed).toContain('STATEMENT_MANIFEST_MISMATCH');
    expect(failed.filter((c) => c !== 'STATEMENT_MANIFEST_MISMATCH')).toEqual([]);
    const inspected = await runCli(['inspect', 'forged.tar.gz'], { cwd: dir });
    expect(inspected.stdout).toContain(FORGED_LINE);
  });

  it('HTML: no charts, no summaries; the entries named as unverified claims; the signature not called verified', async () => {
    const r = await report('forged.tar.gz', 'html');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('VERIFICATION FAILED');
    expect(r.stdout).not.toContain(FORGED_LINE);
    expect(r.stdout).not.toContain('<svg');
    expect(r.stdout).not.toContain('Vulnerabilities by severity');
    expect(r.stdout).toContain('Not drawn: the bundle is not authentic, so its figures cannot be trusted.');
    expect(r.stdout).toContain('Entries the manifest claims (');
    expect(r.stdout).toContain('<h2 id="h-signature">Signature (not verified)</h2>');
    expect(r.stdout).not.toMatch(/\(verified\)|\(time verified\)/);
  });

  it('Markdown: no evidence table of figures, no vulnerabilities; the signature not called verified', async () => {
    const r = await report('forged.tar.gz', 'markdown');
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain(FORGED_LINE);
    expect(r.stdout).not.toContain('## Vulnerabilities');
    expect(r.stdout).not.toMatch(/^## Evidence \(/m);
    expect(r.stdout).toMatch(/^## Evidence the manifest claims \(\d+\) \(the bundle's own unverified claims/m);
    expect(r.stdout).toContain('not verified for this bundle');
    expect(r.stdout).not.toMatch(/\(verified\)|\(time verified\)/);
  });

  it('text and JSON: the evidence not assessed, the signature marked NOT VERIFIED', async () => {
    const text = await report('forged.tar.gz', 'text');
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('evidence:   not assessed');
    expect(text.stdout).toContain('signature:       NOT VERIFIED for this bundle');
    expect(text.stdout).not.toContain(FORGED_LINE);
    const json = await report('forged.tar.gz', 'json');
    expect(JSON.parse(json.stdout).assessment.evidence).toMatchObject({ status: 'unknown', findings: [] });
  });
});

describe('integrity only: every section showing the contents says they are the bundle own claims', () => {
  it('HTML: the charts, the evidence, the subjects and the vulnerabilities are labelled', async () => {
    const r = await report('forged.tar.gz', 'html', ['--integrity-only']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`<h2 id="h-metrics">Metrics at a glance ${UNCHECKED_HTML}</h2>`);
    expect(r.stdout).toContain(`<h2 id="h-evidence">Evidence entries ${UNCHECKED_HTML}</h2>`);
    expect(r.stdout).toMatch(
      new RegExp(`Evidence in the bundle \\(\\d+\\) ${UNCHECKED_HTML.replace(/[()]/g, '\\$&')}`),
    );
    expect(r.stdout).toContain(`<h2 id="h-subjects">Release subjects ${UNCHECKED_HTML}</h2>`);
    expect(r.stdout).toContain(`<code>vulnerabilities/findings.json</code> ${UNCHECKED_HTML}:`);
  });

  it('Markdown: the vulnerabilities, subjects and evidence headings are labelled', async () => {
    const r = await report('forged.tar.gz', 'markdown', ['--integrity-only']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^## Vulnerabilities \\(.*\\) ${UNCHECKED.replace(/[()]/g, '\\$&')}$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^## Subjects \\(\\d+\\) ${UNCHECKED.replace(/[()]/g, '\\$&')}$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^## Evidence \\(\\d+\\) ${UNCHECKED.replace(/[()]/g, '\\$&')}$`, 'm'));
  });

  it('text: the vulnerabilities line is labelled', async () => {
    const r = await report('forged.tar.gz', 'text', ['--integrity-only']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/vulnerabilities \(.*\) \(the bundle's own claims, not signature-checked\):/);
  });
});

describe('the genuine bundle: facts, unlabelled, its signature verified', () => {
  it('HTML and Markdown draw its figures with no caveat', async () => {
    const html = await report('rel.tar.gz', 'html');
    expect(html.code).toBe(0);
    expect(html.stdout).toContain('<h2 id="h-metrics">Metrics at a glance</h2>');
    expect(html.stdout).toContain('<h2 id="h-signature">Signature</h2>');
    expect(html.stdout).not.toContain('own claims');
    const md = await report('rel.tar.gz', 'markdown');
    expect(md.stdout).toMatch(/^## Evidence \(\d+\)$/m);
    expect(md.stdout).not.toContain('not verified for this bundle');
  });
});

describe('a keyless signature with verified times, over another manifest', () => {
  it('no format labels its signer or its times verified', async () => {
    const { passingInput } = await import('./fixtures.js');
    const { renderHtml } = await import('../../src/present/html.js');
    const { renderMarkdown } = await import('../../src/present/markdown.js');
    const { formatVerifyText } = await import('../../src/present/text.js');
    const genuine = passingInput();
    expect(renderHtml(genuine)).toContain('(time verified)');
    const input = passingInput();
    input.report = {
      ...input.report,
      ok: false,
      checks: input.report.checks.map((c) =>
        c.id === 'statement' ? { ...c, ok: false, code: 'STATEMENT_MANIFEST_MISMATCH' as const } : c,
      ),
    };
    delete input.report.assessment;
    const html = renderHtml(input);
    const md = renderMarkdown(input);
    const text = formatVerifyText(input.report);
    for (const out of [html, md, text]) expect(out).not.toMatch(/\(verified\)|\(time verified|\(verified against/);
    expect(html).toContain('<h2 id="h-signature">Signature (not verified)</h2>');
    expect(md).toContain('not verified for this bundle');
    expect(text).toContain('signature:       NOT VERIFIED for this bundle');
  });
});

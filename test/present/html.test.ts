import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/present/html.js';
import type { ReleaseReportInput } from '../../src/present/model.js';

import { IDENTITY, ISSUER, D, passingInput, SCRIPT, IMG, SVG, failingInput, hostileInput } from './fixtures.js';

describe('renderHtml', () => {
  it('is one self-contained document: no script, no external resource, a CSP, lang, one h1', () => {
    const page = renderHtml(passingInput());
    expect(page.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(page).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'`,
    );
    expect(page).not.toMatch(/<script|<link|<img|<iframe|<object|<embed|@import|url\(/i);
    expect(page).not.toMatch(/\s(src|href)=/i);
    expect(page.match(/<h1[ >]/g)).toHaveLength(1);
    expect(page).toContain('@media print');
  });

  it('shows the verdict, bundle, signer, checks, policy, controls, evidence and charts of a passing release', () => {
    const page = renderHtml(passingInput());
    // Authentic and within policy, but with failing tests and findings in the evidence: amber, not a green pass.
    expect(page).toContain('<title>VERIFIED WITH CONCERNS: acme-web 1.4.2 — evidence audit report</title>');
    expect(page).toContain('<section class="verdict warn"');
    expect(page).toContain('Verdict: <span class="verdict-word">VERIFIED WITH CONCERNS</span>');
    expect(page).toContain(
      '<th scope="row">Is the bundle authentic?</th><td><span class="badge pass">Yes, signer identity checked</span>',
    );
    expect(page).toContain('<th scope="row">Did the policy hold?</th><td><span class="badge pass">Satisfied</span>');
    expect(page).toMatch(
      /<th scope="row">What does the evidence say\?<\/th><td><span class="badge warn">\d+ concerns<\/span>/,
    );
    expect(page).toContain('<span class="code">TESTS_FAILED</span>');
    expect(page).toMatch(
      /<p class="verdict-detail">Authentic: signed by [^<]*, identity checked; policy: release-policy\.yaml holds; 3 of its 9 requirements, rules and cross-checks show nothing \([^<]*\); evidence: \d+ concerns\.<\/p>/,
    );
    expect(page).toContain(`<code>${D('a')}</code>`);
    expect(page).toContain(`<code>${D('e')}</code>`);
    expect(page).toContain(`<th scope="row">Signer identity</th><td><code>${IDENTITY}</code></td>`);
    expect(page).toContain(`<th scope="row">OIDC issuer</th><td><code>${ISSUER}</code></td>`);
    expect(page).toContain('#8573023<br><span class="sub">integrated 2026-11-22T15:47:25.000Z (time verified)</span>');
    expect(page).toContain('public-good (embedded)');
    for (const id of [
      'archive',
      'members',
      'manifest',
      'blobs',
      'entries',
      'sha256sums',
      'subjects',
      'signature',
      'identity',
      'statement',
    ])
      expect(page).toContain(`<th scope="row">${id}</th>`);
    expect(page).toContain('Waived (expires 2026-12-31T00:00:00Z): CVE-2026-0001 not reachable; fix scheduled');
    expect(page).toContain('<span class="tag">SOC2-CC8.1</span>');
    expect(page).toContain(
      '<th scope="rowgroup" rowspan="2"><span class="tag">SOC2-CC8.1</span><div class="muted">Changes are authorised, designed, developed, configured, documented, tested, approved and implemented</div></th>',
    );
    expect(page).toContain('sbom-matches-subjects');
    // Charts: sums across entries.
    expect(page).toContain('Security findings summed over 2 SARIF files: 1 critical, 4 high, 4 medium, 3 low.');
    expect(page).toContain('46 tests across 2 JUnit reports: 37 passed, 3 failed, 1 errored, 5 skipped.');
    expect(page).toContain(
      '<title id="chart-title-5">Error budget remaining: requests-availability (acme-web)</title>',
    );
    expect(page).toContain('Error budget remaining: -50.0% (exhausted)');
    expect(page).toContain('Burn rate by window: latency-p95');
    expect(page).toContain('DORA metrics: production');
    expect(page).toContain('0.17 / day');
    expect(page).toContain('2.2 d'); // lead time median 190800 s
    expect(page).toContain('1.5 h'); // time to restore 5400 s
    // Evidence: every entry, with its one-line summary.
    expect(page).toContain('cyclonedx 1.5: 11 components, 2 licenses, 1 unlicensed');
    expect(page).toContain('https://slsa.dev/provenance/v1 by');
    expect(page).toContain('File evidence (no summary)');
  });

  it('shows a failing release: integrity failure, failed requirement and rules, expired waiver, skipped check', () => {
    const page = renderHtml(failingInput());
    expect(page).toContain('Verdict: <span class="verdict-word">VERIFICATION FAILED</span>');
    expect(page).toContain('<span class="badge fail">No: verification failed</span>');
    expect(page).toContain(
      'Not authentic: 1 verification check failed (BLOB_DIGEST_MISMATCH); policy: release-policy.yaml: 1 requirement unmet; 3 rules failed (no-critical-vulns, tests-pass, k6-typo); 1 cross-check failed; evidence: not assessed.',
    );
    expect(page).toContain(
      '<tr class="row-fail"><td><span class="badge fail"><span class="mark" aria-hidden="true">✗</span> Fail</span></td><th scope="row">blobs</th><td class="code"><code>BLOB_DIGEST_MISMATCH</code></td>',
    );
    expect(page).toContain(`expected <code>${D('a')}</code>, found <code>${D('b')}</code>`);
    expect(page).toContain('<th scope="row">subjects</th><td class="code"><code>NO_SUBJECTS_GIVEN</code>');
    expect(page).toMatch(
      /<span class="badge fail"><span class="mark" aria-hidden="true">✗<\/span> Expired<\/span><\/td><th scope="row">no-critical-vulns<\/th><td>2026-01-01T00:00:00Z<\/td>/,
    );
    expect(page).toContain('Waiver expired (expires 2026-01-01T00:00:00Z)');
    expect(page).toContain('<th scope="row">dast</th>');
    expect(page).toContain('no such key: passd');
  });

  it('entity-escapes every string from the bundle', () => {
    expect(renderHtml(failingInput())).toMatch(/<title>VERIFICATION FAILED: acme-web&#39;&gt;&lt;svg onload=/);
    // Drawn only for a bundle whose checks pass: the hostile strings in its summaries and charts.
    const page = renderHtml(hostileInput());
    expect(page).not.toMatch(/<script|<img|<svg onload/i);
    expect(page).toContain('&lt;script&gt;window.__pwned = 1; alert(1)&lt;/script&gt;');
    expect(page).toContain('&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned = 2&quot;&gt;');
    expect(page).toContain('acme-web&#39;&gt;&lt;svg onload=&quot;window.__pwned = 3&quot;&gt;');
    // in the <title>, in a summary line (SARIF tool name), in an SVG title (DORA environment), in a path
    expect(page).toMatch(/<title>POLICY FAILED: acme-web&#39;&gt;&lt;svg onload=/);
    expect(page).toContain('Evil&lt;script&gt;');
    expect(page).toMatch(/<title id="chart-title-\d+">DORA metrics: prod&quot;&gt;&lt;img src=x/);
    expect(page).toContain('<code>notes/&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned = 2&quot;&gt;.md</code>');
  });

  it("never throws on summaries that do not have their kind's shape", () => {
    const input = passingInput();
    input.entries = input.entries.map((e) => ({
      ...e,
      summary: { slos: 'x', severities: null, tests: 'many', leadTimeSeconds: 5 },
    }));
    const page = renderHtml(input);
    expect(page).toContain('(summary not readable)');
    expect(page).toContain('Vulnerabilities by severity');
  });
});

// ---------------------------------------------------------------------------
// In a real browser: headless Chromium from Debian, driven by playwright-core.
// ---------------------------------------------------------------------------

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM)
  console.warn(
    `test/report/html.test.ts: skipping the browser tests: ${CHROMIUM} does not exist (install Debian's chromium package)`,
  );
const OUT = new URL('../../test-output/', import.meta.url).pathname;

/**
 * In the page (plain JS, the test has no DOM types): every visible text node
 * whose colour has less than 4.5:1 contrast with the nearest opaque
 * background (an SVG counts as white).
 */
const CONTRAST_SCRIPT = `(() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      if (e instanceof SVGElement && e.tagName === 'svg') return [255, 255, 255];
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || c[3] > 0.99) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const bad = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let checked = 0;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || !n.textContent.trim() || el.closest('[aria-hidden="true"], title, desc')) continue;
    const style = getComputedStyle(el);
    const fg = rgb(el instanceof SVGElement ? style.fill : style.color);
    const bg = background(el instanceof SVGElement ? el.closest('svg') : el);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    checked++;
    if (ratio < 4.5) bad.push(ratio.toFixed(2) + ' ' + el.tagName + ' "' + n.textContent.trim().slice(0, 40) + '"');
  }
  return checked > 100 ? bad : ['only ' + checked + ' text nodes checked'];
})()`;

describe.skipIf(!HAVE_CHROMIUM)('renderHtml in headless Chromium', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    dir = await mkdtemp(join(tmpdir(), 'evidence-report-'));
    await mkdir(OUT, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Opens the report from file:// with every non-file request blocked and recorded. */
  async function open(
    name: string,
    input: ReleaseReportInput,
  ): Promise<{ page: Page; network: string[]; html: string }> {
    const html = renderHtml(input);
    const file = join(dir, `${name}.html`);
    await writeFile(file, html);
    await writeFile(join(OUT, `${name}.html`), html);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const network: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file://')) network.push(r.url());
    });
    await page.route('**/*', (r) => (r.request().url().startsWith('file://') ? r.continue() : r.abort()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { page, network, html };
  }

  /** Axe-like structural checks, run in the page. */
  async function audit(page: Page): Promise<void> {
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.getByRole('heading', { level: 1 }).count()).toBe(1);
    const levels = await page.$$eval('h1, h2, h3, h4, h5, h6', (hs) => hs.map((h) => Number(h.tagName.slice(1))));
    expect(levels[0]).toBe(1);
    for (let i = 1; i < levels.length; i++)
      expect(levels[i] as number, `heading ${i} skips a level`).toBeLessThanOrEqual((levels[i - 1] as number) + 1);
    const tables = await page.$$eval('table', (ts) =>
      ts.map((t) => ({
        caption: t.querySelector(':scope > caption')?.textContent?.trim() ?? '',
        ths: t.querySelectorAll('th').length,
        unscoped: [...t.querySelectorAll('th')].filter((th) => !th.getAttribute('scope')).length,
      })),
    );
    expect(tables.length).toBeGreaterThan(5);
    for (const t of tables) {
      expect(t.caption, 'every table has a caption').not.toBe('');
      expect(t.ths, `table "${t.caption}" has header cells`).toBeGreaterThan(0);
      expect(t.unscoped, `table "${t.caption}": every th has a scope`).toBe(0);
    }
    // Every chart is an img with a title and a description it is labelled by.
    const svgs = await page.$$eval('svg', (ss) =>
      ss.map((s) => ({
        role: s.getAttribute('role'),
        labelled: (s.getAttribute('aria-labelledby') ?? '')
          .split(' ')
          .every((id: string) => !!id && !!s.ownerDocument.getElementById(id)?.textContent),
        title: s.querySelector(':scope > title')?.textContent ?? '',
      })),
    );
    expect(svgs.length).toBeGreaterThan(0);
    for (const s of svgs) {
      expect(s.role).toBe('img');
      expect(s.labelled, s.title).toBe(true);
      expect(s.title).not.toBe('');
    }
    // Text contrast of at least 4.5:1 against the nearest opaque background.
    const low = await page.evaluate<string[]>(CONTRAST_SCRIPT);
    expect(low).toEqual([]);
  }

  it('renders the passing report offline, accessibly, with its charts', async () => {
    const { page, network } = await open('audit-report-passing', passingInput());
    await audit(page);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('acme-web 1.4.2');
    expect(await page.getByRole('heading', { level: 2, name: 'Verdict: VERIFIED WITH CONCERNS' }).isVisible()).toBe(
      true,
    );
    for (const name of [
      'Bundle',
      'Signature',
      'Release subjects',
      'Verification checks',
      'Results by control',
      'Metrics at a glance',
      'Evidence entries',
    ]) {
      expect(await page.getByRole('heading', { level: 2, name, exact: true }).count(), name).toBe(1);
    }
    for (const name of [
      'Requirements',
      'Rules',
      'Waivers',
      'Cross-checks',
      'Vulnerabilities by severity',
      'Test results',
      'Service level objectives',
      'Delivery performance (DORA)',
    ]) {
      expect(await page.getByRole('heading', { level: 3, name, exact: true }).count(), name).toBe(1);
    }
    const captions = await page.$$eval('caption', (cs) => cs.map((c) => c.textContent?.trim()));
    expect(captions).toEqual(
      expect.arrayContaining([
        'Bundle identification',
        'Every check run on the bundle (none failed)',
        'Findings by severity',
        'Test outcomes',
        'What the policy evidences, by control: the requirements, rules and cross-checks citing each',
      ]),
    );
    const titles = await page.$$eval('svg > title', (ts) => ts.map((t) => t.textContent));
    expect(titles).toEqual([
      'Vulnerabilities by severity',
      'Test results',
      'Error budget remaining: requests-availability (acme-web)',
      'Burn rate by window: requests-availability (acme-web)',
      'Error budget remaining: latency-p95',
      'Burn rate by window: latency-p95',
      'DORA metrics: production',
    ]);
    expect(await page.getByRole('img', { name: 'Vulnerabilities by severity' }).isVisible()).toBe(true);
    expect(await page.getByText(`${IDENTITY}`, { exact: true }).first().isVisible()).toBe(true);
    expect(await page.locator('script, link, img, iframe, object, embed').count()).toBe(0);
    expect(network).toEqual([]);
    await page.screenshot({ path: join(OUT, 'audit-report-passing.png'), fullPage: true });
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('heading', { level: 2, name: 'Verdict: VERIFIED WITH CONCERNS' }).isVisible()).toBe(
      true,
    );
    await page.screenshot({ path: join(OUT, 'audit-report-passing-print.png'), fullPage: true });
    await page.close();
  });

  it('renders the failing report with hostile strings as inert text', async () => {
    const { page, network } = await open('audit-report-failing', hostileInput());
    await audit(page);
    expect(await page.getByRole('heading', { level: 2, name: 'Verdict: POLICY FAILED' }).isVisible()).toBe(true);
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    expect(await page.locator('script, img, iframe, object, embed, link, [onerror], [onload]').count()).toBe(0);
    expect(await page.locator('svg').count()).toBe(7); // only the charts: no injected <svg>
    // The payloads are on the page, as text.
    expect(await page.getByText(SCRIPT).first().isVisible()).toBe(true);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`acme-web${SVG} 1.4.2`);
    expect(await page.title()).toBe(`POLICY FAILED: acme-web${SVG} 1.4.2 — evidence audit report`);
    expect(
      await page
        .getByRole('img', { name: new RegExp(`^DORA metrics: prod${IMG.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) })
        .count(),
    ).toBe(1);
    expect(network).toEqual([]);
    await page.screenshot({ path: join(OUT, 'audit-report-failing.png'), fullPage: true });
    await page.close();
  });
});

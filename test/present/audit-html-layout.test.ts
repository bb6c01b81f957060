import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAuditHtml } from '../../src/present/audit-html.js';
import { longPeriodReport } from './period-fixture.js';

// The period report of 25 releases with long tags, URLs and digests, in headless Chromium from Debian.
const CHROMIUM = '/usr/bin/chromium';
const OUT = new URL('../../test-output/', import.meta.url).pathname;
if (!existsSync(CHROMIUM))
  console.warn(
    `test/present/audit-html-layout.test.ts: skipping the browser tests: ${CHROMIUM} does not exist (install Debian's chromium package)`,
  );

interface Measured {
  scrollWidth: number;
  clientWidth: number;
  /** Elements reaching past the right edge of the window. */
  wide: string[];
  /** The smallest chart text as drawn, in CSS pixels: its font size times the scale the SVG is drawn at. */
  smallestChartFont: number;
  /** Neighbouring release labels of a trend chart whose boxes overlap. */
  overlaps: string[];
  /** How many release labels the trend charts print. */
  labels: number;
}

/** What a reader sees, measured in the page (a script as a string: the test project has no DOM types). */
const MEASURE = `(() => {
  const root = document.documentElement;
  const wide = [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > root.clientWidth + 0.5)
    .slice(0, 5)
    .map((e) => e.tagName.toLowerCase() + '.' + (e.getAttribute('class') || '') + ': ' + (e.textContent || '').slice(0, 60));
  let smallestChartFont = Infinity;
  const overlaps = [];
  let labels = 0;
  for (const svg of document.querySelectorAll('#standing svg, #trends svg')) {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll('text')) smallestChartFont = Math.min(smallestChartFont, Number(t.getAttribute('font-size')) * scale);
    const boxes = [...svg.querySelectorAll('text.x-label')].map((t) => ({ text: t.textContent || '', box: t.getBoundingClientRect() }));
    labels += boxes.length;
    boxes.forEach((a, i) => {
      const b = boxes[i + 1];
      if (b && a.box.right > b.box.left) overlaps.push(a.text + ' / ' + b.text);
    });
  }
  return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide, smallestChartFont, overlaps, labels };
})()`;
const measure = (page: Page): Promise<Measured> => page.evaluate<Measured>(MEASURE);

describe.skipIf(!existsSync(CHROMIUM))('the period report of a long period in headless Chromium', () => {
  let browser: Browser;
  let dir: string;
  let file: string;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    dir = await mkdtemp(join(tmpdir(), 'evidence-audit-layout-'));
    await mkdir(OUT, { recursive: true });
    file = join(dir, 'audit.html');
    await writeFile(file, renderAuditHtml(longPeriodReport(25)));
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function open(width: number, media: 'screen' | 'print'): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    await page.route('**/*', (r) => (r.request().url().startsWith('file://') ? r.continue() : r.abort()));
    await page.emulateMedia({ media });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return page;
  }

  it('fits a 1280px desktop window, long digests wrapped, charts readable, and is kept as a screenshot', async () => {
    const page = await open(1280, 'screen');
    expect(await page.locator('table.releases tbody tr').count()).toBe(25);
    const m = await measure(page);
    expect(m.wide).toEqual([]);
    expect(m.scrollWidth).toBeLessThanOrEqual(m.clientWidth);
    expect(m.smallestChartFont).toBeGreaterThanOrEqual(11);
    expect(m.overlaps).toEqual([]);
    expect(m.labels).toBeGreaterThanOrEqual(4 * 3); // four trend charts, three labels or more each
    // A digest wraps inside its cell instead of widening the table.
    const cell = await page.locator('table.releases tbody tr').first().locator('td').last().boundingBox();
    const table = await page.locator('table.releases').boundingBox();
    expect((cell?.x ?? 0) + (cell?.width ?? Infinity)).toBeLessThanOrEqual((table?.x ?? 0) + (table?.width ?? 0) + 0.5);
    await page.screenshot({ path: join(OUT, 'audit-report-desktop.png'), fullPage: true });
    await page.close();
  });

  it('fits A4 paper (794px, print media), and is kept as a screenshot', async () => {
    const page = await open(794, 'print');
    const m = await measure(page);
    expect(m.wide).toEqual([]);
    expect(m.scrollWidth).toBeLessThanOrEqual(m.clientWidth);
    expect(m.smallestChartFont).toBeGreaterThanOrEqual(9);
    expect(m.overlaps).toEqual([]);
    expect(m.labels).toBeGreaterThanOrEqual(4 * 3); // four trend charts, three labels or more each
    await page.screenshot({ path: join(OUT, 'audit-report-a4.png'), fullPage: true });
    await page.close();
  });

  it('fits the printable width of A4 inside its page margins, and prints to a PDF', async () => {
    // 210 mm less the 12 mm margins each side of @page: 186 mm, about 703 px.
    const page = await open(703, 'print');
    const m = await measure(page);
    expect(m.wide).toEqual([]);
    expect(m.scrollWidth).toBeLessThanOrEqual(m.clientWidth);
    expect(m.overlaps).toEqual([]);
    expect(m.labels).toBeGreaterThanOrEqual(4 * 3); // four trend charts, three labels or more each
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await page.close();
  });
});

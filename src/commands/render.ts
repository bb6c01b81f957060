import { appendFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Manifest } from '../core/manifest.js';
import { renderMarkdown } from '../present/markdown.js';
import { releaseReportInput } from '../present/render.js';
import { writeFileAtomically, writeTextsAtomically } from '../fs/atomic.js';
import type { VerifyCommandReport } from './verify.js';

export { renderReport, releaseReportInput, REPORT_FORMATS, type ReportFormat } from '../present/render.js';

/**
 * Inside GitHub Actions the Markdown report is also appended to the job's
 * summary page ($GITHUB_STEP_SUMMARY), whatever format was asked for.
 */
export async function appendStepSummary(
  env: Record<string, string | undefined>,
  cwd: string,
  report: VerifyCommandReport,
  manifest: Manifest | undefined,
): Promise<void> {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file || env.GITHUB_ACTIONS !== 'true') return;
  await appendFile(resolve(cwd, file), `${renderMarkdown(releaseReportInput(report, manifest))}\n`);
}

/** Writes a report whole or not at all: one text, or texts made one after another (a long report). */
export async function writeOutput(cwd: string, output: string, text: string | Iterable<string>): Promise<void> {
  if (typeof text === 'string') await writeFileAtomically(resolve(cwd, output), text);
  else await writeTextsAtomically(resolve(cwd, output), text);
}

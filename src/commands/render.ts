import { appendFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Manifest } from '../core/manifest.js';
import { formatVerifyText } from '../present/text.js';
import { renderHtml } from '../present/html.js';
import { renderMarkdown } from '../present/markdown.js';
import type { ReleaseReportInput } from '../present/model.js';
import { writeFileAtomically } from '../fs/atomic.js';
import type { VerifyCommandReport } from './verify.js';
import { oscalForRelease } from '../present/oscal.js';
import type { LoadedPolicy } from '../verifier/policy/evaluate.js';

export type ReportFormat = 'text' | 'json' | 'markdown' | 'html' | 'oscal';
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'json', 'markdown', 'html', 'oscal'];

export function releaseReportInput(
  report: VerifyCommandReport,
  manifest: Manifest | undefined,
  now: Date = new Date(),
): ReleaseReportInput {
  return {
    report,
    entries: (manifest?.entries ?? []).map((e) => ({
      path: e.path,
      kind: e.kind,
      mediaType: e.mediaType,
      digest: e.digest,
      size: e.size,
      summary: e.summary,
    })),
    subjects: (manifest?.subjects ?? []).map((s) => ({ name: s.name, digest: s.digest, size: s.size })),
    source: manifest?.source ?? {},
    ...(report.policy ? { policy: report.policy } : {}),
    generatedAt: now.toISOString(),
  };
}

export function renderReport(
  format: ReportFormat,
  report: VerifyCommandReport,
  manifest: Manifest | undefined,
  policy?: LoadedPolicy,
): string {
  switch (format) {
    case 'oscal':
      return `${JSON.stringify(oscalForRelease({ report, ...(manifest ? { manifest } : {}), ...(policy ? { policy } : {}), generatedAt: new Date().toISOString() }), null, 2)}\n`;
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'markdown':
      return renderMarkdown(releaseReportInput(report, manifest));
    case 'html':
      return renderHtml(releaseReportInput(report, manifest));
    default:
      return formatVerifyText(report);
  }
}

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

/** Writes a report whole or not at all. */
export async function writeOutput(cwd: string, output: string, text: string): Promise<void> {
  await writeFileAtomically(resolve(cwd, output), text);
}

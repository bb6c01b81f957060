import type { Manifest } from '../core/manifest.js';
import { formatVerifyText } from './text.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import type { ReleaseReportInput } from './model.js';
import { oscalForRelease } from './oscal.js';
import type { LoadedPolicy } from '../verifier/policy/evaluate.js';
import type { VerifyReport } from '../verifier/report.js';

/** A verification report as the reports render it: the bundle named by the path it was read from. */
export type RenderedReport = VerifyReport & { bundle: VerifyReport['bundle'] & { path: string } };

export type ReportFormat = 'text' | 'json' | 'markdown' | 'html' | 'oscal';
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'json', 'markdown', 'html', 'oscal'];

export function releaseReportInput(
  report: RenderedReport,
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
  report: RenderedReport,
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

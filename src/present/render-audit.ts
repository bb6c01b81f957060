import type { AuditReport } from '../verifier/period.js';
import { formatAuditMarkdown, formatAuditText } from './audit.js';
import { renderAuditHtml } from './audit-html.js';
import { gathered, jsonPieces } from './json-pieces.js';
import { oscalAssessmentResults } from './oscal.js';
import type { ReportFormat } from './render.js';

export type AuditFormat = ReportFormat;

/** The period report of `evidence audit` in a format. */
export function renderAudit(format: AuditFormat, report: AuditReport): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'markdown':
      return formatAuditMarkdown(report);
    case 'html':
      return renderAuditHtml(report);
    case 'oscal':
      return `${JSON.stringify(oscalAssessmentResults(report), null, 2)}\n`;
    default:
      return formatAuditText(report);
  }
}

/**
 * The same report as texts made one after another: JSON (and OSCAL's JSON) a release at a time, never one string of
 * the whole (3.8 MB at 500 releases, made at the audit's very end: its peak memory); the other formats whole.
 */
export function renderAuditPieces(format: AuditFormat, report: AuditReport): Iterable<string> {
  switch (format) {
    case 'json':
      return gathered(withNewline(jsonPieces(report)));
    case 'oscal':
      return gathered(withNewline(jsonPieces(oscalAssessmentResults(report), 5)));
    default:
      return [renderAudit(format, report)];
  }
}

function* withNewline(pieces: Iterable<string>): Generator<string> {
  yield* pieces;
  yield '\n';
}

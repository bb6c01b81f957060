import type { AuditReport } from '../verifier/period.js';
import { formatAuditMarkdown, formatAuditText } from './audit.js';
import { renderAuditHtml } from './audit-html.js';
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

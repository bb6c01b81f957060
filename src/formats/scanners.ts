/**
 * Scanners' own JSON reports read into one model of findings (`./findings.ts`, docs/vulnerabilities.md): Grype,
 * Trivy, OSV-Scanner, `npm audit --json` (npm 7 and later) and OWASP ZAP's traditional JSON report, recognised from
 * their content; and CISA's Known Exploited Vulnerabilities catalog.
 *
 * Each report is validated with a schema written from its tool's documented format for the fields used (fields not
 * read pass unchecked: tools add fields), then normalised by the rules of docs/vulnerabilities.md: the advisory id as
 * the scanner reports it and its aliases, the package and its purl, the severity on one scale (`critical`, `high`,
 * `medium`, `low`, `unknown`), CVSS ratings as given, fix versions, CWEs, title and location. The same advisory for
 * the same package listed twice in one report is one finding; findings are sorted by id, purl (else package name)
 * and location, so that the same report always reads the same. Each tool's reader is its own file
 * (`scanners-grype.ts`, `scanners-trivy.ts`, `scanners-osv.ts`, `scanners-npm.ts`, `scanners-zap.ts`; the KEV
 * catalog `scanners-kev.ts`); `scanners-common.ts` holds what they share.
 *
 * Errors name the field by its JSON path as every reader of this project writes it (`$.matches[3].artifact.name`),
 * after the file's label; schema failures keep every issue in `FormatError.issues`.
 */
import { FormatError } from './errors.js';
import type { ScanFormat, ScanReport } from './findings.js';
import { isObject } from './scanners-common.js';
import { isGrypeReport, readGrype } from './scanners-grype.js';
import { isNpmAuditReport, readNpmAudit } from './scanners-npm.js';
import { isOsvScannerReport, readOsvScanner } from './scanners-osv.js';
import { isTrivyReport, readTrivy } from './scanners-trivy.js';
import { isZapReport, readZap } from './scanners-zap.js';

export { MAX_SCAN_FINDINGS } from './scanners-common.js';
export { MAX_KEV_ENTRIES, parseKevCatalog } from './scanners-kev.js';

/** Which scanner wrote a parsed JSON report, from its content only (npm 6's too, to refuse it by name). */
export function detectScanFormat(json: unknown): ScanFormat | undefined {
  if (!isObject(json)) return undefined;
  if (isNpmAuditReport(json)) return 'npm-audit';
  if (isGrypeReport(json)) return 'grype';
  if (isTrivyReport(json)) return 'trivy';
  if (isOsvScannerReport(json)) return 'osv-scanner';
  if (isZapReport(json)) return 'zap';
  return undefined;
}

/** Whether a JSON value looks like a SARIF log (read as SARIF, not as a scanner's report). */
function looksLikeSarif(json: unknown): boolean {
  return isObject(json) && Array.isArray(json.runs) && (typeof json.version === 'string' || '$schema' in json);
}

/**
 * A scanner's JSON report read into the model. SCAN_UNKNOWN_FORMAT when it is none of the reports read here;
 * SCAN_INVALID, naming the field, when it is not what its tool documents or holds more than MAX_SCAN_FINDINGS.
 */
export function parseScanReport(json: unknown, label: string): ScanReport {
  const format = detectScanFormat(json);
  if (format === undefined || !isObject(json)) {
    const what = looksLikeSarif(json) ? 'a SARIF log, not a scanner report' : 'not a scanner report read here';
    throw new FormatError(
      'SCAN_UNKNOWN_FORMAT',
      `${label}: $: ${what}. The reports read are Grype's JSON (grype -o json: matches, descriptor), Trivy's JSON ` +
        "(trivy --format json: SchemaVersion, Results), OSV-Scanner's JSON (osv-scanner --format json: " +
        'results[].source, packages), npm audit --json from npm 7 or later (auditReportVersion 2, vulnerabilities) ' +
        "and OWASP ZAP's traditional JSON report (@version, site[].alerts); SARIF logs are read as SARIF (--sarif)",
      { file: label },
    );
  }
  switch (format) {
    case 'grype':
      return readGrype(json, label);
    case 'trivy':
      return readTrivy(json, label);
    case 'osv-scanner':
      return readOsvScanner(json, label);
    case 'npm-audit':
      return readNpmAudit(json, label);
    case 'zap':
      return readZap(json, label);
  }
}

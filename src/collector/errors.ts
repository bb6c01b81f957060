import { withIssues, type Issue } from '../core/issues.js';
import { EvidenceError } from '../core/error.js';
/** Errors while collecting evidence: all are bad input (exit 2), and each names the file. */
export type CollectErrorCode =
  | 'INPUT_NOT_FOUND'
  | 'INPUT_UNREADABLE'
  | 'INPUT_TOO_LARGE'
  | 'INPUT_CHANGED'
  | 'GLOB_NO_MATCH'
  | 'JSON_INVALID'
  | 'JSON_TOO_DEEP'
  | 'JSON_DUPLICATE_KEY'
  | 'XML_INVALID'
  | 'XML_DOCTYPE_NOT_ALLOWED'
  | 'SBOM_FORMAT_UNKNOWN'
  | 'SBOM_UNSUPPORTED_VERSION'
  | 'SBOM_INVALID'
  | 'SBOM_VALIDATOR_MISSING'
  | 'SARIF_INVALID'
  | 'JUNIT_INVALID'
  | 'KIND_INVALID'
  | 'KIND_RESERVED'
  | 'DUPLICATE_ENTRY_PATH'
  | 'DUPLICATE_SUBJECT'
  | 'NO_EVIDENCE'
  | 'CONFIG_INVALID'
  | 'ENTRY_PATH_INVALID'
  | 'SOURCE_DATE_EPOCH_INVALID'
  | 'ATTESTATION_INVALID'
  | 'ATTESTATION_IDENTITY_REQUIRED'
  | 'AS_OF_INVALID'
  | 'DURATION_INVALID'
  | 'DORA_INPUT_INVALID'
  | 'GIT_UNAVAILABLE'
  | 'CHANGES_RANGE_INVALID'
  | 'CHANGES_RANGE_TOO_LARGE'
  | 'CHANGES_GIT_UNREADABLE'
  | 'SLO_DEFINITION_INVALID'
  | 'PROMETHEUS_UNREACHABLE'
  | 'PROMETHEUS_ERROR'
  | 'PROMETHEUS_NO_DATA'
  | 'SLO_SNAPSHOT_INVALID'
  /** A query's error ratio outside [0, 1] (more good events than events): refused, never clamped. */
  | 'SLO_ERROR_RATIO_INVALID'
  | 'K6_INVALID'
  | 'TERRAFORM_PLAN_INVALID'
  /** A plan that states `"errored": true`: planning failed, so it lists only some changes and cannot be applied. */
  | 'TERRAFORM_PLAN_ERRORED'
  | 'MIGRATIONS_INVALID'
  | 'COVERAGE_INVALID'
  | 'SCAN_INVALID'
  | 'SCAN_UNKNOWN_FORMAT'
  | 'VEX_INVALID'
  | 'VEX_TOO_COMPLEX'
  /** The vulnerabilities or OpenVEX document would be larger than verify holds to remake it. */
  | 'VULNERABILITIES_TOO_LARGE'
  | 'VEX_UNKNOWN_FORMAT'
  | 'KEV_INVALID'
  /** --vex or --kev without a --scan to apply them to. */
  | 'VULNERABILITIES_INPUT_MISSING'
  /** A `--product` (or `products` in the configuration) that is not a package URL. */
  | 'PRODUCT_INVALID'
  /** An input whose figures fall outside what a summary records (a count past 2^53, say): named by its file. */
  | 'INPUT_FIGURES_INVALID';

/**
 * JSON path (`$.components[3].name`), XML element (`/testsuites/testsuite[2]`) or line (`line 12`), and what is wrong
 * there.
 */
export type InputIssue = Issue;

export class CollectError extends EvidenceError<CollectErrorCode> {
  readonly file?: string;
  readonly issues: InputIssue[];
  constructor(
    code: CollectErrorCode,
    message: string,
    options: { file?: string; issues?: InputIssue[]; cause?: unknown } = {},
  ) {
    super('CollectError', code, withIssues(message, options.issues ?? []), options.cause);
    if (options.file !== undefined) this.file = options.file;
    this.issues = options.issues ?? [];
  }
}

import { EvidenceError } from '../core/error.js';
import type { Issue } from '../core/issues.js';

/**
 * A third-party document that cannot be read as its format defines it. Collectors turn it into their own error, with
 * the same code.
 */
export type FormatErrorCode =
  | 'XML_INVALID'
  | 'XML_DOCTYPE_NOT_ALLOWED'
  /** More XML than is read (MAX_XML_BYTES): its validator takes about 40 bytes of memory a byte. */
  | 'XML_TOO_LARGE'
  | 'SBOM_UNREADABLE'
  | 'CHECKSUMS_INVALID'
  | 'OSCAL_INVALID'
  /** A scanner's report that is not what its format documents (field named). */
  | 'SCAN_INVALID'
  /** A file that is none of the scanner reports read here. */
  | 'SCAN_UNKNOWN_FORMAT'
  /** A VEX document that breaks its specification (field named). */
  | 'VEX_INVALID'
  /** VEX documents and findings that together need more matching work than is allowed (a bound, not a format rule). */
  | 'VEX_TOO_COMPLEX'
  /** A vulnerabilities or OpenVEX document larger than verify holds to remake it (MAX_VULNERABILITY_DOCUMENT_BYTES). */
  | 'VULNERABILITIES_TOO_LARGE'
  | 'VEX_UNKNOWN_FORMAT'
  /** The purls a release is known as: too many, too long, or not purls. */
  | 'PRODUCT_INVALID'
  /** Not CISA's Known Exploited Vulnerabilities catalog. */
  | 'KEV_INVALID';

export class FormatError extends EvidenceError<FormatErrorCode> {
  readonly file: string;
  readonly issues: Issue[];
  constructor(code: FormatErrorCode, message: string, options: { file: string; issues?: Issue[]; cause?: unknown }) {
    super('FormatError', code, message, options.cause);
    this.file = options.file;
    this.issues = options.issues ?? [];
  }
}

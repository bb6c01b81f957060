import { EvidenceError } from '../core/error.js';
import type { Issue } from '../core/issues.js';

/**
 * A third-party document that cannot be read as its format defines it. Collectors turn it into their own error, with
 * the same code.
 */
export type FormatErrorCode =
  'XML_INVALID' | 'XML_DOCTYPE_NOT_ALLOWED' | 'SBOM_UNREADABLE' | 'CHECKSUMS_INVALID' | 'OSCAL_INVALID';

export class FormatError extends EvidenceError<FormatErrorCode> {
  readonly file: string;
  readonly issues: Issue[];
  constructor(code: FormatErrorCode, message: string, options: { file: string; issues?: Issue[]; cause?: unknown }) {
    super('FormatError', code, message, options.cause);
    this.file = options.file;
    this.issues = options.issues ?? [];
  }
}

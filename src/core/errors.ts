import { EvidenceError } from './error.js';
/**
 * Errors of the bundle format itself (reading, writing, parsing). Each area
 * of the project has one error class with a typed code; the CLI maps classes
 * and codes to exit codes in one place (cli/exit-codes.ts).
 */
export type BundleErrorCode =
  | 'CANONICAL_JSON_UNSUPPORTED_VALUE'
  | 'BLOB_CHANGED_WHILE_WRITING'
  | 'BUNDLE_WRITE_FAILED'
  | 'BUNDLE_CHANGED_WHILE_SIGNING'
  | 'MANIFEST_INVALID'
  | 'ARCHIVE_TIMESTAMPS_INVALID';

export class BundleError extends EvidenceError<BundleErrorCode> {
  readonly path?: string;
  constructor(code: BundleErrorCode, message: string, options: { path?: string; cause?: unknown } = {}) {
    super('BundleError', code, message, options.cause);
    if (options.path !== undefined) this.path = options.path;
  }
}

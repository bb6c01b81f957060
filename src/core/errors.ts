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
  | 'MANIFEST_INVALID';

export class BundleError extends Error {
  readonly code: BundleErrorCode;
  readonly path?: string;
  constructor(code: BundleErrorCode, message: string, options: { path?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BundleError';
    this.code = code;
    if (options.path !== undefined) this.path = options.path;
  }
}

/**
 * The one base of every error this project throws on purpose: a typed code
 * (SCREAMING_SNAKE, stable, what tests and scripts match on) and a name per
 * area (BundleError, CollectError, VerifyError, …). One place, the CLI's
 * exit-codes.ts, turns them into exit codes.
 */
export abstract class EvidenceError<Code extends string = string> extends Error {
  readonly code: Code;
  constructor(name: string, code: Code, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = name;
    this.code = code;
  }
}

export function isEvidenceError(e: unknown): e is EvidenceError {
  return e instanceof EvidenceError;
}

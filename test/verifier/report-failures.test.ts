import { describe, expect, it } from 'vitest';
import { failures, integrityIntact, type VerifyReport } from '../../src/verifier/report.js';

/** The report's failures: checks that ran and failed, never skipped ones nor passed ones. */
function report(checks: VerifyReport['checks']): VerifyReport {
  return { ok: false, mode: 'signed', bundle: { size: 0 }, checks };
}

describe('failures', () => {
  it('lists the failed checks that ran, in order, and leaves out passed and skipped ones', () => {
    const r = report([
      { id: 'archive', ok: true, message: 'read' },
      { id: 'blobs', ok: false, code: 'BLOB_MISSING', message: 'a blob is missing' },
      { id: 'signature', ok: false, code: 'SIGNATURE_MISSING', message: 'not signed', skipped: true },
      { id: 'statement', ok: false, code: 'STATEMENT_INVALID', message: 'not a statement' },
    ]);
    expect(failures(r).map((c) => c.code)).toEqual(['BLOB_MISSING', 'STATEMENT_INVALID']);
  });

  it('is empty for a report that only passed or skipped', () => {
    const r = report([
      { id: 'archive', ok: true, message: 'read' },
      { id: 'signature', ok: false, code: 'SIGNATURE_NOT_CHECKED', message: 'integrity only', skipped: true },
    ]);
    expect(failures(r)).toEqual([]);
    expect(integrityIntact(r)).toBe(true);
  });

  it('a failed signature leaves integrity intact; a failed blob check does not', () => {
    expect(integrityIntact(report([{ id: 'signature', ok: false, code: 'SIGNATURE_INVALID', message: 'x' }]))).toBe(
      true,
    );
    expect(integrityIntact(report([{ id: 'blobs', ok: false, code: 'BLOB_MISSING', message: 'x' }]))).toBe(false);
  });
});

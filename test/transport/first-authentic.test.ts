import { describe, expect, it } from 'vitest';
import { firstAuthentic, OffersUnavailable } from '../../src/transport/audit-source.js';
import { GitHubError } from '../../src/transport/github/errors.js';
import { VerifyError } from '../../src/verifier/errors.js';
import type { VerifyReport } from '../../src/verifier/report.js';

/**
 * firstAuthentic's order, with a made-up verifier: the bundle's own signature first; the source's offers only when
 * that is not authentic and the bytes are intact; the first authentic offer wins, else the first offered stands.
 */

type Outcome =
  | 'authentic'
  | 'unsigned'
  | 'other-signer'
  | 'tampered'
  | 'bad-entry'
  | 'bad-standard'
  | 'unsigned-uncovered'
  | 'throws';
/** A report that is not authentic, with these checks failed (each as `id: CODE`). */
const notAuthentic = (...failed: string[]) =>
  ({
    checks: failed.map((f) => {
      const [id, code] = f.split(': ');
      return { id, ok: false, code, message: '' };
    }),
    assessment: { authenticity: { status: 'not-authentic' } },
  }) as never;

const reports: Record<Exclude<Outcome, 'throws'>, Pick<VerifyReport, 'checks' | 'assessment'>> = {
  authentic: { checks: [], assessment: { authenticity: { status: 'authentic' } } } as never,
  unsigned: notAuthentic('signature: SIGNATURE_MISSING'),
  'other-signer': notAuthentic('identity: IDENTITY_MISMATCH'),
  tampered: notAuthentic('blobs: BLOB_DIGEST_MISMATCH'),
  // Signed by someone else, and an attestation collected into it fails: no signature cures the second.
  'bad-entry': notAuthentic('identity: IDENTITY_MISMATCH', 'attestations: ATTESTATION_ENTRY_INVALID'),
  // Its own signature holds; a standard statement in it does not say what its evidence says: its own bytes.
  'bad-standard': notAuthentic('standard: STANDARD_MISMATCH'),
  // No signature, and an artifact asked about that the release does not name: coverage, not authenticity.
  'unsigned-uncovered': notAuthentic('subjects: SUBJECT_NOT_COVERED', 'signature: SIGNATURE_MISSING'),
};

/** Runs firstAuthentic where the signature `own` (no attestation) and each offer give the outcome named. */
async function tried(own: Outcome, offers: Record<string, Outcome> | Error) {
  const ran: string[] = [];
  let asked = 0;
  const run = ({ attestation }: { attestation?: string }) => {
    const name = attestation ?? 'own';
    ran.push(name);
    const outcome = name === 'own' ? own : (offers as Record<string, Outcome>)[name];
    if (outcome === 'throws') return Promise.reject(new VerifyError('ATTESTATION_UNREADABLE', name));
    return Promise.resolve({ name, report: reports[outcome as Exclude<Outcome, 'throws'>] as VerifyReport });
  };
  const result = await firstAuthentic(
    {
      bundle: 'b.tar.gz',
      offers: () => {
        asked++;
        return offers instanceof Error ? Promise.reject(offers) : Promise.resolve(Object.keys(offers));
      },
    },
    run,
    {},
  ).then(
    (r) => r.name,
    (e: unknown) => e,
  );
  return { result, ran, asked };
}

describe('firstAuthentic', () => {
  it('does not ask for offers when the bundle is authentic by itself, or its bytes do not match', async () => {
    const failing = new GitHubError('GITHUB_REQUEST_FAILED', 'boom');
    expect(await tried('authentic', failing)).toEqual({ result: 'own', ran: ['own'], asked: 0 });
    expect(await tried('tampered', failing)).toEqual({ result: 'own', ran: ['own'], asked: 0 });
    // A failure past the bytes that no signature cures either (an outside review: an API failure turned it into
    // unavailable, exit 2, where it fails, exit 1).
    expect(await tried('bad-entry', failing)).toEqual({ result: 'own', ran: ['own'], asked: 0 });
    expect(await tried('bad-standard', failing)).toEqual({ result: 'own', ran: ['own'], asked: 0 });
  });

  it('asks when all that fails besides the signature is coverage of the artifacts asked about', async () => {
    expect(await tried('unsigned-uncovered', { a: 'authentic' })).toEqual({ result: 'a', ran: ['own', 'a'], asked: 1 });
  });

  it('asks once when its own signature is missing, not authentic or cannot be checked; the first authentic offer wins', async () => {
    for (const own of ['unsigned', 'other-signer', 'throws'] as const)
      expect(await tried(own, { a: 'other-signer', b: 'authentic', c: 'authentic' })).toEqual({
        result: 'b',
        ran: ['own', 'a', 'b'],
        asked: 1,
      });
  });

  it('when no offer is authentic, a bundle that carries a signature is reported by it; one with none by the first offered', async () => {
    // Signed by someone else: its own report says so, not an offered attestation's (an outside review).
    expect(await tried('other-signer', { a: 'throws', b: 'unsigned' })).toEqual({
      result: 'own',
      ran: ['own', 'a', 'b'],
      asked: 1,
    });
    expect((await tried('unsigned', { a: 'throws', b: 'other-signer' })).result).toMatchObject({
      code: 'ATTESTATION_UNREADABLE',
      message: 'a',
    });
    // Its own signature could not be checked (it cannot be read): that is what is said, not an offer's.
    expect((await tried('throws', { a: 'other-signer' })).result).toMatchObject({
      code: 'ATTESTATION_UNREADABLE',
      message: 'own',
    });
    expect(await tried('other-signer', {})).toEqual({ result: 'own', ran: ['own'], asked: 1 });
  });

  it("a source that cannot give its offers is OffersUnavailable, carrying the source's error", async () => {
    const failing = new GitHubError('GITHUB_REQUEST_FAILED', 'boom');
    const { result } = await tried('unsigned', failing);
    expect(result).toBeInstanceOf(OffersUnavailable);
    expect((result as OffersUnavailable).error.code).toBe('GITHUB_REQUEST_FAILED');
  });
});

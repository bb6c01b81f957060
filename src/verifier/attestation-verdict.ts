import { digestsEqual } from '../core/digest.js';
import { predicateFailure, readPredicate, type PredicateReading } from './attestation-predicate.js';
import { notAssessed, statedEvidence, statedEvidenceOf, statedStatus } from './attestation-evidence.js';
import type { IdentityPolicy } from './identity-policy.js';
import type { AttestationReport, AttestationSetReport } from './report.js';
import { signedContentKind, verifySigstoreBundle, type VerificationKeyInput } from './sigstore-bundle.js';
import { parseStatement } from './statement-check.js';
import type { LoadedTrustRoot } from './trusted-root.js';
import type { SigstoreLine } from './sigstore-lines.js';
import { VerifyError } from './errors.js';

/** A statement subject's digests hold one of the artifact's. */
function coversDigest(subject: { digest: Record<string, string> }, digests: Record<string, string>): boolean {
  return Object.entries(digests).some(
    ([alg, hex]) => subject.digest[alg] !== undefined && digestsEqual(subject.digest[alg], hex),
  );
}

export interface AttestationInput {
  /** The Sigstore bundle as parsed JSON (untrusted), and how it is named in the report. */
  json: unknown;
  attestation: string;
  /** The artifact's digests, and its file when one was given. */
  digests: Record<string, string>;
  artifactFile?: string;
  /** The artifact's bytes, for a message signature (which is over them). */
  artifactBytes?: Buffer;
  roots: LoadedTrustRoot[];
  keys: VerificationKeyInput[];
  policy: IdentityPolicy;
}

/**
 * One Sigstore bundle against one artifact, like cosign verify-blob-attestation:
 * a DSSE envelope must carry an in-toto statement with the artifact among its
 * subjects; a message signature must be over the artifact itself.
 */
export function attestationReport(input: AttestationInput): AttestationReport {
  const { json, digests } = input;
  const kind = signedContentKind(json);
  const verified = verifySigstoreBundle({
    json,
    roots: input.roots,
    keys: input.keys,
    policy: input.policy,
    ...(input.artifactBytes ? { artifact: input.artifactBytes } : {}),
  });
  const checks = [...verified.checks];
  let predicateType: string | undefined;
  let release: AttestationReport['release'];
  let evidence = notAssessed('the signature did not verify, so what it states cannot be trusted');
  if (verified.checks.every((c) => c.ok) && verified.dsse) {
    const statement = parseStatement(verified.dsse.payload);
    if (!statement) {
      checks.push({
        id: 'statement',
        ok: false,
        code: 'STATEMENT_INVALID',
        message: `the DSSE payload (${verified.dsse.payloadType}) is not an in-toto Statement (v1 or v0.1)`,
      });
      evidence = notAssessed('the payload is not an in-toto statement');
    } else {
      predicateType = statement.predicateType;
      const hit = statement.subject.find((s) => coversDigest(s, digests));
      const reading = readPredicate(statement.predicateType, statement.predicate);
      if (reading.release) release = reading.release;
      checks.push(
        hit
          ? {
              id: 'statement',
              ok: true,
              message: `the statement (${statement.predicateType}) covers the artifact as '${hit.name ?? hit.uri ?? 'unnamed'}'; ${reading.says}`,
            }
          : {
              id: 'statement',
              ok: false,
              code: 'SUBJECT_NOT_IN_ATTESTATION',
              message: "the artifact is not among the statement's subjects",
              found: Object.entries(digests)
                .map(([a, h]) => `${a}:${h}`)
                .join(', '),
            },
      );
      // A summary of a verification that did not pass is no attestation that it did (a gate reads this exit code).
      const failure = hit ? predicateFailure(reading) : undefined;
      if (failure) checks.push(failure);
      // What it states, apart from whether it verified: a failing test result is a concern, not a failed signature.
      evidence = hit ? statedEvidence(reading) : notAssessed('the statement is not about the artifact');
    }
  } else if (verified.checks.every((c) => c.ok) && kind === 'message-signature') {
    checks.push({ id: 'statement', ok: true, message: 'the signature is over the artifact itself' });
    evidence = {
      status: 'nothing-to-judge',
      findings: [],
      summary: 'nothing to judge: a message signature states nothing of the artifact but that it signed it',
    };
  }
  return {
    ok: checks.every((c) => c.ok),
    attestation: input.attestation,
    artifact: { ...(input.artifactFile ? { file: input.artifactFile } : {}), digests },
    ...(kind ? { kind } : {}),
    ...(predicateType ? { predicateType } : {}),
    ...(release ? { release } : {}),
    checks,
    ...(verified.info ? { signature: verified.info } : {}),
    evidence,
  };
}

export interface AttestationSetInput {
  /** The bundles of one file, each with its line (or why its line is not JSON), and how the file is named in the report. */
  documents: SigstoreLine[];
  attestation: string;
  /** The artifacts looked for, by digest. */
  artifacts: { name: string; digests: Record<string, string> }[];
  /** Only statements of this predicate type count. */
  predicateType?: string;
  /**
   * Where the bundles were delivered from, one a line in its order (the URL of GitHub's attestations for a digest, as
   * fetch --subject-digest writes them): the file is not the user's input but the evidence under test.
   */
  source?: string;
  roots: LoadedTrustRoot[];
  keys: VerificationKeyInput[];
  policy: IdentityPolicy;
}

/**
 * Many artifacts against many Sigstore bundles: each bundle verified once
 * (trusted root, signer), then each artifact reported with the verified
 * statements whose subjects hold its digest. A bundle that does not verify
 * fails the run: it is listed, never skipped. A line that holds no Sigstore
 * bundle (not JSON, or JSON that is no bundle by its schema) is listed as
 * `malformed`, not checked; every other line is still verified and reported.
 * The verdict: `failed` when a bundle failed verification (1), else
 * `incomplete` when a line was malformed (2: what it held was not checked, so
 * no artifact is said to be uncovered on the others alone), else `verified`
 * when every artifact is covered, `failed` when one is not. Throws
 * ATTESTATION_MALFORMED when no line of the file is a Sigstore bundle.
 *
 * With `source`, the lines are what a source delivered: a line that holds no
 * bundle is named as the source's attestation (the Nth of its answer) and is a
 * failed verification of what it delivered (`failed`, 1), as a bundle that does
 * not verify is; the others are still verified and reported, and an artifact a
 * verified one covers is said covered, but the answer is never `verified`. None
 * at all that is a bundle is such an answer too, never a refused file.
 */
export function attestationSetReport(input: AttestationSetInput): AttestationSetReport {
  const bundles: AttestationSetReport['bundles'] = [];
  const from = input.source === undefined ? undefined : { source: input.source, of: input.documents.length };
  const statements: {
    line: number;
    predicateType: string;
    reading: PredicateReading;
    subject: { digest: Record<string, string> }[];
  }[] = [];
  for (const d of input.documents) {
    if (d.unreadable !== undefined) {
      bundles.push(malformedLine(d.line, d.unreadable, from));
      continue;
    }
    const verified = verifySigstoreBundle({ json: d.json, roots: input.roots, keys: input.keys, policy: input.policy });
    const schema = verified.checks.find((c) => !c.ok && c.code === 'ATTESTATION_MALFORMED');
    if (schema) {
      bundles.push(malformedLine(d.line, schema.message, from));
      continue;
    }
    const checks = [...verified.checks];
    const statement =
      verified.checks.every((c) => c.ok) && verified.dsse ? parseStatement(verified.dsse.payload) : undefined;
    if (verified.checks.every((c) => c.ok) && !statement)
      checks.push({
        id: 'statement',
        ok: false,
        code: 'STATEMENT_INVALID',
        message: `line ${d.line}: not an in-toto statement in a DSSE envelope`,
      });
    const reading = statement ? readPredicate(statement.predicateType, statement.predicate) : undefined;
    // A VSA that says the verification did not pass fails its line and covers nothing.
    const failure = reading ? predicateFailure(reading, `line ${d.line}: `) : undefined;
    if (failure) checks.push(failure);
    const ok = checks.every((c) => c.ok);
    bundles.push({
      line: d.line,
      ok,
      ...(statement ? { predicateType: statement.predicateType } : {}),
      checks,
      ...(verified.info ? { signature: verified.info } : {}),
    });
    if (ok && statement && reading)
      statements.push({
        line: d.line,
        predicateType: statement.predicateType,
        reading,
        subject: statement.subject,
      });
  }
  const wanted = input.predicateType;
  const covering = statements.filter(
    (s) =>
      (wanted === undefined || s.predicateType === wanted) &&
      input.artifacts.some((a) => s.subject.some((x) => coversDigest(x, a.digests))),
  );
  const results = input.artifacts.map((a) => {
    const coveredBy = covering
      .filter((s) => s.subject.some((x) => coversDigest(x, a.digests)))
      .map((s) => ({
        line: s.line,
        predicateType: s.predicateType,
        says: s.reading.says,
        evidence: statedStatus(s.reading),
      }));
    const ok = coveredBy.length > 0;
    const message = ok
      ? `covered by ${coveredBy.length} verified statement${coveredBy.length === 1 ? '' : 's'}: ${coveredBy.map((c) => `line ${c.line} (${c.predicateType}): ${c.says}`).join('; ')}`
      : `no verified statement${wanted ? ` of type ${wanted}` : ''} names it as a subject`;
    return { ...a, ok, coveredBy, message };
  });
  // What a source delivered is the evidence under test: one that holds no bundle failed, it is not refused input.
  const malformed = from ? [] : bundles.filter((b) => b.malformed);
  if (malformed.length === bundles.length && malformed[0])
    throw new VerifyError(
      'ATTESTATION_MALFORMED',
      `${input.attestation} line ${malformed[0].line}: ${malformed[0].checks[0]?.message ?? 'not a Sigstore bundle'}`,
      { path: input.attestation },
    );
  const ok = bundles.every((b) => b.ok) && results.every((r) => r.ok);
  return {
    ok,
    verdict: bundles.some((b) => !b.ok && !b.malformed)
      ? 'failed'
      : malformed.length
        ? 'incomplete'
        : ok
          ? 'verified'
          : 'failed',
    attestation: input.attestation,
    ...(input.source !== undefined ? { source: input.source } : {}),
    ...(wanted ? { predicateType: wanted } : {}),
    bundles,
    artifacts: results,
    // What the statements that cover the artifacts state, apart from the verdict (VERIFIED WITH CONCERNS on concerns).
    evidence: statedEvidenceOf(covering),
  };
}

/**
 * A line that holds no Sigstore bundle: listed with why, and not checked; one a source delivered (`from`) is named as
 * its Nth attestation.
 */
function malformedLine(
  line: number,
  why: string,
  from?: { source: string; of: number },
): AttestationSetReport['bundles'][number] {
  const where = from ? `line ${line}, attestation ${line} of ${from.of} from ${from.source}` : `line ${line}`;
  return {
    line,
    ok: false,
    malformed: true,
    checks: [{ id: 'signature', ok: false, code: 'ATTESTATION_MALFORMED', message: `${where}: ${why}; not checked` }],
  };
}

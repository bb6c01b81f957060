import { safeParseBounded } from '../core/issues.js';
import { parseJsonStrict } from '../core/strict-json.js';
import { digestHex, digestsEqual, sha256Hex } from '../core/digest.js';
import type { Manifest } from '../core/manifest.js';
import { EVIDENCE_PREDICATE_TYPE, MANIFEST_SUBJECT_NAME, evidencePredicateSchema } from '../core/predicate.js';
import { IN_TOTO_PAYLOAD_TYPE, IN_TOTO_STATEMENT_V1, statementSchema, type Statement } from '../formats/intoto.js';
import type { Check, CheckCode } from './report.js';

/**
 * DSSE verification proves who signed the payload, not what it is about.
 * This checks that the signed statement is about this bundle: its subjects
 * hold the exact manifest.json and every release subject.
 */
export function checkBundleStatement(
  dsse: { payload: Buffer; payloadType: string } | undefined,
  manifest: Manifest,
  manifestBytes: Buffer,
): { checks: Check[]; statement?: Statement } {
  const fail = (code: CheckCode, message: string, extra: Partial<Check> = {}): { checks: Check[] } => ({
    checks: [{ id: 'statement', ok: false, code, message, ...extra }],
  });
  if (!dsse)
    return fail(
      'ATTESTATION_NOT_DSSE',
      'the attestation signs a message digest, not an in-toto statement in a DSSE envelope',
    );
  if (dsse.payloadType !== IN_TOTO_PAYLOAD_TYPE)
    return fail(
      'ATTESTATION_NOT_INTOTO',
      `the DSSE payload type is '${dsse.payloadType}', not ${IN_TOTO_PAYLOAD_TYPE}`,
    );
  const statement = parseStatement(dsse.payload);
  if (!statement || statement._type !== IN_TOTO_STATEMENT_V1)
    return fail('STATEMENT_INVALID', 'the DSSE payload is not an in-toto Statement v1');
  if (statement.predicateType !== EVIDENCE_PREDICATE_TYPE)
    return fail('STATEMENT_WRONG_PREDICATE', `the statement's predicate type is '${statement.predicateType}'`, {
      expected: EVIDENCE_PREDICATE_TYPE,
      found: statement.predicateType,
    });
  const checks: Check[] = [];
  const names = statement.subject.map((s) => s.name);
  if (new Set(names).size !== names.length || statement.subject[0]?.name !== MANIFEST_SUBJECT_NAME) {
    return fail('STATEMENT_INVALID', "the statement's subjects repeat a name or do not start with manifest.json");
  }
  const manifestHex = sha256Hex(manifestBytes);
  const signedManifest = statement.subject.find((s) => s.name === MANIFEST_SUBJECT_NAME);
  if (!signedManifest || !digestsEqual(signedManifest.digest.sha256 ?? '', manifestHex)) {
    checks.push({
      id: 'statement',
      ok: false,
      code: 'STATEMENT_MANIFEST_MISMATCH',
      message: 'the attestation signs another manifest: it belongs to another bundle, or the manifest was changed',
      expected: `sha256:${manifestHex}`,
      found: signedManifest?.digest.sha256 ? `sha256:${signedManifest.digest.sha256}` : 'none',
    });
  }
  const predicate = safeParseBounded(evidencePredicateSchema, statement.predicate);
  if (!predicate.success)
    checks.push({
      id: 'statement',
      ok: false,
      code: 'STATEMENT_INVALID',
      message: "the statement's predicate is not a valid release-evidence predicate",
    });
  else if (!digestsEqual(predicate.data.bundle.manifestDigest, `sha256:${manifestHex}`)) {
    checks.push({
      id: 'statement',
      ok: false,
      code: 'STATEMENT_MANIFEST_MISMATCH',
      message: 'the predicate names another manifest digest',
      expected: `sha256:${manifestHex}`,
      found: predicate.data.bundle.manifestDigest,
    });
  }
  for (const s of manifest.subjects) {
    const covered = statement.subject.some(
      (x) => x.name === s.name && digestsEqual(x.digest.sha256 ?? '', digestHex(s.digest)),
    );
    if (!covered)
      checks.push({
        id: 'statement',
        ok: false,
        code: 'STATEMENT_SUBJECT_MISSING',
        message: `the attestation does not cover the release subject '${s.name}'`,
        path: s.name,
        expected: s.digest,
      });
  }
  if (checks.length === 0)
    checks.push({
      id: 'statement',
      ok: true,
      message: `the attestation covers manifest.json (sha256:${manifestHex.slice(0, 12)}…) and ${manifest.subjects.length} release subject${manifest.subjects.length === 1 ? '' : 's'}`,
    });
  return { checks, statement };
}

/** An in-toto Statement, v1 or (third-party attestations from before 2024) v0.1. */
export function parseStatement(payload: Buffer): Statement | undefined {
  try {
    // Strict: a statement with a key twice would read differently to another verifier.
    const parsed = safeParseBounded(statementSchema, parseJsonStrict(payload));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

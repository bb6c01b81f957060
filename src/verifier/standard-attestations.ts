import { appendAll } from '../core/objects.js';
import { sha256Hex } from '../core/digest.js';
import { STANDARD_MEMBER } from '../core/layout.js';
import type { Manifest } from '../core/manifest.js';
import { parseJsonStrict } from '../core/strict-json.js';
import { IN_TOTO_PAYLOAD_TYPE, bundleLines } from '../formats/intoto.js';
import { LEGACY_SCAN_TIMES } from '../formats/scan-times.js';
import { TEST_RESULT_PREDICATE_TYPE } from '../formats/standard-statements.js';
import type { AllowedSigner, IdentityPolicy } from './identity-policy.js';
import type { Check } from './report.js';
import { verifySigstoreBundle, type SignatureInfo, type VerificationKeyInput } from './sigstore-bundle.js';
import { expectedForLines } from './stated-attestations.js';
import type { LoadedTrustRoot } from './trusted-root.js';

export interface StandardAttestationsInput {
  /** attestations/standard.sigstore.jsonl as read from the bundle (untrusted). */
  bytes: Buffer;
  manifest: Manifest;
  manifestBytes: Buffer;
  /** The SBOM, JUnit and SARIF blobs kept while reading, by hex. */
  kept: ReadonlyMap<string, Buffer>;
  roots: LoadedTrustRoot[];
  keys: VerificationKeyInput[];
  identity: IdentityPolicy;
  signers?: AllowedSigner[];
  /** Who signed the evidence statement: every standard one must be signed by the same. */
  signer: SignatureInfo;
}

export interface StandardAttestationsResult {
  checks: Check[];
  /**
   * What the verified lines state, in order; in a legacy form, `legacyScanTimes` on a vulns statement whose scan times
   * are the bundle's created time (formats/scan-times.ts), `legacyXmlText` on a test-result statement whose test names
   * are as the JUnit XML writes them, entities and character references not decoded (formats/xml.ts).
   */
  statements: StandardStatementRead[];
}

export interface StandardStatementRead {
  label: string;
  predicateType: string;
  legacyScanTimes?: true;
  legacyXmlText?: true;
}

/**
 * How a statement of a legacy form differs from what is made now: only a test-result statement reads XML, and only a
 * vulns statement states scan times.
 */
const legacyMark = (predicateType: string): Pick<StandardStatementRead, 'legacyScanTimes' | 'legacyXmlText'> =>
  predicateType === TEST_RESULT_PREDICATE_TYPE ? { legacyXmlText: true } : { legacyScanTimes: true };

/** What the passing check adds of a legacy form: which rule the bundle was signed before, and what differs. */
function legacyWords(form: string, differing: readonly { label: string; predicateType: string }[]): string {
  if (differing.length === 0) return '';
  const labels = (xml: boolean): string[] =>
    differing.filter((s) => (s.predicateType === TEST_RESULT_PREDICATE_TYPE) === xml).map((s) => s.label);
  const [names, times] = [labels(true), labels(false)];
  const said = [
    ...(times.length
      ? [`the scan times of ${times.join(', ')} are the bundle's created time, not when a scan ran`]
      : []),
    ...(names.length
      ? [
          `the test names of ${names.join(', ')} are as the JUnit XML writes them, its entities and character references not decoded`,
        ]
      : []),
  ];
  const before =
    form === LEGACY_SCAN_TIMES
      ? "bundles signed before scan times were read from the scans' reports (and before XML text was decoded)"
      : 'bundles signed before XML text was decoded';
  return `; in the legacy form of ${before}: ${said.join('; ')}`;
}

const at = (line: number): string => `${STANDARD_MEMBER} line ${line}`;

/**
 * The standard statements (formats/standard-statements.ts) beside ours: each
 * line a Sigstore bundle, verified as ours is (trusted root, signer policy),
 * signed by the same signer, and stating exactly, byte for byte, what the
 * bundle's own blobs make: the SBOM predicate is the SBOM, the test counts are
 * the JUnit report's, the subjects are the release's. Any other content, a
 * missing line or an extra one is a failure. A bundle signed before the
 * vulns statements' times were read from the scans' reports, or before XML
 * text was decoded, is held, whole, to that legacy form (stated-attestations.ts,
 * expectedForLines), and the report says so, statement by statement.
 */
export function checkStandardAttestations(input: StandardAttestationsInput): StandardAttestationsResult {
  const lines = bundleLines(input.bytes);
  const expected = expectedForLines(lines, input);
  const unavailable = expected.skipped.filter((s) => s.unavailable);
  if (unavailable.length > 0) {
    return {
      checks: [
        {
          id: 'standard',
          ok: false,
          skipped: true,
          code: 'STANDARD_NOT_CHECKED',
          // Not at hand: larger than verify holds in memory, or not the bytes its digest names (the blobs check says which).
          message: `the standard attestations were not checked: ${unavailable.map((s) => s.path).join(', ')} ${unavailable.length === 1 ? 'was' : 'were'} not at hand to compare (too large to hold in memory, or not matching ${unavailable.length === 1 ? 'its' : 'their'} digest: see the blobs check)`,
          path: STANDARD_MEMBER,
        },
      ],
      statements: [],
    };
  }
  const checks: Check[] = [];
  if (lines.length !== expected.statements.length) {
    checks.push({
      id: 'standard',
      ok: false,
      code: 'STANDARD_MISMATCH',
      message: `${STANDARD_MEMBER} holds ${lines.length} attestation${lines.length === 1 ? '' : 's'}; the bundle's evidence makes ${expected.statements.length} (${expected.statements.map((s) => s.label).join(', ')})`,
      path: STANDARD_MEMBER,
      expected: String(expected.statements.length),
      found: String(lines.length),
    });
  }
  lines.forEach((line, i) => {
    const want = expected.statements[i];
    if (want) appendAll(checks, checkLine(input, line, i + 1, want.label, want.bytes));
  });
  const ok = checks.every((c) => c.ok);
  const legacy = new Set(expected.legacy);
  if (ok)
    checks.push({
      id: 'standard',
      ok: true,
      message:
        `${expected.statements.length} standard attestation${expected.statements.length === 1 ? '' : 's'} signed by the same signer and equal to what the evidence states (${expected.statements.map((s) => s.label).join('; ')})` +
        legacyWords(
          expected.form,
          expected.statements.filter((s) => legacy.has(s.label)),
        ),
    });
  return {
    checks,
    statements: ok
      ? expected.statements.map((s) => ({
          label: s.label,
          predicateType: s.predicateType,
          ...(legacy.has(s.label) ? legacyMark(s.predicateType) : {}),
        }))
      : [],
  };
}

function checkLine(input: StandardAttestationsInput, line: Buffer, n: number, label: string, want: Buffer): Check[] {
  let json: unknown;
  try {
    json = parseJsonStrict(line);
  } catch (e) {
    return [
      {
        id: 'standard',
        ok: false,
        code: 'STANDARD_MALFORMED',
        message: `${at(n)} (${label}) is not valid JSON (${(e as Error).message})`,
        path: at(n),
      },
    ];
  }
  const verified = verifySigstoreBundle({
    json,
    roots: input.roots,
    keys: input.keys,
    policy: input.identity,
    ...(input.signers ? { signers: input.signers } : {}),
    // The report shows what our statement's signature rests on; each standard statement's is not shown.
    restsOn: false,
  });
  const failed = verified.checks.filter((c) => !c.ok);
  if (failed.length > 0)
    return failed.map((c) => ({ ...c, id: 'standard', message: `${at(n)} (${label}): ${c.message}`, path: at(n) }));
  const other = signerDiffers(input.signer, verified.info);
  if (other)
    return [
      {
        id: 'standard',
        ok: false,
        code: 'STANDARD_SIGNER_MISMATCH',
        message: `${at(n)} (${label}) is signed by ${other}, not by the evidence statement's signer`,
        path: at(n),
      },
    ];
  const dsse = verified.dsse;
  if (!dsse || dsse.payloadType !== IN_TOTO_PAYLOAD_TYPE)
    return [
      {
        id: 'standard',
        ok: false,
        code: 'STANDARD_MISMATCH',
        message: `${at(n)} (${label}) is not an in-toto statement in a DSSE envelope`,
        path: at(n),
      },
    ];
  if (!dsse.payload.equals(want)) {
    return [
      {
        id: 'standard',
        ok: false,
        code: 'STANDARD_MISMATCH',
        message: `${at(n)} does not state what the evidence makes of it (${label}): its subjects or predicate differ from the bundle's own`,
        path: at(n),
        expected: `sha256:${sha256Hex(want)}`,
        found: `sha256:${sha256Hex(dsse.payload)}`,
      },
    ];
  }
  return [];
}

/** How a second signature's signer differs from the first's, or undefined when it is the same. */
function signerDiffers(main: SignatureInfo, other: SignatureInfo | undefined): string | undefined {
  if (!other) return 'an unknown signer';
  if (main.kind !== other.kind) return `a ${other.kind}`;
  if (main.kind === 'public-key')
    return main.key === other.key ? undefined : `key ${other.keyHint ?? other.key ?? '?'}`;
  return main.identity === other.identity && main.issuer === other.issuer
    ? undefined
    : `${other.identity ?? '?'} (${other.issuer ?? '?'})`;
}

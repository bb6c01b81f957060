import { canonicalBytes } from '../core/canonical-json.js';
import { digestHex, sha256Hex } from '../core/digest.js';
import type { Manifest } from '../core/manifest.js';
import { entryKind } from '../core/summaries.js';
import { dsseContent } from '../formats/intoto.js';
import { LEGACY_SCAN_TIMES } from '../formats/scan-times.js';
import {
  standardStatements,
  type StandardForm,
  type StandardStatement,
  type StandardStatements,
} from '../formats/standard-statements.js';
import { LEGACY_XML_TEXT } from '../formats/xml.js';
import type { Check } from './report.js';
import { VerifyError } from './errors.js';
import { checkBundleStatement } from './statement-check.js';

/**
 * What a bundle's attestations must state, the one definition: the verifier
 * (standard-attestations.ts) holds each verified line to it, and push, which
 * has no trust root, holds the lines it hangs on an image to it without
 * verifying a signature. Kept apart from standard-attestations.ts so that
 * push does not load the Sigstore verifier (docs/performance.md, memory).
 */

/**
 * The parts of a read bundle the statements are about: its manifest, the manifest's bytes, and the blobs kept while
 * reading.
 */
export interface StatedBundle {
  manifest: Manifest;
  manifestBytes: Buffer;
  /** The SBOM, JUnit and SARIF blobs kept while reading, by hex. */
  kept: ReadonlyMap<string, Buffer>;
}

/** A standard statement with the exact bytes (canonical JSON) its line's DSSE payload must be. */
export interface ExpectedStandardStatement extends StandardStatement {
  bytes: Buffer;
}

export interface ExpectedStandardStatements {
  statements: ExpectedStandardStatement[];
  skipped: StandardStatements['skipped'];
  /** The form they are in: `current`, or a legacy one (StandardForm in formats/standard-statements.ts). */
  form: StandardForm;
  /**
   * In a legacy form: the labels of the statements that differ from what is made now (a vulns statement's scan times,
   * a test-result statement's test names as the XML writes them).
   */
  legacy?: string[];
}

/** The standard statements the bundle's own blobs make, in order (formats/standard-statements.ts), in a form. */
export function expectedStandardStatements(
  bundle: StatedBundle,
  form: StandardForm = 'current',
): ExpectedStandardStatements {
  const made = standardStatements(
    bundle.manifest,
    sha256Hex(bundle.manifestBytes),
    (hex) => bundle.kept.get(hex),
    undefined,
    form,
  );
  return { ...made, form, statements: made.statements.map((s) => ({ ...s, bytes: canonicalBytes(s.statement) })) };
}

/** Whether the lines' DSSE payloads are, in order and all of them, these statements' bytes (no signature verified). */
function linesAre(lines: readonly Buffer[], expected: readonly ExpectedStandardStatement[]): boolean {
  return (
    lines.length === expected.length &&
    lines.every((l, i) => dsseContent(l)?.payload.equals((expected[i] as ExpectedStandardStatement).bytes) === true)
  );
}

/**
 * What the lines are to be held to: the statements made now; or, when every line is exactly one legacy form's, that
 * form, named, with the statements it differs in. The legacy forms, each what an older signer made:
 * - LEGACY_XML_TEXT (formats/xml.ts): bundles signed before XML text was decoded, whose test-result statements name
 *   tests as the JUnit XML writes them (`&gt;`); only a bundle whose JUnit report holds a `&` can differ;
 * - LEGACY_SCAN_TIMES (formats/scan-times.ts): bundles signed before the vulns statements' times were read from the
 *   scans' reports, and so before XML text was decoded too; only a bundle with a SARIF or scan entry can differ from
 *   the form above.
 * Never a mix: lines in no one form are held to the current one, and fail as they did.
 */
export function expectedForLines(lines: readonly Buffer[], bundle: StatedBundle): ExpectedStandardStatements {
  const current = expectedStandardStatements(bundle);
  if (linesAre(lines, current.statements)) return current;
  const kinds = new Set(bundle.manifest.entries.map(entryKind));
  // A JUnit report without `&` reads the same decoded or as written: its legacy form is the current one.
  const references = bundle.manifest.entries.some(
    (e) => entryKind(e) === 'junit' && bundle.kept.get(digestHex(e.digest))?.includes('&') === true,
  );
  const forms: StandardForm[] = [];
  if (references) forms.push(LEGACY_XML_TEXT);
  if (kinds.has('sarif') || kinds.has('scan')) forms.push(LEGACY_SCAN_TIMES);
  for (const form of forms) {
    const legacy = expectedStandardStatements(bundle, form);
    if (!linesAre(lines, legacy.statements)) continue;
    const now = new Set(current.statements.map((s) => s.bytes.toString('base64')));
    // Some line differs from the current form (else it would have matched): the legacy statements that are not current.
    return {
      ...legacy,
      legacy: legacy.statements.filter((s) => !now.has(s.bytes.toString('base64'))).map((s) => s.label),
    };
  }
  return current;
}

/**
 * Whether standard attestation lines state, byte for byte and in order,
 * what the bundle's own blobs make, read without verifying any signature:
 * one line per statement, each a DSSE envelope whose payload is the
 * statement's bytes; in the current form, or all of them in the legacy one
 * (expectedForLines).
 */
export function standardLinesAgree(lines: readonly Buffer[], bundle: StatedBundle): boolean {
  return linesAre(lines, expectedForLines(lines, bundle).statements);
}

/**
 * The failed checks of a bundle's signed statement read without verifying
 * its signature: it must be about this manifest (statement-check.ts). None
 * when it is.
 */
export function statementFailures(attestation: Buffer, bundle: Omit<StatedBundle, 'kept'>): Check[] {
  return checkBundleStatement(dsseContent(attestation), bundle.manifest, bundle.manifestBytes).checks.filter(
    (c) => !c.ok,
  );
}

/**
 * The gate after integrity, before the blob is mounted or its upload closed:
 * a signed bundle's statement must be about this manifest (an attestations
 * member taken from another bundle is refused: BUNDLE_INVALID, exit 1, a
 * verdict on the file like the integrity gate's). An unsigned bundle passes.
 */
export function requireCoveringStatement<
  T extends { contents: Omit<StatedBundle, 'kept'> & { attestationBytes?: Buffer } },
>(intact: T, label: string): T {
  const bytes = intact.contents.attestationBytes;
  if (!bytes) return intact;
  const failed = statementFailures(bytes, intact.contents);
  if (failed.length === 0) return intact;
  const codes = [...new Set(failed.map((c) => c.code ?? c.id))].join(', ');
  throw new VerifyError(
    'BUNDLE_INVALID',
    `${label}: its signed statement is not about its manifest (${codes}): the attestation belongs to another bundle, or the manifest changed; not pushed (sign it again)`,
    { path: label, finding: `its signed statement is not about its manifest (${codes})` },
  );
}

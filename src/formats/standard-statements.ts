import { canonicalBytes } from '../core/canonical-json.js';
import { digestHex } from '../core/digest.js';
import { parseJsonStrict } from '../core/strict-json.js';
import type { Manifest, ManifestEntry } from '../core/manifest.js';
import { entryKind } from '../core/summaries.js';
import { MANIFEST_SUBJECT_NAME } from '../core/predicate.js';
import { IN_TOTO_STATEMENT_V1, releaseSubjects, type Statement } from './intoto.js';
import { readJunit } from './junit.js';
import { effectiveSarifLevel, sarifLogSchema, sarifSecuritySeverity, type SarifLog } from './sarif.js';
import { MEDIA_TYPES } from './sbom.js';
import { parseSpdxTagValue } from './spdx-tag-value.js';
import { LEGACY_XML_TEXT, parseXml, stripBom } from './xml.js';
import type { ScanFormat } from './findings.js';
import { parseScanReport } from './scanners.js';
import { LEGACY_SCAN_TIMES, legacyScanTimes, reportScanTimes, sarifScanTimes, type ScanTimes } from './scan-times.js';

/**
 * The forms of the standard statements, each exactly as a version of the signer made them; signing makes `current`
 * only, and a verifier accepts the others, named, only when every line is in one of them (verifier/stated-attestations.ts):
 * - LEGACY_XML_TEXT: JUnit reports' test names as the XML writes them, `&gt;` for `>` (formats/xml.ts): bundles signed
 *   before XML text was decoded;
 * - LEGACY_SCAN_TIMES: the vulns statements' older times (formats/scan-times.ts), and the XML text as written too:
 *   bundles signed before either rule.
 */
export type StandardForm = 'current' | typeof LEGACY_XML_TEXT | typeof LEGACY_SCAN_TIMES;

/**
 * The standard in-toto statements made beside our own (docs/interop.md), so
 * that verifiers other than ours (gh attestation verify, cosign
 * verify-attestation, Kyverno, Conforma, GUAC) can read the evidence:
 * - CycloneDX JSON SBOMs: `https://cyclonedx.org/bom`, the document itself as
 *   predicate (in-toto/attestation spec/predicates/cyclonedx.md; cosign's
 *   `--type cyclonedx`);
 * - SPDX 2.3 SBOMs (JSON, and tag-value read into its JSON form):
 *   `https://spdx.dev/Document` (spec/predicates/spdx2.md; cosign's
 *   `--type spdxjson`);
 * - JUnit reports: `https://in-toto.io/attestation/test-result/v0.1`
 *   (spec/predicates/test-result.md);
 * - SARIF logs and scanners' own reports (`--scan`) whose results name vulnerability ids (CVE, GHSA, OSV):
 *   `https://in-toto.io/attestation/vulns/v0.2` (spec/predicates/vulns_02.md), when the report states the time of
 *   its scan (the predicate requires it; formats/scan-times.ts); other SARIF (lint, code scanning), and a scan whose
 *   report states no time, stay in our own statement only;
 * - OpenVEX documents (`openvex`, the one collect makes: formats/openvex-made.ts): `https://openvex.dev/ns`, the
 *   document itself;
 * - the release: `https://in-toto.io/attestation/release/v0.1`
 *   (spec/predicates/release.md at its v0.1 text).
 *
 * Pure and deterministic: the signer makes them from a verified bundle, and
 * the verifier makes them again from the same blobs and requires the signed
 * ones to be byte for byte these (canonical JSON), in this order. That is how
 * "the SBOM predicate equals the SBOM blob" and "the test counts equal the
 * JUnit summary" are checked.
 */
export const CYCLONEDX_PREDICATE_TYPE = 'https://cyclonedx.org/bom';
export const SPDX_PREDICATE_TYPE = 'https://spdx.dev/Document';
export const TEST_RESULT_PREDICATE_TYPE = 'https://in-toto.io/attestation/test-result/v0.1';
export const VULNS_PREDICATE_TYPE = 'https://in-toto.io/attestation/vulns/v0.2';
export const RELEASE_PREDICATE_TYPE = 'https://in-toto.io/attestation/release/v0.1';
/** A SLSA Verification Summary Attestation (`evidence verify --vsa` writes one; verify-attestation reads its result). */
export const VSA_PREDICATE_TYPE = 'https://slsa.dev/verification_summary/v1';
/**
 * OpenVEX as cosign's `--type openvex` (OpenVexNamespace) and the OpenVEX attesting guide (ATTESTING.md) name it: the
 * unversioned namespace, which Kyverno and GUAC match literally; the document itself, the predicate, says its version
 * in `@context` (`https://openvex.dev/ns/v0.2.0`).
 */
export const OPENVEX_PREDICATE_TYPE = 'https://openvex.dev/ns';

/** Blobs larger than this are not restated (a Rekor entry carries the whole envelope). */
export const MAX_STANDARD_PREDICATE_BYTES = 4 * 1024 * 1024;
/**
 * All restated blobs together, in manifest order: what keeps attestations/standard.sigstore.jsonl within the reader's
 * limit (core/layout.ts).
 */
export const STANDARD_PREDICATES_BUDGET = 8 * 1024 * 1024;

/** Vulnerability ids: CVE, GitHub advisories, and OSV's ecosystem prefixes. */
const VULNERABILITY_ID =
  /^(CVE-\d{4}-\d{4,}|GHSA(-[23456789cfghjmpqrvwx]{4}){3}|(PYSEC|RUSTSEC|GO|GSD|OSV|MAL|DLA|DSA|USN|ALSA|RHSA|GHSA|BIT|CGA|ELA|UBUNTU|DEBIAN|ALPINE)-[A-Za-z0-9._:-]+)$/;

export interface StandardStatement {
  /** A name for reports: the predicate type's short name and the entry it restates. */
  label: string;
  predicateType: string;
  statement: Statement;
}

export interface StandardStatements {
  statements: StandardStatement[];
  /**
   * Entries that could have had a standard statement and why they have none; `unavailable` when only because the blob
   * was not given.
   */
  skipped: { path: string; reason: string; unavailable?: true }[];
}

/** Which blobs the standard statements read: to keep in memory while reading a bundle. */
export function standardSourceBlob(hex: string, manifest: Manifest): boolean {
  let hexes = sourceHexes.get(manifest);
  if (!hexes) sourceHexes.set(manifest, (hexes = new Set(sources(manifest).map((e) => digestHex(e.digest)))));
  return hexes.has(hex);
}

/** Asked once per blob while a bundle is read: the answer is worked out once per manifest. */
const sourceHexes = new WeakMap<Manifest, Set<string>>();

const RESTATABLE = new Set(['sbom', 'junit', 'sarif', 'scan', 'openvex']);
const restatable = (e: ManifestEntry): boolean => RESTATABLE.has(entryKind(e));

/**
 * The entries whose blobs are restated: each at most MAX_STANDARD_PREDICATE_BYTES, all within
 * STANDARD_PREDICATES_BUDGET, in manifest order.
 */
function sources(manifest: Manifest): ManifestEntry[] {
  let spent = 0;
  return manifest.entries.filter((e) => {
    if (!restatable(e) || e.size > MAX_STANDARD_PREDICATE_BYTES || spent + e.size > STANDARD_PREDICATES_BUDGET)
      return false;
    spent += e.size;
    return true;
  });
}

/**
 * The standard statements of a bundle, from its manifest and the blobs of its
 * SBOM, JUnit and SARIF entries (by hex; a blob not given is skipped with its
 * reason). Their subjects are the release subjects, or manifest.json when the
 * release names none.
 */
export function standardStatements(
  manifest: Manifest,
  manifestHex: string,
  blob: (hex: string) => Buffer | undefined,
  /** `releaseSubjects(manifest.subjects)` when the caller has made it already (the signer, for its own statement). */
  made?: Statement['subject'],
  /** The form made: `current` when signing; a verifier also makes the legacy forms (StandardForm). */
  form: StandardForm = 'current',
): StandardStatements {
  const subject = manifest.subjects.length
    ? (made ?? releaseSubjects(manifest.subjects))
    : [{ digest: { sha256: manifestHex }, name: MANIFEST_SUBJECT_NAME }];
  const statement = (predicateType: string, predicate: Record<string, unknown>): Statement => ({
    _type: IN_TOTO_STATEMENT_V1,
    subject,
    predicateType,
    predicate,
  });
  const out: StandardStatement[] = [];
  const skipped: StandardStatements['skipped'] = [];
  const chosen = new Set(sources(manifest));
  for (const e of manifest.entries) {
    if (!restatable(e)) continue;
    if (!chosen.has(e)) {
      skipped.push({
        path: e.path,
        reason:
          e.size > MAX_STANDARD_PREDICATE_BYTES
            ? `larger than ${MAX_STANDARD_PREDICATE_BYTES} bytes, the most a standard predicate restates`
            : `the entries before it already restate ${STANDARD_PREDICATES_BUDGET} bytes, the most the standard attestations hold`,
      });
      continue;
    }
    const bytes = blob(digestHex(e.digest));
    if (!bytes) {
      skipped.push({ path: e.path, reason: 'its content was not at hand', unavailable: true });
      continue;
    }
    const made = canonical(predicateFor(e, bytes, manifest, form));
    if ('reason' in made) skipped.push({ path: e.path, reason: made.reason });
    else if (made.predicateType)
      out.push({
        label: `${shortName(made.predicateType)} ${e.path}`,
        predicateType: made.predicateType,
        statement: statement(made.predicateType, made.predicate),
      });
  }
  out.push({
    label: `release ${manifest.name}@${manifest.version}`,
    predicateType: RELEASE_PREDICATE_TYPE,
    statement: statement(RELEASE_PREDICATE_TYPE, { purl: releasePurl(manifest) }),
  });
  return { statements: out, skipped };
}

type Made =
  { predicateType: string; predicate: Record<string, unknown> } | { predicateType?: undefined } | { reason: string };

/**
 * A predicate canonical JSON cannot write (a lone surrogate, a number it refuses) is left out with the reason, never
 * thrown.
 */
function canonical(made: Made): Made {
  if (!('predicate' in made)) return made;
  try {
    canonicalBytes(made.predicate);
    return made;
  } catch (e) {
    return { reason: `cannot be restated as canonical JSON (${(e as Error).message})` };
  }
}

function predicateFor(e: ManifestEntry, bytes: Buffer, manifest: Manifest, form: StandardForm): Made {
  try {
    switch (e.kind) {
      case 'sbom':
        if (e.mediaType === MEDIA_TYPES.cyclonedxJson)
          return { predicateType: CYCLONEDX_PREDICATE_TYPE, predicate: jsonObject(bytes) };
        if (e.mediaType === MEDIA_TYPES.spdxJson)
          return { predicateType: SPDX_PREDICATE_TYPE, predicate: jsonObject(bytes) };
        if (e.mediaType === MEDIA_TYPES.spdxTagValue) {
          const parsed = parseSpdxTagValue(stripBom(bytes.toString('utf8')));
          return parsed.ok
            ? { predicateType: SPDX_PREDICATE_TYPE, predicate: parsed.document as Record<string, unknown> }
            : { reason: 'not readable SPDX tag-value' };
        }
        return { reason: 'CycloneDX XML has no JSON form to be a predicate' };
      case 'junit':
        return { predicateType: TEST_RESULT_PREDICATE_TYPE, predicate: testResult(e, bytes, form) };
      case 'sarif':
        return vulns(bytes, manifest, form);
      case 'scan':
        return scanVulns(bytes, manifest, e.path, form);
      case 'openvex':
        return { predicateType: OPENVEX_PREDICATE_TYPE, predicate: jsonObject(bytes) };
      default:
        return {};
    }
  } catch (err) {
    return { reason: `not readable (${(err as Error).message})` };
  }
}

function jsonObject(bytes: Buffer): Record<string, unknown> {
  // Strictly: a key twice would make the predicate say what a first-wins reader of the blob does not see.
  const value: unknown = parseJsonStrict(stripBom(new TextDecoder('utf-8', { fatal: true }).decode(bytes)));
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
  return value as Record<string, unknown>;
}

/**
 * test-result v0.1: PASSED when every test that ran passed, FAILED when one
 * failed or errored, WARNED when no test ran (a report without tests, or whose
 * tests were all skipped, proves nothing). Skipped tests are in no list (the
 * predicate has none for them). Each test is named as the report's text says it, entities and character references
 * decoded (`math > adds`, written `math &gt; adds`); in the legacy forms as written.
 * The configuration is the JUnit report itself, by digest.
 */
function testResult(e: ManifestEntry, bytes: Buffer, form: StandardForm): Record<string, unknown> {
  const reading = readJunit(parseXml(e.path, bytes, form === 'current' ? 'current' : LEGACY_XML_TEXT));
  if (!reading) throw new Error('the root element is not <testsuites> or <testsuite>');
  const names = (outcomes: string[]): string[] =>
    reading.cases.filter((c) => outcomes.includes(c.outcome)).map((c) => c.name);
  const failed = reading.totals.failed + reading.totals.errored;
  return {
    result: failed > 0 ? 'FAILED' : reading.totals.passed === 0 ? 'WARNED' : 'PASSED',
    configuration: [{ name: e.path, digest: { sha256: digestHex(e.digest) }, mediaType: e.mediaType }],
    passedTests: names(['passed']),
    warnedTests: [],
    failedTests: names(['failed', 'errored']),
  };
}

/** Each id's distinct ratings, keyed by method and score, in the order the report first gives them. */
type Ratings = Map<string, Map<string, { method: string; score: string }>>;

/**
 * Adds an id's ratings, each distinct rating once: every rating the report gives an id is restated (the same CVE rated
 * LOW in a Debian package and CRITICAL in a Go module keeps both), never only the first.
 */
function rate(found: Ratings, id: string, ratings: { method: string; score: string }[]): void {
  let byKey = found.get(id);
  if (!byKey) {
    byKey = new Map<string, { method: string; score: string }>();
    found.set(id, byKey);
  }
  for (const r of ratings) if (!byKey.has(`${r.method}\0${r.score}`)) byKey.set(`${r.method}\0${r.score}`, r);
}

/** vulns v0.2's `result`: each id once, in id order, with its ratings. */
const ratedResults = (found: Ratings) =>
  [...found.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, byKey]) => ({ id, severity: [...byKey.values()] }));

/** Why a scan whose report states no time has no vulns statement. */
const UNTIMED =
  'so no vulns statement (its scanStartedOn and scanFinishedOn are required, and no other time is one the scan stated): it stays in the evidence statement only';

/** The metadata of a vulns predicate: the scan's times, or why the statement is not made. */
const scanMetadata = (times: ScanTimes): Made | { scanStartedOn: string; scanFinishedOn: string } =>
  'reason' in times
    ? { reason: `${times.reason}, ${UNTIMED}` }
    : { scanStartedOn: times.started, scanFinishedOn: times.finished };

/**
 * vulns v0.2 from a SARIF log whose results name vulnerability ids (by rule id,
 * as Trivy, Grype and osv-scanner write them). One scanner: the first run's
 * tool; its times the first invocation's (formats/scan-times.ts).
 */
function vulns(bytes: Buffer, manifest: Manifest, form: StandardForm): Made {
  const log: SarifLog = sarifLogSchema.parse(jsonObject(bytes));
  const found: Ratings = new Map();
  for (const run of log.runs) {
    for (const result of run.results ?? []) {
      const id = result.ruleId ?? run.tool.driver.rules?.[result.ruleIndex ?? -1]?.id;
      // A result that passed (kind pass, notApplicable, informational…) found nothing.
      if (!id || !VULNERABILITY_ID.test(id) || (result.kind !== undefined && result.kind !== 'fail')) continue;
      const score = sarifSecuritySeverity(run, result);
      rate(found, id, [
        { method: 'sarif-level', score: effectiveSarifLevel(run, result) },
        ...(score === undefined ? [] : [{ method: 'security-severity', score: String(score) }]),
      ]);
    }
  }
  if (found.size === 0)
    return { reason: 'names no vulnerability id (not a vulnerability scan): it stays in the evidence statement only' };
  const run = log.runs[0];
  const driver = run?.tool.driver;
  const invocation = run?.invocations?.[0];
  const metadata = scanMetadata(
    form === LEGACY_SCAN_TIMES ? legacyScanTimes(manifest.created, invocation) : sarifScanTimes(invocation),
  );
  if ('reason' in metadata) return metadata;
  return {
    predicateType: VULNS_PREDICATE_TYPE,
    predicate: {
      scanner: {
        uri: driver?.informationUri ?? `pkg:generic/${encodeURIComponent(driver?.name ?? 'unknown')}`,
        ...((driver?.version ?? driver?.semanticVersion)
          ? { version: String(driver?.version ?? driver?.semanticVersion) }
          : {}),
        result: ratedResults(found),
      },
      metadata,
    },
  };
}

/** Where each scanner read here is documented: the vulns predicate's scanner URI. */
const SCANNER_URI: Record<ScanFormat, string> = {
  grype: 'https://github.com/anchore/grype',
  trivy: 'https://github.com/aquasecurity/trivy',
  'osv-scanner': 'https://github.com/google/osv-scanner',
  'npm-audit': 'https://docs.npmjs.com/cli/commands/npm-audit',
  zap: 'https://www.zaproxy.org/',
};

/**
 * vulns v0.2 from a scanner's own report (`--scan`): each vulnerability id once, with the severity the scanner gave
 * (normalised) and its CVSS ratings. Web alerts (ZAP) name no vulnerability id and are not restated.
 */
function scanVulns(bytes: Buffer, manifest: Manifest, path: string, form: StandardForm): Made {
  const json = jsonObject(bytes);
  const report = parseScanReport(json, path);
  const found: Ratings = new Map();
  for (const f of report.findings) {
    if (!VULNERABILITY_ID.test(f.id)) continue;
    rate(found, f.id, [
      { method: `${report.scanner.name} severity`, score: f.severity },
      ...f.cvss.map((c) => ({ method: `CVSS v${c.version}`, score: String(c.score ?? c.vector ?? '') })),
    ]);
  }
  if (found.size === 0)
    return { reason: 'names no vulnerability id (web alerts, or no finding): it stays in the evidence statement only' };
  const metadata = scanMetadata(
    form === LEGACY_SCAN_TIMES ? legacyScanTimes(manifest.created) : reportScanTimes(json, report.format),
  );
  if ('reason' in metadata) return metadata;
  return {
    predicateType: VULNS_PREDICATE_TYPE,
    predicate: {
      scanner: {
        uri: SCANNER_URI[report.format],
        ...(report.scanner.version ? { version: report.scanner.version } : {}),
        result: ratedResults(found),
      },
      metadata,
    },
  };
}

/** `pkg:generic/NAME@VERSION`: the release as a package URL with its version (release.md requires one). */
export function releasePurl(manifest: Pick<Manifest, 'name' | 'version'>): string {
  return `pkg:generic/${encodeURIComponent(manifest.name)}@${encodeURIComponent(manifest.version)}`;
}

function shortName(predicateType: string): string {
  return (
    {
      [CYCLONEDX_PREDICATE_TYPE]: 'cyclonedx',
      [SPDX_PREDICATE_TYPE]: 'spdx',
      [TEST_RESULT_PREDICATE_TYPE]: 'test-result',
      [VULNS_PREDICATE_TYPE]: 'vulns',
      [RELEASE_PREDICATE_TYPE]: 'release',
      [OPENVEX_PREDICATE_TYPE]: 'openvex',
    }[predicateType] ?? predicateType
  );
}

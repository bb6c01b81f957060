/**
 * What the evidence index keeps of one verified release (docs/index.md): the release, its subjects, the components
 * its SBOMs list, its findings with their dispositions, the kinds of evidence it holds and the controls its policy
 * judged. Pure: made from what verification returned (the report, the manifest, the blobs it kept), so the same
 * bundle always gives the same rows. A release verified by a signature kept outside its bundle (a Sigstore bundle
 * asset beside it, or one GitHub's attestations API offered) records where that signature was read and its sha256
 * (schema 4): checking the row again is verifying the bundle it names with that signature (`verify --attestation`).
 */
import { digestHex } from '../core/digest.js';
import type { Manifest } from '../core/manifest.js';
import { entryKind, summariesOf } from '../core/summaries.js';
import { licenceIdsRead, readSbom } from '../formats/sbom.js';
import { PurlReader } from '../formats/purl.js';
import { vulnerabilityIds } from '../formats/vex/index.js';
import type { VerifyReport } from '../verifier/report.js';
import { controlResults } from '../verifier/controls/index.js';
import { hollowCounts } from '../verifier/policy/hollow.js';
import type { PolicyResult } from '../verifier/policy-result.js';
import { releaseFindings } from '../verifier/vulnerability-check.js';
import { assess } from '../verifier/assessment.js';

/** What a policy that passed showed (verify's `policy.shows`). */
export type PolicyShows = 'evidence' | 'partial' | 'nothing';

/** A release as the index stores it. */
export interface IndexedRelease {
  release: {
    /** sha256 of the bundle's bytes: the release's key in the index, and how it is fetched and verified again. */
    bundleDigest: string;
    /** Where the bundle lives: an OCI reference by digest, a release asset's URL, a file's path. */
    location: string;
    /** The source it was found in (`oci://…`, `github:owner/repo`, a folder). */
    source: string;
    product: string;
    version: string;
    created: string;
    /** The latest time the signature's verification relied on (a checked timestamp or log entry), if any. */
    signedAt?: string;
    /** Who signed: the certificate's identity and issuer, or the key. */
    signer: string;
    /**
     * The signature that verified the release when it was not the bundle's own: where it was read (a release asset's
     * URL, the attestations API's URL for the manifest's digest, a file) and the sha256 of that Sigstore bundle.
     */
    signature?: { location: string; digest: string };
    /** The policy's verdict when one was applied: `pass` or `fail`; `none` without a policy. */
    policy: 'pass' | 'fail' | 'none';
    /**
     * For a policy that passed, what it showed, as verify heads it (Assessment's `policy.shows`): `evidence`, `partial`
     * (some of its requirements, rules and cross-checks read no evidence) or `nothing` (none did: it holds and says
     * nothing of the release). Absent when it failed or none was applied (schema 7; NULL before: not recorded).
     */
    policyShows?: PolicyShows;
    policyDigest?: string;
    /** Every SBOM of the bundle was read into `components` (false: one was not held in memory, or did not read). */
    componentsRead: boolean;
    /**
     * The findings are those of a vulnerabilities document verify remade and compared (false: the bundle has none, or
     * it was not checked, and `findings` is empty: what its scans found is not known to the index).
     */
    findingsRead: boolean;
    /** Components of its SBOMs that give no purl: a `--purl` question cannot find them (schema 6). */
    componentsWithoutPurl: number;
    /** Components of its SBOMs that name no licence id, or an expression that does not read (licenceIdsRead): a `--license` question cannot find them (schema 6). */
    componentsWithoutLicense: number;
  };
  subjects: { name: string; digest: string }[];
  /** Distinct by purl (or name@version when the SBOM gives no purl). */
  components: {
    purl: string;
    packageKey: string;
    name: string;
    version: string;
    licenses: string[];
    /** The SPDX expressions naming more than one licence that its licences come from, as written (schema 6). */
    expressions?: string[];
  }[];
  findings: {
    id: string;
    /** Every id the finding is known by (its id and aliases), lower-cased: what `--cve` looks up. */
    ids: string[];
    purl: string;
    severity: string;
    status: string;
    justification: string;
    fixVersions: string[];
    statusFrom: string;
    /**
     * Who stated the status (the VEX document's or statement's author, '' when it names none) and when (the
     * statement's own time, else its document's; '' when neither is given): schema 6.
     */
    statusAuthor: string;
    statusAt: string;
    /**
     * Statements that also applied to the finding and said another status, which lost to the one that set it (a later one, or the more cautious where dates cannot order them):
     * `path#index: status`, '; '-separated, at most the ones the vulnerabilities document lists; how many in all.
     */
    conflicts: string;
    conflictsTotal: number;
    impactStatement: string;
    actionStatement: string;
    knownExploited: boolean;
  }[];
  /**
   * Entries per kind (a kind taken by the file collector counts as `file`), and how many of them hold nothing to judge
   * (a test report without tests, an SBOM without components: verifier/policy/hollow.ts), schema 6.
   */
  kinds: { kind: string; count: number; empty: number }[];
  /**
   * Each control the policy names, with the verdict verify gives it (held, waived, partly-shown, not-shown, failed:
   * verifier/controls), every requirement, rule and cross-check citing it with how it fared (`check`), and how many
   * of them showed evidence.
   */
  controls: { control: string; check: string; status: string; evidence: number }[];
}

/**
 * A control's row: verify's verdict over everything that cites it (a rule that passed does not hold a control whose
 * cross-check failed), never one check's status read as the control's.
 */
export function controlRows(policy: PolicyResult): IndexedRelease['controls'] {
  return controlResults(policy).map((c) => ({
    control: c.id,
    check: c.items.map((i) => `${i.type} ${i.name}: ${i.status}`).join('; '),
    status: c.state,
    evidence: c.items.filter((i) => i.shows !== 'nothing').length,
  }));
}

/** The blobs releaseRows reads (by hex): the SBOMs and the vulnerabilities document; no other needs to reach it. */
export function rowBlobs(manifest: Manifest): Set<string> {
  const read = summariesOf(manifest.entries, 'sbom').map(({ entry }) => entry);
  return new Set(
    [...read, ...manifest.entries.filter((e) => entryKind(e) === 'vulnerabilities')].map((e) => digestHex(e.digest)),
  );
}

/** Why a bundle is not indexed as fact: it did not verify as signed evidence. */
export function notIndexable(report: VerifyReport): string | undefined {
  if (report.mode !== 'signed') return 'verified for integrity only: its signature was not checked';
  if (report.verdict === 'failed' || report.verdict === undefined) {
    const failed = report.checks.find((c) => !c.ok && !c.skipped);
    return `did not verify${failed ? `: ${failed.code ?? failed.id} ${failed.message}` : ''}`;
  }
  return undefined;
}

/**
 * The rows of one release that verified (`notIndexable` says undefined), from its report, manifest and the SBOM and
 * vulnerabilities blobs verification kept (by hex). Blobs not given are not read: their components or findings are
 * absent, and `kinds` still says the evidence is there.
 */
export function releaseRows(input: {
  report: VerifyReport;
  manifest: Manifest;
  blobs: ReadonlyMap<string, Buffer>;
  location: string;
  source: string;
  /** A reader kept across releases (the writer thread's), so that a component's purl is read once a run. */
  purls?: PurlReader;
  /** Where the Sigstore bundle that verified it was read, when not in the bundle (default: the path verify read). */
  signatureAt?: string;
}): IndexedRelease {
  const { report, manifest, blobs } = input;
  const sig = report.signature;
  const times = [
    ...(sig?.timestamps ?? []).filter((t) => t.verified).map((t) => t.time),
    ...(sig?.tlog ?? []).filter((t) => t.timeVerified && t.integratedTime).map((t) => t.integratedTime as string),
  ].sort();
  const policy = report.policy;
  const release: IndexedRelease['release'] = {
    bundleDigest: report.bundle.digest ?? '',
    location: input.location,
    source: input.source,
    product: manifest.name,
    version: manifest.version,
    created: manifest.created,
    ...(times.length ? { signedAt: times[times.length - 1] } : {}),
    ...(sig?.attestation
      ? {
          signature: { location: input.signatureAt ?? sig.attestation.uri, digest: `sha256:${sig.attestation.sha256}` },
        }
      : {}),
    signer:
      sig?.kind === 'certificate'
        ? `${sig.identity ?? ''} (${sig.issuer ?? ''})`
        : `key ${sig?.key ?? sig?.keyHint ?? ''}`,
    policy: policy ? (policy.ok ? 'pass' : 'fail') : 'none',
    ...(policy ? { policyDigest: policy.policy.digest } : {}),
    // A pass that showed nothing is not a pass that showed evidence: kept as verify heads it (POLICY SHOWS NOTHING).
    ...(policy?.ok
      ? { policyShows: (report.assessment ?? assess(report, manifest.entries)).policy.shows ?? 'evidence' }
      : {}),
    componentsRead: true,
    findingsRead: false,
    componentsWithoutPurl: 0,
    componentsWithoutLicense: 0,
  };

  const purls = input.purls ?? new PurlReader();
  const components = new Map<string, IndexedRelease['components'][number]>();
  for (const { entry } of summariesOf(manifest.entries, 'sbom')) {
    const bytes = blobs.get(digestHex(entry.digest));
    let read;
    try {
      read = bytes && readSbom(bytes, entry.mediaType, entry.path);
    } catch {
      read = undefined; // verified evidence that no longer reads here: its components are not indexed, its kind still is
    }
    if (!read) {
      release.componentsRead = false;
      continue;
    }
    for (const c of read.components) {
      const purl = c.purl ? (purls.canonical(c.purl) ?? c.purl) : `name:${c.name}@${c.version ?? ''}`;
      if (components.has(purl)) continue;
      const key = c.purl ? purls.packageKey(c.purl) : undefined;
      // Without a purl, or with one that does not read: found by no purl question.
      if (key === undefined) release.componentsWithoutPurl++;
      // No licence id, or an expression that does not read: a licence question cannot find it.
      if (!licenceIdsRead(c.licenses)) release.componentsWithoutLicense++;
      components.set(purl, {
        purl,
        packageKey: key ?? `name:${c.name}`,
        name: c.name,
        version: c.version ?? '',
        licenses: c.licenses ?? [],
        ...(c.expressions ? { expressions: c.expressions } : {}),
      });
    }
  }

  // Findings only from a vulnerabilities document verify remade and found equal: never from one it could not check.
  const check = report.checks.find((c) => c.id === 'vulnerabilities');
  release.findingsRead = check !== undefined && check.ok && !check.skipped;
  const findings = (release.findingsRead ? releaseFindings(manifest, blobs) : []).map((f) => ({
    id: f.id,
    ids: vulnerabilityIds([f.id, ...f.aliases]).ids,
    purl: f.purl ?? '',
    severity: f.severity,
    status: f.status ?? 'none',
    justification: f.justification ?? '',
    fixVersions: f.fixVersions,
    statusFrom: f.statusFrom?.path ?? '',
    statusAuthor: f.statusFrom?.author ?? '',
    statusAt: f.statusOrderedAt ?? f.statusTimestamp ?? '',
    conflicts: (f.conflicts ?? []).map((c) => `${c.path}#${c.index}: ${c.status}`).join('; '),
    conflictsTotal: Math.max(f.conflictsTotal ?? 0, f.conflicts?.length ?? 0),
    impactStatement: f.impactStatement ?? '',
    actionStatement: f.actionStatement ?? '',
    knownExploited: f.knownExploited === true,
  }));

  const kinds = new Map<string, number>();
  for (const e of manifest.entries) kinds.set(entryKind(e), (kinds.get(entryKind(e)) ?? 0) + 1);
  const hollow = hollowCounts(manifest);

  const controls = policy ? controlRows(policy) : [];

  return {
    release,
    subjects: manifest.subjects.map((s) => ({ name: s.name, digest: s.digest })),
    components: [...components.values()],
    findings,
    kinds: [...kinds].map(([kind, count]) => ({ kind, count, empty: Math.min(count, hollow[kind] ?? 0) })),
    controls,
  };
}

/**
 * What the run's counts need of a release it stored: its row and its kinds. The writer thread sends back only these,
 * not the release's thousand rows of components and licences (a structured copy on both threads, for nothing).
 */
export type RecordedRelease = Pick<IndexedRelease, 'release' | 'kinds'>;

/** What of a release the index did not read (its components, its findings), in words; undefined when nothing. */
export function notRead(rows: RecordedRelease): string | undefined {
  const missing = [
    ...(rows.release.componentsRead ? [] : ['components (an SBOM not read)']),
    ...(!rows.release.findingsRead && rows.kinds.some((k) => k.kind === 'vulnerabilities')
      ? ['findings (the vulnerabilities document not checked or not read)']
      : []),
  ];
  return missing.length ? missing.join('; ') : undefined;
}

/** What one `evidence index` run did (its JSON output). */
export interface IndexRun {
  index: string;
  engine: string;
  indexed: number;
  unchanged: number;
  /** Bundles that did not verify, or whose bytes were not what the source listed: never indexed as fact. */
  rejected: { location: string; reason: string }[];
  /** Releases of listed sources whose evidence could not be fetched: neither indexed nor rejected; run again. */
  unavailable: { location: string; reason: string }[];
  /** Releases of listed sources that have no evidence (a tag or release without a bundle). */
  withoutEvidence: string[];
  /**
   * Releases of listed sources whose bundle verified but is another release's evidence (the version, product or
   * repository it names is not theirs): the bundle is indexed as the release it names, and these have none of their own.
   */
  foreign: { release: string; location: string; reason: string }[];
  /** Releases indexed without their components or findings (not held in memory, or not checked by verify). */
  incomplete: { location: string; missing: string }[];
  /** With --rebuild: whether the rows the sources no longer hold were dropped (not when a release was not fetched). */
  swept: boolean;
}

/** A run that did nothing yet. */
export function indexRun(index: string, engine: string): IndexRun {
  return {
    index,
    engine,
    indexed: 0,
    unchanged: 0,
    rejected: [],
    unavailable: [],
    withoutEvidence: [],
    foreign: [],
    incomplete: [],
    swept: false,
  };
}

/** Counts one bundle's outcome in the run: indexed (with what of it was not read), or rejected with the reason. */
export function countRecorded(
  run: IndexRun,
  location: string,
  done: { rows?: RecordedRelease; reason?: string },
  onProgress?: (message: string) => void,
): void {
  if (!done.rows) {
    run.rejected.push({ location, reason: done.reason ?? '' });
    return;
  }
  run.indexed++;
  const missing = notRead(done.rows);
  if (missing) run.incomplete.push({ location, missing });
  onProgress?.(`indexed ${done.rows.release.product} ${done.rows.release.version} (${location})`);
}

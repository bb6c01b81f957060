import { isEvidenceError } from '../core/error.js';
import type { Manifest } from '../core/manifest.js';
import { findingOf, VerifyError } from './errors.js';
import { anchored, type IdentityPolicy } from './identity-policy.js';
import { requirePinnedSigner } from './inputs.js';
import { checkPeriod, type EvidenceState, type PeriodMemberInput } from './period.js';
import { chooseEvidence, claimsOf, releaseMismatch, type AuditedRelease } from './release-evidence.js';
import type { VerifyReport } from './report.js';
import { verifiedSigningTime } from './sigstore-bundle.js';

/**
 * An audit's judgment of each release (docs/audit.md), pure: which failures
 * leave a release unavailable and which leave it unverifiable, what the audit
 * says a release is, and the member once its evidence was verified. The
 * command layer lists, downloads and verifies; src/verifier/period.ts sums the
 * members up as a period.
 */

/**
 * What verifying a release's evidence gave: the report, the manifest when it could be read, and the bundle digest the
 * source listed.
 */
export interface VerifiedEvidence {
  report: VerifyReport;
  manifest?: Manifest;
  expectedDigest?: string;
  /** The Sigstore bundle verified when it was a file, not the bundle's own: where (its path) and its sha256. */
  attestation?: { uri: string; sha256: string };
}

/**
 * The source errors an audit tells apart, by the name each area's error class
 * carries (core/error.ts: GitHubError, OciError), since the verifier never
 * imports the transport's classes; for each, the code that says the bytes are
 * not what the source listed.
 */
const SOURCE_MISMATCH = new Map<string, string>([
  ['GitHubError', 'ASSET_MISMATCH'],
  ['OciError', 'DIGEST_MISMATCH'],
]);

/** Source errors that leave one release unread (the audit goes on, the release is `unavailable`). */
export function unavailable(e: unknown): { code: string; message: string } | undefined {
  if (isEvidenceError(e) && SOURCE_MISMATCH.has(e.name) && e.code !== SOURCE_MISMATCH.get(e.name))
    return { code: e.code, message: e.message };
  return undefined;
}

/**
 * What makes a release's evidence unverifiable rather than the audit
 * impossible: bytes that are not what the source listed, a bundle or
 * attestation that cannot be read. (A signature of another kind than the
 * signer pinned is verified, and fails: SIGNER_KIND_MISMATCH.) The release is
 * not shown authentic; the audit goes on.
 */
export function unverifiable(e: unknown): { code: string; message: string } | undefined {
  if (!isEvidenceError(e)) return undefined;
  // FileError (src/fs/small-file.ts) by its name: the verifier does not import files.
  if (SOURCE_MISMATCH.get(e.name) === e.code || e instanceof VerifyError || e.name === 'FileError')
    return { code: e.code, message: e.message };
  return undefined;
}

/** An audit's options that need no file or server to check. */
export interface AuditChoices {
  repo?: string;
  oci?: string;
  since: string;
  until: string;
  sample?: number;
  seed?: string;
  sampleChanges?: number;
  concurrency?: number;
  identity?: IdentityPolicy;
  key?: string[];
}

/**
 * Checks an audit's options before anything is read (INVALID_OPTION, and
 * IDENTITY_POLICY_REQUIRED: an audit always verifies the signer): exactly one
 * source, the period, a sample with its seed, the concurrency (default 4).
 */
export function checkAuditOptions(options: AuditChoices): {
  period: { from: number; to: number };
  concurrency: number;
} {
  if ((options.repo === undefined) === (options.oci === undefined))
    throw new VerifyError(
      'INVALID_OPTION',
      'give exactly one source: --repo OWNER/NAME (GitHub releases) or oci://REGISTRY/REPOSITORY (its tags)',
    );
  const period = checkPeriod(options.since, options.until);
  if (options.sample !== undefined && (!Number.isSafeInteger(options.sample) || options.sample < 1))
    throw new VerifyError('INVALID_OPTION', `--sample ${options.sample}: a positive whole number of releases`);
  if (
    options.sampleChanges !== undefined &&
    (!Number.isSafeInteger(options.sampleChanges) || options.sampleChanges < 1)
  )
    throw new VerifyError(
      'INVALID_OPTION',
      `--sample-changes ${options.sampleChanges}: a positive whole number of changes`,
    );
  for (const [flag, n] of [
    ['--sample', options.sample],
    ['--sample-changes', options.sampleChanges],
  ] as const)
    if (n !== undefined && !options.seed)
      throw new VerifyError('INVALID_OPTION', `${flag} needs --seed, so that the sample can be drawn again`);
  if (options.seed !== undefined && options.sample === undefined && options.sampleChanges === undefined)
    throw new VerifyError('INVALID_OPTION', '--seed goes with --sample or --sample-changes');
  const concurrency = options.concurrency ?? 4;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 32)
    throw new VerifyError('INVALID_OPTION', `--concurrency ${concurrency}: between 1 and 32`);
  requirePinnedSigner(options.identity ?? {}, 'an audit');
  if (Object.keys(options.identity ?? {}).length === 0 && !(options.key?.length ?? 0)) {
    throw new VerifyError(
      'IDENTITY_POLICY_REQUIRED',
      'an audit verifies every release against its signer: give --certificate-identity (or --certificate-identity-regexp, or --signer-workflow) with --certificate-oidc-issuer, or --key',
    );
  }
  return { period, concurrency };
}

/**
 * OCI: the tags that are releases, as --tags gives them (a regular expression matching a whole tag); undefined for
 * every tag.
 */
export function releaseTagPattern(tags: string | undefined): { test(tag: string): boolean } | undefined {
  try {
    return tags === undefined ? undefined : anchored(tags);
  } catch (e) {
    throw new VerifyError(
      'INVALID_OPTION',
      `--tags ${JSON.stringify(tags)}: not a regular expression (${(e as Error).message})`,
    );
  }
}

/**
 * Verifies (through `verifyAt`) with the policy, its waivers, as of the
 * release: the later of when the source says it was published and when its
 * signed manifest says it was made, so that a back-dated listing cannot bring
 * a lapsed waiver back. An OCI tag has no date of its own that anyone but its
 * pusher wrote (`published` ''): its release is dated by its signed manifest
 * alone. `asOfNow` (--policy-time now) holds every release to `now`.
 */
export async function verifiedAsOfRelease<R extends VerifiedEvidence>(
  verifyAt: (at: Date) => Promise<R>,
  published: string,
  when: { asOfNow: boolean; now: Date; waivers: boolean },
): Promise<R> {
  if (when.asOfNow) return verifyAt(when.now);
  const claimed = published ? Date.parse(published) : Number.NaN;
  const first = await verifyAt(Number.isNaN(claimed) ? when.now : new Date(claimed));
  const dated = releaseDate(first);
  const signed = dated ? Date.parse(dated.at) : Number.NaN;
  if (!when.waivers || Number.isNaN(signed) || signed <= claimed) return first;
  return verifyAt(new Date(signed));
}

/**
 * When an authentic bundle says its release was made, and who says so: the time a timestamp authority or the log
 * verified for its signature (`timestamp`) whenever there is one, since the manifest's `created` is the signer's to
 * write, back-dated (SOURCE_DATE_EPOCH) or forward-dated alike; `created` (`signer`) only when nothing else vouches for
 * a time (a key and no timestamp). Undefined for a bundle that is not authentic.
 */
export function releaseDate(v: VerifiedEvidence): { at: string; by: 'timestamp' | 'signer' } | undefined {
  if (v.report.assessment?.authenticity.status !== 'authentic' || !v.manifest) return undefined;
  const created = Date.parse(v.manifest.created);
  const witnessed = v.report.signature ? verifiedSigningTime(v.report.signature)?.getTime() : undefined;
  if (witnessed !== undefined) return { at: new Date(witnessed).toISOString(), by: 'timestamp' };
  return Number.isNaN(created) ? undefined : { at: new Date(created).toISOString(), by: 'signer' };
}

/** What an audit is of, as its options say. */
export interface AuditScope {
  /** GitHub: the repository (OWNER/NAME) whose releases are audited. */
  repo?: string;
  product?: string;
  /** OCI: the source repository every bundle that records one must record. */
  sourceRepository?: string;
  identity?: Pick<IdentityPolicy, 'sourceRepository'>;
}

/** What the audit says a release is: its tags, and the product and repository when known. */
export function audited(tags: readonly string[], options: AuditScope): AuditedRelease {
  // GitHub: the audited repository; OCI: as given, else the repository the signer's certificate must name
  // (--source-repository).
  const pinned = options.identity?.sourceRepository;
  const repository =
    options.repo !== undefined
      ? `https://github.com/${options.repo}`
      : (options.sourceRepository ?? (pinned ? `https://github.com/${pinned}` : undefined));
  return {
    tags,
    ...(options.product !== undefined ? { product: options.product } : {}),
    ...(repository !== undefined ? { repository } : {}),
  };
}

/**
 * A release dated `published` is in the period: one the source cannot date (an OCI tag whose evidence did not verify)
 * is in every period.
 */
export function inPeriod(published: string, period: { from: number; to: number }): boolean {
  return published === '' || (Date.parse(published) >= period.from && Date.parse(published) <= period.to);
}

/**
 * The member once its evidence was verified: the bundle must be this release's (releaseMismatch), and only authentic
 * evidence counts.
 */
export function judged(
  member: PeriodMemberInput,
  result: VerifiedEvidence,
  label: string,
  release: AuditedRelease,
): PeriodMemberInput {
  const { report, manifest } = result;
  const evidence = member.evidence;
  const unsigned = report.checks.some((c) => !c.ok && !c.skipped && c.code === 'SIGNATURE_MISSING');
  // Authentic, and covering the release's images: a bundle that does not cover them is not their evidence.
  const authentic =
    report.assessment?.authenticity.status === 'authentic' && report.assessment.coverage?.status !== 'not-covered';
  let conflict: { code: string; message: string } | undefined;
  const claims = authentic && manifest ? claimsOf(manifest) : undefined;
  if (result.expectedDigest && report.bundle.digest !== result.expectedDigest) {
    conflict = {
      code: 'BUNDLE_DIGEST_MISMATCH',
      message: `${label}: the bundle verified has digest ${report.bundle.digest ?? 'unknown'}, not the ${result.expectedDigest} the source lists`,
    };
  } else if (claims) {
    // The signature says what the bundle is, not which release it belongs to.
    const mismatch = releaseMismatch(claims, release);
    if (mismatch) conflict = { code: mismatch.code, message: `${label}: ${mismatch.message}` };
  }
  return {
    ...member,
    evidence: {
      ...evidence,
      ...(unsigned
        ? {
            state: 'unsigned' as const,
            message: evidence.message ?? 'the bundle carries no signature and has no Sigstore bundle beside it',
          }
        : {}),
      ...(conflict ? { code: conflict.code, message: conflict.message, conflict: true } : {}),
    },
    report,
    ...(claims && !conflict ? { claims } : {}),
    // What a bundle that is not authentic says is not evidence: its entries go nowhere (trends, OSCAL).
    ...(manifest && authentic && !conflict ? { entries: manifest.entries } : {}),
  };
}

/**
 * Verifies through `run`; a source that fails leaves the release unavailable, a bundle that cannot be read leaves it
 * not shown authentic.
 */
export async function attempt<R extends VerifiedEvidence>(
  member: PeriodMemberInput,
  label: string,
  run: () => Promise<R>,
): Promise<{ member: PeriodMemberInput; result?: R }> {
  try {
    return { member, result: await run() };
  } catch (e) {
    const u = unavailable(e);
    if (u) return { member: { ...member, evidence: { ...member.evidence, state: 'unavailable', ...u } } };
    // Over --max-bundle-size: not downloaded, or not read past its manifest. Nothing was checked, so the release is
    // not examined (unavailable, with the reason), never unsigned or not authentic.
    if (e instanceof VerifyError && e.code === 'BUNDLE_TOO_LARGE')
      return {
        member: {
          ...member,
          evidence: { ...member.evidence, state: 'unavailable', code: e.code, message: `${label}: ${findingOf(e)}` },
        },
      };
    const bad = unverifiable(e);
    if (bad)
      return {
        member: { ...member, evidence: { ...member.evidence, code: bad.code, message: `${label}: ${findingOf(bad)}` } },
      };
    throw e;
  }
}

/**
 * The member, once its evidence was found and (when examined) verified: `run` verifies it; `label` names the release
 * and its file in messages.
 */
export async function examined(
  base: Omit<PeriodMemberInput, 'sampled' | 'evidence'>,
  evidence: PeriodMemberInput['evidence'],
  examine: boolean,
  label: string,
  release: AuditedRelease,
  run: () => Promise<VerifiedEvidence>,
): Promise<PeriodMemberInput> {
  const member: PeriodMemberInput = { ...base, sampled: examine, evidence };
  if (!examine || evidence.state !== 'found') return member;
  const tried = await attempt(member, label, run);
  return tried.result ? judged(tried.member, tried.result, label, release) : tried.member;
}

/**
 * A release none of whose tags led to a candidate: missing, or unavailable with the source's `problem` (docs/audit.md).
 */
export function withoutCandidates(
  base: Omit<PeriodMemberInput, 'sampled' | 'evidence'>,
  problem: { state: EvidenceState; code: string; message: string } | undefined,
): PeriodMemberInput {
  return {
    ...base,
    sampled: true,
    evidence: {
      state: problem?.state ?? 'missing',
      ...(problem ? { code: problem.code, message: problem.message } : {}),
    },
  };
}

/**
 * One candidate of a release's evidence once tried: judged when it verified, and authentic when what it signs is this
 * release's.
 */
export interface TriedCandidate {
  reference: string;
  authentic: boolean;
  signedCreated?: string;
  /** The release's date (releaseDate): what places it in a period. */
  dated?: { at: string; by: 'timestamp' | 'signer' };
  member: PeriodMemberInput;
}

/** A candidate at `reference`, as `attempt` left it, judged against the release. */
export function candidateOf(
  tried: { member: PeriodMemberInput; result?: VerifiedEvidence },
  reference: string,
  label: string,
  release: AuditedRelease,
): TriedCandidate {
  const judgedMember = tried.result ? judged(tried.member, tried.result, label, release) : tried.member;
  const authentic = judgedMember.claims !== undefined;
  const dated = authentic && tried.result ? releaseDate(tried.result) : undefined;
  return {
    reference,
    authentic,
    ...(authentic && tried.result?.manifest ? { signedCreated: tried.result.manifest.created } : {}),
    ...(dated ? { dated } : {}),
    member: judgedMember,
  };
}

/**
 * The release's member from its tried candidates (at least one): the one
 * chooseEvidence chooses, dated by what it signs (undated when none is
 * authentic), with how many others were read and not chosen.
 */
export function chosenMember(tried: readonly TriedCandidate[]): PeriodMemberInput {
  const chosen = chooseEvidence(tried) as TriedCandidate;
  const ignored = tried.length - 1;
  const published = chosen.dated?.at ?? '';
  return {
    ...chosen.member,
    published,
    ...(chosen.dated ? { dated: chosen.dated.by } : {}),
    ...(ignored > 0 ? { ignoredCandidates: ignored } : {}),
  };
}

/** Outside the sample, a release is listed, never judged: what was verified to date it is dropped. */
export function unexamined(m: PeriodMemberInput): PeriodMemberInput {
  return {
    id: m.id,
    published: m.published,
    ...(m.url ? { url: m.url } : {}),
    ...(m.tags ? { tags: m.tags } : {}),
    sampled: false,
    evidence: { state: 'found' },
  };
}

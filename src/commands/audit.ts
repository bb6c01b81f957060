import { resolve } from 'node:path';
import { VerifyError } from '../verifier/errors.js';
import { GitHubError, parseRepo } from '../transport/github/errors.js';
import { ReleasesClient, type Release, type ReleaseAsset } from '../transport/github/releases.js';
import type { RetryOptions } from '../transport/http/retry.js';
import { OciError } from '../transport/oci/errors.js';
import { formatReference, parseReference, type OciReference } from '../transport/oci/reference.js';
import type { Descriptor } from '../transport/oci/manifest.js';
import { DEFAULT_MAX_DECLARED_BYTES } from '../core/bundle-reader.js';
import { MAX_ATTESTATION_BYTES } from '../core/layout.js';
import { parseDateOrInstant } from '../core/time.js';
import { FileError } from '../fs/small-file.js';
import type { RegistryClient } from '../transport/oci/client.js';
import { BUNDLE_ARTIFACT_TYPE } from '../core/manifest.js';
import { loadPolicy, type LoadedPolicy } from '../verifier/policy/evaluate.js';
import {
  drawSample,
  periodBounds,
  summarizePeriod,
  type AuditReport as AuditResult,
  type PeriodMemberInput,
} from '../verifier/period.js';
import { chooseEvidence, releaseGroups, releaseMismatch, type AuditedRelease } from '../verifier/release-evidence.js';
import { findingOf } from '../verifier/errors.js';
import type { IdentityPolicy } from '../verifier/identity-policy.js';
import type { PolicyLimits } from '../verifier/policy/evaluate.js';
import { DownloadCache } from './audit-cache.js';
import { imageEvidence, registryClient, resolveEvidence, type EvidenceArtifact, type RegistryOptions } from './oci.js';
import type { Env } from '../core/env.js';
import { checkPolicyOptions } from './trust.js';
import { readPolicyFile, verify, type VerifyResult } from './verify.js';

export interface AuditOptions {
  cwd: string;
  env?: Env;
  /** GitHub: the repository whose releases are the population. */
  repo?: string;
  apiUrl?: string;
  /** OCI: oci://REGISTRY/REPOSITORY, whose tags are the population. */
  oci?: string;
  registry?: RegistryOptions;
  /** The period: dates (a date runs to the end of its day, UTC) or RFC 3339 instants. */
  since: string;
  until: string;
  /** The bundle asset's name (or stem) when releases have several. */
  name?: string;
  /** The product audited: every release's bundle must name it (default: the one product the period's bundles name). */
  product?: string;
  /** OCI: the source repository every bundle that records one must record (default: the signer's --source-repository; GitHub: the audited repository). */
  sourceRepository?: string;
  /** OCI: only the tags this regular expression matches (whole tag) are releases; default every tag but the referrers fallback tags. */
  tags?: string;
  /** The largest bundle downloaded (bytes, default 8 GiB): a larger one is not fetched, and its release is not shown authentic. */
  maxBundleSize?: number;
  /** The download cache (default .evidence-audit-cache in cwd). */
  cache?: string;
  /** Examine only a reproducible sample of this many releases. */
  sample?: number;
  seed?: string;
  /** Releases read and verified at once (default 4). */
  concurrency?: number;
  /** As verify's: the signer, keys, trusted roots, and a policy. */
  trustedRoot?: string[];
  key?: string[];
  identity?: IdentityPolicy;
  policy?: string;
  policyLimits?: PolicyLimits;
  /**
   * The instant each release's policy is evaluated at (waivers' expiry):
   * `release` (default), its publication; `now`, the audit's own time.
   */
  policyTime?: 'release' | 'now';
  retry?: RetryOptions;
  timeoutMs?: number;
  onProgress?: (message: string) => void;
  /** Told as each release is done: how many of how many. */
  onRelease?: (done: number, total: number, member: PeriodMemberInput) => void;
  /** The audit's clock (tests). */
  now?: () => Date;
}

export type { AuditReport as AuditResult } from '../verifier/period.js';

const BUNDLE_ASSET = /\.(tar\.gz|tgz)$/;
const FALLBACK_TAG = /^sha256-[0-9a-f]{64}$/;

/** A release of the population, as listed, with how to get its evidence. */
interface Listed {
  id: string;
  published: string;
  url?: string;
  /** Fills in the member: downloads (through the cache) and verifies when `examine`. */
  read: (examine: boolean) => Promise<PeriodMemberInput>;
}

/**
 * evidence audit: every release of a period from GitHub releases or an OCI
 * repository's tags, each fetched (through a cache keyed by digest), verified
 * with the signer required and the policy applied, then summed up as a period
 * (src/verifier/period.ts). A source that cannot be listed fails the audit
 * (exit 2); a release that cannot be read is listed as `unavailable`.
 */
export async function audit(options: AuditOptions): Promise<AuditResult> {
  const env = options.env ?? {};
  if ((options.repo === undefined) === (options.oci === undefined))
    throw new VerifyError(
      'INVALID_OPTION',
      'give exactly one source: --repo OWNER/NAME (GitHub releases) or oci://REGISTRY/REPOSITORY (its tags)',
    );
  const { from, to } = checkPeriod(options.since, options.until);
  if (options.sample !== undefined && (!Number.isSafeInteger(options.sample) || options.sample < 1))
    throw new VerifyError('INVALID_OPTION', `--sample ${options.sample}: a positive whole number of releases`);
  if (options.sample !== undefined && !options.seed)
    throw new VerifyError('INVALID_OPTION', '--sample needs --seed, so that the sample can be drawn again');
  if (options.seed !== undefined && options.sample === undefined)
    throw new VerifyError('INVALID_OPTION', '--seed goes with --sample');
  const concurrency = options.concurrency ?? 4;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 32)
    throw new VerifyError('INVALID_OPTION', `--concurrency ${concurrency}: between 1 and 32`);
  if (Object.keys(options.identity ?? {}).length === 0 && !(options.key?.length ?? 0)) {
    throw new VerifyError(
      'IDENTITY_POLICY_REQUIRED',
      'an audit verifies every release against its signer: give --certificate-identity (or --certificate-identity-regexp, or --signer-workflow) with --certificate-oidc-issuer, or --key',
    );
  }
  checkPolicyOptions(options.identity ?? {});
  const loaded: LoadedPolicy | undefined = options.policy
    ? loadPolicy(await readPolicyFile(options.cwd, options.policy), options.policy)
    : undefined;
  const cache = new DownloadCache(resolve(options.cwd, options.cache ?? '.evidence-audit-cache'));
  const generatedAt = (options.now ?? (() => new Date()))();

  const verifyAt = (
    paths: { bundle: string; attestation?: string; subjectDigests?: { file: string; digest: string }[] },
    at: Date,
  ): Promise<VerifyResult> =>
    verify({
      cwd: options.cwd,
      env,
      bundle: paths.bundle,
      ...(paths.attestation ? { attestation: paths.attestation } : {}),
      ...(paths.subjectDigests ? { subjectDigests: paths.subjectDigests } : {}),
      ...(options.trustedRoot ? { trustedRoot: options.trustedRoot } : {}),
      ...(options.key ? { key: options.key } : {}),
      identity: options.identity ?? {},
      // Read once for every release: the digest each report names is the one every release was held to.
      ...(loaded ? { loadedPolicy: loaded } : {}),
      ...(options.policyLimits ? { policyLimits: options.policyLimits } : {}),
      now: () => at,
    });
  // The policy (its waivers) as of the release: the later of when the source says it was published and
  // when its signed manifest says it was made, so that a back-dated listing cannot bring a lapsed waiver back.
  // An OCI tag has no date of its own that anyone but its pusher wrote: its release is dated by its signed manifest alone.
  const verifyOne: VerifyOne = async (paths, published) => {
    if (options.policyTime === 'now') return verifyAt(paths, generatedAt);
    const claimed = published ? Date.parse(published) : Number.NaN;
    const first = await verifyAt(paths, Number.isNaN(claimed) ? generatedAt : new Date(claimed));
    const signed =
      first.report.assessment?.authenticity.status === 'authentic' && first.manifest
        ? Date.parse(first.manifest.created)
        : Number.NaN;
    if (!loaded?.policy.waivers.length || Number.isNaN(signed) || signed <= claimed) return first;
    return verifyAt(paths, new Date(signed));
  };

  const listing =
    options.repo !== undefined
      ? await listGitHub(options, env, cache, verifyOne)
      : await listOci(options, env, cache, verifyOne, (tags) => audited(tags, options));
  const population = listing.items.filter(
    (l) => l.published === '' || (Date.parse(l.published) >= from && Date.parse(l.published) <= to),
  );
  const sample =
    options.sample !== undefined
      ? drawSample(
          population.map((p) => p.id),
          options.sample,
          options.seed as string,
        )
      : undefined;
  options.onProgress?.(
    `${population.length} release${population.length === 1 ? '' : 's'} in the period${sample ? `; examining a sample of ${sample.size}` : ''}`,
  );

  const members = await pool(population, concurrency, async (item, i, done) => {
    const member = await item.read(!sample || sample.has(item.id));
    // An OCI listing reports each release as it verifies it (to date it); a GitHub one as it is read here.
    if (!('reported' in listing)) options.onRelease?.(done(), population.length, member);
    return member;
  });
  const summary = summarizePeriod({
    since: options.since,
    until: options.until,
    members,
    ...(options.product !== undefined ? { product: options.product } : {}),
    ...(loaded ? { policy: loaded } : {}),
    ...(sample ? { sample: { size: sample.size, seed: options.seed as string } } : {}),
  });
  return {
    kind: 'evidence-audit',
    version: 1,
    source: listing.source,
    generatedAt: generatedAt.toISOString(),
    ...(loaded ? { policy: { path: loaded.path, digest: loaded.digest } } : {}),
    identity: { ...(options.identity ?? {}), ...(options.key?.length ? { keys: options.key } : {}) },
    summary,
  };
}

function checkPeriod(since: string, until: string): { from: number; to: number } {
  for (const [flag, value] of [
    ['--since', since],
    ['--until', until],
  ] as const) {
    const year = Number(value.slice(0, 4));
    // A real day or instant (core/time.ts: 2026-02-30 is refused, not read as 2 March) in the years OSCAL can state.
    if (parseDateOrInstant(value) === undefined || year < 1900 || year > 2999)
      throw new VerifyError(
        'INVALID_OPTION',
        `${flag} ${JSON.stringify(value)}: a date (2026-01-01) or an RFC 3339 time, in the years 1900 to 2999`,
      );
  }
  const bounds = periodBounds(since, until);
  if (bounds.from > bounds.to) throw new VerifyError('INVALID_OPTION', `--since ${since} is after --until ${until}`);
  return bounds;
}

/** Runs `work` over the items, at most `limit` at once, keeping their order. */
async function pool<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number, done: () => number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let finished = 0;
  const done = (): number => ++finished;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i] as T, i, done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

type VerifyOne = (
  paths: { bundle: string; attestation?: string; subjectDigests?: { file: string; digest: string }[] },
  published: string,
) => Promise<VerifyResult>;

/** Source errors that leave one release unread (the audit goes on, the release is `unavailable`). */
function unavailable(e: unknown): { code: string; message: string } | undefined {
  if (
    (e instanceof GitHubError && e.code !== 'ASSET_MISMATCH') ||
    (e instanceof OciError && e.code !== 'DIGEST_MISMATCH')
  )
    return { code: e.code, message: e.message };
  return undefined;
}

/**
 * What makes a release's evidence unverifiable rather than the audit
 * impossible: bytes that are not what the source listed, a bundle or
 * attestation that cannot be read, a signature of a kind the signer options
 * cannot check. The release is not shown authentic; the audit goes on.
 */
function unverifiable(e: unknown): { code: string; message: string } | undefined {
  if (e instanceof GitHubError && e.code === 'ASSET_MISMATCH') return { code: e.code, message: e.message };
  if (e instanceof OciError && e.code === 'DIGEST_MISMATCH') return { code: e.code, message: e.message };
  if (e instanceof VerifyError || e instanceof FileError) return { code: e.code, message: e.message };
  return undefined;
}

/** What the audit says a release is: its tags, and the product and repository when known. */
function audited(tags: readonly string[], options: AuditOptions): AuditedRelease {
  // GitHub: the audited repository; OCI: as given, else the repository the signer's certificate must name (--source-repository).
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

/** The member once its evidence was verified: the bundle must be this release's (releaseMismatch), and only authentic evidence counts. */
function judged(
  member: PeriodMemberInput,
  result: VerifyResult & { expectedDigest?: string },
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
  const claims =
    authentic && manifest
      ? {
          name: manifest.name,
          version: manifest.version,
          ...(manifest.source.repository ? { repository: manifest.source.repository } : {}),
        }
      : undefined;
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

/** Verifies through `run`; a source that fails leaves the release unavailable, a bundle that cannot be read leaves it not shown authentic. */
async function attempt(
  member: PeriodMemberInput,
  label: string,
  run: () => Promise<VerifyResult & { expectedDigest?: string }>,
): Promise<{ member: PeriodMemberInput; result?: VerifyResult & { expectedDigest?: string } }> {
  try {
    return { member, result: await run() };
  } catch (e) {
    const u = unavailable(e);
    if (u) return { member: { ...member, evidence: { ...member.evidence, state: 'unavailable', ...u } } };
    const bad = unverifiable(e);
    if (bad)
      return {
        member: { ...member, evidence: { ...member.evidence, code: bad.code, message: `${label}: ${findingOf(bad)}` } },
      };
    throw e;
  }
}

/** The member, once its evidence was found and (when examined) verified: `run` verifies it; `label` names the release and its file in messages. */
async function examined(
  base: Omit<PeriodMemberInput, 'sampled' | 'evidence'>,
  evidence: PeriodMemberInput['evidence'],
  examine: boolean,
  label: string,
  release: AuditedRelease,
  run: () => Promise<VerifyResult & { expectedDigest?: string }>,
): Promise<PeriodMemberInput> {
  const member: PeriodMemberInput = { ...base, sampled: examine, evidence };
  if (!examine || evidence.state !== 'found') return member;
  const tried = await attempt(member, label, run);
  return tried.result ? judged(tried.member, tried.result, label, release) : tried.member;
}

async function listGitHub(
  options: AuditOptions,
  env: Env,
  cache: DownloadCache,
  verifyOne: VerifyOne,
): Promise<{ source: AuditResult['source']; items: Listed[] }> {
  const { owner, repo } = parseRepo(options.repo as string);
  const token = env.GITHUB_TOKEN || env.GH_TOKEN || undefined;
  const client = new ReleasesClient({
    owner,
    repo,
    ...(token ? { token } : {}),
    apiUrl: options.apiUrl ?? env.GITHUB_API_URL,
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.onProgress ? { onRetry: options.onProgress } : {}),
  });
  const releases = (await client.listReleases()).filter((r) => r.draft !== true && typeof r.published_at === 'string');
  const seen = new Set<string>();
  for (const r of releases) {
    if (seen.has(r.tag_name))
      throw new GitHubError(
        'GITHUB_RESPONSE_INVALID',
        `releases of ${owner}/${repo}: two published releases have the tag ${JSON.stringify(r.tag_name)}`,
      );
    seen.add(r.tag_name);
  }
  const source = { type: 'github' as const, repository: `${owner}/${repo}`, apiUrl: client.apiUrl };
  const byTag = new Map(releases.map((r) => [r.tag_name, r]));
  // Releases whose tags name one version (v1.0.0 and 1.0.0) are one member: one bundle cannot count twice.
  const items = releaseGroups(releases.map((r) => r.tag_name)).map((g): Listed => {
    const group = g.tags
      .map((t) => byTag.get(t) as Release)
      .sort((a, b) => Date.parse(a.published_at as string) - Date.parse(b.published_at as string));
    const first = group[0] as Release;
    return {
      id: g.id,
      published: new Date(first.published_at as string).toISOString(),
      ...(webUrl(first.html_url) ? { url: first.html_url } : {}),
      read: (examine) => readGitHubRelease(client, group, g, options, cache, verifyOne, examine),
    };
  });
  return { source, items };
}

/** Only http(s) links from a source reach a report. */
function webUrl(url: string | undefined): boolean {
  return url !== undefined && /^https?:\/\//i.test(url);
}

async function readGitHubRelease(
  client: ReleasesClient,
  group: Release[],
  g: { id: string; tags: string[] },
  options: AuditOptions,
  cache: DownloadCache,
  verifyOne: VerifyOne,
  examine: boolean,
): Promise<PeriodMemberInput> {
  const r = group[0] as Release;
  const published = new Date(r.published_at as string).toISOString();
  const base = {
    id: g.id,
    published,
    ...(g.tags.length > 1 ? { tags: g.tags } : {}),
    ...(webUrl(r.html_url) ? { url: r.html_url } : {}),
  };
  const listedAssets: ReleaseAsset[][] = [];
  for (const release of group) {
    try {
      listedAssets.push(await client.listAssets(release));
    } catch (e) {
      const u = unavailable(e);
      if (!u) throw e;
      return { ...base, sampled: examine, evidence: { state: 'unavailable', ...u } };
    }
  }
  const choices = listedAssets.map((assets) => chooseAssets(assets, options.name));
  let chosen = choices[0] as ReturnType<typeof chooseAssets>;
  // Several releases of one version must carry the same bundle (by the digest GitHub lists), or none of them can be told to be the release's evidence.
  const found = choices.filter((c) => c.state === 'found');
  if (group.length > 1 && found.length > 0) {
    const digests = new Set(found.map((c) => c.bundle?.digest ?? `unlisted ${c.bundle?.id ?? ''}`));
    chosen =
      digests.size === 1
        ? (found[0] as typeof chosen)
        : { state: 'ambiguous', message: `the releases ${g.tags.join(', ')} are one version with different bundles` };
  }
  const listed = (a: ReleaseAsset | undefined): string =>
    a?.digest && /^sha256:[0-9a-f]{64}$/.test(a.digest) ? a.digest : '';
  const evidence: PeriodMemberInput['evidence'] = {
    state: chosen.state,
    ...(chosen.message ? { message: chosen.message } : {}),
    ...(chosen.bundle
      ? {
          bundle: {
            name: chosen.bundle.name,
            digest: listed(chosen.bundle),
            size: chosen.bundle.size,
            ...(webUrl(chosen.bundle.browser_download_url) ? { url: chosen.bundle.browser_download_url } : {}),
          },
        }
      : {}),
    ...(chosen.attestation
      ? {
          attestation: {
            name: chosen.attestation.name,
            digest: listed(chosen.attestation),
            ...(webUrl(chosen.attestation.browser_download_url)
              ? { url: chosen.attestation.browser_download_url }
              : {}),
          },
        }
      : {}),
  };
  const label = `${g.id}: ${chosen.bundle?.name ?? ''}`;
  return examined(base, evidence, examine, label, audited(g.tags, options), async () => {
    const bundleAsset = chosen.bundle as ReleaseAsset;
    const max = options.maxBundleSize ?? DEFAULT_MAX_DECLARED_BYTES;
    if (bundleAsset.size > max)
      throw new FileError(
        'FILE_TOO_LARGE',
        `GitHub lists ${bundleAsset.size} bytes; an audit downloads bundles of at most ${max} (--max-bundle-size)`,
        bundleAsset.name,
      );
    if (chosen.attestation && chosen.attestation.size > MAX_ATTESTATION_BYTES)
      throw new FileError(
        'FILE_TOO_LARGE',
        `${chosen.attestation.name}: GitHub lists ${chosen.attestation.size} bytes; an attestation is never more than ${MAX_ATTESTATION_BYTES}`,
        chosen.attestation.name,
      );
    const bundle = await cached(client, cache, bundleAsset);
    const attestation = chosen.attestation ? await cached(client, cache, chosen.attestation) : undefined;
    evidence.bundle = {
      ...(evidence.bundle as NonNullable<typeof evidence.bundle>),
      digest: `sha256:${bundle.sha256}`,
    };
    if (attestation && evidence.attestation)
      evidence.attestation = { ...evidence.attestation, digest: `sha256:${attestation.sha256}` };
    const result = await verifyOne(
      { bundle: bundle.path, ...(attestation ? { attestation: attestation.path } : {}) },
      published,
    );
    return { ...result, expectedDigest: `sha256:${bundle.sha256}` };
  });
}

/**
 * The release's evidence among its assets: the one bundle (NAME.tar.gz) and
 * NAME.sigstore.json beside it. Several bundles are ambiguous unless --name
 * says which, whatever files lie beside them: an uploader must not choose.
 */
function chooseAssets(
  assets: ReleaseAsset[],
  name: string | undefined,
): {
  state: PeriodMemberInput['evidence']['state'];
  message?: string;
  bundle?: ReleaseAsset;
  attestation?: ReleaseAsset;
} {
  const stem = (a: ReleaseAsset): string => a.name.replace(BUNDLE_ASSET, '');
  let bundles = assets.filter((a) => BUNDLE_ASSET.test(a.name));
  if (name !== undefined) bundles = bundles.filter((b) => stem(b) === name.replace(BUNDLE_ASSET, ''));
  if (bundles.length === 0)
    return {
      state: 'missing',
      message: name
        ? `no bundle named ${name}`
        : `no evidence bundle among ${assets.length} asset${assets.length === 1 ? '' : 's'}`,
    };
  if (bundles.length > 1)
    return {
      state: 'ambiguous',
      message: `${bundles.length} bundles (${bundles.map((b) => b.name).join(', ')}); choose one with --name`,
    };
  const pick = bundles[0] as ReleaseAsset;
  const attestation = assets.find((s) => s.name === `${stem(pick)}.sigstore.json`);
  return { state: 'found', bundle: pick, ...(attestation ? { attestation } : {}) };
}

/**
 * An asset through the cache: by the digest GitHub lists, else by what it
 * was stored under before (a GitHub Enterprise asset without a digest: the
 * cache is then trusted input, docs/audit.md), checked against the size
 * GitHub lists.
 */
async function cached(
  client: ReleasesClient,
  cache: DownloadCache,
  asset: ReleaseAsset,
): Promise<{ path: string; sha256: string }> {
  const listed =
    asset.digest && /^sha256:[0-9a-f]{64}$/.test(asset.digest) ? asset.digest.slice('sha256:'.length) : undefined;
  const key = listed
    ? undefined
    : `github ${client.apiUrl} ${client.owner}/${client.repo} asset ${asset.id} ${asset.size}`;
  const known = listed ?? (key ? await cache.ref(key) : undefined);
  const hit = known ? await cache.get(known, asset.size) : undefined;
  if (hit && known) return { path: hit, sha256: known };
  const got = await cache.put(async (open) => {
    const r = await client.download(asset, open);
    if (r.size !== asset.size)
      throw new GitHubError('ASSET_MISMATCH', `${asset.name}: ${r.size} bytes downloaded, GitHub lists ${asset.size}`);
    if (listed && r.sha256 !== listed)
      throw new GitHubError(
        'ASSET_MISMATCH',
        `${asset.name}: downloaded sha256:${r.sha256}, GitHub lists ${asset.digest}`,
      );
    return r;
  }, key);
  return { path: got.path, sha256: got.sha256 };
}

/** The most tags an audit reads from one repository: more is refused (exit 2) rather than read without end. */
export const MAX_AUDIT_TAGS = 10_000;

async function listOci(
  options: AuditOptions,
  env: Env,
  cache: DownloadCache,
  verifyOne: VerifyOne,
  release: (tags: readonly string[]) => AuditedRelease,
): Promise<{ source: AuditResult['source']; items: Listed[]; reported: boolean }> {
  const ref = parseReference(options.oci as string);
  if (ref.tag || ref.digest)
    throw new OciError(
      'REFERENCE_INVALID',
      `${options.oci}: an audit reads every tag of a repository: give oci://REGISTRY/REPOSITORY without :TAG or @digest`,
    );
  let pattern: RegExp | undefined;
  try {
    pattern = options.tags === undefined ? undefined : new RegExp(`^(?:${options.tags})$`);
  } catch (e) {
    throw new VerifyError(
      'INVALID_OPTION',
      `--tags ${JSON.stringify(options.tags)}: not a regular expression (${(e as Error).message})`,
    );
  }
  const client = await registryClient(ref, options.registry ?? {}, env);
  const tags = (await client.tags(ref.repository)).filter(
    (t) => !FALLBACK_TAG.test(t) && (!pattern || pattern.test(t)),
  );
  if (tags.length > MAX_AUDIT_TAGS)
    throw new OciError(
      'REGISTRY_RESPONSE_INVALID',
      `${formatReference(ref)}: ${tags.length} tags; an audit reads at most ${MAX_AUDIT_TAGS} (choose the releases with --tags)`,
    );
  const source = { type: 'oci' as const, repository: formatReference(ref) };
  const found = new Map(
    await pool(
      tags,
      options.concurrency ?? 4,
      async (tag) => [tag, await findTagEvidence(client, { ...ref, tag }, formatReference({ ...ref, tag }))] as const,
    ),
  );
  // Tags of one version (an image's 1.4.2 and its 1.4.2-evidence) are one release. Every candidate is
  // verified before the period is drawn: a release is dated by its signed manifest, never by an annotation.
  const groups = releaseGroups(tags);
  options.onProgress?.(
    `${groups.length} release${groups.length === 1 ? '' : 's'} in ${tags.length} tag${tags.length === 1 ? '' : 's'}; each verified to date it`,
  );
  const members = await pool(groups, options.concurrency ?? 4, async (g, _i, done) => {
    const member = await readOciRelease(g);
    options.onRelease?.(done(), groups.length, member);
    return member;
  });
  async function readOciRelease(g: { id: string; tags: string[] }): Promise<PeriodMemberInput> {
    const label = formatReference({ ...ref, tag: g.id });
    const base = { id: g.id, published: '', url: label, ...(g.tags.length > 1 ? { tags: g.tags } : {}) };
    const parts = g.tags.map((t) => found.get(t) as TagEvidence);
    const images = parts.flatMap((p) => (p.image ? [p.image] : []));
    const candidates = [...new Map(parts.flatMap((p) => p.candidates).map((c) => [c.layer.digest, c])).values()];
    if (candidates.length === 0) {
      const problem =
        parts.find((p) => p.problem?.state === 'unavailable')?.problem ?? parts.find((p) => p.problem)?.problem;
      return {
        ...base,
        sampled: true,
        evidence: {
          state: problem?.state ?? 'missing',
          ...(problem ? { code: problem.code, message: problem.message } : {}),
        },
      } satisfies PeriodMemberInput;
    }
    const verified = [];
    for (const c of candidates) {
      const url = formatReference({ ...ref, digest: c.manifestDigest });
      const member: PeriodMemberInput = {
        ...base,
        url,
        sampled: true,
        evidence: {
          state: 'found',
          bundle: {
            name: c.layer.annotations?.['org.opencontainers.image.title'] ?? g.id,
            digest: c.layer.digest,
            size: c.layer.size,
            url,
          },
        },
      };
      const tried = await attempt(member, label, async () => {
        const max = options.maxBundleSize ?? DEFAULT_MAX_DECLARED_BYTES;
        if (c.layer.size > max)
          throw new FileError(
            'FILE_TOO_LARGE',
            `the registry lists ${c.layer.size} bytes; an audit downloads bundles of at most ${max} (--max-bundle-size)`,
            label,
          );
        const hex = c.layer.digest.slice('sha256:'.length);
        const path =
          (await cache.get(hex, c.layer.size)) ??
          (await cache.putStream(hex, await client.getBlob(ref.repository, c.layer)));
        const result = await verifyOne(
          {
            bundle: path,
            ...(images.length ? { subjectDigests: images.map((i) => ({ file: i.reference, digest: i.digest })) } : {}),
          },
          '',
        );
        return { ...result, expectedDigest: c.layer.digest };
      });
      const judgedMember = tried.result ? judged(tried.member, tried.result, label, release(g.tags)) : tried.member;
      const authentic = judgedMember.claims !== undefined;
      verified.push({
        reference: url,
        authentic,
        ...(authentic && tried.result?.manifest ? { signedCreated: tried.result.manifest.created } : {}),
        member: judgedMember,
      });
    }
    const chosen = chooseEvidence(verified) as (typeof verified)[number];
    const ignored = verified.length - 1;
    const published = chosen.signedCreated ? new Date(chosen.signedCreated).toISOString() : '';
    return { ...chosen.member, published, ...(ignored > 0 ? { ignoredCandidates: ignored } : {}) };
  }
  const items = members.map((m): Listed => ({
    id: m.id,
    published: m.published,
    ...(m.url ? { url: m.url } : {}),
    // Outside the sample, a release is listed, never judged: what was verified to date it is dropped.
    read: async (examine) =>
      examine
        ? m
        : {
            id: m.id,
            published: m.published,
            ...(m.url ? { url: m.url } : {}),
            ...(m.tags ? { tags: m.tags } : {}),
            sampled: false,
            evidence: { state: 'found' },
          },
  }));
  return { source, items, reported: true };
}

interface TagEvidence {
  /** Evidence bundles found for the tag: itself, or an image's referrers naming it. */
  candidates: { layer: Descriptor; manifestDigest: string }[];
  image?: { reference: string; digest: string };
  problem?: { state: PeriodMemberInput['evidence']['state']; code: string; message: string };
}

/**
 * A tag's evidence candidates: the tag itself when it is an evidence bundle;
 * else, when it is an image (a manifest or an index), every evidence bundle
 * among its referrers whose manifest names it as subject (to be verified with
 * the image as a subject its signed statement must cover, and chosen by
 * chooseEvidence). Only what the audit needs is kept of the manifests read.
 */
async function findTagEvidence(client: RegistryClient, tagged: OciReference, label: string): Promise<TagEvidence> {
  const keep = (a: EvidenceArtifact): { layer: Descriptor; manifestDigest: string } => ({
    layer: a.layer,
    manifestDigest: a.manifestDigest,
  });
  try {
    return { candidates: [keep(await resolveEvidence(client, tagged, label))] };
  } catch (e) {
    if (!(e instanceof OciError)) throw e;
    // Not evidence itself (or not a single manifest: an index answers only to an index's media type): perhaps an image.
    if (e.code !== 'ARTIFACT_INVALID' && e.code !== 'REGISTRY_NOT_FOUND' && e.code !== 'REGISTRY_RESPONSE_INVALID')
      return { candidates: [], problem: { state: 'unavailable', code: e.code, message: e.message } };
  }
  try {
    const found = await imageEvidence(client, tagged, label);
    return { candidates: found.artifacts.map(keep), image: found.image };
  } catch (inner) {
    if (!(inner instanceof OciError)) throw inner;
    if (
      ['ARTIFACT_NOT_FOUND', 'ARTIFACT_INVALID', 'REGISTRY_NOT_FOUND', 'REGISTRY_RESPONSE_INVALID'].includes(inner.code)
    ) {
      return {
        candidates: [],
        problem: {
          state: 'missing',
          code: inner.code,
          message: `${label} is neither an evidence bundle (${BUNDLE_ARTIFACT_TYPE}) nor an image with one among its referrers`,
        },
      };
    }
    return { candidates: [], problem: { state: 'unavailable', code: inner.code, message: inner.message } };
  }
}

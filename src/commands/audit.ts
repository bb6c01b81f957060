import { resolve } from 'node:path';
import { VerifyError } from '../verifier/errors.js';
import { GitHubError, parseRepo } from '../transport/github/errors.js';
import { ReleasesClient, type Release, type ReleaseAsset } from '../transport/github/releases.js';
import type { RetryOptions } from '../transport/http/retry.js';
import { OciError } from '../transport/oci/errors.js';
import { formatReference, parseReference, type OciReference } from '../transport/oci/reference.js';
import type { Descriptor } from '../transport/oci/manifest.js';
import { EvidenceError } from '../core/error.js';
import { BUNDLE_ARTIFACT_TYPE } from '../core/manifest.js';
import { loadPolicy, type LoadedPolicy } from '../verifier/policy/evaluate.js';
import { drawSample, periodBounds, summarizePeriod, type AuditReport as AuditResult, type PeriodMemberInput } from '../verifier/period.js';
import type { IdentityPolicy } from '../verifier/identity-policy.js';
import type { PolicyLimits } from '../verifier/policy/evaluate.js';
import { DownloadCache } from './audit-cache.js';
import { findImageEvidence, registryClient, resolveEvidence, type EvidenceArtifact, type RegistryOptions } from './oci.js';
import { checkPolicyOptions, type Env } from './trust.js';
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
  if ((options.repo === undefined) === (options.oci === undefined)) throw new VerifyError('INVALID_OPTION', 'give exactly one source: --repo OWNER/NAME (GitHub releases) or oci://REGISTRY/REPOSITORY (its tags)');
  const { from, to } = checkPeriod(options.since, options.until);
  if (options.sample !== undefined && (!Number.isSafeInteger(options.sample) || options.sample < 1)) throw new VerifyError('INVALID_OPTION', `--sample ${options.sample}: a positive whole number of releases`);
  if (options.sample !== undefined && !options.seed) throw new VerifyError('INVALID_OPTION', '--sample needs --seed, so that the sample can be drawn again');
  if (options.seed !== undefined && options.sample === undefined) throw new VerifyError('INVALID_OPTION', '--seed goes with --sample');
  const concurrency = options.concurrency ?? 4;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 32) throw new VerifyError('INVALID_OPTION', `--concurrency ${concurrency}: between 1 and 32`);
  if (Object.keys(options.identity ?? {}).length === 0 && !(options.key?.length ?? 0)) {
    throw new VerifyError('IDENTITY_POLICY_REQUIRED', 'an audit verifies every release against its signer: give --certificate-identity (or --certificate-identity-regexp, or --signer-workflow) with --certificate-oidc-issuer, or --key');
  }
  checkPolicyOptions(options.identity ?? {});
  const loaded: LoadedPolicy | undefined = options.policy ? loadPolicy(await readPolicyFile(options.cwd, options.policy), options.policy) : undefined;
  const cache = new DownloadCache(resolve(options.cwd, options.cache ?? '.evidence-audit-cache'));
  const generatedAt = (options.now ?? (() => new Date()))();

  const verifyOne = (paths: { bundle: string; attestation?: string; label: string }, published: string): Promise<VerifyResult> =>
    verify({
      cwd: options.cwd,
      env,
      bundle: paths.bundle,
      ...(paths.attestation ? { attestation: paths.attestation } : {}),
      ...(options.trustedRoot ? { trustedRoot: options.trustedRoot } : {}),
      ...(options.key ? { key: options.key } : {}),
      identity: options.identity ?? {},
      ...(options.policy ? { policy: options.policy } : {}),
      ...(options.policyLimits ? { policyLimits: options.policyLimits } : {}),
      now: () => (options.policyTime === 'now' || !published ? generatedAt : new Date(published)),
    });

  const listing = options.repo !== undefined ? await listGitHub(options, env, cache, verifyOne) : await listOci(options, env, cache, verifyOne);
  const population = listing.items.filter((l) => l.published === '' || (Date.parse(l.published) >= from && Date.parse(l.published) <= to));
  const sample = options.sample !== undefined ? drawSample(population.map((p) => p.id), options.sample, options.seed as string) : undefined;
  options.onProgress?.(`${population.length} release${population.length === 1 ? '' : 's'} in the period${sample ? `; examining a sample of ${sample.size}` : ''}`);

  const members = await pool(population, concurrency, async (item, i, done) => {
    const member = await item.read(!sample || sample.has(item.id));
    options.onRelease?.(done(), population.length, member);
    return member;
  });
  const summary = summarizePeriod({
    since: options.since,
    until: options.until,
    members,
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
  const shape = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?$/;
  for (const [flag, value] of [['--since', since], ['--until', until]] as const) {
    if (!shape.test(value) || Number.isNaN(periodBounds(value, value).from)) throw new VerifyError('INVALID_OPTION', `${flag} ${JSON.stringify(value)}: a date (2026-01-01) or an RFC 3339 time`);
  }
  const bounds = periodBounds(since, until);
  if (bounds.from > bounds.to) throw new VerifyError('INVALID_OPTION', `--since ${since} is after --until ${until}`);
  return bounds;
}

/** Runs `work` over the items, at most `limit` at once, keeping their order. */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T, index: number, done: () => number) => Promise<R>): Promise<R[]> {
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

type VerifyOne = (paths: { bundle: string; attestation?: string; label: string }, published: string) => Promise<VerifyResult>;

/** Source errors that leave one release unread (the audit goes on, the release is `unavailable`). */
function unavailable(e: unknown): { code: string; message: string } | undefined {
  if (e instanceof GitHubError || e instanceof OciError) return { code: e.code, message: e.message };
  return undefined;
}

/** Bytes that are not what the source listed for them: a verdict on the release, not a failed download. */
function corrupt(e: unknown): boolean {
  return (e instanceof GitHubError && e.code === 'ASSET_MISMATCH') || (e instanceof OciError && e.code === 'DIGEST_MISMATCH') || (e instanceof VerifyError && e.code === 'BUNDLE_INVALID');
}

/** The member, once its evidence was found and (when examined) verified. */
async function examined(base: Omit<PeriodMemberInput, 'sampled' | 'evidence'>, evidence: PeriodMemberInput['evidence'], examine: boolean, run: () => Promise<VerifyResult>): Promise<PeriodMemberInput> {
  const member: PeriodMemberInput = { ...base, sampled: examine, evidence };
  if (!examine || evidence.state === 'missing' || evidence.state === 'ambiguous') return member;
  try {
    const result = await run();
    const unsigned = result.report.checks.some((c) => !c.ok && !c.skipped && c.code === 'SIGNATURE_MISSING');
    return { ...member, evidence: unsigned ? { ...evidence, state: 'unsigned', message: evidence.message ?? 'the bundle carries no signature and has no Sigstore bundle beside it' } : evidence, report: result.report, ...(result.manifest ? { entries: result.manifest.entries } : {}) };
  } catch (e) {
    if (corrupt(e)) return { ...member, evidence: { ...evidence, code: (e as EvidenceError).code, message: (e as Error).message } };
    const u = unavailable(e);
    if (u) return { ...member, evidence: { ...evidence, state: 'unavailable', ...u } };
    throw e;
  }
}

async function listGitHub(options: AuditOptions, env: Env, cache: DownloadCache, verifyOne: VerifyOne): Promise<{ source: AuditResult['source']; items: Listed[] }> {
  const { owner, repo } = parseRepo(options.repo as string);
  const token = env.GITHUB_TOKEN || env.GH_TOKEN || undefined;
  const client = new ReleasesClient({ owner, repo, ...(token ? { token } : {}), apiUrl: options.apiUrl ?? env.GITHUB_API_URL, ...(options.retry ? { retry: options.retry } : {}), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}), ...(options.onProgress ? { onRetry: options.onProgress } : {}) });
  const releases = (await client.listReleases()).filter((r) => r.draft !== true && typeof r.published_at === 'string');
  const source = { type: 'github' as const, repository: `${owner}/${repo}`, apiUrl: client.apiUrl };
  const items = releases.map((r): Listed => ({
    id: r.tag_name,
    published: new Date(r.published_at as string).toISOString(),
    url: r.html_url,
    read: (examine) => readGitHubRelease(client, r, options, cache, verifyOne, examine),
  }));
  return { source, items };
}

async function readGitHubRelease(client: ReleasesClient, r: Release, options: AuditOptions, cache: DownloadCache, verifyOne: VerifyOne, examine: boolean): Promise<PeriodMemberInput> {
  const published = new Date(r.published_at as string).toISOString();
  const base = { id: r.tag_name, published, url: r.html_url };
  let assets: ReleaseAsset[];
  try {
    assets = await client.listAssets(r);
  } catch (e) {
    const u = unavailable(e);
    if (!u) throw e;
    return { ...base, sampled: examine, evidence: { state: 'unavailable', ...u } };
  }
  const chosen = chooseAssets(assets, options.name);
  const evidence: PeriodMemberInput['evidence'] = {
    state: chosen.state,
    ...(chosen.message ? { message: chosen.message } : {}),
    ...(chosen.bundle ? { bundle: { name: chosen.bundle.name, digest: chosen.bundle.digest ?? '', size: chosen.bundle.size, url: chosen.bundle.browser_download_url } } : {}),
    ...(chosen.attestation ? { attestation: { name: chosen.attestation.name, digest: chosen.attestation.digest ?? '', url: chosen.attestation.browser_download_url } } : {}),
  };
  return examined(base, evidence, examine, async () => {
    const bundle = await cached(client, cache, chosen.bundle as ReleaseAsset);
    const attestation = chosen.attestation ? await cached(client, cache, chosen.attestation) : undefined;
    evidence.bundle = { ...(evidence.bundle as NonNullable<typeof evidence.bundle>), digest: `sha256:${bundle.sha256}` };
    if (attestation && evidence.attestation) evidence.attestation = { ...evidence.attestation, digest: `sha256:${attestation.sha256}` };
    return verifyOne({ bundle: bundle.path, ...(attestation ? { attestation: attestation.path } : {}), label: chosen.bundle?.name ?? '' }, published);
  });
}

function chooseAssets(assets: ReleaseAsset[], name: string | undefined): { state: PeriodMemberInput['evidence']['state']; message?: string; bundle?: ReleaseAsset; attestation?: ReleaseAsset } {
  const stem = (a: ReleaseAsset): string => a.name.replace(BUNDLE_ASSET, '');
  const sigOf = (b: ReleaseAsset): ReleaseAsset | undefined => assets.find((s) => s.name === `${stem(b)}.sigstore.json`);
  let bundles = assets.filter((a) => BUNDLE_ASSET.test(a.name));
  if (name !== undefined) bundles = bundles.filter((b) => stem(b) === name.replace(BUNDLE_ASSET, ''));
  const signed = bundles.filter((b) => sigOf(b));
  const pick = signed.length === 1 ? signed[0] : signed.length === 0 && bundles.length === 1 ? bundles[0] : undefined;
  if (!pick) {
    if (bundles.length === 0) return { state: 'missing', message: name ? `no bundle named ${name}` : `no evidence bundle among ${assets.length} asset${assets.length === 1 ? '' : 's'}` };
    return { state: 'ambiguous', message: `${bundles.length} bundles (${bundles.map((b) => b.name).join(', ')}); choose one with --name` };
  }
  const attestation = sigOf(pick);
  return { state: 'found', bundle: pick, ...(attestation ? { attestation } : {}) };
}

/** An asset through the cache: by the digest GitHub lists, else by what it was stored under before. */
async function cached(client: ReleasesClient, cache: DownloadCache, asset: ReleaseAsset): Promise<{ path: string; sha256: string }> {
  const listed = asset.digest && /^sha256:[0-9a-f]{64}$/.test(asset.digest) ? asset.digest.slice('sha256:'.length) : undefined;
  const key = listed ? undefined : `github ${client.apiUrl} ${client.owner}/${client.repo} asset ${asset.id} ${asset.size}`;
  const known = listed ?? (key ? await cache.ref(key) : undefined);
  const hit = known ? await cache.get(known) : undefined;
  if (hit && known) return { path: hit, sha256: known };
  const got = await cache.put(async (open) => {
    const r = await client.download(asset, open);
    if (r.size !== asset.size) throw new GitHubError('ASSET_MISMATCH', `${asset.name}: ${r.size} bytes downloaded, GitHub lists ${asset.size}`);
    if (listed && r.sha256 !== listed) throw new GitHubError('ASSET_MISMATCH', `${asset.name}: downloaded sha256:${r.sha256}, GitHub lists ${asset.digest}`);
    return r;
  }, key);
  return { path: got.path, sha256: got.sha256 };
}

async function listOci(options: AuditOptions, env: Env, cache: DownloadCache, verifyOne: VerifyOne): Promise<{ source: AuditResult['source']; items: Listed[] }> {
  const ref = parseReference(options.oci as string);
  if (ref.tag || ref.digest) throw new OciError('REFERENCE_INVALID', `${options.oci}: an audit reads every tag of a repository: give oci://REGISTRY/REPOSITORY without :TAG or @digest`);
  const client = await registryClient(ref, options.registry ?? {}, env);
  const tags = (await client.tags(ref.repository)).filter((t) => !FALLBACK_TAG.test(t));
  const source = { type: 'oci' as const, repository: formatReference(ref) };
  // Each tag's manifest is read to date it (its created annotation): the period is chosen on that.
  const items = await pool(tags, options.concurrency ?? 4, async (tag): Promise<Listed> => {
    const tagged: OciReference = { ...ref, tag };
    const label = formatReference(tagged);
    let artifact: EvidenceArtifact | undefined;
    let problem: { state: PeriodMemberInput['evidence']['state']; code: string; message: string } | undefined;
    try {
      artifact = await resolveEvidence(client, tagged, label);
    } catch (e) {
      if (!(e instanceof OciError)) throw e;
      if (e.code !== 'ARTIFACT_INVALID') problem = { state: 'unavailable', code: e.code, message: e.message };
      else {
        // Not evidence itself: a release image, whose evidence hangs on it as a referrer (push --subject-image).
        try {
          const found = await findImageEvidence({ env, image: label, ...(options.registry ? { registry: options.registry } : {}) });
          const newest = found.evidence[0] as string;
          artifact = await resolveEvidence(client, parseReference(newest), newest);
        } catch (inner) {
          if (!(inner instanceof OciError)) throw inner;
          problem = ['ARTIFACT_NOT_FOUND', 'ARTIFACT_INVALID', 'REGISTRY_NOT_FOUND'].includes(inner.code)
            ? { state: 'missing', code: e.code, message: `${tag} is neither an evidence bundle (${BUNDLE_ARTIFACT_TYPE}) nor an image with one among its referrers` }
            : { state: 'unavailable', code: inner.code, message: inner.message };
        }
      }
    }
    const created = artifact?.manifest.annotations?.['org.opencontainers.image.created'];
    const published = created && !Number.isNaN(Date.parse(created)) ? new Date(created).toISOString() : '';
    const url = artifact ? formatReference({ ...ref, digest: artifact.manifestDigest }) : label;
    return {
      id: tag,
      published,
      url,
      read: async (examine) => {
        const base = { id: tag, published, url };
        if (!artifact) return { ...base, sampled: examine, evidence: { state: problem?.state ?? 'missing', ...(problem ? { code: problem.code, message: problem.message } : {}) } };
        const layer: Descriptor = artifact.layer;
        const evidence: PeriodMemberInput['evidence'] = { state: 'found', bundle: { name: layer.annotations?.['org.opencontainers.image.title'] ?? tag, digest: layer.digest, size: layer.size, url: formatReference({ ...ref, digest: artifact.manifestDigest }) } };
        return examined(base, evidence, examine, async () => {
          const hex = layer.digest.slice('sha256:'.length);
          const path = (await cache.get(hex)) ?? (await cache.putStream(hex, await client.getBlob(ref.repository, layer)));
          return verifyOne({ bundle: path, label }, published);
        });
      },
    };
  });
  return { source, items };
}

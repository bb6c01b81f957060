import { DEFAULT_MAX_DECLARED_BYTES } from '../../core/bundle-reader.js';
import type { Env } from '../../core/env.js';
import { clientFor, githubToken } from './client.js';
import { parseRepo } from './errors.js';
import {
  chooseReleaseAssets,
  downloadListed,
  listedEvidence,
  listGroupAssets,
  publishedReleases,
  webUrl,
  type AssetCache,
} from './release-listing.js';
import type { Release, ReleaseAsset, ReleasesClient } from './releases.js';
import { offeredAttestations, type OfferedAttestations } from './release-attestations.js';
import { GitHubError } from './errors.js';
import { VerifyError } from '../../verifier/errors.js';
import { audited, examined, unavailable } from '../../verifier/period-members.js';
import type { AuditReport, PeriodMemberInput } from '../../verifier/period.js';
import { releaseGroups } from '../../verifier/release-evidence.js';
import { OffersUnavailable, type Listed, type SourceOptions, type VerifyOne } from '../audit-source.js';

/**
 * `evidence audit --repo`: a repository's published releases, releases of one
 * version as one member, each read (listing, downloading and checking through
 * src/transport/github/release-listing.ts) and verified when examined.
 */
export async function listGitHub(
  options: SourceOptions,
  env: Env,
  cache: AssetCache,
  verifyOne: VerifyOne,
): Promise<{ source: AuditReport['source']; items: Listed[] }> {
  const { owner, repo } = parseRepo(options.repo as string);
  const client = clientFor({ owner, repo }, options, env, githubToken(env), options.onProgress ?? (() => undefined));
  const releases = await publishedReleases(client);
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

async function readGitHubRelease(
  client: ReleasesClient,
  group: Release[],
  g: { id: string; tags: string[] },
  options: SourceOptions,
  cache: AssetCache,
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
  let listedAssets: ReleaseAsset[][];
  try {
    listedAssets = await listGroupAssets(client, group);
  } catch (e) {
    const u = unavailable(e);
    if (!u) throw e;
    return { ...base, sampled: examine, evidence: { state: 'unavailable', ...u } };
  }
  const chosen = chooseReleaseAssets(listedAssets, options.name, g.tags);
  const evidence = listedEvidence(chosen);
  const label = `${g.id}: ${chosen.bundle?.name ?? ''}`;
  // A bundle at hand already (by the digest GitHub lists) is neither downloaded nor verified again.
  const known = evidence.bundle?.digest ? await options.known?.(evidence.bundle.digest) : false;
  return examined(base, evidence, examine && !known, label, audited(g.tags, options), async () => {
    const max = options.maxBundleSize ?? DEFAULT_MAX_DECLARED_BYTES;
    const { bundle, attestation } = await downloadListed(client, cache, chosen, evidence, max);
    const location = evidence.bundle?.url ?? label;
    // No Sigstore bundle beside it: GitHub's attestations API may keep its signature (attach --attestations-api), asked
    // only when the bundle's own does not verify (firstAuthentic), once however often the bundle is verified.
    let offered: Promise<OfferedAttestations | undefined> | undefined;
    let api: OfferedAttestations | undefined;
    const offers = async () => (api = await (offered ??= offeredAttestations(client, cache, bundle.path)))?.paths ?? [];
    // Where a signature given here was read, by the path it was verified from: what the index records (the asset's URL,
    // or its release and name when GitHub gives no web URL; never the download cache's path).
    const assetAt = evidence.attestation?.url ?? `${g.id}: ${chosen.attestation?.name ?? ''}`;
    const signatureUrl = (path: string) =>
      path === attestation?.path ? assetAt : api?.paths.includes(path) ? api.url : undefined;
    const result = await verifyOne(
      {
        bundle: bundle.path,
        location,
        signatureUrl,
        ...(attestation ? { attestation: attestation.path } : { offers }),
      },
      published,
    ).catch((e: unknown) => {
      if (!(e instanceof OffersUnavailable)) throw e;
      // An attestation the API delivered that is no Sigstore bundle: a failed verification (not authentic, rejected),
      // said beside why the bundle's own signature did not do.
      const { code, message } = e.error;
      if (e.error instanceof VerifyError && code === 'ATTESTATION_MALFORMED')
        throw new VerifyError(
          code,
          `${e.own}, and ${message}`,
          e.error.path === undefined ? {} : { path: e.error.path },
        );
      // Not GitHub's failure (the bundle's manifest, the cache): as it is, an error the audit tells apart.
      if (!(e.error instanceof GitHubError)) throw e.error;
      const { status } = e.error;
      throw new GitHubError(e.error.code, `${e.own}, and ${message}`, status === undefined ? {} : { status });
    });
    await offered;
    // Where the signature verified (or the first one offered, when none did) is read again: the API's URL.
    if (api && result.attestation && api.paths.includes(result.attestation.uri))
      evidence.attestation = {
        name: `attestations/${api.subject}`,
        digest: `sha256:${result.attestation.sha256}`,
        url: api.url,
      };
    return { ...result, expectedDigest: `sha256:${bundle.sha256}` };
  });
}

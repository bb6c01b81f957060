import type { Writable } from 'node:stream';
import { MAX_ATTESTATION_BYTES } from '../../core/layout.js';
import { chooseBundleAsset } from '../../core/release-assets.js';
import { FileError } from '../../fs/small-file.js';
import { GitHubError } from './errors.js';
import { VerifyError } from '../../verifier/errors.js';
import type { Release, ReleaseAsset, ReleasesClient } from './releases.js';

/**
 * An audit's GitHub source (docs/audit.md): a repository's published
 * releases, the evidence among a release's assets as GitHub lists it, and its
 * download through the audit's cache, checked against what GitHub lists.
 * Judging what was downloaded is the verifier's (src/verifier/period-members.ts).
 */

/** The repository's published releases (no drafts), each tag once: two published releases with one tag are refused. */
export async function publishedReleases(client: ReleasesClient): Promise<Release[]> {
  const releases = (await client.listReleases()).filter((r) => r.draft !== true && typeof r.published_at === 'string');
  const seen = new Set<string>();
  for (const r of releases) {
    if (seen.has(r.tag_name))
      throw new GitHubError(
        'GITHUB_RESPONSE_INVALID',
        `releases of ${client.owner}/${client.repo}: two published releases have the tag ${JSON.stringify(r.tag_name)}`,
      );
    seen.add(r.tag_name);
  }
  return releases;
}

/** Only http(s) links from a source reach a report. */
export function webUrl(url: string | undefined): boolean {
  return url !== undefined && /^https?:\/\//i.test(url);
}

/** A release's evidence among its assets, as chosen: found, missing or ambiguous (`message` says why). */
export interface AssetChoice {
  state: 'found' | 'missing' | 'ambiguous';
  message?: string;
  bundle?: ReleaseAsset;
  attestation?: ReleaseAsset;
}

/**
 * The release's evidence among its assets, by core's one rule
 * (`chooseBundleAsset`) over every bundle: unlike fetch, which downloads only
 * what it can verify, an audit must see a bundle without its signature to
 * report it. Several bundles are ambiguous unless --name says which, whatever
 * files lie beside them: an uploader must not choose.
 */
function chooseAssets(assets: ReleaseAsset[], name: string | undefined): AssetChoice {
  const c = chooseBundleAsset(assets, { ...(name !== undefined ? { name } : {}), among: 'all' });
  if (c.state === 'missing')
    return {
      state: 'missing',
      message: name
        ? `no bundle named ${name}`
        : `no evidence bundle among ${assets.length} asset${assets.length === 1 ? '' : 's'}`,
    };
  if (c.state === 'ambiguous')
    return {
      state: 'ambiguous',
      message: `${c.bundles.length} bundles (${c.bundles.map((b) => b.name).join(', ')}); choose one with --name`,
    };
  return { state: 'found', bundle: c.bundle, ...(c.sigstore ? { attestation: c.sigstore } : {}) };
}

/**
 * The evidence of one release (the releases of one version, `tags`) from the
 * assets each lists: the one place the rule choosing a release's bundle is
 * applied. Several releases of one version must carry the same bundle (by the
 * digest GitHub lists), or none of them can be told to be the release's
 * evidence.
 */
export function chooseReleaseAssets(
  listedAssets: ReleaseAsset[][],
  name: string | undefined,
  tags: readonly string[],
): AssetChoice {
  const choices = listedAssets.map((assets) => chooseAssets(assets, name));
  const found = choices.filter((c) => c.state === 'found');
  if (listedAssets.length > 1 && found.length > 0) {
    const digests = new Set(found.map((c) => c.bundle?.digest ?? `unlisted ${c.bundle?.id ?? ''}`));
    return digests.size === 1
      ? (found[0] as AssetChoice)
      : { state: 'ambiguous', message: `the releases ${tags.join(', ')} are one version with different bundles` };
  }
  return choices[0] as AssetChoice;
}

/**
 * The evidence as GitHub lists it: names, sizes, http(s) links, and a digest only where GitHub lists a sha256 (''
 * otherwise).
 */
export interface ListedEvidence {
  state: AssetChoice['state'];
  message?: string;
  bundle?: { name: string; digest: string; size: number; url?: string };
  attestation?: { name: string; digest: string; url?: string };
}

export function listedEvidence(chosen: AssetChoice): ListedEvidence {
  const listed = (a: ReleaseAsset | undefined): string =>
    a?.digest && /^sha256:[0-9a-f]{64}$/.test(a.digest) ? a.digest : '';
  return {
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
}

/** The assets of each release of one version, in order: the first that GitHub does not list fails them all. */
export async function listGroupAssets(client: ReleasesClient, group: readonly Release[]): Promise<ReleaseAsset[][]> {
  const listedAssets: ReleaseAsset[][] = [];
  for (const release of group) listedAssets.push(await client.listAssets(release));
  return listedAssets;
}

/**
 * The download cache an audit reads through (src/fs/download-cache.ts): files by sha256, and a source's name for a file
 * whose digest it does not list.
 */
export interface AssetCache {
  get(hex: string, size?: number): Promise<string | undefined>;
  ref(key: string): Promise<string | undefined>;
  put(
    write: (open: () => Writable) => Promise<{ sha256: string; size: number }>,
    key?: string,
  ): Promise<{ path: string; sha256: string; size: number }>;
}

/**
 * The found bundle (`chosen.bundle`, required) and its attestation, through
 * the cache; refused before any download when GitHub lists a bundle larger
 * than `maxBundleSize` or an attestation larger than any can be.
 */
export async function downloadChosen(
  client: ReleasesClient,
  cache: AssetCache,
  chosen: AssetChoice,
  maxBundleSize: number,
): Promise<{ bundle: { path: string; sha256: string }; attestation?: { path: string; sha256: string } }> {
  const bundleAsset = chosen.bundle as ReleaseAsset;
  if (bundleAsset.size > maxBundleSize)
    throw new VerifyError(
      'BUNDLE_TOO_LARGE',
      `GitHub lists ${bundleAsset.size} bytes, more than the ${maxBundleSize} --max-bundle-size allows: not downloaded, so not checked`,
      { path: bundleAsset.name },
    );
  if (chosen.attestation && chosen.attestation.size > MAX_ATTESTATION_BYTES)
    throw new FileError(
      'FILE_TOO_LARGE',
      `${chosen.attestation.name}: GitHub lists ${chosen.attestation.size} bytes; an attestation is never more than ${MAX_ATTESTATION_BYTES}`,
      chosen.attestation.name,
    );
  const bundle = await cachedAsset(client, cache, bundleAsset);
  const attestation = chosen.attestation ? await cachedAsset(client, cache, chosen.attestation) : undefined;
  return { bundle, ...(attestation ? { attestation } : {}) };
}

/** downloadChosen, with the digests downloaded written into `evidence` (where GitHub lists none, it said ''). */
export async function downloadListed(
  client: ReleasesClient,
  cache: AssetCache,
  chosen: AssetChoice,
  evidence: ListedEvidence,
  maxBundleSize: number,
): Promise<{ bundle: { path: string; sha256: string }; attestation?: { path: string; sha256: string } }> {
  const got = await downloadChosen(client, cache, chosen, maxBundleSize);
  const { bundle, attestation } = got;
  evidence.bundle = {
    ...(evidence.bundle as NonNullable<typeof evidence.bundle>),
    digest: `sha256:${bundle.sha256}`,
  };
  if (attestation && evidence.attestation)
    evidence.attestation = { ...evidence.attestation, digest: `sha256:${attestation.sha256}` };
  return got;
}

/**
 * An asset through the cache: by the digest GitHub lists, else by what it
 * was stored under before (a GitHub Enterprise asset without a digest: the
 * cache is then trusted input, docs/audit.md), checked against the size
 * GitHub lists.
 */
export async function cachedAsset(
  client: ReleasesClient,
  cache: AssetCache,
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

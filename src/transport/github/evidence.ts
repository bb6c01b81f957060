import { chooseBundleAsset } from '../../core/release-assets.js';
import { MAX_ATTESTATION_BYTES, MAX_STANDARD_ATTESTATIONS_BYTES } from '../../core/layout.js';
import type { ByteProgress } from '../../fs/progress.js';
import { assetPath, downloadAsset, stageAsset, type DownloadedFile, type StagedDownload } from './download.js';
import { GitHubError } from './errors.js';
import type { Release, ReleaseAsset, ReleasesClient } from './releases.js';

/** A release's evidence as GitHub lists it: the bundle and the files beside it. */
export interface ReleaseEvidence {
  release: Release;
  bundle: ReleaseAsset;
  sigstore: ReleaseAsset;
  intoto?: ReleaseAsset;
  jsonl?: ReleaseAsset;
}

/**
 * The release of a tag and its evidence among its assets (the one rule of
 * core's chooseBundleAsset), with NAME.sigstore.json required and the sizes
 * GitHub lists for the small files bounded before anything is downloaded.
 */
export async function findReleaseEvidence(
  client: ReleasesClient,
  options: { repo: string; tag: string; name?: string | undefined; token?: string | undefined },
): Promise<ReleaseEvidence> {
  const release = await client.releaseByTag(options.tag);
  if (!release)
    throw new GitHubError(
      'GITHUB_NOT_FOUND',
      `${options.repo} has no release for tag ${options.tag}${options.token ? '' : ' (or it is private: set GITHUB_TOKEN or GH_TOKEN)'}`,
      { status: 404 },
    );
  const assets = await client.listAssets(release);
  const where = `release ${options.tag} of ${options.repo}`;
  const listed = assets.map((a) => a.name).join(', ') || 'no assets';
  const choice = chooseBundleAsset(assets, options.name ? { name: options.name } : {});
  if (choice.state === 'missing')
    throw new GitHubError(
      'ASSET_MISSING',
      options.name
        ? `${where} has no bundle named ${options.name} (it has: ${listed})`
        : `${where} has no signed evidence bundle (NAME.tar.gz with NAME.sigstore.json; it has: ${listed})`,
    );
  if (choice.state === 'ambiguous')
    throw new GitHubError(
      'ASSET_AMBIGUOUS',
      `${where} has ${choice.bundles.length} signed bundles (${choice.bundles.map((a) => a.name).join(', ')}); choose one with --name`,
    );
  const { bundle, sigstore, intoto, sigstoreJsonl: jsonl } = choice;
  if (!sigstore)
    throw new GitHubError('ASSET_MISSING', `${where} has ${bundle.name} but no ${choice.stem}.sigstore.json`);
  for (const small of [sigstore, intoto]) {
    if (small && small.size > MAX_ATTESTATION_BYTES)
      throw new GitHubError(
        'GITHUB_RESPONSE_INVALID',
        `${small.name}: GitHub lists ${small.size} bytes; an attestation is never more than ${MAX_ATTESTATION_BYTES}`,
      );
  }
  if (jsonl && jsonl.size > MAX_ATTESTATION_BYTES + MAX_STANDARD_ATTESTATIONS_BYTES) {
    throw new GitHubError(
      'GITHUB_RESPONSE_INVALID',
      `${jsonl.name}: GitHub lists ${jsonl.size} bytes; the attestations of a bundle are never more than ${MAX_ATTESTATION_BYTES + MAX_STANDARD_ATTESTATIONS_BYTES}`,
    );
  }
  return { release, bundle, sigstore, ...(intoto ? { intoto } : {}), ...(jsonl ? { jsonl } : {}) };
}

/**
 * Downloads the evidence into `dir`: each file checked as listed and put in
 * place when whole, except NAME.sigstore.jsonl, which is left staged.
 */
export async function downloadEvidence(
  client: ReleasesClient,
  evidence: ReleaseEvidence,
  dir: string,
  options: { force: boolean; onBytes?: ByteProgress | undefined; progress: (m: string) => void },
): Promise<{ bundle: DownloadedFile; sigstore: DownloadedFile; intoto?: DownloadedFile; staged?: StagedDownload }> {
  const { force, onBytes, progress } = options;
  const get = async (asset: ReleaseAsset): Promise<DownloadedFile> => {
    progress(`downloading ${asset.name} (${asset.size} bytes)`);
    return downloadAsset(client, asset, assetPath(dir, asset.name), force, onBytes);
  };
  const bundle = await get(evidence.bundle);
  const sigstore = await get(evidence.sigstore);
  const intoto = evidence.intoto ? await get(evidence.intoto) : undefined;
  // NAME.sigstore.jsonl is what gh and cosign read: it stays a temporary file until it is shown to be the
  // bundle's own statements, so a foreign one never appears in the output folder (not even for a moment).
  const { jsonl } = evidence;
  const staged = jsonl
    ? await stageAsset(client, jsonl, assetPath(dir, jsonl.name), force, onBytes, progress)
    : undefined;
  return { bundle, sigstore, ...(intoto ? { intoto } : {}), ...(staged ? { staged } : {}) };
}

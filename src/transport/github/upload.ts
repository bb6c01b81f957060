import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Env } from '../../core/env.js';
import { countingStream, type ByteProgress } from '../../fs/progress.js';
import { GitHubError } from './errors.js';
import type { Release, ReleaseAsset, ReleasesClient } from './releases.js';

/** A local file to put on a release, hashed before it goes up. */
export interface LocalAsset {
  name: string;
  path: string;
  contentType: string;
  size: number;
  sha256: string;
}

export interface AttachedAsset {
  name: string;
  size: number;
  sha256: string;
  /** 'replaced' when an asset of that name was there and --clobber was given. */
  action: 'uploaded' | 'replaced';
  url: string;
}

/**
 * The release attach puts files on, checked before anything is uploaded: the
 * tag's release unless it is published and immutable, else (with `create`) a
 * new draft; and none of its assets named as a local file unless `clobber`.
 */
export async function attachTarget(
  client: ReleasesClient,
  options: { repo: string; tag: string; create?: boolean; clobber?: boolean },
  env: Env,
  local: readonly LocalAsset[],
  progress: (message: string) => void,
): Promise<{ release: Release; created: boolean; before: ReleaseAsset[] }> {
  let release = await client.releaseByTag(options.tag);
  let created = false;
  // Immutable releases (GitHub): once published, no asset may be added,
  // replaced or removed. Said before anything is uploaded, with what to do.
  if (release && !release.draft && release.immutable) {
    throw new GitHubError(
      'GITHUB_RELEASE_IMMUTABLE',
      `release ${options.tag} of ${options.repo} is published and immutable: its assets cannot change. Attach to a draft instead: create the release as a draft (gh release create ${options.tag} --draft, or let evidence attach --create make one), attach, and it is published after every asset is read back`,
      { status: 422 },
    );
  }
  if (!release) {
    if (!options.create)
      throw new GitHubError(
        'GITHUB_NOT_FOUND',
        `${options.repo} has no release for tag ${options.tag} (use --create to make one)`,
        { status: 404 },
      );
    // As a draft, published only once every asset is up and read back: what
    // immutable releases require, and atomic for the others.
    progress(`creating release ${options.tag} as a draft`);
    release = await client.createRelease(options.tag, {
      draft: true,
      ...(env.GITHUB_SHA ? { targetCommitish: env.GITHUB_SHA } : {}),
    });
    created = true;
  }

  const before = await client.listAssets(release);
  const clashes = local.filter((a) => before.some((b) => b.name === a.name));
  if (clashes.length > 0 && !options.clobber) {
    throw new GitHubError(
      'GITHUB_ASSET_EXISTS',
      `release ${options.tag} of ${options.repo} already has ${clashes.map((c) => c.name).join(', ')} (use --clobber to replace)`,
      { status: 422 },
    );
  }
  return { release, created, before };
}

/**
 * Puts files on a release as one change. Every file goes up under a
 * temporary name and is read back (size, listed digest, and the sha256 of the
 * bytes downloaded) before any final name changes: a failure on the way
 * removes what was uploaded and leaves the release as it was. Only then are
 * the assets of the same names in `before` deleted and the new ones renamed.
 */
export async function putAssets(
  client: ReleasesClient,
  release: Release,
  local: LocalAsset[],
  before: ReleaseAsset[],
  progress: (m: string) => void,
  onBytes?: ByteProgress,
): Promise<AttachedAsset[]> {
  const staged: Array<{ file: LocalAsset; asset: ReleaseAsset }> = [];
  try {
    for (const file of local) {
      const temporary = `${file.name}.partial-${randomBytes(4).toString('hex')}`;
      staged.push({ file, asset: await upload(client, release, file, temporary, progress, onBytes) });
    }
    await readBack(client, release, staged, progress);
  } catch (e) {
    for (const { asset } of staged) await client.deleteAsset(asset).catch(() => undefined);
    throw e;
  }

  const assets: AttachedAsset[] = [];
  let done = 0;
  try {
    for (const { file, asset } of staged) {
      const old = before.find((b) => b.name === file.name);
      if (old) {
        progress(`replacing ${file.name}`);
        await client.deleteAsset(old);
      }
      const renamed = await client.renameAsset(asset, file.name);
      if (renamed.name !== file.name || renamed.size !== file.size)
        throw new GitHubError(
          'ASSET_MISMATCH',
          `${file.name}: after the rename GitHub has ${renamed.name} with ${renamed.size} bytes`,
        );
      done++;
      assets.push({
        name: file.name,
        size: file.size,
        sha256: file.sha256,
        action: old ? 'replaced' : 'uploaded',
        url: renamed.browser_download_url,
      });
    }
  } catch (e) {
    for (const { asset } of staged.slice(done)) await client.deleteAsset(asset).catch(() => undefined);
    throw e;
  }
  return assets;
}

async function upload(
  client: ReleasesClient,
  release: Release,
  file: LocalAsset,
  name: string,
  progress: (m: string) => void,
  onBytes?: ByteProgress,
): Promise<ReleaseAsset> {
  progress(`uploading ${name} (${file.size} bytes)`);
  const open = (): ReturnType<typeof createReadStream> => {
    const stream = createReadStream(file.path);
    if (!onBytes) return stream;
    const counted = countingStream(file.name, file.size, onBytes);
    stream.on('error', (e) => counted.destroy(e));
    return stream.pipe(counted) as unknown as ReturnType<typeof createReadStream>;
  };
  const asset = await client.uploadAsset(release, name, file.size, file.contentType, open);
  if (asset.size !== file.size)
    throw new GitHubError('ASSET_MISMATCH', `${name}: GitHub stored ${asset.size} bytes of the ${file.size} uploaded`);
  return asset;
}

async function readBack(
  client: ReleasesClient,
  release: Release,
  staged: Array<{ file: LocalAsset; asset: ReleaseAsset }>,
  progress: (m: string) => void,
): Promise<void> {
  const listed = await client.listAssets(release);
  for (const { file, asset: uploaded } of staged) {
    const asset = listed.find((a) => a.id === uploaded.id);
    if (!asset) throw new GitHubError('ASSET_MISMATCH', `${file.name}: the uploaded asset is not on the release`);
    if (asset.size !== file.size)
      throw new GitHubError(
        'ASSET_MISMATCH',
        `${file.name}: GitHub lists ${asset.size} bytes, ${file.size} were uploaded`,
      );
    if (asset.state !== undefined && asset.state !== 'uploaded')
      throw new GitHubError('ASSET_MISMATCH', `${file.name}: GitHub says the upload is ${asset.state}, not uploaded`);
    if (asset.digest && asset.digest !== `sha256:${file.sha256}`)
      throw new GitHubError(
        'ASSET_MISMATCH',
        `${file.name}: GitHub lists digest ${asset.digest}, the file is sha256:${file.sha256}`,
      );
    progress(`reading back ${file.name}`);
    const read = await client.download(asset);
    if (read.size !== file.size || read.sha256 !== file.sha256) {
      throw new GitHubError(
        'ASSET_MISMATCH',
        `${file.name}: read back ${read.size} bytes with sha256 ${read.sha256}; uploaded ${file.size} bytes with sha256 ${file.sha256}`,
      );
    }
  }
}

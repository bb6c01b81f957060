import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isPlainFileName } from '../../core/release-assets.js';
import { exists, putInPlace } from '../../fs/atomic.js';
import { release as untrack, removeStaleLeftovers, temporaryBeside } from '../../fs/leftovers.js';
import type { ByteProgress } from '../../fs/progress.js';
import { FileError } from '../../fs/small-file.js';
import { GitHubError } from './errors.js';
import type { ReleaseAsset, ReleasesClient } from './releases.js';

/** A release asset downloaded to a file: its name on the release, where it is, and what was checked. */
export interface DownloadedFile {
  name: string;
  path: string;
  size: number;
  sha256: string;
}

/** Where an asset goes in `dir`. Asset names come from the server: only a plain file name may become a path. */
export function assetPath(dir: string, name: string): string {
  if (!isPlainFileName(name)) {
    throw new GitHubError('GITHUB_RESPONSE_INVALID', `asset name ${JSON.stringify(name)} is not a plain file name`);
  }
  return join(dir, name);
}

/** An asset downloaded whole and checked against GitHub's listing, still in its temporary file beside `file.path`. */
export interface StagedDownload {
  file: DownloadedFile;
  temporary: string;
}

/** Removes a staged download's temporary file (when it was not put in place) and stops tracking it. */
export async function discardStaged(staged: StagedDownload): Promise<void> {
  await rm(staged.temporary, { force: true });
  untrack(staged.temporary);
}

/**
 * Downloads an asset beside `target` and leaves it in its temporary file, for the caller to place (putInPlace) or
 * remove.
 */
export async function stageAsset(
  client: ReleasesClient,
  asset: ReleaseAsset,
  target: string,
  force: boolean,
  onBytes: ByteProgress | undefined,
  progress: (m: string) => void,
): Promise<StagedDownload> {
  progress(`downloading ${asset.name} (${asset.size} bytes)`);
  let temporary = '';
  const file = await downloadAsset(client, asset, target, force, onBytes, (tmp) => {
    temporary = tmp;
  });
  return { file, temporary };
}

/**
 * Downloads an asset beside `target` and puts it in place when whole and as
 * listed; with `keep`, it is left in its temporary file (handed to `keep`,
 * still tracked for removal on a signal) for the caller to place or remove.
 */
export async function downloadAsset(
  client: ReleasesClient,
  asset: ReleaseAsset,
  target: string,
  force: boolean,
  onBytes?: ByteProgress,
  keep?: (temporary: string) => void,
): Promise<DownloadedFile> {
  if (!force && (await exists(target)))
    throw new FileError('OUTPUT_EXISTS', `${target}: already exists (use --force to replace it)`, target);
  const temporaries: string[] = [];
  await removeStaleLeftovers(dirname(target));
  try {
    let tmp = '';
    const got = await client.download(
      asset,
      () => {
        // A new, exclusive file for each attempt: never one that something else put there.
        tmp = temporaryBeside(target);
        temporaries.push(tmp);
        return createWriteStream(tmp, { flags: 'wx', mode: 0o644 });
      },
      onBytes,
    );
    const { sha256 } = got;
    if (got.size !== asset.size)
      throw new GitHubError(
        'ASSET_MISMATCH',
        `${asset.name}: ${got.size} bytes downloaded, GitHub lists ${asset.size}`,
      );
    if (asset.digest && asset.digest !== `sha256:${sha256}`)
      throw new GitHubError(
        'ASSET_MISMATCH',
        `${asset.name}: downloaded sha256:${sha256}, GitHub lists ${asset.digest}`,
      );
    if (keep) {
      keep(tmp);
      temporaries.splice(temporaries.indexOf(tmp), 1);
    } else await putInPlace(tmp, target, force);
    return { name: asset.name, path: target, size: got.size, sha256 };
  } finally {
    await Promise.all(temporaries.map((t) => rm(t, { force: true })));
    temporaries.forEach(untrack);
  }
}

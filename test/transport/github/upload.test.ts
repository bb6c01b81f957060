import { describe, expect, it } from 'vitest';
import type { Release, ReleaseAsset, ReleasesClient } from '../../../src/transport/github/releases.js';
import { attachTarget, type LocalAsset } from '../../../src/transport/github/upload.js';

/** The release attach puts files on (src/transport/github/upload.ts), with a fake client: no network. */

const release = (tag: string, extra: Partial<Release> = {}): Release => ({
  id: 1,
  tag_name: tag,
  upload_url: 'https://uploads.example/x',
  html_url: `https://example/releases/${tag}`,
  published_at: '2026-03-01T00:00:00Z',
  ...extra,
});

const asset = (name: string) =>
  ({
    id: 9,
    name,
    size: 1,
    digest: null,
    url: 'https://api.example/a',
    browser_download_url: 'https://x',
  }) as ReleaseAsset;

const local = (name: string): LocalAsset => ({ name, path: `/tmp/${name}`, contentType: 'x', size: 1, sha256: '' });

/** A client whose tag has `existing` (or no release), listing `assets` on any release; `made` records creations. */
function client(existing: Release | undefined, assets: ReleaseAsset[] = []) {
  const made: { tag: string; options: unknown }[] = [];
  const c = {
    releaseByTag: () => Promise.resolve(existing),
    createRelease: (tag: string, options: { draft?: boolean }) => {
      made.push({ tag, options });
      return Promise.resolve(release(tag, { draft: options.draft === true }));
    },
    listAssets: () => Promise.resolve(assets),
  };
  return { client: c as unknown as ReleasesClient, made };
}

const options = { repo: 'acme/web', tag: 'v1' };
const quiet = () => undefined;

describe('attachTarget', () => {
  it("the tag's release and its assets", async () => {
    const { client: c } = client(release('v1', { draft: false }), [asset('notes.txt')]);
    const target = await attachTarget(c, options, {}, [local('e.tar.gz')], quiet);
    expect(target).toEqual({ release: release('v1', { draft: false }), created: false, before: [asset('notes.txt')] });
  });

  it('a published immutable release is refused, before anything else is asked', async () => {
    const { client: c, made } = client(release('v1', { draft: false, immutable: true }));
    await expect(attachTarget(c, { ...options, create: true }, {}, [], quiet)).rejects.toMatchObject({
      code: 'GITHUB_RELEASE_IMMUTABLE',
    });
    expect(made).toEqual([]);
  });

  it('no release: GITHUB_NOT_FOUND, or with create a new draft at GITHUB_SHA', async () => {
    await expect(attachTarget(client(undefined).client, options, {}, [], quiet)).rejects.toMatchObject({
      code: 'GITHUB_NOT_FOUND',
    });
    const { client: c, made } = client(undefined);
    const told: string[] = [];
    const target = await attachTarget(c, { ...options, create: true }, { GITHUB_SHA: 'abc' }, [], (m) => told.push(m));
    expect(target.created).toBe(true);
    expect(target.release.draft).toBe(true);
    expect(made).toEqual([{ tag: 'v1', options: { draft: true, targetCommitish: 'abc' } }]);
    expect(told).toHaveLength(1);
  });

  it('an asset of a local file name: GITHUB_ASSET_EXISTS, unless clobber', async () => {
    const { client: c } = client(release('v1', { draft: true }), [asset('e.tar.gz')]);
    await expect(attachTarget(c, options, {}, [local('e.tar.gz')], quiet)).rejects.toMatchObject({
      code: 'GITHUB_ASSET_EXISTS',
    });
    const target = await attachTarget(c, { ...options, clobber: true }, {}, [local('e.tar.gz')], quiet);
    expect(target.before).toEqual([asset('e.tar.gz')]);
  });
});

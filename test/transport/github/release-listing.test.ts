import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  cachedAsset,
  chooseReleaseAssets,
  downloadChosen,
  downloadListed,
  listedEvidence,
  listGroupAssets,
  publishedReleases,
  webUrl,
  type AssetCache,
} from '../../../src/transport/github/release-listing.js';
import type { Release, ReleaseAsset, ReleasesClient } from '../../../src/transport/github/releases.js';

/** An audit's GitHub source (src/transport/github/release-listing.ts), with a fake client and an in-memory cache. */

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

const asset = (id: number, name: string, content = name, digest: string | null = `sha256:${sha(content)}`) =>
  ({
    id,
    name,
    size: Buffer.byteLength(content),
    digest,
    url: `https://api.example/assets/${id}`,
    browser_download_url: `https://example/download/${name}`,
  }) satisfies ReleaseAsset;

const release = (tag: string, extra: Partial<Release> = {}): Release => ({
  id: tag.length,
  tag_name: tag,
  upload_url: 'https://uploads.example/x',
  html_url: `https://example/releases/${tag}`,
  published_at: '2026-03-01T00:00:00Z',
  ...extra,
});

/** A client that lists `releases` and serves `contents` by asset id (`sent` counts downloads). */
function client(releases: Release[] = [], contents: Record<number, string> = {}) {
  const sent: number[] = [];
  const c = {
    owner: 'acme',
    repo: 'web',
    apiUrl: 'https://api.example',
    listReleases: () => Promise.resolve(releases),
    download: async (a: ReleaseAsset, open: () => NodeJS.WritableStream) => {
      sent.push(a.id);
      const body = contents[a.id] ?? '';
      await new Promise<void>((done) => open().end(body, () => done()));
      return { sha256: sha(body), size: Buffer.byteLength(body) };
    },
  };
  return { client: c as unknown as ReleasesClient, sent };
}

function memoryCache() {
  const files = new Map<string, string>();
  const refs = new Map<string, string>();
  const cache: AssetCache = {
    get: (hex) => Promise.resolve(files.has(hex) ? `/cache/${hex}` : undefined),
    ref: (key) => Promise.resolve(refs.get(key)),
    put: async (write, key) => {
      const chunks: Buffer[] = [];
      const got = await write(
        () =>
          new Writable({
            write(chunk, _enc, next) {
              chunks.push(Buffer.from(chunk));
              next();
            },
          }),
      );
      files.set(got.sha256, Buffer.concat(chunks).toString());
      if (key !== undefined) refs.set(key, got.sha256);
      return { path: `/cache/${got.sha256}`, ...got };
    },
  };
  return { cache, files, refs };
}

describe('listing', () => {
  it('published releases only; two with one tag are refused', async () => {
    const listed = [release('v1'), release('draft', { draft: true }), release('v2', { published_at: null })];
    expect((await publishedReleases(client(listed).client)).map((r) => r.tag_name)).toEqual(['v1']);
    await expect(publishedReleases(client([release('v1'), release('v1')]).client)).rejects.toMatchObject({
      code: 'GITHUB_RESPONSE_INVALID',
    });
  });

  it('only http(s) links reach a report', () => {
    expect(webUrl('https://example/x')).toBe(true);
    expect(webUrl('HTTP://example/x')).toBe(true);
    expect(webUrl('javascript:alert(1)')).toBe(false);
    expect(webUrl(undefined)).toBe(false);
  });
});

describe("a release's evidence among its assets", () => {
  const bundle = asset(1, 'evidence.tar.gz');
  const sigstore = asset(2, 'evidence.sigstore.json');

  it('the one bundle and its Sigstore bundle; none, or several without --name, is not chosen', () => {
    expect(chooseReleaseAssets([[bundle, sigstore, asset(3, 'app.zip')]], undefined, ['v1'])).toEqual({
      state: 'found',
      bundle,
      attestation: sigstore,
    });
    expect(chooseReleaseAssets([[asset(3, 'app.zip')]], undefined, ['v1']).state).toBe('missing');
    const two = [bundle, asset(4, 'other.tgz')];
    expect(chooseReleaseAssets([two], undefined, ['v1']).state).toBe('ambiguous');
    expect(chooseReleaseAssets([two], 'other', ['v1']).bundle?.id).toBe(4);
    expect(chooseReleaseAssets([two], 'nothing', ['v1']).state).toBe('missing');
  });

  it('releases of one version: one bundle by its listed digest, else ambiguous', () => {
    const same = asset(5, 'evidence.tar.gz');
    expect(chooseReleaseAssets([[bundle], [same]], undefined, ['1', 'v1']).bundle?.id).toBe(1);
    expect(chooseReleaseAssets([[], [same]], undefined, ['1', 'v1']).bundle?.id).toBe(5);
    const other = asset(6, 'evidence.tar.gz', 'other bytes');
    expect(chooseReleaseAssets([[bundle], [other]], undefined, ['1', 'v1']).state).toBe('ambiguous');
  });

  it('as listed: a digest only where GitHub lists a sha256, links only http(s)', () => {
    const unlisted = { ...asset(7, 'e.tar.gz', 'x', null), browser_download_url: 'file:///etc/passwd' };
    expect(listedEvidence({ state: 'found', bundle: unlisted, attestation: sigstore })).toEqual({
      state: 'found',
      bundle: { name: 'e.tar.gz', digest: '', size: 1 },
      attestation: { name: sigstore.name, digest: sigstore.digest, url: sigstore.browser_download_url },
    });
    expect(listedEvidence({ state: 'missing', message: 'none' })).toEqual({ state: 'missing', message: 'none' });
  });
});

describe('downloads through the cache', () => {
  it('by the listed digest: downloaded once, then read from the cache', async () => {
    const a = asset(1, 'e.tar.gz', 'bundle bytes');
    const { client: c, sent } = client([], { 1: 'bundle bytes' });
    const { cache } = memoryCache();
    expect(await cachedAsset(c, cache, a)).toEqual({
      path: `/cache/${sha('bundle bytes')}`,
      sha256: sha('bundle bytes'),
    });
    await cachedAsset(c, cache, a);
    expect(sent).toEqual([1]);
  });

  it('without a listed digest: by what the asset was stored under before', async () => {
    const a = asset(2, 'e.tar.gz', 'enterprise', null);
    const { client: c, sent } = client([], { 2: 'enterprise' });
    const { cache, refs } = memoryCache();
    await cachedAsset(c, cache, a);
    expect([...refs.values()]).toEqual([sha('enterprise')]);
    expect((await cachedAsset(c, cache, a)).sha256).toBe(sha('enterprise'));
    expect(sent).toEqual([2]);
  });

  it('bytes other than listed, by size or digest: ASSET_MISMATCH', async () => {
    const { cache } = memoryCache();
    const wrongSize = client([], { 1: 'longer than listed' }).client;
    await expect(cachedAsset(wrongSize, cache, asset(1, 'e.tar.gz', 'short'))).rejects.toMatchObject({
      code: 'ASSET_MISMATCH',
    });
    const wrongBytes = client([], { 1: 'other' }).client;
    await expect(cachedAsset(wrongBytes, cache, asset(1, 'e.tar.gz', 'right'))).rejects.toMatchObject({
      code: 'ASSET_MISMATCH',
    });
  });

  it('a bundle over the limit, or an attestation larger than any, is refused before any download', async () => {
    const { client: c, sent } = client([], { 1: 'bundle', 2: 'x'.repeat(10) });
    const { cache } = memoryCache();
    const bundle = asset(1, 'e.tar.gz', 'bundle');
    await expect(downloadChosen(c, cache, { state: 'found', bundle }, 5)).rejects.toMatchObject({
      code: 'BUNDLE_TOO_LARGE',
    });
    const huge = { ...asset(2, 'e.sigstore.json'), size: 1e12 };
    await expect(downloadChosen(c, cache, { state: 'found', bundle, attestation: huge }, 100)).rejects.toMatchObject({
      code: 'FILE_TOO_LARGE',
    });
    expect(sent).toEqual([]);
    const got = await downloadChosen(c, cache, { state: 'found', bundle }, 100);
    expect([got.bundle.sha256, got.attestation]).toEqual([sha('bundle'), undefined]);
  });
});

describe("a release's assets and its evidence downloaded", () => {
  it('the assets of each release of one version, in order; the first that fails fails them all', async () => {
    const listed: string[] = [];
    const c = {
      listAssets: (r: Release) => {
        listed.push(r.tag_name);
        return r.tag_name === 'bad'
          ? Promise.reject(Object.assign(new Error('down'), { code: 'GITHUB_UNREACHABLE' }))
          : Promise.resolve([asset(r.id, `${r.tag_name}.tar.gz`)]);
      },
    } as unknown as ReleasesClient;
    const got = await listGroupAssets(c, [release('1.0'), release('v1.0')]);
    expect(got.map((a) => a.map((x) => x.name))).toEqual([['1.0.tar.gz'], ['v1.0.tar.gz']]);
    await expect(listGroupAssets(c, [release('bad'), release('v2')])).rejects.toMatchObject({
      code: 'GITHUB_UNREACHABLE',
    });
    expect(listed).toEqual(['1.0', 'v1.0', 'bad']);
  });

  it('the digests downloaded written into the listed evidence, where GitHub listed none', async () => {
    const bundle = asset(1, 'e.tar.gz', 'bundle', null);
    const sigstore = asset(2, 'e.sigstore.json', 'sig', null);
    const { client: c } = client([], { 1: 'bundle', 2: 'sig' });
    const { cache } = memoryCache();
    const chosen = { state: 'found' as const, bundle, attestation: sigstore };
    const evidence = listedEvidence(chosen);
    expect([evidence.bundle?.digest, evidence.attestation?.digest]).toEqual(['', '']);
    const got = await downloadListed(c, cache, chosen, evidence, 100);
    expect(got.bundle.sha256).toBe(sha('bundle'));
    expect(evidence.bundle).toEqual({
      name: 'e.tar.gz',
      digest: `sha256:${sha('bundle')}`,
      size: 6,
      url: bundle.browser_download_url,
    });
    expect(evidence.attestation?.digest).toBe(`sha256:${sha('sig')}`);
  });
});

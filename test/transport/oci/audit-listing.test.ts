import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  auditedRepository,
  BlobDownloadCache,
  cachedBlob,
  candidateBundle,
  findTagEvidence,
  MAX_AUDIT_TAGS,
  releaseEvidence,
  releaseTags,
  tagsEvidence,
  type BlobCache,
  type EvidenceReaders,
  type TagEvidence,
} from '../../../src/transport/oci/audit-listing.js';
import type { RegistryClient } from '../../../src/transport/oci/client.js';
import { OciError } from '../../../src/transport/oci/errors.js';
import { parseReference } from '../../../src/transport/oci/reference.js';
import { useTmp } from '../../helpers/tmp.js';

/** An audit's OCI source (src/transport/oci/audit-listing.ts), with fake registry reads. */

const digest = (c: string): string => `sha256:${c.repeat(64)}`;
const layer = (c: string, size = 10) => ({ mediaType: 'application/gzip', digest: digest(c), size });
const ref = parseReference('oci://registry.example/acme/web');

const tagsClient = (tags: string[]) => ({ tags: () => Promise.resolve(tags) }) as unknown as RegistryClient;

describe('the repository and its tags', () => {
  it('a repository, never a tag or a digest of one', () => {
    expect(auditedRepository('oci://registry.example/acme/web').repository).toBe('acme/web');
    for (const text of ['oci://registry.example/acme/web:1.0', `oci://registry.example/acme/web@${digest('a')}`])
      expect(() => auditedRepository(text)).toThrow(expect.objectContaining({ code: 'REFERENCE_INVALID' }));
  });

  it('every tag but the referrers fallback tags, only those --tags matches, at most MAX_AUDIT_TAGS', async () => {
    const fallback = `sha256-${'a'.repeat(64)}`;
    expect(await releaseTags(tagsClient(['1.0', fallback, 'latest']), ref)).toEqual(['1.0', 'latest']);
    expect(await releaseTags(tagsClient(['1.0', 'latest']), ref, /^(?:\d.*)$/)).toEqual(['1.0']);
    const many = Array.from({ length: MAX_AUDIT_TAGS + 1 }, (_, i) => `t${i}`);
    await expect(releaseTags(tagsClient(many), ref)).rejects.toMatchObject({ code: 'REGISTRY_RESPONSE_INVALID' });
  });
});

describe("a tag's evidence", () => {
  const tagged = { ...ref, tag: '1.0' };
  const client = {} as RegistryClient;
  const artifact = { layer: layer('a'), manifestDigest: digest('b'), manifest: {}, reference: 'x' };
  const readers = (resolve: () => Promise<unknown>, image: () => Promise<unknown>): EvidenceReaders =>
    ({ resolveEvidence: resolve, imageEvidence: image }) as unknown as EvidenceReaders;
  const fail = (code: ConstructorParameters<typeof OciError>[0]) => () => Promise.reject(new OciError(code, code));
  const never = () => Promise.reject(new Error('not asked'));

  it('the tag itself when it is evidence, keeping only the layer and the manifest digest', async () => {
    expect(
      await findTagEvidence(
        client,
        tagged,
        'l',
        readers(() => Promise.resolve(artifact), never),
      ),
    ).toEqual({
      candidates: [{ layer: layer('a'), manifestDigest: digest('b') }],
    });
  });

  it("else an image's referrers", async () => {
    const image = { reference: 'img', digest: digest('c') };
    const found = await findTagEvidence(
      client,
      tagged,
      'l',
      readers(fail('ARTIFACT_INVALID'), () => Promise.resolve({ image, artifacts: [artifact], more: 0 })),
    );
    expect(found).toEqual({ candidates: [{ layer: layer('a'), manifestDigest: digest('b') }], image });
  });

  it('neither: missing; a registry that fails: unavailable; anything else is thrown', async () => {
    const missing = await findTagEvidence(
      client,
      tagged,
      'l',
      readers(fail('REGISTRY_NOT_FOUND'), fail('ARTIFACT_NOT_FOUND')),
    );
    expect(missing.problem).toMatchObject({ state: 'missing', code: 'ARTIFACT_NOT_FOUND' });
    const down = await findTagEvidence(client, tagged, 'l', readers(fail('REGISTRY_UNREACHABLE'), never));
    expect(down.problem).toMatchObject({ state: 'unavailable', code: 'REGISTRY_UNREACHABLE' });
    const later = await findTagEvidence(
      client,
      tagged,
      'l',
      readers(fail('ARTIFACT_INVALID'), fail('REGISTRY_UNREACHABLE')),
    );
    expect(later.problem).toMatchObject({ state: 'unavailable', code: 'REGISTRY_UNREACHABLE' });
    await expect(
      findTagEvidence(
        client,
        tagged,
        'l',
        readers(() => Promise.reject(new RangeError('bug')), never),
      ),
    ).rejects.toThrow(RangeError);
  });

  it("a release's tags together: each candidate once, their images, an unavailable tag's problem first", () => {
    const a = { layer: layer('a'), manifestDigest: digest('b') };
    const parts: TagEvidence[] = [
      { candidates: [a], image: { reference: 'img', digest: digest('c') } },
      { candidates: [a] },
      { candidates: [], problem: { state: 'missing', code: 'ARTIFACT_NOT_FOUND', message: 'm' } },
      { candidates: [], problem: { state: 'unavailable', code: 'REGISTRY_UNREACHABLE', message: 'u' } },
    ];
    const together = releaseEvidence(parts);
    expect(together.candidates).toEqual([a]);
    expect(together.images).toEqual([{ reference: 'img', digest: digest('c') }]);
    expect(together.problem?.code).toBe('REGISTRY_UNREACHABLE');
    expect(releaseEvidence([{ candidates: [] }])).toEqual({ images: [], candidates: [] });
  });
});

describe('a bundle through the cache', () => {
  it('from the cache when there, else downloaded into it; over the limit, refused before either', async () => {
    const asked: string[] = [];
    const client = {
      getBlob: (repository: string, d: { digest: string }) => {
        asked.push(`${repository} ${d.digest}`);
        return Promise.resolve(Readable.from(['bytes']));
      },
    } as unknown as RegistryClient;
    const stored = new Set<string>();
    const cache: BlobCache = {
      get: (hex) => Promise.resolve(stored.has(hex) ? `/cache/${hex}` : undefined),
      putStream: async (hex, source) => {
        source.resume();
        await new Promise((done) => source.once('end', done));
        stored.add(hex);
        return `/cache/${hex}`;
      },
    };
    await expect(cachedBlob(client, cache, 'acme/web', layer('a', 11), 10, 'l')).rejects.toMatchObject({
      code: 'BUNDLE_TOO_LARGE',
    });
    expect(await cachedBlob(client, cache, 'acme/web', layer('a'), 10, 'l')).toBe(`/cache/${'a'.repeat(64)}`);
    expect(await cachedBlob(client, cache, 'acme/web', layer('a'), 10, 'l')).toBe(`/cache/${'a'.repeat(64)}`);
    expect(asked).toEqual([`acme/web ${digest('a')}`]);
  });
});

describe("each tag's evidence, and a candidate's bundle", () => {
  it('every tag read under its own reference, kept by tag', async () => {
    const asked: string[] = [];
    const readers = {
      resolveEvidence: (_c: RegistryClient, tagged: { tag?: string }, label: string) => {
        asked.push(label);
        return tagged.tag === 'bad'
          ? Promise.reject(new OciError('REGISTRY_UNREACHABLE', 'down'))
          : Promise.resolve({ layer: layer(tagged.tag === '1.0' ? 'a' : 'b'), manifestDigest: digest('c') });
      },
      imageEvidence: () => Promise.reject(new Error('not asked')),
    } as unknown as EvidenceReaders;
    const found = await tagsEvidence({} as RegistryClient, ref, ['1.0', '2.0', 'bad'], 2, readers);
    expect([...found.keys()]).toEqual(['1.0', '2.0', 'bad']);
    expect(found.get('1.0')?.candidates).toEqual([{ layer: layer('a'), manifestDigest: digest('c') }]);
    expect(found.get('bad')?.problem).toMatchObject({ state: 'unavailable', code: 'REGISTRY_UNREACHABLE' });
    expect(asked.sort()).toEqual(['1.0', '2.0', 'bad'].map((t) => `oci://registry.example/acme/web:${t}`));
  });

  it("named by its layer's title, else by the release", () => {
    const titled = { ...layer('a'), annotations: { 'org.opencontainers.image.title': 'e.tar.gz' } };
    expect(candidateBundle({ layer: titled, manifestDigest: digest('b') }, '1.0', 'u')).toEqual({
      name: 'e.tar.gz',
      digest: digest('a'),
      size: 10,
      url: 'u',
    });
    expect(candidateBundle({ layer: layer('a'), manifestDigest: digest('b') }, '1.0', 'u').name).toBe('1.0');
  });
});

describe('a registry blob in the download cache', () => {
  const tmp = useTmp();
  const hex = (text: string): string => createHash('sha256').update(text).digest('hex');

  it('kept under its digest when it is those bytes; else dropped, DIGEST_MISMATCH', async () => {
    const cache = new BlobDownloadCache(await tmp());
    expect(await cache.putStream(hex('blob'), Readable.from([Buffer.from('blob')]))).toBe(cache.pathOf(hex('blob')));
    expect(await cache.get(hex('blob'), 4)).toBe(cache.pathOf(hex('blob')));
    await expect(cache.putStream(hex('other'), Readable.from([Buffer.from('forged')]))).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
    });
    expect(await readdir(join(cache.dir, 'sha256'))).toEqual([hex('blob')]);
  });
});

import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CollectorOutput } from '../../src/collector/collector.js';
import {
  addImageSubject,
  assembleManifest,
  createdTime,
  manifestEntries,
  manifestSource,
  requireBundleSettings,
  sortSubjects,
  standardSources,
  type CollectedInput,
} from '../../src/collector/manifest-assembly.js';
import type { PlannedInput } from '../../src/collector/plan.js';
import { bufferSource } from '../../src/core/bundle-writer.js';
import { sha256Hex } from '../../src/core/digest.js';
import type { Subject } from '../../src/core/manifest.js';

const codeOf = async (f: () => unknown): Promise<string | undefined> => {
  try {
    await f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

const hexA = 'a'.repeat(64);
const collector = { name: 'file', version: '1' };

function collected(label: string, out: Partial<CollectorOutput> = {}): CollectedInput {
  const input: PlannedInput = { collector: 'file', file: `/w/${label}`, label };
  return {
    input,
    out: { kind: 'doc', mediaType: 'text/plain', summary: {}, hex: hexA, size: 3, ...out },
    // A kind with a collector of its own is that collector's (the file collector's are plain files).
    collector: out.kind === 'sbom' ? { name: 'sbom', version: '1' } : collector,
  };
}

describe('manifestEntries', () => {
  it('names entries by kind and file, one blob per digest, files opened only when read', () => {
    const opened: string[] = [];
    const open = (input: PlannedInput): Readable => {
      opened.push(input.file);
      return Readable.from([Buffer.from('abc')]);
    };
    const made = Buffer.from('made');
    const { entries, blobs } = manifestEntries(
      [
        collected('a/notes.txt'),
        collected('b/notes.txt'),
        collected('snap', { kind: 'slo', bytes: made, hex: sha256Hex(made), size: 4, name: 'slo.json' }),
      ],
      open,
    );
    expect(entries.map((e) => e.path)).toEqual(['doc/a/notes.txt', 'doc/b/notes.txt', 'slo/slo.json']);
    expect(entries[0]).toMatchObject({ digest: `sha256:${hexA}`, size: 3, collector });
    expect([...blobs.keys()]).toEqual([hexA, sha256Hex(made)]);
    expect(blobs.get(hexA)).toMatchObject({ hex: hexA, size: 3, origin: 'a/notes.txt' });
    expect(opened).toEqual([]);
    blobs.get(hexA)?.open();
    expect(opened).toEqual(['/w/a/notes.txt']);
  });

  it('refuses a path the format does not allow, and two entries at one path', async () => {
    const open = (): Readable => Readable.from([]);
    expect(await codeOf(() => manifestEntries([collected('x', { name: 'a|b' })], open))).toBe('ENTRY_PATH_INVALID');
    expect(
      await codeOf(() => manifestEntries([collected('x', { name: 'Same' }), collected('y', { name: 'same' })], open)),
    ).toBe('DUPLICATE_ENTRY_PATH');
  });
});

describe('settings and source', () => {
  it('requires a name, a version and an output', async () => {
    expect(requireBundleSettings({ name: 'n', version: '1', output: 'o' })).toEqual({
      name: 'n',
      version: '1',
      output: 'o',
    });
    for (const given of [
      { version: '1', output: 'o' },
      { name: 'n', output: 'o' },
      { name: 'n', version: '1' },
    ])
      expect(await codeOf(() => requireBundleSettings(given))).toBe('CONFIG_INVALID');
  });

  it('lays the config over detection and the flags over both, field by field, with the URL redacted', () => {
    const commit = 'c'.repeat(40);
    const source = manifestSource(
      { repository: 'https://x-access-token:secret@github.com/acme/app?t=1', commit, ref: 'refs/heads/main' },
      { ref: 'refs/tags/v1', repository: undefined },
      { ref: undefined },
    );
    expect(source).toEqual({ repository: 'https://github.com/acme/app', commit, ref: 'refs/tags/v1' });
  });

  it('takes SOURCE_DATE_EPOCH, else now to the second', async () => {
    expect(createdTime({ SOURCE_DATE_EPOCH: '1700000000' }).toISOString()).toBe('2023-11-14T22:13:20.000Z');
    expect(createdTime({}, () => new Date('2026-01-02T03:04:05.678Z')).toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(await codeOf(() => createdTime({ SOURCE_DATE_EPOCH: 'yesterday' }))).toBe('SOURCE_DATE_EPOCH_INVALID');
  });
});

describe('assembleManifest', () => {
  const base = { name: 'app', version: '1.0.0', created: new Date('2026-01-02T03:04:05.678Z'), source: {} };

  it('sorts entries by path and stamps the creation time to the second', () => {
    const { entries } = manifestEntries([collected('b.txt'), collected('a.txt')], () => Readable.from([]));
    const manifest = assembleManifest({ ...base, entries, subjects: [] });
    expect(manifest.entries.map((e) => e.path)).toEqual(['doc/a.txt', 'doc/b.txt']);
    expect(manifest.created).toBe('2026-01-02T03:04:05Z');
    expect(manifest.generator.name).toBeTruthy();
  });

  it('refuses a manifest that would not be valid', async () => {
    expect(await codeOf(() => assembleManifest({ ...base, version: '', entries: [], subjects: [] }))).toBe(
      'CONFIG_INVALID',
    );
  });
});

describe('subjects', () => {
  const s = (name: string): Subject => ({ name, digest: `sha256:${'0'.repeat(64)}`, size: 1 });

  it('adds an image subject unless its name is taken, and sorts by name', async () => {
    const subjects = [s('b')];
    addImageSubject(subjects, s('a'), 'oci://r/a');
    expect(await codeOf(() => addImageSubject(subjects, s('b'), 'oci://r/b'))).toBe('DUPLICATE_SUBJECT');
    expect(sortSubjects(subjects).map((x) => x.name)).toEqual(['a', 'b']);
  });
});

describe('standardSources', () => {
  it('reads back only the blobs standard statements restate, refusing one that changed', async () => {
    const sbom = Buffer.from('{"bomFormat":"CycloneDX"}');
    const other = Buffer.from('other');
    const manifest = assembleManifest({
      name: 'app',
      version: '1',
      created: new Date(0),
      source: {},
      subjects: [],
      entries: manifestEntries(
        [
          collected('bom.json', {
            kind: 'sbom',
            hex: sha256Hex(sbom),
            size: sbom.length,
            summary: { format: 'cyclonedx', specVersion: '1.6', components: 0, licenses: [], unlicensed: 0 },
          }),
          collected('o.txt', { hex: sha256Hex(other), size: other.length }),
        ],
        () => Readable.from([]),
      ).entries,
    });
    const blobs = new Map([
      [sha256Hex(sbom), bufferSource(sbom, 'bom.json')],
      [sha256Hex(other), bufferSource(other, 'o.txt')],
    ]);
    const blob = await standardSources(manifest, blobs);
    expect(blob(sha256Hex(sbom))?.equals(sbom)).toBe(true);
    expect(blob(sha256Hex(other))).toBeUndefined();

    const lying = new Map([
      [sha256Hex(sbom), { ...bufferSource(sbom, 'bom.json'), open: () => Readable.from([Buffer.from('changed')]) }],
    ]);
    expect(await codeOf(() => standardSources(manifest, lying))).toBe('INPUT_UNREADABLE');
  });
});

import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../src/core/canonical-json.js';
import {
  entriesBelowAnother,
  logicalPathProblem,
  manifestSchema,
  manifestValid,
  parseManifest,
  type Manifest,
} from '../../src/core/manifest.js';

const d = (c: string): string => `sha256:${c.repeat(64)}`;

function manifest(over: Partial<Manifest> = {}): Manifest {
  return {
    mediaType: 'application/vnd.evidence.manifest.v1+json',
    formatVersion: 1,
    name: 'app',
    version: '1.0.0',
    created: '2026-01-01T00:00:00Z',
    generator: { name: 'evidence', version: '0.1.0' },
    source: {},
    entries: [
      {
        path: 'junit/a.xml',
        kind: 'junit',
        mediaType: 'application/xml',
        digest: d('a'),
        size: 3,
        collector: { name: 'junit', version: '0.1.0' },
        summary: { tests: 1, passed: 1, failed: 0, errored: 0, skipped: 0, durationSeconds: 0.5 },
      },
      {
        path: 'notes/b.md',
        kind: 'notes',
        mediaType: 'text/markdown',
        digest: d('b'),
        size: 4,
        collector: { name: 'file', version: '0.1.0' },
        summary: {},
      },
    ],
    subjects: [{ name: 'app.tgz', digest: d('c'), size: 10 }],
    ...over,
  };
}

describe('parseManifest', () => {
  it('accepts a valid canonical manifest', () => {
    const r = parseManifest(canonicalBytes(manifest()));
    expect(r.ok && r.canonical).toBe(true);
  });

  it('tells when the bytes are not canonical (white space, duplicate keys)', () => {
    const pretty = Buffer.from(JSON.stringify(manifest(), null, 2));
    const r1 = parseManifest(pretty);
    expect(r1.ok && r1.canonical).toBe(false);
    const canon = canonicalBytes(manifest()).toString();
    const dup = Buffer.from(canon.replace('"name":"app"', '"name":"evil","name":"app"'));
    const r2 = parseManifest(dup);
    expect(r2.ok && r2.canonical).toBe(false);
  });

  it('refuses an unknown format version with its own code', () => {
    const r = parseManifest(canonicalBytes({ ...manifest(), formatVersion: 2 }));
    expect(r.ok ? '' : r.code).toBe('MANIFEST_UNSUPPORTED_VERSION');
  });

  it('reports every schema problem with its path', () => {
    const bad = manifest({
      entries: [
        { ...manifest().entries[1]!, path: 'z/last.md' },
        { ...manifest().entries[0]!, summary: { tests: -1 } },
      ],
      created: 'yesterday',
    });
    const r = parseManifest(canonicalBytes(bad));
    expect(r.ok).toBe(false);
    const paths = r.ok ? [] : r.issues.map((i) => i.path);
    expect(paths).toContain('$.created');
    expect(paths).toContain('$.entries[1].path'); // unsorted
    expect(paths.some((p) => p.startsWith('$.entries[1].summary'))).toBe(true);
  });

  it('refuses a built-in kind written by the file collector, and a summary of the wrong shape', () => {
    const e = manifest().entries[0]!;
    const r = parseManifest(
      canonicalBytes(manifest({ entries: [{ ...e, kind: 'sbom', collector: { name: 'file', version: '1' } }] })),
    );
    expect(r.ok).toBe(false);
  });

  it('refuses entries of one digest with two sizes, and a path below another path', () => {
    const [a, b] = manifest().entries as [Manifest['entries'][0], Manifest['entries'][0]];
    expect(parseManifest(canonicalBytes(manifest({ entries: [a, { ...b, digest: a.digest }] }))).ok).toBe(false);
    expect(
      parseManifest(
        canonicalBytes(
          manifest({
            entries: [
              { ...b, path: 'notes' },
              { ...b, path: 'notes/x' },
            ],
          }),
        ),
      ).ok,
    ).toBe(false);
  });

  it('finds each path below another once, whatever the order, in one pass over deep paths', () => {
    expect(entriesBelowAnother(['notes/x', 'a-x', 'notes', 'a', 'a/b/c', 'ab', 'a/b', 'notes-y/z'])).toEqual([0, 4, 6]);
    expect(entriesBelowAnother(['a', 'b', 'a-b', 'ab/c'])).toEqual([]);
    // 2,000 paths of 500 segments (joining each one's leading segments cost entries × segments²: an outside review
    // made verify take 30 s with 12,000 such paths): none below another, then one that is.
    const deep = 'a/'.repeat(500);
    const paths = Array.from({ length: 2000 }, (_, i) => `${deep}x${i}`);
    expect(entriesBelowAnother(paths)).toEqual([]);
    expect(entriesBelowAnother([...paths, `${deep}x7/y`])).toEqual([2000]);
  });

  it('refuses bytes that are not UTF-8 JSON', () => {
    const r = parseManifest(Buffer.from([0x7b, 0xff, 0x7d]));
    expect(r.ok ? '' : r.code).toBe('MANIFEST_INVALID_JSON');
  });
});

describe('logicalPathProblem', () => {
  it.each(['', '/etc/passwd', '../x', 'a/../b', 'a//b', './a', 'a\\b', 'C:/x', 'a/\u0000b', 'a/.'])(
    'refuses %j',
    (p) => {
      expect(logicalPathProblem(p)).toBeDefined();
    },
  );
  it.each(['sbom/app.cdx.json', 'a/b/c', '..a/b', 'x..y'])('accepts %j', (p) => {
    expect(logicalPathProblem(p)).toBeUndefined();
  });
});

describe('manifestValid', () => {
  const many = (n: number): Manifest['subjects'] =>
    Array.from({ length: n }, (_, i) => ({ digest: d('c'), name: `s${String(i).padStart(6, '0')}.bin`, size: i }));
  const verdict = (m: Manifest): unknown => {
    const r = manifestValid(m);
    return r.success ? true : r.error.issues;
  };
  const schema = (m: Manifest): unknown => {
    const r = manifestSchema.safeParse(m);
    return r.success ? true : r.error.issues;
  };

  it('passes what the schema passes, slice by slice, and returns the manifest itself', () => {
    const m = manifest({ subjects: many(3000) });
    const r = manifestValid(m);
    expect(r.success && r.data).toBe(m);
    expect(verdict(manifest({ subjects: [] }))).toBe(true);
  });

  it("fails what the schema fails, with the schema's own issues", () => {
    const bad = many(3000);
    bad[2500] = { ...bad[2500]!, name: 'a\\b' };
    const unsorted = many(3000);
    [unsorted[10], unsorted[11]] = [unsorted[11]!, unsorted[10]!];
    const duplicate = many(3000);
    duplicate[1500] = { ...duplicate[1499]! };
    for (const m of [
      manifest({ subjects: bad }),
      manifest({ subjects: unsorted }),
      manifest({ subjects: duplicate }),
      manifest({ subjects: [...many(2), { digest: 'sha256:x', name: 'z', size: -1 }] }),
      manifest({ subjects: undefined as unknown as Manifest['subjects'] }),
      manifest({ name: '' }),
      { ...manifest(), extra: 1 } as Manifest,
    ]) {
      const issues = verdict(m);
      expect(issues).not.toBe(true);
      expect(issues).toEqual(schema(m));
    }
  });
});

import * as z from 'zod';
import { zodIssues, type Issue, safeParseBounded } from './issues.js';
import { MAX_JSON_DEPTH, maxDepth } from './strict-json.js';
import { canonicalBytes } from './canonical-json.js';
import { SHA256_DIGEST } from './digest.js';
import { entryKind, isCollectedKind, summarySchemaFor } from './summaries.js';
import { isRfc3339 } from './time.js';

export const MANIFEST_FORMAT_VERSION = 1;
export const MANIFEST_MEDIA_TYPE = 'application/vnd.evidence.manifest.v1+json';
export const BUNDLE_MEDIA_TYPE = 'application/vnd.evidence.bundle.v1.tar+gzip';
/** The artifactType of an OCI manifest holding a bundle (docs/bundle-format.md §7). */
export const BUNDLE_ARTIFACT_TYPE = 'application/vnd.evidence.bundle.v1';

/**
 * RFC 3339 UTC with whole seconds: what `created` always holds (its shape; `isRfc3339` of core/time.ts says it names a
 * real instant).
 */
export const RFC3339_UTC_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export const KIND = /^[a-z][a-z0-9-]{0,63}$/;

/**
 * A logical path is where `extract` writes an entry, on whatever system the
 * auditor uses, so one portable rule holds for every path (docs/bundle-format.md
 * §2.1): relative, '/'-separated, 1–1024 characters, NFC; no empty, '.' or
 * '..' segment; no ':' anywhere (drive letters, `a/C:x`, NTFS streams), no
 * backslash, no character Windows forbids in a name (< > " | ? *), no control
 * character (C0, DEL, C1), no bidirectional formatting character; no segment
 * ending in '.' or ' ', and none that is a reserved device name (CON, PRN,
 * AUX, NUL, COM1–9, LPT1–9, also with ¹²³, with or without an extension, in
 * any case). Paths must also differ when compared case-insensitively (checked
 * over the whole manifest).
 */
export function logicalPathProblem(path: string): string | undefined {
  if (path.length === 0) return 'is empty';
  if (path.length > 1024) return 'is longer than 1024 characters';
  if (path.startsWith('/')) return 'is absolute';
  if (path.includes(':'))
    return /^[A-Za-z]:/.test(path) ? 'has a drive letter' : "contains ':' (a drive or stream on Windows)";
  if (path.includes('\\')) return 'contains a backslash';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(path)) return 'contains a control character';
  if (/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(path))
    return 'contains a bidirectional formatting character';
  if (/[<>"|?*]/.test(path)) return 'contains a character Windows does not allow in a name (< > " | ? *)';
  if (path.normalize('NFC') !== path) return 'is not in Unicode normalization form C';
  for (const segment of path.split('/')) {
    if (segment === '') return 'has an empty segment';
    if (segment === '.' || segment === '..') return `has a '${segment}' segment`;
    if (/[. ]$/.test(segment)) return `has a segment ending in a dot or a space ('${segment}')`;
    if (RESERVED_DEVICE.test(segment.split('.')[0]?.trimEnd() ?? ''))
      return `has a segment that is a reserved device name on Windows ('${segment}')`;
  }
  return undefined;
}

/**
 * A subject's name: an artifact's file name, or an image reference such as
 * `registry:5000/acme/web@sha256:…`. Subjects are never written to disk, so
 * `:` is allowed; the rest of the path rule (relative, clean segments, no
 * backslash, no control or bidirectional character) holds.
 */
export function subjectNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > 1024) return 'is longer than 1024 characters';
  if (name.startsWith('/')) return 'is absolute';
  if (/^[A-Za-z]:/.test(name)) return 'has a drive letter';
  if (name.includes('\\')) return 'contains a backslash';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'contains a control character';
  if (/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(name))
    return 'contains a bidirectional formatting character';
  for (const segment of name.split('/')) {
    if (segment === '') return 'has an empty segment';
    if (segment === '.' || segment === '..') return `has a '${segment}' segment`;
  }
  return undefined;
}

const RESERVED_DEVICE = /^(CON|PRN|AUX|NUL|COM[1-9¹²³]|LPT[1-9¹²³])$/i;

/** The key under which two logical paths are the same file on a case-insensitive system. */
export function foldedPath(path: string): string {
  return path.normalize('NFC').toLowerCase().toUpperCase().toLowerCase();
}

const logicalPath = z.string().superRefine((p, ctx) => {
  const problem = logicalPathProblem(p);
  if (problem) ctx.addIssue({ code: 'custom', message: `path ${problem}` });
});

const digest = z.string().regex(SHA256_DIGEST, 'must be sha256:<64 lowercase hex>');
const size = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const sourceSchema = z.strictObject({
  repository: z.string().min(1).optional(),
  commit: z
    .string()
    .regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'must be a full git commit id')
    .optional(),
  ref: z.string().min(1).optional(),
});
export type Source = z.infer<typeof sourceSchema>;

export const entrySchema = z
  .strictObject({
    path: logicalPath,
    kind: z.string().regex(KIND, 'must be lowercase letters, digits and dashes'),
    mediaType: z.string().min(1),
    digest,
    size,
    collector: z.strictObject({ name: z.string().min(1), version: z.string().min(1) }),
    summary: z.record(z.string(), z.unknown()),
  })
  .superRefine((entry, ctx) => {
    const parsed = safeParseBounded(summarySchemaFor(entryKind(entry)), entry.summary);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ code: 'custom', path: ['summary', ...issue.path], message: issue.message });
      }
    }
    if (!isCollectedKind(entry.kind) && entry.collector.name !== 'file') {
      ctx.addIssue({
        code: 'custom',
        path: ['collector', 'name'],
        message: `kind '${entry.kind}' is only written by the file collector`,
      });
    }
  });
export type ManifestEntry = z.infer<typeof entrySchema>;

const subjectName = z.string().superRefine((n, ctx) => {
  const problem = subjectNameProblem(n);
  if (problem) ctx.addIssue({ code: 'custom', message: `name ${problem}` });
});

export const subjectSchema = z.strictObject({
  name: subjectName,
  digest,
  size,
});
export type Subject = z.infer<typeof subjectSchema>;

export const manifestSchema = z
  .strictObject({
    mediaType: z.literal(MANIFEST_MEDIA_TYPE),
    formatVersion: z.literal(MANIFEST_FORMAT_VERSION),
    name: z.string().min(1).max(256),
    version: z.string().min(1).max(256),
    created: z
      .string()
      .regex(RFC3339_UTC_SECONDS, 'must be RFC 3339 UTC with whole seconds')
      .refine(isRfc3339, 'must name a real instant'),
    generator: z.strictObject({ name: z.string().min(1), version: z.string().min(1) }),
    source: sourceSchema,
    entries: z.array(entrySchema),
    subjects: z.array(subjectSchema),
  })
  .superRefine((m, ctx) => {
    checkSortedUnique(
      m.entries.map((e) => e.path),
      ['entries'],
      'path',
      ctx,
    );
    checkSortedUnique(
      m.subjects.map((s) => s.name),
      ['subjects'],
      'name',
      ctx,
    );
    // Paths that a case-insensitive file system would take for one file.
    const folded = new Map<string, string>();
    m.entries.forEach((e, i) => {
      const key = foldedPath(e.path);
      const other = folded.get(key);
      if (other !== undefined && other !== e.path)
        ctx.addIssue({
          code: 'custom',
          path: ['entries', i, 'path'],
          message: `'${e.path}' and '${other}' differ only in case`,
        });
      folded.set(key, e.path);
    });
    // A path may not also be a directory of another path (in any case): extraction needs a tree.
    for (const i of entriesBelowAnother(m.entries.map((e) => foldedPath(e.path))))
      ctx.addIssue({
        code: 'custom',
        path: ['entries', i, 'path'],
        message: `'${m.entries[i]?.path ?? ''}' lies below another entry's path`,
      });
    // One digest, one size: blobs are stored once.
    const sizes = new Map<string, number>();
    m.entries.forEach((e, i) => {
      const known = sizes.get(e.digest);
      if (known !== undefined && known !== e.size) {
        ctx.addIssue({
          code: 'custom',
          path: ['entries', i, 'size'],
          message: `size ${e.size} disagrees with another entry of digest ${e.digest} (${known})`,
        });
      }
      sizes.set(e.digest, e.size);
    });
  });
export type Manifest = z.infer<typeof manifestSchema>;

/** Subjects checked at a time by manifestValid: zod's copy of each slice dies young (issue 28). */
const SUBJECT_SLICE = 1024;

/**
 * manifestSchema's verdict on a manifest, without zod's copy of it whole (100,000 subjects held twice, promoted to the
 * old generation before the check ends). The schema's checks of a subject are of that subject alone, and its
 * refinement's one check of the subjects is that their names are sorted and unique; so a manifest passes exactly when
 * it passes with no subjects, its subjects pass slice by slice, and their names are sorted and unique. On a failure, the
 * whole manifest is parsed again, so the issues are the schema's own.
 */
export function manifestValid(manifest: Manifest): z.ZodSafeParseResult<Manifest> {
  return validInParts(manifest) ? { success: true, data: manifest } : safeParseBounded(manifestSchema, manifest);
}

function validInParts(manifest: Manifest): boolean {
  const subjects: unknown = manifest.subjects;
  if (!Array.isArray(subjects) || !safeParseBounded(manifestSchema, { ...manifest, subjects: [] }).success)
    return false;
  for (let i = 0; i < subjects.length; i += SUBJECT_SLICE)
    if (!manifestSchema.shape.subjects.safeParse(subjects.slice(i, i + SUBJECT_SLICE)).success) return false;
  const names = (subjects as Subject[]).map((x) => x.name);
  for (let i = 1; i < names.length; i++) if (!((names[i - 1] as string) < (names[i] as string))) return false;
  return true;
}

function checkSortedUnique(values: string[], at: (string | number)[], field: string, ctx: z.RefinementCtx): void {
  for (let i = 1; i < values.length; i++) {
    const prev = values[i - 1] as string;
    const cur = values[i] as string;
    if (prev === cur) ctx.addIssue({ code: 'custom', path: [...at, i, field], message: `duplicate ${field} '${cur}'` });
    else if (prev > cur)
      ctx.addIssue({
        code: 'custom',
        path: [...at, i, field],
        message: `not sorted by ${field}: '${cur}' comes after '${prev}'`,
      });
  }
}

export type ParseManifestResult =
  | { ok: true; manifest: Manifest; canonical: boolean }
  | { ok: false; code: 'MANIFEST_INVALID_JSON' | 'MANIFEST_UNSUPPORTED_VERSION' | 'MANIFEST_SCHEMA'; issues: Issue[] };

/**
 * Parses manifest bytes exactly as stored. `canonical` tells whether the bytes
 * are the canonical serialisation of what they parse to; the verifier insists
 * on it, which also rules out duplicate keys (JSON.parse keeps the last one,
 * and re-serialising would then differ from the signed bytes).
 */
export function parseManifest(bytes: Uint8Array): ParseManifestResult {
  let json: unknown;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, code: 'MANIFEST_INVALID_JSON', issues: [{ path: '$', message: 'is not valid UTF-8' }] };
  }
  // Checked before any recursive step (JSON.parse, the schema, canonical
  // form) can overflow the stack on it.
  const depth = maxDepth(text);
  if (depth > MAX_JSON_DEPTH)
    return {
      ok: false,
      code: 'MANIFEST_INVALID_JSON',
      issues: [{ path: '$', message: `is nested ${depth} levels deep; a manifest has at most ${MAX_JSON_DEPTH}` }],
    };
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, code: 'MANIFEST_INVALID_JSON', issues: [{ path: '$', message: (e as Error).message }] };
  }
  // A lone surrogate (`"\ud800"`) has no UTF-8 form: no canonical form either.
  const lone = loneSurrogatePath(json, '$');
  if (lone)
    return {
      ok: false,
      code: 'MANIFEST_INVALID_JSON',
      issues: [{ path: lone, message: 'holds a lone UTF-16 surrogate, which is no Unicode text' }],
    };
  if (json && typeof json === 'object' && 'formatVersion' in json && json.formatVersion !== MANIFEST_FORMAT_VERSION) {
    return {
      ok: false,
      code: 'MANIFEST_UNSUPPORTED_VERSION',
      issues: [
        {
          path: '$.formatVersion',
          message: `format version ${JSON.stringify(json.formatVersion)} is not supported (this verifier reads ${MANIFEST_FORMAT_VERSION})`,
        },
      ],
    };
  }
  const parsed = safeParseBounded(manifestSchema, json);
  if (!parsed.success) return { ok: false, code: 'MANIFEST_SCHEMA', issues: zodIssues(parsed.error) };
  const canonical = Buffer.from(bytes).equals(canonicalBytes(json));
  return { ok: true, manifest: parsed.data, canonical };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The JSON path of the first string or key holding a lone surrogate, if any. */
function loneSurrogatePath(value: unknown, path: string): string | undefined {
  const lone = (s: string): boolean => LONE_SURROGATE.test(s);
  if (typeof value === 'string') return lone(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const hit = loneSurrogatePath(v, `${path}[${i}]`);
      if (hit) return hit;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (lone(k)) return `${path}.${k}`;
      const hit = loneSurrogatePath(v, `${path}.${k}`);
      if (hit) return hit;
    }
  }
  return undefined;
}

export function serializeManifest(manifest: Manifest): Buffer {
  return canonicalBytes(manifest);
}

/** Distinct blob digests of a manifest with their sizes, sorted by digest. */
export function manifestBlobs(manifest: Manifest): { digest: string; size: number }[] {
  const map = new Map<string, number>();
  for (const e of manifest.entries) map.set(e.digest, e.size);
  return [...map.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([digest, size]) => ({ digest, size }));
}

/** What a manifest says, as `evidence inspect` and the reports show it. */
export interface InspectResult {
  /** What inspect checked: nothing. The manifest as the bundle states it, neither its content nor its signature. */
  verified: false;
  name: string;
  version: string;
  created: string;
  source: Source;
  entries: {
    path: string;
    kind: string;
    mediaType: string;
    digest: string;
    size: number;
    summary: Record<string, unknown>;
  }[];
  subjects: { name: string; digest: string; size: number }[];
}

/**
 * The indexes of the paths that lie below another of them (`a/b` below `a`), each once, in order. In time linear in
 * the paths' length after a sort: with '/' read as the lowest character, the paths below a path sort right after it,
 * so one pass keeps the chain of paths the current one may lie below. (Joining each path's leading segments and
 * looking each up cost entries × segments²: 30 s for 12,000 paths of 505 segments.) Paths hold no control character.
 */
export function entriesBelowAnother(paths: readonly string[]): number[] {
  const keyed = paths.map((p, i) => ({ key: p.replaceAll('/', '\u0000'), i }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i));
  const below: number[] = [];
  const chain: string[] = [];
  for (const { key, i } of keyed) {
    while (chain.length > 0 && !key.startsWith(`${chain[chain.length - 1] as string}\u0000`)) chain.pop();
    if (chain.length > 0) below.push(i);
    chain.push(key);
  }
  return below.sort((a, b) => a - b);
}

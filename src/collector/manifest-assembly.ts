import type { Readable } from 'node:stream';
import { bufferSource, type BlobSource } from '../core/bundle-writer.js';
import { sha256Hex } from '../core/digest.js';
import type { Env } from '../core/env.js';
import { zodIssues, safeParseBounded } from '../core/issues.js';
import {
  MANIFEST_FORMAT_VERSION,
  MANIFEST_MEDIA_TYPE,
  foldedPath,
  logicalPathProblem,
  manifestValid,
  type Manifest,
  type ManifestEntry,
  type Source,
  type Subject,
} from '../core/manifest.js';
import { maxOf, stripUndefined } from '../core/objects.js';
import { standardSourceBlob } from '../formats/standard-statements.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.js';
import { resolveAsOf } from './as-of.js';
import type { Collector, CollectorOutput } from './collector.js';
import { CollectError } from './errors.js';
import type { PlannedInput } from './plan.js';
import { redactUrl } from './source.js';
import { summarySchemaFor } from '../core/summaries.js';

/** One input and what its collector made of it. */
export interface CollectedInput {
  input: PlannedInput;
  out: CollectorOutput;
  collector: Pick<Collector, 'name' | 'version'>;
}

/** The bundle's name, version and output file, each required (from a flag or the config). */
export function requireBundleSettings(given: { name?: string; version?: string; output?: string }): {
  name: string;
  version: string;
  output: string;
} {
  const { name, version, output } = given;
  if (!name) throw new CollectError('CONFIG_INVALID', 'no bundle name: give --name or `name:` in the config');
  if (!version)
    throw new CollectError('CONFIG_INVALID', 'no bundle version: give --version or `version:` in the config');
  if (!output) throw new CollectError('CONFIG_INVALID', 'no output file: give -o/--output or `output:` in the config');
  return { name, version, output };
}

/**
 * The manifest's entries, each at its logical path, and the blobs to store
 * (one per digest). `openFile` opens an input file's content (the command's
 * part: a file stream, counted for progress).
 */
export function manifestEntries(
  outputs: CollectedInput[],
  openFile: (input: PlannedInput, size: number) => Readable,
): { entries: ManifestEntry[]; blobs: Map<string, BlobSource> } {
  const entries: ManifestEntry[] = [];
  const blobs = new Map<string, BlobSource>();
  const byPath = new Map<string, PlannedInput>();
  const paths = logicalPaths(
    outputs.map(({ input, out }) => ({ kind: out.kind, ...(out.name ? { name: out.name } : {}), label: input.label })),
  );
  outputs.forEach(({ input, out, collector }, i) => {
    const path = paths[i] as string;
    const problem = logicalPathProblem(path);
    if (problem)
      throw new CollectError(
        'ENTRY_PATH_INVALID',
        `${input.label} would be stored as '${path}', which ${problem}; rename it`,
        { file: input.label },
      );
    const clash = byPath.get(foldedPath(path));
    if (clash) {
      throw new CollectError(
        'DUPLICATE_ENTRY_PATH',
        `${input.label} and ${clash.label} would both be stored as '${path}' (paths are compared without case); rename one of them`,
        { file: input.label },
      );
    }
    byPath.set(foldedPath(path), input);
    // Checked here, where the input is known: a figure out of range (an lcov count of 400 digits, k6 checks adding up
    // past 2^53) names its file, not an entry of the manifest to come.
    const summary = safeParseBounded(summarySchemaFor(collector.name === 'file' ? 'file' : out.kind), out.summary);
    if (!summary.success)
      throw new CollectError('INPUT_FIGURES_INVALID', `${input.label}: its figures cannot be recorded`, {
        file: input.label,
        issues: zodIssues(summary.error),
      });
    entries.push({
      path,
      kind: out.kind,
      mediaType: out.mediaType,
      digest: `sha256:${out.hex}`,
      size: out.size,
      collector: { name: collector.name, version: collector.version },
      summary: out.summary,
    });
    if (!blobs.has(out.hex)) {
      blobs.set(
        out.hex,
        out.bytes
          ? bufferSource(out.bytes, input.label)
          : { hex: out.hex, size: out.size, origin: input.label, open: () => openFile(input, out.size) },
      );
    }
  });
  return { entries, blobs };
}

/**
 * Each entry's logical path, `<kind>/<name>`: the input's file name, or the
 * name its collector gives what it made. Where several inputs would take one
 * path (a monorepo's `a/junit.xml` and `b/junit.xml`, or two `db` migration
 * folders), each of them takes the fewest of its parent folders (the path as
 * given, relative to where it was found) that tell it from the others:
 * `junit/a/junit.xml`, `junit/b/junit.xml`. The result depends on the
 * inputs' paths only, never on their order or on the machine.
 */
export function logicalPaths(inputs: { kind: string; name?: string; label: string }[]): string[] {
  const parsed = inputs.map((x) => {
    const segs = x.label.split(/[\\/]+/).filter((seg) => seg !== '' && seg !== '.');
    const last = segs.pop() ?? '';
    // A `..` never reaches a logical path: only the folders after the last one count.
    const parents = segs.slice(segs.lastIndexOf('..') + 1);
    return { parents, simple: `${x.kind}/${x.name ?? last}` };
  });
  const tail = (segs: string[], n: number): string[] => segs.slice(Math.max(0, segs.length - n));
  return parsed.map((own) => {
    const group = parsed.filter((other) => foldedPath(other.simple) === foldedPath(own.simple));
    if (group.length === 1) return own.simple;
    // The fewest folders that set every member of the group apart, the same number for all of them.
    const deepest = maxOf([...group.map((g) => g.parents.length)]);
    for (let n = 1; n <= deepest; n++) {
      if (new Set(group.map((g) => foldedPath(tail(g.parents, n).join('/')))).size === group.length) {
        const [kind, ...rest] = own.simple.split('/');
        return [kind, ...tail(own.parents, n), ...rest].join('/');
      }
    }
    return own.simple;
  });
}

/** A container image's subject added to the others; a name taken already is refused. */
export function addImageSubject(subjects: Subject[], subject: Subject, image: string): void {
  if (subjects.some((x) => x.name === subject.name))
    throw new CollectError(
      'DUPLICATE_SUBJECT',
      `--subject-image ${image}: a subject is already named '${subject.name}'`,
      { file: image },
    );
  subjects.push(subject);
}

/** Subjects sorted by name, as the manifest keeps them. */
export function sortSubjects(subjects: Subject[]): Subject[] {
  return subjects.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Where the bundle was made from: detected, then the config's, then the flags' fields, each over the one before. */
export function manifestSource(
  detected: Source,
  fromConfig: Source | undefined,
  fromFlags: Source | undefined,
): Source {
  const source: Source = { ...detected, ...stripUndefined(fromConfig ?? {}), ...stripUndefined(fromFlags ?? {}) };
  // Whoever gave it (git, CI variables, the config or a flag), only scheme, host and path are signed into the record.
  if (source.repository) source.repository = redactUrl(source.repository);
  return source;
}

/** The manifest, validated. */
export function assembleManifest(input: {
  name: string;
  version: string;
  created: Date;
  source: Source;
  entries: ManifestEntry[];
  subjects: Subject[];
}): Manifest {
  const { name, version, created, source, entries, subjects } = input;
  const manifest: Manifest = {
    mediaType: MANIFEST_MEDIA_TYPE,
    formatVersion: MANIFEST_FORMAT_VERSION,
    name,
    version,
    created: created.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    generator: { name: PACKAGE_NAME, version: PACKAGE_VERSION },
    source,
    entries: entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    subjects,
  };
  const valid = manifestValid(manifest);
  if (!valid.success)
    throw new CollectError('CONFIG_INVALID', 'the bundle would not be valid', { issues: zodIssues(valid.error) });
  return manifest;
}

/** SOURCE_DATE_EPOCH (reproducible builds' convention) or now, to the second. */
export function createdTime(env: Env, now?: () => Date): Date {
  return resolveAsOf(undefined, env, now);
}

/**
 * The contents of the blobs the standard statements restate (small SBOM,
 * JUnit and SARIF files), read again and checked against the digests the
 * manifest gives them: a file changed since it was collected is refused.
 */
export async function standardSources(
  manifest: Manifest,
  blobs: Map<string, BlobSource>,
): Promise<(hex: string) => Buffer | undefined> {
  const kept = new Map<string, Buffer>();
  for (const [hex, source] of blobs) {
    if (!standardSourceBlob(hex, manifest)) continue;
    const chunks: Buffer[] = [];
    for await (const c of source.open()) chunks.push(c as Buffer);
    const bytes = Buffer.concat(chunks);
    if (sha256Hex(bytes) !== hex)
      throw new CollectError(
        'INPUT_UNREADABLE',
        `${source.origin}: changed since it was collected (its sha256 is no longer ${hex})`,
        { file: source.origin },
      );
    kept.set(hex, bytes);
  }
  return (hex) => kept.get(hex);
}

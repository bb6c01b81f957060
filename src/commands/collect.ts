import type { Readable } from 'node:stream';
import { countingStream, type ByteProgress } from '../fs/progress.js';
import { createReadStream } from 'node:fs';
import { basename, isAbsolute, relative, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { bufferSource, writeBundle, type BlobSource } from '../core/bundle-writer.js';
import { HASH_READ_CHUNK } from '../core/hash-stream.js';
import { zodIssues } from '../core/issues.js';
import {
  MANIFEST_FORMAT_VERSION,
  MANIFEST_MEDIA_TYPE,
  foldedPath,
  logicalPathProblem,
  manifestSchema,
  type Manifest,
  type ManifestEntry,
  type Source,
  type Subject,
} from '../core/manifest.js';
import { collectors, type Collector, type CollectorName } from '../collector/index.js';
import { attestationCollector } from '../collector/attestation.js';
import { parseDuration, resolveAsOf } from '../collector/as-of.js';
import { doraCollector } from '../collector/dora.js';
import { prometheusClient } from '../transport/prometheus.js';
import { sloCollector } from '../collector/slo.js';
import type { IdentityPolicy } from '../verifier/identity-policy.js';
import { readKeys, resolveTrustRoots } from './trust.js';
import type { CollectorOutput } from '../collector/collector.js';
import { CollectError } from '../collector/errors.js';
import type { Env } from '../core/env.js';
import { detectSource, redactUrl } from '../collector/source.js';
import { hashSubjects, type SubjectFile } from '../collector/subjects.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.js';
import { assertOutputFolder, writeAtomically } from '../fs/atomic.js';
import { loadConfig, type EvidenceConfig } from './config.js';
import { stripUndefined } from '../core/objects.js';
import { sha256Hex } from '../core/digest.js';
import { serializeManifest } from '../core/manifest.js';
import { standardSourceBlob } from '../formats/standard-statements.js';
import { makeSigner, signManifest, writeDetached, type SignOptions, type SignResult } from './sign.js';

export interface CollectOptions {
  cwd: string;
  env?: Env;
  /** The bundle to write (.tar.gz). */
  output?: string;
  name?: string;
  version?: string;
  sbom?: string[];
  sarif?: string[];
  junit?: string[];
  coverage?: string[];
  k6?: string[];
  terraformPlan?: string[];
  /** Directories of SQL migrations. */
  migrations?: string[];
  /** `PATH[=KIND]`. */
  file?: string[];
  subject?: string[];
  /** Container images (oci://REF:TAG or @sha256:…) released with this bundle: their manifest digests become subjects. */
  subjectImage?: string[];
  /** How to reach the registries of subjectImage. */
  registry?: import('./oci.js').RegistryOptions;
  /** Existing Sigstore bundles to take in, verified first. */
  attestation?: string[];
  /** Who must have signed those attestations. */
  identity?: IdentityPolicy;
  trustedRoot?: string[];
  /** Public keys for attestations signed with a key. */
  attestationKey?: string[];
  /** SLO definitions (Sloth or OpenSLO), evaluated against Prometheus. */
  slo?: string[];
  prometheus?: string;
  /** `Name: value`, sent to Prometheus, never stored. */
  prometheusHeader?: string[];
  /** Told of the bytes of each file stored as it is written into the bundle, for a progress display. */
  onBytes?: ByteProgress;
  /** Silence allowed before a request (Prometheus, a registry) fails; default 30 s. */
  timeoutMs?: number;
  /** Saved SLO snapshots, for jobs that cannot reach Prometheus. */
  sloSnapshot?: string[];
  /** The instant snapshots are evaluated at (RFC 3339). */
  asOf?: string;
  /** DORA snapshot from git and deployment history. */
  dora?: {
    git: string;
    deployments: string;
    incidents?: string;
    environment?: string;
    window?: string;
    incidentLabel?: string;
  };
  config?: string;
  force?: boolean;
  /** Overrides git/CI detection, field by field. */
  source?: Source;
  onProgress?: (event: CollectProgress) => void;
  /** Used for `created` when SOURCE_DATE_EPOCH is unset. */
  now?: () => Date;
  /**
   * Sign as the bundle is written (`collect --sign`): the statements are
   * signed from the manifest before the one write, so the bundle is written
   * once, with its attestations, never rewritten.
   */
  sign?: Omit<SignOptions, 'cwd' | 'env' | 'bundle'>;
}

export type CollectProgress =
  | { phase: 'evidence'; done: number; total: number; label: string }
  | { phase: 'subjects'; done: number; total: number; label: string }
  | { phase: 'writing'; output: string };

export interface CollectResult {
  output: string;
  manifest: Manifest;
  /** With `sign`: what was signed and the files written beside the bundle. */
  signed?: SignResult;
}

interface PlannedInput {
  collector: CollectorName | 'attestation' | 'slo' | 'slo-snapshot' | 'dora';
  file: string;
  label: string;
  kind?: string;
}

/**
 * Gathers evidence files and release subjects into a bundle. Every input is
 * validated before anything is written; the bundle appears whole or not at all.
 */
export async function collect(options: CollectOptions): Promise<CollectResult> {
  const settings = await resolveSettings(options);
  // The signer first: a missing token or key fails before any work.
  const signer = options.sign ? await makeSigner({ ...options.sign, cwd: settings.cwd }, settings.env) : undefined;
  const planned = await planEvidence(options, settings);
  const chosen = await prepareCollectors(options, settings, planned);
  const subjectFiles = await planSubjects(options, settings);
  const inputs = dedupe(planned);
  if (inputs.length === 0 && subjectFiles.length === 0 && (options.subjectImage ?? []).length === 0) {
    throw new CollectError(
      'NO_EVIDENCE',
      'nothing to collect: give evidence (--sbom, --sarif, --junit, --coverage, --k6, --terraform-plan, --migrations, --slo, --dora, --file) or --subject',
    );
  }

  const outputs = await runCollectors(inputs, chosen, options);
  const { entries, blobs } = manifestEntries(outputs, options);
  const subjects = await gatherSubjects(subjectFiles, options, settings.env);
  const manifest = await buildManifest(options, settings, entries, subjects);

  const { output, created } = settings;
  const signed = signer
    ? await signManifest(signer, manifest, serializeManifest(manifest), await standardSources(manifest, blobs), {
        env: settings.env,
        noStandard: options.sign?.noStandard === true,
      })
    : undefined;
  options.onProgress?.({ phase: 'writing', output });
  await writeAtomically(output, options.force ?? false, (out) =>
    writeBundle(
      {
        manifest,
        blobs,
        mtime: created,
        ...(signed
          ? { attestation: signed.attestation, ...(signed.standard ? { standard: signed.standard } : {}) }
          : {}),
      },
      out,
    ),
  );
  return { output, manifest, ...(signed ? { signed: await writeDetached(output, signed) } : {}) };
}

/**
 * The contents of the blobs the standard statements restate (small SBOM,
 * JUnit and SARIF files), read again and checked against the digests the
 * manifest gives them: a file changed since it was collected is refused.
 */
async function standardSources(
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

/** What the flags and the config settle before any evidence is read. */
interface Settings {
  env: Env;
  cwd: string;
  cfg: EvidenceConfig | undefined;
  /** Where the config's relative paths start. */
  cfgDir: string;
  name: string;
  version: string;
  /** The bundle to write, absolute. */
  output: string;
  created: Date;
}

/** The config, the bundle's name, version and output file, and its creation time. */
async function resolveSettings(options: CollectOptions): Promise<Settings> {
  const env = options.env ?? {};
  const cwd = options.cwd;
  const loaded = options.config ? await loadConfig(options.config, cwd) : undefined;
  const cfg = loaded?.config;
  const cfgDir = loaded?.baseDir ?? cwd;

  const name = options.name ?? cfg?.name;
  const version = options.version ?? cfg?.version;
  const outputArg = options.output ?? (cfg?.output ? resolve(cfgDir, cfg.output) : undefined);
  if (!name) throw new CollectError('CONFIG_INVALID', 'no bundle name: give --name or `name:` in the config');
  if (!version)
    throw new CollectError('CONFIG_INVALID', 'no bundle version: give --version or `version:` in the config');
  if (!outputArg)
    throw new CollectError('CONFIG_INVALID', 'no output file: give -o/--output or `output:` in the config');
  const output = resolve(cwd, outputArg);
  await assertOutputFolder(output);
  const created = createdTime(env, options.now);
  return { env, cwd, cfg, cfgDir, name, version, output, created };
}

/** Every evidence file the config and the flags name, globs expanded, in order (DORA's deployments file comes later). */
async function planEvidence(options: CollectOptions, settings: Settings): Promise<PlannedInput[]> {
  const { cwd, cfg, cfgDir } = settings;
  const planned: PlannedInput[] = [];
  const plan = async (collector: CollectorName, patterns: string[], base: string, kind?: string): Promise<void> => {
    for (const p of patterns) {
      for (const file of await expand(p, base))
        planned.push({ collector, file, label: displayPath(file, cwd), ...(kind ? { kind } : {}) });
    }
  };
  for (const [collector, fromFlags, fromConfig] of [
    ['sbom', options.sbom, cfg?.sbom],
    ['sarif', options.sarif, cfg?.sarif],
    ['junit', options.junit, cfg?.junit],
    ['coverage', options.coverage, cfg?.coverage],
    ['k6', options.k6, cfg?.k6],
    ['terraform', options.terraformPlan, cfg?.terraformPlan],
    ['migrations', options.migrations, cfg?.migrations],
  ] as const) {
    await plan(collector, fromConfig ?? [], cfgDir);
    await plan(collector, fromFlags ?? [], cwd);
  }
  for (const f of cfg?.files ?? []) {
    const { path, kind } = typeof f === 'string' ? splitKind(f) : f;
    await plan('file', [path], cfgDir, kind);
  }
  for (const f of options.file ?? []) {
    const { path, kind } = splitKind(f);
    await plan('file', [path], cwd, kind);
  }
  for (const p of options.attestation ?? []) {
    for (const file of await expand(p, cwd))
      planned.push({ collector: 'attestation', file, label: displayPath(file, cwd) });
  }
  for (const [collector, list] of [
    ['slo', [...(cfg?.slo ?? []).map((p) => resolve(cfgDir, p)), ...(options.slo ?? [])]],
    ['slo-snapshot', options.sloSnapshot ?? []],
  ] as const) {
    for (const p of list)
      for (const file of await expand(p, cwd)) planned.push({ collector, file, label: displayPath(file, cwd) });
  }
  return planned;
}

/** The collectors that need settings of their own; each is made only where an input needs it. */
interface ConfiguredCollectors {
  sloLive: Collector | undefined;
  sloSaved: Collector;
  dora: Collector | undefined;
  attestation: Collector | undefined;
}

/** Makes the configured collectors, adding DORA's deployments file to the plan. */
async function prepareCollectors(
  options: CollectOptions,
  settings: Settings,
  planned: PlannedInput[],
): Promise<ConfiguredCollectors> {
  const { env, cwd, cfg } = settings;
  const asOf = resolveAsOf(options.asOf, env, options.now);
  const prometheusUrl = options.prometheus ?? cfg?.prometheus;
  if (planned.some((p) => p.collector === 'slo') && !prometheusUrl) {
    throw new CollectError(
      'CONFIG_INVALID',
      '--slo needs --prometheus URL (or --slo-snapshot FILE for a saved snapshot)',
    );
  }
  const sloLive = prometheusUrl
    ? sloCollector({
        source: {
          kind: 'live',
          prometheus: prometheusClient({
            url: prometheusUrl,
            headers: options.prometheusHeader ?? [],
            ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
          }),
        },
        asOf,
      })
    : undefined;
  const sloSaved = sloCollector({ source: { kind: 'snapshot' }, asOf });
  const doraOptions = options.dora;
  const dora = doraOptions
    ? doraCollector({
        gitDir: resolve(cwd, doraOptions.git),
        environment: doraOptions.environment ?? 'production',
        windowSeconds: parseDuration(doraOptions.window ?? '30d', '--window'),
        asOf,
        env,
        ...(doraOptions.incidents ? { incidents: resolve(cwd, doraOptions.incidents) } : {}),
        ...(doraOptions.incidentLabel ? { incidentLabel: doraOptions.incidentLabel } : {}),
      })
    : undefined;
  if (doraOptions) {
    const file = resolve(cwd, doraOptions.deployments);
    planned.push({ collector: 'dora', file, label: displayPath(file, cwd) });
  }
  const attestation = planned.some((p) => p.collector === 'attestation')
    ? attestationCollector({
        roots: await resolveTrustRoots(cwd, options.trustedRoot, env),
        keys: await readKeys(cwd, options.attestationKey),
        policy: options.identity ?? {},
      })
    : undefined;
  return { sloLive, sloSaved, dora, attestation };
}

/** The subject files the config and the flags name, globs expanded. */
async function planSubjects(options: CollectOptions, settings: Settings): Promise<SubjectFile[]> {
  const { cwd, cfg, cfgDir } = settings;
  const subjectFiles: SubjectFile[] = [];
  for (const [patterns, base] of [
    [cfg?.subjects ?? [], cfgDir],
    [options.subject ?? [], cwd],
  ] as const) {
    for (const p of patterns)
      for (const file of await expand(p, base)) subjectFiles.push({ file, name: subjectName(file) });
  }
  return distinctSubjectNames(subjectFiles);
}

/**
 * A subject is named by its file name; files that share one (a tree of
 * artifacts, `--subject 'dist/**'`) are named by the fewest trailing path
 * segments that tell them apart (`linux/app`, `darwin/app`), the same number
 * for the whole group, so names are deterministic and never climb out ('..').
 */
export function distinctSubjectNames(files: SubjectFile[]): SubjectFile[] {
  const groups = new Map<string, Set<string>>();
  for (const f of files) (groups.get(f.name) ?? groups.set(f.name, new Set()).get(f.name))?.add(f.file);
  const renamed = new Map<string, string>();
  for (const group of groups.values()) {
    if (group.size < 2) continue;
    const segments = [...group].map((file) => file.split(/[\\/]+/).filter(Boolean));
    const longest = Math.max(...segments.map((x) => x.length));
    for (let k = 2; k <= longest; k++) {
      const names = segments.map((x) => x.slice(-k).join('/'));
      if (new Set(names).size === names.length) {
        [...group].forEach((file, i) => renamed.set(file, names[i] as string));
        break;
      }
    }
  }
  return files.map((f) => ({ ...f, name: renamed.get(f.file) ?? f.name }));
}

interface CollectedInput {
  input: PlannedInput;
  out: CollectorOutput;
  collector: Collector;
}

/** Each input through its collector, one after another. */
async function runCollectors(
  inputs: PlannedInput[],
  chosen: ConfiguredCollectors,
  options: CollectOptions,
): Promise<CollectedInput[]> {
  const { attestation, sloLive, sloSaved, dora } = chosen;
  let done = 0;
  const outputs: CollectedInput[] = [];
  for (const input of inputs) {
    const collector =
      input.collector === 'attestation'
        ? (attestation as Collector)
        : input.collector === 'slo'
          ? (sloLive as Collector)
          : input.collector === 'slo-snapshot'
            ? sloSaved
            : input.collector === 'dora'
              ? (dora as Collector)
              : collectors[input.collector];
    const out: CollectorOutput = await collector.collect({
      file: input.file,
      label: input.label,
      ...(input.kind ? { kind: input.kind } : {}),
    });
    outputs.push({ input, out, collector });
    options.onProgress?.({ phase: 'evidence', done: ++done, total: inputs.length, label: input.label });
  }
  return outputs;
}

/** The manifest's entries, each at its logical path, and the blobs to store (one per digest). */
function manifestEntries(
  outputs: CollectedInput[],
  options: CollectOptions,
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
          : {
              hex: out.hex,
              size: out.size,
              origin: input.label,
              open: () =>
                withProgress(
                  createReadStream(input.file, { highWaterMark: HASH_READ_CHUNK }),
                  input.label,
                  out.size,
                  options.onBytes,
                ),
            },
      );
    }
  });
  return { entries, blobs };
}

/** The subject files hashed, then the container images' digests, sorted by name. */
async function gatherSubjects(subjectFiles: SubjectFile[], options: CollectOptions, env: Env): Promise<Subject[]> {
  let hashed = 0;
  const subjects = await hashSubjects(subjectFiles, {
    onDone: (s) =>
      options.onProgress?.({ phase: 'subjects', done: ++hashed, total: subjectFiles.length, label: s.name }),
  });
  if (options.subjectImage?.length) {
    const { imageSubject } = await import('./oci.js');
    for (const image of options.subjectImage) {
      const s = await imageSubject({ env, image, ...(options.registry ? { registry: options.registry } : {}) });
      if (subjects.some((x) => x.name === s.name))
        throw new CollectError(
          'DUPLICATE_SUBJECT',
          `--subject-image ${image}: a subject is already named '${s.name}'`,
          { file: image },
        );
      subjects.push(s);
    }
    subjects.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  return subjects;
}

/** The manifest, with where the bundle was made from, validated. */
async function buildManifest(
  options: CollectOptions,
  settings: Settings,
  entries: ManifestEntry[],
  subjects: Subject[],
): Promise<Manifest> {
  const { cwd, env, cfg, name, version, created } = settings;
  const detected = await detectSource(cwd, env);
  const source: Source = { ...detected, ...stripUndefined(cfg?.source ?? {}), ...stripUndefined(options.source ?? {}) };
  // Whoever gave it (git, CI variables, the config or a flag), only scheme, host and path are signed into the record.
  if (source.repository) source.repository = redactUrl(source.repository);
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
  const valid = manifestSchema.safeParse(manifest);
  if (!valid.success)
    throw new CollectError('CONFIG_INVALID', 'the bundle would not be valid', { issues: zodIssues(valid.error) });
  return manifest;
}

/** SOURCE_DATE_EPOCH (reproducible builds' convention) or now, to the second. */
export function createdTime(env: Env, now?: () => Date): Date {
  return resolveAsOf(undefined, env, now);
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
    const deepest = Math.max(...group.map((g) => g.parents.length));
    for (let n = 1; n <= deepest; n++) {
      if (new Set(group.map((g) => foldedPath(tail(g.parents, n).join('/')))).size === group.length) {
        const [kind, ...rest] = own.simple.split('/');
        return [kind, ...tail(own.parents, n), ...rest].join('/');
      }
    }
    return own.simple;
  });
}

function splitKind(arg: string): { path: string; kind?: string } {
  const i = arg.lastIndexOf('=');
  if (i <= 0) return { path: arg };
  return { path: arg.slice(0, i), kind: arg.slice(i + 1) };
}

async function expand(pattern: string, base: string): Promise<string[]> {
  if (!isDynamicPattern(pattern)) return [resolve(base, pattern)];
  const found = await glob(pattern, {
    cwd: base,
    absolute: true,
    onlyFiles: true,
    dot: false,
    expandDirectories: false,
  });
  if (found.length === 0)
    throw new CollectError('GLOB_NO_MATCH', `${pattern}: matches no file (in ${base})`, { file: pattern });
  return found.map((f) => resolve(f)).sort();
}

function dedupe(inputs: PlannedInput[]): PlannedInput[] {
  const seen = new Set<string>();
  return inputs.filter((i) => {
    const key = `${i.collector}\0${i.kind ?? ''}\0${i.file}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/**
 * A subject is named by its file name, as a release asset is: that is all a
 * consumer who downloaded it has. Files that share a name are told apart by
 * distinctSubjectNames (a tree of artifacts, as in-toto names products).
 */
function subjectName(file: string): string {
  return basename(file);
}

/** The stream, counted for a progress display when one is listening. */
function withProgress(stream: Readable, label: string, total: number, onBytes: ByteProgress | undefined): Readable {
  if (!onBytes) return stream;
  const counted = countingStream(label, total, onBytes);
  stream.on('error', (e: Error) => counted.destroy(e));
  return stream.pipe(counted);
}

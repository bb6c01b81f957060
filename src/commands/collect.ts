import type { ByteProgress } from '../fs/progress.js';
import { withProgress } from '../fs/progress-stream.js';
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { expandPattern } from '../fs/glob.js';
import { writeBundle } from '../core/bundle-writer.js';
import { HASH_READ_CHUNK } from '../core/hash-stream.js';
import { serializeManifest, type Manifest, type Source, type Subject } from '../core/manifest.js';
import { attestationCollector } from '../collector/attestation.js';
import { resolveAsOf } from '../collector/as-of.js';
import { doraCollector } from '../collector/dora.js';
import { changesCollector } from '../collector/changes.js';
import { clientFor, githubToken } from '../transport/github/client.js';
import type { RetryOptions } from '../transport/http/retry.js';
import { githubChangeHost } from '../transport/github/changes.js';
import { parseRepo, repoFromRemote } from '../transport/github/errors.js';
import { runGit } from '../collector/git.js';
import { prometheusClient } from '../transport/prometheus.js';
import { sloCollector } from '../collector/slo.js';
import type { IdentityPolicy } from '../verifier/identity-policy.js';
import { readKeys } from '../load/keys.js';
import { resolveTrustRoots } from '../load/trust.js';
import { CollectError } from '../collector/errors.js';
import type { Env } from '../core/env.js';
import { detectSource } from '../collector/source.js';
import { hashSubjects, type SubjectFile } from '../collector/subjects.js';
import { assertOutputFolder, writeAtomically } from '../fs/atomic.js';
import { loadConfig, type EvidenceConfig } from '../load/config.js';
import {
  collectorFor,
  dedupe,
  displayPath,
  doraPlan,
  changesPlan,
  evidencePatterns,
  nameSubjects,
  requirePrometheus,
  requireSomething,
  subjectPatterns,
  type ConfiguredCollectors,
  type EvidenceInputs,
  type PlannedInput,
} from '../collector/plan.js';
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
} from '../collector/manifest-assembly.js';
import { signManifest } from '../signer/sign-manifest.js';
import { withVulnerabilityOutputs } from '../collector/vulnerabilities.js';
import { makeSigner, writeDetached, type SignOptions, type SignResult } from './sign.js';

export interface CollectOptions extends EvidenceInputs {
  cwd: string;
  env?: Env;
  /** The bundle to write (.tar.gz). */
  output?: string;
  name?: string;
  version?: string;
  /**
   * Container images (oci://REF:TAG or @sha256:…) released with this bundle: their manifest digests become subjects.
   */
  subjectImage?: string[];
  /** How to reach the registries of subjectImage. */
  registry?: import('./oci.js').RegistryOptions;
  /** Who must have signed those attestations. */
  identity?: IdentityPolicy;
  trustedRoot?: string[];
  /** Public keys for attestations signed with a key. */
  attestationKey?: string[];
  prometheus?: string;
  /** `Name: value`, sent to Prometheus, never stored. */
  prometheusHeader?: string[];
  /** Told of the bytes of each file stored as it is written into the bundle, for a progress display. */
  onBytes?: ByteProgress;
  /** Silence allowed before a request (Prometheus, a registry) fails; default 30 s. */
  timeoutMs?: number;
  /** GitHub (for --changes with a repository): the API URL, for GitHub Enterprise Server. */
  apiUrl?: string;
  retry?: RetryOptions;
  /** What a retry or a slow server is worth saying, as it happens. */
  onNotice?: (message: string) => void;
  /** The instant snapshots are evaluated at (RFC 3339). */
  asOf?: string;
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

/**
 * Gathers evidence files and release subjects into a bundle. Every input is
 * validated before anything is written; the bundle appears whole or not at all.
 */
export async function collect(options: CollectOptions): Promise<CollectResult> {
  const settings = await resolveSettings(options);
  // The signer first: a missing token or key fails before any work.
  const signer = options.sign ? await makeSigner({ ...options.sign, cwd: settings.cwd }, settings.env) : undefined;
  const { cwd, cfg, cfgDir, env } = settings;
  const planned = await expandInputs(options, settings);
  const chosen = await prepareCollectors(options, settings, planned);
  const subjectFiles = nameSubjects(await expandAll(subjectPatterns(options, cfg, cwd, cfgDir)));
  const inputs = dedupe(planned);
  requireSomething(inputs.length, subjectFiles.length, (options.subjectImage ?? []).length);

  const outputs = withVulnerabilityOutputs(
    await runCollectors(inputs, chosen, options),
    {
      name: settings.name,
      version: settings.version,
      products: [...(settings.cfg?.products ?? []), ...(options.product ?? [])],
    },
    settings.created,
    options.now?.() ?? new Date(),
  );
  const { entries, blobs } = manifestEntries(outputs, (input, size) =>
    withProgress(createReadStream(input.file, { highWaterMark: HASH_READ_CHUNK }), input.label, size, options.onBytes),
  );
  const subjects = await gatherSubjects(subjectFiles, options, env);
  const source = manifestSource(await detectSource(cwd, env), cfg?.source, options.source);
  const { name, version, output, created } = settings;
  const manifest = assembleManifest({ name, version, created, source, entries, subjects });

  const manifestBytes = serializeManifest(manifest);
  const signed = signer
    ? await signManifest(signer, manifest, manifestBytes, await standardSources(manifest, blobs), {
        env,
        noStandard: options.sign?.noStandard === true,
      })
    : undefined;
  options.onProgress?.({ phase: 'writing', output });
  await writeAtomically(output, options.force ?? false, (out) =>
    writeBundle(
      {
        manifest,
        manifestBytes,
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
  const { name, version, output } = requireBundleSettings({
    name: options.name ?? cfg?.name,
    version: options.version ?? cfg?.version,
    output: options.output ?? (cfg?.output ? resolve(cfgDir, cfg.output) : undefined),
  });
  const absolute = resolve(cwd, output);
  await assertOutputFolder(absolute);
  return { env, cwd, cfg, cfgDir, name, version, output: absolute, created: createdTime(env, options.now) };
}

/**
 * Every evidence file the config and the flags name, globs expanded, in order (DORA's deployments file comes later).
 */
async function expandInputs(options: CollectOptions, settings: Settings): Promise<PlannedInput[]> {
  const { cwd, cfg, cfgDir } = settings;
  const planned: PlannedInput[] = [];
  for (const { collector, pattern, base, kind } of evidencePatterns(options, cfg, cwd, cfgDir)) {
    for (const file of await expand(pattern, base))
      planned.push({ collector, file, label: displayPath(file, cwd), ...(kind ? { kind } : {}) });
  }
  return planned;
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
  requirePrometheus(planned, prometheusUrl);
  const { prometheusHeader: headers = [], timeoutMs } = options;
  const prometheus = prometheusUrl
    ? prometheusClient({ url: prometheusUrl, headers, ...(timeoutMs ? { timeoutMs } : {}) })
    : undefined;
  const sloLive = prometheus ? sloCollector({ source: { kind: 'live', prometheus }, asOf }) : undefined;
  const sloSaved = sloCollector({ source: { kind: 'snapshot' }, asOf });
  const d = options.dora ? doraPlan(options.dora, cwd, asOf, env) : undefined;
  const dora = d ? doraCollector(d.options) : undefined;
  if (d) planned.push(d.deployments);
  const c = options.changes ? changesPlan(options.changes, cwd, env) : undefined;
  if (c) planned.push(c.input);
  if (c && options.changes?.githubRepo) {
    // `remote`: the repository the working copy's origin points at, on github.com or the --api-url's host.
    const apiHost = new URL(options.apiUrl ?? env.GITHUB_API_URL ?? 'https://api.github.com').hostname;
    const where =
      options.changes.githubRepo === 'remote'
        ? repoFromRemote(
            await runGit(c.options.gitDir, ['remote', 'get-url', 'origin'], { env }),
            apiHost === 'api.github.com' ? 'github.com' : apiHost,
          )
        : parseRepo(options.changes.githubRepo);
    const client = clientFor(where, options, env, githubToken(env), (m) => options.onNotice?.(m));
    c.options.host = githubChangeHost(client);
    // When GitHub was asked: the real instant, not --as-of (which dates snapshots of metrics).
    c.options.now = options.now?.() ?? new Date();
  }
  const attestation = planned.some((p) => p.collector === 'attestation')
    ? attestationCollector({
        roots: await resolveTrustRoots(cwd, options.trustedRoot, env),
        keys: await readKeys(cwd, options.attestationKey),
        policy: options.identity ?? {},
      })
    : undefined;
  return { sloLive, sloSaved, dora, attestation, ...(c ? { changes: changesCollector(c.options) } : {}) };
}

/** Each input through its collector, one after another. */
async function runCollectors(
  inputs: PlannedInput[],
  chosen: ConfiguredCollectors,
  options: CollectOptions,
): Promise<CollectedInput[]> {
  const outputs: CollectedInput[] = [];
  for (const input of inputs) {
    const collector = collectorFor(input, chosen);
    const out = await collector.collect({
      file: input.file,
      label: input.label,
      ...(input.kind ? { kind: input.kind } : {}),
    });
    outputs.push({ input, out, collector });
    options.onProgress?.({ phase: 'evidence', done: outputs.length, total: inputs.length, label: input.label });
  }
  return outputs;
}

/** The subject files hashed, then the container images' digests, sorted by name. */
async function gatherSubjects(subjectFiles: SubjectFile[], options: CollectOptions, env: Env): Promise<Subject[]> {
  let hashed = 0;
  const subjects = await hashSubjects(subjectFiles, {
    onDone: (s) =>
      options.onProgress?.({ phase: 'subjects', done: ++hashed, total: subjectFiles.length, label: s.name }),
  });
  if (!options.subjectImage?.length) return subjects;
  const { imageSubject } = await import('./oci.js');
  for (const image of options.subjectImage)
    addImageSubject(
      subjects,
      await imageSubject({ env, image, ...(options.registry ? { registry: options.registry } : {}) }),
      image,
    );
  return sortSubjects(subjects);
}

/** Each pattern's files, in order. */
async function expandAll(patterns: { pattern: string; base: string }[]): Promise<string[]> {
  const files: string[] = [];
  for (const { pattern, base } of patterns) for (const file of await expand(pattern, base)) files.push(file);
  return files;
}

/** The files a pattern names; a glob must match one at least. */
async function expand(pattern: string, base: string): Promise<string[]> {
  const found = await expandPattern(pattern, base);
  if (found.length === 0)
    throw new CollectError('GLOB_NO_MATCH', `${pattern}: matches no file (in ${base})`, { file: pattern });
  return found;
}

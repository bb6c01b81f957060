import { maxOf } from '../core/objects.js';
import { basename, isAbsolute, relative, resolve } from 'node:path';
import type { Env } from '../core/env.js';
import { parseDuration } from './as-of.js';
import type { Collector } from './collector.js';
import type { ChangesOptions } from './changes.js';
import type { DoraOptions } from './dora.js';
import { CollectError } from './errors.js';
import { collectors, type CollectorName } from './index.js';
import type { SubjectFile } from './subjects.js';

/**
 * What `collect` decides before reading a file: which patterns each
 * collector takes, from where, in which order, and how subjects are named.
 * The globbing and reading are the command's.
 */

/** The evidence and subjects `collect` is given by flags. */
export interface EvidenceInputs {
  sbom?: string[];
  sarif?: string[];
  junit?: string[];
  coverage?: string[];
  k6?: string[];
  terraformPlan?: string[];
  /** Directories of SQL migrations. */
  migrations?: string[];
  /** Scanners' own reports: Grype, Trivy, OSV-Scanner, npm audit, OWASP ZAP (JSON). */
  scan?: string[];
  /** VEX documents: OpenVEX 0.2.0, CSAF 2.0 VEX, CycloneDX VEX. */
  vex?: string[];
  /** CISA's Known Exploited Vulnerabilities catalog (JSON). */
  kev?: string[];
  /** Purls the release is known as, beside pkg:generic/NAME@VERSION (VEX products). */
  product?: string[];
  /** `PATH[=KIND]`. */
  file?: string[];
  subject?: string[];
  /** Existing Sigstore bundles to take in, verified first. */
  attestation?: string[];
  /** SLO definitions (Sloth or OpenSLO), evaluated against Prometheus. */
  slo?: string[];
  /** Saved SLO snapshots, for jobs that cannot reach Prometheus. */
  sloSnapshot?: string[];
  /** DORA snapshot from git and deployment history. */
  dora?: DoraInputs;
  /** Every change of a range of git history (docs/changes.md). */
  changes?: ChangesInputs;
}

export interface ChangesInputs {
  git: string;
  /** `FROM..TO` or `auto`. */
  range: string;
  allowedSigners?: string;
  emergencyTrailer?: string[];
  /** Ask GitHub how each change landed: OWNER/NAME. */
  githubRepo?: string;
  /** The branch whose rules are read (default: the repository's default branch). */
  githubBranch?: string;
  emergencyLabel?: string[];
}

export interface DoraInputs {
  git: string;
  deployments: string;
  incidents?: string;
  environment?: string;
  window?: string;
  incidentLabel?: string;
}

/** What evidence.yaml declares of the same (its paths relative to the config's folder). */
export interface EvidenceConfigInputs {
  sbom?: string[];
  sarif?: string[];
  junit?: string[];
  coverage?: string[];
  k6?: string[];
  terraformPlan?: string[];
  migrations?: string[];
  scan?: string[];
  vex?: string[];
  kev?: string[];
  files?: (string | { path: string; kind: string })[];
  subjects?: string[];
  slo?: string[];
}

export type InputCollector = CollectorName | 'attestation' | 'slo' | 'slo-snapshot' | 'dora' | 'changes';

export interface PlannedInput {
  collector: InputCollector;
  file: string;
  label: string;
  kind?: string;
}

/** A pattern to expand (from `base`) into inputs of one collector. */
export interface PlannedPattern {
  collector: InputCollector;
  pattern: string;
  base: string;
  kind?: string;
}

/** Every evidence pattern the config and the flags name, in order (DORA's deployments file comes later). */
export function evidencePatterns(
  flags: EvidenceInputs,
  cfg: EvidenceConfigInputs | undefined,
  cwd: string,
  cfgDir: string,
): PlannedPattern[] {
  const planned: PlannedPattern[] = [];
  const plan = (collector: InputCollector, patterns: string[], base: string, kind?: string): void => {
    for (const pattern of patterns) planned.push({ collector, pattern, base, ...(kind ? { kind } : {}) });
  };
  for (const [collector, fromFlags, fromConfig] of [
    ['sbom', flags.sbom, cfg?.sbom],
    ['sarif', flags.sarif, cfg?.sarif],
    ['junit', flags.junit, cfg?.junit],
    ['coverage', flags.coverage, cfg?.coverage],
    ['k6', flags.k6, cfg?.k6],
    ['terraform', flags.terraformPlan, cfg?.terraformPlan],
    ['migrations', flags.migrations, cfg?.migrations],
    ['scan', flags.scan, cfg?.scan],
    ['vex', flags.vex, cfg?.vex],
    ['kev', flags.kev, cfg?.kev],
  ] as const) {
    plan(collector, fromConfig ?? [], cfgDir);
    plan(collector, fromFlags ?? [], cwd);
  }
  for (const f of cfg?.files ?? []) {
    const { path, kind } = typeof f === 'string' ? splitKind(f) : f;
    plan('file', [path], cfgDir, kind);
  }
  for (const f of flags.file ?? []) {
    const { path, kind } = splitKind(f);
    plan('file', [path], cwd, kind);
  }
  plan('attestation', flags.attestation ?? [], cwd);
  plan('slo', [...(cfg?.slo ?? []).map((p) => resolve(cfgDir, p)), ...(flags.slo ?? [])], cwd);
  plan('slo-snapshot', flags.sloSnapshot ?? [], cwd);
  return planned;
}

/** The subject patterns the config and the flags name, each with where it is expanded from. */
export function subjectPatterns(
  flags: EvidenceInputs,
  cfg: EvidenceConfigInputs | undefined,
  cwd: string,
  cfgDir: string,
): { pattern: string; base: string }[] {
  return [
    ...(cfg?.subjects ?? []).map((pattern) => ({ pattern, base: cfgDir })),
    ...(flags.subject ?? []).map((pattern) => ({ pattern, base: cwd })),
  ];
}

/** The subject files, each named by subjectName, then told apart by distinctSubjectNames. */
export function nameSubjects(files: string[]): SubjectFile[] {
  return distinctSubjectNames(files.map((file) => ({ file, name: subjectName(file) })));
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
    const members = [...group];
    const longest = maxOf(members.map(segmentCount));
    for (let k = 2; k <= longest; k++) {
      const names = members.map((file) => lastSegments(file, k));
      if (new Set(names).size === names.length) {
        members.forEach((file, i) => renamed.set(file, names[i] as string));
        break;
      }
    }
  }
  return files.map((f) => ({ ...f, name: renamed.get(f.file) ?? f.name }));
}

const isSeparator = (c: number): boolean => c === 47 /* / */ || c === 92; /* \ */

/** How many segments `file.split(/[\\/]+/).filter(Boolean)` has, without making them (a tree of 100,000 files). */
function segmentCount(file: string): number {
  let n = 0;
  for (let i = 0; i < file.length; i++)
    if (!isSeparator(file.charCodeAt(i)) && (i === 0 || isSeparator(file.charCodeAt(i - 1)))) n++;
  return n;
}

/** `file.split(/[\\/]+/).filter(Boolean).slice(-k).join('/')`, made from the end: only the k segments it keeps. */
function lastSegments(file: string, k: number): string {
  const kept: string[] = [];
  let end = file.length;
  for (let i = file.length - 1; i >= -1 && kept.length < k; i--) {
    if (i >= 0 && !isSeparator(file.charCodeAt(i))) continue;
    if (end > i + 1) kept.push(file.slice(i + 1, end));
    end = i;
  }
  return kept.reverse().join('/');
}

/**
 * A subject is named by its file name, as a release asset is: that is all a
 * consumer who downloaded it has. Files that share a name are told apart by
 * distinctSubjectNames (a tree of artifacts, as in-toto names products).
 */
export function subjectName(file: string): string {
  return basename(file);
}

/** `PATH[=KIND]` split; an `=` at the start is part of the path. */
export function splitKind(arg: string): { path: string; kind?: string } {
  const i = arg.lastIndexOf('=');
  if (i <= 0) return { path: arg };
  return { path: arg.slice(0, i), kind: arg.slice(i + 1) };
}

/** The inputs, each (collector, kind, file) once, in first-seen order. */
export function dedupe(inputs: PlannedInput[]): PlannedInput[] {
  const seen = new Set<string>();
  return inputs.filter((i) => {
    const key = `${i.collector}\0${i.kind ?? ''}\0${i.file}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A file as the user knows it: relative to cwd when inside it, otherwise absolute. */
export function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** Refuses a run with nothing to collect. */
export function requireSomething(inputs: number, subjectFiles: number, images: number): void {
  if (inputs === 0 && subjectFiles === 0 && images === 0) {
    throw new CollectError(
      'NO_EVIDENCE',
      'nothing to collect: give evidence (--sbom, --sarif, --scan, --junit, --coverage, --k6, --terraform-plan, --migrations, --slo, --dora, --changes, --file) or --subject',
    );
  }
}

/** Live SLOs need a Prometheus to ask. */
export function requirePrometheus(planned: PlannedInput[], prometheusUrl: string | undefined): void {
  if (planned.some((p) => p.collector === 'slo') && !prometheusUrl) {
    throw new CollectError(
      'CONFIG_INVALID',
      '--slo needs --prometheus URL (or --slo-snapshot FILE for a saved snapshot)',
    );
  }
}

/** DORA's collector settings, and its deployments file as an input; paths from cwd. */
export function doraPlan(
  d: DoraInputs,
  cwd: string,
  asOf: Date,
  env: Env,
): { options: DoraOptions; deployments: PlannedInput } {
  const options: DoraOptions = {
    gitDir: resolve(cwd, d.git),
    environment: d.environment ?? 'production',
    windowSeconds: parseDuration(d.window ?? '30d', '--window'),
    asOf,
    env,
    ...(d.incidents ? { incidents: resolve(cwd, d.incidents) } : {}),
    ...(d.incidentLabel ? { incidentLabel: d.incidentLabel } : {}),
  };
  const file = resolve(cwd, d.deployments);
  return { options, deployments: { collector: 'dora', file, label: displayPath(file, cwd) } };
}

/** The changes collector's settings, and the repository as its input; paths from cwd. */
export function changesPlan(c: ChangesInputs, cwd: string, env: Env): { options: ChangesOptions; input: PlannedInput } {
  const gitDir = resolve(cwd, c.git);
  const options: ChangesOptions = {
    gitDir,
    range: c.range,
    env,
    ...(c.allowedSigners ? { allowedSigners: resolve(cwd, c.allowedSigners) } : {}),
    ...(c.emergencyTrailer?.length ? { emergencyTrailers: c.emergencyTrailer } : {}),
    ...(c.emergencyLabel?.length ? { emergencyLabels: c.emergencyLabel } : {}),
    ...(c.githubBranch ? { branch: c.githubBranch } : {}),
  };
  return {
    options,
    input: { collector: 'changes', file: gitDir, label: `${c.range} in ${displayPath(gitDir, cwd) || '.'}` },
  };
}

/** The collectors that need settings of their own; each is made only where an input needs it. */
export interface ConfiguredCollectors {
  sloLive: Collector | undefined;
  sloSaved: Collector;
  dora: Collector | undefined;
  changes?: Collector | undefined;
  attestation: Collector | undefined;
}

/** The collector an input goes through. */
export function collectorFor(input: PlannedInput, chosen: ConfiguredCollectors): Collector {
  const { attestation, sloLive, sloSaved, dora, changes } = chosen;
  return input.collector === 'attestation'
    ? (attestation as Collector)
    : input.collector === 'slo'
      ? (sloLive as Collector)
      : input.collector === 'slo-snapshot'
        ? sloSaved
        : input.collector === 'dora'
          ? (dora as Collector)
          : input.collector === 'changes'
            ? (changes as Collector)
            : collectors[input.collector];
}

import { appendAll } from '../core/objects.js';
import { parseRfc3339 } from '../formats/time.js';
import { gitHead, listCommits, resolveShas, type Repo } from './dora-git.js';
import type { Env } from '../core/env.js';
import { issuesInline, zodIssues, safeParseBounded } from '../core/issues.js';
import * as z from 'zod';
import { canonicalBytes } from '../core/canonical-json.js';
import { sha256Hex } from '../core/digest.js';
import { parseJsonShallow } from '../core/strict-json.js';
import { PACKAGE_VERSION } from '../version.js';
import { MAX_DURATION_DAYS } from './as-of.js';
import {
  generatedOutput,
  readInput,
  stripBom,
  type Collector,
  type CollectorInput,
  type CollectorOutput,
} from './collector.js';
import { CollectError, type InputIssue } from './errors.js';
import {
  assignCommits,
  doraSummary,
  doraWindow,
  incidentDetails,
  incidentsKnownAt,
  iso,
  leadTimeDetails,
  linkIncidents,
  selectDeployments,
  type Deployment,
  type DeploymentSets,
  type DoraWindow,
  type HistoryCommit,
  type Incident,
} from './dora-metrics.js';

export const DORA_MEDIA_TYPE = 'application/vnd.evidence.dora+json';
export const DORA_DETAIL_FORMAT = 'evidence-dora/1';

export interface DoraOptions {
  /** The repository whose history the deployed shas are looked up in. */
  gitDir: string;
  /** Incidents file (JSON Lines or GitHub issues JSON); without it, no change failure rate or time to restore. */
  incidents?: string;
  /** The environment whose deployments are measured (`production`). */
  environment: string;
  /** The window that ends at `asOf`, in seconds. */
  windowSeconds: number;
  /** The one instant the snapshot is evaluated at. */
  asOf: Date;
  /** GitHub issues count as incidents only with this label; default `incident`. */
  incidentLabel?: string;
  /** The environment git runs in (default: empty, so git finds itself on this process's PATH). */
  env?: Env;
}

/**
 * DORA's four keys for one environment at one instant, from a deployments
 * file (the collector's input), the git history and optionally an incidents
 * file. The blob stored is a canonical JSON snapshot of every figure's
 * workings; the semantics are in docs/metrics.md ("DORA").
 */
export function doraCollector(options: DoraOptions): Collector {
  return {
    name: 'dora',
    version: PACKAGE_VERSION,
    collect: (input) => collectDora(options, input),
  };
}

// ---------------------------------------------------------------- inputs

const SHA_RE = /^[0-9a-fA-F]{7,40}$/;

const shaSchema = z
  .string()
  .regex(SHA_RE, 'must be a commit sha of 7 to 40 hexadecimal digits')
  .transform((s) => s.toLowerCase());
const timeSchema = z.string().transform((s, ctx) => {
  const ms = parseRfc3339(s);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `'${s}' is not an RFC 3339 time such as 2026-11-22T12:00:00Z` });
    return z.NEVER;
  }
  return ms;
});

const jsonlDeploymentSchema = z.object({
  sha: shaSchema,
  environment: z.string().min(1),
  status: z.enum(['success', 'failure']),
  time: timeSchema,
});

const githubStatusSchema = z.object({ state: z.string(), created_at: timeSchema });
const githubDeploymentSchema = z.object({
  sha: shaSchema,
  environment: z.string().min(1),
  created_at: timeSchema,
  statuses: z.array(githubStatusSchema),
});

const jsonlIncidentSchema = z.object({
  id: z.union([z.string().min(1), z.number()]),
  opened: timeSchema,
  resolved: timeSchema.nullish(),
  sha: shaSchema.nullish(),
});

const githubIssueSchema = z.object({
  number: z.number().int(),
  created_at: timeSchema,
  closed_at: timeSchema.nullish(),
  labels: z.array(z.union([z.string(), z.object({ name: z.string() })])),
  body: z.string().nullish(),
});

type Format = 'jsonl' | 'github';

/** JSON Lines unless the content is a JSON array (the GitHub API's output). */
function detectFormat(text: string): Format {
  return text.trimStart().startsWith('[') ? 'github' : 'jsonl';
}

/** Each non-blank line of a JSON Lines file, parsed and validated; every bad line becomes an issue. */
function parseJsonLines<T>(text: string, schema: z.ZodType<T>, issues: InputIssue[]): { line: number; value: T }[] {
  const out: { line: number; value: T }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] as string).trim();
    if (raw === '') continue;
    const where = `line ${i + 1}`;
    let json: unknown;
    try {
      json = parseJsonShallow(raw);
    } catch (e) {
      issues.push({ path: where, message: `not valid JSON (${(e as Error).message})` });
      continue;
    }
    const r = safeParseBounded(schema, json);
    if (r.success) out.push({ line: i + 1, value: r.data });
    else issues.push({ path: where, message: issuesInline(zodIssues(r.error)) });
  }
  return out;
}

function parseJsonArray<T>(
  text: string,
  schema: z.ZodType<T>,
  label: string,
  what: string,
  issues: InputIssue[],
): { at: string; value: T }[] {
  let json: unknown;
  try {
    json = parseJsonShallow(text);
  } catch (e) {
    throw new CollectError('DORA_INPUT_INVALID', `${label}: not valid JSON (${(e as Error).message})`, {
      file: label,
      cause: e,
    });
  }
  if (!Array.isArray(json))
    throw new CollectError('DORA_INPUT_INVALID', `${label}: expected an array of ${what}`, { file: label });
  // `gh api --paginate --slurp` gives an array of pages.
  const items: { at: string; item: unknown }[] =
    json.length > 0 && json.every((page) => Array.isArray(page))
      ? (json as unknown[][]).flatMap((page, p) => page.map((item, i) => ({ at: `$[${p}][${i}]`, item })))
      : json.map((item: unknown, i) => ({ at: `$[${i}]`, item }));
  const out: { at: string; value: T }[] = [];
  for (const { at, item } of items) {
    const r = safeParseBounded(schema, item);
    if (r.success) out.push({ at, value: r.data });
    else appendAll(issues, zodIssues(r.error, at));
  }
  return out;
}

function parseDeployments(text: string, format: Format, label: string): Deployment[] {
  const issues: InputIssue[] = [];
  let out: Deployment[];
  if (format === 'jsonl') {
    out = parseJsonLines(text, jsonlDeploymentSchema, issues).map(({ line, value }, index) => ({
      source: `line ${line}`,
      index,
      sha: value.sha,
      environment: value.environment,
      status: value.status,
      time: value.time,
    }));
  } else {
    out = parseJsonArray(text, githubDeploymentSchema, label, 'deployments', issues).map(({ at, value }, index) => {
      // The latest status decides; `inactive` is skipped because GitHub adds it
      // to earlier successful deployments when a newer one succeeds.
      const latest = value.statuses
        .map((s, order) => ({ ...s, order }))
        .filter((s) => s.state !== 'inactive')
        .sort((a, b) => b.created_at - a.created_at || a.order - b.order)[0];
      const status =
        latest?.state === 'success'
          ? 'success'
          : latest?.state === 'failure' || latest?.state === 'error'
            ? 'failure'
            : 'other';
      return {
        source: at,
        index,
        sha: value.sha,
        environment: value.environment,
        status,
        time: latest?.created_at ?? value.created_at,
      };
    });
  }
  if (issues.length > 0)
    throw new CollectError(
      'DORA_INPUT_INVALID',
      `${label}: not a valid deployments file (${format === 'jsonl' ? 'JSON Lines' : 'GitHub deployments JSON'})`,
      { file: label, issues },
    );
  return out;
}

const BODY_SHA_RE = /^[ \t]*(?:sha|caused-by)[ \t]*:[ \t]*([0-9a-fA-F]{7,40})\b/im;

function parseIncidents(text: string, format: Format, label: string, incidentLabel: string): Incident[] {
  const issues: InputIssue[] = [];
  let out: Incident[];
  if (format === 'jsonl') {
    out = parseJsonLines(text, jsonlIncidentSchema, issues).map(({ line, value }) => ({
      source: `line ${line}`,
      id: String(value.id),
      opened: value.opened,
      resolved: value.resolved ?? null,
      sha: value.sha ?? null,
    }));
  } else {
    out = parseJsonArray(text, githubIssueSchema, label, 'issues', issues)
      .filter(({ value }) => value.labels.some((l) => (typeof l === 'string' ? l : l.name) === incidentLabel))
      .map(({ at, value }) => {
        const sha = value.body ? (BODY_SHA_RE.exec(value.body)?.[1]?.toLowerCase() ?? null) : null;
        return {
          source: at,
          id: String(value.number),
          opened: value.created_at,
          resolved: value.closed_at ?? null,
          sha,
        };
      });
  }
  for (const i of out) {
    if (i.resolved !== null && i.resolved < i.opened)
      issues.push({ path: i.source, message: `incident ${i.id} is resolved before it was opened` });
  }
  if (issues.length > 0)
    throw new CollectError(
      'DORA_INPUT_INVALID',
      `${label}: not a valid incidents file (${format === 'jsonl' ? 'JSON Lines' : 'GitHub issues JSON'})`,
      { file: label, issues },
    );
  return out;
}

// ---------------------------------------------------------------- reading

interface DeploymentsRead {
  bytes: Buffer;
  format: Format;
  all: Deployment[];
}

/** The deployments file: its bytes (for the snapshot's digest), its format and its deployments. */
async function readDeployments(input: CollectorInput): Promise<DeploymentsRead> {
  const deploymentBytes = await readInput(input);
  const deploymentText = stripBom(deploymentBytes.toString('utf8'));
  const deploymentFormat = detectFormat(deploymentText);
  const all = parseDeployments(deploymentText, deploymentFormat, input.label);
  return { bytes: deploymentBytes, format: deploymentFormat, all };
}

interface IncidentsRead {
  /** Null without an incidents file. */
  input: { sha256: string; format: Format } | null;
  incidents: Incident[];
}

/** The incidents file, if one is given. */
async function readIncidents(file: string | undefined, incidentLabel: string): Promise<IncidentsRead> {
  let incidentsInput: { sha256: string; format: Format } | null = null;
  let incidents: Incident[] = [];
  if (file !== undefined) {
    const label = file;
    const bytes = await readInput({ file, label });
    const text = stripBom(bytes.toString('utf8'));
    const format = detectFormat(text);
    incidents = parseIncidents(text, format, label, incidentLabel);
    incidentsInput = { sha256: sha256Hex(bytes), format };
  }
  return { input: incidentsInput, incidents };
}

// ---------------------------------------------------------------- git

/**
 * Looks every sha that matters up in git at once, setting each deployment's
 * and incident's full `commit`, and lists the history the window shipped.
 * The history is listed while the shas are checked; it is used only if they
 * all are commits.
 */
async function lookUpInGit(
  repo: Repo,
  sets: DeploymentSets,
  incidents: Incident[],
  labels: { deployments: string; incidents: string },
): Promise<HistoryCommit[]> {
  const gitDir = repo.dir;
  const { shipped, windowed, before } = sets;
  const issues: InputIssue[] = [];
  const names = [...new Set([...shipped.map((d) => d.sha), ...incidents.flatMap((i) => (i.sha ? [i.sha] : []))])];
  const resolving = resolveShas(repo, names);
  const listing = listCommits(repo, [...new Set(windowed.map((d) => d.sha))], [...new Set(before.map((d) => d.sha))]);
  listing.catch(() => {});
  const resolved = await resolving;
  const lookUp = (thing: { sha: string; source: string; commit?: string }, file: string): void => {
    const r = resolved.get(thing.sha);
    if (r === undefined)
      issues.push({ path: `${file} ${thing.source}`, message: `sha ${thing.sha} is not a commit in ${gitDir}` });
    else if (r === 'ambiguous')
      issues.push({
        path: `${file} ${thing.source}`,
        message: `sha ${thing.sha} is ambiguous in ${gitDir}; give more digits`,
      });
    else thing.commit = r;
  };
  for (const d of shipped) lookUp(d, labels.deployments);
  for (const i of incidents) if (i.sha) lookUp(i as Incident & { sha: string }, labels.incidents);
  if (issues.length > 0)
    throw new CollectError('DORA_INPUT_INVALID', `${labels.deployments}: shas that are not commits in ${gitDir}`, {
      file: labels.deployments,
      issues,
    });
  return listing;
}

// ---------------------------------------------------------------- snapshot

async function collectDora(options: DoraOptions, input: CollectorInput): Promise<CollectorOutput> {
  const { gitDir, environment, windowSeconds } = options;
  if (!(windowSeconds > 0))
    throw new CollectError('DURATION_INVALID', `DORA window must be longer than zero (got ${windowSeconds} s)`);
  // A window must start at a real date: one longer than a century says nothing a release shows, and past about
  // 273,000 years its start is no date at all (it was an INTERNAL_ERROR).
  if (!(windowSeconds <= MAX_DURATION_DAYS * 86_400))
    throw new CollectError(
      'DURATION_INVALID',
      `DORA window (--window) may be at most ${MAX_DURATION_DAYS}d (got ${windowSeconds} s)`,
    );
  if (environment === '') throw new CollectError('DORA_INPUT_INVALID', 'DORA environment must not be empty');
  const window = doraWindow(options.asOf, windowSeconds);
  const incidentLabel = options.incidentLabel ?? 'incident';

  // git starts on the repository while the inputs are read.
  const repo: Repo = { dir: gitDir, env: options.env ?? {} };
  const heading = gitHead(repo);
  heading.catch(() => {}); // awaited below, unless an input is refused first

  const deployments = await readDeployments(input);
  const read = await readIncidents(options.incidents, incidentLabel);
  const head = await heading;

  const sets = selectDeployments(deployments.all, environment, window);
  const incidents = incidentsKnownAt(read.incidents, window.asOf);
  const commits = await lookUpInGit(repo, sets, incidents, {
    deployments: input.label,
    incidents: options.incidents ?? '',
  });

  const { windowed } = sets;
  const { shippedBy, ownerOf } = assignCommits(windowed, commits);
  const { linked, incidentDeployment } = linkIncidents(incidents, windowed, ownerOf);
  const lead = leadTimeDetails(windowed, shippedBy, linked);
  const summary = doraSummary({
    window,
    environment,
    windowSeconds,
    deployments: windowed.length,
    leadTimes: lead.leadTimes,
    linked,
    incidents,
    incidentsGiven: read.input !== null,
  });

  const detail = {
    format: DORA_DETAIL_FORMAT,
    inputs: {
      deployments: { sha256: sha256Hex(deployments.bytes), format: deployments.format },
      incidents: read.input,
      git: { head },
    },
    parameters: doraParameters(
      window,
      environment,
      windowSeconds,
      read.input?.format === 'github' ? incidentLabel : undefined,
    ),
    deployments: lead.deployments,
    earlierDeployments: sets.before.length,
    failureStatusDeployments: sets.failedStatus.map((d) => ({ source: d.source, sha: d.sha, time: iso(d.time) })),
    incidents: incidentDetails(incidents, windowed, incidentDeployment, window),
    summary,
  };
  return generatedOutput(canonicalBytes(detail), 'dora.json', 'dora', DORA_MEDIA_TYPE, summary);
}

/** The parameters the snapshot was taken with; the incident label only where it was used (GitHub issues). */
function doraParameters(
  window: DoraWindow,
  environment: string,
  windowSeconds: number,
  incidentLabel: string | undefined,
) {
  return {
    asOf: iso(window.asOf),
    environment,
    windowSeconds,
    windowStart: iso(window.from),
    ...(incidentLabel !== undefined ? { incidentLabel } : {}),
  };
}

export { frequencyBand, percentileCont } from './dora-metrics.js';
export { parseRfc3339 };

import { parseRfc3339 } from '../formats/time.js';
import { gitHead, listCommits, resolveShas, type Repo } from './dora-git.js';
import type { Env } from './git.js';
import { issuesInline, zodIssues } from '../core/issues.js';
import { z } from 'zod';
import { canonicalBytes } from '../core/canonical-json.js';
import { sha256Hex } from '../core/digest.js';
import type { DoraSummary } from '../core/summaries.js';
import { PACKAGE_VERSION } from '../version.js';
import { generatedOutput, readInput, stripBom, type Collector, type CollectorInput, type CollectorOutput } from './collector.js';
import { CollectError, type InputIssue } from './errors.js';

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

const DAY = 86400;
const SHA_RE = /^[0-9a-fA-F]{7,40}$/;

const shaSchema = z.string().regex(SHA_RE, 'must be a commit sha of 7 to 40 hexadecimal digits').transform((s) => s.toLowerCase());
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

interface Deployment {
  /** Where it came from: `line 3` or `$[2]`. */
  source: string;
  /** Position in the file, for a stable order among equal times. */
  index: number;
  sha: string;
  environment: string;
  status: 'success' | 'failure' | 'other';
  time: number;
  /** Full sha once looked up in git. */
  commit?: string;
}

interface Incident {
  source: string;
  id: string;
  opened: number;
  resolved: number | null;
  sha: string | null;
  commit?: string;
}

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
      json = JSON.parse(raw);
    } catch (e) {
      issues.push({ path: where, message: `not valid JSON (${(e as Error).message})` });
      continue;
    }
    const r = schema.safeParse(json);
    if (r.success) out.push({ line: i + 1, value: r.data });
    else issues.push({ path: where, message: issuesInline(zodIssues(r.error)) });
  }
  return out;
}

function parseJsonArray<T>(text: string, schema: z.ZodType<T>, label: string, what: string, issues: InputIssue[]): { at: string; value: T }[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CollectError('DORA_INPUT_INVALID', `${label}: not valid JSON (${(e as Error).message})`, { file: label, cause: e });
  }
  if (!Array.isArray(json)) throw new CollectError('DORA_INPUT_INVALID', `${label}: expected an array of ${what}`, { file: label });
  // `gh api --paginate --slurp` gives an array of pages.
  const items: { at: string; item: unknown }[] =
    json.length > 0 && json.every((page) => Array.isArray(page))
      ? (json as unknown[][]).flatMap((page, p) => page.map((item, i) => ({ at: `$[${p}][${i}]`, item })))
      : json.map((item, i) => ({ at: `$[${i}]`, item }));
  const out: { at: string; value: T }[] = [];
  for (const { at, item } of items) {
    const r = schema.safeParse(item);
    if (r.success) out.push({ at, value: r.data });
    else issues.push(...zodIssues(r.error, at));
  }
  return out;
}

function parseDeployments(text: string, format: Format, label: string): Deployment[] {
  const issues: InputIssue[] = [];
  let out: Deployment[];
  if (format === 'jsonl') {
    out = parseJsonLines(text, jsonlDeploymentSchema, issues).map(({ line, value }, index) => ({ source: `line ${line}`, index, sha: value.sha, environment: value.environment, status: value.status, time: value.time }));
  } else {
    out = parseJsonArray(text, githubDeploymentSchema, label, 'deployments', issues).map(({ at, value }, index) => {
      // The latest status decides; `inactive` is skipped because GitHub adds it
      // to earlier successful deployments when a newer one succeeds.
      const latest = value.statuses
        .map((s, order) => ({ ...s, order }))
        .filter((s) => s.state !== 'inactive')
        .sort((a, b) => b.created_at - a.created_at || a.order - b.order)[0];
      const status = latest?.state === 'success' ? 'success' : latest?.state === 'failure' || latest?.state === 'error' ? 'failure' : 'other';
      return { source: at, index, sha: value.sha, environment: value.environment, status, time: latest?.created_at ?? value.created_at };
    });
  }
  if (issues.length > 0) throw new CollectError('DORA_INPUT_INVALID', `${label}: not a valid deployments file (${format === 'jsonl' ? 'JSON Lines' : 'GitHub deployments JSON'})`, { file: label, issues });
  return out;
}

const BODY_SHA_RE = /^[ \t]*(?:sha|caused-by)[ \t]*:[ \t]*([0-9a-fA-F]{7,40})\b/im;

function parseIncidents(text: string, format: Format, label: string, incidentLabel: string): Incident[] {
  const issues: InputIssue[] = [];
  let out: Incident[];
  if (format === 'jsonl') {
    out = parseJsonLines(text, jsonlIncidentSchema, issues).map(({ line, value }) => ({ source: `line ${line}`, id: String(value.id), opened: value.opened, resolved: value.resolved ?? null, sha: value.sha ?? null }));
  } else {
    out = parseJsonArray(text, githubIssueSchema, label, 'issues', issues)
      .filter(({ value }) => value.labels.some((l) => (typeof l === 'string' ? l : l.name) === incidentLabel))
      .map(({ at, value }) => {
        const sha = value.body ? BODY_SHA_RE.exec(value.body)?.[1]?.toLowerCase() ?? null : null;
        return { source: at, id: String(value.number), opened: value.created_at, resolved: value.closed_at ?? null, sha };
      });
  }
  for (const i of out) {
    if (i.resolved !== null && i.resolved < i.opened) issues.push({ path: i.source, message: `incident ${i.id} is resolved before it was opened` });
  }
  if (issues.length > 0) throw new CollectError('DORA_INPUT_INVALID', `${label}: not a valid incidents file (${format === 'jsonl' ? 'JSON Lines' : 'GitHub issues JSON'})`, { file: label, issues });
  return out;
}

// ---------------------------------------------------------------- figures

/**
 * The p-th percentile by linear interpolation between the closest ranks, as
 * the DORA team's Four Keys compute it (BigQuery's PERCENTILE_CONT): at
 * 0-based position p/100 · (m − 1) of the sorted values. The median of an
 * even count is the mean of the two middle values. Rounded to a millionth.
 */
export function percentileCont(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const position = (p / 100) * (sorted.length - 1);
  const below = Math.floor(position);
  const low = sorted[below] as number;
  const high = sorted[Math.min(below + 1, sorted.length - 1)] as number;
  // Rounded to a millionth, so that 216000 + 0.4 · 86400 is 250560 and not 250560.00000000003.
  return Math.round((low + (high - low) * (position - below)) * 1e6) / 1e6;
}

/** DORA Four Keys' deployment frequency bands, compared without rounding. */
export function frequencyBand(deployments: number, windowSeconds: number): DoraSummary['band'] {
  const perPeriod = (days: number): boolean => deployments * days * DAY >= windowSeconds;
  if (deployments === 0) return 'none';
  if (perPeriod(1)) return 'daily';
  if (perPeriod(7)) return 'weekly';
  if (perPeriod(30)) return 'monthly';
  return 'yearly';
}

/** RFC 3339 UTC: whole seconds unless there are milliseconds. */
function iso(ms: number): string {
  const s = new Date(ms).toISOString();
  return ms % 1000 === 0 ? `${s.slice(0, 19)}Z` : s;
}

const seconds = (ms: number): number => ms / 1000;

async function collectDora(options: DoraOptions, input: CollectorInput): Promise<CollectorOutput> {
  const { gitDir, environment, windowSeconds } = options;
  if (!(windowSeconds > 0)) throw new CollectError('DURATION_INVALID', `DORA window must be longer than zero (got ${windowSeconds} s)`);
  if (environment === '') throw new CollectError('DORA_INPUT_INVALID', 'DORA environment must not be empty');
  const asOf = Math.floor(options.asOf.getTime() / 1000) * 1000;
  const from = asOf - windowSeconds * 1000;
  const inWindow = (t: number): boolean => t > from && t <= asOf;
  const incidentLabel = options.incidentLabel ?? 'incident';

  // git starts on the repository while the inputs are read.
  const repo: Repo = { dir: gitDir, env: options.env ?? {} };
  const heading = gitHead(repo);
  heading.catch(() => {}); // awaited below, unless an input is refused first

  // Inputs.
  const deploymentBytes = await readInput(input);
  const deploymentText = stripBom(deploymentBytes.toString('utf8'));
  const deploymentFormat = detectFormat(deploymentText);
  const all = parseDeployments(deploymentText, deploymentFormat, input.label);
  let incidentsInput: { sha256: string; format: Format } | null = null;
  let incidents: Incident[] = [];
  if (options.incidents !== undefined) {
    const label = options.incidents;
    const bytes = await readInput({ file: options.incidents, label });
    const text = stripBom(bytes.toString('utf8'));
    const format = detectFormat(text);
    incidents = parseIncidents(text, format, label, incidentLabel);
    incidentsInput = { sha256: sha256Hex(bytes), format };
  }
  const head = await heading;

  // Successful deployments to the environment up to asOf, in time order (ties: file order).
  const byTime = (a: Deployment, b: Deployment): number => a.time - b.time || a.index - b.index;
  const shipped = all.filter((d) => d.environment === environment && d.status === 'success' && d.time <= asOf).sort(byTime);
  const failedStatus = all.filter((d) => d.environment === environment && d.status === 'failure' && inWindow(d.time)).sort(byTime);
  // Incidents known at asOf, in the order they were opened (ties: by id), whatever the file's order.
  incidents = incidents.filter((i) => i.opened <= asOf).sort((a, b) => a.opened - b.opened || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  // Look every sha that matters up in git at once.
  const issues: InputIssue[] = [];
  const names = [...new Set([...shipped.map((d) => d.sha), ...incidents.flatMap((i) => (i.sha ? [i.sha] : []))])];
  const windowed = shipped.filter((d) => inWindow(d.time));
  const before = shipped.filter((d) => !inWindow(d.time));
  // The history is listed while the shas are checked; it is used only if they all are commits.
  const resolving = resolveShas(repo, names);
  const listing = listCommits(repo, [...new Set(windowed.map((d) => d.sha))], [...new Set(before.map((d) => d.sha))]);
  listing.catch(() => {});
  const resolved = await resolving;
  const lookUp = (thing: { sha: string; source: string; commit?: string }, file: string): void => {
    const r = resolved.get(thing.sha);
    if (r === undefined) issues.push({ path: `${file} ${thing.source}`, message: `sha ${thing.sha} is not a commit in ${gitDir}` });
    else if (r === 'ambiguous') issues.push({ path: `${file} ${thing.source}`, message: `sha ${thing.sha} is ambiguous in ${gitDir}; give more digits` });
    else thing.commit = r;
  };
  for (const d of shipped) lookUp(d, input.label);
  for (const i of incidents) if (i.sha) lookUp(i as Incident & { sha: string }, options.incidents ?? '');
  if (issues.length > 0) throw new CollectError('DORA_INPUT_INVALID', `${input.label}: shas that are not commits in ${gitDir}`, { file: input.label, issues });

  // Which deployment first shipped each commit. Commits reachable from a
  // deployment before the window were shipped then; of the rest, a commit
  // belongs to the earliest deployment whose sha reaches it. In children-first
  // order a commit's owner is the earliest of its own deployments and its
  // children's owners, so one pass over one `git rev-list` settles them all.
  const owner = new Map<string, number>();
  windowed.forEach((d, k) => {
    const c = d.commit as string;
    if (!owner.has(c)) owner.set(c, k);
  });
  const commits = await listing;
  const shippedBy: { sha: string; time: number }[][] = windowed.map(() => []);
  const ownerOf = new Map<string, number>();
  for (const c of commits) {
    const k = owner.get(c.sha);
    if (k === undefined) continue; // not reachable from a window deployment: cannot happen, but harmless
    ownerOf.set(c.sha, k);
    (shippedBy[k] as { sha: string; time: number }[]).push({ sha: c.sha, time: c.time });
    for (const p of c.parents) {
      const q = owner.get(p);
      if (q === undefined || k < q) owner.set(p, k);
    }
  }

  // Incidents caused by a commit a window deployment shipped.
  const linked: string[][] = windowed.map(() => []);
  const incidentDeployment = new Map<Incident, number>();
  for (const i of incidents) {
    const k = i.commit ? ownerOf.get(i.commit) : undefined;
    if (k !== undefined) {
      (linked[k] as string[]).push(i.id);
      incidentDeployment.set(i, k);
    }
  }

  // Figures.
  const leadTimes: number[] = [];
  const deploymentDetail = windowed.map((d, k) => {
    const list = (shippedBy[k] as { sha: string; time: number }[]).sort((a, b) => a.time - b.time || (a.sha < b.sha ? -1 : a.sha > b.sha ? 1 : 0));
    return {
      source: d.source,
      sha: d.commit as string,
      time: iso(d.time),
      commits: list.map((c) => {
        const lead = Math.max(0, seconds(d.time) - c.time); // a commit dated after its deployment (clock skew) counts as 0
        leadTimes.push(lead);
        return { sha: c.sha, committed: iso(c.time * 1000), leadTimeSeconds: lead };
      }),
      incidents: linked[k] as string[],
    };
  });
  leadTimes.sort((a, b) => a - b);
  const failedDeployments = linked.filter((l) => l.length > 0).length;
  const restored = incidents.filter((i) => i.resolved !== null && inWindow(i.resolved));
  const restoreTimes = restored.map((i) => seconds((i.resolved as number) - i.opened)).sort((a, b) => a - b);
  const windowDays = windowSeconds / DAY;
  const summary: DoraSummary = {
    asOf: iso(asOf),
    environment,
    windowDays,
    deployments: windowed.length,
    deploymentsPerDay: windowed.length / windowDays,
    band: frequencyBand(windowed.length, windowSeconds),
    commits: leadTimes.length,
    leadTimeSeconds: { median: percentileCont(leadTimes, 50), p90: percentileCont(leadTimes, 90) },
    changeFailureRate: incidentsInput === null || windowed.length === 0 ? null : failedDeployments / windowed.length,
    failedDeployments,
    timeToRestoreSeconds: { median: percentileCont(restoreTimes, 50) },
    incidents: incidents.filter((i) => inWindow(i.opened)).length,
    resolvedIncidents: restored.length,
  };

  const detail = {
    format: DORA_DETAIL_FORMAT,
    inputs: {
      deployments: { sha256: sha256Hex(deploymentBytes), format: deploymentFormat },
      incidents: incidentsInput,
      git: { head },
    },
    parameters: {
      asOf: summary.asOf,
      environment,
      windowSeconds,
      windowStart: iso(from),
      ...(incidentsInput?.format === 'github' ? { incidentLabel } : {}),
    },
    deployments: deploymentDetail,
    earlierDeployments: before.length,
    failureStatusDeployments: failedStatus.map((d) => ({ source: d.source, sha: d.sha, time: iso(d.time) })),
    incidents: incidents
      .filter((i) => inWindow(i.opened) || (i.resolved !== null && inWindow(i.resolved)) || incidentDeployment.has(i))
      .map((i) => {
        const k = incidentDeployment.get(i);
        return {
          source: i.source,
          id: i.id,
          opened: iso(i.opened),
          resolved: i.resolved === null ? null : iso(i.resolved),
          sha: i.commit ?? null,
          deployment: k === undefined ? null : (windowed[k] as Deployment).source,
          timeToRestoreSeconds: i.resolved === null ? null : seconds(i.resolved - i.opened),
        };
      }),
    summary,
  };
  return generatedOutput(canonicalBytes(detail), 'dora.json', 'dora', DORA_MEDIA_TYPE, summary);
}

export { parseRfc3339 };

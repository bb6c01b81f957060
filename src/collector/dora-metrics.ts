import type { DoraSummary } from '../core/summaries.js';

/**
 * DORA's figures, computed from deployments, incidents and commits already
 * read and looked up: no files, no git, no process. The semantics are in
 * docs/metrics.md ("DORA").
 */

export const DAY = 86400;

export interface Deployment {
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

export interface Incident {
  source: string;
  id: string;
  opened: number;
  resolved: number | null;
  sha: string | null;
  commit?: string;
}

/** A commit of the history, children listed before parents. */
export interface HistoryCommit {
  sha: string;
  time: number; // committer time, seconds
  parents: string[];
}

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
export function iso(ms: number): string {
  const s = new Date(ms).toISOString();
  return ms % 1000 === 0 ? `${s.slice(0, 19)}Z` : s;
}

export const seconds = (ms: number): number => ms / 1000;

/** The window `(from, asOf]` the figures are measured in, in milliseconds. */
export interface DoraWindow {
  asOf: number;
  from: number;
  inWindow: (t: number) => boolean;
}

/** The window of `windowSeconds` that ends at `asOf`, taken to the whole second. */
export function doraWindow(asOfDate: Date, windowSeconds: number): DoraWindow {
  const asOf = Math.floor(asOfDate.getTime() / 1000) * 1000;
  const from = asOf - windowSeconds * 1000;
  const inWindow = (t: number): boolean => t > from && t <= asOf;
  return { asOf, from, inWindow };
}

export interface DeploymentSets {
  /** Successful deployments to the environment up to asOf, in time order. */
  shipped: Deployment[];
  /** Failed deployments to the environment in the window, in time order. */
  failedStatus: Deployment[];
  /** The shipped deployments in the window. */
  windowed: Deployment[];
  /** The shipped deployments before the window. */
  before: Deployment[];
}

/** The deployments that count, from all of a file's. */
export function selectDeployments(all: readonly Deployment[], environment: string, window: DoraWindow): DeploymentSets {
  const { asOf, inWindow } = window;
  // Successful deployments to the environment up to asOf, in time order (ties: file order).
  const byTime = (a: Deployment, b: Deployment): number => a.time - b.time || a.index - b.index;
  const shipped = all
    .filter((d) => d.environment === environment && d.status === 'success' && d.time <= asOf)
    .sort(byTime);
  const failedStatus = all
    .filter((d) => d.environment === environment && d.status === 'failure' && inWindow(d.time))
    .sort(byTime);
  const windowed = shipped.filter((d) => inWindow(d.time));
  const before = shipped.filter((d) => !inWindow(d.time));
  return { shipped, failedStatus, windowed, before };
}

/** Incidents known at asOf, in the order they were opened (ties: by id), whatever the file's order. */
export function incidentsKnownAt(incidents: readonly Incident[], asOf: number): Incident[] {
  return incidents
    .filter((i) => i.opened <= asOf)
    .sort((a, b) => a.opened - b.opened || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Which deployment first shipped each commit. Commits reachable from a
 * deployment before the window were shipped then; of the rest, a commit
 * belongs to the earliest deployment whose sha reaches it. In children-first
 * order a commit's owner is the earliest of its own deployments and its
 * children's owners, so one pass over one `git rev-list` settles them all.
 */
export function assignCommits(
  windowed: readonly Deployment[],
  commits: readonly HistoryCommit[],
): { shippedBy: { sha: string; time: number }[][]; ownerOf: Map<string, number> } {
  const owner = new Map<string, number>();
  windowed.forEach((d, k) => {
    const c = d.commit as string;
    if (!owner.has(c)) owner.set(c, k);
  });
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
  return { shippedBy, ownerOf };
}

/** Incidents caused by a commit a window deployment shipped. */
export function linkIncidents(
  incidents: readonly Incident[],
  windowed: readonly Deployment[],
  ownerOf: ReadonlyMap<string, number>,
): { linked: string[][]; incidentDeployment: Map<Incident, number> } {
  const linked: string[][] = windowed.map(() => []);
  const incidentDeployment = new Map<Incident, number>();
  for (const i of incidents) {
    const k = i.commit ? ownerOf.get(i.commit) : undefined;
    if (k !== undefined) {
      (linked[k] as string[]).push(i.id);
      incidentDeployment.set(i, k);
    }
  }
  return { linked, incidentDeployment };
}

/** Each window deployment with the commits it shipped and their lead times; and every lead time, sorted. */
export function leadTimeDetails(
  windowed: readonly Deployment[],
  shippedBy: { sha: string; time: number }[][],
  linked: readonly string[][],
) {
  const leadTimes: number[] = [];
  const deployments = windowed.map((d, k) => {
    const list = (shippedBy[k] as { sha: string; time: number }[]).sort(
      (a, b) => a.time - b.time || (a.sha < b.sha ? -1 : a.sha > b.sha ? 1 : 0),
    );
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
  return { deployments, leadTimes };
}

/** Window deployments linked to at least one incident. */
export function failedDeploymentCount(linked: readonly string[][]): number {
  return linked.filter((l) => l.length > 0).length;
}

/**
 * Failed over all window deployments; null without an incidents file, without deployments, or when an incident
 * opened in the window names no commit: it may have failed any of them, so the share is not known (at least
 * failedDeployments ÷ deployments), and a measured-looking figure would read as a pass.
 */
export function changeFailureRate(
  failedDeployments: number,
  deployments: number,
  incidentsGiven: boolean,
  unattributedIncidents = 0,
): number | null {
  return !incidentsGiven || deployments === 0 || unattributedIncidents > 0 ? null : failedDeployments / deployments;
}

/** Incidents opened in the window that name no commit: no deployment can be charged with them. */
export function unattributedIncidentCount(incidents: readonly Incident[], window: DoraWindow): number {
  return incidents.filter((i) => window.inWindow(i.opened) && i.sha === null).length;
}

/** Incidents resolved in the window. */
export function restoredIncidents(incidents: readonly Incident[], window: DoraWindow): Incident[] {
  return incidents.filter((i) => i.resolved !== null && window.inWindow(i.resolved));
}

/** Each restored incident's time to restore in seconds, sorted. */
export function timesToRestore(restored: readonly Incident[]): number[] {
  return restored.map((i) => seconds((i.resolved as number) - i.opened)).sort((a, b) => a - b);
}

export interface SummaryFigures {
  window: DoraWindow;
  environment: string;
  windowSeconds: number;
  /** Number of window deployments. */
  deployments: number;
  /** Sorted lead times, seconds. */
  leadTimes: readonly number[];
  /** Incident ids linked to each window deployment. */
  linked: readonly string[][];
  /** Incidents known at asOf. */
  incidents: readonly Incident[];
  /** Whether an incidents file was given. */
  incidentsGiven: boolean;
}

/** DORA's four keys and their counts. */
export function doraSummary(f: SummaryFigures): DoraSummary {
  const { window, environment, windowSeconds, deployments, leadTimes, incidents } = f;
  const failedDeployments = failedDeploymentCount(f.linked);
  const restored = restoredIncidents(incidents, window);
  const restoreTimes = timesToRestore(restored);
  const windowDays = windowSeconds / DAY;
  const unattributed = unattributedIncidentCount(incidents, window);
  return {
    asOf: iso(window.asOf),
    environment,
    windowDays,
    deployments,
    deploymentsPerDay: deployments / windowDays,
    band: frequencyBand(deployments, windowSeconds),
    commits: leadTimes.length,
    leadTimeSeconds: { median: percentileCont(leadTimes, 50), p90: percentileCont(leadTimes, 90) },
    changeFailureRate: changeFailureRate(failedDeployments, deployments, f.incidentsGiven, unattributed),
    failedDeployments,
    timeToRestoreSeconds: { median: percentileCont(restoreTimes, 50) },
    incidents: incidents.filter((i) => window.inWindow(i.opened)).length,
    resolvedIncidents: restored.length,
    ...(f.incidentsGiven ? { unattributedIncidents: unattributed } : {}),
  };
}

/** The incidents the snapshot shows: opened or resolved in the window, or linked to a window deployment. */
export function incidentDetails(
  incidents: readonly Incident[],
  windowed: readonly Deployment[],
  incidentDeployment: ReadonlyMap<Incident, number>,
  window: DoraWindow,
) {
  const { inWindow } = window;
  return incidents
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
    });
}

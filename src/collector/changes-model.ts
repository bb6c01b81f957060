import { appendAll } from '../core/objects.js';
import { HOST_CHANGE_FACTS, type ChangeSummary, type ChangesSummary } from '../core/summaries.js';

/**
 * What `--changes` makes of git's answers, without running git: the log's
 * records parsed, the commits grouped into the changes that landed them, and
 * the summary (docs/changes.md). src/collector/changes.ts runs git.
 */

/** A person as git records one: name and e-mail address. */
export interface GitPerson {
  name: string;
  email: string;
}

/** What `git verify-commit` decides, as git's `%G?` letter says it. */
export const SIGNATURE_STATUS = {
  G: 'good',
  U: 'good-unknown-validity',
  X: 'expired-signature',
  Y: 'expired-key',
  R: 'revoked-key',
  E: 'unverifiable',
  B: 'bad',
  N: 'none',
} as const;
export type SignatureStatus = (typeof SIGNATURE_STATUS)[keyof typeof SIGNATURE_STATUS];

export interface CommitRecord {
  sha: string;
  parents: string[];
  author: GitPerson;
  authoredAt: string;
  committer: GitPerson;
  committedAt: string;
  signature: SignatureStatus;
  /** The key git checked the signature with (`%GK`), and who it names (`%GS`): '' when none. */
  signingKey: string;
  signer: string;
  subject: string;
  trailers: { key: string; value: string }[];
}

/** git log's format: fields apart by U+001F, records by NUL (`-z`). The order is FIELDS'. */
export const LOG_FORMAT = [
  '%H',
  '%P',
  '%an',
  '%ae',
  '%aI',
  '%cn',
  '%ce',
  '%cI',
  '%G?',
  '%GK',
  '%GS',
  '%s',
  '%(trailers:only,unfold)',
].join('%x1f');
const FIELDS = 13;

/** Why a record cannot be read: the commit it is about, if known, and what is wrong. */
export class LogRecordError extends Error {
  constructor(
    readonly sha: string,
    message: string,
  ) {
    super(message);
  }
}

/** The records of `git log -z --format=LOG_FORMAT`, in git's order. */
export function parseLogRecords(text: string): CommitRecord[] {
  const out: CommitRecord[] = [];
  for (const raw of text.split('\0')) {
    const record = raw.replace(/^\n/, '');
    if (record === '') continue;
    const f = record.split('\x1f');
    const sha = f[0] ?? '';
    if (f.length !== FIELDS || !/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(sha))
      throw new LogRecordError(sha.slice(0, 64), `a log record of ${f.length} fields, not ${FIELDS}`);
    const letter = f[8] as keyof typeof SIGNATURE_STATUS;
    out.push({
      sha,
      parents: (f[1] as string).split(' ').filter(Boolean),
      author: { name: f[2] as string, email: (f[3] as string).toLowerCase() },
      authoredAt: f[4] as string,
      committer: { name: f[5] as string, email: (f[6] as string).toLowerCase() },
      committedAt: f[7] as string,
      signature: SIGNATURE_STATUS[letter] ?? 'unverifiable',
      signingKey: f[9] as string,
      signer: f[10] as string,
      subject: f[11] as string,
      trailers: parseTrailers(f[12] as string),
    });
  }
  return out;
}

/** `Key: value` lines, as `%(trailers:only,unfold)` gives them. */
export function parseTrailers(text: string): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9][A-Za-z0-9-]*):\s*(.*)$/.exec(line.trim());
    if (m) out.push({ key: (m[1] as string).toLowerCase(), value: (m[2] as string).trim() });
  }
  return out;
}

/** The address in `Name <address>`, lower-case; the whole value, lower-case, when there is none. */
export function trailerIdentity(value: string): string {
  const m = /<([^<>\s]+)>/.exec(value);
  return (m ? (m[1] as string) : value).trim().toLowerCase();
}

const APPROVAL_TRAILERS = ['reviewed-by', 'approved-by', 'acked-by'];

/** The pull request a landing commit's message names: GitHub's merge message, or a title ending in `(#N)`. */
export function pullRequestOf(subject: string): number | null {
  const m = /^Merge pull request #(\d{1,9}) from /.exec(subject) ?? /\(#(\d{1,9})\)\s*$/.exec(subject);
  const n = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

export interface GroupOptions {
  /** Trailer names (any case) that mark a change as an emergency. */
  emergencyTrailers: string[];
}

/**
 * The changes of a range: one per commit of its first-parent line (`firstParent`, newest first, as
 * `git rev-list --first-parent` gives it), oldest first. A merge takes the commits it brought in (reachable from its
 * other parents, not yet taken by an earlier change and inside the range).
 */
export function groupChanges(commits: CommitRecord[], firstParent: string[], options: GroupOptions): ChangeSummary[] {
  const bySha = new Map(commits.map((c) => [c.sha, c]));
  const taken = new Set(firstParent);
  const emergency = new Set(options.emergencyTrailers.map((t) => t.toLowerCase()));
  const out: ChangeSummary[] = [];
  for (const sha of [...firstParent].reverse()) {
    const landing = bySha.get(sha);
    if (!landing) continue;
    const members = [landing];
    const todo = landing.parents.slice(1);
    while (todo.length > 0) {
      const next = todo.pop() as string;
      const c = bySha.get(next);
      if (!c || taken.has(next)) continue;
      taken.add(next);
      members.push(c);
      appendAll(todo, c.parents);
    }
    out.push(changeOf(landing, members, emergency));
  }
  return out;
}

function changeOf(landing: CommitRecord, members: CommitRecord[], emergency: Set<string>): ChangeSummary {
  const work = members.length > 1 ? members.slice(1) : members;
  const authors = new Set<string>();
  for (const c of work) {
    authors.add(c.author.email);
    for (const t of c.trailers) if (t.key === 'co-authored-by') authors.add(trailerIdentity(t.value));
  }
  const approvers = new Set<string>();
  for (const c of members)
    for (const t of c.trailers) if (APPROVAL_TRAILERS.includes(t.key)) approvers.add(trailerIdentity(t.value));
  const unsigned = members.filter((c) => c.signature !== 'good').length;
  return {
    commit: landing.sha,
    landedAt: instant(landing.committedAt),
    via: landing.parents.length > 1 ? 'merge' : 'commit',
    pullRequest: pullRequestOf(landing.subject),
    title: [...landing.subject].slice(0, 200).join(''),
    commits: members.map((c) => c.sha),
    authors: [...authors].sort(),
    mergedBy: landing.committer.email,
    signed: unsigned === 0,
    unsignedCommits: unsigned,
    trailerApprovers: [...approvers].sort(),
    trailerApprovedByOther: [...approvers].some((a) => !authors.has(a)),
    emergency: members.some((c) => c.trailers.some((t) => emergency.has(t.key))),
    ...(Object.fromEntries(HOST_CHANGE_FACTS.map((k) => [k, null])) as Record<
      (typeof HOST_CHANGE_FACTS)[number],
      null
    >),
  };
}

/** git's strict ISO 8601 (`2026-12-04T10:00:00+01:00`) as the manifest's UTC instant. */
export function instant(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new LogRecordError('', `not a date: ${iso}`);
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The summary of a range's changes. */
export function changesSummary(range: ChangesSummary['range'], changes: ChangeSummary[]): ChangesSummary {
  return {
    source: 'git',
    range,
    totals: {
      changes: changes.length,
      commits: changes.reduce((n, c) => n + c.commits.length, 0),
      pullRequests: new Set(changes.flatMap((c) => (c.pullRequest === null ? [] : [c.pullRequest]))).size,
      merges: changes.filter((c) => c.via === 'merge').length,
      signedChanges: changes.filter((c) => c.signed).length,
      unsignedCommits: changes.reduce((n, c) => n + c.unsignedCommits, 0),
      trailerApprovedByOther: changes.filter((c) => c.trailerApprovedByOther).length,
      emergencies: changes.filter((c) => c.emergency).length,
    },
    changes,
  };
}

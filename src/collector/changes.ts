import { appendAll } from '../core/objects.js';
import { safeParseBounded } from '../core/issues.js';
import type { Env } from '../core/env.js';
import type { ChangeHost, RecordedResponse } from '../core/services.js';
import { hostFacts, hostSignatures } from './changes-host.js';
import { canonicalBytes } from '../core/canonical-json.js';
import { changesSummarySchema, type ChangesSummary } from '../core/summaries.js';
import { PACKAGE_VERSION } from '../version.js';
import { generatedOutput, type Collector, type CollectorInput, type CollectorOutput } from './collector.js';
import { CollectError } from './errors.js';
import { runGit } from './git.js';
import {
  LOG_FORMAT,
  LogRecordError,
  changesSummary,
  groupChanges,
  parseLogRecords,
  type CommitRecord,
} from './changes-model.js';

export const CHANGES_MEDIA_TYPE = 'application/vnd.evidence.changes+json';
export const CHANGES_DETAIL_FORMAT = 'evidence-changes/1';
/** How many of any one list a code host is asked for (10 pages of 100: src/transport/github/changes.ts). */
const MAX_HOST_ITEMS = 1000;
/** How many of a release's commits are listed for the host's verification of their signatures (20 pages of 100). */
const MAX_HOST_COMMITS = 2000;
/** The most commits one release's range may hold: beyond it, name a narrower range. */
export const MAX_RANGE_COMMITS = 20_000;
/** A git call that takes longer than this is stopped (a range of 20,000 commits takes about a second). */
const GIT_TIMEOUT_MS = 120_000;

export interface ChangesOptions {
  /** The repository. */
  gitDir: string;
  /** `FROM..TO`, or `auto`: from the tag before the released commit to it (HEAD). */
  range: string;
  /** An SSH allowed-signers file, so that git can verify SSH signatures (`gpg.ssh.allowedSignersFile`). */
  allowedSigners?: string;
  /** Trailer names that mark a change as an emergency. */
  emergencyTrailers?: string[];
  /** Pull request labels that mark a change as an emergency (with a code host). */
  emergencyLabels?: string[];
  /** A code host to ask how each change landed (approvals, checks, rules); without it, git alone. */
  host?: ChangeHost;
  /** The target branch whose rules are read (default: the repository's default branch). */
  branch?: string;
  /** The instant the host's answers are dated with. */
  now?: Date;
  /** The environment git runs in (GNUPGHOME, for instance). */
  env?: Env;
}

/**
 * Every change a release brings, from git alone (docs/changes.md): the
 * commits of the range grouped by the commit that landed each on the
 * first-parent line, their authors, committers, trailers and whether each
 * signature verifies as `git verify-commit` decides. The blob stored is a
 * canonical JSON record of every commit; the manifest's summary lists the
 * changes. What only a code host can say (approvals, checks) is null: not
 * checked.
 */
export function changesCollector(options: ChangesOptions): Collector {
  return {
    name: 'changes',
    version: PACKAGE_VERSION,
    async collect(input: CollectorInput): Promise<CollectorOutput> {
      const { summary, commits, responses } = await readChanges(options, input.label);
      const bytes = canonicalBytes({
        format: CHANGES_DETAIL_FORMAT,
        summary,
        commits,
        ...(options.host ? { responses } : {}),
      });
      return generatedOutput(bytes, 'changes.json', 'changes', CHANGES_MEDIA_TYPE, summary);
    },
  };
}

const git = (o: ChangesOptions, args: string[]): Promise<string> =>
  runGit(o.gitDir, args, { env: o.env ?? {}, timeoutMs: GIT_TIMEOUT_MS });

async function readChanges(
  o: ChangesOptions,
  label: string,
): Promise<{ summary: ChangesSummary; commits: CommitRecord[]; responses: RecordedResponse[] }> {
  const { fromRef, toRef, auto } = await parseRange(o, label);
  const to = await commitOf(o, toRef, label);
  const from = fromRef === null ? null : await commitOf(o, fromRef, label);
  if (from !== null) {
    const base = (await git(o, ['merge-base', from, to]).catch(() => '')).trim();
    if (base !== from)
      throw rangeError(
        label,
        `${fromRef} is not an ancestor of ${toRef} in ${o.gitDir}: name a range along one history`,
      );
  }
  const spec = from === null ? [to] : [`${from}..${to}`];
  const count = Number((await git(o, ['rev-list', '--count', ...spec, '--'])).trim());
  if (count > MAX_RANGE_COMMITS)
    throw new CollectError(
      'CHANGES_RANGE_TOO_LARGE',
      `${label}: ${count} commits, more than the ${MAX_RANGE_COMMITS} one release's changes may hold; name a narrower range`,
      { file: label },
    );
  const config = o.allowedSigners ? ['-c', `gpg.ssh.allowedSignersFile=${o.allowedSigners}`] : [];
  const log = await git(o, [...config, 'log', '-z', `--format=${LOG_FORMAT}`, ...spec, '--']);
  let commits: CommitRecord[];
  try {
    commits = parseLogRecords(log);
  } catch (e) {
    if (!(e instanceof LogRecordError)) throw e;
    throw new CollectError('CHANGES_GIT_UNREADABLE', `${label}: commit ${e.sha || '?'}: ${e.message}`, {
      file: label,
    });
  }
  const firstParent = (await git(o, ['rev-list', '--first-parent', ...spec, '--'])).split('\n').filter(Boolean);
  const changes = groupChanges(commits, firstParent, { emergencyTrailers: o.emergencyTrailers ?? [] });
  const responses: RecordedResponse[] = [];
  const asked = o.host ? await askHost(o.host, o, changes, responses) : undefined;
  const summary = changesSummaryChecked(
    {
      ...changesSummary({ from, to, fromRef, toRef, auto }, changes),
      ...(asked ? { source: 'git+github', host: asked } : {}),
    },
    label,
  );
  return { summary, commits, responses };
}

/**
 * Asks the code host how each change landed, filling the facts git cannot give (changes-host.ts decides them from
 * the answers); every answer relied on is kept in `responses`.
 */
async function askHost(
  host: ChangeHost,
  o: ChangesOptions,
  changes: ReturnType<typeof groupChanges>,
  responses: RecordedResponse[],
): Promise<NonNullable<ChangesSummary['host']>> {
  const askedAt = (o.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const { branch, rules, responses: ruleAnswers } = await host.rules(o.branch);
  appendAll(responses, ruleAnswers);
  const labels = new Set((o.emergencyLabels ?? []).map((l) => l.toLowerCase()));
  // GitHub's own verification of every commit's signature, from the list of the released commit's history.
  const wanted = new Set(changes.flatMap((c) => c.commits));
  const to = changes.at(-1)?.commit;
  const listed = to === undefined ? { commits: [], complete: true, responses: [] } : await host.commitsOf(to, wanted);
  appendAll(responses, listed.responses);
  const verified = new Map(listed.commits.map((c) => [c.sha, c]));
  for (const change of changes) {
    const answers = await host.answersFor(change.commit, change.pullRequest);
    appendAll(responses, answers.responses);
    const asked = { ...answers, requiredChecks: rules.requiredChecks };
    let f = hostFacts(change.commit, change.pullRequest, asked);
    const landedBy = f.landedBy;
    if (landedBy && f.facts.checksPassed === false && landedBy.headSha !== change.commit) {
      // A merge queue runs the required checks on the commit it lands.
      const landing = await host.checksOf(change.commit);
      appendAll(responses, landing.responses);
      appendAll(answers.responses, landing.responses);
      appendAll(answers.incomplete, landing.incomplete);
      f = hostFacts(change.commit, change.pullRequest, { ...asked, landingChecks: landing.checks });
    }
    const signatures = hostSignatures(change.commits, verified);
    Object.assign(change, f.facts, { hostVerified: signatures.hostVerified });
    if (f.labels.some((l) => labels.has(l.toLowerCase()))) change.emergency = true;
    change.host = {
      pullRequest: f.landedBy?.number ?? null,
      approvers: f.approvers,
      labels: f.labels,
      headCommitter: f.headCommitter,
      checksOn: f.checksOn,
      unverified: signatures.unverified,
      problems: [
        ...f.problems,
        ...answers.incomplete.map((what) => `${what}: more than ${MAX_HOST_ITEMS} (read up to that many)`),
        ...(signatures.hostVerified === null
          ? [
              listed.complete
                ? 'GitHub did not list every commit of the change'
                : `GitHub's list of the release's commits was read to its cap (${MAX_HOST_COMMITS}) before every commit of the change was listed`,
            ]
          : []),
      ],
      responses: answers.responses.map((r) => r.digest),
    };
  }
  return {
    name: host.name,
    repository: host.repository,
    branch,
    askedAt,
    rules,
    responses: [...ruleAnswers, ...listed.responses].map((r) => r.digest),
  };
}

/** `FROM..TO` as given, or `auto`: the newest tag reachable from TO's first parent, up to HEAD. */
async function parseRange(
  o: ChangesOptions,
  label: string,
): Promise<{ fromRef: string | null; toRef: string; auto: boolean }> {
  if (o.range === 'auto') {
    const toRef = 'HEAD';
    await commitOf(o, toRef, label);
    const parent = await git(o, ['rev-parse', '--verify', '--quiet', 'HEAD^1^{commit}']).catch(() => '');
    if (parent.trim() === '') return { fromRef: null, toRef, auto: true };
    const tag = await git(o, ['describe', '--tags', '--abbrev=0', 'HEAD^1']).catch(() => '');
    return { fromRef: tag.trim() === '' ? null : tag.trim(), toRef, auto: true };
  }
  const m = /^([^.\s][^\s]*?)\.\.([^.\s][^\s]*)$/.exec(o.range);
  if (!m || m[1]?.startsWith('-') || m[2]?.startsWith('-'))
    throw rangeError(label, `'${o.range}' is not a range: give FROM..TO (two tags or commits) or auto`);
  return { fromRef: m[1] as string, toRef: m[2] as string, auto: false };
}

async function commitOf(o: ChangesOptions, ref: string, label: string): Promise<string> {
  const sha = await git(o, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]).catch(
    (e: unknown) => {
      if (e instanceof CollectError && /git is not installed|not a git repository/.test(e.message)) throw e;
      return '';
    },
  );
  if (sha.trim() === '') throw rangeError(label, `${ref} is not a commit in ${o.gitDir}`);
  return sha.trim();
}

function rangeError(label: string, message: string): CollectError {
  return new CollectError('CHANGES_RANGE_INVALID', `${label}: ${message}`, { file: label });
}

function changesSummaryChecked(summary: ChangesSummary, label: string): ChangesSummary {
  const parsed = safeParseBounded(changesSummarySchema, summary);
  if (!parsed.success)
    throw new CollectError('CHANGES_GIT_UNREADABLE', `${label}: git's answers do not make a valid summary`, {
      file: label,
    });
  return parsed.data;
}

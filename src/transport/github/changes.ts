import { appendAll } from '../../core/objects.js';
import { canonicalBytes } from '../../core/canonical-json.js';
import { sha256Hex } from '../../core/digest.js';
import type {
  BranchRules,
  ChangeHost,
  HostCheck,
  HostCommit,
  HostPullRequest,
  HostReview,
  RecordedResponse,
} from '../../core/services.js';
import { GitHubError } from './errors.js';
import type { ReleasesClient } from './releases.js';

/**
 * GitHub asked how each change landed (docs/changes.md, "From GitHub"),
 * through the same client as attach and fetch (token, retries, deadlines,
 * bounded bodies). Every answer is kept as evidence (RecordedResponse) and
 * read defensively: a field of the wrong type counts as absent. Lists are
 * paged 100 at a time and capped (MAX_PAGES); what the cap cut off is said.
 */

/** At most this many pages of 100 of any one list (reviews, check runs, pull requests of a commit). */
export const MAX_PAGES = 10;
/** At most this many pages of 100 of a release's commits, for GitHub's verification of their signatures. */
export const MAX_COMMIT_PAGES = 20;
/** GitHub lists at most 250 commits of a pull request: 3 pages of 100. */
const PULL_COMMIT_PAGES = 3;
/** At most this many rulesets in force on one branch are read for their bypass actors. */
const MAX_RULESETS = 20;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function record(request: string, body: unknown): RecordedResponse {
  return { request, digest: `sha256:${sha256Hex(canonicalBytes(body ?? null))}`, body: body ?? null };
}

function readPullRequest(v: unknown): HostPullRequest | undefined {
  const p = obj(v);
  if (typeof p.number !== 'number' || !Number.isSafeInteger(p.number)) return undefined;
  const mergedAt = str(p.merged_at);
  return {
    number: p.number,
    // The list of a commit's pull requests has no `merged`: merged_at says it.
    merged: p.merged === true || (p.merged === undefined && mergedAt !== null),
    mergedAt,
    mergeCommitSha: str(p.merge_commit_sha),
    headSha: str(obj(p.head).sha) ?? '',
    baseRef: str(obj(p.base).ref) ?? '',
    author: str(obj(p.user).login),
    mergedBy: str(obj(p.merged_by).login),
    labels: arr(p.labels).flatMap((l) => str(obj(l).name) ?? []),
  };
}

/** A commit as GitHub lists it (commits of a pull request, of a branch): linked accounts and verification. */
function readCommit(v: unknown): HostCommit | undefined {
  const c = obj(v);
  const sha = str(c.sha);
  if (sha === null || !/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(sha)) return undefined;
  const verification = obj(obj(c.commit).verification);
  return {
    sha,
    authorLogin: str(obj(c.author).login),
    committerLogin: str(obj(c.committer).login),
    verified: typeof verification.verified === 'boolean' ? verification.verified : null,
    reason: str(verification.reason),
  };
}

function reviewOf(v: unknown): HostReview {
  const r = obj(v);
  const user = obj(r.user);
  return {
    reviewer: str(user.login),
    reviewerIsBot: user.type === 'Bot' || /\[bot\]$/.test(str(user.login) ?? ''),
    state: str(r.state) ?? '',
    commitId: str(r.commit_id),
    submittedAt: str(r.submitted_at),
  };
}

export function githubChangeHost(client: ReleasesClient): ChangeHost {
  const repository = `${client.owner}/${client.repo}`;
  const responses: RecordedResponse[] = [];
  const get = async (request: string, route: string, params: Record<string, string | number>): Promise<unknown> => {
    const body = await client.get(`${request} of ${repository}`, route, params);
    responses.push(record(request, body));
    return body;
  };
  /** Pages of a list until a short page; `pick` takes the list out of a page's body. */
  const pages = async (
    request: string,
    route: string,
    params: Record<string, string | number>,
    pick: (body: unknown) => unknown[],
    cap = MAX_PAGES,
    enough: (items: unknown[]) => boolean = () => false,
  ): Promise<{ items: unknown[]; complete: boolean }> => {
    const items: unknown[] = [];
    for (let page = 1; page <= cap; page++) {
      const got = pick(await get(`${request} (page ${page})`, route, { ...params, per_page: 100, page }));
      appendAll(items, got);
      if (got.length < 100 || enough(items)) return { items, complete: true };
    }
    return { items, complete: false };
  };
  const checksOf = async (ref: string): Promise<{ checks: HostCheck[]; incomplete: string[] }> => {
    const checks: HostCheck[] = [];
    const runs = await pages(
      `check runs of ${ref}`,
      'GET /repos/{owner}/{repo}/commits/{ref}/check-runs',
      { ref },
      (b) => arr(obj(b).check_runs),
    );
    for (const run of runs.items) {
      const r = obj(run);
      if (str(r.name))
        checks.push({ name: r.name as string, conclusion: r.status === 'completed' ? str(r.conclusion) : null });
    }
    const status = obj(await get(`status of ${ref}`, 'GET /repos/{owner}/{repo}/commits/{ref}/status', { ref }));
    for (const s of arr(status.statuses)) {
      const c = obj(s);
      if (str(c.context))
        checks.push({ name: c.context as string, conclusion: c.state === 'success' ? 'success' : str(c.state) });
    }
    return { checks, incomplete: runs.complete ? [] : [`the check runs of ${ref}`] };
  };
  const taken = (): RecordedResponse[] => responses.splice(0, responses.length);

  return {
    name: 'github',
    repository,
    async rules(given) {
      const branch =
        given ??
        str(obj(await get('the repository', 'GET /repos/{owner}/{repo}', {})).default_branch) ??
        (() => {
          throw new GitHubError('GITHUB_RESPONSE_INVALID', `${repository}: GitHub names no default branch`);
        })();
      const rules: BranchRules = {
        known: false,
        requiredApprovals: null,
        dismissStaleReviews: null,
        requireLastPushApproval: null,
        requiredChecks: [],
        requiredSignatures: null,
        linearHistory: null,
        forcePushesBlocked: null,
        enforceAdmins: null,
        mergeQueue: null,
        bypassActors: null,
      };
      const checks = new Set<string>();
      const bypass: string[] = [];
      let bypassHidden = false;
      const rulesets = await get(`rules of branch ${branch}`, 'GET /repos/{owner}/{repo}/rules/branches/{branch}', {
        branch,
      }).catch(notReadable);
      if (rulesets !== undefined) {
        rules.known = true;
        for (const rule of arr(rulesets)) {
          const r = obj(rule);
          const p = obj(r.parameters);
          if (r.type === 'pull_request') {
            const n = p.required_approving_review_count;
            if (typeof n === 'number') rules.requiredApprovals = Math.max(rules.requiredApprovals ?? 0, n);
            if (typeof p.dismiss_stale_reviews_on_push === 'boolean')
              rules.dismissStaleReviews = (rules.dismissStaleReviews ?? false) || p.dismiss_stale_reviews_on_push;
            if (typeof p.require_last_push_approval === 'boolean')
              rules.requireLastPushApproval = (rules.requireLastPushApproval ?? false) || p.require_last_push_approval;
          }
          if (r.type === 'required_status_checks')
            for (const c of arr(p.required_status_checks))
              if (str(obj(c).context)) checks.add(str(obj(c).context) as string);
          if (r.type === 'required_signatures') rules.requiredSignatures = true;
          if (r.type === 'required_linear_history') rules.linearHistory = true;
          if (r.type === 'non_fast_forward') rules.forcePushesBlocked = true;
          if (r.type === 'merge_queue') rules.mergeQueue = true;
        }
        // Who may bypass each ruleset in force: shown only to those who may edit it; hidden, it is unknown.
        const ids = [
          ...new Set(
            arr(rulesets).flatMap((r) => (typeof obj(r).ruleset_id === 'number' ? [obj(r).ruleset_id as number] : [])),
          ),
        ];
        for (const id of ids.slice(0, MAX_RULESETS)) {
          const ruleset = obj(
            await get(`ruleset ${id}`, 'GET /repos/{owner}/{repo}/rulesets/{ruleset_id}', { ruleset_id: id }).catch(
              notReadable,
            ),
          );
          if (!Array.isArray(ruleset.bypass_actors)) bypassHidden = true;
          for (const a of arr(ruleset.bypass_actors)) {
            const actor = obj(a);
            const kind = str(actor.actor_type) ?? 'unknown';
            const idText = typeof actor.actor_id === 'number' ? ` ${actor.actor_id}` : '';
            bypass.push(`${kind}${idText} (${str(actor.bypass_mode) ?? 'always'}; ruleset ${id})`);
          }
        }
        if (ids.length > MAX_RULESETS) bypassHidden = true;
      }
      // Classic branch protection: readable only with admin rights; a 404 or 403 leaves it unknown.
      const protection = await get(
        `protection of branch ${branch}`,
        'GET /repos/{owner}/{repo}/branches/{branch}/protection',
        { branch },
      ).catch(notReadable);
      if (protection !== undefined) {
        rules.known = true;
        const p = obj(protection);
        const reviews = obj(p.required_pull_request_reviews);
        if (typeof reviews.required_approving_review_count === 'number')
          rules.requiredApprovals = Math.max(rules.requiredApprovals ?? 0, reviews.required_approving_review_count);
        if (typeof reviews.dismiss_stale_reviews === 'boolean')
          rules.dismissStaleReviews = (rules.dismissStaleReviews ?? false) || reviews.dismiss_stale_reviews;
        if (typeof reviews.require_last_push_approval === 'boolean')
          rules.requireLastPushApproval =
            (rules.requireLastPushApproval ?? false) || reviews.require_last_push_approval;
        const status = obj(p.required_status_checks);
        for (const c of arr(status.contexts)) if (str(c)) checks.add(c as string);
        for (const c of arr(status.checks)) if (str(obj(c).context)) checks.add(str(obj(c).context) as string);
        const flag = (v: unknown): boolean | null =>
          typeof obj(v).enabled === 'boolean' ? (obj(v).enabled as boolean) : null;
        rules.requiredSignatures = flag(p.required_signatures) ?? rules.requiredSignatures;
        rules.linearHistory = flag(p.required_linear_history) ?? rules.linearHistory;
        const force = flag(p.allow_force_pushes);
        if (force !== null) rules.forcePushesBlocked = (rules.forcePushesBlocked ?? false) || !force;
        rules.enforceAdmins = flag(p.enforce_admins);
        if (rules.enforceAdmins === false)
          bypass.push('repository administrators (classic protection not enforced for them)');
        const allowed = obj(reviews.bypass_pull_request_allowances);
        for (const [key, kind, name] of [
          ['users', 'User', 'login'],
          ['teams', 'Team', 'slug'],
          ['apps', 'App', 'slug'],
        ] as const)
          for (const who of arr(allowed[key]))
            bypass.push(`${kind} ${str(obj(who)[name]) ?? '?'} (required reviews; classic protection)`);
      }
      rules.bypassActors = rules.known && !bypassHidden ? [...new Set(bypass)].sort() : null;
      rules.requiredChecks = [...checks].sort();
      return { branch, rules, responses: taken() };
    },

    async answersFor(commit, named) {
      const listed = await pages(
        `pull requests of commit ${commit}`,
        'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls',
        { commit_sha: commit },
        arr,
      );
      const pullRequests = listed.items.flatMap((p) => readPullRequest(p) ?? []);
      if (named !== null && !pullRequests.some((p) => p.number === named)) {
        const one = await get(`pull request #${named}`, 'GET /repos/{owner}/{repo}/pulls/{pull_number}', {
          pull_number: named,
        }).catch(notReadable);
        const p = one === undefined ? undefined : readPullRequest(one);
        if (p) pullRequests.push(p);
      }
      const incomplete = listed.complete ? [] : [`the pull requests of ${commit}`];
      const landed = pullRequests.find((p) => p.merged && p.mergeCommitSha === commit);
      if (!landed) return { pullRequests, reviews: [], checks: [], headCommit: null, incomplete, responses: taken() };
      const reviews = await pages(
        `reviews of pull request #${landed.number}`,
        'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews',
        { pull_number: landed.number },
        arr,
      );
      if (!reviews.complete) incomplete.push(`the reviews of pull request #${landed.number}`);
      let checks: HostCheck[] = [];
      let headCommit: HostCommit | null = null;
      if (/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(landed.headSha)) {
        const onHead = await checksOf(landed.headSha);
        checks = onHead.checks;
        appendAll(incomplete, onHead.incomplete);
        // GitHub lists a pull request's commits oldest first, at most 250: the head is the last.
        const listed = await pages(
          `commits of pull request #${landed.number}`,
          'GET /repos/{owner}/{repo}/pulls/{pull_number}/commits',
          { pull_number: landed.number },
          arr,
          PULL_COMMIT_PAGES,
        );
        const commits = listed.items.flatMap((c) => readCommit(c) ?? []);
        headCommit = commits.find((c) => c.sha === landed.headSha) ?? null;
      }
      return {
        pullRequests,
        reviews: reviews.items.map(reviewOf),
        checks,
        headCommit,
        incomplete,
        responses: taken(),
      };
    },

    async checksOf(commit) {
      const { checks, incomplete } = await checksOf(commit);
      return { checks, incomplete, responses: taken() };
    },

    async commitsOf(to, wanted) {
      const seen = new Set<string>();
      let scanned = 0;
      const listed = await pages(
        `commits up to ${to}`,
        'GET /repos/{owner}/{repo}/commits',
        { sha: to },
        arr,
        MAX_COMMIT_PAGES,
        (items) => {
          for (const c of items.slice(scanned)) seen.add(str(obj(c).sha) ?? '');
          scanned = items.length;
          return [...wanted].every((w) => seen.has(w));
        },
      );
      const commits = listed.items.flatMap((c) => readCommit(c) ?? []).filter((c) => wanted.has(c.sha));
      return { commits, complete: listed.complete, responses: taken() };
    },
  };
}

/** A 404 or 403 leaves a thing unknown (no rules, no admin rights, a pull request gone); anything else fails. */
function notReadable(e: unknown): undefined {
  if (e instanceof GitHubError && (e.status === 404 || e.status === 403 || e.code === 'GITHUB_NOT_FOUND'))
    return undefined;
  throw e;
}

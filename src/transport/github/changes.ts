import { canonicalBytes } from '../../core/canonical-json.js';
import { sha256Hex } from '../../core/digest.js';
import type {
  BranchRules,
  ChangeHost,
  HostCheck,
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
  ): Promise<{ items: unknown[]; complete: boolean }> => {
    const items: unknown[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const got = pick(await get(`${request} (page ${page})`, route, { ...params, per_page: 100, page }));
      items.push(...got);
      if (got.length < 100) return { items, complete: true };
    }
    return { items, complete: false };
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
      };
      const checks = new Set<string>();
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
        }
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
      }
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
      if (!landed) return { pullRequests, reviews: [], checks: [], incomplete, responses: taken() };
      const reviews = await pages(
        `reviews of pull request #${landed.number}`,
        'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews',
        { pull_number: landed.number },
        arr,
      );
      if (!reviews.complete) incomplete.push(`the reviews of pull request #${landed.number}`);
      const checks: HostCheck[] = [];
      if (/^[0-9a-f]{40,64}$/.test(landed.headSha)) {
        const runs = await pages(
          `check runs of ${landed.headSha}`,
          'GET /repos/{owner}/{repo}/commits/{ref}/check-runs',
          { ref: landed.headSha },
          (b) => arr(obj(b).check_runs),
        );
        if (!runs.complete) incomplete.push(`the check runs of ${landed.headSha}`);
        for (const run of runs.items) {
          const r = obj(run);
          if (str(r.name))
            checks.push({ name: r.name as string, conclusion: r.status === 'completed' ? str(r.conclusion) : null });
        }
        const status = obj(
          await get(`status of ${landed.headSha}`, 'GET /repos/{owner}/{repo}/commits/{ref}/status', {
            ref: landed.headSha,
          }),
        );
        for (const s of arr(status.statuses)) {
          const c = obj(s);
          if (str(c.context))
            checks.push({ name: c.context as string, conclusion: c.state === 'success' ? 'success' : str(c.state) });
        }
      }
      return { pullRequests, reviews: reviews.items.map(reviewOf), checks, incomplete, responses: taken() };
    },
  };
}

/** A 404 or 403 leaves a thing unknown (no rules, no admin rights, a pull request gone); anything else fails. */
function notReadable(e: unknown): undefined {
  if (e instanceof GitHubError && (e.status === 404 || e.status === 403 || e.code === 'GITHUB_NOT_FOUND'))
    return undefined;
  throw e;
}

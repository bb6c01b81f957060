/**
 * The small interfaces outside services come in behind (docs/architecture.md):
 * the layer that uses a service (the SLO collector, the signer) and the
 * transport that speaks to it both see them here, so transport imports no
 * collector or signer module for them. Types only.
 */

/** One instant-query answer, as Prometheus gives it (`data` of /api/v1/query). */
export interface PromQueryData {
  resultType: string;
  result: unknown;
}

/** The outside service, behind a small interface: tests run a real Prometheus on loopback. */
export interface PrometheusClient {
  /** Instant query at `time`; rejects with a CollectError for any failure. */
  query(expr: string, time: Date): Promise<PromQueryData>;
  /** The server, without credentials, for the record. */
  readonly url: string;
}

/** Where the OIDC identity token for keyless signing comes from (src/signer/identity.ts). */
export interface IdentityProvider {
  getToken(): Promise<string>;
}

/** The parts of a code host's pull request that are read (src/collector/changes-host.ts). */
export interface HostPullRequest {
  number: number;
  merged: boolean;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  headSha: string;
  baseRef: string;
  author: string | null;
  mergedBy: string | null;
  labels: string[];
}

/** One review, in the host's order (oldest first). */
export interface HostReview {
  reviewer: string | null;
  reviewerIsBot: boolean;
  state: string;
  commitId: string | null;
  submittedAt: string | null;
}

/** A check run (its conclusion once completed) or a commit status (its state, `success` or else). */
export interface HostCheck {
  name: string;
  conclusion: string | null;
}

/**
 * A commit as the host knows it: the accounts it links the commit's author and committer to (null when the e-mail
 * address is linked to none), and its own verification of the signature (null when it did not say).
 */
export interface HostCommit {
  sha: string;
  authorLogin: string | null;
  committerLogin: string | null;
  verified: boolean | null;
  /** The host's reason (`valid`, `unsigned`, `unknown_key`, ...): an open set. */
  reason: string | null;
}

/** An answer relied on, kept as evidence: the request, and the body's canonical JSON digest and value. */
export interface RecordedResponse {
  request: string;
  digest: string;
  body: unknown;
}

/** The rules in force on a branch, as far as the host let them be read; null where it did not say. */
export interface BranchRules {
  /** Whether any rules could be read (rulesets, or classic branch protection). */
  known: boolean;
  requiredApprovals: number | null;
  dismissStaleReviews: boolean | null;
  requireLastPushApproval: boolean | null;
  requiredChecks: string[];
  requiredSignatures: boolean | null;
  linearHistory: boolean | null;
  forcePushesBlocked: boolean | null;
  enforceAdmins: boolean | null;
  /** Changes must pass a merge queue. */
  mergeQueue: boolean | null;
  /**
   * Who may bypass the rules, each as `TYPE ID (MODE)` or `KIND NAME`: empty when none may; null when the host did not
   * show it (a ruleset's bypass actors are shown only to those who may edit it).
   */
  bypassActors: string[] | null;
}

/**
 * A code host asked how each change landed (docs/changes.md, "From GitHub"): implemented for GitHub by
 * src/transport/github/changes.ts. Every method rejects with the transport's error when the host cannot be asked.
 */
export interface ChangeHost {
  readonly name: 'github';
  /** OWNER/NAME. */
  readonly repository: string;
  /** The branch's rules at the time of asking; without a branch, the repository's default branch's. */
  rules(branch?: string): Promise<{ branch: string; rules: BranchRules; responses: RecordedResponse[] }>;
  /**
   * The pull requests of a commit (and the one its message names), and, of a merged one, its reviews, the checks on
   * its head and its head commit.
   */
  answersFor(
    commit: string,
    named: number | null,
  ): Promise<{
    pullRequests: HostPullRequest[];
    reviews: HostReview[];
    checks: HostCheck[];
    /** The last commit of the merged pull request, as the host lists it; null when not found. */
    headCommit: HostCommit | null;
    /** Lists read only to their cap, each named: the facts are computed on what was read, and say so. */
    incomplete: string[];
    responses: RecordedResponse[];
  }>;
  /** The check runs and commit statuses of a commit. */
  checksOf(commit: string): Promise<{ checks: HostCheck[]; incomplete: string[]; responses: RecordedResponse[] }>;
  /**
   * The commits reachable from `to`, newest first, until every one of `wanted` was listed or the cap was reached:
   * what the host verified of each signature.
   */
  commitsOf(
    to: string,
    wanted: ReadonlySet<string>,
  ): Promise<{ commits: HostCommit[]; complete: boolean; responses: RecordedResponse[] }>;
}

import { safeParseBounded } from './issues.js';
import * as z from 'zod';

import { isRfc3339 } from './time.js';

/** SARIF security-severity bands, most severe first (GitHub's: critical ≥ 9.0, high ≥ 7.0, medium ≥ 4.0, low > 0.0). */
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

/**
 * The typed summary each collector writes into its manifest entry. They live
 * in core because the verifier validates them and the policy engine reads them.
 */
const count = z.number().int().nonnegative();

export const sbomSummarySchema = z.strictObject({
  format: z.enum(['cyclonedx', 'spdx']),
  specVersion: z.string().min(1),
  components: count,
  /** Distinct SPDX license ids (and LicenseRef-…) found, sorted. */
  licenses: z.array(z.string().min(1)),
  /** Components with no license information at all. */
  unlicensed: count,
  /**
   * Deviations from the format's specification that were tolerated because
   * they do not change the document's meaning (absent when there are none):
   * how many, and the first MAX_CONFORMANCE_FINDINGS of them.
   */
  conformance: z
    .strictObject({
      count: z.number().int().positive(),
      findings: z
        .array(z.strictObject({ path: z.string().min(1), rule: z.string().min(1), value: z.string() }))
        .min(1)
        .max(100),
    })
    .optional(),
});
export const MAX_CONFORMANCE_FINDINGS = 100;
export type SbomSummary = z.infer<typeof sbomSummarySchema>;

export const sarifSummarySchema = z.strictObject({
  tools: z.array(z.string()),
  results: count,
  levels: z.strictObject({ error: count, warning: count, note: count, none: count }),
  severities: z.strictObject({ critical: count, high: count, medium: count, low: count }),
});
export type SarifSummary = z.infer<typeof sarifSummarySchema>;

export const junitSummarySchema = z.strictObject({
  tests: count,
  passed: count,
  failed: count,
  errored: count,
  skipped: count,
  durationSeconds: z.number().nonnegative(),
});
export type JunitSummary = z.infer<typeof junitSummarySchema>;

/**
 * An existing Sigstore bundle taken into the evidence (`collect --attestation`),
 * such as the build's SLSA provenance. `signer` is who was verified to have
 * signed it at collection; `evidence verify` checks it again against that signer.
 */
export const attestationSummarySchema = z.strictObject({
  mediaType: z.string().min(1),
  content: z.enum(['dsse', 'message-signature']),
  payloadType: z.string().optional(),
  predicateType: z.string().optional(),
  subjects: z.array(z.strictObject({ name: z.string().optional(), digest: z.record(z.string(), z.string()) })),
  signer: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('certificate'), identity: z.string(), issuer: z.string() }),
    z.strictObject({ kind: z.literal('public-key'), keyHint: z.string() }),
  ]),
  tlogEntries: count,
  timestamps: count,
});
export type AttestationSummary = z.infer<typeof attestationSummarySchema>;

const ratio = z.number().min(0).max(1);
const seconds = z.number().nonnegative();
/** UTC, as the collectors write it, naming a real instant (core/time.ts). */
const RFC3339 = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/)
  .refine(isRfc3339, 'must name a real instant');

/** DORA's four keys at one instant (docs/metrics.md). Null where there is nothing to measure. */
export const doraSummarySchema = z.strictObject({
  asOf: RFC3339,
  environment: z.string().min(1),
  windowDays: z.number().positive(),
  deployments: count,
  deploymentsPerDay: z.number().nonnegative(),
  band: z.enum(['daily', 'weekly', 'monthly', 'yearly', 'none']),
  commits: count,
  leadTimeSeconds: z.strictObject({ median: seconds.nullable(), p90: seconds.nullable() }),
  changeFailureRate: ratio.nullable(),
  failedDeployments: count,
  timeToRestoreSeconds: z.strictObject({ median: seconds.nullable() }),
  incidents: count,
  resolvedIncidents: count,
  /**
   * Incidents opened in the window that name no commit; when any, changeFailureRate is null (not measured).
   * Absent without an incidents file, and in bundles made before it was recorded: not recorded, never read as 0.
   */
  unattributedIncidents: count.optional(),
});
export type DoraSummary = z.infer<typeof doraSummarySchema>;

export const BURN_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;

/** SLOs evaluated at one instant from Prometheus (docs/metrics.md). */
export const sloSummarySchema = z.strictObject({
  asOf: RFC3339,
  /** False when taken from a saved snapshot (--slo-snapshot) rather than queried live. */
  live: z.boolean(),
  slos: z.array(
    z.strictObject({
      name: z.string().min(1),
      service: z.string().optional(),
      objective: ratio,
      period: z.string().min(1),
      sli: ratio,
      errorBudget: z.strictObject({ total: ratio, consumed: z.number().nonnegative(), remaining: z.number() }),
      burnRates: z.strictObject(
        Object.fromEntries(BURN_WINDOWS.map((w) => [w, z.number().nonnegative()])) as Record<
          (typeof BURN_WINDOWS)[number],
          z.ZodNumber
        >,
      ),
      alerts: z.strictObject({ page: z.boolean(), ticket: z.boolean() }),
    }),
  ),
});
export type SloSummary = z.infer<typeof sloSummarySchema>;

/** A k6 run's end-of-test summary. Durations in milliseconds. */
export const k6SummarySchema = z.strictObject({
  checks: z.strictObject({ passed: count, failed: count }),
  thresholds: z.strictObject({ passed: z.array(z.string()), failed: z.array(z.string()) }),
  httpReqDuration: z.strictObject({
    p90: z.number().nonnegative().nullable(),
    p95: z.number().nonnegative().nullable(),
    p99: z.number().nonnegative().nullable(),
  }),
  httpReqFailedRate: ratio.nullable(),
  /**
   * What the run did: the `iterations` and `http_reqs` counters' counts, null when the summary has no such metric (k6
   * leaves out a metric it never observed). Absent in bundles from before it was recorded: not recorded, never read
   * as a run that did something or nothing. A run that counted no iteration, no request and no check holds nothing
   * (docs/metrics.md).
   */
  samples: z.strictObject({ iterations: count.nullable(), httpReqs: count.nullable() }).optional(),
});
export type K6Summary = z.infer<typeof k6SummarySchema>;

/** `terraform show -json` of a plan: resource changes by action. */
export const terraformSummarySchema = z.strictObject({
  terraformVersion: z.string().optional(),
  changes: z.strictObject({ create: count, update: count, delete: count, replace: count, noop: count, read: count }),
  destructive: z.boolean(),
  /** Addresses of resources deleted or replaced (at most 100). */
  destructiveAddresses: z.array(z.string()),
  /**
   * The plan's own `errored`, `complete` and `applyable` (Terraform writes `errored` since 1.5, `complete` and
   * `applyable` since 1.8), each absent when the plan does not state it or the bundle predates them: not recorded,
   * never read as true. An errored or incomplete plan does not list every change (docs/metrics.md).
   */
  errored: z.boolean().optional(),
  complete: z.boolean().optional(),
  applyable: z.boolean().optional(),
});
export type TerraformSummary = z.infer<typeof terraformSummarySchema>;

/** SQL migrations: destructive statements with file and line. */
export const migrationsSummarySchema = z.strictObject({
  files: count,
  statements: count,
  destructive: z.array(
    z.strictObject({ file: z.string(), line: z.number().int().positive(), kind: z.string(), statement: z.string() }),
  ),
});
export type MigrationsSummary = z.infer<typeof migrationsSummarySchema>;

/** Line and branch coverage (lcov, Cobertura, istanbul json-summary). Ratios 0–1, null when not measured. */
export const coverageSummarySchema = z.strictObject({
  format: z.enum(['lcov', 'cobertura', 'istanbul-json-summary']),
  lines: z.strictObject({ covered: count, total: count, ratio: ratio.nullable() }),
  branches: z.strictObject({ covered: count, total: count, ratio: ratio.nullable() }),
});
export type CoverageSummary = z.infer<typeof coverageSummarySchema>;

/** A git commit id: 40 hexadecimal digits (SHA-1) or 64 (SHA-256). */
const commitId = z.string().regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, 'must be a full git commit id');

/**
 * One change a release brings: a commit on the release's first-parent line
 * and, for a merge, the commits it brought in (docs/changes.md). The fields
 * that only the code host can show (approvals, checks, how it was pushed)
 * are null until they were asked: null is "not checked", never "no".
 */
export const changeSchema = z.strictObject({
  /** The commit that landed the change on the first-parent line. */
  commit: commitId,
  /** That commit's committer date. */
  landedAt: RFC3339,
  /** `merge`: a merge commit, with the commits it brought in; `commit`: one commit (a squash, a rebase, or a push). */
  via: z.enum(['merge', 'commit']),
  /** The pull request the commit message names (GitHub's merge message, or a title ending in `(#N)`); null if none. */
  pullRequest: z.number().int().positive().nullable(),
  title: z.string().max(200),
  /** Every commit of the change, the landing commit first. */
  commits: z.array(commitId).min(1),
  /** Authors and co-authors of the change's work (not the merge commit's), lower-case e-mail addresses. */
  authors: z.array(z.string()),
  /** Who committed the landing commit (for a merge: who merged). */
  mergedBy: z.string(),
  /** Every commit's signature verified (git's %G? is G). */
  signed: z.boolean(),
  unsignedCommits: count,
  /** Reviewed-by, Approved-by and Acked-by trailers: who the messages say approved, lower-case e-mail or name. */
  trailerApprovers: z.array(z.string()),
  /** A trailer approver who is not an author: what the commit messages claim, not what a host enforced. */
  trailerApprovedByOther: z.boolean(),
  /** A trailer named as an emergency marker (`--emergency-trailer`) is on one of its commits. */
  emergency: z.boolean(),
  /** Only the code host can show these: null when it was not asked (git alone). */
  approvedByOther: z.boolean().nullable(),
  /**
   * Approved before the merge by someone other than the author and other than whoever committed the merged head (the
   * last push, as far as the host shows it): null when the host links that commit to no account.
   */
  approvedByOtherThanCommitter: z.boolean().nullable(),
  approvedOnMergedHead: z.boolean().nullable(),
  approvedBeforeMerge: z.boolean().nullable(),
  checksPassed: z.boolean().nullable(),
  directPush: z.boolean().nullable(),
  /** The host verified the signature of every commit of the change (GitHub's `verification.verified`). */
  hostVerified: z.boolean().nullable(),
  /** What the code host showed, when it was asked (docs/changes.md, "From GitHub"). */
  host: z
    .strictObject({
      /** The merged pull request whose merge commit is this change's commit; null when none is. */
      pullRequest: z.number().int().positive().nullable(),
      /** Who approved (at any time), logins, sorted. */
      approvers: z.array(z.string()),
      labels: z.array(z.string()),
      /** The account that committed the merged head, as the host links it; null when it links none. */
      headCommitter: z.string().nullable(),
      /** Where the checks passed: on the merged head, or on the commit that landed (a merge queue's); null if neither. */
      checksOn: z.enum(['merged-head', 'landed-commit']).nullable(),
      /** The commits whose signature the host did not verify, with its reason (`unsigned`, `unknown_key`, ...). */
      unverified: z.array(z.strictObject({ commit: commitId, reason: z.string() })),
      /** Answers that disagree with git or leave a fact unknown. */
      problems: z.array(z.string()),
      /** The digests of the answers relied on (kept whole in the blob). */
      responses: z.array(z.string().regex(/^sha256:[0-9a-f]{64}$/)),
    })
    .optional(),
});
export type ChangeSummary = z.infer<typeof changeSchema>;

/** The facts of a change only a code host can show: null until it was asked (docs/changes.md). */
export const HOST_CHANGE_FACTS = [
  'approvedByOther',
  'approvedByOtherThanCommitter',
  'approvedOnMergedHead',
  'approvedBeforeMerge',
  'checksPassed',
  'directPush',
  'hostVerified',
] as const satisfies readonly (keyof ChangeSummary)[];

/** Every change between two commits of one repository (docs/changes.md). */
export const changesSummarySchema = z.strictObject({
  /** Where the facts come from: git alone, or git and GitHub. */
  source: z.enum(['git', 'git+github']),
  range: z.strictObject({
    /** The commit the range starts after (excluded); null from the first commit. */
    from: commitId.nullable(),
    /** The released commit (included). */
    to: commitId,
    /** As given (`v1.3.0`, `HEAD`), or as `auto` found it. */
    fromRef: z.string().nullable(),
    toRef: z.string().min(1),
    /** Whether the start was found as the previous tag (`--changes auto`). */
    auto: z.boolean(),
  }),
  totals: z.strictObject({
    changes: count,
    commits: count,
    pullRequests: count,
    merges: count,
    signedChanges: count,
    unsignedCommits: count,
    trailerApprovedByOther: count,
    emergencies: count,
  }),
  changes: z.array(changeSchema),
  /** The code host asked, when one was: which repository, when, and the target branch's rules then. */
  host: z
    .strictObject({
      name: z.literal('github'),
      repository: z.string().min(1),
      branch: z.string().min(1),
      askedAt: RFC3339,
      rules: z.strictObject({
        known: z.boolean(),
        requiredApprovals: count.nullable(),
        dismissStaleReviews: z.boolean().nullable(),
        requireLastPushApproval: z.boolean().nullable(),
        requiredChecks: z.array(z.string()),
        requiredSignatures: z.boolean().nullable(),
        linearHistory: z.boolean().nullable(),
        forcePushesBlocked: z.boolean().nullable(),
        enforceAdmins: z.boolean().nullable(),
        /** Changes must pass a merge queue. */
        mergeQueue: z.boolean().nullable(),
        /** Who may bypass the rules; null when the host did not show it (docs/changes.md). */
        bypassActors: z.array(z.string()).nullable(),
      }),
      /** The digests of the answers all changes rely on: the rules, and the list of commits with their verification. */
      responses: z.array(z.string().regex(/^sha256:[0-9a-f]{64}$/)),
    })
    .optional(),
});
export type ChangesSummary = z.infer<typeof changesSummarySchema>;

const findingSeverityCounts = z.strictObject({
  critical: count,
  high: count,
  medium: count,
  low: count,
  unknown: count,
});

/** A scanner's own report (`--scan`): which scanner, and its findings by normalised severity. */
export const scanSummarySchema = z.strictObject({
  format: z.enum(['grype', 'trivy', 'osv-scanner', 'npm-audit', 'zap']),
  scanner: z.strictObject({ name: z.string().min(1), version: z.string().optional() }),
  findings: count,
  severities: findingSeverityCounts,
});
export type ScanSummary = z.infer<typeof scanSummarySchema>;

const vexStatusCounts = z.strictObject({
  not_affected: count,
  affected: count,
  fixed: count,
  under_investigation: count,
});

/** A VEX document (`--vex`): its format, id, author and statements by status. */
export const vexSummarySchema = z.strictObject({
  format: z.enum(['openvex', 'csaf', 'cyclonedx']),
  id: z.string().min(1),
  author: z.string().optional(),
  timestamp: z.string().refine(isRfc3339, 'an RFC 3339 date-time').optional(),
  statements: count,
  statuses: vexStatusCounts,
});
export type VexSummary = z.infer<typeof vexSummarySchema>;

/** CISA's Known Exploited Vulnerabilities catalog (`--kev`). */
export const kevSummarySchema = z.strictObject({
  catalogVersion: z.string().min(1),
  dateReleased: z.string().min(1),
  vulnerabilities: count,
});
export type KevSummary = z.infer<typeof kevSummarySchema>;

/**
 * The release's vulnerabilities, made by collect from the scans, VEX documents and KEV catalog (formats/
 * vulnerability-evidence.ts): counts by severity and disposition, what is still open, and the not_affected findings
 * with their justifications (the first 200).
 */
export const vulnerabilitiesSummarySchema = z.strictObject({
  findings: count,
  severities: findingSeverityCounts,
  statuses: vexStatusCounts.extend({ none: count }),
  open: findingSeverityCounts,
  knownExploited: count,
  knownExploitedOpen: count,
  withoutPurl: count,
  notAffected: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        purl: z.string().optional(),
        severity: z.enum(['critical', 'high', 'medium', 'low', 'unknown']),
        justification: z.string().optional(),
        impact: z.string().optional(),
        /** Who said so: the VEX document's author, and the VEX entry it is in. */
        by: z.string().optional(),
        from: z.string().optional(),
      }),
    )
    .max(200),
  /** Findings whose disposition other statements contradict (each finding's `conflicts` in the document). */
  conflicted: count,
  /** The purls the release is known as, that VEX statements were matched against. */
  products: z.array(z.string().min(1)).max(101),
  scans: count,
  vexDocuments: count,
});
export type VulnerabilitiesSummary = z.infer<typeof vulnerabilitiesSummarySchema>;

/** The release's dispositions as OpenVEX, made by collect (signed as a standard statement). */
export const openvexSummarySchema = z.strictObject({ statements: count, statuses: vexStatusCounts });
export type OpenvexSummary = z.infer<typeof openvexSummarySchema>;

/** `--file F=KIND`: any file; nothing is read from it but its bytes. */
export const fileSummarySchema = z.strictObject({});
export type FileSummary = z.infer<typeof fileSummarySchema>;

/**
 * Kinds whose summary is produced by a dedicated collector. A user-named kind
 * (`--file notes.md=release-notes`) may not take one of these names, so a
 * policy reading `sbom` can rely on the summary's shape.
 */
export const summarySchemas = {
  sbom: sbomSummarySchema,
  sarif: sarifSummarySchema,
  junit: junitSummarySchema,
  attestation: attestationSummarySchema,
  dora: doraSummarySchema,
  slo: sloSummarySchema,
  k6: k6SummarySchema,
  terraform: terraformSummarySchema,
  migrations: migrationsSummarySchema,
  coverage: coverageSummarySchema,
  changes: changesSummarySchema,
  scan: scanSummarySchema,
  vex: vexSummarySchema,
  kev: kevSummarySchema,
  vulnerabilities: vulnerabilitiesSummarySchema,
  openvex: openvexSummarySchema,
} as const;

export type CollectedKind = keyof typeof summarySchemas;

export function isCollectedKind(kind: string): kind is CollectedKind {
  return Object.prototype.hasOwnProperty.call(summarySchemas, kind);
}

/** Every kind a collector of its own writes. */
export function collectedKinds(): CollectedKind[] {
  return Object.keys(summarySchemas) as CollectedKind[];
}

/**
 * The kind an entry stands as: its kind, except that an entry the file collector took under the name of a kind that
 * has (or later got) a collector of its own (`--file x=scan` in a bundle made before `--scan` existed) stands as a
 * plain file: its summary is the file's, and nothing reads it as that kind's evidence.
 */
export function entryKind(entry: { kind: string; collector: { name: string } }): string {
  return entry.collector.name === 'file' && isCollectedKind(entry.kind) ? 'file' : entry.kind;
}

export function summarySchemaFor(kind: string): z.ZodType {
  return isCollectedKind(kind) ? summarySchemas[kind] : fileSummarySchema;
}

export type SummaryOf<K extends CollectedKind> = z.infer<(typeof summarySchemas)[K]>;

/** An entry's summary with its kind, typed: what `readSummary` returns. */
export type TypedSummary = { [K in CollectedKind]: { kind: K; summary: SummaryOf<K> } }[CollectedKind];

/**
 * The one way the verifier, policy, diff and reports read an entry's summary:
 * typed by its kind, or undefined when the kind has no collector or the
 * summary has not that kind's shape (a manifest read before, or without,
 * validation is untrusted data). Never throws.
 */
export function readSummary(entry: { kind: string; summary?: unknown }): TypedSummary | undefined {
  if (!isCollectedKind(entry.kind)) return undefined;
  const parsed = safeParseBounded(summarySchemas[entry.kind], entry.summary);
  return parsed.success ? ({ kind: entry.kind, summary: parsed.data } as TypedSummary) : undefined;
}

/**
 * The typed summaries of every entry of one kind, with their entries; entries whose summary does not read are left out.
 */
export function summariesOf<K extends CollectedKind, E extends { kind: string; summary?: unknown }>(
  entries: readonly E[],
  kind: K,
): { entry: E; summary: SummaryOf<K> }[] {
  const out: { entry: E; summary: SummaryOf<K> }[] = [];
  for (const entry of entries) {
    if (entry.kind !== kind) continue;
    const parsed = safeParseBounded(summarySchemas[kind], entry.summary);
    if (parsed.success) out.push({ entry, summary: parsed.data as SummaryOf<K> });
  }
  return out;
}

/**
 * What a policy evaluation found, as data: part of the verification report
 * (`report.policy`) and what the text, Markdown, HTML and VSA outputs show.
 */
export interface PolicyResult {
  /** True when every requirement and rule passed or was waived. */
  ok: boolean;
  policy: { path: string; digest: string };
  /** Instant the policy was evaluated at (for waivers' expiry and maxAge). */
  evaluatedAt: string;
  requirements: RequirementResult[];
  rules: RuleResult[];
  crossChecks: CrossCheckResult[];
  /** Signer identity rules: not checked for an unsigned (integrity-only) bundle. */
  identity: { status: 'pass' | 'fail' | 'not-checked' | 'none'; message: string };
  /**
   * What evidence the bundle held when the policy was evaluated: entries per
   * kind, and whether its signature was verified. Controls are shown only on
   * evidence that is there (src/verifier/controls/).
   */
  evidence: { kinds: Record<string, number>; signed: boolean };
}

export interface RequirementResult {
  kind: string;
  status: 'pass' | 'fail';
  message: string;
  /** How many entries of the kind the bundle has. */
  count: number;
  /** How many of them hold nothing to judge (a test report without tests: src/verifier/policy/hollow.ts). */
  empty?: number;
  maxAge?: string;
  /** The controls the policy says this requirement evidences (absent in reports from before 0.2). */
  controls?: string[];
}

export interface RuleResult {
  name: string;
  expr: string;
  /** `error`: the rule did not evaluate to a boolean (reported, and fails the policy). */
  status: 'pass' | 'fail' | 'waived' | 'error';
  /** Why an `error`: the rule's cost budget or the policy's time ran out. */
  code?: 'POLICY_RULE_COST_EXCEEDED' | 'POLICY_TIME_EXCEEDED';
  message: string;
  controls: string[];
  /**
   * The evidence lists the rule reads and how many entries each held (`empty`: how many of those hold nothing to judge),
   * then the lists inside entries it read as it ran (`sbom.licenses`: their elements together, how many lists, how
   * many of them empty). A rule over empty lists shows nothing.
   */
  reads: { kind: string; count: number; lists?: number; empty?: number }[];
  waiver?: { reason: string; expires: string; expired: boolean };
}

export interface CrossCheckResult {
  name: string;
  /** `not-checked`: evidence it must read could not be read here (a blob too large to hold); the policy fails. */
  status: 'pass' | 'fail' | 'not-applicable' | 'not-checked';
  message: string;
  /** The controls the policy says this cross-check evidences (absent in reports from before 0.2). */
  controls?: string[];
}

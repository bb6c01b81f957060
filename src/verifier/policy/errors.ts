import { EvidenceError } from '../../core/error.js';
import { withIssues, type Issue } from '../../core/issues.js';
/** A policy that cannot be used: unreadable, invalid, or a rule that does not evaluate to a boolean. Exit 2. */
export type PolicyErrorCode = 'POLICY_NOT_FOUND' | 'POLICY_INVALID' | 'POLICY_RULE_INVALID' | 'POLICY_TOO_LARGE';

export class PolicyError extends EvidenceError<PolicyErrorCode> {
  readonly path?: string;
  readonly issues: Issue[];
  constructor(code: PolicyErrorCode, message: string, options: { path?: string; issues?: Issue[] } = {}) {
    const issues = options.issues ?? [];
    super('PolicyError', code, withIssues(message, issues));
    if (options.path !== undefined) this.path = options.path;
    this.issues = issues;
  }
}

import * as z from 'zod';
import type { TerraformSummary } from '../core/summaries.js';
import { PACKAGE_VERSION } from '../version.js';
import { outputFor, parseJsonAs, readInput, type Collector } from './collector.js';
import { CollectError, type InputIssue } from './errors.js';

export const TERRAFORM_MEDIA_TYPE = 'application/json';

/** At most this many destructive addresses are listed in the summary. */
export const MAX_DESTRUCTIVE_ADDRESSES = 100;

/**
 * `terraform show -json PLANFILE` (also OpenTofu's `tofu show -json`), as
 * described in Terraform's "JSON Output Format" (internals/json-format):
 * `format_version` ("0.1" from Terraform 0.12, "1.x" since 1.1; a major
 * version other than 0 or 1 is refused, as the format's rules ask),
 * `terraform_version`, `planned_values`, and `resource_changes[]`, each with
 * `address` and `change.actions`. Terraform leaves `resource_changes` out
 * when nothing changes. `resource_drift` (changes made outside Terraform) is
 * not counted.
 *
 * Actions, as Terraform's jsonplan writes them: ["no-op"], ["create"],
 * ["read"], ["update"], ["delete"], ["delete","create"] and
 * ["create","delete"] (replace, destroy-before-create or
 * create-before-destroy), and since Terraform 1.7 ["forget"] (a `removed`
 * block with `destroy = false`: dropped from state, the object left alone) and
 * ["create","forget"]. A forget is not destructive; the summary has no bucket
 * for it, so ["forget"] is counted nowhere and ["create","forget"] as a create.
 *
 * The plan's `errored` (Terraform 1.5+), `complete` and `applyable` (1.8+) are
 * recorded as the plan states them, absent when it does not. A plan with
 * `"errored": true` is refused (TERRAFORM_PLAN_ERRORED): planning failed, so its
 * `resource_changes` are only what was planned before the failure, and such a
 * plan cannot be applied; it is not the plan of a change. An incomplete plan
 * (`"complete": false`: some changes deferred to a later plan) is collected,
 * and holds nothing as evidence of what the change does (policy/hollow.ts).
 * `"applyable": false` without an error is a plan with nothing to change.
 */
export const terraformCollector: Collector = {
  name: 'terraform',
  version: PACKAGE_VERSION,
  async collect(input) {
    const bytes = await readInput(input);
    const plan = parseJsonAs(input, bytes, planSchema, 'TERRAFORM_PLAN_INVALID', PLAN_INVALID);
    const issues: InputIssue[] = [];
    const major = /^(\d+)\.\d+/.exec(plan.format_version)?.[1];
    if (major !== '0' && major !== '1') {
      issues.push({
        path: '$.format_version',
        message: `format version "${plan.format_version}" is not supported (1.x and 0.1 are)`,
      });
    }
    if (plan.planned_values === undefined && plan.resource_changes === undefined) {
      // A state file (`terraform show -json` of a state) has `values` instead.
      issues.push({
        path: '$.planned_values',
        message:
          'missing: this is not the JSON of a plan' + (plan.values !== undefined ? ' (it looks like a state)' : ''),
      });
    }
    const changes = { create: 0, update: 0, delete: 0, replace: 0, noop: 0, read: 0 };
    const destructive = new Set<string>();
    (plan.resource_changes ?? []).forEach((rc, i) => {
      const bucket = bucketOf(rc.change.actions);
      if (bucket === undefined) {
        issues.push({
          path: `$.resource_changes[${i}].change.actions`,
          message: `${JSON.stringify(rc.change.actions)} is not a Terraform plan action`,
        });
        return;
      }
      if (bucket === 'forget') return;
      changes[bucket]++;
      if (bucket === 'delete' || bucket === 'replace') destructive.add(rc.address);
    });
    if (issues.length > 0) throw invalid(input.label, issues);
    if (plan.errored === true)
      throw new CollectError(
        'TERRAFORM_PLAN_ERRORED',
        `${input.label}: an errored plan: planning failed, so it lists only the changes planned before the error and cannot be applied; collect the plan of a terraform plan that succeeded`,
        { file: input.label, issues: [{ path: '$.errored', message: 'is true' }] },
      );
    const summary: TerraformSummary = {
      ...(plan.terraform_version !== undefined ? { terraformVersion: plan.terraform_version } : {}),
      changes,
      destructive: destructive.size > 0,
      destructiveAddresses: [...destructive].sort(compare).slice(0, MAX_DESTRUCTIVE_ADDRESSES),
      ...(plan.errored !== undefined ? { errored: plan.errored } : {}),
      ...(plan.complete !== undefined ? { complete: plan.complete } : {}),
      ...(plan.applyable !== undefined ? { applyable: plan.applyable } : {}),
    };
    return outputFor(bytes, 'terraform', TERRAFORM_MEDIA_TYPE, { ...summary });
  },
};

const planSchema = z.looseObject({
  format_version: z.string().regex(/^\d+\.\d+/, 'expected a version such as "1.2"'),
  terraform_version: z.string().min(1).optional(),
  planned_values: z.looseObject({}).optional(),
  values: z.unknown().optional(),
  errored: z.boolean().optional(),
  complete: z.boolean().optional(),
  applyable: z.boolean().optional(),
  resource_changes: z
    .array(
      z.looseObject({
        address: z.string().min(1),
        mode: z.enum(['managed', 'data']).optional(),
        type: z.string().optional(),
        name: z.string().optional(),
        deposed: z.string().optional(),
        change: z.looseObject({ actions: z.array(z.string()).min(1) }),
      }),
    )
    .optional(),
});

type Bucket = keyof TerraformSummary['changes'] | 'forget';

function bucketOf(actions: string[]): Bucket | undefined {
  switch (actions.join(',')) {
    case 'create':
      return 'create';
    case 'update':
      return 'update';
    case 'delete':
      return 'delete';
    case 'delete,create':
    case 'create,delete':
      return 'replace';
    case 'no-op':
      return 'noop';
    case 'read':
      return 'read';
    case 'create,forget':
      return 'create';
    case 'forget':
      return 'forget';
    default:
      return undefined;
  }
}

const PLAN_INVALID = 'not the JSON of a Terraform plan (terraform show -json)';

function invalid(label: string, issues: InputIssue[]): CollectError {
  return new CollectError('TERRAFORM_PLAN_INVALID', `${label}: ${PLAN_INVALID}`, { file: label, issues });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

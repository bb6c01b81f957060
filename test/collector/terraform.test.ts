import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CollectError } from '../../src/collector/errors.js';
import { terraformCollector } from '../../src/collector/terraform.js';
import { terraformSummarySchema } from '../../src/core/summaries.js';
import { fixture, useTmp } from '../helpers/tmp.js';

const err = (p: Promise<unknown>): Promise<CollectError> =>
  p.then(
    () => {
      throw new Error('accepted');
    },
    (e: CollectError) => e,
  );
const tmp = useTmp();

async function collectJson(value: unknown) {
  const file = join(await tmp(), 'plan.json');
  await writeFile(file, JSON.stringify(value));
  return terraformCollector.collect({ file, label: 'plan.json' });
}

const change = (address: string, ...actions: string[]) => ({ address, change: { actions } });

// Figures from test/fixtures/terraform/README.md, counted with jq (group_by on change.actions).
describe('terraform collector', () => {
  it.each([
    // Real Terraform 0.12.6 output (hashicorp/terraform-json test data, via Debian).
    [
      'terraform-0.12.6-basic.plan.json',
      {
        terraformVersion: '0.12.6',
        changes: { create: 7, update: 0, delete: 0, replace: 0, noop: 0, read: 1 },
        destructive: false,
        destructiveAddresses: [],
      },
    ],
    [
      'terraform-0.12.6-replace.plan.json',
      {
        terraformVersion: '0.12.6',
        changes: { create: 0, update: 0, delete: 0, replace: 1, noop: 1, read: 0 },
        destructive: true,
        destructiveAddresses: ['null_resource.bar'],
      },
    ],
    // Hand-written 1.2 format: a deposed delete shares aws_lb.front with a replace (listed once);
    // ["forget"] is counted nowhere; resource_drift and output_changes are not counted.
    [
      'terraform-1.9-all-actions.handwritten.plan.json',
      {
        terraformVersion: '1.9.5',
        changes: { create: 2, update: 1, delete: 2, replace: 2, noop: 1, read: 1 },
        destructive: true,
        destructiveAddresses: ['aws_db_instance.legacy', 'aws_instance.web[1]', 'aws_lb.front'],
        // As the plan states them (Terraform 1.8+).
        errored: false,
        complete: true,
        applyable: true,
      },
    ],
  ])('summarises %s', async (name, summary) => {
    const out = await terraformCollector.collect({ file: fixture(`terraform/${name}`), label: name });
    expect(out.kind).toBe('terraform');
    expect(out.mediaType).toBe('application/json');
    expect(out.summary).toEqual(summary);
    expect(terraformSummarySchema.safeParse(out.summary).success).toBe(true);
  });

  it('reads a plan with no changes (resource_changes left out) and no terraform_version', async () => {
    const out = await collectJson({ format_version: '1.2', planned_values: {} });
    expect(out.summary).toEqual({
      changes: { create: 0, update: 0, delete: 0, replace: 0, noop: 0, read: 0 },
      destructive: false,
      destructiveAddresses: [],
    });
  });

  it('lists at most 100 destructive addresses, sorted', async () => {
    const rcs = Array.from({ length: 150 }, (_, i) =>
      change(`null_resource.r[${String(i).padStart(3, '0')}]`, 'delete'),
    );
    const out = await collectJson({ format_version: '1.0', planned_values: {}, resource_changes: rcs.reverse() });
    const s = out.summary as { changes: { delete: number }; destructiveAddresses: string[] };
    expect(s.changes.delete).toBe(150);
    expect(s.destructiveAddresses).toHaveLength(100);
    expect(s.destructiveAddresses[0]).toBe('null_resource.r[000]');
    expect(s.destructiveAddresses[99]).toBe('null_resource.r[099]');
  });

  it('refuses unknown actions and malformed changes, naming each', async () => {
    const e = await err(
      collectJson({
        format_version: '1.2',
        planned_values: {},
        resource_changes: [
          change('a.b', 'create'),
          change('c.d', 'destroy'),
          change('e.f', 'update', 'create'),
          { address: 'g.h', change: {} },
          { change: { actions: ['create'] } },
        ],
      }),
    );
    expect(e.code).toBe('TERRAFORM_PLAN_INVALID');
    expect(e.issues.map((i) => i.path)).toEqual([
      '$.resource_changes[3].change.actions',
      '$.resource_changes[4].address',
    ]);
    const e2 = await err(
      collectJson({
        format_version: '1.2',
        planned_values: {},
        resource_changes: [change('c.d', 'destroy'), change('e.f', 'update', 'create')],
      }),
    );
    expect(e2.issues.map((i) => i.path)).toEqual([
      '$.resource_changes[0].change.actions',
      '$.resource_changes[1].change.actions',
    ]);
  });

  it('refuses an unsupported format major version, a state file and non-plans', async () => {
    expect((await err(collectJson({ format_version: '2.0', planned_values: {} }))).issues.map((i) => i.path)).toEqual([
      '$.format_version',
    ]);
    const state = await err(
      collectJson({ format_version: '1.0', terraform_version: '1.9.5', values: { root_module: {} } }),
    );
    expect(state.code).toBe('TERRAFORM_PLAN_INVALID');
    expect(state.issues.map((i) => i.path)).toEqual(['$.planned_values']);
    expect((await err(collectJson({ resource_changes: 'x' }))).issues.map((i) => i.path)).toEqual([
      '$.format_version',
      '$.resource_changes',
    ]);
    const notJson = join(await tmp(), 'plan.json');
    await writeFile(notJson, 'Terraform will perform the following actions:');
    expect((await err(terraformCollector.collect({ file: notJson, label: 'plan.json' }))).code).toBe('JSON_INVALID');
  });
});

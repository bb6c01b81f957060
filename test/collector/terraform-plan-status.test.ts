import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CollectError } from '../../src/collector/errors.js';
import { terraformCollector } from '../../src/collector/terraform.js';
import type { Manifest } from '../../src/core/manifest.js';
import { terraformSummarySchema } from '../../src/core/summaries.js';
import { describeSummary } from '../../src/present/text.js';
import { controlResults } from '../../src/verifier/controls/index.js';
import { evaluatePolicy, loadPolicy } from '../../src/verifier/policy/evaluate.js';
import { hollowWhy } from '../../src/verifier/policy/hollow.js';
import { baselineManifest } from '../helpers/craft.js';
import { summaryEntry } from '../helpers/entries.js';
import { useTmp } from '../helpers/tmp.js';

/**
 * Class: a plan that does not list every change it makes read as a plan of a safe change. Terraform states it in the
 * plan: `errored` (1.5+: planning failed), `complete` (1.8+: false when changes were deferred to a later plan) and
 * `applyable` (1.8+: false when errored, or when there is nothing to change). The summary records them as stated; an
 * errored plan is refused; an incomplete one holds nothing as evidence of what the change does.
 */
const tmp = useTmp();

async function collect(extra: Record<string, unknown>) {
  const file = join(await tmp(), 'plan.json');
  await writeFile(
    file,
    JSON.stringify({
      format_version: '1.2',
      terraform_version: '1.9.0',
      planned_values: { root_module: {} },
      resource_changes: [{ address: 'aws_s3_bucket.logs', change: { actions: ['update'] } }],
      ...extra,
    }),
  );
  return terraformCollector.collect({ file, label: 'plan.json' });
}

const changes = { create: 0, update: 1, delete: 0, replace: 0, noop: 0, read: 0 };

describe('a Terraform plan that states how planning went', () => {
  it('an errored plan is refused, naming the file and $.errored', async () => {
    // The outside review's reproduction (plan-errored.json): errored, not applyable, not complete.
    const e = (await collect({ errored: true, applyable: false, complete: false }).then(
      () => undefined,
      (x: unknown) => x,
    )) as CollectError;
    expect(e.code).toBe('TERRAFORM_PLAN_ERRORED');
    expect(e.file).toBe('plan.json');
    expect(e.issues).toEqual([{ path: '$.errored', message: 'is true' }]);
    expect(e.message).toMatch(/^plan\.json: an errored plan/);
  });

  it('records complete, applyable and errored as the plan states them, and only then', async () => {
    const full = await collect({ errored: false, applyable: true, complete: true });
    expect(full.summary).toMatchObject({ changes, errored: false, complete: true, applyable: true });
    const older = await collect({});
    expect(older.summary).not.toHaveProperty('complete');
    expect(older.summary).not.toHaveProperty('applyable');
    expect(older.summary).not.toHaveProperty('errored');
    // Nothing to change: not applyable, not errored; an ordinary plan.
    const nothing = await collect({ errored: false, applyable: false, complete: true, resource_changes: [] });
    expect(nothing.summary).toMatchObject({ applyable: false, complete: true });
    for (const s of [full, older, nothing]) expect(terraformSummarySchema.safeParse(s.summary).success).toBe(true);
  });

  it('an incomplete plan holds nothing: hollow, said in its line, and a rule over it shows nothing for its control', async () => {
    const out = await collect({ errored: false, applyable: true, complete: false });
    expect(out.summary).toMatchObject({ changes, destructive: false, complete: false });
    const e = summaryEntry('terraform', 1, out.summary);
    expect(hollowWhy(e)).toMatch(/incomplete/);
    expect(describeSummary('terraform', out.summary)).toMatch(/^INCOMPLETE PLAN .*: 0 create, 1 update/);
    const m: Manifest = { ...baselineManifest(), entries: [...baselineManifest().entries, e] };
    const loaded = loadPolicy(
      Buffer.from(
        JSON.stringify({
          version: 1,
          rules: [{ name: 'r', expr: 'terraform.all(t, !t.destructive)', controls: ['C'] }],
        }),
      ),
      'p',
    );
    const result = evaluatePolicy(loaded, { manifest: m, blobs: new Map(), mode: 'signed', now: new Date() });
    expect(result.rules[0]).toMatchObject({ status: 'pass', reads: [{ kind: 'terraform', count: 1, empty: 1 }] });
    expect(controlResults(result)[0]?.state).not.toBe('held');
    // A complete plan of the same change shows it; a summary from before these fields is read as it always was.
    const complete = summaryEntry('terraform', 2, { ...out.summary, complete: true });
    expect(hollowWhy(complete)).toBeUndefined();
    const old = { changes, destructive: false, destructiveAddresses: [] };
    expect(hollowWhy(summaryEntry('terraform', 3, old))).toBeUndefined();
    expect(describeSummary('terraform', old)).toBe('0 create, 1 update, 0 replace, 0 delete');
  });

  it('an errored plan in a bundle made otherwise holds nothing and says so', () => {
    const s = { changes, destructive: false, destructiveAddresses: [], errored: true, complete: false };
    expect(hollowWhy(summaryEntry('terraform', 1, s))).toMatch(/errored/);
    expect(describeSummary('terraform', s)).toMatch(/^ERRORED PLAN/);
  });
});

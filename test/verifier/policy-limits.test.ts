import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/core/manifest.js';
import { evaluatePolicy, loadPolicy, MAX_POLICY_RULES } from '../../src/verifier/policy/evaluate.js';
import { baselineManifest } from '../helpers/craft.js';
import { runCli } from '../helpers/io.js';
import { fixture, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

/** Class: policies that never end. Each rule has a cost budget, the whole policy a deadline, the policy file a size. */
function bigManifest(n: number): Manifest {
  const m = baselineManifest();
  const entry = m.entries[0] as Manifest['entries'][number];
  const entries = Array.from({ length: n }, (_, i) => ({ ...entry, path: `notes/n${String(i).padStart(6, '0')}.md` }));
  return { ...m, entries };
}

const policyOf = (rules: { name: string; expr: string }[]): ReturnType<typeof loadPolicy> =>
  loadPolicy(Buffer.from(JSON.stringify({ version: 1, rules })), 'p.json');

const ctx = (manifest: Manifest) => ({
  manifest,
  blobs: new Map(),
  mode: 'signed' as const,
  now: new Date('2026-11-29T00:00:00Z'),
});

describe('policy limits', () => {
  it('a quadratic rule over 50,000 entries stops at its cost budget, as an error that fails the policy', () => {
    const loaded = policyOf([
      { name: 'quadratic', expr: 'manifest.entries.all(a, manifest.entries.all(b, a.size >= 0 && b.size >= 0))' },
      { name: 'linear', expr: 'manifest.entries.all(a, a.size >= 0)' },
    ]);
    // The cost budget is under test here, not the clock: a loaded machine must not turn this into POLICY_TIME_EXCEEDED.
    const r = evaluatePolicy(loaded, ctx(bigManifest(50_000)), { timeMs: 600_000 });
    expect(r.ok).toBe(false);
    expect(r.rules.map((x) => [x.name, x.status, x.code])).toEqual([
      ['quadratic', 'error', 'POLICY_RULE_COST_EXCEEDED'],
      ['linear', 'pass', undefined],
    ]);
  });

  it('the budget counts nested lists too, and can be set', () => {
    const loaded = policyOf([{ name: 'n', expr: 'manifest.entries.all(a, a.path.size() > 0)' }]);
    expect(evaluatePolicy(loaded, ctx(bigManifest(100)), { ruleCost: 99 }).rules[0]?.code).toBe(
      'POLICY_RULE_COST_EXCEEDED',
    );
    expect(evaluatePolicy(loaded, ctx(bigManifest(100)), { ruleCost: 100 }).rules[0]?.status).toBe('pass');
  });

  it("lists a rule writes itself cost as the bundle's do: nested comprehensions over literals stop at the budget", () => {
    const hundred = `[${Array.from({ length: 100 }, (_, i) => i).join(', ')}]`;
    // 100^4 steps over lists of the policy's own (41 s before, unmetered); stopped after a million visits.
    const loaded = policyOf([
      {
        name: 'spin',
        expr: `${hundred}.all(a, ${hundred}.all(b, ${hundred}.all(c, ${hundred}.all(d, a + b + c + d >= 0))))`,
      },
    ]);
    expect(evaluatePolicy(loaded, ctx(bigManifest(1))).rules[0]).toMatchObject({
      status: 'error',
      code: 'POLICY_RULE_COST_EXCEEDED',
    });
    // A map is iterated by its keys, and costs one per key; the answers stay CEL's.
    const keys = policyOf([
      { name: 'm', expr: '{"a": 1, "b": 2}.all(k, k in ["a", "b"]) && [1, 2, 3].exists_one(x, x == 2)' },
    ]);
    // 2 keys, 1 + 2 elements read by the membership tests, 3 by exists_one.
    expect(evaluatePolicy(keys, ctx(bigManifest(1)), { ruleCost: 8 }).rules[0]?.status).toBe('pass');
    expect(evaluatePolicy(keys, ctx(bigManifest(1)), { ruleCost: 7 }).rules[0]?.code).toBe('POLICY_RULE_COST_EXCEEDED');
    // map and filter too.
    const built = policyOf([{ name: 'b', expr: '[1, 2, 3].map(x, x * 2).filter(y, y > 2).size() == 2' }]);
    expect(evaluatePolicy(built, ctx(bigManifest(1)), { ruleCost: 100 }).rules[0]?.status).toBe('pass');
    expect(evaluatePolicy(built, ctx(bigManifest(1)), { ruleCost: 4 }).rules[0]?.code).toBe(
      'POLICY_RULE_COST_EXCEEDED',
    );
  });

  it("a loop's body meets the clock and the budget too: membership in, and equality of, long lists a rule writes", () => {
    const many = `[${Array.from({ length: 10_000 }, (_, i) => i).join(', ')}]`;
    // Every element of the range is read before the loop runs: the body's own walks (10,000 x 10,000) count.
    const loaded = policyOf([
      { name: 'member', expr: `${many}.all(a, !(-1 in ${many}))` },
      { name: 'equal', expr: `${many}.all(a, ${many} == ${many})` },
    ]);
    expect(evaluatePolicy(loaded, ctx(bigManifest(1)), { timeMs: 600_000 }).rules.map((r) => r.code)).toEqual([
      'POLICY_RULE_COST_EXCEEDED',
      'POLICY_RULE_COST_EXCEEDED',
    ]);
    // With cost to spare, the clock stops it: read at the loop's steps, not only as its range is read.
    let now = 0;
    const clock = (): number => (now += 1);
    const timed = evaluatePolicy(
      policyOf([{ name: 'member', expr: `${many}.all(a, !(-1 in ${many}))` }]),
      ctx(bigManifest(1)),
      {
        timeMs: 50,
        clock,
        ruleCost: 1e12,
      },
    );
    expect(timed.rules[0]?.code).toBe('POLICY_TIME_EXCEEDED');
    // Membership answers as before; a map is looked up, not walked.
    const same = policyOf([
      { name: 's', expr: '2 in [1, 2, 3] && !(4 in [1, 2]) && "a" in {"a": 1} && [1, 2] == [1, 2]' },
    ]);
    // 2 + 2 elements read by the membership tests, none by the map's lookup, 4 by the equality.
    expect(evaluatePolicy(same, ctx(bigManifest(1)), { ruleCost: 8 }).rules[0]?.status).toBe('pass');
    expect(evaluatePolicy(same, ctx(bigManifest(1)), { ruleCost: 7 }).rules[0]?.code).toBe('POLICY_RULE_COST_EXCEEDED');
  });

  it('the whole policy has a deadline: the rule that runs past it and those after are errors', () => {
    let now = 0;
    const clock = (): number => (now += 1);
    const loaded = policyOf([
      { name: 'first', expr: 'size(manifest.entries) > 0' },
      { name: 'long', expr: 'manifest.entries.all(a, a.size >= 0)' },
      { name: 'after', expr: 'true' },
    ]);
    // Each clock read advances 1 ms; the deadline is 5 ms away.
    const r = evaluatePolicy(loaded, ctx(bigManifest(20_000)), { timeMs: 5, clock });
    expect(r.rules.map((x) => [x.name, x.status, x.code])).toEqual([
      ['first', 'pass', undefined],
      ['long', 'error', 'POLICY_TIME_EXCEEDED'],
      ['after', 'error', 'POLICY_TIME_EXCEEDED'],
    ]);
    expect(r.ok).toBe(false);
  });

  it('refuses a policy with too many rules, or too many bytes (POLICY_TOO_LARGE)', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => ({ name: `r${i}`, expr: 'true' }));
    expect(() => policyOf(many)).toThrow(expect.objectContaining({ code: 'POLICY_TOO_LARGE' }));
    expect(() =>
      policyOf(Array.from({ length: MAX_POLICY_RULES }, (_, i) => ({ name: `r${i}`, expr: 'true' }))),
    ).not.toThrow();
    expect(() => loadPolicy(Buffer.alloc(2 * 1024 * 1024, 0x20), 'big.yaml')).toThrow(
      expect.objectContaining({ code: 'POLICY_TOO_LARGE' }),
    );
  });

  it('on the command line: a costly rule exits 3 with its code; a policy too large exits 2', async () => {
    const dir = await tmp();
    expect(
      (
        await runCli(
          [
            'collect',
            '-o',
            'b.tar.gz',
            '--name',
            'a',
            '--version',
            '1',
            '--junit',
            fixture('junit/pytest.junit.xml'),
            '--sarif',
            fixture('sarif/eslint.sarif'),
            '-q',
          ],
          { cwd: dir },
        )
      ).code,
    ).toBe(0);
    await writeFile(
      join(dir, 'p.yaml'),
      'version: 1\nrules:\n  - name: pairs\n    expr: manifest.entries.all(a, manifest.entries.all(b, a.size >= 0))\n',
    );
    const r = await runCli(
      ['verify', 'b.tar.gz', '--integrity-only', '--policy', 'p.yaml', '--policy-max-cost', '3', '--json'],
      { cwd: dir },
    );
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).policy.rules[0]).toMatchObject({ status: 'error', code: 'POLICY_RULE_COST_EXCEEDED' });
    expect(
      (
        await runCli(['verify', 'b.tar.gz', '--integrity-only', '--policy', 'p.yaml', '--policy-max-cost', 'lots'], {
          cwd: dir,
        })
      ).code,
    ).toBe(2);
    await writeFile(
      join(dir, 'huge.yaml'),
      `version: 1\nrules:\n${Array.from({ length: 20_000 }, (_, i) => `  - name: r${i}\n    expr: "true"\n`).join('')}`,
    );
    const huge = await runCli(['verify', 'b.tar.gz', '--integrity-only', '--policy', 'huge.yaml'], { cwd: dir });
    expect(huge.code).toBe(2);
    expect(huge.stderr).toContain('[POLICY_TOO_LARGE]');
  });
});

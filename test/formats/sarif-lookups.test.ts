/**
 * A result's rule and its configuration override are looked up through maps made once per run (sixth review of issue
 * 26): per result, scanning every rule, every prefix of a hierarchical ruleId and every override was quadratic, in
 * collect and in verify (which reads a bundle's SARIF before trusting it). At these sizes the old lookups ran for
 * minutes, past the test's timeout; the answers are asserted, not the time.
 */
import { describe, expect, it } from 'vitest';
import { effectiveSarifLevel, sarifLogSchema } from '../../src/formats/sarif.js';

describe('SARIF rule lookups', () => {
  it('a hierarchical ruleId of many parts finds its rule by a leading component, and no more than it should', () => {
    const log = sarifLogSchema.parse({
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 't', rules: [{ id: 'CA2101', defaultConfiguration: { level: 'error' } }] } },
          results: [
            { ruleId: 'CA2101/1', message: { text: 'm' } },
            { ruleId: `CA2101/${'a/'.repeat(100_000)}x`, message: { text: 'm' } },
            { ruleId: 'CA2102/1', message: { text: 'm' } },
          ],
        },
      ],
    });
    const run = log.runs[0];
    if (!run) throw new Error('no run');
    // The second's rule is 100,001 parts up: past the prefixes looked up, it is not found (the default level).
    expect(run.results?.map((r) => effectiveSarifLevel(run, r))).toEqual(['error', 'warning', 'warning']);
  });

  it('many results over many rules and overrides take their override once per rule', () => {
    const rules = Array.from({ length: 100_000 }, (_, i) => ({ id: `r${i}`, defaultConfiguration: { level: 'note' } }));
    const log = sarifLogSchema.parse({
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 't', rules } },
          invocations: [
            {
              executionSuccessful: true,
              ruleConfigurationOverrides: Array.from({ length: 20_000 }, (_, i) => ({
                descriptor: { id: `r${i * 2}` },
                configuration: { level: 'error' },
              })),
            },
          ],
          results: Array.from({ length: 40_000 }, (_, i) => ({
            ruleId: i % 2 ? `r${i}` : `CVE-2026-${100000 + i}`,
            message: { text: 'm' },
            provenance: { invocationIndex: 0 },
          })),
        },
      ],
    });
    const run = log.runs[0];
    if (!run) throw new Error('no run');
    const levels = (run.results ?? []).map((r) => effectiveSarifLevel(run, r));
    expect(levels.filter((l) => l === 'note')).toHaveLength(20_000);
    expect(levels.filter((l) => l === 'warning')).toHaveLength(20_000);
    const overridden = sarifLogSchema.parse({
      ...log,
      runs: [{ ...run, results: [{ ruleId: 'r38000', message: { text: 'm' }, provenance: { invocationIndex: 0 } }] }],
    }).runs[0];
    if (!overridden) throw new Error('no run');
    expect(effectiveSarifLevel(overridden, (overridden.results ?? [])[0] as never)).toBe('error');
  });
});

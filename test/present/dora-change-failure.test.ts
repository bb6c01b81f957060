import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/core/manifest.js';
import { doraSummarySchema } from '../../src/core/summaries.js';
import { describeSummary } from '../../src/present/text.js';
import { evaluatePolicy, loadPolicy } from '../../src/verifier/policy/evaluate.js';
import { baselineManifest } from '../helpers/craft.js';
import { summaryEntry } from '../helpers/entries.js';

/**
 * Class: a figure shown as measured when the input could not measure it. An incident that names no commit may have
 * failed any deployment in the window, so the change failure rate is not known: it is not written as a figure, the
 * text says why, and a policy cannot read it as a pass.
 */
const base = {
  asOf: '2026-01-10T00:00:00Z',
  environment: 'production',
  windowDays: 30,
  deployments: 2,
  deploymentsPerDay: 2 / 30,
  band: 'monthly',
  commits: 2,
  leadTimeSeconds: { median: 3600, p90: 3600 },
  failedDeployments: 0,
  timeToRestoreSeconds: { median: 25200 },
  incidents: 2,
  resolvedIncidents: 1,
};
// The outside review's reproduction: two deployments, two incidents in the window, neither naming a commit.
const unattributed = { ...base, changeFailureRate: null, unattributedIncidents: 2 };

function policyOver(summary: object, expr: string) {
  const m: Manifest = {
    ...baselineManifest(),
    entries: [...baselineManifest().entries, summaryEntry('dora', 1, summary as Record<string, unknown>)],
  };
  const loaded = loadPolicy(Buffer.from(JSON.stringify({ version: 1, rules: [{ name: 'cfr', expr }] })), 'p.yaml');
  return () => evaluatePolicy(loaded, { manifest: m, blobs: new Map(), mode: 'signed', now: new Date() });
}

describe('the change failure rate when incidents name no commit', () => {
  it('is said to be not measured, with what is known', () => {
    expect(doraSummarySchema.safeParse(unattributed).success).toBe(true);
    expect(describeSummary('dora', unattributed)).toContain(
      'change failure rate NOT MEASURED: 2 incidents in the window name no commit (at least 0 of 2 deployments failed)',
    );
    const one = { ...unattributed, unattributedIncidents: 1 };
    expect(describeSummary('dora', one)).toContain('1 incident in the window names no commit');
  });

  it('is a figure when every incident names its commit; a bundle from before says what it did not record', () => {
    const measured = { ...base, changeFailureRate: 0.5, failedDeployments: 1, unattributedIncidents: 0 };
    expect(describeSummary('dora', measured)).toMatch(/change failure rate 50%$/);
    const old: Partial<typeof measured> = { ...measured };
    delete old.unattributedIncidents;
    expect(describeSummary('dora', { ...old, changeFailureRate: 0 })).toMatch(
      /change failure rate 0% \(whether every incident names its commit was not recorded\)$/,
    );
    expect(describeSummary('dora', { ...old, incidents: 0 })).toMatch(/change failure rate 50%$/);
  });

  it('cannot pass a policy: a bare comparison is a policy error, the documented rule fails', () => {
    expect(policyOver(unattributed, 'dora.all(d, d.changeFailureRate <= 0.15)')).toThrow(
      expect.objectContaining({ code: 'POLICY_RULE_INVALID' }),
    );
    const r = policyOver(unattributed, 'dora.all(d, d.changeFailureRate != null && d.changeFailureRate <= 0.15)')();
    expect(r.rules[0]?.status).toBe('fail');
    expect(r.ok).toBe(false);
  });
});

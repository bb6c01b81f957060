import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../cli/exit-codes.js';
import { PolicyError } from '../../src/verifier/policy/errors.js';
import { evaluatePolicy, loadPolicy, type LoadedPolicy } from '../../src/verifier/policy/evaluate.js';
import { baselineManifest } from '../helpers/craft.js';

/**
 * A waiver's `expires` is a real date or instant, read by core/time.ts, or the policy does not load: a waiver never
 * fails open.
 */

const policyWith = (expires: string): string => `version: 1
rules:
  - name: holds
    expr: "true"
  - name: fails
    expr: "false"
waivers:
  - rule: holds
    reason: fine
    expires: 2030-01-01
  - rule: fails
    reason: accepted until then
    expires: ${JSON.stringify(expires)}
`;

function loadError(text: string): PolicyError {
  try {
    loadPolicy(Buffer.from(text), 'policy.yaml');
  } catch (e) {
    if (e instanceof PolicyError) return e;
    throw e;
  }
  throw new Error('the policy loaded');
}

const ruleAt = (loaded: LoadedPolicy, now: string) =>
  evaluatePolicy(loaded, {
    manifest: baselineManifest(),
    blobs: new Map(),
    mode: 'signed',
    now: new Date(now),
  }).rules.find((r) => r.name === 'fails');

describe('waiver expiry dates', () => {
  it.each([
    ['2026-02-30'],
    ['2026-13-01'],
    ['2026-02-29'],
    ['2026-06-31'],
    ['tomorrow'],
    ['2026-06-31T25:00:00Z'],
    ['2026-06-30T24:00:00Z'],
    ['2026-06-30T23:59:60Z'],
    ['2026-06-30T12:00:00+24:00'],
    ['2026-06-30T12:00'],
    ['30/06/2026'],
    [''],
  ])('refuses expires %j when the policy loads: POLICY_INVALID at waivers[1].expires, exit 2', (expires) => {
    const e = loadError(policyWith(expires));
    expect(e.code).toBe('POLICY_INVALID');
    expect(e.issues.map((i) => i.path)).toEqual(['$.waivers[1].expires']);
    expect(exitCodeFor(e)).toBe(2);
  });

  it.each([['2028-02-29'], ['2026-06-30'], ['2026-06-30T18:00:00Z'], ['2026-06-30t18:00:00.250+02:00']])(
    'loads expires %j',
    (expires) => {
      expect(loadPolicy(Buffer.from(policyWith(expires)), 'policy.yaml').policy.waivers[1]?.expires).toBe(expires);
    },
  );

  it('a date runs to the end of its day, UTC: its last second is still waived, the next day is not', () => {
    const loaded = loadPolicy(Buffer.from(policyWith('2026-06-30')), 'policy.yaml');
    expect(ruleAt(loaded, '2026-06-30T23:59:59.500Z')).toMatchObject({ status: 'waived', waiver: { expired: false } });
    expect(ruleAt(loaded, '2026-07-01T00:00:00.000Z')).toMatchObject({ status: 'fail', waiver: { expired: true } });
  });

  it('an instant is exact, offsets counted', () => {
    const loaded = loadPolicy(Buffer.from(policyWith('2026-06-30T12:00:00+02:00')), 'policy.yaml');
    expect(ruleAt(loaded, '2026-06-30T10:00:00.000Z')?.status).toBe('waived');
    expect(ruleAt(loaded, '2026-06-30T10:00:00.001Z')?.status).toBe('fail');
  });

  it('a policy built without the loader, with an expiry that is no date, fails closed: the waiver has expired', () => {
    const loaded = loadPolicy(Buffer.from(policyWith('2030-01-01')), 'policy.yaml');
    const forged: LoadedPolicy = {
      ...loaded,
      policy: {
        ...loaded.policy,
        waivers: loaded.policy.waivers.map((w) => (w.rule === 'fails' ? { ...w, expires: '2026-13-01' } : w)),
      },
    };
    expect(ruleAt(forged, '2026-01-01T00:00:00Z')).toMatchObject({ status: 'fail', waiver: { expired: true } });
  });
});

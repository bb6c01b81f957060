import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/core/manifest.js';
import { summaryEntry } from '../helpers/entries.js';
import { HOLLOW_WHY, hollowCounts, hollowWhy } from '../../src/verifier/policy/hollow.js';
import { verdictOf } from '../../src/verifier/report.js';

const entry = summaryEntry;

/** Each kind's summary holding nothing, and one holding something. */
const CASES: Record<string, [Record<string, unknown>, Record<string, unknown>]> = {
  sbom: [
    { format: 'cyclonedx', specVersion: '1.5', components: 0, licenses: [], unlicensed: 0 },
    { format: 'cyclonedx', specVersion: '1.5', components: 1, licenses: [], unlicensed: 1 },
  ],
  sarif: [
    {
      tools: [],
      results: 0,
      levels: { error: 0, warning: 0, note: 0, none: 0 },
      severities: { critical: 0, high: 0, medium: 0, low: 0 },
    },
    {
      tools: ['x'],
      results: 0,
      levels: { error: 0, warning: 0, note: 0, none: 0 },
      severities: { critical: 0, high: 0, medium: 0, low: 0 },
    },
  ],
  junit: [
    { tests: 0, passed: 0, failed: 0, errored: 0, skipped: 0, durationSeconds: 0 },
    { tests: 1, passed: 1, failed: 0, errored: 0, skipped: 0, durationSeconds: 0 },
  ],
  slo: [
    { asOf: '2026-01-01T00:00:00Z', live: false, slos: [] },
    {
      asOf: '2026-01-01T00:00:00Z',
      live: false,
      slos: [
        {
          name: 'a',
          objective: 0.9,
          period: '30d',
          sli: 0.95,
          errorBudget: { total: 0.1, consumed: 0.5, remaining: 0.5 },
          burnRates: { '5m': 0, '30m': 0, '1h': 0, '2h': 0, '6h': 0, '1d': 0, '3d': 0 },
          alerts: { page: false, ticket: false },
        },
      ],
    },
  ],
  k6: [
    {
      checks: { passed: 0, failed: 0 },
      thresholds: { passed: [], failed: [] },
      httpReqDuration: { p90: null, p95: null, p99: null },
      httpReqFailedRate: null,
    },
    {
      checks: { passed: 0, failed: 0 },
      thresholds: { passed: ['t'], failed: [] },
      httpReqDuration: { p90: null, p95: null, p99: null },
      httpReqFailedRate: null,
    },
  ],
  migrations: [
    { files: 0, statements: 0, destructive: [] },
    { files: 1, statements: 0, destructive: [] },
  ],
  coverage: [
    { format: 'lcov', lines: { covered: 0, total: 0, ratio: null }, branches: { covered: 0, total: 0, ratio: null } },
    { format: 'lcov', lines: { covered: 0, total: 3, ratio: 0 }, branches: { covered: 0, total: 0, ratio: null } },
  ],
  terraform: [
    {
      changes: { create: 0, update: 0, delete: 0, replace: 0, noop: 0, read: 0 },
      destructive: false,
      destructiveAddresses: [],
    },
    {
      changes: { create: 0, update: 0, delete: 0, replace: 0, noop: 2, read: 0 },
      destructive: false,
      destructiveAddresses: [],
    },
  ],
  vex: [
    {
      format: 'openvex',
      id: 'x',
      statements: 0,
      statuses: { not_affected: 0, affected: 0, fixed: 0, under_investigation: 0 },
    },
    {
      format: 'openvex',
      id: 'x',
      statements: 1,
      statuses: { not_affected: 1, affected: 0, fixed: 0, under_investigation: 0 },
    },
  ],
  kev: [
    { catalogVersion: '1', dateReleased: '2026-01-01', vulnerabilities: 0 },
    { catalogVersion: '1', dateReleased: '2026-01-01', vulnerabilities: 5 },
  ],
};

describe('entries that hold nothing to judge', () => {
  it('are counted for each kind that can be hollow, each with words for why, and only those', () => {
    const entries = Object.entries(CASES).flatMap(([kind, [hollow, full]]) => [
      entry(kind, 1, hollow),
      entry(kind, 2, full),
    ]);
    const counts = hollowCounts({ entries } as unknown as Manifest);
    expect(counts).toEqual(Object.fromEntries(Object.keys(CASES).map((k) => [k, 1])));
    for (const kind of Object.keys(CASES)) expect(HOLLOW_WHY[kind], kind).toMatch(/^(a|an|no) /);
    // A scan without findings is not hollow: its summary does not say what was scanned.
    const scan = entry('scan', 1, {
      format: 'trivy',
      scanner: { name: 'trivy' },
      findings: 0,
      severities: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 },
    });
    expect(hollowCounts({ entries: [scan] } as unknown as Manifest)).toEqual({});
    // One entry at a time (the Annex VII folder marks each): why it holds nothing, or undefined.
    for (const [kind, [hollow, full]] of Object.entries(CASES)) {
      expect(hollowWhy(entry(kind, 1, hollow)), kind).toBe(HOLLOW_WHY[kind]);
      expect(hollowWhy(entry(kind, 2, full)), kind).toBeUndefined();
    }
    expect(hollowWhy(scan)).toBeUndefined();
  });
});

describe('verdictOf', () => {
  it("is the report's verdict, else worked out from ok and the mode: integrity alone is never verified", () => {
    expect(verdictOf({ verdict: 'policy-failed', ok: false, mode: 'signed' })).toBe('policy-failed');
    expect(verdictOf({ ok: false, mode: 'signed' })).toBe('failed');
    expect(verdictOf({ ok: true, mode: 'integrity-only' })).toBe('integrity-only');
    expect(verdictOf({ ok: true, mode: 'signed' })).toBe('verified');
  });
});

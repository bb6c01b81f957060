import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/core/manifest.js';
import { LEGACY_SCAN_TIMES, sarifScanTimes, utcTimestamp } from '../../src/formats/scan-times.js';
import { standardStatements, VULNS_PREDICATE_TYPE } from '../../src/formats/standard-statements.js';
import { blobEntry } from '../helpers/entries.js';

/**
 * The vulns statements' times are the ones the scan's own report states (formats/scan-times.ts, docs/interop.md):
 * Trivy's `CreatedAt`, Grype's `descriptor.timestamp`, a SARIF invocation's; a report that states none, or one that
 * is no instant, gets no vulns statement rather than the bundle's creation time. The legacy form (bundles signed
 * before) is made only when asked for.
 */
const FIXTURES = join(process.cwd(), 'test/fixtures');
const SHARED = join(process.cwd(), '../shared/scanner-outputs');
const REAL = ['grype-dir.json', 'trivy-npm.json'];
const realMissing = REAL.filter((f) => !existsSync(join(SHARED, f)));
if (realMissing.length > 0)
  console.warn(
    `scan-times.test.ts: the real scanner outputs are skipped: ${SHARED} lacks ${realMissing.join(', ')} ` +
      '(copies of Grype\u2019s and Trivy\u2019s own golden files, see its ORIGIN.md)',
  );

const CREATED = '2026-11-01T00:00:00Z';
const bare = {
  mediaType: 'application/vnd.evidence.manifest.v1+json',
  formatVersion: 1,
  name: 'app',
  version: '1.0.0',
  created: CREATED,
  generator: { name: 'evidence', version: '0.1.0' },
  source: {},
  subjects: [],
} as unknown as Manifest;

function manifestWith(path: string, kind: 'scan' | 'sarif', bytes: Buffer): Manifest {
  const entry = blobEntry(path, kind, bytes, kind === 'sarif' ? 'application/sarif+json' : 'application/json');
  return { ...bare, entries: [entry] };
}

/** The vulns statement's metadata made of a report (undefined when none is made) and the entries skipped. */
function made(path: string, kind: 'scan' | 'sarif', json: unknown, form?: typeof LEGACY_SCAN_TIMES) {
  const bytes = Buffer.from(typeof json === 'string' ? json : JSON.stringify(json));
  const out = standardStatements(manifestWith(path, kind, bytes), 'f'.repeat(64), () => bytes, undefined, form);
  const vulns = out.statements.find((s) => s.predicateType === VULNS_PREDICATE_TYPE);
  return {
    metadata: (vulns?.statement.predicate as { metadata?: Record<string, string> } | undefined)?.metadata,
    skipped: out.skipped,
  };
}

const readJson = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

const sarif = (invocations?: unknown[]) => ({
  version: '2.1.0',
  runs: [
    {
      tool: { driver: { name: 'Trivy', rules: [{ id: 'CVE-2023-44487' }] } },
      // SARIF requires executionSuccessful on every invocation.
      ...(invocations
        ? { invocations: invocations.map((i) => ({ executionSuccessful: true, ...(i as object) })) }
        : {}),
      results: [{ ruleId: 'CVE-2023-44487', level: 'error', message: { text: 'a' } }],
    },
  ],
});

describe('utcTimestamp', () => {
  it('keeps a UTC instant as written and moves an offset to UTC, its fraction kept to the digit', () => {
    expect(utcTimestamp('2021-08-25T12:20:30.000000005Z')).toBe('2021-08-25T12:20:30.000000005Z');
    expect(utcTimestamp('2023-04-12T11:41:33.372738-04:00')).toBe('2023-04-12T15:41:33.372738Z');
    expect(utcTimestamp('2024-01-01t00:30:00+01:00')).toBe('2023-12-31T23:30:00Z');
    expect(utcTimestamp('2026-11-20T10:00:00z')).toBe('2026-11-20T10:00:00Z');
  });

  it('is undefined for what names no real instant', () => {
    for (const text of ['', '2026-02-30T00:00:00Z', '2026-11-20 10:00:00Z', 'Tue, 6 Feb 2024 10:12:41', '2026-11-20'])
      expect(utcTimestamp(text), text).toBeUndefined();
    // Year 0000 an hour east of UTC is in year -1: not a four-digit year.
    expect(utcTimestamp('0000-01-01T00:00:00+01:00')).toBeUndefined();
  });
});

describe('the vulns statement of a scanner report (--scan)', () => {
  it.skipIf(realMissing.length > 0)("restates Trivy's CreatedAt (its real golden output) as both times", () => {
    const trivy = readJson(join(SHARED, 'trivy-npm.json'));
    const { metadata, skipped } = made('scan/trivy-npm.json', 'scan', trivy);
    expect(skipped).toEqual([]);
    expect(metadata).toEqual({
      scanStartedOn: '2021-08-25T12:20:30.000000005Z',
      scanFinishedOn: '2021-08-25T12:20:30.000000005Z',
    });
  });

  it.skipIf(realMissing.length > 0)(
    "makes none of Grype's real golden output, whose descriptor.timestamp is empty, and says which field",
    () => {
      const grype = readJson(join(SHARED, 'grype-dir.json'));
      const { metadata, skipped } = made('scan/grype-dir.json', 'scan', grype);
      expect(metadata).toBeUndefined();
      expect(skipped).toEqual([
        { path: 'scan/grype-dir.json', reason: expect.stringContaining('$.descriptor.timestamp') },
      ]);
      // The same report with a time as Grype writes it (local, with an offset): restated in UTC.
      const timed = { ...grype, descriptor: { name: 'grype', timestamp: '2023-04-12T11:41:33.372738-04:00' } };
      expect(made('scan/grype-dir.json', 'scan', timed).metadata).toEqual({
        scanStartedOn: '2023-04-12T15:41:33.372738Z',
        scanFinishedOn: '2023-04-12T15:41:33.372738Z',
      });
    },
  );

  it('makes none of reports that state no time (OSV-Scanner, npm audit, Trivy without CreatedAt), and no bundle time instead', () => {
    for (const [path, json] of [
      ['scan/osv-scanner.json', readJson(join(FIXTURES, 'scanners/osv-scanner.json'))],
      ['scan/npm-audit.json', readJson(join(FIXTURES, 'scanners/npm-audit.json'))],
      [
        'scan/trivy.json',
        {
          SchemaVersion: 2,
          Results: [
            {
              Target: 'package-lock.json',
              Type: 'npm',
              Vulnerabilities: [
                { VulnerabilityID: 'CVE-2019-11358', PkgName: 'jquery', InstalledVersion: '3.3.9', Severity: 'MEDIUM' },
              ],
            },
          ],
        },
      ],
    ] as const) {
      const { metadata, skipped } = made(path, 'scan', json);
      expect(metadata, path).toBeUndefined();
      expect(skipped, path).toEqual([{ path, reason: expect.stringContaining('states no time') }]);
    }
  });

  it('makes none of a report whose time is no real instant', () => {
    const trivy = {
      SchemaVersion: 2,
      CreatedAt: '2021-02-30T12:20:30Z',
      Results: [
        {
          Target: 'package-lock.json',
          Type: 'npm',
          Vulnerabilities: [
            { VulnerabilityID: 'CVE-2019-11358', PkgName: 'jquery', InstalledVersion: '3.3.9', Severity: 'MEDIUM' },
          ],
        },
      ],
    };
    const { metadata, skipped } = made('scan/trivy.json', 'scan', trivy);
    expect(metadata).toBeUndefined();
    expect(skipped).toEqual([{ path: 'scan/trivy.json', reason: expect.stringContaining('$.CreatedAt') }]);
  });
});

describe('the vulns statement of a SARIF log', () => {
  it('restates its first invocation: both times, or the one it states for both', () => {
    const at = (invocation: Record<string, unknown>) => made('sarif/t.sarif', 'sarif', sarif([invocation])).metadata;
    expect(at({ startTimeUtc: '2026-11-20T10:00:00Z', endTimeUtc: '2026-11-20T10:00:07.5Z' })).toEqual({
      scanStartedOn: '2026-11-20T10:00:00Z',
      scanFinishedOn: '2026-11-20T10:00:07.5Z',
    });
    expect(at({ startTimeUtc: '2026-11-20T10:00:00Z' })).toEqual({
      scanStartedOn: '2026-11-20T10:00:00Z',
      scanFinishedOn: '2026-11-20T10:00:00Z',
    });
    expect(at({ endTimeUtc: '2026-11-20T10:00:07Z' })).toEqual({
      scanStartedOn: '2026-11-20T10:00:07Z',
      scanFinishedOn: '2026-11-20T10:00:07Z',
    });
  });

  it('makes none when it states no time, a time that is no instant, or an end before its start', () => {
    for (const [invocations, field] of [
      [undefined, 'startTimeUtc'],
      [[{ executionSuccessful: true }], 'startTimeUtc'],
      [[{ startTimeUtc: 'yesterday' }], 'startTimeUtc'],
      [[{ startTimeUtc: '2026-11-20T10:00:00Z', endTimeUtc: '2026-13-01T00:00:00Z' }], 'endTimeUtc'],
      [[{ startTimeUtc: '2026-11-20T10:00:00Z', endTimeUtc: '2026-11-20T09:00:00Z' }], 'before'],
    ] as const) {
      const { metadata, skipped } = made('sarif/t.sarif', 'sarif', sarif(invocations as unknown[] | undefined));
      expect(metadata, JSON.stringify(invocations)).toBeUndefined();
      expect(skipped).toEqual([{ path: 'sarif/t.sarif', reason: expect.stringContaining(field) }]);
    }
    expect(sarifScanTimes(undefined)).toEqual({ reason: expect.any(String) });
  });

  it("restates the repository's real-shaped SARIF fixture's invocation", () => {
    const bytes = readFileSync(join(FIXTURES, 'sarif/vulns-trivy-shaped.handwritten.sarif'), 'utf8');
    expect(made('sarif/v.sarif', 'sarif', bytes).metadata).toEqual({
      scanStartedOn: '2026-11-20T10:00:00Z',
      scanFinishedOn: '2026-11-20T10:00:07Z',
    });
  });
});

describe('the legacy form (LEGACY_SCAN_TIMES), made only when asked for', () => {
  it("is the bundle's created time for a scanner report and for SARIF without invocation times; SARIF's as written", () => {
    const npm = readJson(join(FIXTURES, 'scanners/npm-audit.json'));
    expect(made('scan/npm-audit.json', 'scan', npm, LEGACY_SCAN_TIMES).metadata).toEqual({
      scanStartedOn: CREATED,
      scanFinishedOn: CREATED,
    });
    expect(made('sarif/t.sarif', 'sarif', sarif(), LEGACY_SCAN_TIMES).metadata).toEqual({
      scanStartedOn: CREATED,
      scanFinishedOn: CREATED,
    });
    const offset = sarif([{ startTimeUtc: '2026-11-20T12:00:00+02:00' }]);
    expect(made('sarif/t.sarif', 'sarif', offset, LEGACY_SCAN_TIMES).metadata).toEqual({
      scanStartedOn: '2026-11-20T12:00:00+02:00',
      scanFinishedOn: '2026-11-20T12:00:00+02:00',
    });
    // The current form of the same log: the same instant, in UTC.
    expect(made('sarif/t.sarif', 'sarif', offset).metadata).toEqual({
      scanStartedOn: '2026-11-20T10:00:00Z',
      scanFinishedOn: '2026-11-20T10:00:00Z',
    });
  });
});

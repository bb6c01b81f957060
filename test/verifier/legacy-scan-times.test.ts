import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LEGACY_SCAN_TIMES } from '../../src/formats/scan-times.js';
import { VULNS_PREDICATE_TYPE, type StandardStatement } from '../../src/formats/standard-statements.js';
import {
  STANDARD,
  expectStandardMismatch,
  keySignedBundle,
  made,
  payloads,
  resigned,
  standardCodes as codes,
  verifyKeyed as verify,
  type Members,
} from '../helpers/standard-lines.js';
import { fixture, useTmp } from '../helpers/tmp.js';

/**
 * The vulns statements' times (formats/scan-times.ts): a bundle signed now states the times the scans' reports state,
 * and none for a report that states none; a bundle signed before states the bundle's created time (the legacy form),
 * and still verifies, named as such; a statement with any third time, or a mix of the two forms, fails as before.
 * Key-signed, offline: the legacy lines are signed here with the bundle's own key, as an older `evidence` signed them.
 */
const tmp = useTmp();
const TRIVY = new URL('../../examples/acme-web/reports/scans/trivy.json', import.meta.url).pathname;

/** A SARIF log naming an advisory, with no invocation time. */
const UNTIMED_SARIF = JSON.stringify({
  version: '2.1.0',
  runs: [
    {
      tool: { driver: { name: 'Trivy', rules: [{ id: 'CVE-2023-44487' }] } },
      results: [{ ruleId: 'CVE-2023-44487', level: 'error', message: { text: 'a' } }],
    },
  ],
});

async function signedBundle(): Promise<{ dir: string; members: Members }> {
  const dir = await tmp();
  await writeFile(join(dir, 'untimed.sarif'), UNTIMED_SARIF);
  const scans = ['--scan', TRIVY, '--scan', fixture('scanners/npm-audit.json'), '--sarif', 'untimed.sarif'];
  return { dir, members: await keySignedBundle(dir, scans) };
}

describe('the vulns statements\u2019 scan times at verify', () => {
  it("a bundle signed now: the times Trivy's report states, no vulns statement of reports that state none", async () => {
    const { dir, members } = await signedBundle();
    const vulns = payloads(members.find((m) => m.name === STANDARD)?.body).filter(
      (p) => p.predicateType === VULNS_PREDICATE_TYPE,
    );
    expect(vulns.map((p) => p.predicate.metadata)).toEqual([
      { scanStartedOn: '2026-11-20T08:12:45.118204Z', scanFinishedOn: '2026-11-20T08:12:45.118204Z' },
    ]);
    const v = await verify(dir, 'b.tar.gz');
    expect(v.code).toBe(0);
    expect(codes(v.report)).toEqual([]);
    expect(v.report.standard?.some((s) => s.legacyScanTimes)).toBe(false);
  });

  it("a bundle signed before (the legacy form, every scan time the bundle's created) verifies, its vulns statements named", async () => {
    const { dir, members } = await signedBundle();
    const legacy = made(members, LEGACY_SCAN_TIMES);
    // Three vulns statements, each dated the bundle's created time (SOURCE_DATE_EPOCH 1790000000).
    const times = legacy
      .filter((s) => s.predicateType === VULNS_PREDICATE_TYPE)
      .map((s) => (s.statement.predicate as { metadata: unknown }).metadata);
    expect(times).toEqual(
      Array(3).fill({ scanStartedOn: '2026-09-21T14:13:20Z', scanFinishedOn: '2026-09-21T14:13:20Z' }),
    );
    await resigned(
      dir,
      members,
      'legacy.tar.gz',
      legacy.map((s) => s.statement),
    );
    const v = await verify(dir, 'legacy.tar.gz');
    expect(v.code, JSON.stringify(v.report.checks.filter((c) => !c.ok))).toBe(0);
    expect(codes(v.report)).toEqual([]);
    expect(v.report.standard?.filter((s) => s.legacyScanTimes).map((s) => s.predicateType)).toEqual(
      Array(3).fill(VULNS_PREDICATE_TYPE),
    );
  });

  it('a vulns statement with a third time, or the two forms mixed, fails (STANDARD_MISMATCH)', async () => {
    const { dir, members } = await signedBundle();
    const other = { scanStartedOn: '2026-09-01T00:00:00Z', scanFinishedOn: '2026-09-01T00:00:00Z' };
    const redated = (s: StandardStatement) =>
      s.predicateType === VULNS_PREDICATE_TYPE
        ? { ...s.statement, predicate: { ...s.statement.predicate, metadata: other } }
        : s.statement;
    await resigned(dir, members, 'third-now.tar.gz', made(members).map(redated));
    await resigned(dir, members, 'third-legacy.tar.gz', made(members, LEGACY_SCAN_TIMES).map(redated));
    // The current statements, but Trivy's vulns statement in the legacy form: one bundle is signed in one form.
    const legacyTrivy = made(members, LEGACY_SCAN_TIMES).find((s) => s.label.includes('trivy'));
    await resigned(
      dir,
      members,
      'mixed.tar.gz',
      made(members).map((s) => (s.label === legacyTrivy?.label ? legacyTrivy.statement : s.statement)),
    );
    await expectStandardMismatch(dir, ['third-now.tar.gz', 'third-legacy.tar.gz', 'mixed.tar.gz']);
    // The originals, re-signed the same way, still verify: what fails is the time.
    await resigned(
      dir,
      members,
      'same.tar.gz',
      made(members).map((s) => s.statement),
    );
    expect((await verify(dir, 'same.tar.gz')).code).toBe(0);
  });
});

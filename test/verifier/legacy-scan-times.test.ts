import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/core/digest.js';
import type { Manifest } from '../../src/core/manifest.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/formats/intoto.js';
import { LEGACY_SCAN_TIMES } from '../../src/formats/scan-times.js';
import {
  standardStatements,
  VULNS_PREDICATE_TYPE,
  type StandardStatement,
} from '../../src/formats/standard-statements.js';
import { bundleLine } from '../../src/signer/sign-manifest.js';
import { keySigner, loadSigningKey } from '../../src/signer/sigstore.js';
import { statementBytes } from '../../src/signer/statement.js';
import { runCli } from '../helpers/io.js';
import { readMembers, writeMembers } from '../helpers/members.js';
import { fixture, useTmp } from '../helpers/tmp.js';

/**
 * The vulns statements' times (formats/scan-times.ts): a bundle signed now states the times the scans' reports state,
 * and none for a report that states none; a bundle signed before states the bundle's created time (the legacy form),
 * and still verifies, named as such; a statement with any third time, or a mix of the two forms, fails as before.
 * Key-signed, offline: the legacy lines are signed here with the bundle's own key, as an older `evidence` signed them.
 */
const tmp = useTmp();
const STANDARD = 'attestations/standard.sigstore.jsonl';
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

interface Report {
  ok: boolean;
  checks: { id: string; ok: boolean; code?: string; skipped?: boolean }[];
  standard?: { label: string; predicateType: string; legacyScanTimes?: true }[];
}

async function signedBundle(): Promise<{ dir: string; members: Awaited<ReturnType<typeof readMembers>> }> {
  const dir = await tmp();
  const pair = generateKeyPairSync('ed25519');
  await writeFile(join(dir, 'key.pem'), pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  await writeFile(join(dir, 'pub.pem'), pair.publicKey.export({ format: 'pem', type: 'spki' }));
  await writeFile(join(dir, 'untimed.sarif'), UNTIMED_SARIF);
  await writeFile(join(dir, 'app.tgz'), 'artifact');
  const scans = ['--scan', TRIVY, '--scan', fixture('scanners/npm-audit.json'), '--sarif', 'untimed.sarif'];
  const c = await runCli(
    [
      ...'collect -o b.tar.gz --name app --version 1.0.0'.split(' '),
      ...scans,
      ...'--subject app.tgz --sign --key key.pem -q'.split(' '),
    ],
    { cwd: dir, env: { SOURCE_DATE_EPOCH: '1790000000' } },
  );
  expect(c.code, c.stderr).toBe(0);
  return { dir, members: await readMembers(join(dir, 'b.tar.gz')) };
}

async function verify(dir: string, bundle: string): Promise<{ code: number; report: Report }> {
  const r = await runCli(['verify', bundle, '--key', 'pub.pem', '--json'], { cwd: dir });
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

const payloads = (body: Buffer | undefined) =>
  (body?.toString('utf8') ?? '')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(Buffer.from(JSON.parse(l).dsseEnvelope.payload, 'base64').toString('utf8')));

/** The bundle's members with its standard statements replaced by `statements`, signed with its key. */
async function resigned(
  dir: string,
  members: Awaited<ReturnType<typeof readMembers>>,
  file: string,
  statements: StandardStatement['statement'][],
): Promise<void> {
  const signer = keySigner(await loadSigningKey(join(dir, 'key.pem')));
  const lines: Buffer[] = [];
  for (const s of statements)
    lines.push(bundleLine(await signer.signDsse(statementBytes(s), IN_TOTO_PAYLOAD_TYPE)).line);
  await writeMembers(join(dir, file), [
    ...members.filter((m) => m.name !== STANDARD),
    { name: STANDARD, body: Buffer.concat(lines) },
  ]);
}

/** The statements of the bundle's own blobs, in a form. */
function made(members: Awaited<ReturnType<typeof readMembers>>, form?: typeof LEGACY_SCAN_TIMES) {
  const manifestBytes = members.find((m) => m.name === 'manifest.json')?.body as Buffer;
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
  const blob = (hex: string) => members.find((m) => m.name === `blobs/sha256/${hex}`)?.body;
  return standardStatements(manifest, sha256Hex(manifestBytes), blob, undefined, form).statements;
}

const codes = (r: Report): string[] => r.checks.filter((c) => c.id === 'standard' && !c.ok).map((c) => c.code ?? '');

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
    for (const file of ['third-now.tar.gz', 'third-legacy.tar.gz', 'mixed.tar.gz']) {
      const v = await verify(dir, file);
      expect(v.code, file).toBe(1);
      expect(codes(v.report), file).toContain('STANDARD_MISMATCH');
      expect(v.report.standard, file).toBeUndefined();
    }
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

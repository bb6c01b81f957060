import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/io.js';
import { keyPair } from '../helpers/release-bundles.js';
import { fixture, useTmp } from '../helpers/tmp.js';

/**
 * verify-attestation keeps authenticity apart from what a verified statement states (outside review D2): a signed
 * test-result that says FAILED, a scan's critical findings or an evidence statement with failing tests is headed
 * VERIFIED WITH CONCERNS, as verify heads the bundle, never VERIFIED / "All checks passed."; exit 0, as verify's
 * (no policy asked), and the JSON says it in `evidence`, which a gate reads.
 */
const tmp = useTmp();
const TEST_RESULT = 'https://in-toto.io/attestation/test-result/v0.1';

/** A key-signed bundle of a failing and a passing test report and an npm audit with criticals, covering app.tgz. */
async function signed(dir: string): Promise<string[]> {
  await writeFile(join(dir, 'app.tgz'), 'the artifact');
  // A scan whose report states when it ran (Trivy's CreatedAt): one that does not (npm audit) makes no vulns statement.
  const inputs = {
    junit: ['pytest', 'gradle-TEST-demo.StringsTest'],
    scan: join(process.cwd(), 'examples/acme-web/reports/scans/trivy.json'),
  };
  const c = await runCli(
    [
      ...'collect -o b.tar.gz --name app --version 1 --subject app.tgz -q'.split(' '),
      ...inputs.junit.flatMap((n) => ['--junit', fixture(`junit/${n}.junit.xml`)]),
      ...['--scan', inputs.scan],
    ],
    { cwd: dir },
  );
  expect(c.code, c.stderr).toBe(0);
  await keyPair(dir, 'key');
  const s = await runCli(['sign', 'b.tar.gz', '--key', 'key.pem'], { cwd: dir });
  expect(s.code, s.stderr).toBe(0);
  return (await readFile(join(dir, 'b.sigstore.jsonl'), 'utf8')).trim().split('\n');
}

/** The predicate type and predicate of a line's statement (read, not verified: to pick lines). */
const statementOf = (line: string): { predicateType: string; predicate: Record<string, unknown> } =>
  JSON.parse(
    Buffer.from((JSON.parse(line) as { dsseEnvelope: { payload: string } }).dsseEnvelope.payload, 'base64').toString(),
  ) as { predicateType: string; predicate: Record<string, unknown> };

async function one(dir: string, line: string, json = false) {
  await writeFile(join(dir, 'one.json'), line);
  return runCli(
    ['verify-attestation', 'one.json', '--artifact', 'app.tgz', '--key', 'key.pub.pem', ...(json ? ['--json'] : [])],
    { cwd: dir },
  );
}

describe('verify-attestation: a verified statement that states a failing result', () => {
  it('a test result FAILED is VERIFIED WITH CONCERNS (exit 0), PASSED is VERIFIED; the JSON evidence says which', async () => {
    const dir = await tmp();
    const lines = await signed(dir);
    const tests = lines.filter((l) => statementOf(l).predicateType === TEST_RESULT);
    const failed = tests.find((l) => statementOf(l).predicate.result === 'FAILED') as string;
    const passed = tests.find((l) => statementOf(l).predicate.result === 'PASSED') as string;
    expect(failed && passed).toBeTruthy();

    const text = await one(dir, failed);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.split('\n')[0]).toMatch(/^VERIFIED WITH CONCERNS: one\.json/);
    expect(text.stdout).toMatch(/evidence: {3}1 CONCERN\n/);
    expect(text.stdout).toMatch(/the test result it states is FAILED: .*\[TESTS_FAILED\]/);
    expect(text.stdout).not.toContain('All checks passed.');
    expect(text.stdout).toContain('All checks passed; the evidence raises 1 concern (above).');
    const json = await one(dir, failed, true);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { ok: boolean; evidence: { status: string; findings: unknown[] } };
    // Authentic (ok, exit 0, as verify's) and what it states said apart.
    expect(report.ok).toBe(true);
    expect(report.evidence).toMatchObject({
      status: 'concerns',
      findings: [{ code: 'TESTS_FAILED', kind: 'test-result', path: expect.stringMatching(/pytest/) }],
    });

    const green = await one(dir, passed);
    expect(green.code).toBe(0);
    expect(green.stdout.split('\n')[0]).toMatch(/^VERIFIED: one\.json/);
    expect(green.stdout).toContain('All checks passed.');
    expect(JSON.parse((await one(dir, passed, true)).stdout)).toMatchObject({ evidence: { status: 'clean' } });
  });

  it('one rule for every predicate it reads: the scan (criticals), the evidence statement, the release', async () => {
    const dir = await tmp();
    const lines = await signed(dir);
    const byType = (t: string): string => lines.find((l) => statementOf(l).predicateType === t) as string;

    const vulns = JSON.parse((await one(dir, byType('https://in-toto.io/attestation/vulns/v0.2'), true)).stdout);
    expect(vulns.ok).toBe(true);
    expect(vulns.evidence.status).toBe('concerns');
    expect(vulns.evidence.findings.map((f: { code: string }) => f.code)).toContain('FINDINGS_CRITICAL');

    // The evidence statement judged as verify judges the bundle: its entries' failing tests and open criticals.
    const evidence = await one(dir, byType('https://evidence-bundle.dev/attestation/release-evidence/v1'));
    expect(evidence.code).toBe(0);
    expect(evidence.stdout.split('\n')[0]).toMatch(/^VERIFIED WITH CONCERNS/);
    expect(evidence.stdout).toMatch(/junit\/pytest\.junit\.xml: 1 test failed, 1 errored, of 6 \[TESTS_FAILED\]/);
    const verify = await runCli(['verify', 'b.tar.gz', '--key', 'key.pub.pem', '--subject', 'app.tgz'], { cwd: dir });
    expect(verify.code).toBe(0);
    expect(verify.stdout.split('\n')[0]).toMatch(/^VERIFIED WITH CONCERNS/);
    expect(verify.stdout).toMatch(/All checks passed; the evidence raises \d+ concerns \(above\)\./);

    const release = await one(dir, byType('https://in-toto.io/attestation/release/v0.1'), true);
    expect(JSON.parse(release.stdout)).toMatchObject({ ok: true, evidence: { status: 'nothing-to-judge' } });
  });

  it('over JSON lines: the concerns of the statements that cover the artifact, each by line; exit 0', async () => {
    const dir = await tmp();
    await signed(dir);
    const args = ['verify-attestation', 'b.sigstore.jsonl', '--artifact', 'app.tgz', '--key', 'key.pub.pem'];
    const text = await runCli([...args, '--predicate-type', TEST_RESULT], { cwd: dir });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.split('\n')[0]).toMatch(/^VERIFIED WITH CONCERNS: b\.sigstore\.jsonl: 1 of 1 artifacts covered/);
    expect(text.stdout).toMatch(/ {4}- line \d+: junit\/pytest\.junit\.xml: the test result it states is FAILED/);
    const json = JSON.parse((await runCli([...args, '--predicate-type', TEST_RESULT, '--json'], { cwd: dir })).stdout);
    expect(json.verdict).toBe('verified');
    expect(json.evidence.status).toBe('concerns');
    expect(json.evidence.findings).toEqual([
      expect.objectContaining({ code: 'TESTS_FAILED', line: expect.any(Number) }),
    ]);
    expect(json.artifacts[0].coveredBy.map((c: { evidence: string }) => c.evidence).sort()).toEqual([
      'clean',
      'concerns',
    ]);
    // Only the release statement: nothing to judge, a plain VERIFIED.
    const rel = await runCli([...args, '--predicate-type', 'https://in-toto.io/attestation/release/v0.1'], {
      cwd: dir,
    });
    expect(rel.code).toBe(0);
    expect(rel.stdout.split('\n')[0]).toMatch(/^VERIFIED: /);
    expect(rel.stdout).toContain('evidence:   nothing to judge: no statement read states a result');
  });
});

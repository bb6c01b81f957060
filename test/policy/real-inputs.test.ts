import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseYamlDocument } from '../../src/formats/yaml.js';
import { runCli } from '../helpers/io.js';
import { fixture, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const EXAMPLE_POLICY = new URL('../../examples/acme-web/policy.yaml', import.meta.url).pathname;

/** The example policy's tests-green rule, alone (the example waives it until its fix ships). */
async function testsGreenPolicy(): Promise<string> {
  const example = parseYamlDocument(await readFile(EXAMPLE_POLICY, 'utf8')) as {
    rules: { name: string; expr: string }[];
  };
  const rule = example.rules.find((r) => r.name === 'tests-green');
  expect(rule).toBeDefined();
  return `version: 1\nrules:\n  - name: tests-green\n    expr: ${JSON.stringify(rule?.expr)}\n`;
}

async function gate(
  dir: string,
  junit: string,
  policy: string,
): Promise<{
  code: number;
  report: {
    verdict: string;
    policy: { rules: { name: string; status: string }[] };
    assessment: { evidence: { findings: { code: string }[] } };
  };
}> {
  const c = await runCli(
    ['collect', '-o', 'b.tar.gz', '--name', 'n', '--version', '1', '--junit', junit, '-q', '--force'],
    { cwd: dir, env: { SOURCE_DATE_EPOCH: '1767225600' } },
  );
  expect(c.code, c.stderr).toBe(0);
  await writeFile(join(dir, 'policy.yaml'), policy);
  const r = await runCli(['verify', 'b.tar.gz', '--integrity-only', '--policy', 'policy.yaml', '--json'], { cwd: dir });
  return { code: r.code, report: JSON.parse(r.stdout) };
}

describe('the example policy on real test reports', () => {
  it('a failing node:test suite fails tests-green (exit 3), and the evidence says so even without a policy', async () => {
    const dir = await tmp();
    const r = await gate(dir, fixture('junit/node-test.junit.xml'), await testsGreenPolicy());
    expect(r.code).toBe(3);
    expect(r.report.verdict).toBe('policy-failed');
    expect(r.report.policy.rules).toEqual([expect.objectContaining({ name: 'tests-green', status: 'fail' })]);
    const none = await runCli(['verify', 'b.tar.gz', '--integrity-only', '--json'], { cwd: dir });
    expect(none.code).toBe(0);
    expect(JSON.parse(none.stdout).assessment.evidence.findings.map((f: { code: string }) => f.code)).toEqual([
      'TESTS_FAILED',
    ]);
  });

  it('a report with zero test cases fails tests-green, and is TESTS_NONE in the evidence', async () => {
    const dir = await tmp();
    const r = await gate(dir, fixture('junit/empty.junit.xml'), await testsGreenPolicy());
    expect(r.code).toBe(3);
    expect(r.report.assessment.evidence.findings.map((f) => f.code)).toEqual(['TESTS_NONE']);
    const text = await runCli(['verify', 'b.tar.gz', '--integrity-only'], { cwd: dir });
    expect(text.stdout).toMatch(/no test cases: a report without tests proves nothing \[TESTS_NONE\]/);
    expect(text.stdout).toMatch(/^INTEGRITY ONLY: /);
  });

  it('a report whose every test was skipped (node --test) fails tests-green, and is TESTS_NONE in the evidence', async () => {
    const dir = await tmp();
    const r = await gate(dir, fixture('junit/node24-test-all-skipped.junit.xml'), await testsGreenPolicy());
    expect(r.code).toBe(3);
    expect(r.report.policy.rules).toEqual([expect.objectContaining({ name: 'tests-green', status: 'fail' })]);
    expect(r.report.assessment.evidence.findings.map((f) => f.code)).toEqual(['TESTS_NONE']);
    const text = await runCli(['verify', 'b.tar.gz', '--integrity-only'], { cwd: dir });
    expect(text.stdout).toMatch(/no test ran: 2 tests skipped of 2, none passed \[TESTS_NONE\]/);
    const inspected = await runCli(['inspect', 'b.tar.gz'], { cwd: dir });
    expect(inspected.stdout).toMatch(/2 tests: NONE RAN, 2 skipped/);
  });

  it('a passing suite holds', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'ok.xml'), '<testsuites><testcase name="a" time="0.1"/></testsuites>');
    const r = await gate(dir, 'ok.xml', await testsGreenPolicy());
    expect(r.code).toBe(0);
  });
});

describe('SBOMs as generators really write them', () => {
  it("npm 11's SPDX collects, with each deviation recorded (path, rule, value); conformant: true refuses it", async () => {
    const dir = await tmp();
    const c = await runCli(
      [
        'collect',
        '-o',
        'b.tar.gz',
        '--name',
        'n',
        '--version',
        '1',
        '--sbom',
        fixture('sbom/npm11-sbom.spdx.json'),
        '-q',
      ],
      { cwd: dir, env: { SOURCE_DATE_EPOCH: '1767225600' } },
    );
    expect(c.code, c.stderr).toBe(0);
    const inspect = JSON.parse((await runCli(['inspect', 'b.tar.gz', '--json'], { cwd: dir })).stdout);
    const summary = inspect.entries[0].summary;
    expect(summary.conformance.count).toBe(6);
    expect(summary.conformance.findings).toContainEqual({
      path: '$.packages[8].SPDXID',
      rule: expect.stringContaining('§7.2'),
      value: 'SPDXRef-Package-string_decoder-1.3.0',
    });
    expect(summary.conformance.findings).toContainEqual({
      path: '$.creationInfo.created',
      rule: expect.stringContaining('§6.9'),
      value: '2026-11-29T16:26:51.933Z',
    });
    expect(summary.conformance.findings).toContainEqual({
      path: '$.packages[5].licenseDeclared',
      rule: expect.stringContaining('Annex D'),
      value: 'Public Domain',
    });
    await writeFile(join(dir, 'strict.yaml'), 'version: 1\nrequire:\n  - kind: sbom\n    conformant: true\n');
    const strict = await runCli(['verify', 'b.tar.gz', '--integrity-only', '--policy', 'strict.yaml', '--json'], {
      cwd: dir,
    });
    expect(strict.code).toBe(3);
    expect(JSON.parse(strict.stdout).policy.requirements[0]).toMatchObject({
      kind: 'sbom',
      status: 'fail',
      message: expect.stringContaining('$.creationInfo.created'),
    });
    await writeFile(join(dir, 'lenient.yaml'), 'version: 1\nrequire:\n  - kind: sbom\n');
    expect(
      (await runCli(['verify', 'b.tar.gz', '--integrity-only', '--policy', 'lenient.yaml'], { cwd: dir })).code,
    ).toBe(0);
  });

  it.each([
    ['cdx-npm-6.0.1-spec1.6.cdx.json', 'cyclonedx', '1.6', 9],
    ['cdx-npm-6.0.1-spec1.6.cdx.xml', 'cyclonedx', '1.6', 9],
    ['cdx-npm-6.0.1-spec1.7.cdx.json', 'cyclonedx', '1.7', 9],
    ['cdxgen-12.8.4-spec1.7.cdx.json', 'cyclonedx', '1.7', 9],
    ['npm11-sbom.cdx.json', 'cyclonedx', '1.5', 9],
    ['npm11-sbom.spdx.json', 'spdx', '2.3', 9],
  ])("%s (a real generator's output) collects: %s %s, %i components", async (file, format, specVersion, components) => {
    const dir = await tmp();
    const c = await runCli(
      ['collect', '-o', 'b.tar.gz', '--name', 'n', '--version', '1', '--sbom', fixture(`sbom/${file}`), '-q'],
      { cwd: dir },
    );
    expect(c.code, c.stderr).toBe(0);
    const inspect = JSON.parse((await runCli(['inspect', 'b.tar.gz', '--json'], { cwd: dir })).stdout);
    expect(inspect.entries[0].summary).toMatchObject({ format, specVersion, components });
  });

  it('still refuses what is structurally broken, and shows the offending value', async () => {
    const dir = await tmp();
    const doc = JSON.parse(await readFile(fixture('sbom/npm11-sbom.spdx.json'), 'utf8'));
    doc.packages[2].SPDXID = 'Package exit 0.1.2';
    await writeFile(join(dir, 'broken.spdx.json'), JSON.stringify(doc));
    const c = await runCli(
      ['collect', '-o', 'b.tar.gz', '--name', 'n', '--version', '1', '--sbom', 'broken.spdx.json'],
      { cwd: dir },
    );
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('[SBOM_INVALID]');
    expect(c.stderr).toContain('$.packages[2].SPDXID');
    expect(c.stderr).toContain('(found "Package exit 0.1.2")');
  });
});

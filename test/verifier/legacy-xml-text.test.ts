import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LEGACY_SCAN_TIMES } from '../../src/formats/scan-times.js';
import {
  TEST_RESULT_PREDICATE_TYPE,
  VULNS_PREDICATE_TYPE,
  type StandardStatement,
} from '../../src/formats/standard-statements.js';
import { LEGACY_XML_TEXT } from '../../src/formats/xml.js';
import { runCli } from '../helpers/io.js';
import {
  STANDARD,
  expectStandardMismatch,
  keySignedBundle,
  made,
  payloads,
  resigned,
  standardCodes as codes,
  verifyKeyed as verify,
} from '../helpers/standard-lines.js';
import { fixture, useTmp } from '../helpers/tmp.js';

/**
 * JUnit test names in the test-result statement are the text the XML says (`math > adds`, written `math &gt; adds`):
 * formats/xml.ts decodes entities and character references. Bundles signed before named them as written (the legacy
 * form LEGACY_XML_TEXT); test/fixtures/legacy-xml-text holds one, signed by `evidence` before the change (its README
 * says how). It still verifies, named as such; a statement with any other names, or a mix of forms, fails as before.
 */
const tmp = useTmp();
const JUNIT = fixture('legacy-xml-text/unit.junit.xml');
const TRIVY = new URL('../../examples/acme-web/reports/scans/trivy.json', import.meta.url).pathname;

const DECODED = {
  passedTests: [
    'test/math.test.js::math > adds two numbers',
    'test/math.test.js::math > R&D budget: ABC',
    'test/math.test.js::math > keeps &lt; as written',
  ],
  failedTests: ['test/math.test.js::math > fails on purpose: 2 < 3 & A'],
};
const AS_WRITTEN = {
  passedTests: [
    'test/math.test.js::math &gt; adds two numbers',
    'test/math.test.js::math &gt; R&amp;D budget: &#x41;&#66;C',
    'test/math.test.js::math &gt; keeps &amp;lt; as written',
  ],
  failedTests: ['test/math.test.js::math &gt; fails on purpose: 2 &lt; 3 &amp; &#x41;'],
};

type TestResult = { passedTests: string[]; failedTests: string[] };
const testResultOf = (statements: { predicateType: string; predicate?: unknown }[]): TestResult | undefined =>
  statements.find((s) => s.predicateType === TEST_RESULT_PREDICATE_TYPE)?.predicate as TestResult | undefined;

async function signedNow() {
  const dir = await tmp();
  return { dir, members: await keySignedBundle(dir, ['--junit', JUNIT, '--scan', TRIVY]) };
}

describe('JUnit test names at collect and sign', () => {
  it('are decoded in the test-result statement signed now, which verifies unmarked', async () => {
    const { dir, members } = await signedNow();
    expect(testResultOf(payloads(members.find((m) => m.name === STANDARD)?.body))).toMatchObject(DECODED);
    const v = await verify(dir, 'b.tar.gz');
    expect(v.code).toBe(0);
    expect(v.report.standard?.some((s) => s.legacyXmlText || s.legacyScanTimes)).toBe(false);
  });

  it('a character reference to no character is refused at collect (exit 2, XML_INVALID), naming the file and value', async () => {
    const dir = await tmp();
    await writeFile(
      join(dir, 'bad.xml'),
      '<testsuites><testsuite name="s"><testcase name="ok"/><testcase name="nul &#0; here"/></testsuite></testsuites>',
    );
    const c = await runCli('collect -o b.tar.gz --name app --version 1.0.0 --junit bad.xml -q'.split(' '), {
      cwd: dir,
    });
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('XML_INVALID');
    expect(c.stderr).toContain('bad.xml');
    expect(c.stderr).toContain('/testsuites/testsuite[1]/testcase[2]/@name');
  });
});

describe('a bundle signed before XML text was decoded (LEGACY_XML_TEXT)', () => {
  it('the fixture made by `evidence` before the change verifies; its test-result statement is marked, the rest not', async () => {
    const dir = await tmp();
    await copyFile(fixture('legacy-xml-text/legacy-xml-text.tar.gz'), join(dir, 'old.tar.gz'));
    await copyFile(fixture('legacy-xml-text/pub.pem'), join(dir, 'pub.pem'));
    const v = await verify(dir, 'old.tar.gz');
    expect(v.code, JSON.stringify(v.report.checks.filter((c) => !c.ok))).toBe(0);
    expect(codes(v.report)).toEqual([]);
    expect(v.report.standard).toEqual([
      { label: 'test-result junit/unit.junit.xml', predicateType: TEST_RESULT_PREDICATE_TYPE, legacyXmlText: true },
      { label: 'vulns scan/trivy.json', predicateType: VULNS_PREDICATE_TYPE },
      { label: 'release app@1.0.0', predicateType: 'https://in-toto.io/attestation/release/v0.1' },
    ]);
    const passed = v.report.checks.find((c) => c.id === 'standard' && c.ok);
    expect(passed?.message).toContain('in the legacy form of bundles signed before XML text was decoded');
    expect(passed?.message).toContain('the test names of test-result junit/unit.junit.xml are as the JUnit XML writes');
  });

  it('made again by the legacy rule, it is what the fixture states (the old rule, exactly)', async () => {
    const { members } = await signedNow();
    expect(testResultOf(made(members, LEGACY_XML_TEXT).map((s) => s.statement))).toMatchObject(AS_WRITTEN);
    expect(testResultOf(made(members).map((s) => s.statement))).toMatchObject(DECODED);
  });

  it('signed before scan times were read too (LEGACY_SCAN_TIMES): names as written, verifies, each statement marked', async () => {
    const { dir, members } = await signedNow();
    const legacy = made(members, LEGACY_SCAN_TIMES);
    expect(testResultOf(legacy.map((s) => s.statement))).toMatchObject(AS_WRITTEN);
    await resigned(
      dir,
      members,
      'older.tar.gz',
      legacy.map((s) => s.statement),
    );
    const v = await verify(dir, 'older.tar.gz');
    expect(v.code, JSON.stringify(v.report.checks.filter((c) => !c.ok))).toBe(0);
    expect(v.report.standard?.map((s) => [s.predicateType, s.legacyXmlText, s.legacyScanTimes])).toEqual([
      [TEST_RESULT_PREDICATE_TYPE, true, undefined],
      [VULNS_PREDICATE_TYPE, undefined, true],
      ['https://in-toto.io/attestation/release/v0.1', undefined, undefined],
    ]);
  });

  it('legacy-looking names that are not what the old rule makes, or forms mixed, fail (STANDARD_MISMATCH)', async () => {
    const { dir, members } = await signedNow();
    const named = (s: StandardStatement, names: TestResult) =>
      s.predicateType === TEST_RESULT_PREDICATE_TYPE
        ? { ...s.statement, predicate: { ...s.statement.predicate, ...names } }
        : s.statement;
    const oneDecoded = {
      ...AS_WRITTEN,
      passedTests: [DECODED.passedTests[0] as string, ...AS_WRITTEN.passedTests.slice(1)],
    };
    const tampered = { ...AS_WRITTEN, failedTests: ['test/math.test.js::math &gt; passes'] };
    const twice = { ...DECODED, passedTests: DECODED.passedTests.map((n) => n.replace('&lt;', '<')) };
    const byScanTimes = new Map(made(members, LEGACY_SCAN_TIMES).map((s) => [s.label, s.statement]));
    const cases: [string, StandardStatement['statement'][]][] = [
      ['one-decoded.tar.gz', made(members, LEGACY_XML_TEXT).map((s) => named(s, oneDecoded))],
      ['tampered.tar.gz', made(members, LEGACY_XML_TEXT).map((s) => named(s, tampered))],
      ['twice.tar.gz', made(members).map((s) => named(s, twice))],
      // Decoded names with the older scan times: no `evidence` ever signed that.
      [
        'mixed.tar.gz',
        made(members).map((s) =>
          s.predicateType === VULNS_PREDICATE_TYPE ? (byScanTimes.get(s.label) ?? s.statement) : s.statement,
        ),
      ],
    ];
    for (const [file, statements] of cases) await resigned(dir, members, file, statements);
    await expectStandardMismatch(
      dir,
      cases.map(([file]) => file),
    );
    // The legacy statements themselves, re-signed the same way, verify: what fails is the names.
    await resigned(
      dir,
      members,
      'same.tar.gz',
      made(members, LEGACY_XML_TEXT).map((s) => s.statement),
    );
    const same = await verify(dir, 'same.tar.gz');
    expect(same.code).toBe(0);
    expect(same.report.standard?.filter((s) => s.legacyXmlText).map((s) => s.label)).toEqual([
      'test-result junit/unit.junit.xml',
    ]);
  });
});

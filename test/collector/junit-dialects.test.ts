import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { junitCollector } from '../../src/collector/junit.js';
import { evidenceFindings } from '../../src/verifier/assessment.js';
import { fixture, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

/**
 * Every dialect's report, made by the real tool here (test/fixtures/junit/
 * README.md: the command, the tool's console summary and xmllint's counts).
 * `printed` is what the tool itself printed; where its composition differs
 * from the XML's the reason is given, and the totals that must agree do.
 */
interface Case {
  file: string;
  summary: { tests: number; passed: number; failed: number; errored: number; skipped: number };
  printed: { tests?: number; failedOrErrored: number; skipped?: number; passed?: number };
  why?: string;
}

const CASES: Case[] = [
  {
    file: 'node-test.junit.xml',
    summary: { tests: 17, passed: 5, failed: 5, errored: 0, skipped: 7 },
    // node: tests 17, pass 4, fail 6, skipped 4, todo 3.
    // 6 failures printed, less the parent test node counts as one more (its subtest's failure is already counted).
    printed: { tests: 17, failedOrErrored: 6 - 1, skipped: 7 },
    why: 'node counts a parent test() whose subtest failed as a sixth failure (the XML makes it a suite), and does not count an empty describe, which the XML lists as a passing case',
  },
  {
    file: 'node24-test.junit.xml',
    summary: { tests: 17, passed: 5, failed: 5, errored: 0, skipped: 7 },
    printed: { tests: 17, failedOrErrored: 6 - 1, skipped: 7 },
    why: 'as for node 20',
  },
  {
    file: 'node-test-empty-file.junit.xml',
    summary: { tests: 1, passed: 1, failed: 0, errored: 0, skipped: 0 },
    printed: { tests: 1, passed: 1, failedOrErrored: 0 },
  },
  // mocha: 4 passing, 3 pending, 3 failing (the pending ones are not listed by default).
  {
    file: 'mocha.junit.xml',
    summary: { tests: 10, passed: 4, failed: 3, errored: 0, skipped: 3 },
    printed: { passed: 4, failedOrErrored: 3, skipped: 3 },
  },
  {
    file: 'mocha-include-pending.junit.xml',
    summary: { tests: 10, passed: 4, failed: 3, errored: 0, skipped: 3 },
    printed: { passed: 4, failedOrErrored: 3, skipped: 3 },
  },
  // Playwright: Running 9 tests; 2 failed, 1 flaky, 3 skipped, 3 passed (a flaky test passed in the end).
  {
    file: 'playwright.junit.xml',
    summary: { tests: 9, passed: 4, failed: 1, errored: 1, skipped: 3 },
    printed: { tests: 9, passed: 4, failedOrErrored: 2, skipped: 3 },
  },
  // pytest: 3 failed, 4 passed, 1 skipped, 1 xfailed, 1 xpassed, 2 errors (one error is a passing test's teardown).
  {
    file: 'pytest-xunit1.junit.xml',
    summary: { tests: 11, passed: 4, failed: 3, errored: 2, skipped: 2 },
    printed: { tests: 11, failedOrErrored: 5, skipped: 2 },
  },
  {
    file: 'pytest-xunit2.junit.xml',
    summary: { tests: 11, passed: 4, failed: 3, errored: 2, skipped: 2 },
    printed: { tests: 11, failedOrErrored: 5, skipped: 2 },
  },
  // pytest on a file without tests: "collected 0 items", exit 5.
  {
    file: 'empty.junit.xml',
    summary: { tests: 0, passed: 0, failed: 0, errored: 0, skipped: 0 },
    printed: { tests: 0, failedOrErrored: 0 },
  },
  // ctest: 5 tests failed out of 8 (two of them could not start), 1 skipped at run time, 1 disabled.
  {
    file: 'ctest.junit.xml',
    summary: { tests: 9, passed: 2, failed: 3, errored: 2, skipped: 2 },
    printed: { failedOrErrored: 5, skipped: 2 },
    why: "CTest's pass rate counts the test skipped by its return code as passed; the XML marks it skipped",
  },
  // gotestsum: DONE 12 tests, 2 skipped, 4 failures.
  {
    file: 'gotestsum.junit.xml',
    summary: { tests: 12, passed: 6, failed: 4, errored: 0, skipped: 2 },
    printed: { tests: 12, failedOrErrored: 4, skipped: 2 },
  },
  // Gradle, two classes: 6 tests completed, 2 failed, 2 skipped.
  {
    file: 'gradle-TEST-demo.CalculatorTest.junit.xml',
    summary: { tests: 4, passed: 1, failed: 2, errored: 0, skipped: 1 },
    printed: { failedOrErrored: 2, skipped: 1 },
  },
  {
    file: 'gradle-TEST-demo.StringsTest.junit.xml',
    summary: { tests: 2, passed: 1, failed: 0, errored: 0, skipped: 1 },
    printed: { failedOrErrored: 0, skipped: 1 },
  },
  // Hand-written from the documented formats (no tool installs here): the README says so.
  {
    file: 'go-junit-report.handwritten.junit.xml',
    summary: { tests: 11, passed: 5, failed: 4, errored: 0, skipped: 2 },
    printed: { tests: 11, failedOrErrored: 4, skipped: 2 },
  },
  {
    file: 'nextest.handwritten.junit.xml',
    summary: { tests: 6, passed: 4, failed: 2, errored: 0, skipped: 0 },
    printed: { tests: 6, failedOrErrored: 2 },
  },
  {
    file: 'surefire.junit.xml',
    summary: { tests: 5, passed: 2, failed: 1, errored: 1, skipped: 1 },
    printed: { tests: 5, failedOrErrored: 2, skipped: 1 },
  },
];

describe('junit collector: the dialects real tools write', () => {
  it.each(CASES)('$file', async ({ file, summary, printed }) => {
    const out = await junitCollector.collect({ file: fixture(`junit/${file}`), label: file });
    expect(out.summary).toMatchObject(summary);
    const s = out.summary as typeof summary;
    expect(s.passed + s.failed + s.errored + s.skipped).toBe(s.tests);
    if (printed.tests !== undefined) expect(s.tests).toBe(printed.tests);
    expect(s.failed + s.errored).toBe(printed.failedOrErrored);
    if (printed.skipped !== undefined) expect(s.skipped).toBe(printed.skipped);
    if (printed.passed !== undefined) expect(s.passed).toBe(printed.passed);
  });

  it("Gradle's two class files add up to what Gradle printed: 6 tests, 2 failed, 2 skipped", async () => {
    const sums = { tests: 0, failed: 0, skipped: 0 };
    for (const f of ['gradle-TEST-demo.CalculatorTest.junit.xml', 'gradle-TEST-demo.StringsTest.junit.xml']) {
      const s = (await junitCollector.collect({ file: fixture(`junit/${f}`), label: f })).summary as typeof sums;
      for (const k of Object.keys(sums) as (keyof typeof sums)[]) sums[k] += s[k];
    }
    expect(sums).toEqual({ tests: 6, failed: 2, skipped: 2 });
  });

  it('a failing node:test suite is never "0 tests": its top-level cases count, and its failures are findings', async () => {
    const out = await junitCollector.collect({ file: fixture('junit/node-test.junit.xml'), label: 'node.xml' });
    const findings = evidenceFindings([{ path: 'junit/node.xml', kind: 'junit', summary: out.summary }]);
    expect(findings.map((f) => f.code)).toEqual(['TESTS_FAILED']);
  });

  it('top-level node:test cases alone (no suite at all) are counted', async () => {
    const dir = await tmp();
    const xml =
      '<?xml version="1.0" encoding="utf-8"?>\n<testsuites>\n<testcase name="a" time="0.1" classname="test"/>\n<testcase name="b" time="0.2" classname="test" failure="x"><failure type="testCodeFailure" message="x">x</failure></testcase>\n</testsuites>\n';
    await writeFile(join(dir, 'top.xml'), xml);
    const out = await junitCollector.collect({ file: join(dir, 'top.xml'), label: 'top.xml' });
    expect(out.summary).toMatchObject({ tests: 2, passed: 1, failed: 1 });
  });

  it('a report with no test case collects as 0 tests, and is a finding, never a pass', async () => {
    const out = await junitCollector.collect({ file: fixture('junit/empty.junit.xml'), label: 'empty.xml' });
    expect(out.summary).toMatchObject({ tests: 0, passed: 0 });
    expect(evidenceFindings([{ path: 'junit/empty.xml', kind: 'junit', summary: out.summary }])).toEqual([
      { code: 'TESTS_NONE', path: 'junit/empty.xml', kind: 'junit', message: expect.stringContaining('no test cases') },
    ]);
    expect((await readFile(fixture('junit/empty.junit.xml'), 'utf8')).includes('tests="0"')).toBe(true);
  });
});

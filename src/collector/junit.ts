import type { JunitSummary } from '../core/summaries.js';
import { PACKAGE_VERSION } from '../version.js';
import { outputFor, readInput, type Collector, type CollectorInput } from './collector.js';
import { CollectError, type InputIssue } from './errors.js';
import { attr, children, parseXml, type XmlNode } from './xml.js';

export const JUNIT_MEDIA_TYPE = 'application/xml';

/**
 * JUnit XML as Surefire, jest-junit, vitest and pytest write it. Counts come
 * from the <testcase> elements, not the suites' attributes, which some
 * reporters leave out or get wrong: a case with <error> is errored, else with
 * <failure> failed, else with <skipped> skipped, else passed; except that
 * bare cases beyond a suite's stated `tests` count are skipped (jest's todo).
 */
export const junitCollector: Collector = {
  name: 'junit',
  version: PACKAGE_VERSION,
  async collect(input) {
    const bytes = await readInput(input);
    const doc = parseXml(input, bytes);
    const roots = children(doc, 'testsuites');
    const single = children(doc, 'testsuite');
    if (roots.length + single.length !== 1) {
      throw new CollectError('JUNIT_INVALID', `${input.label}: the root element must be <testsuites> or <testsuite>`, { file: input.label });
    }
    const issues: InputIssue[] = [];
    const totals: JunitSummary = { tests: 0, passed: 0, failed: 0, errored: 0, skipped: 0, durationSeconds: 0 };
    let caseSeconds = 0;
    const visitSuite = (suite: XmlNode, at: string): void => {
      const cases = children(suite, 'testcase');
      let bare = 0;
      cases.forEach((tc, i) => {
        const where = `${at}/testcase[${i + 1}]`;
        totals.tests++;
        if (children(tc, 'error').length > 0) totals.errored++;
        else if (children(tc, 'failure').length > 0) totals.failed++;
        else if (children(tc, 'skipped').length > 0) totals.skipped++;
        else {
          totals.passed++;
          bare++;
        }
        caseSeconds += seconds(tc, where, issues);
      });
      // jest-junit writes `todo` tests as bare test cases but leaves them out of
      // the suite's own `tests` count: such a surplus did not run, so it is not a pass.
      const stated = Number(attr(suite, 'tests'));
      if (Number.isInteger(stated) && stated >= 0 && cases.length > stated) {
        const notRun = Math.min(cases.length - stated, bare);
        totals.passed -= notRun;
        totals.skipped += notRun;
      }
      children(suite, 'testsuite').forEach((s, i) => visitSuite(s, `${at}/testsuite[${i + 1}]`));
    };
    let suiteSeconds: number | undefined;
    if (roots[0]) {
      const root = roots[0];
      const suites = children(root, 'testsuite');
      suites.forEach((s, i) => visitSuite(s, `/testsuites/testsuite[${i + 1}]`));
      suiteSeconds = attr(root, 'time') !== undefined ? seconds(root, '/testsuites', issues) : sumSuiteTimes(suites, issues);
    } else {
      const suite = single[0] as XmlNode;
      visitSuite(suite, '/testsuite');
      suiteSeconds = attr(suite, 'time') !== undefined ? seconds(suite, '/testsuite', issues) : undefined;
    }
    if (issues.length > 0) throw new CollectError('JUNIT_INVALID', `${input.label}: not valid JUnit XML`, { file: input.label, issues });
    totals.durationSeconds = round3(suiteSeconds ?? caseSeconds);
    return outputFor(bytes, 'junit', JUNIT_MEDIA_TYPE, { ...totals });
  },
};

function sumSuiteTimes(suites: XmlNode[], issues: InputIssue[]): number | undefined {
  if (suites.length === 0 || suites.some((s) => attr(s, 'time') === undefined)) return undefined;
  return suites.reduce((n, s, i) => n + seconds(s, `/testsuites/testsuite[${i + 1}]`, issues), 0);
}

/** A `time` attribute in seconds; absent is 0. Some reporters write "1,234.5". */
function seconds(node: XmlNode, where: string, issues: InputIssue[]): number {
  const raw = attr(node, 'time');
  if (raw === undefined || raw.trim() === '') return 0;
  const value = Number(raw.replace(/,/g, ''));
  if (!Number.isFinite(value) || value < 0) {
    issues.push({ path: `${where}/@time`, message: `"${raw}" is not a number of seconds` });
    return 0;
  }
  return value;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

export type { CollectorInput };

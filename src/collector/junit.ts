import { readJunit } from '../formats/junit.js';
import { PACKAGE_VERSION } from '../version.js';
import { outputFor, readInput, type Collector, type CollectorInput } from './collector.js';
import { CollectError } from './errors.js';
import { stripBom } from '../formats/xml.js';
import { parseInputXml } from './xml.js';

export const JUNIT_MEDIA_TYPE = 'application/xml';

/** JUnit XML in the dialects real tools write, read by src/formats/junit.ts (which says how each is counted). */
export const junitCollector: Collector = {
  name: 'junit',
  version: PACKAGE_VERSION,
  async collect(input) {
    const bytes = await readInput(input);
    // Usually a test run that failed before its reporter wrote anything: say so, not "XML is invalid".
    if (stripBom(bytes.toString('utf8')).trim() === '') {
      throw new CollectError(
        'JUNIT_INVALID',
        `${input.label}: the file is empty (${bytes.length === 0 ? '0 bytes' : 'only white space'}), not a JUnit XML report; did the test run write its report?`,
        { file: input.label },
      );
    }
    const reading = readJunit(parseInputXml(input, bytes));
    if (!reading)
      throw new CollectError('JUNIT_INVALID', `${input.label}: the root element must be <testsuites> or <testsuite>`, {
        file: input.label,
      });
    if (reading.issues.length > 0)
      throw new CollectError('JUNIT_INVALID', `${input.label}: not valid JUnit XML`, {
        file: input.label,
        issues: reading.issues,
      });
    return outputFor(bytes, 'junit', JUNIT_MEDIA_TYPE, { ...reading.totals });
  },
};

export type { CollectorInput };

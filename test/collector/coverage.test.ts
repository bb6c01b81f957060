import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coverageCollector } from '../../src/collector/coverage.js';
import { CollectError } from '../../src/collector/errors.js';
import { coverageSummarySchema } from '../../src/core/summaries.js';
import { fixture, useTmp } from '../helpers/tmp.js';

const err = (p: Promise<unknown>): Promise<CollectError> =>
  p.then(
    () => {
      throw new Error('accepted');
    },
    (e: CollectError) => e,
  );
const tmp = useTmp();

async function collectText(text: string, name = 'coverage.txt') {
  const file = join(await tmp(), name);
  await writeFile(file, text);
  return coverageCollector.collect({ file, label: name });
}

const counts = (covered: number, total: number) => ({ covered, total, ratio: total === 0 ? null : covered / total });

// Real vitest 4.1.12 + @vitest/coverage-v8 output of one project; figures from
// test/fixtures/coverage/README.md, counted with awk/grep, xmllint and jq.
describe('coverage collector', () => {
  it.each([
    // LF/LH/BRF/BRH summed over the two records: 11+10=21 lines, 7+5=12 hit; 10+7=17 branches, 5+3=8 hit.
    ['vitest.lcov.info', 'lcov', 'text/x-lcov', counts(12, 21), counts(8, 17)],
    // Same file without the totals: 21 DA lines (12 with hits > 0), 17 BRDA (8 taken > 0).
    ['vitest.no-totals.lcov.info', 'lcov', 'text/x-lcov', counts(12, 21), counts(8, 17)],
    // Root attributes lines-valid=21 lines-covered=12 branches-valid=17 branches-covered=8.
    ['vitest.cobertura.xml', 'cobertura', 'application/xml', counts(12, 21), counts(8, 17)],
    // No counts on the root: 21 class-level <line>s (not the 7 under <methods>), 12 with hits > 0;
    // condition-coverage sums to 7/16 (the report leaves out a one-armed default-parameter branch).
    ['vitest.no-counts.cobertura.xml', 'cobertura', 'application/xml', counts(12, 21), counts(7, 16)],
    // total.lines 12/21 (pct 57.14), total.branches 8/17 (pct 47.05).
    ['vitest.coverage-summary.json', 'istanbul-json-summary', 'application/json', counts(12, 21), counts(8, 17)],
  ])('summarises %s', async (name, format, mediaType, lines, branches) => {
    const out = await coverageCollector.collect({ file: fixture(`coverage/${name}`), label: name });
    expect(out.kind).toBe('coverage');
    expect(out.mediaType).toBe(mediaType);
    expect(out.summary).toEqual({ format, lines, branches });
    expect(coverageSummarySchema.safeParse(out.summary).success).toBe(true);
  });

  it('counts lcov DA and BRDA lines, "-" as not taken, and gives null ratios for nothing measured', async () => {
    const lcov = [
      'TN:',
      'SF:a.js',
      'DA:1,3',
      'DA:2,0',
      'DA:3,1',
      'BRDA:1,0,0,2',
      'BRDA:1,0,1,-',
      'BRDA:3,1,0,0',
      'end_of_record',
      'SF:b.js',
      'DA:1,0',
      'end_of_record',
      '',
    ].join('\n');
    // Lines: 4 DA, 2 with hits > 0. Branches: 3 BRDA, 1 taken > 0.
    expect((await collectText(lcov)).summary).toEqual({ format: 'lcov', lines: counts(2, 4), branches: counts(1, 3) });
    expect((await collectText('SF:x.js\nend_of_record\n')).summary).toEqual({
      format: 'lcov',
      lines: counts(0, 0),
      branches: counts(0, 0),
    });
  });

  it('refuses a broken lcov file with the lines at fault', async () => {
    const e = await err(
      collectText('SF:a.js\nDA:1,x\nLF:abc\nwhat is this\nBRDA:1,0,0,z\nLF:2\nLH:3\nend_of_record\nSF:b.js\nDA:1,1\n'),
    );
    expect(e.code).toBe('COVERAGE_INVALID');
    expect(e.issues.map((i) => i.path)).toEqual(['line 2', 'line 3', 'line 4', 'line 5', 'line 1', 'line 9']);
    expect((await err(collectText('hello world\n'))).issues.map((i) => i.path)).toEqual(['line 1']);
    expect((await err(collectText(''))).code).toBe('COVERAGE_INVALID');
  });

  it('refuses Cobertura with bad counts and XML that is not Cobertura', async () => {
    const xml =
      '<coverage lines-valid="x" lines-covered="1" branches-valid="2" branches-covered="3"><packages><package><classes><class><lines><line number="1" hits="no"/></lines></class></classes></package></packages></coverage>';
    const e = await err(collectText(xml, 'c.xml'));
    expect(e.code).toBe('COVERAGE_INVALID');
    expect(e.issues.map((i) => i.path)).toEqual([
      '/coverage/@lines-valid',
      '/coverage/packages[1]/package[1]/classes[1]/class[1]/lines[1]/line[1]/@hits',
      '/coverage',
    ]);
    expect((await err(collectText('<testsuites/>', 'j.xml'))).code).toBe('COVERAGE_INVALID');
    expect((await err(collectText('<coverage><packages>', 't.xml'))).code).toBe('XML_INVALID');
  });

  it('refuses JSON that is not an istanbul json-summary', async () => {
    const e = await err(
      collectText(
        JSON.stringify({ total: { lines: { total: 3, covered: -1, pct: 1 }, branches: { covered: 0 } } }),
        's.json',
      ),
    );
    expect(e.code).toBe('COVERAGE_INVALID');
    expect(e.issues.map((i) => i.path)).toEqual(['$.total.lines.covered', '$.total.branches.total']);
    const over = await err(
      collectText(
        JSON.stringify({
          total: { lines: { total: 3, covered: 4 }, branches: { total: 0, covered: 0, pct: 'Unknown' } },
        }),
        's.json',
      ),
    );
    expect(over.issues.map((i) => i.path)).toEqual(['$.total.lines.covered']);
    expect((await err(collectText('{"total":', 's.json'))).code).toBe('JSON_INVALID');
  });
});

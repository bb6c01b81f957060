import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CollectError } from '../../src/collector/errors.js';
import { junitCollector } from '../../src/collector/junit.js';
import { sarifCollector } from '../../src/collector/sarif.js';
import { isEslintJsonOutput } from '../../src/formats/sarif.js';
import { runCli } from '../helpers/io.js';
import { fixture, useTmp } from '../helpers/tmp.js';

/**
 * Class: new users. An empty JUnit report says it is empty (not that its XML
 * is invalid); ESLint's JSON given as SARIF names the formatter that writes
 * SARIF.
 */
const tmp = useTmp();

async function failure(p: Promise<unknown>): Promise<CollectError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CollectError);
  return e as CollectError;
}

async function inputFile(name: string, content: string): Promise<{ file: string; label: string }> {
  const dir = await tmp();
  const file = join(dir, name);
  await writeFile(file, content);
  return { file, label: name };
}

const ESLINT_JSON = JSON.stringify([
  {
    filePath: '/src/a.js',
    messages: [
      { ruleId: 'no-unused-vars', severity: 2, message: "'x' is defined but never used.", line: 1, column: 7 },
    ],
    errorCount: 1,
    warningCount: 0,
  },
  { filePath: '/src/b.js', messages: [], errorCount: 0, warningCount: 0 },
]);

describe('an empty JUnit file', () => {
  it.each([
    ['0 bytes', ''],
    ['white space only', ' \n\t\n'],
    ['a byte-order mark and a newline', '\uFEFF\n'],
  ])('%s: JUNIT_INVALID naming the file, and saying it is empty', async (_what, content) => {
    const input = await inputFile('junit.xml', content);
    const e = await failure(junitCollector.collect(input));
    expect(e.code).toBe('JUNIT_INVALID');
    expect(e.file).toBe('junit.xml');
    expect(e.message).toContain('empty');
  });

  it('malformed XML that is not empty is still XML_INVALID', async () => {
    const e = await failure(junitCollector.collect(await inputFile('junit.xml', '<testsuites>')));
    expect(e.code).toBe('XML_INVALID');
    expect(e.message).not.toContain('empty');
  });

  it('collect --junit on an empty file: exit 2 and the code', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'junit.xml'), '');
    const r = await runCli(
      ['collect', '-o', 'b.tar.gz', '--name', 'b', '--version', '1', '--junit', 'junit.xml', '-q'],
      { cwd: dir },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('JUNIT_INVALID');
  });
});

describe("ESLint's JSON given as SARIF", () => {
  it('SARIF_INVALID naming the file and the SARIF formatter package', async () => {
    const input = await inputFile('eslint.json', ESLINT_JSON);
    const e = await failure(sarifCollector.collect(input));
    expect(e.code).toBe('SARIF_INVALID');
    expect(e.file).toBe('eslint.json');
    expect(e.message).toContain('@microsoft/eslint-formatter-sarif');
  });

  it('other JSON that is not SARIF does not name ESLint', async () => {
    const e = await failure(
      sarifCollector.collect(await inputFile('other.json', JSON.stringify({ version: '2.1.0' }))),
    );
    expect(e.code).toBe('SARIF_INVALID');
    expect(e.message).not.toContain('eslint');
  });

  it('real SARIF from ESLint still reads', async () => {
    const out = await sarifCollector.collect({ file: fixture('sarif/eslint.sarif'), label: 'eslint.sarif' });
    expect(out.kind).toBe('sarif');
  });

  it('collect --sarif: exit 2, the code, and the formatter named on standard error', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'eslint.json'), ESLINT_JSON);
    const r = await runCli(
      ['collect', '-o', 'b.tar.gz', '--name', 'b', '--version', '1', '--sarif', 'eslint.json', '-q'],
      { cwd: dir },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SARIF_INVALID');
    expect(r.stderr).toContain('@microsoft/sarif');
  });

  it('what counts as ESLint output', () => {
    expect(isEslintJsonOutput(JSON.parse(ESLINT_JSON))).toBe(true);
    expect(isEslintJsonOutput([])).toBe(false);
    expect(isEslintJsonOutput([{ filePath: 'a.js' }])).toBe(false);
    expect(isEslintJsonOutput([{ filePath: 'a.js', messages: [] }, null])).toBe(false);
    expect(isEslintJsonOutput({ filePath: 'a.js', messages: [] })).toBe(false);
  });
});

describe('an input whose figures a summary cannot record', () => {
  it('is refused naming its file (INPUT_FIGURES_INVALID), not as a manifest entry of no name', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'lcov.info'), `SF:a.js\nLF:${'9'.repeat(20)}\nLH:${'9'.repeat(20)}\nend_of_record\n`);
    await writeFile(
      join(dir, 'k6.json'),
      JSON.stringify({
        root_group: {
          checks: {
            a: { passes: Number.MAX_SAFE_INTEGER, fails: 0 },
            b: { passes: Number.MAX_SAFE_INTEGER, fails: 0 },
          },
        },
        metrics: {},
      }),
    );
    for (const [flag, file] of [
      ['--coverage', 'lcov.info'],
      ['--k6', 'k6.json'],
    ] as const) {
      const r = await runCli(['collect', '-o', 'b.tar.gz', '--name', 'a', '--version', '1', flag, file], { cwd: dir });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`${file}: its figures cannot be recorded`);
      expect(r.stderr).toContain('[INPUT_FIGURES_INVALID]');
    }
  });
});

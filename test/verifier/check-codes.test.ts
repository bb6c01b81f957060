import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { READ_FINDING_CODES } from '../../src/core/bundle-reader.js';
import { VERIFIER_CHECK_CODES } from '../../src/verifier/report.js';

describe('check codes', () => {
  it('docs/bundle-format.md §5.1 lists exactly the codes a check can carry', async () => {
    const doc = await readFile(new URL('../../docs/bundle-format.md', import.meta.url), 'utf8');
    const start = doc.indexOf('### 5.1 Check codes');
    const end = doc.indexOf('\n## ', start);
    expect(start).toBeGreaterThan(0);
    const rows = doc
      .slice(start, end)
      .split('\n')
      .filter((l) => l.startsWith('| '));
    const section = rows.map((r) => r.split(' | ')[1] ?? '').join('\n'); // the code column
    const documented = new Set([...section.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)].map((m) => m[1] as string));
    const typed = new Set<string>([...READ_FINDING_CODES, ...VERIFIER_CHECK_CODES]);
    expect(
      [...typed].filter((c) => !documented.has(c)),
      'codes missing from the table',
    ).toEqual([]);
    expect(
      [...documented].filter((c) => !typed.has(c)),
      'documented codes no check carries',
    ).toEqual([]);
  });

  it("no code is listed twice: the reader's and the verifier's codes are distinct", () => {
    const all = [...READ_FINDING_CODES, ...VERIFIER_CHECK_CODES];
    expect(all.length).toBe(new Set(all).size);
  });
});

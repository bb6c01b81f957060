import { describe, expect, it } from 'vitest';
import type { InspectResult } from '../../src/core/manifest.js';
import { counted, describeSummary, formatInspect } from '../../src/present/text.js';

/**
 * Class: wording. A count of one takes the singular ("1 test", never
 * "1 tests"), and a source part that was not recorded is said to be so,
 * never printed blank.
 */
const levels = { error: 0, warning: 0, note: 0, none: 0 };
const severities = { critical: 0, high: 0, medium: 0, low: 0 };

function inspectOf(source: InspectResult['source']): InspectResult {
  return {
    verified: false,
    name: 'web',
    version: '1.0.0',
    created: '2026-01-01T00:00:00Z',
    source,
    entries: [],
    subjects: [{ name: 'app.tgz', digest: `sha256:${'a'.repeat(64)}`, size: 3 }],
  };
}

describe('counts', () => {
  it('counted: singular for one, plural otherwise, irregular plurals given', () => {
    expect(counted(1, 'subject')).toBe('1 subject');
    expect(counted(0, 'subject')).toBe('0 subjects');
    expect(counted(2, 'entry', 'entries')).toBe('2 entries');
    expect(counted(1, 'entry', 'entries')).toBe('1 entry');
  });

  it('summaries of one test, one result', () => {
    const junit = describeSummary('junit', {
      tests: 1,
      passed: 1,
      failed: 0,
      errored: 0,
      skipped: 0,
      durationSeconds: 0.1,
    });
    expect(junit).toMatch(/^1 test:/);
    const sarif = describeSummary('sarif', {
      tools: ['ESLint'],
      results: 1,
      levels: { ...levels, error: 1 },
      severities,
    });
    expect(sarif).toContain('1 result ');
    expect(sarif).not.toContain('1 results');
    expect(
      describeSummary('sarif', { tools: ['ESLint'], results: 2, levels: { ...levels, error: 2 }, severities }),
    ).toContain('2 results');
  });
});

describe('the source line of inspect', () => {
  const line = (r: InspectResult): string | undefined =>
    formatInspect(r)
      .split('\n')
      .find((l) => l.startsWith('source'));

  it('nothing recorded: says so', () => {
    expect(line(inspectOf({}))).toContain('(none recorded)');
  });

  it('a commit without a repository: the repository is said to be missing, not left blank', () => {
    const l = line(inspectOf({ commit: 'b'.repeat(40) })) as string;
    expect(l).toContain('no repository recorded');
    expect(l).toContain('b'.repeat(40));
    expect(l).not.toMatch(/^source\s+@/);
  });

  it('a blank repository (an older or hand-made manifest) is not printed as an empty value', () => {
    const l = line(inspectOf({ repository: '  ', ref: 'refs/tags/v1' })) as string;
    expect(l).toContain('no repository recorded');
    expect(l).toContain('refs/tags/v1');
  });

  it('all recorded: as recorded', () => {
    expect(
      line(inspectOf({ repository: 'https://github.com/acme/web', commit: 'c'.repeat(40), ref: 'refs/heads/main' })),
    ).toBe(`source   https://github.com/acme/web @ ${'c'.repeat(40)} (refs/heads/main)`);
  });
});

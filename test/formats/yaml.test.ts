import { describe, expect, it } from 'vitest';
import { parseYamlDocument, parseYamlDocuments } from '../../src/formats/yaml.js';

/** A billion-laughs document: each level refers nine times to the one before. */
function aliasBomb(levels: number): string {
  let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i <= levels; i++)
    text += `a${i}: &a${i} [${Array(9)
      .fill(`*a${i - 1}`)
      .join(', ')}]\n`;
  return text;
}

describe('YAML as our inputs read it', () => {
  it('reads JSON as it is, and YAML 1.2 scalars by the core schema', () => {
    expect(parseYamlDocument('{"a": 1, "b": [true, null, 1.5e3]}')).toEqual({ a: 1, b: [true, null, 1500] });
    expect(parseYamlDocument('on: yes\nn: ~\nk: 0o17')).toEqual({ on: 'yes', n: null, k: 15 });
  });

  it('keeps a date as the text it was written as (no timestamp type)', () => {
    expect(parseYamlDocument('until: 2026-12-31\nat: 2026-12-31T10:00:00Z')).toEqual({
      until: '2026-12-31',
      at: '2026-12-31T10:00:00Z',
    });
  });

  it('refuses a key given twice, custom tags and merges that would change what a key says', () => {
    expect(() => parseYamlDocument('a: 1\na: 2')).toThrow(/duplicated mapping key/);
    expect(() => parseYamlDocument('a: !!binary aGVsbG8=')).toThrow();
    expect(parseYamlDocument('<<: {a: 1}\nb: 2')).toEqual({ '<<': { a: 1 }, b: 2 });
  });

  it('refuses a document whose aliases would expand it beyond 100 references', () => {
    expect(() => parseYamlDocument(aliasBomb(12))).toThrow(/maxAliases/);
    expect(parseYamlDocument('a: &x 1\nb: *x')).toEqual({ a: 1, b: 1 });
  });

  it('refuses nesting deeper than 100 levels', () => {
    expect(() => parseYamlDocument('['.repeat(101) + ']'.repeat(101))).toThrow();
    expect(parseYamlDocument('['.repeat(50) + ']'.repeat(50))).toBeDefined();
  });

  it('an empty stream is null; one document is read; more than one is an error', () => {
    expect(parseYamlDocument('')).toBeNull();
    expect(parseYamlDocument('# a comment only\n')).toBeNull();
    expect(() => parseYamlDocument('a: 1\n---\nb: 2\n')).toThrow(/2 YAML documents/);
  });

  it('reads every document of a stream, an empty one as null', () => {
    expect(parseYamlDocuments('---\na: 1\n---\n---\nb: 2\n')).toEqual([{ a: 1 }, null, { b: 2 }]);
  });

  it('names the line and column of a syntax error', () => {
    expect(() => parseYamlDocument('a: 1\n  b: 2')).toThrow(/\(2:4\)/);
  });
});

import { describe, expect, it } from 'vitest';
import { StrictJsonError, parseJsonStrict } from '../../src/core/strict-json.js';

function refusal(text: string): StrictJsonError {
  try {
    parseJsonStrict(text);
  } catch (e) {
    if (e instanceof StrictJsonError) return e;
    throw e;
  }
  throw new Error(`accepted: ${text}`);
}

describe('parseJsonStrict', () => {
  it('reads what JSON.parse reads when no key repeats', () => {
    const text = '{"a":[1,{"b":"x:\\"}{","c":{"b":2}},[]],"b":{"a":null},"s":"\\u0061"}';
    expect(parseJsonStrict(text)).toEqual(JSON.parse(text));
    expect(parseJsonStrict(Buffer.from('[{"k":1},{"k":2}]'))).toEqual([{ k: 1 }, { k: 2 }]);
  });

  it('refuses a key given twice in one object, naming its path', () => {
    expect(refusal('{"a":1,"a":2}')).toMatchObject({ code: 'JSON_DUPLICATE_KEY', path: '$.a' });
    const nested = refusal('{"x":[0,{"y":{"k":1}},{"z":{"k":1,"m":[],"k":3}}]}');
    expect(nested).toMatchObject({ code: 'JSON_DUPLICATE_KEY', path: '$.x[2].z.k' });
  });

  it('compares keys as JSON reads them, escapes decoded', () => {
    expect(refusal('{"a":1, "\\u0061" :2}')).toMatchObject({ code: 'JSON_DUPLICATE_KEY', path: '$.a' });
    expect(refusal('{"\\"q":1,"\\"q":2}').path).toBe('$."q');
  });

  it('does not take strings that look like keys inside values or arrays for keys', () => {
    expect(parseJsonStrict('{"a":"b","c":["a","a"],"d":"a:","e":{"a":"a"}}')).toMatchObject({ d: 'a:' });
    expect(parseJsonStrict('["a", "a" , {"a":1}]')).toEqual(['a', 'a', { a: 1 }]);
  });

  it('refuses what is not JSON and nesting beyond the limit', () => {
    expect(refusal('{"a":1,}').code).toBe('JSON_INVALID');
    expect(refusal('['.repeat(300) + ']'.repeat(300)).code).toBe('JSON_TOO_DEEP');
  });

  it('keeps only the keys of open objects: a long list of objects with the same keys is read', () => {
    const items = Array.from({ length: 50_000 }, (_, i) => ({ id: `CVE-2026-${i}`, severity: 'high', n: i }));
    const read = parseJsonStrict(JSON.stringify({ items })) as { items: unknown[] };
    expect(read.items).toHaveLength(50_000);
  });
});

describe('parseJsonShallow', () => {
  it('reads what JSON.parse reads, and refuses nesting deeper than MAX_JSON_DEPTH before any walker sees it', async () => {
    const { parseJsonShallow, MAX_JSON_DEPTH, StrictJsonError } = await import('../../src/core/strict-json.js');
    expect(parseJsonShallow('{"a":[1,{"b":null}]}')).toEqual({ a: [1, { b: null }] });
    expect(() => parseJsonShallow(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`)).not.toThrow();
    for (const n of [MAX_JSON_DEPTH + 1, 200_000]) {
      try {
        parseJsonShallow(`${'['.repeat(n)}${']'.repeat(n)}`);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(StrictJsonError);
        expect((e as InstanceType<typeof StrictJsonError>).code).toBe('JSON_TOO_DEEP');
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { canonicalBytes, canonicalize } from '../../src/core/canonical-json.js';
import { BundleError } from '../../src/core/errors.js';

/** The BundleError canonicalize throws for `value` (the test fails when it throws none, or another kind). */
function refused(value: unknown): BundleError {
  try {
    canonicalize(value);
  } catch (e) {
    expect(e).toBeInstanceOf(BundleError);
    return e as BundleError;
  }
  return expect.unreachable();
}

describe('canonicalize (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and drops white space', () => {
    expect(canonicalize({ b: 1, a: [true, null, 'x'], A: { d: 2, c: 1 } })).toBe(
      '{"A":{"c":1,"d":2},"a":[true,null,"x"],"b":1}',
    );
  });

  it('sorts non-ASCII keys by code unit, not by locale', () => {
    // U+00E9 (é) is 0x00E9; U+1F600 is the surrogate pair D83D DE00; 'z' is 0x7A.
    expect(canonicalize({ '\u00e9': 1, z: 2, '\u{1F600}': 3 })).toBe('{"z":2,"\u00e9":1,"\u{1F600}":3}');
  });

  it('writes numbers as ECMAScript does (RFC 8785 §3.2.2.3 examples)', () => {
    // The RFC's 333333333.33333329 has more digits than a double holds: read as JavaScript reads it.
    expect(canonicalize([1e21, 1e-7, 0.000001, -0, Number('333333333.33333329'), 4.5])).toBe(
      '[1e+21,1e-7,0.000001,0,333333333.3333333,4.5]',
    );
  });

  it('escapes strings minimally', () => {
    expect(canonicalize('\u0000\n"\\/\u007f')).toBe('"\\u0000\\n\\"\\\\/\u007f"');
  });

  it('drops undefined members but keeps array holes as null', () => {
    expect(canonicalize({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
  });

  it.each([[Number.NaN], [Number.POSITIVE_INFINITY], ['\ud800'], [new Date(0)], [() => 1], [10n]])(
    'refuses %s',
    (value) => {
      expect(refused({ v: value }).code).toBe('CANONICAL_JSON_UNSUPPORTED_VALUE');
    },
  );

  it('names the path of what it refuses, however deep', () => {
    const e = refused({ a: [{ b: 1 }, { c: { d: Number.NaN } }] });
    expect(e.code).toBe('CANONICAL_JSON_UNSUPPORTED_VALUE');
    expect(e.path).toBe('$.a[1].c.d');
  });

  it('orders member names that begin with a digit by code unit, not as array indices', () => {
    expect(canonicalize({ a: 1, 9: 2, 10: 3, '1a': 4, '': 5 })).toBe('{"":5,"10":3,"1a":4,"9":2,"a":1}');
  });

  it('writes a member named __proto__ as a member, and leaves the value as it was', () => {
    const value = JSON.parse('{"z":[{"y":1,"x":2}],"__proto__":{"b":1,"a":2}}') as unknown;
    const before = JSON.stringify(value);
    expect(canonicalize(value)).toBe('{"__proto__":{"a":2,"b":1},"z":[{"x":2,"y":1}]}');
    expect(JSON.stringify(value)).toBe(before);
  });

  it('writes what an independent, member-by-member writer writes, for values made at random', () => {
    // A small reference written here from RFC 8785's rules, against 2,000 random values (a fixed seed, so a failure
    // is the same failure on the next run).
    const reference = (v: unknown): string => {
      if (v === null || typeof v !== 'object') return JSON.stringify(v);
      if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : reference(x))).join(',')}]`;
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${keys.map((k) => `${JSON.stringify(k)}:${reference(o[k])}`).join(',')}}`;
    };
    let seed = 28;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const names = ['a', 'b', 'B', '0', '7', '12', '1e3', '__proto__', '\u00e9', '\u{1F600}', 'z\u0000', ''];
    const make = (depth: number): unknown => {
      switch (rand(depth > 3 ? 4 : 7)) {
        case 0:
          return null;
        case 1:
          return rand(2) === 0;
        case 2:
          return [0, -0, 1.5, 1e21, 1e-7, -123456789.25][rand(6)];
        case 3:
          return names[rand(names.length)]! + '"\\\n';
        case 4:
          return Array.from({ length: rand(4) }, () => (rand(5) === 0 ? undefined : make(depth + 1)));
        default: {
          const o = JSON.parse('{}') as Record<string, unknown>;
          for (let i = rand(5); i > 0; i--) o[names[rand(names.length)]!] = rand(6) === 0 ? undefined : make(depth + 1);
          return o;
        }
      }
    };
    for (let i = 0; i < 2000; i++) {
      const value = make(0);
      expect(canonicalize(value)).toBe(reference(value));
    }
  });

  it('refuses a value nested deeper than the stack as a value it cannot hold, not a RangeError', () => {
    // What JSON.parse reads from hostile bytes: it parses any depth.
    const deep = JSON.parse(`${'['.repeat(200_000)}1${']'.repeat(200_000)}`) as unknown;
    expect(refused({ a: deep }).code).toBe('CANONICAL_JSON_UNSUPPORTED_VALUE');
  });

  it('writes an array\u2019s holes as null whichever writer runs (an outside review)', () => {
    // eslint-disable-next-line no-sparse-arrays -- the hole is the case
    const holey = [1, , 3];
    expect(canonicalize({ a: holey })).toBe('{"a":[1,null,3]}');
    // A digit-led member name sends the whole value to the careful writer.
    expect(canonicalize({ a: holey, 1: 0 })).toBe('{"1":0,"a":[1,null,3]}');
  });

  it('writes the data, never what a toJSON says (own, a class\u2019s, or one added to a prototype)', () => {
    expect(canonicalize({ a: Object.assign(['x'], { toJSON: () => 'hijack' }) })).toBe('{"a":["x"]}');
    class Sub extends Array<number> {
      toJSON(): string {
        return 'sub';
      }
    }
    expect(canonicalize({ a: Sub.from([1]) })).toBe('{"a":[1]}');
    const proto = Object.prototype as { toJSON?: unknown };
    proto.toJSON = () => 'P';
    try {
      expect(canonicalize(JSON.parse('{"a":{"c":1},"b":[1]}'))).toBe('{"a":{"c":1},"b":[1]}');
    } finally {
      delete proto.toJSON;
    }
  });

  it('refuses a lone surrogate in a member name, as in a string (RFC 8785 \u00a73.2.2.2)', () => {
    for (const value of [{ '\ud800': 1 }, { a: { '\udc00x': 1 } }, { 9: { '\ud800': 1 } }])
      expect(refused(value).code).toBe('CANONICAL_JSON_UNSUPPORTED_VALUE');
  });
});

describe('canonicalBytes of long arrays (written a slice at a time)', () => {
  const subjects = (n: number): unknown[] =>
    Array.from({ length: n }, (_, i) => ({ name: `d${i % 7}/f${i}.bin`, digest: { sha256: 'ab' }, size: i }));
  const same = (value: unknown): void => expect(canonicalBytes(value).toString('utf8')).toBe(canonicalize(value));

  it('writes the bytes canonicalize writes', () => {
    same(subjects(5000));
    same({ z: 1, subject: subjects(1025), a: { deep: { list: subjects(513) } }, gone: undefined, e: {} });
    same({ _type: 't', subject: subjects(513), predicate: { '\u00e9': 'x', entries: [] } });
    same({ only: [...subjects(600), undefined, null, 'é', [1, 2]] });
    same({ list: subjects(512), other: subjects(513).map(() => undefined) });
    same({ inner: { __proto__: null, list: subjects(700) } as unknown });
    const holey = subjects(600);
    holey[700] = 1; // 600 to 699: holes
    same({ holey });
  });

  it('leaves to canonicalize what only its careful writer can write, and refuses what it refuses', () => {
    // A member name that begins with a digit: JavaScript would list it first.
    same({ 9: 'x', b: subjects(600) });
    same({ list: subjects(600), nested: { 1: 'y' } });
    class Dated {
      list = subjects(600);
    }
    expect(() => canonicalBytes({ a: new Dated() })).toThrow(BundleError);
    expect(() => canonicalBytes({ a: subjects(600) }).toString()).not.toThrow();
    expect(() => canonicalBytes({ a: [...subjects(600), Number.NaN] })).toThrow(BundleError);
    expect(() => canonicalBytes({ '\ud800': subjects(600) })).toThrow(BundleError);
    const withToJSON = Object.assign({ list: subjects(600) }, { toJSON: () => 'x' });
    expect(() => canonicalBytes(withToJSON)).toThrow(BundleError);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { appendAll, maxOf, minOf } from '../../src/core/objects.js';
import { RegistryClient } from '../../src/transport/oci/client.js';
import { sendJson, startFakeServer, type FakeServer } from '../transport/oci/fake-server.js';

/**
 * Class: a list longer than V8 takes as arguments. `push(...items)`, `Math.max(...items)` pass one argument an item
 * and throw RangeError past about 120,000 (a subject glob of a large tree, an SBOM's components, a registry's tags);
 * the code appends and takes extremes item by item instead, and the linter refuses the spread in src/
 * (eslint.config.mjs). `evidence collect --subject 't/**'` over 130,000 files was INTERNAL_ERROR ("Maximum call stack
 * size exceeded") before; here the same list lengths, without making the files.
 */
const MANY = 150_000;

describe('lists past the argument limit', () => {
  it('appendAll, maxOf and minOf take them, with Math.max and Math.min answers', () => {
    const items = Array.from({ length: MANY }, (_, i) => (i * 7919) % MANY);
    expect(() => [].push(...(items as never[]))).toThrow(RangeError); // what the helpers replace
    expect(appendAll([-1], items)).toHaveLength(MANY + 1);
    // A list appended to itself, once, as push(...list) did.
    const twice = [1, 2];
    expect(appendAll(twice, twice)).toEqual([1, 2, 1, 2]);
    expect(maxOf(items)).toBe(MANY - 1);
    expect(minOf(items)).toBe(0);
    // Math.max's answers at the edges: none, NaN, -0.
    expect(maxOf([])).toBe(Math.max());
    expect(minOf([])).toBe(Math.min());
    expect(maxOf([1, Number.NaN, 3])).toBeNaN();
    expect(Object.is(maxOf([-0, 0]), Math.max(-0, 0))).toBe(true);
  });

  const servers: FakeServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('a registry that lists 150,000 tags in one answer is read, not INTERNAL_ERROR', async () => {
    const tags = Array.from({ length: MANY }, (_, i) => `t${i}`);
    const server = await startFakeServer((req, res) =>
      req.url?.startsWith('/v2/acme/web/tags/list')
        ? sendJson(res, 200, { name: 'acme/web', tags })
        : sendJson(res, 404, { errors: [{ code: 'NAME_UNKNOWN' }] }),
    );
    servers.push(server);
    const listed = await new RegistryClient(server.host, { plainHttp: true }).tags('acme/web');
    expect(listed).toHaveLength(MANY);
    expect(listed.at(-1)).toBe(`t${MANY - 1}`);
  });
});

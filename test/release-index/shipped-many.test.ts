import { describe, expect, it } from 'vitest';
import type { IndexStore } from '../../src/fs/release-index-sqlite.js';
import type { IndexQuery } from '../../src/release-index/sql.js';
import { PURL_RANGE_PARAMS } from '../../src/release-index/sql.js';
import { SHIPPED_PARAMS_AT_ONCE, shippedRows } from '../../src/transport/release-index-store.js';

/**
 * A vulnerability whose findings name more packages than one SQL statement may bind (SQLite's 999 parameters): the
 * components are asked for in parts, and every release that ships one is still found, in the SQL's order.
 */
describe('shippedRows over many named packages', () => {
  it('asks in parts of at most SHIPPED_PARAMS_AT_ONCE packages and finds every release that ships one', async () => {
    const named = 1200;
    const findings = Array.from({ length: named }, (_, i) => ({
      bundle_digest: 'sha256:scanned',
      product: 'web',
      version: '2.0.0',
      purl: `pkg:npm/p${i}@1.0.0`,
    }));
    const asked: number[] = [];
    const store = {
      query(q: IndexQuery) {
        if (q.kind === 'cve') return Promise.resolve(findings);
        if (q.kind !== 'components') throw new Error(`unexpected question ${q.kind}`);
        asked.push(q.packageKeys.length + PURL_RANGE_PARAMS * (q.purlPrefixes?.length ?? 0));
        // Release 1.<i % 3> ships every package asked for; rows come back in each part's own order.
        return Promise.resolve(
          q.packageKeys.map((key, n) => ({
            bundle_digest: `sha256:r${n % 3}`,
            product: 'web',
            created: `2026-01-0${1 + (n % 3)}T00:00:00Z`,
            version: `1.${n % 3}.0`,
            purl: `pkg:${key.replace('//', '/')}@1.0.0`,
            package_key: key,
            findings_read: 1,
            scanned: 1,
          })),
        );
      },
    } as unknown as IndexStore;
    const rows = await shippedRows(store, 'CVE-2026-1');
    // Each package named at one version: at most a parameter for the package and three for its version (the package
    // again and the two ends of its range of purls).
    const each = 1 + PURL_RANGE_PARAMS;
    expect(asked.length).toBe(Math.ceil(named / Math.floor(SHIPPED_PARAMS_AT_ONCE / each)));
    expect(Math.max(...asked)).toBeLessThanOrEqual(SHIPPED_PARAMS_AT_ONCE);
    expect(asked.reduce((a, b) => a + b, 0)).toBe(each * named);
    // Every package was found in some release, and the answers are in (product, created, version) order.
    expect(new Set(rows.map((r) => r.purl)).size).toBe(named);
    const created = rows.map((r) => String(r.created));
    expect(created).toEqual([...created].sort());
  });
});

describe('shippedRows over one package named at many versions', () => {
  it('asks for its versions in several parts, none binding more than SHIPPED_PARAMS_AT_ONCE parameters', async () => {
    const versions = 400;
    const findings = Array.from({ length: versions }, (_, i) => ({
      bundle_digest: 'sha256:scanned',
      product: 'web',
      version: '2.0.0',
      purl: `pkg:npm/lodash@4.17.${i}`,
    }));
    const asked: number[] = [];
    const prefixes = new Set<string>();
    const store = {
      query(q: IndexQuery) {
        if (q.kind === 'cve') return Promise.resolve(findings);
        if (q.kind !== 'components') throw new Error(`unexpected question ${q.kind}`);
        asked.push(q.packageKeys.length + PURL_RANGE_PARAMS * (q.purlPrefixes?.length ?? 0));
        for (const p of q.purlPrefixes ?? []) prefixes.add(p);
        return Promise.resolve([]);
      },
    } as unknown as IndexStore;
    expect(await shippedRows(store, 'CVE-2026-1')).toEqual([]);
    expect(asked.length).toBeGreaterThan(1);
    expect(Math.max(...asked)).toBeLessThanOrEqual(SHIPPED_PARAMS_AT_ONCE);
    // Every version asked for, once.
    expect(prefixes.size).toBe(versions);
  });
});

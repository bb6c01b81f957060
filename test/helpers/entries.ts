import type { ManifestEntry } from '../../src/core/manifest.js';

/** A manifest entry of `kind` with `summary`, its digest made from `n`: enough for the policy and its controls. */
export function summaryEntry(kind: string, n: number, summary: Record<string, unknown>): ManifestEntry {
  return {
    path: `${kind}/${n}.json`,
    kind,
    mediaType: 'application/json',
    digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
    size: 10,
    collector: { name: kind, version: '1.0.0' },
    summary,
  };
}

import { createHash } from 'node:crypto';
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

/** A manifest entry of `kind` holding `bytes` (its real digest and size), with an empty summary. */
export function blobEntry(path: string, kind: string, bytes: Buffer, mediaType = 'application/json'): ManifestEntry {
  return {
    path,
    kind,
    mediaType,
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    size: bytes.length,
    collector: { name: kind, version: '0.1.0' },
    summary: {},
  };
}

import { readBundle } from '../core/bundle-reader.js';
import type { InspectResult } from '../core/manifest.js';
import { notABundle } from '../verifier/errors.js';
import { openBundle } from '../fs/open-bundle.js';

export interface InspectOptions {
  cwd: string;
  bundle: string;
}

export type { InspectResult } from '../core/manifest.js';

/**
 * Shows a bundle's manifest. It reads only the first member and does not
 * verify the blobs: use verify for that.
 */
export async function inspect(options: InspectOptions): Promise<InspectResult> {
  const { stream } = await openBundle(options.cwd, options.bundle);
  const contents = await readBundle(stream, { manifestOnly: true });
  const m = contents.manifest;
  if (!m) {
    // Not a verdict: inspect checks nothing, so a file it cannot read is invalid input (exit 2).
    throw notABundle(
      options.bundle,
      contents.findings.map((f) => f.message),
      'BUNDLE_UNREADABLE',
    );
  }
  return {
    verified: false,
    name: m.name,
    version: m.version,
    created: m.created,
    source: m.source,
    entries: m.entries.map((e) => ({
      path: e.path,
      kind: e.kind,
      mediaType: e.mediaType,
      digest: e.digest,
      size: e.size,
      summary: e.summary,
    })),
    subjects: m.subjects.map((s) => ({ name: s.name, digest: s.digest, size: s.size })),
  };
}

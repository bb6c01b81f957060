import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../src/core/canonical-json.js';
import { BUNDLE_ARTIFACT_TYPE, BUNDLE_MEDIA_TYPE, type Manifest } from '../../../src/core/manifest.js';
import { OciError } from '../../../src/transport/oci/errors.js';
import {
  MAX_IMAGE_CANDIDATES,
  MAX_IMAGE_REFERRERS,
  MAX_REFERRER_LAYER_BYTES,
  SIGSTORE_BUNDLE_MEDIA_TYPE,
  bundleLayer,
  evidenceAnnotations,
  evidenceCandidates,
  evidenceManifest,
  imageAttestations,
  planImageReferrers,
  readEvidenceManifest,
  referrerDigest,
  referrerManifest,
  skippedCandidate,
  type AttestationBundle,
} from '../../../src/transport/oci/evidence-artifact.js';
import { OCI_EMPTY_DESCRIPTOR, OCI_MANIFEST, imageManifestSchema } from '../../../src/transport/oci/manifest.js';

/**
 * The layout of evidence in a registry, as data: no registry, no files.
 * The registry round trips are test/transport/oci/commands.test.ts and
 * hostile.test.ts.
 */
const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const digest = (c: string): string => `sha256:${c.repeat(64)}`;

const manifest: Manifest = {
  mediaType: 'application/vnd.evidence.manifest.v1+json',
  formatVersion: 1,
  name: '@acme/app',
  version: '1.2.3',
  created: '2026-11-01T00:00:00Z',
  generator: { name: 'evidence', version: '0.1.0' },
  source: { repository: 'https://github.com/acme/app', commit: 'a'.repeat(40) },
  entries: [],
  subjects: [],
};
const image = { mediaType: OCI_MANIFEST, digest: digest('d'), size: 500 };
const bundle = (predicateType: string, size = 100, mediaType?: string): AttestationBundle => {
  const json = JSON.stringify({ ...(mediaType ? { mediaType } : {}), dsseEnvelope: {} });
  return { bytes: Buffer.from(json.padEnd(size, ' ')), predicateType };
};

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(OciError);
    return (e as OciError).code;
  }
  return undefined;
};

describe('the evidence artifact', () => {
  it('is an image manifest with our artifactType, the empty config and the bundle as its one layer', () => {
    const layer = bundleLayer(digest('b'), 1234, '/tmp/out/app-1.2.3.evidence.tar.gz');
    expect(layer).toEqual({
      mediaType: BUNDLE_MEDIA_TYPE,
      digest: digest('b'),
      size: 1234,
      annotations: { 'org.opencontainers.image.title': 'app-1.2.3.evidence.tar.gz' },
    });
    const m = evidenceManifest(manifest, layer);
    expect(imageManifestSchema.safeParse(m).success).toBe(true);
    expect(m.artifactType).toBe(BUNDLE_ARTIFACT_TYPE);
    expect(m.config).toEqual(OCI_EMPTY_DESCRIPTOR);
    expect(m.layers).toEqual([layer]);
    expect(m.subject).toBeUndefined();
    expect(evidenceManifest(manifest, layer, image).subject).toEqual(image);
    // What pull checks is what push lays out.
    expect(readEvidenceManifest(canonicalBytes(m), 'x')).toEqual({ manifest: m, layer });
  });

  it('is annotated with the release: created, version, name, source and revision when known', () => {
    expect(evidenceAnnotations(manifest)).toEqual({
      'org.opencontainers.image.created': '2026-11-01T00:00:00Z',
      'org.opencontainers.image.version': '1.2.3',
      'org.opencontainers.image.title': '@acme/app',
      'dev.evidence-bundle.name': '@acme/app',
      'org.opencontainers.image.source': 'https://github.com/acme/app',
      'org.opencontainers.image.revision': 'a'.repeat(40),
    });
    expect(Object.keys(evidenceAnnotations({ ...manifest, source: {} }))).not.toContain(
      'org.opencontainers.image.source',
    );
  });

  it('is refused on read when it is not JSON, not an image manifest, or not evidence', () => {
    expect(codeOf(() => readEvidenceManifest(Buffer.from('{'), 'x'))).toBe('REGISTRY_RESPONSE_INVALID');
    // A registry's answer nested deeper than anything reads it is refused before a schema walks it.
    const deep = `{"schemaVersion":2,"annotations":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
    expect(codeOf(() => readEvidenceManifest(Buffer.from(deep), 'x'))).toBe('REGISTRY_RESPONSE_INVALID');
    expect(codeOf(() => readEvidenceManifest(Buffer.from('{"schemaVersion":2}'), 'x'))).toBe(
      'REGISTRY_RESPONSE_INVALID',
    );
    const layer = bundleLayer(digest('b'), 10, 'b.tar.gz');
    const m = evidenceManifest(manifest, layer);
    const other = { ...m, artifactType: 'application/vnd.example' };
    expect(codeOf(() => readEvidenceManifest(canonicalBytes(other), 'x'))).toBe('ARTIFACT_INVALID');
    const twoLayers = { ...m, layers: [layer, layer] };
    expect(codeOf(() => readEvidenceManifest(canonicalBytes(twoLayers), 'x'))).toBe('ARTIFACT_INVALID');
    const notBundle = { ...m, layers: [{ ...layer, mediaType: 'application/octet-stream' }] };
    expect(codeOf(() => readEvidenceManifest(canonicalBytes(notBundle), 'x'))).toBe('ARTIFACT_INVALID');
  });
});

describe('a Sigstore bundle as a referrer', () => {
  it("is one layer of the bundle's own media type, the empty config and actions/attest's annotations", () => {
    const b = bundle('https://slsa.dev/provenance/v1', 100, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    const r = referrerManifest(b.bytes, image, manifest.created, b.predicateType);
    expect(r.layer).toEqual({ mediaType: r.mediaType, digest: sha256(b.bytes), size: b.bytes.length });
    expect(r.annotations).toEqual({
      'dev.sigstore.bundle.content': 'dsse-envelope',
      'dev.sigstore.bundle.predicateType': 'https://slsa.dev/provenance/v1',
      'org.opencontainers.image.created': manifest.created,
    });
    const parsed = imageManifestSchema.parse(JSON.parse(r.bytes.toString('utf8')));
    expect(parsed).toMatchObject({ artifactType: r.mediaType, config: OCI_EMPTY_DESCRIPTOR, subject: image });
    expect(r.bytes.equals(canonicalBytes(parsed))).toBe(true);
  });

  it('takes its media type from the bundle when it names one, else the Sigstore bundle v0.3 type', () => {
    const named = bundle('p', 100, 'application/vnd.dev.sigstore.bundle+json;version=0.2');
    expect(referrerManifest(named.bytes, image, 'c', 'p').mediaType).toBe(SIGSTORE_BUNDLE_MEDIA_TYPE);
    const v01 = bundle('p', 100, 'application/vnd.dev.sigstore.bundle.v0.1+json');
    expect(referrerManifest(v01.bytes, image, 'c', 'p').mediaType).toBe(
      'application/vnd.dev.sigstore.bundle.v0.1+json',
    );
    expect(referrerManifest(Buffer.from('not json'), image, 'c', 'p').mediaType).toBe(SIGSTORE_BUNDLE_MEDIA_TYPE);
  });

  it('has a digest known before it is pushed: that of its manifest', () => {
    const b = bundle('p');
    expect(referrerDigest(b, image, 'c')).toBe(sha256(referrerManifest(b.bytes, image, 'c', 'p').bytes));
    expect(referrerDigest(b, image, 'c')).not.toBe(referrerDigest(bundle('q'), image, 'c'));
  });
});

describe("an image's referrers, within Kyverno's limits", () => {
  const evidenceBytes = Buffer.from('{"evidence":true}');

  it('leaves out, and says, a bundle over the layer limit', () => {
    const small = bundle('small');
    const big = bundle('big', MAX_REFERRER_LAYER_BYTES + 1);
    const plan = planImageReferrers([small, big], image, 'c', evidenceBytes, new Set());
    expect(plan.bundles).toEqual([small]);
    expect(plan.skipped).toHaveLength(1);
    expect(plan.skipped[0]?.predicateType).toBe('big');
    expect(
      planImageReferrers([bundle('edge', MAX_REFERRER_LAYER_BYTES)], image, 'c', evidenceBytes, new Set()).skipped,
    ).toEqual([]);
  });

  it('refuses a push that would pass the referrer limit (REFERRERS_LIMIT), counting only what is not there yet', () => {
    const bundles = [bundle('a'), bundle('b')];
    // n referrers already there, none of them this push's.
    const full = (n: number): Set<string> =>
      new Set(Array.from({ length: n }, (_, i) => `sha256:${i.toString(16).padStart(64, '0')}`));
    // Three new referrers: the evidence and two bundles.
    expect(() => planImageReferrers(bundles, image, 'c', evidenceBytes, full(MAX_IMAGE_REFERRERS - 3))).not.toThrow();
    expect(codeOf(() => planImageReferrers(bundles, image, 'c', evidenceBytes, full(MAX_IMAGE_REFERRERS - 2)))).toBe(
      'REFERRERS_LIMIT',
    );
    // Pushed again: what is there already is not added twice.
    const there = new Set([
      ...full(MAX_IMAGE_REFERRERS - 3),
      sha256(evidenceBytes),
      ...bundles.map((b) => referrerDigest(b, image, 'c')),
    ]);
    expect(there.size).toBe(MAX_IMAGE_REFERRERS);
    expect(planImageReferrers(bundles, image, 'c', evidenceBytes, there).bundles).toEqual(bundles);
  });
});

describe("an image's evidence candidates", () => {
  const at = (created: string | undefined, c: string) => ({
    mediaType: OCI_MANIFEST,
    digest: digest(c),
    size: 1,
    artifactType: BUNDLE_ARTIFACT_TYPE,
    ...(created ? { annotations: { 'org.opencontainers.image.created': created } } : {}),
  });

  it('are read newest first by the created annotation, those without one last', () => {
    const found = [at('2026-01-01T00:00:00Z', '1'), at(undefined, '2'), at('2026-03-01T00:00:00Z', '3')];
    expect(evidenceCandidates(found)).toEqual({ read: [found[2], found[0], found[1]], more: 0 });
  });

  it(`are at most ${MAX_IMAGE_CANDIDATES}, the others counted`, () => {
    const found = Array.from({ length: MAX_IMAGE_CANDIDATES + 3 }, (_, i) =>
      at(`2026-01-${String(i + 1).padStart(2, '0')}T00:00:00Z`, (i % 10).toString()),
    );
    const { read, more } = evidenceCandidates(found);
    expect(read).toHaveLength(MAX_IMAGE_CANDIDATES);
    expect(more).toBe(3);
    expect(read[0]).toBe(found.at(-1));
  });

  it('skip junk in the referrers list, never a registry failure', () => {
    for (const code of ['ARTIFACT_INVALID', 'REGISTRY_RESPONSE_INVALID', 'REGISTRY_NOT_FOUND'] as const)
      expect(skippedCandidate(new OciError(code, 'x'))).toBe(true);
    for (const code of ['REGISTRY_UNREACHABLE', 'REGISTRY_AUTH_FAILED', 'DIGEST_MISMATCH'] as const)
      expect(skippedCandidate(new OciError(code, 'x'))).toBe(false);
    expect(skippedCandidate(new Error('x'))).toBe(false);
  });
});

describe('the attestations a push hangs on an image', () => {
  /** A Sigstore bundle (DSSE) whose statement names `predicateType`. */
  const dsse = (predicateType: string): Buffer =>
    Buffer.from(
      JSON.stringify({
        dsseEnvelope: {
          payloadType: 'application/vnd.in-toto+json',
          payload: Buffer.from(JSON.stringify({ predicateType })).toString('base64'),
        },
      }),
    );
  const evidence = dsse('https://evidence/v1');
  const standard = Buffer.concat([dsse('https://spdx.dev/Document'), Buffer.from('\n'), Buffer.from('{}\n')]);
  const contents = { attestationBytes: evidence, standardBytes: standard };
  const agreeing = { statementFailures: () => [], standardLinesAgree: () => true };

  it('the evidence statement, then each standard line, with the predicate type each names', () => {
    const seen: Buffer[][] = [];
    const checks = {
      statementFailures: (a: Buffer, b: typeof contents) => (a === evidence && b === contents ? [] : ['other']),
      standardLinesAgree: (lines: readonly Buffer[]) => (seen.push([...lines]), true),
    };
    expect(imageAttestations(contents, 'b.tar.gz', checks).map((a) => a.predicateType)).toEqual([
      'https://evidence/v1',
      'https://spdx.dev/Document',
      '',
    ]);
    expect(seen[0]?.map(String)).toEqual(standard.toString().trim().split('\n'));
    // Without standard lines, only the evidence statement, and no line to hold to anything.
    const alone = imageAttestations({ attestationBytes: evidence }, 'b', {
      ...agreeing,
      standardLinesAgree: () => false,
    });
    expect(alone).toEqual([{ bytes: evidence, predicateType: 'https://evidence/v1' }]);
  });

  it('a statement about another manifest, or standard lines other than stated: ARTIFACT_INVALID', () => {
    expect(() => imageAttestations(contents, 'b', { ...agreeing, statementFailures: () => [{}] })).toThrow(
      expect.objectContaining({ code: 'ARTIFACT_INVALID' }),
    );
    expect(() => imageAttestations(contents, 'b', { ...agreeing, standardLinesAgree: () => false })).toThrow(
      expect.objectContaining({ code: 'ARTIFACT_INVALID' }),
    );
  });
});

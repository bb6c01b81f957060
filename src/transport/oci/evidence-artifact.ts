/**
 * The layout of evidence in a registry, as data: the evidence artifact (an
 * image manifest with our artifactType, the empty config and the bundle as
 * its one layer), the Sigstore bundles as referrers (annotated as
 * actions/attest annotates its own), Kyverno's limits on an image's
 * referrers, which referrers of an image are read as its evidence, and which
 * attestations a push hangs on an image. Pure: evidence-registry.ts does the
 * pushing and reading.
 */
import { parseJsonShallow } from '../../core/strict-json.js';
import { createHash } from 'node:crypto';
import { canonicalBytes } from '../../core/canonical-json.js';
import { issuesInline, zodIssues, safeParseBounded } from '../../core/issues.js';
import { BUNDLE_ARTIFACT_TYPE, BUNDLE_MEDIA_TYPE, type Manifest } from '../../core/manifest.js';
import { bundleLines, dsseContent } from '../../formats/intoto.js';
import { OciError } from './errors.js';
import {
  MEDIA_TYPE_RE,
  OCI_EMPTY_DESCRIPTOR,
  OCI_INDEX,
  OCI_MANIFEST,
  imageManifestSchema,
  type Descriptor,
  type ImageManifest,
} from './manifest.js';

export const SIGSTORE_BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

/** What a release image's manifest may be: OCI or Docker, an image or an index. */
export const IMAGE_MANIFEST_TYPES = [
  OCI_MANIFEST,
  OCI_INDEX,
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
] as const;

/**
 * Kyverno's documented limits on an image's referrers (docs/interop.md): it fails on more than 50, or a layer over
 * 10,000,000 bytes.
 */
export const MAX_IMAGE_REFERRERS = 50;
export const MAX_REFERRER_LAYER_BYTES = 10_000_000;

/** The most referrers of one image that verify --image reads. */
export const MAX_IMAGE_CANDIDATES = 16;

/**
 * A Sigstore bundle (DSSE) to push as a referrer, with the predicate type its statement names ('' when it cannot be
 * read).
 */
export interface AttestationBundle {
  bytes: Buffer;
  predicateType: string;
}

/** An evidence artifact in a registry, checked: its manifest and the one bundle layer. */
export interface EvidenceArtifact {
  reference: string;
  repository: string;
  manifestDigest: string;
  manifest: ImageManifest;
  layer: Descriptor;
}

/** The bundle file as the evidence manifest's one layer: its digest is the file's sha256, its title the file's name. */
export function bundleLayer(digest: string, size: number, path: string): Descriptor {
  return {
    mediaType: BUNDLE_MEDIA_TYPE,
    digest,
    size,
    annotations: { 'org.opencontainers.image.title': path.split(/[\\/]/).pop() ?? 'bundle.tar.gz' },
  };
}

/**
 * What the attestations a push hangs on an image are held to, given by the
 * caller (src/verifier/stated-attestations.ts's functions of these names):
 * transport judges no statement of its own.
 */
export interface StatedChecks<B> {
  statementFailures(attestation: Buffer, bundle: B): readonly unknown[];
  standardLinesAgree(lines: readonly Buffer[], bundle: B): boolean;
}

/**
 * The attestations to hang on the release image, checked for what they say
 * (push has no trust root: the signatures are the consumers' to verify): the
 * evidence statement must be about this manifest, and the standard ones
 * exactly what the bundle's blobs make. Anything else is refused, so a
 * tampered bundle cannot fill an image's referrers with what it likes.
 */
export function imageAttestations<B extends { attestationBytes?: Buffer; standardBytes?: Buffer }>(
  contents: B,
  label: string,
  checks: StatedChecks<NoInfer<B>>,
): AttestationBundle[] {
  const evidence = contents.attestationBytes as Buffer;
  if (checks.statementFailures(evidence, contents).length > 0) {
    throw new OciError(
      'ARTIFACT_INVALID',
      `${label}: its attestation is not a statement about this manifest; not pushed onto the image`,
    );
  }
  const lines = bundleLines(contents.standardBytes);
  if (lines.length > 0 && !checks.standardLinesAgree(lines, contents))
    throw new OciError(
      'ARTIFACT_INVALID',
      `${label}: its standard attestations are not what its evidence states (sign it again); not pushed onto the image`,
    );
  // The predicate type a DSSE Sigstore bundle's statement names ('' when it cannot be read).
  return [evidence, ...lines].map((bytes) => ({ bytes, predicateType: dsseContent(bytes)?.predicateType ?? '' }));
}

export function evidenceAnnotations(manifest: Manifest): Record<string, string> {
  const a: Record<string, string> = {
    'org.opencontainers.image.created': manifest.created,
    'org.opencontainers.image.version': manifest.version,
    'org.opencontainers.image.title': manifest.name,
    'dev.evidence-bundle.name': manifest.name,
  };
  if (manifest.source?.repository) a['org.opencontainers.image.source'] = manifest.source.repository;
  if (manifest.source?.commit) a['org.opencontainers.image.revision'] = manifest.source.commit;
  return a;
}

/**
 * The evidence artifact: an image manifest with our artifactType, the empty
 * config, and the bundle file as its one layer (so a pull gives back the
 * same bytes), a referrer of `subject` when there is one.
 */
export function evidenceManifest(manifest: Manifest, layer: Descriptor, subject?: Descriptor): ImageManifest {
  return {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: BUNDLE_ARTIFACT_TYPE,
    config: OCI_EMPTY_DESCRIPTOR,
    layers: [layer],
    ...(subject ? { subject } : {}),
    annotations: evidenceAnnotations(manifest),
  };
}

/** The referrer manifest of a Sigstore bundle: one layer, the empty config, actions/attest's annotations. */
export function referrerManifest(
  bytes: Buffer,
  subject: Descriptor,
  created: string,
  predicateType: string,
): { layer: Descriptor; annotations: Record<string, string>; mediaType: string; bytes: Buffer } {
  let mediaType = SIGSTORE_BUNDLE_MEDIA_TYPE;
  try {
    const declared = (parseJsonShallow(bytes.toString('utf8')) as { mediaType?: unknown }).mediaType;
    if (typeof declared === 'string' && MEDIA_TYPE_RE.test(declared)) mediaType = declared;
  } catch {
    // The bundle verified; its attestation is JSON. Keep the default.
  }
  const layer: Descriptor = {
    mediaType,
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    size: bytes.length,
  };
  const annotations = {
    'dev.sigstore.bundle.content': 'dsse-envelope',
    'dev.sigstore.bundle.predicateType': predicateType,
    'org.opencontainers.image.created': created,
  };
  const referrer: ImageManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: mediaType,
    config: OCI_EMPTY_DESCRIPTOR,
    layers: [layer],
    subject,
    annotations,
  };
  return { layer, annotations, mediaType, bytes: canonicalBytes(referrer) };
}

/** The digest pushSignatureReferrer's manifest for these bytes will have: what tells an attestation already there. */
export function referrerDigest(bundle: AttestationBundle, subject: Descriptor, created: string): string {
  return `sha256:${createHash('sha256')
    .update(referrerManifest(bundle.bytes, subject, created, bundle.predicateType).bytes)
    .digest('hex')}`;
}

export interface ImagePlan {
  /** The bundles to push as referrers of the image, in order. */
  bundles: AttestationBundle[];
  skipped: { predicateType: string; reason: string }[];
}

/**
 * What a push adds to an image's referrers (`existing`: the digests it has),
 * checked before anything is pushed: bundles over Kyverno's layer limit are
 * left out (and said), and a push that would take the image past its 50
 * referrers is refused whole (REFERRERS_LIMIT).
 */
export function planImageReferrers(
  bundles: AttestationBundle[],
  image: Descriptor,
  created: string,
  evidenceBytes: Buffer,
  existing: ReadonlySet<string>,
): ImagePlan {
  const skipped: ImagePlan['skipped'] = [];
  const fit = bundles.filter((b) => {
    if (b.bytes.length <= MAX_REFERRER_LAYER_BYTES) return true;
    skipped.push({
      predicateType: b.predicateType,
      reason: `${b.bytes.length} bytes: Kyverno reads no referrer layer over ${MAX_REFERRER_LAYER_BYTES}`,
    });
    return false;
  });
  const adding = [
    `sha256:${createHash('sha256').update(evidenceBytes).digest('hex')}`,
    ...fit.map((b) => referrerDigest(b, image, created)),
  ].filter((d) => !existing.has(d));
  if (existing.size + adding.length > MAX_IMAGE_REFERRERS) {
    throw new OciError(
      'REFERRERS_LIMIT',
      `${image.digest} has ${existing.size} referrers; this push would add ${adding.length} and pass ${MAX_IMAGE_REFERRERS}, beyond which Kyverno refuses the image (push without --subject-image, or prune old referrers); no manifest or referrer was written (the bundle's blob may be in the repository, unreferenced)`,
    );
  }
  return { bundles: fit, skipped };
}

/** A manifest's bytes as an evidence artifact's: an OCI image manifest with our artifactType and one bundle layer. */
export function readEvidenceManifest(bytes: Buffer, label: string): { manifest: ImageManifest; layer: Descriptor } {
  let json: unknown;
  try {
    json = parseJsonShallow(bytes.toString('utf8'));
  } catch {
    throw new OciError('REGISTRY_RESPONSE_INVALID', `${label}: the manifest is not JSON`);
  }
  const parsed = safeParseBounded(imageManifestSchema, json);
  if (!parsed.success)
    throw new OciError(
      'REGISTRY_RESPONSE_INVALID',
      `${label}: not an OCI image manifest (${issuesInline(zodIssues(parsed.error))})`,
    );
  const m = parsed.data;
  const layers = m.layers.filter((l) => l.mediaType === BUNDLE_MEDIA_TYPE);
  if (m.artifactType !== BUNDLE_ARTIFACT_TYPE || layers.length !== 1 || m.layers.length !== 1) {
    throw new OciError(
      'ARTIFACT_INVALID',
      `${label}: not an evidence bundle (artifactType ${m.artifactType ?? 'none'}, ${m.layers.length} layers; expected ${BUNDLE_ARTIFACT_TYPE} with one ${BUNDLE_MEDIA_TYPE} layer)`,
    );
  }
  return { manifest: m, layer: layers[0] as Descriptor };
}

/**
 * Which of an image's evidence referrers are read: newest first by their
 * created annotation, which is only a hint (it is not signed), at most
 * MAX_IMAGE_CANDIDATES; `more` is how many are left unread.
 */
export function evidenceCandidates(found: readonly Descriptor[]): { read: Descriptor[]; more: number } {
  const hinted = [...found].sort((a, b) => created(b).localeCompare(created(a)));
  return { read: hinted.slice(0, MAX_IMAGE_CANDIDATES), more: Math.max(0, hinted.length - MAX_IMAGE_CANDIDATES) };
}

/** Junk in a referrers list is skipped; a registry that fails is not. */
export function skippedCandidate(e: unknown): boolean {
  return (
    e instanceof OciError && ['ARTIFACT_INVALID', 'REGISTRY_RESPONSE_INVALID', 'REGISTRY_NOT_FOUND'].includes(e.code)
  );
}

const created = (d: Descriptor): string => d.annotations?.['org.opencontainers.image.created'] ?? '';

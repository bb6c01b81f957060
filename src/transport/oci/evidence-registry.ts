/**
 * Evidence in a registry, through a RegistryClient: the evidence artifact
 * pushed with its Sigstore bundle as a referrer (and, with a release image,
 * every attestation as a referrer of the image, within Kyverno's limits), an
 * evidence artifact resolved and checked, an image's evidence found. The
 * layout itself is evidence-artifact.ts.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { canonicalBytes } from '../../core/canonical-json.js';
import { BUNDLE_ARTIFACT_TYPE, type Manifest } from '../../core/manifest.js';
import { EVIDENCE_PREDICATE_TYPE } from '../../core/predicate.js';
import type { RegistryClient } from './client.js';
import { OciError } from './errors.js';
import {
  IMAGE_MANIFEST_TYPES,
  evidenceCandidates,
  evidenceManifest,
  planImageReferrers,
  readEvidenceManifest,
  referrerManifest,
  skippedCandidate,
  type AttestationBundle,
  type EvidenceArtifact,
  type ImagePlan,
} from './evidence-artifact.js';
import { OCI_EMPTY_BYTES, OCI_EMPTY_DESCRIPTOR, OCI_MANIFEST, type Descriptor } from './manifest.js';
import type { FetchedManifest } from './manifests.js';
import { formatReference, parseReference, type OciReference } from './reference.js';

/** The image manifest `ref` names (by tag or digest); `what` names it in the error when it names neither. */
export async function imageManifest(client: RegistryClient, ref: OciReference, what: string): Promise<FetchedManifest> {
  const reference = ref.digest ?? ref.tag;
  if (!reference) throw new OciError('REFERENCE_INVALID', `${what}: needs a :TAG or @sha256:… digest`);
  return client.getManifest(ref.repository, reference, IMAGE_MANIFEST_TYPES);
}

/**
 * push --subject-image: the release image the evidence becomes a referrer
 * of, named by digest, in the evidence's repository, and among the bundle's
 * signed subjects (`subjects`).
 */
export async function subjectImage(
  client: RegistryClient,
  ref: OciReference,
  subjectImage: string,
  subjects: readonly { digest: string }[],
  bundleLabel: string,
): Promise<{ reference: string; descriptor: Descriptor }> {
  const image = parseReference(subjectImage);
  if (!image.digest)
    throw new OciError(
      'REFERENCE_INVALID',
      `--subject-image ${subjectImage}: name the image by digest (REF@sha256:…), as the statement does`,
    );
  if (image.registry !== ref.registry || image.repository !== ref.repository) {
    throw new OciError(
      'REFERENCE_INVALID',
      `--subject-image ${subjectImage}: must be in ${ref.registry}/${ref.repository}, where the evidence goes (referrers are found in the subject's repository)`,
    );
  }
  if (!subjects.some((s) => s.digest === image.digest)) {
    throw new OciError(
      'ARTIFACT_INVALID',
      `${bundleLabel}: its signed subjects do not include ${image.digest}; collect it with --subject-image ${formatReference(image)} so that the statement covers the image`,
    );
  }
  const fetched = await client.getManifest(image.repository, image.digest, IMAGE_MANIFEST_TYPES);
  return {
    reference: formatReference(image),
    descriptor: { mediaType: fetched.mediaType, digest: fetched.digest, size: fetched.bytes.length },
  };
}

/**
 * Uploads `source` (`size` bytes), closed under the digest `verified` gives
 * once the caller has checked the same bytes; a registry that refuses a
 * whole-blob upload gets the verified blob again, in chunks from `reopen`,
 * checked against the verified digest as it goes.
 */
export async function pushVerifiedBlob(
  client: RegistryClient,
  repository: string,
  upload: { source: Readable; size: number; reopen: () => Readable; label: string },
  verified: Promise<{ digest: string; size: number }>,
  say: (m: string) => void,
): Promise<'exists' | 'mounted' | 'uploaded'> {
  const { source, label } = upload;
  let uploaded: { digest: string; size: number; existed: boolean };
  try {
    // The bytes uploaded are the bytes verified (one read, teed): closed under the digest the check computed.
    uploaded = await client.pushBlobStream(
      repository,
      source,
      async (size) => {
        const intact = await verified;
        if (intact.size !== size)
          throw new OciError('DIGEST_MISMATCH', `${label}: ${size} bytes were uploaded, ${intact.size} verified`, {
            expected: String(intact.size),
            found: String(size),
          });
        return intact.digest;
      },
      { size: upload.size },
    );
  } catch (e) {
    // The upload failed. The integrity check still runs to its end (the tee lets go of the upload's side):
    // a bundle that fails it is refused as such (BUNDLE_INVALID, exit 1), whatever the registry did.
    source.destroy();
    const intact = await verified;
    if (e instanceof OciError && e.code === 'STREAM_UPLOAD_REFUSED') {
      // A registry that takes blobs only in chunks: the verified bundle again, in chunks, checked against the verified
      // digest as it goes.
      say('the registry refused a whole-blob upload; uploading in chunks');
      return client.pushBlob(repository, { digest: intact.digest, size: intact.size }, upload.reopen);
    }
    throw e;
  }
  return uploaded.existed ? 'exists' : 'uploaded';
}

/** What pushEvidence wrote. */
export interface EvidencePush {
  /** The evidence manifest's digest: `oci://…@<digest>` pulls exactly this. */
  digest: string;
  /** True when the registry has no referrers API and the sha256-<hex> fallback tag was updated. */
  fallbackTag: boolean;
  /** The Sigstore bundle's referrer manifest, when the bundle is signed. */
  signature?: { digest: string };
  /**
   * With a subject image: each Sigstore bundle (ours and the standard
   * statements) pushed as a referrer of the image itself, where cosign
   * verify-attestation, gh attestation verify oci://… and Kyverno look.
   */
  imageAttestations?: { digest: string; predicateType: string }[];
  /** Bundles not pushed as image referrers, and why (Kyverno reads no layer over 10,000,000 bytes). */
  imageAttestationsSkipped?: { predicateType: string; reason: string }[];
}

/**
 * Pushes the evidence artifact for a bundle whose blob (`layer`) is already
 * in `repository`, under `tag`: the manifest (a referrer of `subject` when
 * given), the bundle's Sigstore bundle (`attestation`) as a referrer of it,
 * and, with a subject, `imageBundles` as referrers of the image. Every
 * referrer this adds to the image is counted first: past Kyverno's limit
 * nothing is pushed.
 */
export async function pushEvidence(
  client: RegistryClient,
  repository: string,
  tag: string,
  evidence: {
    manifest: Manifest;
    layer: Descriptor;
    subject?: Descriptor;
    attestation?: Buffer;
    imageBundles?: AttestationBundle[];
  },
  say: (m: string) => void,
): Promise<EvidencePush> {
  const { manifest, subject, attestation } = evidence;
  const artifact = evidenceManifest(manifest, evidence.layer, subject);
  const evidenceBytes = canonicalBytes(artifact);
  const imagePlan =
    subject && evidence.imageBundles
      ? planImageReferrers(
          evidence.imageBundles,
          subject,
          manifest.created,
          evidenceBytes,
          new Set((await client.referrers(repository, subject.digest)).map((d) => d.digest)),
        )
      : undefined;

  await client.pushBlob(repository, OCI_EMPTY_DESCRIPTOR, () => readableOf(OCI_EMPTY_BYTES));

  const pushed = await client.pushManifest(repository, tag, evidenceBytes, OCI_MANIFEST);
  const evidenceDescriptor: Descriptor = {
    mediaType: OCI_MANIFEST,
    digest: pushed.digest,
    size: evidenceBytes.length,
    artifactType: BUNDLE_ARTIFACT_TYPE,
    annotations: artifact.annotations ?? {},
  };
  const result: EvidencePush = { digest: pushed.digest, fallbackTag: false };
  if (subject && !pushed.subjectAccepted) {
    await client.addReferrerToFallbackIndex(repository, subject.digest, evidenceDescriptor);
    result.fallbackTag = true;
  }
  if (attestation) {
    say('pushing the Sigstore bundle as a referrer');
    const signature = await pushSignatureReferrer(
      client,
      repository,
      attestation,
      evidenceDescriptor,
      manifest.created,
    );
    result.signature = { digest: signature.digest };
    result.fallbackTag ||= signature.fallbackTag;
    if (subject && imagePlan) {
      const images = await pushImageAttestations(client, repository, imagePlan, subject, manifest.created, say);
      result.imageAttestations = images.imageAttestations;
      if (images.skipped.length) result.imageAttestationsSkipped = images.skipped;
      result.fallbackTag ||= images.fallbackTag;
    }
  }
  return result;
}

async function pushSignatureReferrer(
  client: RegistryClient,
  repository: string,
  bytes: Buffer,
  subject: Descriptor,
  created: string,
  predicateType: string = EVIDENCE_PREDICATE_TYPE,
): Promise<{ digest: string; fallbackTag: boolean }> {
  const {
    layer,
    annotations,
    mediaType,
    bytes: referrerBytes,
  } = referrerManifest(bytes, subject, created, predicateType);
  await client.pushBlob(repository, { digest: layer.digest, size: layer.size }, () => readableOf(bytes));
  const digest = `sha256:${createHash('sha256').update(referrerBytes).digest('hex')}`;
  const pushed = await client.pushManifest(repository, digest, referrerBytes, OCI_MANIFEST);
  if (pushed.subjectAccepted) return { digest: pushed.digest, fallbackTag: false };
  await client.addReferrerToFallbackIndex(repository, subject.digest, {
    mediaType: OCI_MANIFEST,
    digest: pushed.digest,
    size: referrerBytes.length,
    artifactType: mediaType,
    annotations,
  });
  return { digest: pushed.digest, fallbackTag: true };
}

/**
 * Each Sigstore bundle as a referrer of the image: one layer (the bundle, its media type as artifactType), the empty
 * config, and actions/attest's annotations.
 */
async function pushImageAttestations(
  client: RegistryClient,
  repository: string,
  plan: ImagePlan,
  image: Descriptor,
  created: string,
  say: (m: string) => void,
): Promise<{
  imageAttestations: { digest: string; predicateType: string }[];
  skipped: ImagePlan['skipped'];
  fallbackTag: boolean;
}> {
  const out: { digest: string; predicateType: string }[] = [];
  let fallbackTag = false;
  for (const b of plan.bundles) {
    const predicateType = b.predicateType;
    say(`pushing the ${predicateType || 'Sigstore'} attestation as a referrer of ${image.digest}`);
    const pushed = await pushSignatureReferrer(client, repository, b.bytes, image, created, predicateType);
    out.push({ digest: pushed.digest, predicateType });
    fallbackTag ||= pushed.fallbackTag;
  }
  return { imageAttestations: out, skipped: plan.skipped, fallbackTag };
}

/** A fresh stream per call: uploads may be retried. */
function readableOf(bytes: Uint8Array): Readable {
  return Readable.from([Buffer.from(bytes)]);
}

/** Resolves a reference to an evidence manifest, checking that it is one (artifactType, one bundle layer). */
export async function resolveEvidence(
  client: RegistryClient,
  ref: OciReference,
  label: string,
): Promise<EvidenceArtifact> {
  const reference = ref.digest ?? ref.tag;
  if (!reference) throw new OciError('REFERENCE_INVALID', `${label}: needs a :TAG or @sha256:… digest`);
  const fetched = await client.getManifest(ref.repository, reference, [OCI_MANIFEST]);
  const { manifest, layer } = readEvidenceManifest(fetched.bytes, label);
  return { reference: label, repository: ref.repository, manifestDigest: fetched.digest, manifest, layer };
}

/**
 * The evidence of a container image: referrers of the image's manifest with
 * our artifactType (referrers API, else the fallback tag), each re-read and
 * its `subject` checked. Listed newest first by their created annotation,
 * which is only a hint: it is not signed (see verifyImage). With a client
 * already made: an audit reads many tags through one.
 */
export async function imageEvidence(
  client: RegistryClient,
  ref: OciReference,
  label: string,
): Promise<{
  image: { reference: string; digest: string };
  evidence: string[];
  artifacts: EvidenceArtifact[];
  more: number;
}> {
  const image = await imageManifest(client, ref, `--image ${label}`);
  const found = await client.referrers(ref.repository, image.digest, { artifactType: BUNDLE_ARTIFACT_TYPE });
  const { read, more } = evidenceCandidates(found);
  const artifacts: EvidenceArtifact[] = [];
  for (const d of read) {
    const candidate: OciReference = { registry: ref.registry, repository: ref.repository, digest: d.digest };
    const candidateLabel = formatReference(candidate);
    let artifact: EvidenceArtifact;
    try {
      artifact = await resolveEvidence(client, candidate, candidateLabel);
    } catch (e) {
      if (skippedCandidate(e)) continue;
      throw e;
    }
    // A referrers list is only a hint: the manifest itself must name the image as its subject.
    if (artifact.manifest.subject?.digest === image.digest) artifacts.push(artifact);
  }
  if (artifacts.length === 0)
    throw new OciError(
      'ARTIFACT_NOT_FOUND',
      `${label}: no evidence bundle refers to image ${image.digest} in ${ref.registry}/${ref.repository}`,
    );
  return {
    image: { reference: formatReference({ ...ref, digest: image.digest }), digest: image.digest },
    evidence: artifacts.map((a) => a.reference),
    artifacts,
    more,
  };
}

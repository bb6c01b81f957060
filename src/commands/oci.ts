import { countingStream, type ByteProgress } from '../fs/progress.js';
import { withProgress } from '../fs/progress-stream.js';
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RegistryClient } from '../transport/oci/client.js';
import { registryClient, type RegistryOptions } from '../transport/oci/connect.js';
import { OciError } from '../transport/oci/errors.js';
import { bundleLayer, imageAttestations, type EvidenceArtifact } from '../transport/oci/evidence-artifact.js';
import {
  imageEvidence,
  imageManifest,
  pushEvidence,
  pushVerifiedBlob,
  resolveEvidence,
  subjectImage,
  type EvidencePush,
} from '../transport/oci/evidence-registry.js';
import { parseReference, formatReference } from '../transport/oci/reference.js';
import type { VerifyOptions, VerifyResult } from './verify.js';
import { requireIntegrity } from '../verifier/verify-bundle.js';
import { verdictOf } from '../verifier/report.js';
import { requireCoveringStatement, standardLinesAgree, statementFailures } from '../verifier/stated-attestations.js';
import { chooseEvidence, type EvidenceCandidate } from '../verifier/release-evidence.js';
import { standardSourceBlob } from '../formats/standard-statements.js';
import { writeAtomically } from '../fs/atomic.js';
import { openBundle } from '../fs/open-bundle.js';
import { integrityCheck } from '../fs/integrity-thread.js';
import { tee } from '../fs/tee.js';
import type { Env } from '../core/env.js';

/** Registries are reached and evidence laid out in src/transport/oci (connect.ts, evidence-*.ts). */
export type { EvidenceArtifact, RegistryOptions };

export const isOciReference = (text: string): boolean => text.startsWith('oci://');

export interface PushOptions {
  cwd: string;
  env?: Env;
  bundle: string;
  /** oci://REGISTRY/REPOSITORY:TAG */
  reference: string;
  /** REF@sha256:… of a release image in the same repository: the evidence becomes its referrer. */
  subjectImage?: string;
  /** Another repository of the same registry that may hold the bundle already: it is mounted, not uploaded. */
  mountFrom?: string;
  registry?: RegistryOptions;
  onProgress?: (message: string) => void;
  /** Told of the bytes uploaded, for a progress display. */
  onBytes?: ByteProgress;
}

/**
 * What push checked before anything named the bundle: its integrity (§4)
 * always; for a signed bundle, also that the signed statement is about this
 * manifest. Push has no trust root: the signature itself (who signed) is the
 * consumers' to verify, and neither value claims it.
 */
export type PushChecked = 'integrity-only-unsigned' | 'integrity-and-statement';

/** What push did; the registry's side (the evidence manifest's digest, the referrers) is EvidencePush. */
export interface PushResult extends EvidencePush {
  reference: string;
  /** What was checked: an unsigned bundle is pushed on its integrity alone, and says so. */
  checked: PushChecked;
  /** sha256 of the bundle file, which is the one layer. */
  bundleDigest: string;
  size: number;
  blob: 'exists' | 'mounted' | 'uploaded';
  subject?: { reference: string; digest: string };
}

/**
 * Pushes a bundle as an OCI artifact: an image manifest with our
 * artifactType, the empty config, and the bundle file as its one layer (so a
 * pull gives back the same bytes, and the layer digest is the file's
 * sha256). The bundle's Sigstore bundle goes up as a referrer of that
 * manifest, annotated as actions/attest annotates its own.
 */
export async function push(options: PushOptions): Promise<PushResult> {
  const env = options.env ?? {};
  const say = options.onProgress ?? (() => undefined);
  const ref = parseReference(options.reference);
  if (!ref.tag || ref.digest)
    throw new OciError(
      'REFERENCE_INVALID',
      `${options.reference}: push needs a tag and no digest (oci://REGISTRY/REPOSITORY:TAG)`,
    );

  const client = await registryClient(ref, options.registry ?? {}, env);
  // One read: the bundle is verified as it is uploaded, and the upload is
  // closed only if it verified (with --mount-from, verified first: a mount
  // needs the digest before anything moves).
  const { path, intact, blob } = options.mountFrom
    ? await verifyThenMount(client, ref.repository, options)
    : await verifyWhileUploading(client, ref.repository, options, say);
  // Both went through requireCoveringStatement before the blob was named: a signed bundle here has a statement about
  // its manifest.
  const attestation = intact.contents.attestationBytes;
  const checked: PushChecked = attestation ? 'integrity-and-statement' : 'integrity-only-unsigned';
  if (checked === 'integrity-only-unsigned') say(`${options.bundle} is unsigned: pushed on its integrity only`);
  const manifest = intact.contents.manifest;
  const layer = bundleLayer(intact.digest, intact.size, path);
  const subject = options.subjectImage
    ? await subjectImage(client, ref, options.subjectImage, manifest.subjects, options.bundle)
    : undefined;
  const pushed = await pushEvidence(
    client,
    ref.repository,
    ref.tag,
    {
      manifest,
      layer,
      ...(subject ? { subject: subject.descriptor } : {}),
      ...(attestation ? { attestation } : {}),
      // With a subject image, every referrer this push adds to it is counted first: past Kyverno's limit nothing is
      // pushed.
      ...(subject && attestation ? { imageBundles: imageAttestations(intact.contents, options.bundle, stated) } : {}),
    },
    say,
  );
  const { digest, fallbackTag, ...referrers } = pushed;
  return {
    reference: formatReference(ref),
    checked,
    digest,
    bundleDigest: layer.digest,
    size: layer.size,
    blob,
    fallbackTag,
    ...(subject ? { subject: { reference: subject.reference, digest: subject.descriptor.digest } } : {}),
    ...referrers,
  };
}

type Intact = Awaited<ReturnType<typeof requireIntegrity>>;

/** What push holds the attestations it hangs on an image to: what they state (src/verifier/stated-attestations.ts). */
const stated = { statementFailures, standardLinesAgree };

/** With --mount-from: verify (one read), then mount or upload (a second read, only if the mount is refused). */
async function verifyThenMount(
  client: RegistryClient,
  repository: string,
  options: PushOptions,
): Promise<{ path: string; intact: Intact; blob: PushResult['blob'] }> {
  const { path, stream } = await openBundle(options.cwd, options.bundle);
  const intact = requireCoveringStatement(
    await requireIntegrity(stream, options.bundle, 'not pushed', { keepBlob: standardSourceBlob }),
    options.bundle,
  );
  const open = (): NodeJS.ReadableStream =>
    withProgress(createReadStream(path, { highWaterMark: 1024 * 1024 }), options.bundle, intact.size, options.onBytes);
  const blob = await client.pushBlob(
    repository,
    { digest: intact.digest, size: intact.size },
    open as () => ReturnType<typeof createReadStream>,
    { mountFrom: options.mountFrom as string },
  );
  return { path, intact, blob };
}

/**
 * One read of the bundle file, teed: the integrity check (§4) on one side,
 * the chunked upload on the other. The upload is closed under the digest
 * only if the bundle verified and the digest is the one verified; otherwise
 * it is cancelled and nothing names it.
 */
async function verifyWhileUploading(
  client: RegistryClient,
  repository: string,
  options: PushOptions,
  say: (m: string) => void,
): Promise<{ path: string; intact: Intact; blob: PushResult['blob'] }> {
  const { path, stream: file, size: fileSize } = await openBundle(options.cwd, options.bundle, options.onBytes);
  const [forVerify, forUpload] = tee(file);
  // The check is fed the same bytes as the upload (inline by default; on a thread of its own on request:
  // src/commands/integrity-thread.ts).
  const check = integrityCheck(options.bundle, 'not pushed', fileSize, options.env ?? {});
  // pipeline, not pipe: a read that fails must reach the check (which then fails), not be left unheard.
  pipeline(forVerify, check.sink).catch(() => undefined);
  const verifying = check.result.then((intact) => requireCoveringStatement(intact, options.bundle));
  // A bundle that does not verify stops the upload, and its error is the one told.
  verifying.catch((e: unknown) => file.destroy(e as Error));
  say(`verifying and pushing ${options.bundle}`);
  const reopen = (): Readable => createReadStream(path, { highWaterMark: 1024 * 1024 });
  const upload = { source: forUpload, size: fileSize, reopen, label: options.bundle };
  const blob = await pushVerifiedBlob(client, repository, upload, verifying, say);
  return { path, intact: await verifying, blob };
}

export interface PullOptions {
  cwd: string;
  env?: Env;
  reference: string;
  output: string;
  force?: boolean;
  registry?: RegistryOptions;
  /** Told of the bytes downloaded, for a progress display. */
  onBytes?: ByteProgress;
}

export interface PullResult {
  output: string;
  manifestDigest: string;
  bundleDigest: string;
  size: number;
}

/**
 * Pulls a bundle: the layer streams to a temporary file, checked against its digest, and is renamed into place only
 * when whole.
 */
export async function pull(options: PullOptions): Promise<PullResult> {
  const ref = parseReference(options.reference);
  const client = await registryClient(ref, options.registry ?? {}, options.env ?? {});
  const artifact = await resolveEvidence(client, ref, options.reference);
  const output = resolve(options.cwd, options.output);
  await writeAtomically(output, options.force ?? false, async (out) => {
    const blob = await client.getBlob(ref.repository, artifact.layer);
    await (options.onBytes
      ? pipeline(blob, countingStream(options.output, artifact.layer.size, options.onBytes), out)
      : pipeline(blob, out));
  });
  return {
    output,
    manifestDigest: artifact.manifestDigest,
    bundleDigest: artifact.layer.digest,
    size: artifact.layer.size,
  };
}

/** The bundle's bytes from a registry, as a stream checked against the layer digest. */
export async function openEvidenceStream(options: {
  env?: Env;
  reference: string;
  registry?: RegistryOptions;
}): Promise<{ stream: Readable; artifact: EvidenceArtifact }> {
  const ref = parseReference(options.reference);
  const client = await registryClient(ref, options.registry ?? {}, options.env ?? {});
  const artifact = await resolveEvidence(client, ref, options.reference);
  return { stream: await client.getBlob(ref.repository, artifact.layer), artifact };
}

/**
 * The evidence of a container image: referrers of the image's manifest with
 * our artifactType (referrers API, else the fallback tag), each re-read and
 * its `subject` checked. Listed newest first by their created annotation,
 * which is only a hint: it is not signed (see verifyImage).
 */
export async function findImageEvidence(options: {
  env?: Env;
  image: string;
  registry?: RegistryOptions;
}): Promise<{ image: { reference: string; digest: string }; evidence: string[]; more: number }> {
  const ref = parseReference(options.image);
  const client = await registryClient(ref, options.registry ?? {}, options.env ?? {});
  return imageEvidence(client, ref, options.image);
}

export interface VerifyImageResult extends VerifyResult {
  image: { reference: string; digest: string };
  /**
   * The evidence verified: chosen by chooseEvidence (src/verifier/release-evidence.ts), the authentic candidate with
   * the newest signed `created`.
   */
  evidence: string;
  /** Every candidate read, with what verification (policy included) said of it. */
  candidates: Array<{ reference: string; verdict: string; created?: string }>;
  /** Referrers beyond MAX_IMAGE_CANDIDATES, not read. */
  more: number;
}

/**
 * verify --image: every candidate is verified once, policy included
 * (signature, signer, and that its signed subjects cover the image); the
 * verdict is that of the newest authentic one by the manifest's signed
 * `created`, whether or not it passes the policy. Registry annotations only
 * order the reading, so a re-pushed old bundle with a later annotation
 * cannot stand in for the newest.
 */
export type VerifyImageOptions = Omit<VerifyOptions, 'bundle' | 'open' | 'subjectDigests'> & {
  image: string;
  registry?: RegistryOptions;
};

export async function verifyImage(options: VerifyImageOptions): Promise<VerifyImageResult> {
  const { registry, image: imageRef, ...rest } = options;
  const env = options.env ?? {};
  const found = await findImageEvidence({ env, image: imageRef, ...(registry ? { registry } : {}) });
  const subjectDigests = [{ file: found.image.reference, digest: found.image.digest }];
  // Loaded here, not at the top: push and pull need none of the verifier (docs/performance.md, memory).
  const { verify } = await import('./verify.js');
  const candidates: VerifyImageResult['candidates'] = [];
  const verified: (EvidenceCandidate & { result: VerifyResult })[] = [];
  for (const reference of found.evidence) {
    const result = await verify({
      ...rest,
      bundle: reference,
      subjectDigests,
      open: async () => (await openEvidenceStream({ env, reference, ...(registry ? { registry } : {}) })).stream,
    });
    const verdict = verdictOf(result.report);
    // A candidate that does not cover the image is not its evidence, however authentic.
    const authentic =
      result.report.assessment?.authenticity.status === 'authentic' &&
      result.report.assessment.coverage?.status !== 'not-covered';
    const signedCreated = authentic ? result.manifest?.created : undefined;
    candidates.push({ reference, verdict, ...(signedCreated ? { created: signedCreated } : {}) });
    verified.push({ reference, authentic, ...(signedCreated ? { signedCreated } : {}), result });
  }
  // The one rule audit uses too: a newer authentic bundle that fails the policy is the one to judge, not an older one
  // that passes.
  const chosen = chooseEvidence(verified) as (typeof verified)[number];
  return { ...chosen.result, image: found.image, evidence: chosen.reference, candidates, more: found.more };
}

/** For collect --subject-image: the image manifest's digest and size, as a release subject. */
export async function imageSubject(options: {
  env?: Env;
  image: string;
  registry?: RegistryOptions;
}): Promise<{ name: string; digest: string; size: number }> {
  const ref = parseReference(options.image);
  const client = await registryClient(ref, options.registry ?? {}, options.env ?? {});
  const image = await imageManifest(client, ref, `--subject-image ${options.image}`);
  return { name: `${ref.registry}/${ref.repository}`, digest: image.digest, size: image.bytes.length };
}

import { countingStream, type ByteProgress } from '../fs/progress.js';
import { issuesInline, zodIssues } from '../core/issues.js';
import { timedFetch } from '../transport/http/timeout.js';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { canonicalBytes } from '../core/canonical-json.js';
import { BUNDLE_ARTIFACT_TYPE, BUNDLE_MEDIA_TYPE, type Manifest } from '../core/manifest.js';
import { EVIDENCE_PREDICATE_TYPE } from '../core/predicate.js';
import { bundleLines, dsseContent } from '../formats/intoto.js';
import { readDockerConfig, type RegistryCredentials } from '../transport/oci/auth.js';
import { RegistryClient } from '../transport/oci/client.js';
import { OciError } from '../transport/oci/errors.js';
import {
  MEDIA_TYPE_RE,
  OCI_EMPTY_BYTES,
  OCI_EMPTY_DESCRIPTOR,
  OCI_INDEX,
  OCI_MANIFEST,
  imageManifestSchema,
  type Descriptor,
  type ImageManifest,
} from '../transport/oci/manifest.js';
import { formatReference, parseReference, type OciReference } from '../transport/oci/reference.js';
import { PACKAGE_VERSION } from '../version.js';
import type { VerifyOptions, VerifyResult } from './verify.js';
import { requireIntegrity } from '../verifier/verify-bundle.js';
import { VerifyError } from '../verifier/errors.js';
import { checkBundleStatement } from '../verifier/statement-check.js';
import { chooseEvidence, type EvidenceCandidate } from '../verifier/release-evidence.js';
import { standardSourceBlob, standardStatements } from '../formats/standard-statements.js';
import { sha256Hex } from '../core/digest.js';
import { writeAtomically } from '../fs/atomic.js';
import { openBundle } from './open-bundle.js';
import { integrityCheck } from './integrity-thread.js';
import { tee } from '../fs/tee.js';
import type { Env } from '../core/env.js';

/** How to reach a registry: the CLI's --plain-http, --registry-username and --registry-password-stdin. */
export interface RegistryOptions {
  /** HTTP instead of HTTPS, for a registry on loopback or a trusted local network. */
  plainHttp?: boolean;
  /** Given credentials; else ~/.docker/config.json ($DOCKER_CONFIG/config.json); else anonymous. */
  credentials?: RegistryCredentials;
  /** Blob upload chunk size (tests, bench). */
  chunkSize?: number;
  /** Silence allowed before a request fails (src/transport/http/timeout.ts); default 30 s. */
  timeoutMs?: number;
}

export const SIGSTORE_BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const IMAGE_MANIFEST_TYPES = [
  OCI_MANIFEST,
  OCI_INDEX,
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
] as const;

export const isOciReference = (text: string): boolean => text.startsWith('oci://');

export async function registryClient(ref: OciReference, options: RegistryOptions, env: Env): Promise<RegistryClient> {
  const dockerConfig = join(env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker'), 'config.json');
  const credentials = options.credentials ?? (await readDockerConfig(dockerConfig, ref.registry));
  const host = ref.registry.replace(/:\d+$/, '');
  if (options.plainHttp && credentials && !['127.0.0.1', 'localhost', '[::1]'].includes(host)) {
    throw new OciError(
      'CREDENTIALS_INVALID',
      `${ref.registry}: will not send registry credentials over plain HTTP to a host other than loopback (drop --plain-http, or the credentials)`,
    );
  }
  return new RegistryClient(ref.registry, {
    ...(options.plainHttp ? { plainHttp: true } : {}),
    ...(credentials ? { credentials } : {}),
    ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}),
    fetch: timedFetch(options.timeoutMs),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    userAgent: `evidence/${PACKAGE_VERSION}`,
  });
}

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

export interface PushResult {
  reference: string;
  /** What was checked: an unsigned bundle is pushed on its integrity alone, and says so. */
  checked: PushChecked;
  /** The evidence manifest's digest: `oci://…@<digest>` pulls exactly this. */
  digest: string;
  /** sha256 of the bundle file, which is the one layer. */
  bundleDigest: string;
  size: number;
  blob: 'exists' | 'mounted' | 'uploaded';
  /** The Sigstore bundle's referrer manifest, when the bundle is signed. */
  signature?: { digest: string };
  subject?: { reference: string; digest: string };
  /** True when the registry has no referrers API and the sha256-<hex> fallback tag was updated. */
  fallbackTag: boolean;
  /**
   * With a subject image: each Sigstore bundle (ours and the standard
   * statements) pushed as a referrer of the image itself, where cosign
   * verify-attestation, gh attestation verify oci://… and Kyverno look.
   */
  imageAttestations?: { digest: string; predicateType: string }[];
  /** Bundles not pushed as image referrers, and why (Kyverno reads no layer over 10,000,000 bytes). */
  imageAttestationsSkipped?: { predicateType: string; reason: string }[];
}

/** Kyverno's documented limits on an image's referrers (docs/interop.md): it fails on more than 50, or a layer over 10,000,000 bytes. */
export const MAX_IMAGE_REFERRERS = 50;
export const MAX_REFERRER_LAYER_BYTES = 10_000_000;

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
  // Both went through requireCoveringStatement before the blob was named: a signed bundle here has a statement about its manifest.
  const checked: PushChecked = intact.contents.attestationBytes ? 'integrity-and-statement' : 'integrity-only-unsigned';
  if (checked === 'integrity-only-unsigned') say(`${options.bundle} is unsigned: pushed on its integrity only`);
  const manifest = intact.contents.manifest;
  const layer: Descriptor = {
    mediaType: BUNDLE_MEDIA_TYPE,
    digest: intact.digest,
    size: intact.size,
    annotations: { 'org.opencontainers.image.title': path.split(/[\\/]/).pop() ?? 'bundle.tar.gz' },
  };
  let subject: { reference: string; descriptor: Descriptor } | undefined;
  if (options.subjectImage) {
    const image = parseReference(options.subjectImage);
    if (!image.digest)
      throw new OciError(
        'REFERENCE_INVALID',
        `--subject-image ${options.subjectImage}: name the image by digest (REF@sha256:…), as the statement does`,
      );
    if (image.registry !== ref.registry || image.repository !== ref.repository) {
      throw new OciError(
        'REFERENCE_INVALID',
        `--subject-image ${options.subjectImage}: must be in ${ref.registry}/${ref.repository}, where the evidence goes (referrers are found in the subject's repository)`,
      );
    }
    if (!manifest.subjects.some((s) => s.digest === image.digest)) {
      throw new OciError(
        'ARTIFACT_INVALID',
        `${options.bundle}: its signed subjects do not include ${image.digest}; collect it with --subject-image ${formatReference(image)} so that the statement covers the image`,
      );
    }
    const fetched = await client.getManifest(image.repository, image.digest, IMAGE_MANIFEST_TYPES);
    subject = {
      reference: formatReference(image),
      descriptor: { mediaType: fetched.mediaType, digest: fetched.digest, size: fetched.bytes.length },
    };
  }

  const evidence: ImageManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: BUNDLE_ARTIFACT_TYPE,
    config: OCI_EMPTY_DESCRIPTOR,
    layers: [layer],
    ...(subject ? { subject: subject.descriptor } : {}),
    annotations: evidenceAnnotations(manifest),
  };
  const evidenceBytes = canonicalBytes(evidence);
  // With a subject image, every referrer this push adds to it is counted first: past Kyverno's limit nothing is pushed.
  const imagePlan =
    subject && intact.contents.attestationBytes
      ? await planImageAttestations(
          client,
          ref.repository,
          imageAttestations(intact, options.bundle),
          subject.descriptor,
          manifest.created,
          evidenceBytes,
        )
      : undefined;

  await client.pushBlob(ref.repository, OCI_EMPTY_DESCRIPTOR, () => readableOf(OCI_EMPTY_BYTES));

  const pushed = await client.pushManifest(ref.repository, ref.tag, evidenceBytes, OCI_MANIFEST);
  const evidenceDescriptor: Descriptor = {
    mediaType: OCI_MANIFEST,
    digest: pushed.digest,
    size: evidenceBytes.length,
    artifactType: BUNDLE_ARTIFACT_TYPE,
    annotations: evidence.annotations ?? {},
  };
  let fallbackTag = false;
  if (subject && !pushed.subjectAccepted) {
    await client.addReferrerToFallbackIndex(ref.repository, subject.descriptor.digest, evidenceDescriptor);
    fallbackTag = true;
  }

  const result: PushResult = {
    reference: formatReference(ref),
    checked,
    digest: pushed.digest,
    bundleDigest: layer.digest,
    size: layer.size,
    blob,
    fallbackTag,
    ...(subject ? { subject: { reference: subject.reference, digest: subject.descriptor.digest } } : {}),
  };
  if (intact.contents.attestationBytes) {
    say('pushing the Sigstore bundle as a referrer');
    const signature = await pushSignatureReferrer(
      client,
      ref.repository,
      intact.contents.attestationBytes,
      evidenceDescriptor,
      manifest.created,
    );
    result.signature = { digest: signature.digest };
    result.fallbackTag ||= signature.fallbackTag;
    if (subject && imagePlan) {
      const images = await pushImageAttestations(
        client,
        ref.repository,
        imagePlan,
        subject.descriptor,
        manifest.created,
        say,
      );
      result.imageAttestations = images.imageAttestations;
      if (images.skipped.length) result.imageAttestationsSkipped = images.skipped;
      result.fallbackTag ||= images.fallbackTag;
    }
  }
  return result;
}

/**
 * The attestations to hang on the release image, checked for what they say
 * (push has no trust root: the signatures are the consumers' to verify): the
 * evidence statement must be about this manifest, and the standard ones
 * exactly what the bundle's blobs make. Anything else is refused, so a
 * tampered bundle cannot fill an image's referrers with what it likes.
 */
function imageAttestations(intact: Intact, label: string): Buffer[] {
  const { manifest, manifestBytes, kept } = intact.contents;
  const evidence = intact.contents.attestationBytes as Buffer;
  if (!checkBundleStatement(dsseContent(evidence), manifest, manifestBytes).checks.every((c) => c.ok)) {
    throw new OciError(
      'ARTIFACT_INVALID',
      `${label}: its attestation is not a statement about this manifest; not pushed onto the image`,
    );
  }
  const lines = bundleLines(intact.contents.standardBytes);
  const expected = standardStatements(manifest, sha256Hex(manifestBytes), (hex) => kept.get(hex)).statements;
  const agree =
    lines.length === expected.length &&
    lines.every(
      (l, i) =>
        dsseContent(l)?.payload.equals(canonicalBytes((expected[i] as (typeof expected)[number]).statement)) === true,
    );
  if (lines.length > 0 && !agree)
    throw new OciError(
      'ARTIFACT_INVALID',
      `${label}: its standard attestations are not what its evidence states (sign it again); not pushed onto the image`,
    );
  return [evidence, ...lines];
}

/** The predicate type a DSSE Sigstore bundle's statement names ('' when it cannot be read). */
const predicateTypeOf = (bytes: Buffer): string => dsseContent(bytes)?.predicateType ?? '';

interface ImagePlan {
  /** The bundles to push as referrers of the image, in order. */
  bundles: Buffer[];
  skipped: { predicateType: string; reason: string }[];
}

/**
 * What a push adds to an image's referrers, checked before anything is
 * pushed: bundles over Kyverno's layer limit are left out (and said), and a
 * push that would take the image past its 50 referrers is refused whole.
 */
async function planImageAttestations(
  client: RegistryClient,
  repository: string,
  bundles: Buffer[],
  image: Descriptor,
  created: string,
  evidenceBytes: Buffer,
): Promise<ImagePlan> {
  const skipped: ImagePlan['skipped'] = [];
  const fit = bundles.filter((b) => {
    if (b.length <= MAX_REFERRER_LAYER_BYTES) return true;
    skipped.push({
      predicateType: predicateTypeOf(b),
      reason: `${b.length} bytes: Kyverno reads no referrer layer over ${MAX_REFERRER_LAYER_BYTES}`,
    });
    return false;
  });
  const existing = new Set((await client.referrers(repository, image.digest)).map((d) => d.digest));
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

/** Each Sigstore bundle as a referrer of the image: one layer (the bundle, its media type as artifactType), the empty config, and actions/attest's annotations. */
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
    const predicateType = predicateTypeOf(b);
    say(`pushing the ${predicateType || 'Sigstore'} attestation as a referrer of ${image.digest}`);
    const pushed = await pushSignatureReferrer(client, repository, b, image, created, predicateType);
    out.push({ digest: pushed.digest, predicateType });
    fallbackTag ||= pushed.fallbackTag;
  }
  return { imageAttestations: out, skipped: plan.skipped, fallbackTag };
}

type Intact = Awaited<ReturnType<typeof requireIntegrity>>;

/**
 * The gate after integrity, before the blob is mounted or its upload closed:
 * a signed bundle's statement must be about this manifest (an attestations
 * member taken from another bundle is refused: BUNDLE_INVALID, exit 1, a
 * verdict on the file like the integrity gate's). An unsigned bundle passes.
 */
function requireCoveringStatement(intact: Intact, label: string): Intact {
  const bytes = intact.contents.attestationBytes;
  if (!bytes) return intact;
  const failed = checkBundleStatement(
    dsseContent(bytes),
    intact.contents.manifest,
    intact.contents.manifestBytes,
  ).checks.filter((c) => !c.ok);
  if (failed.length === 0) return intact;
  const codes = [...new Set(failed.map((c) => c.code ?? c.id))].join(', ');
  throw new VerifyError(
    'BUNDLE_INVALID',
    `${label}: its signed statement is not about its manifest (${codes}): the attestation belongs to another bundle, or the manifest changed; not pushed (sign it again)`,
    { path: label, finding: `its signed statement is not about its manifest (${codes})` },
  );
}

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
  const open = (): NodeJS.ReadableStream => {
    const file = createReadStream(path, { highWaterMark: 1024 * 1024 });
    if (!options.onBytes) return file;
    const counted = countingStream(options.bundle, intact.size, options.onBytes);
    file.on('error', (e) => counted.destroy(e));
    return file.pipe(counted);
  };
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
  // The check is fed the same bytes as the upload (inline by default; on a thread of its own on request: src/commands/integrity-thread.ts).
  const check = integrityCheck(options.bundle, 'not pushed', fileSize, options.env ?? {});
  // pipeline, not pipe: a read that fails must reach the check (which then fails), not be left unheard.
  pipeline(forVerify, check.sink).catch(() => undefined);
  const verifying = check.result.then((intact) => requireCoveringStatement(intact, options.bundle));
  // A bundle that does not verify stops the upload, and its error is the one told.
  verifying.catch((e: unknown) => file.destroy(e as Error));
  say(`verifying and pushing ${options.bundle}`);
  let uploaded: { digest: string; size: number; existed: boolean };
  try {
    // The bytes uploaded are the bytes verified (one read, teed): closed under the digest the check computed.
    uploaded = await client.pushBlobStream(
      repository,
      forUpload,
      async (size) => {
        const intact = await verifying;
        if (intact.size !== size)
          throw new OciError(
            'DIGEST_MISMATCH',
            `${options.bundle}: ${size} bytes were uploaded, ${intact.size} verified`,
            { expected: String(intact.size), found: String(size) },
          );
        return intact.digest;
      },
      { size: fileSize },
    );
  } catch (e) {
    // The upload failed. The integrity check still runs to its end (the tee lets go of the upload's side):
    // a bundle that fails it is refused as such (BUNDLE_INVALID, exit 1), whatever the registry did.
    forUpload.destroy();
    const intact = await verifying;
    if (e instanceof OciError && e.code === 'STREAM_UPLOAD_REFUSED') {
      // A registry that takes blobs only in chunks: the verified bundle again, in chunks, checked against the verified digest as it goes.
      say('the registry refused a whole-blob upload; uploading in chunks');
      const blob = await client.pushBlob(repository, { digest: intact.digest, size: intact.size }, () =>
        createReadStream(path, { highWaterMark: 1024 * 1024 }),
      );
      return { path, intact, blob };
    }
    throw e;
  }
  return { path, intact: await verifying, blob: uploaded.existed ? 'exists' : 'uploaded' };
}

/** The digest pushSignatureReferrer's manifest for these bytes will have: what tells an attestation already there. */
function referrerDigest(bytes: Buffer, subject: Descriptor, created: string): string {
  return `sha256:${createHash('sha256')
    .update(referrerManifest(bytes, subject, created, predicateTypeOf(bytes)).bytes)
    .digest('hex')}`;
}

function evidenceAnnotations(manifest: Manifest): Record<string, string> {
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

/** The referrer manifest of a Sigstore bundle: one layer, the empty config, actions/attest's annotations. */
function referrerManifest(
  bytes: Buffer,
  subject: Descriptor,
  created: string,
  predicateType: string,
): { layer: Descriptor; annotations: Record<string, string>; mediaType: string; bytes: Buffer } {
  let mediaType = SIGSTORE_BUNDLE_MEDIA_TYPE;
  try {
    const declared = (JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown }).mediaType;
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

/** A fresh stream per call: uploads may be retried. */
function readableOf(bytes: Uint8Array): Readable {
  return Readable.from([Buffer.from(bytes)]);
}

/** An evidence artifact in a registry, checked: its manifest and the one bundle layer. */
export interface EvidenceArtifact {
  reference: string;
  repository: string;
  manifestDigest: string;
  manifest: ImageManifest;
  layer: Descriptor;
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
  let json: unknown;
  try {
    json = JSON.parse(fetched.bytes.toString('utf8'));
  } catch {
    throw new OciError('REGISTRY_RESPONSE_INVALID', `${label}: the manifest is not JSON`);
  }
  const parsed = imageManifestSchema.safeParse(json);
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
  return {
    reference: label,
    repository: ref.repository,
    manifestDigest: fetched.digest,
    manifest: m,
    layer: layers[0] as Descriptor,
  };
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

/** Pulls a bundle: the layer streams to a temporary file, checked against its digest, and is renamed into place only when whole. */
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

/** The most referrers of one image that verify --image reads. */
export const MAX_IMAGE_CANDIDATES = 16;

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

/** findImageEvidence with a client already made (an audit reads many tags through one). */
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
  const reference = ref.digest ?? ref.tag;
  if (!reference) throw new OciError('REFERENCE_INVALID', `--image ${label}: needs a :TAG or @sha256:… digest`);
  const image = await client.getManifest(ref.repository, reference, IMAGE_MANIFEST_TYPES);
  const found = await client.referrers(ref.repository, image.digest, { artifactType: BUNDLE_ARTIFACT_TYPE });
  const hinted = [...found].sort((a, b) => created(b).localeCompare(created(a)));
  const artifacts: EvidenceArtifact[] = [];
  for (const d of hinted.slice(0, MAX_IMAGE_CANDIDATES)) {
    const candidate: OciReference = { registry: ref.registry, repository: ref.repository, digest: d.digest };
    const candidateLabel = formatReference(candidate);
    let artifact: EvidenceArtifact;
    try {
      artifact = await resolveEvidence(client, candidate, candidateLabel);
    } catch (e) {
      // Junk in the referrers list is skipped; a registry that fails is not.
      if (
        e instanceof OciError &&
        ['ARTIFACT_INVALID', 'REGISTRY_RESPONSE_INVALID', 'REGISTRY_NOT_FOUND'].includes(e.code)
      )
        continue;
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
    more: Math.max(0, hinted.length - MAX_IMAGE_CANDIDATES),
  };
}

const created = (d: Descriptor): string => d.annotations?.['org.opencontainers.image.created'] ?? '';

export interface VerifyImageResult extends VerifyResult {
  image: { reference: string; digest: string };
  /** The evidence verified: chosen by chooseEvidence (src/verifier/release-evidence.ts), the authentic candidate with the newest signed `created`. */
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
    const verdict = result.report.verdict ?? (result.report.ok ? 'verified' : 'failed');
    // A candidate that does not cover the image is not its evidence, however authentic.
    const authentic =
      result.report.assessment?.authenticity.status === 'authentic' &&
      result.report.assessment.coverage?.status !== 'not-covered';
    const signedCreated = authentic ? result.manifest?.created : undefined;
    candidates.push({ reference, verdict, ...(signedCreated ? { created: signedCreated } : {}) });
    verified.push({ reference, authentic, ...(signedCreated ? { signedCreated } : {}), result });
  }
  // The one rule audit uses too: a newer authentic bundle that fails the policy is the one to judge, not an older one that passes.
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
  const reference = ref.digest ?? ref.tag;
  if (!reference)
    throw new OciError('REFERENCE_INVALID', `--subject-image ${options.image}: needs a :TAG or @sha256:… digest`);
  const image = await client.getManifest(ref.repository, reference, IMAGE_MANIFEST_TYPES);
  return { name: `${ref.registry}/${ref.repository}`, digest: image.digest, size: image.bytes.length };
}

import * as z from 'zod';
import { SHA256_DIGEST_RE } from './reference.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';

/** The empty JSON object `{}`: the config (and placeholder layer) of artifacts with no config of their own. */
export const OCI_EMPTY_BYTES: Uint8Array = new TextEncoder().encode('{}');
export const OCI_EMPTY_DESCRIPTOR = {
  mediaType: OCI_EMPTY,
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
  data: 'e30=',
} as const;

/** Registries commonly refuse manifests over 4 MiB; we refuse to read more. */
export const MAX_OCI_MANIFEST_BYTES = 4 * 1024 * 1024;

/** RFC 6838 type/subtype (no parameters). */
export const MEDIA_TYPE_RE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

const mediaType = z.string().regex(MEDIA_TYPE_RE, 'not a media type (type/subtype)');
const annotations = z.record(z.string(), z.string());

/** An OCI content descriptor. Only sha256 digests are accepted: this client supports no other. */
export const descriptorSchema = z.looseObject({
  mediaType,
  digest: z.string().regex(SHA256_DIGEST_RE, 'not a sha256 digest (only sha256 is supported)'),
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  urls: z.array(z.string()).optional(),
  annotations: annotations.optional(),
  data: z.string().optional(),
  artifactType: mediaType.optional(),
});
export type Descriptor = z.infer<typeof descriptorSchema>;

/** What an image manifest and an image index share (OCI image-spec manifest.md and image-index.md). */
const manifestFields = {
  schemaVersion: z.literal(2),
  artifactType: mediaType.optional(),
  subject: descriptorSchema.optional(),
  annotations: annotations.optional(),
};

export const imageManifestSchema = z.looseObject({
  ...manifestFields,
  mediaType: z.literal(OCI_MANIFEST).optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
});
export type ImageManifest = z.infer<typeof imageManifestSchema>;

export const imageIndexSchema = z.looseObject({
  ...manifestFields,
  mediaType: z.literal(OCI_INDEX).optional(),
  manifests: z.array(descriptorSchema),
});
export type ImageIndex = z.infer<typeof imageIndexSchema>;

/** The tag that holds a subject's referrers on registries without the referrers API (OCI distribution 1.1). */
export function referrersTag(subjectDigest: string): string {
  return subjectDigest.replace(':', '-');
}

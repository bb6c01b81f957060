import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { X509Certificate } from '@sigstore/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';

/**
 * A test oracle for the consumers we cannot install here (gh, cosign,
 * Kyverno): their acceptance rules, read from their source and written down
 * as code, with the cryptography done by @sigstore/verify (what sigstore-js
 * verifiers use; gh, cosign and Kyverno use sigstore-go, which checks the
 * same things). It shares no code with src/: a bug in our verifier does not
 * hide here. docs/interop.md lists where it simplifies each tool.
 *
 * Sources (file paths within each repository, at these commits):
 * - GH = cli/cli@36b1cf5b165db0aab4a1106e5bf96e14a813a3e3 (artifact/oci/client.go
 *   at @148fd5f565be41d5e188e1e3a5490d71273f9795)
 * - SG = sigstore/sigstore-go@4594ab4c779d08be1f4419803a8249188f35ed5f
 * - CO = sigstore/cosign@d6d86c224e5899b54f56cbb063b79dc43abc11c2
 * - KY = kyverno/kyverno@111e07bbecc66abfde36ab99969af22d7a961003
 * - GG = google/go-containerregistry@c68d899782693b63b7549166812aa996f17a660c (v0.21.7)
 */

const IN_TOTO = 'application/vnd.in-toto+json';
const BUNDLE_PREFIX = 'application/vnd.dev.sigstore.bundle';
const OID = {
  issuer: '1.3.6.1.4.1.57264.1.8',
  sourceRepositoryUri: '1.3.6.1.4.1.57264.1.12',
  sourceRepositoryOwnerUri: '1.3.6.1.4.1.57264.1.16',
};

export interface Verdict {
  ok: boolean;
  /** How many bundles passed every rule. */
  verified: number;
  /** Why each other bundle (or the whole run) was turned down. */
  reasons: string[];
}

interface Statement {
  predicateType?: unknown;
  subject?: { digest?: Record<string, string> }[];
}

/**
 * SG pkg/bundle/bundle.go: the media types and versions a bundle may have
 * (v0.1 to v0.3; v0.4 and later refused), v0.3 with a single certificate, and
 * a DSSE envelope or message signature. Returns the minor version.
 */
export function bundleVersion(json: unknown): { minor: number } | { problem: string } {
  const b = json as {
    mediaType?: unknown;
    verificationMaterial?: { x509CertificateChain?: unknown };
    dsseEnvelope?: unknown;
    messageSignature?: unknown;
  };
  const m =
    typeof b?.mediaType === 'string'
      ? /^application\/vnd\.dev\.sigstore\.bundle(?:\+json;version=0\.([123])|\.v0\.([123])\+json)$/.exec(b.mediaType)
      : null;
  if (!m) return { problem: `media type ${String(b?.mediaType)} is not a Sigstore bundle v0.1 to v0.3` };
  const minor = Number(m[1] ?? m[2]);
  if (minor >= 3 && b.verificationMaterial?.x509CertificateChain !== undefined)
    return { problem: 'a v0.3 bundle with a certificate chain' };
  if (b.dsseEnvelope === undefined && b.messageSignature === undefined)
    return { problem: 'neither a DSSE envelope nor a message signature' };
  return { minor };
}

/**
 * The DSSE envelope's statement; SG pkg/bundle/signature_content.go requires the in-toto payload type, SG signature.go
 * one signature.
 */
function statementOf(json: unknown): { statement: Statement } | { problem: string } {
  const env = (json as { dsseEnvelope?: { payloadType?: unknown; payload?: unknown; signatures?: unknown[] } })
    .dsseEnvelope;
  if (!env) return { problem: 'not a DSSE envelope' };
  if (env.payloadType !== IN_TOTO) return { problem: `payload type ${String(env.payloadType)}` };
  if (!Array.isArray(env.signatures) || env.signatures.length !== 1) return { problem: 'not exactly one signature' };
  try {
    return { statement: JSON.parse(Buffer.from(String(env.payload), 'base64').toString('utf8')) as Statement };
  } catch {
    return { problem: 'the payload is not JSON' };
  }
}

/**
 * SG pkg/verify/signature.go verifyEnvelopeWithArtifactDigests: at most 1024 subjects of at most 32 digests; the named
 * algorithm's hex equal.
 */
function coversDigest(statement: Statement, alg: string, hex: string): boolean {
  const subjects = statement.subject ?? [];
  if (subjects.length > 1024 || subjects.some((s) => Object.keys(s.digest ?? {}).length > 32)) return false;
  return subjects.some((s) => (s.digest?.[alg] ?? '').toLowerCase() === hex.toLowerCase());
}

/**
 * Signature, certificate chain, SCT, transparency log and timestamp, as sigstore-go's default verifier demands them
 * (one each).
 */
function cryptoProblem(json: unknown, trustedRoot: unknown): { problem: string } | { certificate: X509Certificate } {
  try {
    const bundle = bundleFromJSON(json);
    const material = toTrustMaterial(TrustedRoot.fromJSON(trustedRoot));
    new Verifier(material, { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 }).verify(
      toSignedEntity(bundle),
    );
    const vm = bundle.verificationMaterial.content;
    const der =
      vm.$case === 'certificate'
        ? vm.certificate.rawBytes
        : vm.$case === 'x509CertificateChain'
          ? vm.x509CertificateChain.certificates[0]?.rawBytes
          : undefined;
    if (!der) return { problem: 'no certificate' };
    return { certificate: X509Certificate.parse(Buffer.from(der)) };
  } catch (e) {
    return { problem: `does not verify (${(e as Error).message})` };
  }
}

function extension(cert: X509Certificate, oid: string): string | undefined {
  const ext = cert.extension(oid);
  if (!ext) return undefined;
  // Fulcio's v2 extensions are DER UTF8Strings: tag, length, bytes.
  const raw = Buffer.from(ext.value);
  return raw[0] === 0x0c
    ? raw.subarray(raw[1] !== undefined && raw[1] < 0x80 ? 2 : 2 + (raw[1] ?? 0x80) - 0x80).toString('utf8')
    : raw.toString('utf8');
}

// --- gh attestation verify ---------------------------------------------------

/**
 * GH pkg/cmd/attestation/verification/attestation.go: .json is one bundle; .jsonl whitespace-separated values (each
 * line here); other extensions refused.
 */
export async function ghReadBundleFile(path: string): Promise<unknown[]> {
  const text = await readFile(path, 'utf8');
  const ext = extname(path);
  if (ext === '.json') return [JSON.parse(text)];
  if (ext !== '.jsonl') throw new Error('bundle file extension not supported');
  const values = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
  if (values.length === 0) throw new Error('ErrEmptyBundleFile');
  return values;
}

export interface GhOptions {
  /** The artifact's digest, as gh computes it: sha256 of the file, or the image manifest digest for oci://. */
  digest: { alg: 'sha256' | 'sha512'; hex: string };
  /** --predicate-type (GH verify/verify.go: default https://slsa.dev/provenance/v1). */
  predicateType?: string;
  owner: string;
  repo?: string;
  issuer?: string;
  trustedRoot: unknown;
}

/**
 * gh attestation verify (GH verify/verify.go, verification/attestation.go
 * FilterAttestations, verify/policy.go newEnforcementCriteria,
 * verification/extensions.go): bundles of v0.2 and later; only in-toto DSSE
 * statements of exactly the predicate type; the artifact's digest among the
 * subjects; the SAN under https://github.com/OWNER/; SourceRepositoryOwnerURI
 * (and with --repo SourceRepositoryURI) and the issuer, case-insensitively.
 * No matching statement is a failure (newer gh; cli/cli#10418).
 */
export function ghVerify(bundles: unknown[], o: GhOptions): Verdict {
  const wanted = o.predicateType ?? 'https://slsa.dev/provenance/v1';
  const issuer = o.issuer ?? 'https://token.actions.githubusercontent.com';
  const reasons: string[] = [];
  let verified = 0;
  let matched = 0;
  for (const [i, json] of bundles.entries()) {
    const version = bundleVersion(json);
    if ('problem' in version) {
      reasons.push(`#${i}: ${version.problem}`);
      continue;
    }
    if (version.minor < 2) {
      reasons.push(`#${i}: gh needs a bundle of v0.2 or later`);
      continue;
    }
    const s = statementOf(json);
    if ('problem' in s || s.statement.predicateType !== wanted) continue;
    matched++;
    if (!coversDigest(s.statement, o.digest.alg, o.digest.hex)) {
      reasons.push(`#${i}: the artifact is not a subject`);
      continue;
    }
    const c = cryptoProblem(json, o.trustedRoot);
    if ('problem' in c) {
      reasons.push(`#${i}: ${c.problem}`);
      continue;
    }
    const san = c.certificate.subjectAltName ?? '';
    const eq = (a: string | undefined, b: string): boolean => (a ?? '').toLowerCase() === b.toLowerCase();
    if (!new RegExp(`^https://github\\.com/${o.repo ?? o.owner}/`, 'i').test(san))
      reasons.push(`#${i}: SAN ${san} is not under https://github.com/${o.repo ?? o.owner}/`);
    else if (!eq(extension(c.certificate, OID.sourceRepositoryOwnerUri), `https://github.com/${o.owner}`))
      reasons.push(`#${i}: SourceRepositoryOwnerURI is not https://github.com/${o.owner}`);
    else if (o.repo && !eq(extension(c.certificate, OID.sourceRepositoryUri), `https://github.com/${o.repo}`))
      reasons.push(`#${i}: SourceRepositoryURI is not https://github.com/${o.repo}`);
    else if (!eq(extension(c.certificate, OID.issuer), issuer)) reasons.push(`#${i}: issuer is not ${issuer}`);
    else verified++;
  }
  if (matched === 0) reasons.push(`no attestation of predicate type ${wanted}`);
  return { ok: verified > 0, verified, reasons };
}

// --- OCI discovery (go-containerregistry, used by all three) --------------------

export interface Registry {
  /** http://127.0.0.1:PORT */
  base: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

const INDEX = 'application/vnd.oci.image.index.v1+json';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/**
 * GG pkg/v1/remote/referrers.go: the referrers API only on a 200 with the
 * index content type; 404, 400 or 406 (or another type) falls back to the
 * `sha256-<hex>` tag, whose 404 means none.
 */
export async function referrers(r: Registry, repository: string, digest: string): Promise<Descriptor[]> {
  const api = await fetch(`${r.base}/v2/${repository}/referrers/${digest}`, { headers: { accept: INDEX } });
  if (api.status === 200 && api.headers.get('content-type') === INDEX)
    return ((await api.json()) as { manifests: Descriptor[] }).manifests;
  await api.body?.cancel();
  if (![200, 400, 404, 406].includes(api.status)) throw new Error(`referrers: ${api.status}`);
  const tag = await fetch(`${r.base}/v2/${repository}/manifests/${digest.replace(':', '-')}`, {
    headers: { accept: INDEX },
  });
  if (tag.status === 404) return [];
  if (!tag.ok) throw new Error(`fallback tag: ${tag.status}`);
  return ((await tag.json()) as { manifests: Descriptor[] }).manifests;
}

async function manifestOf(
  r: Registry,
  repository: string,
  digest: string,
): Promise<{ layers: Descriptor[]; artifactType?: string; subject?: Descriptor }> {
  const res = await fetch(`${r.base}/v2/${repository}/manifests/${digest}`, { headers: { accept: MANIFEST } });
  if (!res.ok) throw new Error(`manifest ${digest}: ${res.status}`);
  return (await res.json()) as { layers: Descriptor[] };
}

async function blobOf(r: Registry, repository: string, d: Descriptor): Promise<Buffer> {
  const res = await fetch(`${r.base}/v2/${repository}/blobs/${d.digest}`);
  if (!res.ok) throw new Error(`blob ${d.digest}: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/**
 * GH artifact/oci/client.go: referrers with an artifactType starting application/vnd.dev.sigstore.bundle, layers[0]
 * parsed whatever its type.
 */
export async function ghBundlesFromOci(r: Registry, repository: string, imageDigest: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const d of await referrers(r, repository, imageDigest)) {
    if (!(d.artifactType ?? '').startsWith(BUNDLE_PREFIX)) continue;
    const m = await manifestOf(r, repository, d.digest);
    const layer = m.layers[0];
    if (!layer) throw new Error('a sigstore referrer with no layers');
    out.push(JSON.parse((await blobOf(r, repository, layer)).toString('utf8')));
  }
  if (out.length === 0) throw new Error('no attestations found in the OCI registry');
  return out;
}

// --- cosign verify-attestation -------------------------------------------------

/** CO cmd/cosign/cli/options/predicate.go: --type to predicate type; any other URI as given. */
export const COSIGN_TYPES: Record<string, string> = {
  custom: 'https://cosign.sigstore.dev/attestation/v1',
  slsaprovenance: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
  spdx: 'https://spdx.dev/Document',
  spdxjson: 'https://spdx.dev/Document',
  cyclonedx: 'https://cyclonedx.org/bom',
  link: 'https://in-toto.io/Link/v1',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
  openvex: 'https://openvex.dev/ns',
};

export interface CosignOptions {
  type: string;
  certificateIdentity: string;
  certificateOidcIssuer: string;
  trustedRoot: unknown;
}

/**
 * cosign verify-attestation --new-bundle-format (CO pkg/cosign/verify.go
 * GetBundles, pkg/oci/remote/signatures.go, pkg/policy/attestation.go,
 * pkg/cosign/verifiers.go IntotoSubjectClaimVerifier): referrers with exactly
 * one layer of a sigstore bundle media type and a bundle of v0.3 or later
 * (others skipped); the statement of exactly the type; a subject whose sha256
 * is the image digest; the certificate's identity and issuer as given.
 */
export async function cosignVerifyAttestation(
  r: Registry,
  repository: string,
  imageDigest: string,
  o: CosignOptions,
): Promise<Verdict> {
  const wanted = COSIGN_TYPES[o.type] ?? o.type;
  const reasons: string[] = [];
  const bundles: unknown[] = [];
  for (const d of await referrers(r, repository, imageDigest)) {
    const m = await manifestOf(r, repository, d.digest);
    if (m.layers.length !== 1 || !(m.layers[0]?.mediaType ?? '').startsWith(BUNDLE_PREFIX)) continue;
    const json = JSON.parse((await blobOf(r, repository, m.layers[0] as Descriptor)).toString('utf8')) as unknown;
    const v = bundleVersion(json);
    if ('problem' in v || v.minor < 3) continue;
    bundles.push(json);
  }
  if (bundles.length === 0) return { ok: false, verified: 0, reasons: ['no valid bundles exist in registry'] };
  let verified = 0;
  const found: string[] = [];
  for (const [i, json] of bundles.entries()) {
    const s = statementOf(json);
    if ('problem' in s) continue;
    found.push(String(s.statement.predicateType));
    if (s.statement.predicateType !== wanted) continue;
    if (!coversDigest(s.statement, 'sha256', imageDigest.replace(/^sha256:/, ''))) {
      reasons.push(`#${i}: no subject has the image digest`);
      continue;
    }
    const c = cryptoProblem(json, o.trustedRoot);
    if ('problem' in c) reasons.push(`#${i}: ${c.problem}`);
    else if (c.certificate.subjectAltName !== o.certificateIdentity)
      reasons.push(`#${i}: identity ${c.certificate.subjectAltName ?? ''}`);
    else if (extension(c.certificate, OID.issuer) !== o.certificateOidcIssuer)
      reasons.push(`#${i}: issuer ${extension(c.certificate, OID.issuer) ?? ''}`);
    else verified++;
  }
  if (verified === 0 && reasons.length === 0)
    reasons.push(`none of the attestations matched the predicate type: ${wanted}, found: ${found.join(',')}`);
  return { ok: verified > 0, verified, reasons };
}

/**
 * cosign verify-blob-attestation --bundle FILE --new-bundle-format
 * (sigstore/cosign@00192be6d161ac4570fdf4cdfa4e0f5a3a363449
 * cmd/cosign/cli/verify/verify_blob_attestation.go): one bundle per file
 * (sgbundle.LoadJSONFromPath), verified with the artifact's sha256 as the
 * subject digest (WithArtifactDigest; --check-claims), and the identity. At
 * that commit the new-bundle path returns before the predicate-type check the
 * legacy path makes; the oracle makes it anyway (the stricter reading).
 */
export async function cosignVerifyBlobAttestation(
  bundlePath: string,
  artifactSha256: string,
  o: CosignOptions,
): Promise<Verdict> {
  const json = JSON.parse(await readFile(bundlePath, 'utf8')) as unknown;
  const v = bundleVersion(json);
  if ('problem' in v) return { ok: false, verified: 0, reasons: [v.problem] };
  const s = statementOf(json);
  if ('problem' in s) return { ok: false, verified: 0, reasons: [s.problem] };
  const wanted = COSIGN_TYPES[o.type] ?? o.type;
  if (s.statement.predicateType !== wanted)
    return {
      ok: false,
      verified: 0,
      reasons: [`invalid predicate type, expected ${wanted} got ${String(s.statement.predicateType)}`],
    };
  if (!coversDigest(s.statement, 'sha256', artifactSha256))
    return { ok: false, verified: 0, reasons: ['the artifact is not a subject'] };
  const c = cryptoProblem(json, o.trustedRoot);
  if ('problem' in c) return { ok: false, verified: 0, reasons: [c.problem] };
  if (c.certificate.subjectAltName !== o.certificateIdentity)
    return { ok: false, verified: 0, reasons: [`identity ${c.certificate.subjectAltName ?? ''}`] };
  if (extension(c.certificate, OID.issuer) !== o.certificateOidcIssuer)
    return { ok: false, verified: 0, reasons: ['issuer'] };
  return { ok: true, verified: 1, reasons: [] };
}

// --- Kyverno verifyImages, type SigstoreBundle ------------------------------------

export interface KyvernoRule {
  /** attestations[].type: compared literally (no short names). */
  attestations: string[];
  subject: string;
  issuer: string;
  trustedRoot: unknown;
}

/** KY pkg/image/verifiers/cpol/cosign/sigstore.go: attestationlimit, maxLayerSize. */
export const KYVERNO_MAX_REFERRERS = 50;
export const KYVERNO_MAX_LAYER_BYTES = 10_000_000;

/**
 * A ClusterPolicy verifyImages rule of type SigstoreBundle (KY
 * pkg/engine/internal/imageverifier.go, pkg/image/verifiers/cpol/cosign/sigstore.go):
 * more than 50 referrers is an error; referrers with a sigstore bundle
 * artifactType; layers[0], at most 10,000,000 bytes; every attestation type of
 * the rule needs a verified in-toto statement of exactly that type whose
 * subject is the image, signed by the subject and issuer given.
 */
export async function kyvernoVerifyImage(
  r: Registry,
  repository: string,
  imageDigest: string,
  rule: KyvernoRule,
): Promise<Verdict> {
  const all = await referrers(r, repository, imageDigest);
  if (all.length > KYVERNO_MAX_REFERRERS)
    return { ok: false, verified: 0, reasons: [`${all.length} referrers: more than ${KYVERNO_MAX_REFERRERS}`] };
  const statements: { type: string; json: unknown; statement: Statement }[] = [];
  for (const d of all) {
    if (!(d.artifactType ?? '').startsWith(BUNDLE_PREFIX)) continue;
    const m = await manifestOf(r, repository, d.digest);
    const layer = m.layers[0];
    if (!layer) return { ok: false, verified: 0, reasons: ['a referrer with no layers'] };
    if (layer.size > KYVERNO_MAX_LAYER_BYTES)
      return { ok: false, verified: 0, reasons: [`a layer of ${layer.size} bytes`] };
    const json = JSON.parse((await blobOf(r, repository, layer)).toString('utf8')) as unknown;
    const s = statementOf(json);
    if (!('problem' in s)) statements.push({ type: String(s.statement.predicateType), json, statement: s.statement });
  }
  const reasons: string[] = [];
  let verified = 0;
  for (const type of rule.attestations) {
    const ok = statements.some((s) => {
      if (s.type !== type || !coversDigest(s.statement, 'sha256', imageDigest.replace(/^sha256:/, ''))) return false;
      const c = cryptoProblem(s.json, rule.trustedRoot);
      return (
        !('problem' in c) &&
        c.certificate.subjectAltName === rule.subject &&
        extension(c.certificate, OID.issuer) === rule.issuer
      );
    });
    if (ok) verified++;
    else reasons.push(`no verified attestation of type ${type}`);
  }
  return { ok: reasons.length === 0 && verified > 0, verified, reasons };
}

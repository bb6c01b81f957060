/**
 * evidence as a library: each command is a function taking typed options
 * (including `cwd`) and returning a result; errors carry a typed `code`.
 */
export { collect, type CollectOptions, type CollectResult } from './commands/collect.js';
export { sign, type SignOptions, type SignResult } from './commands/sign.js';
export { verify, type VerifyOptions, type VerifyResult, type VerifyCommandReport } from './commands/verify.js';
export {
  verifyAttestation,
  type VerifyAttestationOptions,
  type AttestationReport,
} from './commands/verify-attestation.js';
export { inspect, type InspectOptions, type InspectResult } from './commands/inspect.js';
export { extract, type ExtractOptions, type ExtractResult } from './commands/extract.js';
export { diff, type DiffOptions, type DiffResult } from './commands/diff.js';
export { trustRootUpdate, type TrustRootUpdateOptions } from './commands/trust-root-update.js';
export { renderReport, type ReportFormat } from './commands/render.js';
export { attach, type AttachOptions, type AttachResult } from './commands/attach.js';
export { fetchRelease, type FetchOptions, type FetchResult } from './commands/fetch.js';
export { releaseJob, type ReleaseJobOptions, type ReleaseJobResult } from './commands/release-job.js';
export {
  push,
  pull,
  findImageEvidence,
  type PushOptions,
  type PushResult,
  type PullOptions,
  type PullResult,
  type RegistryOptions,
} from './commands/oci.js';
export { RegistryClient, type RegistryClientOptions } from './transport/oci/client.js';
export { parseReference, formatReference, type OciReference } from './transport/oci/reference.js';
export type { VerifyReport, Check, CheckId } from './verifier/report.js';
export type { PolicyResult } from './verifier/policy-result.js';
export type { Manifest, ManifestEntry, Subject } from './core/manifest.js';
export { BundleError } from './core/errors.js';
export { CollectError } from './collector/errors.js';
export { SignError } from './signer/errors.js';
export { VerifyError } from './verifier/errors.js';
export { PolicyError } from './verifier/policy/errors.js';
export { GitHubError } from './transport/github/errors.js';
export { OciError } from './transport/oci/errors.js';
export { PACKAGE_VERSION } from './version.js';

export interface LocalSigstore {
  url: string;
  trustedRoot: Record<string, unknown>;
  /** A signing config (v0.2) for these services whose log is Rekor v1. */
  signingConfig: Record<string, unknown>;
  /** The same, whose log is Rekor v2 (served under /rekor-v2). */
  signingConfigRekorV2: Record<string, unknown>;
  requests: { path: string; headers: Record<string, string | string[] | undefined> }[];
  close(): Promise<void>;
}
export function startLocalSigstore(options?: {
  host?: string;
  port?: number;
  /** The token claim the certificate's identity is taken from (default `sub`). */
  subjectClaim?: string;
  /** Certificates as public-good Fulcio issues them for GitLab CI tokens (identity and extensions), or GitHub's. */
  fulcioProfile?: 'github' | 'gitlab';
  /** Every service's clock this far from now (a later timestamp authority, in tests). */
  clockOffsetMs?: number;
}): Promise<LocalSigstore>;
export function gitlabCertificate(claims: Record<string, unknown>): {
  subjectAltName: string;
  extensions: { oid: string; value: string; legacy?: boolean }[];
};
export function fakeIdentityToken(claims: Record<string, unknown>): string;
export function toStoredRekorEntry(proposed: unknown): unknown;

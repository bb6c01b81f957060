export interface LocalSigstore {
  url: string;
  trustedRoot: Record<string, unknown>;
  requests: { path: string; headers: Record<string, string | string[] | undefined> }[];
  close(): Promise<void>;
}
export function startLocalSigstore(options?: { host?: string; port?: number }): Promise<LocalSigstore>;
export function fakeIdentityToken(claims: Record<string, unknown>): string;
export function toStoredRekorEntry(proposed: unknown): unknown;

export const REGISTRY_BIN: string;
export const HTPASSWD_BIN: string;
export function registrySkipReason(options?: { auth?: boolean }): string | undefined;
export interface RunningRegistry {
  /** `127.0.0.1:PORT`, the registry part of a reference. */
  host: string;
  /** The filesystem driver's root: blobs are under `docker/registry/v2/blobs/sha256/<ab>/<hex>/data`. */
  storageDir: string;
  /** The registry process's pid (the bench reads its CPU time from /proc). */
  pid: number | undefined;
  stop(): Promise<void>;
  stopSync(): void;
}
export function startRegistry(options?: {
  htpasswd?: { username: string; password: string };
}): Promise<RunningRegistry>;

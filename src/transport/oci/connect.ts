import { homedir } from 'node:os';
import { isLoopback } from '../../core/loopback.js';
import { join } from 'node:path';
import type { Env } from '../../core/env.js';
import { PACKAGE_VERSION } from '../../version.js';
import { timedFetch } from '../http/timeout.js';
import { readDockerConfig, type RegistryCredentials } from './auth.js';
import { RegistryClient } from './client.js';
import { OciError } from './errors.js';
import type { OciReference } from './reference.js';

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

/**
 * A client for `ref`'s registry, with the credentials given, else those of the docker config `env` points to; plain
 * HTTP carries them only to loopback.
 */
export async function registryClient(ref: OciReference, options: RegistryOptions, env: Env): Promise<RegistryClient> {
  const dockerConfig = join(env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker'), 'config.json');
  const credentials = options.credentials ?? (await readDockerConfig(dockerConfig, ref.registry));
  const host = ref.registry.replace(/:\d+$/, '');
  if (options.plainHttp && credentials && !isLoopback(host)) {
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

import type { Env } from '../../core/env.js';
import type { RetryOptions } from '../http/retry.js';
import { ReleasesClient } from './releases.js';

/** The token a command uses for GitHub: GITHUB_TOKEN, else GH_TOKEN; none when both are unset or empty. */
export function githubToken(env: Env): string | undefined {
  return env.GITHUB_TOKEN || env.GH_TOKEN || undefined;
}

/** A command's settings for talking to GitHub. */
export interface ClientSettings {
  /** GitHub Enterprise Server: https://HOST/api/v3 (default GITHUB_API_URL, else api.github.com). */
  apiUrl?: string;
  retry?: RetryOptions;
  /** Silence allowed before a request to GitHub fails; default 30 s. */
  timeoutMs?: number;
}

/** A releases client for OWNER/NAME as commands make it: the API URL from the settings, else GITHUB_API_URL. */
export function clientFor(
  where: { owner: string; repo: string },
  settings: ClientSettings,
  env: Env,
  token: string | undefined,
  onRetry: (message: string) => void,
): ReleasesClient {
  return new ReleasesClient({
    ...where,
    ...(token ? { token } : {}),
    apiUrl: settings.apiUrl ?? env.GITHUB_API_URL,
    ...(settings.retry ? { retry: settings.retry } : {}),
    ...(settings.timeoutMs ? { timeoutMs: settings.timeoutMs } : {}),
    onRetry,
  });
}

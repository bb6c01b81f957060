import { nextLink } from '../http/link.js';
import * as z from 'zod';
import { GitHubError } from './errors.js';

/** The most attestations of one digest read, and the most pages asked for them (GitHub's hold 100; some fewer). */
export const MAX_ATTESTATIONS = 1000;
export const MAX_ATTESTATION_PAGES = 20;

/** One page of GET /repos/{owner}/{repo}/attestations/{subject_digest}. */
export const attestationListSchema = z.object({
  attestations: z
    .array(
      z.object({
        bundle: z.unknown().optional(),
        bundle_url: z.string().optional(),
        repository_id: z.number().optional(),
      }),
    )
    .max(100),
});

/**
 * The paging parameter of the Link header's rel="next" (GitHub's `after` cursor): undefined when there is no next
 * page. Anything else of the link is not used.
 */
export function nextPageCursor(header: unknown, what: string): Record<string, string> | undefined {
  if (header === undefined || header === null || header === '') return undefined;
  if (typeof header !== 'string' || header.length > 8192)
    throw new GitHubError('GITHUB_RESPONSE_INVALID', `${what}: the Link header is not a list of links`);
  const next = nextLink(header);
  if (next === undefined) return undefined;
  let params: URLSearchParams;
  try {
    params = new URL(next, 'https://api.github.com/').searchParams;
  } catch {
    throw new GitHubError('GITHUB_RESPONSE_INVALID', `${what}: the Link header's next page is not a URL`);
  }
  const after = params.get('after');
  if (after !== null && after !== '' && /^[A-Za-z0-9+/=_.~-]{1,1024}$/.test(after)) return { after };
  throw new GitHubError(
    'GITHUB_RESPONSE_INVALID',
    `${what}: the Link header's next page names no cursor (after=) this client reads`,
  );
}

/**
 * A bundle octokit parsed, and its JSON text. Octokit reads an integer past 2^53 as a BigInt, which JSON.stringify
 * refuses: the text then holds the digits GitHub sent, and the bundle is that text as any JSON reader here reads it
 * (what the verifier is given, never octokit's BigInt), so that one attestation holding such a number is judged as
 * the others are, not the whole answer refused.
 */
export function attestationText(bundle: unknown): { bundle: unknown; text: string } {
  try {
    return { bundle, text: JSON.stringify(bundle) };
  } catch {
    const text = exactJson(bundle);
    return { bundle: JSON.parse(text) as unknown, text };
  }
}

/** JSON text of a value JSON.parse or octokit made (objects, arrays, strings, numbers, booleans, null, BigInt). */
function exactJson(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map(exactJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${exactJson(v)}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

import { appendAll } from '../../core/objects.js';
import { countingStream, type ByteProgress } from '../../fs/progress.js';
import { issuesInline, zodIssues, safeParseBounded } from '../../core/issues.js';
import {
  NetworkTimeout,
  checkDeadlineOptions,
  deadlineFor,
  timedFetch,
  withDeadline,
  type DeadlineOptions,
} from '../http/timeout.js';
import { redactSecrets } from '../../core/redact.js';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Octokit } from '@octokit/rest';
import * as z from 'zod';
import { HashingCounter } from '../../core/hash-stream.js';
import { isRfc3339 } from '../../core/time.js';
import { MAX_JSON_DEPTH, maxDepth } from '../../core/strict-json.js';
import { BodyTooLarge, readBounded, readErrorBody } from '../http/body.js';
import { PACKAGE_VERSION } from '../../version.js';
import { GitHubError, checkApiUrl } from './errors.js';
import {
  MAX_ATTESTATIONS,
  MAX_ATTESTATION_PAGES,
  attestationListSchema,
  attestationText,
  nextPageCursor,
} from './paging.js';
import { withRetry, type RetryOptions } from '../http/retry.js';
import { FetchFailure, HttpStatusFailure, causeOf, classify, messageOf, resetAt, uploadSize } from './http-failure.js';

export const DEFAULT_API_URL = 'https://api.github.com';

/** What we read of a release. GitHub's answers are checked, not trusted. */
const releaseSchema = z.object({
  id: z.number().int().positive(),
  // Git refuses control characters in a ref; a tag that has them (or is absurdly long) is not a release we read.
  tag_name: z
    .string()
    .min(1)
    .max(256)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f\u007f]+$/, 'a tag without control characters'),
  upload_url: z.string().url(),
  html_url: z.string().url(),
  draft: z.boolean().optional(),
  /** GitHub's immutable releases: set on a release published while the repository had them enabled. */
  immutable: z.boolean().nullable().optional(),
  /** When it was published (null for a draft); what an audit's period is about. */
  published_at: z.string().refine(isRfc3339, 'an RFC 3339 time').nullable().optional(),
  created_at: z.string().refine(isRfc3339, 'an RFC 3339 time').optional(),
});
export type Release = z.infer<typeof releaseSchema>;

const assetSchema = z.object({
  id: z.number().int().positive(),
  name: z.string().min(1),
  size: z.number().int().nonnegative(),
  state: z.string().optional(),
  /** `sha256:<hex>` on github.com since 2025; absent or null elsewhere. */
  digest: z.string().nullable().optional(),
  url: z.string().url(),
  browser_download_url: z.string().url(),
});
export type ReleaseAsset = z.infer<typeof assetSchema>;

/** The longest error text from GitHub we quote, and the most of an error body we read. */
const MAX_QUOTE = 300;
const MAX_ERROR_BODY = 64 * 1024;
const MAX_ASSET_PAGES = 10;
/** An audit reads at most this many pages of 100 releases (a repository's whole history, for any real project). */
export const MAX_RELEASE_PAGES = 100;
/**
 * The most of one JSON answer from GitHub that is read (a page of 100
 * releases with their notes and assets, of 100 attestations, a release):
 * GitHub's own pages are a few MiB at most. Also the most the attestations of
 * one digest may add up to over all their pages.
 */
export const MAX_GITHUB_JSON = 32 * 1024 * 1024;

export interface ReleasesClientOptions {
  owner: string;
  repo: string;
  /** Absent for anonymous reads of public repositories. */
  token?: string;
  apiUrl?: string;
  retry?: RetryOptions;
  /** Told of each retry (never with secrets). */
  onRetry?: (message: string) => void;
  /** Silence allowed before a request fails (src/transport/http/timeout.ts); default 30 s. */
  timeoutMs?: number;
  /**
   * Overall limits per request (src/transport/http/timeout.ts): API calls get `deadlineMs`, uploads and downloads that
   * plus their size at `minBytesPerSecond`.
   */
  deadline?: DeadlineOptions;
  /** The most of one JSON answer that is read (default MAX_GITHUB_JSON). */
  maxResponseBytes?: number;
}

/**
 * GitHub Releases for one repository, through @octokit/rest, with retries,
 * checked responses and errors that say what to do. Nothing here prints or
 * quotes the token: errors are rebuilt from status and GitHub's own message.
 */
export class ReleasesClient {
  readonly owner: string;
  readonly repo: string;
  readonly apiUrl: string;
  readonly #octokit: Octokit;
  readonly #token: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number | undefined;
  readonly #deadline: DeadlineOptions;
  readonly #maxJson: number;
  readonly #retry: RetryOptions;
  readonly #onRetry: ((message: string) => void) | undefined;

  constructor(options: ReleasesClientOptions) {
    this.owner = options.owner;
    this.repo = options.repo;
    this.apiUrl = checkApiUrl(options.apiUrl ?? DEFAULT_API_URL);
    // A token with a newline or a control character would end up quoted in fetch's own header error.
    if (options.token !== undefined && !/^[\x21-\x7e]+$/.test(options.token)) {
      throw new GitHubError(
        'GITHUB_TOKEN_INVALID',
        'the token in GITHUB_TOKEN or GH_TOKEN contains spaces, line breaks or other characters no GitHub token has',
      );
    }
    this.#token = options.token;
    this.#retry = options.retry ?? {};
    this.#onRetry = options.onRetry;
    const quiet = () => undefined;
    this.#timeoutMs = options.timeoutMs;
    this.#deadline = checkDeadlineOptions(options.deadline ?? {});
    this.#maxJson = options.maxResponseBytes ?? MAX_GITHUB_JSON;
    this.#fetch = timedFetch(options.timeoutMs);
    this.#octokit = new Octokit({
      ...(options.token ? { auth: options.token } : {}),
      request: { fetch: this.#octokitFetch },
      baseUrl: this.apiUrl,
      userAgent: `evidence/${PACKAGE_VERSION}`,
      log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    });
  }

  /** The overall limit for a request moving `bytes` (0: an API call). */
  #deadlineFor(bytes = 0): number {
    return deadlineFor(this.#timeoutMs, this.#deadline, bytes);
  }

  /**
   * Octokit's fetch. Octokit reads and parses each body itself, and takes a
   * body that breaks off for an empty answer; so the body is read here first,
   * bounded in size (MAX_GITHUB_JSON; an error body: its first 64 KiB) and
   * in time (the deadline), and a failure is thrown from fetch, where octokit
   * keeps it as the cause. An upload (a body with a Content-Length) gets the
   * deadline of its size.
   */
  readonly #octokitFetch = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const timed = withDeadline(this.#deadlineFor(uploadSize(init)), this.#fetch);
    let res = await timed(input, { ...init, redirect: 'manual' });
    // A redirect is followed by hand, and only on the origin asked (a renamed or moved repository: GitHub answers 301
    // to a GET, 307 to a POST, PATCH or DELETE): never to another host, which would get the token, nor read from there
    // (the asset download does the same). A request with a body is sent again only on a 307 or 308, which keep the
    // method and body, and only when its body is bytes in hand (an upload's stream cannot be sent twice).
    const method = init?.method ?? 'GET';
    const resendable = init?.body === undefined || typeof init.body === 'string' || init.body instanceof Uint8Array;
    for (let hop = 0; res.status >= 300 && res.status < 400 && res.headers.get('location'); hop++) {
      const next = new URL(res.headers.get('location') as string, url);
      await res.body?.cancel();
      const why =
        next.origin !== url.origin
          ? `a redirect to ${next.origin}`
          : hop >= 5
            ? 'more than 5 redirects'
            : method !== 'GET' && method !== 'HEAD' && !((res.status === 307 || res.status === 308) && resendable)
              ? `a redirect of a ${method} that cannot be sent again`
              : undefined;
      if (why)
        throw new GitHubError(
          'GITHUB_RESPONSE_INVALID',
          `${url.origin}${url.pathname}: GitHub answered ${res.status}, ${why}; not followed`,
        );
      res = await timed(next, { ...init, redirect: 'manual' });
    }
    if (!res.body || res.status === 204 || res.status === 205 || init?.method === 'HEAD') return res;
    let bytes: Buffer;
    if (res.status >= 300) {
      // An error's words are quoted at most MAX_QUOTE characters: a bounded prefix is all that is needed.
      bytes = await readErrorBody(res, MAX_ERROR_BODY);
    } else {
      try {
        bytes = await readBounded(res, this.#maxJson);
      } catch (e) {
        if (e instanceof BodyTooLarge)
          throw this.#tooLarge(`${url.origin}${url.pathname}`, `GitHub's answer is larger than ${this.#maxJson} bytes`);
        throw e;
      }
    }
    // JSON.parse reads any depth, but what walks it after (JSON.stringify, zod) recurses: too deep is refused here.
    const depth = /json/i.test(res.headers.get('content-type') ?? '') ? maxDepth(bytes.toString('utf8')) : 0;
    if (depth > MAX_JSON_DEPTH)
      throw new GitHubError(
        'GITHUB_RESPONSE_INVALID',
        `${url.origin}${url.pathname}: GitHub's answer is nested ${depth} levels deep; at most ${MAX_JSON_DEPTH} are read`,
      );
    const copy = new Response(bytes.byteLength === 0 ? null : bytes, {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
    });
    Object.defineProperty(copy, 'url', { value: res.url });
    return copy;
  };

  #tooLarge(where: string, why: string): GitHubError {
    return new GitHubError(
      'GITHUB_RESPONSE_TOO_LARGE',
      redactSecrets(`${where}: ${why}; not read`, this.#token ? [this.#token] : []),
    );
  }

  get #where(): string {
    return `${this.owner}/${this.repo}`;
  }

  /** `needs`: the access a 403 says the call needs (default: attaching's `contents: write`). */
  async #call<T>(what: string, call: () => Promise<T>, needs?: string): Promise<T> {
    try {
      return await withRetry(call, classify, this.#retry, (f, attempt, ms) =>
        this.#onRetry?.(`${what}: GitHub answered ${f.status}; retry ${attempt} in ${Math.round(ms / 1000)} s`),
      );
    } catch (e) {
      const error = this.#toError(what, e, needs);
      // Whatever GitHub (or a proxy) echoed back, the token is not repeated.
      if (error instanceof GitHubError && this.#token && error.message.includes(this.#token)) {
        return Promise.reject(
          new GitHubError(
            error.code,
            redactSecrets(error.message, [this.#token]),
            error.status === undefined ? {} : { status: error.status },
          ),
        );
      }
      throw error;
    }
  }

  /**
   * Any GET of the REST API for this repository, through the same bounded fetch, retries and errors: its body. API
   * version 2022-11-28, whose pull requests still carry merge_commit_sha (2026-03-10 drops it).
   */
  async get(what: string, route: string, params: Record<string, string | number> = {}): Promise<unknown> {
    const headers = { 'x-github-api-version': '2022-11-28' };
    const res = await this.#call(what, () =>
      this.#octokit.request(route, { owner: this.owner, repo: this.repo, ...params, headers }),
    );
    return res.data as unknown;
  }

  /** The release with this tag, or undefined. Draft releases are found too (they have no tag yet on GitHub's side). */
  async releaseByTag(tag: string): Promise<Release | undefined> {
    try {
      const res = await this.#call(`release ${tag} of ${this.#where}`, () =>
        this.#octokit.rest.repos.getReleaseByTag({ owner: this.owner, repo: this.repo, tag }),
      );
      return parse(releaseSchema, res.data, `release ${tag} of ${this.#where}`);
    } catch (e) {
      if (e instanceof GitHubError && e.code === 'GITHUB_NOT_FOUND' && this.#token) {
        // Drafts are not found by tag; look for one among the releases the token can see.
        const drafts = await this.#call(`releases of ${this.#where}`, () =>
          this.#octokit.rest.repos.listReleases({ owner: this.owner, repo: this.repo, per_page: 100 }),
        );
        const draft = (drafts.data as unknown[]).find((r) => (r as { tag_name?: unknown }).tag_name === tag);
        if (draft) return parse(releaseSchema, draft, `release ${tag} of ${this.#where}`);
        await this.#repositoryVisible();
        return undefined;
      }
      if (e instanceof GitHubError && e.code === 'GITHUB_NOT_FOUND') return undefined;
      throw e;
    }
  }

  /** A 404 for a release must not hide a repository that isn't there (or isn't visible). */
  async #repositoryVisible(): Promise<void> {
    await this.#call(`repository ${this.#where}`, () =>
      this.#octokit.rest.repos.get({ owner: this.owner, repo: this.repo }),
    );
  }

  async createRelease(
    tag: string,
    options: { name?: string; targetCommitish?: string; draft?: boolean } = {},
  ): Promise<Release> {
    const res = await this.#call(`creating release ${tag} in ${this.#where}`, () =>
      this.#octokit.rest.repos.createRelease({
        owner: this.owner,
        repo: this.repo,
        tag_name: tag,
        name: options.name ?? tag,
        ...(options.targetCommitish ? { target_commitish: options.targetCommitish } : {}),
        draft: options.draft ?? false,
      }),
    );
    return parse(releaseSchema, res.data, `created release ${tag} of ${this.#where}`);
  }

  /**
   * Whether the repository has immutable releases enabled
   * (GET /repos/{owner}/{repo}/immutable-releases: 200 when enabled, 404 when
   * not, or when the token may not read the setting). Undefined when it
   * cannot be told.
   */
  async immutableReleases(): Promise<boolean | undefined> {
    try {
      const res = await this.#call(`the immutable-releases setting of ${this.#where}`, () =>
        this.#octokit.request('GET /repos/{owner}/{repo}/immutable-releases', { owner: this.owner, repo: this.repo }),
      );
      return (res.data as { enabled?: unknown }).enabled === true;
    } catch (e) {
      if (e instanceof GitHubError && (e.code === 'GITHUB_NOT_FOUND' || e.code === 'GITHUB_FORBIDDEN'))
        return e.code === 'GITHUB_NOT_FOUND' ? false : undefined;
      throw e;
    }
  }

  /** Publishes a draft release (PATCH draft: false); what GitHub returns then says whether it became immutable. */
  async publishRelease(release: Release): Promise<Release> {
    const what = `publishing release ${release.tag_name} of ${this.#where}`;
    const res = await this.#call(what, () =>
      this.#octokit.rest.repos.updateRelease({
        owner: this.owner,
        repo: this.repo,
        release_id: release.id,
        draft: false,
      }),
    );
    return parse(releaseSchema, res.data, what);
  }

  /**
   * Every release of the repository, newest first as GitHub lists them,
   * page by page against our own API URL (never a Link header's host), with
   * each release's first assets inline. Drafts are listed only to a token
   * that may see them.
   */
  async listReleases(): Promise<Release[]> {
    const what = `releases of ${this.#where}`;
    const all: Release[] = [];
    for (let page = 1; page <= MAX_RELEASE_PAGES; page++) {
      const res = await this.#call(what, () =>
        this.#octokit.rest.repos.listReleases({ owner: this.owner, repo: this.repo, per_page: 100, page }),
      );
      const batch = parse(z.array(releaseSchema).max(100), res.data, what);
      appendAll(all, batch);
      if (batch.length < 100) return all;
    }
    throw new GitHubError('GITHUB_RESPONSE_INVALID', `${what}: more than ${MAX_RELEASE_PAGES * 100} releases`);
  }

  async listAssets(release: Release): Promise<ReleaseAsset[]> {
    const what = `assets of release ${release.tag_name} of ${this.#where}`;
    // Page by page against our own API URL (never a Link header's host), up to GitHub's 1000 assets a release.
    const all: ReleaseAsset[] = [];
    for (let page = 1; page <= MAX_ASSET_PAGES; page++) {
      const res = await this.#call(what, () =>
        this.#octokit.rest.repos.listReleaseAssets({
          owner: this.owner,
          repo: this.repo,
          release_id: release.id,
          per_page: 100,
          page,
        }),
      );
      const batch = parse(z.array(assetSchema).max(100), res.data, what);
      appendAll(all, batch);
      if (batch.length < 100) return all;
    }
    throw new GitHubError('GITHUB_RESPONSE_INVALID', `${what}: more than ${MAX_ASSET_PAGES * 100} assets`);
  }

  async deleteAsset(asset: ReleaseAsset): Promise<void> {
    await this.#call(`deleting asset ${asset.name} of ${this.#where}`, () =>
      this.#octokit.rest.repos.deleteReleaseAsset({ owner: this.owner, repo: this.repo, asset_id: asset.id }),
    );
  }

  /** The token goes only to GitHub: the API's own host, or uploads.github.com for api.github.com. */
  #checkUploadUrl(template: string, what: string): void {
    const url = new URL(template.replace(/\{[^}]*\}/g, ''));
    const api = new URL(this.apiUrl);
    const allowed =
      url.origin === api.origin ||
      (api.origin === 'https://api.github.com' && url.origin === 'https://uploads.github.com');
    if (!allowed)
      throw new GitHubError(
        'GITHUB_RESPONSE_INVALID',
        `${what}: the release's upload_url points at ${url.origin}, not at ${api.origin}; not sending the token there`,
      );
  }

  /**
   * Records a Sigstore bundle in GitHub's artifact attestations API
   * (POST /repos/{owner}/{repo}/attestations, body `{bundle}`, 201 `{id}`),
   * where `gh attestation verify ARTIFACT --owner O` finds it.
   */
  async createAttestation(bundle: unknown): Promise<{ id: number }> {
    const what = `recording an attestation in ${this.#where}`;
    const res = await this.#call(what, () =>
      this.#octokit.request('POST /repos/{owner}/{repo}/attestations', {
        owner: this.owner,
        repo: this.repo,
        bundle: bundle as never,
      }),
    );
    return parse(z.object({ id: z.number().int().nonnegative() }), res.data, what);
  }

  /** GET …/repos/{owner}/{repo}/attestations/{subject_digest}: where attestationsFor reads, as reports name it. */
  attestationsUrl(subjectDigest: string): string {
    return `${this.apiUrl}/repos/${this.owner}/${this.repo}/attestations/${subjectDigest}`;
  }

  /**
   * The Sigstore bundles GitHub keeps for a subject digest
   * (GET /repos/{owner}/{repo}/attestations/{subject_digest}), at most
   * MAX_ATTESTATIONS in at most MAX_ATTESTATION_PAGES pages, in GitHub's
   * order, each with its JSON text. Untrusted: each is verified by the
   * caller, and one that is no Sigstore bundle is returned as GitHub gave it
   * (it is the caller's to count as a failed verification); only an answer
   * that is not the list GitHub documents is refused.
   */
  async attestationsFor(subjectDigest: string): Promise<{ bundle: unknown; text: string }[]> {
    if (!/^sha256:[0-9a-f]{64}$/.test(subjectDigest))
      throw new GitHubError('GITHUB_RESPONSE_INVALID', `'${subjectDigest}' is not a sha256:<64 hex> digest`);
    const what = `attestations of ${subjectDigest} in ${this.#where}`;
    const out: { bundle: unknown; text: string }[] = [];
    let total = 0;
    const needs = `reading attestations needs read access to ${this.#where} (a fine-grained token: \`attestations: read\`)`;
    // GitHub pages this list by cursor: each answer's Link header names the next page (`after=`), and `page=` is
    // ignored. Only the cursor is taken from the link; the request goes to our own API URL, never the link's host.
    // Bounded twice: by the attestations read (a page may hold fewer than 100) and by the pages asked for.
    let cursor: Record<string, string> = {};
    const seen = new Set<string>();
    for (let page = 1; page <= MAX_ATTESTATION_PAGES; page++) {
      let res: { data: unknown; headers: Record<string, unknown> };
      try {
        res = await this.#call(
          what,
          () =>
            this.#octokit.request('GET /repos/{owner}/{repo}/attestations/{subject_digest}', {
              owner: this.owner,
              repo: this.repo,
              subject_digest: subjectDigest,
              per_page: 100,
              ...cursor,
            }),
          needs,
        );
      } catch (e) {
        // None at all, or none past the last: a 404 for the page a full list of MAX_ATTESTATIONS names next.
        if (
          e instanceof GitHubError &&
          e.code === 'GITHUB_NOT_FOUND' &&
          (page === 1 || out.length === MAX_ATTESTATIONS)
        )
          return out;
        throw e;
      }
      const listed = parse(attestationListSchema, res.data, what).attestations;
      if (out.length + listed.length > MAX_ATTESTATIONS)
        throw new GitHubError('GITHUB_RESPONSE_INVALID', `${what}: more than ${MAX_ATTESTATIONS} attestations`);
      for (const a of listed) {
        if (a.bundle === undefined || a.bundle === null)
          throw new GitHubError(
            'GITHUB_RESPONSE_INVALID',
            `${what}: an attestation is listed without its bundle inline (bundle_url only), which this client does not follow`,
          );
        // Each page is bounded as it is read; what is kept of all pages is bounded too.
        const read = attestationText(a.bundle);
        total += read.text.length;
        if (total > this.#maxJson)
          throw this.#tooLarge(what, `the attestations add up to more than ${this.#maxJson} bytes`);
        out.push(read);
      }
      // An empty page that names a next one is followed too (within the pages asked for): it does not end the list.
      const next = nextPageCursor(res.headers.link, what);
      if (next === undefined) return out;
      const key = JSON.stringify(next);
      if (seen.has(key))
        throw new GitHubError('GITHUB_RESPONSE_INVALID', `${what}: the next page's link names a page already read`);
      seen.add(key);
      cursor = next;
    }
    throw new GitHubError(
      'GITHUB_RESPONSE_INVALID',
      `${what}: the list goes on past ${MAX_ATTESTATION_PAGES} pages (${out.length} attestations read)`,
    );
  }

  async renameAsset(asset: ReleaseAsset, name: string): Promise<ReleaseAsset> {
    const what = `renaming asset ${asset.name} to ${name} in ${this.#where}`;
    const res = await this.#call(what, () =>
      this.#octokit.rest.repos.updateReleaseAsset({ owner: this.owner, repo: this.repo, asset_id: asset.id, name }),
    );
    return parse(assetSchema, res.data, what);
  }

  /**
   * Uploads one asset, streamed from `open()` (called again for each retry).
   * The upload URL comes from the release (`upload_url`, an RFC 6570
   * template), so GitHub Enterprise Server's upload host is used as is.
   */
  async uploadAsset(
    release: Release,
    name: string,
    size: number,
    contentType: string,
    open: () => Readable,
  ): Promise<ReleaseAsset> {
    const what = `uploading ${name} to release ${release.tag_name} of ${this.#where}`;
    this.#checkUploadUrl(release.upload_url, what);
    const res = await this.#call(what, () =>
      this.#octokit.request({
        method: 'POST',
        url: release.upload_url,
        name,
        data: open(),
        headers: { 'content-type': contentType, 'content-length': size },
      }),
    );
    return parse(assetSchema, res.data, what);
  }

  /**
   * Streams an asset through a hash into `open()`'s sink (made again for each
   * retry, so a half-done attempt never mixes into the next; no sink: the
   * bytes are only hashed). More bytes than the listing's size stop it.
   * The download goes through the API (Accept: application/octet-stream);
   * redirects to storage are followed by hand so that the token never
   * leaves GitHub's API origin. Returns the sha256 and size of what came.
   */
  async download(
    asset: ReleaseAsset,
    open?: () => NodeJS.WritableStream,
    onBytes?: ByteProgress,
  ): Promise<{ sha256: string; size: number }> {
    const what = `downloading ${asset.name} from ${this.#where}`;
    return this.#call(what, async () => {
      const body = await this.#open(asset.url, what, asset.size);
      const hasher = new HashingCounter({
        limit: asset.size,
        onLimit: () =>
          new GitHubError('ASSET_MISMATCH', `${asset.name}: GitHub sent more than the ${asset.size} bytes it lists`),
      });
      const sink = open ? open() : new Writable({ write: (_chunk, _enc, done) => done() });
      if (onBytes)
        await pipeline(
          Readable.fromWeb(body as WebReadableStream),
          countingStream(asset.name, asset.size, onBytes),
          hasher,
          sink,
        );
      else await pipeline(Readable.fromWeb(body as WebReadableStream), hasher, sink);
      return { sha256: hasher.digestHex(), size: hasher.bytes };
    });
  }

  async #open(url: string, what: string, size: number): Promise<ReadableStream<Uint8Array>> {
    const origin = new URL(this.apiUrl).origin;
    const timed = withDeadline(this.#deadlineFor(size), this.#fetch);
    let next = url;
    for (let hop = 0; hop < 5; hop++) {
      const here = new URL(next);
      if (here.protocol !== 'https:' && here.protocol !== 'http:')
        throw new GitHubError('GITHUB_RESPONSE_INVALID', `${what}: redirected to a ${here.protocol} URL`);
      if (here.protocol === 'http:' && new URL(this.apiUrl).protocol === 'https:')
        throw new GitHubError('GITHUB_RESPONSE_INVALID', `${what}: redirected from https to plain http`);
      const headers: Record<string, string> = {
        accept: 'application/octet-stream',
        'user-agent': `evidence/${PACKAGE_VERSION}`,
      };
      if (this.#token && here.origin === origin) headers.authorization = `Bearer ${this.#token}`;
      let res: Response;
      try {
        res = await timed(here, { headers, redirect: 'manual' });
      } catch (e) {
        throw new FetchFailure(`${what}: ${here.host} cannot be reached (${causeOf(e)})`);
      }
      if (res.status >= 300 && res.status < 400) {
        const location = res.headers.get('location');
        await res.body?.cancel();
        if (!location)
          throw new GitHubError('GITHUB_RESPONSE_INVALID', `${what}: a ${res.status} redirect without a Location`);
        next = new URL(location, here).toString();
        continue;
      }
      if (!res.ok || !res.body) {
        const text = (await readErrorBody(res, MAX_ERROR_BODY)).toString('utf8').slice(0, MAX_QUOTE * 4);
        throw new HttpStatusFailure(res.status, Object.fromEntries(res.headers), messageOf(text));
      }
      return res.body;
    }
    throw new GitHubError('GITHUB_RESPONSE_INVALID', `${what}: more than 5 redirects`);
  }

  #toError(what: string, e: unknown, needs = `attaching needs \`contents: write\` on ${this.#where}`): Error {
    if (e instanceof GitHubError) return e;
    // A server that went silent: octokit wraps our timeout as a 500 "request error".
    for (let c: unknown = e, depth = 0; c && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
      if (c instanceof NetworkTimeout) return new GitHubError('GITHUB_UNREACHABLE', `${what}: ${c.message}`);
      // Thrown by our own fetch (an answer too large), and wrapped by octokit.
      if (c instanceof GitHubError) return c;
    }
    const failure = classify(e);
    if (e instanceof FetchFailure) return new GitHubError('GITHUB_UNREACHABLE', e.message);
    if (failure?.network)
      return new GitHubError('GITHUB_UNREACHABLE', `${what}: ${new URL(this.apiUrl).host} cannot be reached`);
    if (!failure) {
      // Never quoted: fetch's message can carry a header value, the token among them.
      if ((e as { name?: unknown })?.name === 'HttpError')
        return new GitHubError('GITHUB_REQUEST_FAILED', `${what}: the request could not be sent`);
      // What octokit throws reading an answer (a number past 2^53 it parses as a BigInt, which it then cannot write
      // into its own message) is an answer this client cannot read: that call fails, not the run. Anything else is a
      // bug, which stops the run.
      if (e instanceof SyntaxError || (e instanceof TypeError && /BigInt/i.test(e.message)))
        return new GitHubError('GITHUB_RESPONSE_INVALID', `${what}: GitHub's answer could not be read (${e.name})`);
      return e instanceof Error ? e : new Error(String(e));
    }
    const { status } = failure;
    const said = failure.message ? ` (GitHub: ${failure.message.slice(0, MAX_QUOTE)})` : '';
    const token = this.#token ? 'the token in GITHUB_TOKEN or GH_TOKEN' : 'no token (set GITHUB_TOKEN or GH_TOKEN)';
    switch (true) {
      case status === 401:
        return new GitHubError('GITHUB_AUTH_FAILED', `${what}: GitHub refused ${token}: 401 Bad credentials${said}`, {
          status,
        });
      case status === 403 && failure.headers['x-ratelimit-remaining'] === '0':
        return new GitHubError(
          'GITHUB_RATE_LIMITED',
          `${what}: GitHub's rate limit is used up${resetAt(failure.headers)}${this.#token ? '' : '; anonymous requests get 60 an hour, set GITHUB_TOKEN or GH_TOKEN'}`,
          { status },
        );
      case status === 429:
        return new GitHubError(
          'GITHUB_RATE_LIMITED',
          `${what}: 429 Too Many Requests${resetAt(failure.headers)}${said}`,
          {
            status,
          },
        );
      case status === 403:
        return new GitHubError('GITHUB_FORBIDDEN', `${what}: 403 Forbidden with ${token}; ${needs}${said}`, { status });
      case status === 404:
        return new GitHubError(
          'GITHUB_NOT_FOUND',
          `${what}: 404 Not Found: no such repository or release, or ${token} cannot see it`,
          { status },
        );
      case status === 422 && /immutable release/i.test(`${failure.message ?? ''} ${failure.detail ?? ''}`):
        return new GitHubError(
          'GITHUB_RELEASE_IMMUTABLE',
          `${what}: the release is published and immutable, so its assets cannot change${said}; attach to a draft release and publish it after (evidence attach --create makes one)`,
          { status },
        );
      case status === 422:
        return /already_exists/.test(failure.detail ?? '')
          ? new GitHubError(
              'GITHUB_ASSET_EXISTS',
              `${what}: an asset of that name is already on the release (use --clobber to replace it)`,
              { status },
            )
          : new GitHubError(
              'GITHUB_VALIDATION_FAILED',
              `${what}: 422 Validation Failed${said}${failure.detail ? ` ${failure.detail.slice(0, MAX_QUOTE)}` : ''}`,
              { status },
            );
      default:
        return new GitHubError('GITHUB_REQUEST_FAILED', `${what}: GitHub answered ${status}${said}`, { status });
    }
  }
}

function parse<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const parsed = safeParseBounded(schema, data);
  if (!parsed.success) {
    throw new GitHubError(
      'GITHUB_RESPONSE_INVALID',
      `${what}: GitHub's answer is not what its API documents (${issuesInline(zodIssues(parsed.error), 3)})`,
    );
  }
  return parsed.data;
}

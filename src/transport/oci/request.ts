import { parseJsonShallow } from '../../core/strict-json.js';
import { pipeline, Readable } from 'node:stream';
import {
  basicAuthorization,
  checkCredentials,
  parseTokenResponse,
  parseWwwAuthenticate,
  repositoryScopes,
  type BearerToken,
  type RegistryCredentials,
} from './auth.js';
import { OciError, quoteUntrusted } from './errors.js';
import { BodyTooLarge, MAX_SMALL_BODY, discard, readBounded } from './http.js';
import { registryProblem } from './reference.js';
import { RegistryErrors, networkErrorCode } from './registry-errors.js';
import {
  DEFAULT_TIMEOUT_MS,
  NetworkTimeout,
  checkDeadlineOptions,
  deadlineFor,
  withDeadline,
  type DeadlineOptions,
} from '../http/timeout.js';

/**
 * 4 MiB: push of a 1 GiB bundle peaked at 139–147 MiB with it, 169–170 MiB with 8 MiB, at the same speed
 * (docs/performance.md).
 */
export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;
const MAX_REDIRECTS = 5;

export interface RegistryClientOptions {
  /** Plain HTTP instead of HTTPS: for registries on loopback or a trusted local network only. */
  plainHttp?: boolean;
  credentials?: RegistryCredentials;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  userAgent?: string;
  /** Blobs up to this size are uploaded in one PUT; bigger ones in PATCH chunks of this size. */
  chunkSize?: number;
  /** ms since the epoch, for token expiry; defaults to Date.now. */
  now?: () => number;
  /** Silence allowed on a streamed upload (the requests through `fetch` are timed by it); default 30 s. */
  timeoutMs?: number;
  /**
   * Overall limits per request, headers and body (src/transport/http/timeout.ts),
   * applied here whatever `fetch` is: a small answer (a manifest, a tag list,
   * a token) gets `deadlineMs`; a blob up or down, or a chunk of one, that plus
   * its size at `minBytesPerSecond`.
   */
  deadline?: DeadlineOptions;
}

/** What the caller knows of a blob: the digest it must have and its size. */
export interface BlobDescriptor {
  digest: string;
  size: number;
}

export type Access = ReadonlyMap<string, 'pull' | 'push'>;
type AuthState = { scheme: 'basic' } | { scheme: 'bearer'; realm: URL; service: string | undefined };
type Body = Uint8Array | (() => AsyncIterable<Uint8Array>);

export interface Call {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: URL;
  repository: string;
  access: Access;
  /** What is being done, for messages: e.g. `blob sha256:… upload`. */
  what: string;
  headers?: Record<string, string>;
  /** A replayable body: bytes, or a function that opens the stream again. */
  body?: Body;
  /** An error raised while reading the body (the caller's stream), which takes precedence over a network error. */
  bodyError?: () => unknown;
  /** The bytes this request moves (a blob or a chunk, up or down), for its deadline; absent for a small answer. */
  transfer?: number;
}

export const pullAccess = (repo: string): Access => new Map([[repo, 'pull']]);
export const pushAccess = (repo: string): Access => new Map([[repo, 'push']]);

/**
 * The request core of the OCI client (src/transport/oci/client.ts): one
 * registry's origin, credentials and tokens; the request loop with its
 * authentication, redirects and deadlines; and the errors it makes. The blob
 * and manifest modules speak to the registry only through it.
 */
export class RegistryRequests {
  readonly registry: string;
  readonly origin: string;
  /** Blobs up to this size are uploaded in one PUT; bigger ones in PATCH chunks of this size. */
  readonly chunkSize: number;
  readonly errors: RegistryErrors;
  readonly #plainHttp: boolean;
  readonly #credentials: RegistryCredentials | undefined;
  readonly #fetch: typeof fetch;
  readonly #userAgent: string;
  readonly #now: () => number;
  readonly #timeoutMs: number;
  readonly #deadline: DeadlineOptions;
  #auth: AuthState | undefined;
  readonly #tokens = new Map<string, BearerToken>();

  constructor(registry: string, options: RegistryClientOptions = {}) {
    const problem = registryProblem(registry);
    if (problem) throw new OciError('REFERENCE_INVALID', `invalid registry ${quoteUntrusted(registry)}: ${problem}`);
    this.registry = registry;
    this.#plainHttp = options.plainHttp ?? false;
    this.errors = new RegistryErrors(registry, this.#plainHttp);
    this.origin = new URL(`${this.#plainHttp ? 'http' : 'https'}://${registry}`).origin;
    if (options.credentials) {
      this.#credentials = checkCredentials(options.credentials);
      const { username, password } = this.#credentials;
      this.errors.addSecret(password);
      this.errors.addSecret(`${username}:${password}`);
      this.errors.addSecret(basicAuthorization(this.#credentials).slice('Basic '.length));
    }
    this.#fetch = options.fetch ?? fetch;
    this.#userAgent = options.userAgent ?? 'evidence';
    const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    if (!Number.isSafeInteger(chunkSize) || chunkSize < 1)
      throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
    this.chunkSize = chunkSize;
    this.#now = options.now ?? Date.now;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#deadline = checkDeadlineOptions(options.deadline ?? {});
  }

  /** The overall limit of a request moving `bytes` (0: a small answer). */
  deadlineFor(bytes = 0): number {
    return deadlineFor(this.#timeoutMs, this.#deadline, bytes);
  }

  url(path: string): URL {
    return new URL(path, this.origin);
  }

  /** One call, authenticated when the registry asks (once), redirects followed for GET and HEAD. */
  async request(call: Call): Promise<Response> {
    let authenticated = false;
    for (;;) {
      const { res, url } = await this.#send(call);
      if (res.status === 401 && !authenticated && url.origin === this.origin) {
        const header = res.headers.get('www-authenticate');
        await discard(res);
        await this.#authenticate(header, call);
        authenticated = true;
        continue;
      }
      if (res.status === 401 || res.status === 403) return this.errors.fail(res, call);
      return res;
    }
  }

  async #send(call: Call): Promise<{ res: Response; url: URL }> {
    let url = call.url;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { 'user-agent': this.#userAgent, ...call.headers };
      const authorization = await this.authorization(url, call);
      if (authorization !== undefined) headers.authorization = authorization;
      const body = call.body === undefined ? undefined : call.body instanceof Uint8Array ? call.body : call.body();
      let res: Response;
      try {
        res = await withDeadline(this.deadlineFor(call.transfer), this.#fetch)(url, {
          method: call.method,
          headers,
          redirect: 'manual',
          ...(body === undefined ? {} : { body, duplex: 'half' }),
        });
      } catch (err) {
        const fromBody = call.bodyError?.();
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- what the caller's body stream raised, rethrown as it came
        if (fromBody !== undefined) throw fromBody;
        throw this.errors.unreachable(
          call,
          url.origin === this.origin ? 'the registry' : url.host,
          err,
          url.origin === this.origin,
        );
      }
      const redirect =
        res.status === 301 || res.status === 302 || res.status === 303 || res.status === 307 || res.status === 308;
      if (!redirect || (call.method !== 'GET' && call.method !== 'HEAD')) return { res, url };
      await discard(res);
      const location = res.headers.get('location');
      if (location === null) throw this.errors.invalid(call, `HTTP ${res.status} redirect without a Location`);
      if (hop >= MAX_REDIRECTS) throw this.errors.invalid(call, `more than ${MAX_REDIRECTS} redirects`);
      url = this.resolve(location, url, call);
    }
  }

  /** A Location header (relative or absolute) as a URL we are willing to send to. */
  resolve(location: string, base: URL, call: Pick<Call, 'repository' | 'what'>): URL {
    let next: URL;
    try {
      next = new URL(location, base);
    } catch {
      throw this.errors.invalid(call, `Location ${quoteUntrusted(location)} is not a URL`);
    }
    if (next.protocol !== 'https:' && !(next.protocol === 'http:' && this.#plainHttp)) {
      throw this.errors.invalid(call, `Location ${quoteUntrusted(next.origin)} is not https`);
    }
    if (next.username !== '' || next.password !== '') throw this.errors.invalid(call, 'Location carries user-info');
    return next;
  }

  location(res: Response, call: Call): URL {
    const location = res.headers.get('location');
    if (location === null) throw this.errors.invalid(call, `HTTP ${res.status} without a Location for the upload`);
    return this.resolve(location, call.url, call);
  }

  /** The Authorization header for `url`: only ever sent to the registry's own origin. */
  async authorization(url: URL, call: Call): Promise<string | undefined> {
    if (url.origin !== this.origin || this.#auth === undefined) return undefined;
    if (this.#auth.scheme === 'basic') return this.#credentials ? basicAuthorization(this.#credentials) : undefined;
    const scopes = repositoryScopes(call.access);
    const cached = this.#tokens.get(scopes.join(' '));
    if (cached && cached.expiresAt > this.#now()) return `Bearer ${cached.token}`;
    return `Bearer ${await this.#fetchToken(this.#auth, call)}`;
  }

  /** Learns how to authenticate from a 401's challenge, and gets a fresh token if it is Bearer. */
  async #authenticate(header: string | null, call: Call): Promise<void> {
    const challenges = header === null ? undefined : parseWwwAuthenticate(header);
    if (challenges === undefined) {
      throw this.errors.error(
        'REGISTRY_AUTH_FAILED',
        call.repository,
        `${call.what}: HTTP 401 with ${header === null ? 'no' : 'a malformed'} WWW-Authenticate challenge`,
        { status: 401 },
      );
    }
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm !== undefined);
    if (bearer?.params.realm !== undefined) {
      let realm: URL;
      try {
        realm = new URL(bearer.params.realm);
      } catch {
        throw this.errors.invalid(call, `Bearer realm ${quoteUntrusted(bearer.params.realm)} is not a URL`);
      }
      if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && this.#plainHttp)) {
        throw this.errors.invalid(call, `Bearer realm ${quoteUntrusted(realm.origin)} is not https`);
      }
      const state: AuthState = { scheme: 'bearer', realm, service: bearer.params.service };
      this.#auth = state;
      this.#tokens.delete(repositoryScopes(call.access).join(' '));
      await this.#fetchToken(state, call);
      return;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      if (!this.#credentials) {
        throw this.errors.error(
          'REGISTRY_AUTH_FAILED',
          call.repository,
          `${call.what}: the registry requires authentication (HTTP 401) and no credentials were given: use --registry-username/--registry-password-stdin or ~/.docker/config.json`,
          { status: 401 },
        );
      }
      this.#auth = { scheme: 'basic' };
      return;
    }
    const schemes = challenges.map((c) => c.scheme).join(', ') || 'none';
    throw this.errors.error(
      'REGISTRY_AUTH_FAILED',
      call.repository,
      `${call.what}: HTTP 401 asking for unsupported authentication (${quoteUntrusted(schemes)}); only Basic and Bearer are supported`,
      { status: 401 },
    );
  }

  /** GET realm?service=…&scope=… (with Basic credentials when we have them), cached per scope set. */
  async #fetchToken(state: Extract<AuthState, { scheme: 'bearer' }>, call: Call): Promise<string> {
    const scopes = repositoryScopes(call.access);
    const url = new URL(state.realm);
    if (state.service !== undefined) url.searchParams.set('service', state.service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    const headers: Record<string, string> = { 'user-agent': this.#userAgent, accept: 'application/json' };
    if (this.#credentials) headers.authorization = basicAuthorization(this.#credentials);
    const what = `${call.what}: token service ${url.host}`;
    let res: Response;
    try {
      res = await withDeadline(this.deadlineFor(), this.#fetch)(url, { method: 'GET', headers, redirect: 'manual' });
    } catch (err) {
      throw this.errors.error(
        'REGISTRY_UNREACHABLE',
        call.repository,
        `${what}: cannot reach it (${networkErrorCode(err)})`,
        {
          cause: err,
        },
      );
    }
    if (!res.ok) return this.errors.fail(res, { ...call, what: `${call.what}: token request to ${url.host}` });
    let body: Buffer;
    try {
      body = await readBounded(res, MAX_SMALL_BODY);
    } catch (err) {
      if (err instanceof BodyTooLarge)
        throw this.errors.invalid(call, `token response larger than ${MAX_SMALL_BODY} bytes`);
      // A server that went silent or ran past the deadline is a network failure, not a bad answer.
      throw this.errors.error(
        'REGISTRY_UNREACHABLE',
        call.repository,
        `${what}: the token response broke off (${networkErrorCode(err)})`,
        { cause: err },
      );
    }
    let json: unknown;
    try {
      json = parseJsonShallow(body.toString('utf8'));
    } catch {
      throw this.errors.invalid(call, `token response from ${url.host} is not JSON`);
    }
    const token = parseTokenResponse(json, this.#now());
    if (!token) throw this.errors.invalid(call, `token response from ${url.host} has no usable token or access_token`);
    this.errors.addSecret(token.token);
    this.#tokens.set(scopes.join(' '), token);
    return token.token;
  }

  async readJsonBody(res: Response, call: Call, limit: number): Promise<Buffer> {
    try {
      return await readBounded(res, limit);
    } catch (err) {
      if (err instanceof BodyTooLarge) throw this.errors.invalid(call, `the response is larger than ${limit} bytes`);
      throw this.errors.error(
        'REGISTRY_UNREACHABLE',
        call.repository,
        `${call.what}: the response broke off (${networkErrorCode(err)})`,
        { cause: err },
      );
    }
  }

  /**
   * One request with a streamed body over node:http(s), answered as a fetch
   * Response (so that every answer is read and judged as the others are).
   * The registry's own origin only, with its authorization; a request that
   * stalls for the client's timeout fails, and so does one that is not done
   * (answer read or dropped) within the deadline of its size.
   */
  async streamedRequest(call: Call, body: AsyncIterable<Uint8Array>, bodyError: () => unknown): Promise<Response> {
    const url = call.url;
    if (url.origin !== this.origin)
      throw this.errors.invalid(call, `the upload location ${quoteUntrusted(url.origin)} is not the registry`);
    const headers: Record<string, string> = { 'user-agent': this.#userAgent, ...call.headers };
    const authorization = await this.authorization(url, call);
    if (authorization !== undefined) headers.authorization = authorization;
    const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
    const deadlineMs = this.deadlineFor(call.transfer);
    return new Promise<Response>((resolve, reject) => {
      let answer: import('node:http').IncomingMessage | undefined;
      const deadline = setTimeout(() => {
        const reason = new NetworkTimeout(url.host, deadlineMs, 'deadline');
        req.destroy(reason);
        answer?.destroy(reason);
      }, deadlineMs);
      deadline.unref();
      const req = request(url, { method: call.method, headers }, (res) => {
        answer = res;
        res.once('close', () => clearTimeout(deadline));
        try {
          const status = res.statusCode ?? 0;
          const responseHeaders = new Headers();
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) responseHeaders.set(k, Array.isArray(v) ? v.join(', ') : v);
          const noBody = status === 204 || status === 205 || status === 304;
          if (noBody) res.resume();
          resolve(
            new Response(noBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
              status,
              headers: responseHeaders,
            }),
          );
        } catch (e) {
          // A status or a header a Response cannot hold: the registry's answer is not HTTP we read.
          res.destroy();
          reject(this.errors.invalid(call, `an answer that is not valid HTTP (${(e as Error).message})`));
        }
      });
      req.setTimeout(this.#timeoutMs, () =>
        req.destroy(
          Object.assign(new Error(`no progress for ${Math.round(this.#timeoutMs / 1000)} s (--timeout)`), {
            code: 'ETIMEDOUT',
          }),
        ),
      );
      req.on('error', (err) => {
        if (answer === undefined) clearTimeout(deadline);
        const fromBody = bodyError();
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what the caller's body stream raised, passed on as it came
        reject(fromBody ?? this.errors.unreachable(call, 'the registry', err, url.origin === this.origin));
      });
      pipeline(Readable.from(body, { objectMode: false }), req, (err) => {
        if (err) req.destroy(err);
      });
    });
  }
}

import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import { issuesInline, zodIssues } from '../../core/issues.js';
import { digestsEqual, sha256Digest } from '../../core/digest.js';
import { HashingCounter } from '../../core/hash-stream.js';
import {
  basicAuthorization,
  checkCredentials,
  parseTokenResponse,
  parseWwwAuthenticate,
  repositoryScopes,
  type BearerToken,
  type RegistryCredentials,
} from './auth.js';
import {
  OciError,
  quoteUntrusted,
  scrubSecrets,
  tlsMetPlainHttp,
  type OciErrorCode,
  type OciErrorDetails,
} from './errors.js';
import { BodyTooLarge, MAX_SMALL_BODY, discard, nextLink, parseErrorBody, readBounded, readErrorBody } from './http.js';
import {
  MAX_MANIFEST_BYTES,
  MEDIA_TYPE_RE,
  OCI_INDEX,
  OCI_MANIFEST,
  descriptorSchema,
  imageIndexSchema,
  referrersTag,
  type Descriptor,
  type ImageIndex,
} from './manifest.js';
import { digestProblem, registryProblem, repositoryProblem, tagProblem } from './reference.js';
import {
  DEFAULT_TIMEOUT_MS,
  NetworkTimeout,
  checkDeadlineOptions,
  deadlineFor,
  withDeadline,
  type DeadlineOptions,
} from '../http/timeout.js';

/** 4 MiB: push of a 1 GiB bundle peaked at 139–147 MiB with it, 169–170 MiB with 8 MiB, at the same speed (docs/performance.md). */
export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;
const MAX_REDIRECTS = 5;
const MAX_REFERRER_PAGES = 64;
const MAX_TAG_PAGES = 64;

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

export interface FetchedManifest {
  /** The exact bytes served, whose sha256 is `digest`. */
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

type Access = ReadonlyMap<string, 'pull' | 'push'>;
type AuthState = { scheme: 'basic' } | { scheme: 'bearer'; realm: URL; service: string | undefined };
type Body = Uint8Array | (() => AsyncIterable<Uint8Array>);

interface Call {
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

const pull = (repo: string): Access => new Map([[repo, 'pull']]);
const push = (repo: string): Access => new Map([[repo, 'push']]);

function mediaTypeOf(header: string | null): string | undefined {
  const base = header?.split(';')[0]?.trim();
  return base === undefined || base === '' ? undefined : base;
}

/**
 * A client of the OCI distribution API for one registry, over fetch.
 *
 * Every answer is treated as hostile: JSON bodies are size-capped and
 * validated, and everything pulled is checked against its sha256 digest.
 * Secrets given or obtained (password, tokens) never appear in errors.
 */
export class RegistryClient {
  readonly registry: string;
  readonly #origin: string;
  readonly #plainHttp: boolean;
  readonly #credentials: RegistryCredentials | undefined;
  readonly #fetch: typeof fetch;
  readonly #userAgent: string;
  readonly #chunkSize: number;
  readonly #now: () => number;
  readonly #timeoutMs: number;
  readonly #deadline: DeadlineOptions;
  #auth: AuthState | undefined;
  readonly #tokens = new Map<string, BearerToken>();
  readonly #secrets = new Set<string>();

  constructor(registry: string, options: RegistryClientOptions = {}) {
    const problem = registryProblem(registry);
    if (problem) throw new OciError('REFERENCE_INVALID', `invalid registry ${quoteUntrusted(registry)}: ${problem}`);
    this.registry = registry;
    this.#plainHttp = options.plainHttp ?? false;
    this.#origin = new URL(`${this.#plainHttp ? 'http' : 'https'}://${registry}`).origin;
    if (options.credentials) {
      this.#credentials = checkCredentials(options.credentials);
      const { username, password } = this.#credentials;
      this.#secrets.add(password);
      this.#secrets.add(`${username}:${password}`);
      this.#secrets.add(basicAuthorization(this.#credentials).slice('Basic '.length));
    }
    this.#fetch = options.fetch ?? fetch;
    this.#userAgent = options.userAgent ?? 'evidence';
    const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    if (!Number.isSafeInteger(chunkSize) || chunkSize < 1)
      throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
    this.#chunkSize = chunkSize;
    this.#now = options.now ?? Date.now;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#deadline = checkDeadlineOptions(options.deadline ?? {});
  }

  /** The overall limit of a request moving `bytes` (0: a small answer). */
  #deadlineFor(bytes = 0): number {
    return deadlineFor(this.#timeoutMs, this.#deadline, bytes);
  }

  // -------------------------------------------------------------------------
  // Blobs

  /** The size of a blob the registry has, or undefined when it has none. */
  async blobSize(repository: string, digest: string): Promise<number | undefined> {
    this.#checkRepository(repository);
    this.#checkDigest(digest, repository);
    return this.#blobSize(repository, digest, pull(repository));
  }

  async #blobSize(repository: string, digest: string, access: Access): Promise<number | undefined> {
    const call: Call = {
      method: 'HEAD',
      url: this.#url(`/v2/${repository}/blobs/${digest}`),
      repository,
      access,
      what: `blob ${digest}`,
    };
    const res = await this.#request(call);
    if (res.status === 404) {
      await discard(res);
      return undefined;
    }
    if (!res.ok) return this.#fail(res, call);
    await discard(res);
    const length = res.headers.get('content-length');
    if (length === null || !/^\d{1,16}$/.test(length) || !Number.isSafeInteger(Number(length))) {
      throw this.#invalid(call, `HEAD answered without a valid Content-Length (${quoteUntrusted(String(length))})`);
    }
    const sent = res.headers.get('docker-content-digest');
    if (sent !== null && sent !== digest)
      throw this.#invalid(call, `HEAD answered for another digest ${quoteUntrusted(sent)}`);
    return Number(length);
  }

  /**
   * Uploads a blob unless the repository already has it: `open` is called for
   * each attempt and must stream exactly the bytes of `desc`. Blobs up to
   * chunkSize go in one streamed PUT, bigger ones in PATCH chunks (one chunk
   * in flight while the next is read: two in memory). With `mountFrom`, the registry is first asked to
   * link the blob from that repository of the same registry.
   */
  async pushBlob(
    repository: string,
    desc: BlobDescriptor,
    open: () => Readable,
    options: { mountFrom?: string } = {},
  ): Promise<'exists' | 'mounted' | 'uploaded'> {
    this.#checkRepository(repository);
    this.#checkBlobDescriptor(desc, repository);
    const mount = options.mountFrom !== undefined && options.mountFrom !== repository ? options.mountFrom : undefined;
    if (mount !== undefined) this.#checkRepository(mount);
    // One token for the whole push, mount source included.
    const access = new Map<string, 'pull' | 'push'>([[repository, 'push']]);
    if (mount !== undefined) access.set(mount, 'pull');
    const existing = await this.#blobSize(repository, desc.digest, access);
    if (existing !== undefined) {
      if (existing !== desc.size) {
        throw this.#error(
          'REGISTRY_RESPONSE_INVALID',
          repository,
          `blob ${desc.digest}: the registry has it with size ${existing}, expected ${desc.size}`,
        );
      }
      return 'exists';
    }

    let start: Call;
    if (mount !== undefined) {
      const url = this.#url(`/v2/${repository}/blobs/uploads/`);
      url.searchParams.set('mount', desc.digest);
      url.searchParams.set('from', mount);
      start = {
        method: 'POST',
        url,
        repository,
        access,
        what: `blob ${desc.digest} mount from ${mount}`,
        headers: { 'content-length': '0' },
      };
    } else {
      start = {
        method: 'POST',
        url: this.#url(`/v2/${repository}/blobs/uploads/`),
        repository,
        access,
        what: `blob ${desc.digest} upload`,
        headers: { 'content-length': '0' },
      };
    }
    const res = await this.#request(start);
    if (res.status === 201 && start.url.searchParams.has('mount')) {
      await discard(res);
      return 'mounted';
    }
    if (res.status !== 202) return this.#fail(res, start);
    await discard(res);
    const location = this.#location(res, start);
    if (desc.size <= this.#chunkSize) await this.#uploadMonolithic(repository, desc, open, location, access);
    else await this.#uploadChunked(repository, desc, open, location, access);
    return 'uploaded';
  }

  async #uploadMonolithic(
    repository: string,
    desc: BlobDescriptor,
    open: () => Readable,
    location: URL,
    access: Access,
  ): Promise<void> {
    let counter: HashingCounter | undefined;
    let bodyError: unknown;
    let attempt = 0;
    // Called once per attempt (a 401 on the PUT reopens the stream): only the current attempt's error counts.
    const body = (): AsyncIterable<Uint8Array> => {
      const c = this.#sourceCounter(repository, desc, open);
      const mine = ++attempt;
      counter = c;
      bodyError = undefined;
      const short = (): OciError => this.#uploadMismatch(repository, desc, { bytes: c.bytes });
      return (async function* () {
        try {
          for await (const chunk of c) yield chunk as Buffer;
          if (c.bytes !== desc.size) throw short();
        } catch (err) {
          if (mine === attempt) bodyError = err;
          throw err;
        } finally {
          c.destroy();
        }
      })();
    };
    const call: Call = {
      method: 'PUT',
      url: withDigest(location, desc.digest),
      repository,
      access,
      what: `blob ${desc.digest} upload`,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(desc.size) },
      body,
      bodyError: () => bodyError,
      transfer: desc.size,
    };
    const res = await this.#request(call);
    // When the stream was read to its end, check it ourselves, whatever the registry said.
    if (counter?.readableEnded) {
      const found = `sha256:${counter.digestHex()}`;
      if (!digestsEqual(found, desc.digest)) {
        await discard(res);
        throw this.#uploadMismatch(repository, desc, { digest: found });
      }
    }
    if (res.status === 201) {
      await discard(res);
      return;
    }
    return this.#failUpload(res, call);
  }

  async #uploadChunked(
    repository: string,
    desc: BlobDescriptor,
    open: () => Readable,
    location: URL,
    access: Access,
  ): Promise<void> {
    const counter = this.#sourceCounter(repository, desc, open);
    const url = await this.#sendChunks(repository, desc.digest, counter, location, access);
    const found = `sha256:${counter.digestHex()}`;
    if (counter.bytes !== desc.size || !digestsEqual(found, desc.digest)) {
      await this.#cancelUpload(repository, url, access);
      throw this.#uploadMismatch(
        repository,
        desc,
        counter.bytes !== desc.size ? { bytes: counter.bytes } : { digest: found },
      );
    }
    await this.#closeUpload(repository, desc.digest, url, access);
  }

  /** PATCHes of the chunk size from `source` to the upload at `location`; the upload's URL for what follows. Cancels the upload on failure. */
  async #sendChunks(
    repository: string,
    what: string,
    source: AsyncIterable<unknown> & { destroy(e?: Error): void },
    location: URL,
    access: Access,
  ): Promise<URL> {
    let offset = 0;
    let url = location;
    // A chunk is sent as the pieces it was read in, streamed: no copy into one buffer, and none
    // by fetch (which copies a byte-array body); the pieces are kept until the chunk is acknowledged,
    // so the body can be sent again after a 401.
    const send = async (pieces: Buffer[], length: number): Promise<void> => {
      const end = offset + length - 1;
      const call: Call = {
        method: 'PATCH',
        url,
        repository,
        access,
        what: `blob ${what} upload (bytes ${offset}-${end})`,
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `${offset}-${end}`,
          'content-length': String(length),
        },
        transfer: length,
        body: () =>
          (async function* () {
            yield* pieces;
          })(),
      };
      const res = await this.#request(call);
      if (res.status !== 202) return this.#failUpload(res, call);
      await discard(res);
      const range = res.headers.get('range');
      if (range !== null && range !== `0-${end}`)
        throw this.#invalid(call, `the registry acknowledged range ${quoteUntrusted(range)}, expected 0-${end}`);
      if (res.headers.has('location')) url = this.#location(res, call);
      offset = end + 1;
    };

    // One chunk in flight while the next is read: the source (and whatever reads it beside the
    // upload, such as push's integrity check) keeps going while the registry takes a chunk in.
    let inFlight: Promise<void> | undefined;
    const dispatch = async (pieces: Buffer[], length: number): Promise<void> => {
      if (inFlight) await inFlight;
      inFlight = send(pieces, length);
      inFlight.catch(() => undefined);
    };
    let parts: Buffer[] = [];
    let buffered = 0;
    try {
      for await (const piece of source) {
        let rest = piece as Buffer;
        while (buffered + rest.length >= this.#chunkSize) {
          const take = this.#chunkSize - buffered;
          parts.push(rest.subarray(0, take));
          rest = rest.subarray(take);
          const chunk = parts;
          parts = [];
          buffered = 0;
          await dispatch(chunk, this.#chunkSize);
        }
        if (rest.length > 0) {
          parts.push(rest);
          buffered += rest.length;
        }
      }
      if (buffered > 0) await dispatch(parts, buffered);
      if (inFlight) await inFlight;
    } catch (err) {
      source.destroy();
      // The chunk still in flight ends (or fails) before the upload is cancelled.
      await inFlight?.catch(() => undefined);
      await this.#cancelUpload(repository, url, access);
      throw err;
    }
    return url;
  }

  /**
   * The whole blob in one PATCH, streamed as it is read, of a length known
   * beforehand (no Content-Range: the "stream" upload docker push uses, which
   * registries that take docker push accept). One request instead of one per
   * chunk, nothing buffered but what is in flight. The body cannot be sent
   * twice: a registry that asks to authenticate again mid-upload fails it.
   */
  async #sendStreamed(repository: string, source: Readable, size: number, location: URL, access: Access): Promise<URL> {
    let sent = false;
    let bodyError: unknown;
    const tooMany = (): OciError =>
      this.#mismatch(
        repository,
        `blob stream upload: the source gave more than the ${size} bytes it was said to have`,
        String(size),
        `>${size}`,
      );
    const body = (): AsyncIterable<Uint8Array> => {
      if (sent)
        throw this.#error(
          'REGISTRY_RESPONSE_INVALID',
          repository,
          'blob stream upload: the registry asked to authenticate again in the middle of the upload',
        );
      sent = true;
      return (async function* () {
        let count = 0;
        try {
          for await (const piece of source) {
            count += (piece as Buffer).length;
            // Never a byte past the Content-Length: it would be read as the next request on the connection.
            if (count > size) throw tooMany();
            yield piece as Buffer;
          }
          if (count !== size)
            throw new OciError(
              'DIGEST_MISMATCH',
              `blob stream upload: the source ended after ${count} of the ${size} bytes it was said to have`,
              { expected: String(size), found: String(count) },
            );
        } catch (err) {
          bodyError = err;
          throw err;
        }
      })();
    };
    const call: Call = {
      method: 'PATCH',
      url: location,
      repository,
      access,
      what: `blob stream upload (${size} bytes)`,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body,
      bodyError: () => bodyError,
      transfer: size,
    };
    try {
      // node:http rather than fetch: fetch copies every piece of a streamed body, 1 GiB of copies for a 1 GiB bundle.
      const res = await this.#streamedRequest(call, body(), () => bodyError);
      if (res.status === 400 || res.status === 405 || res.status === 416 || res.status === 401) {
        // Refused as a kind of request (a registry that wants Content-Range, or a token it will not take for it): chunks instead.
        await discard(res);
        throw this.#error(
          'STREAM_UPLOAD_REFUSED',
          repository,
          `blob stream upload: the registry answered HTTP ${res.status} to a whole-blob PATCH`,
          { status: res.status },
        );
      }
      if (res.status !== 202) return await this.#failUpload(res, call);
      await discard(res);
      const range = res.headers.get('range');
      if (range !== null && range !== `0-${size - 1}`)
        throw this.#invalid(call, `the registry acknowledged range ${quoteUntrusted(range)}, expected 0-${size - 1}`);
      return res.headers.has('location') ? this.#location(res, call) : location;
    } catch (err) {
      source.destroy();
      await this.#cancelUpload(repository, location, access);
      throw err;
    }
  }

  /**
   * One request with a streamed body over node:http(s), answered as a fetch
   * Response (so that every answer is read and judged as the others are).
   * The registry's own origin only, with its authorization; a request that
   * stalls for the client's timeout fails, and so does one that is not done
   * (answer read or dropped) within the deadline of its size.
   */
  async #streamedRequest(call: Call, body: AsyncIterable<Uint8Array>, bodyError: () => unknown): Promise<Response> {
    const url = call.url;
    if (url.origin !== this.#origin)
      throw this.#invalid(call, `the upload location ${quoteUntrusted(url.origin)} is not the registry`);
    const headers: Record<string, string> = { 'user-agent': this.#userAgent, ...call.headers };
    const authorization = await this.#authorization(url, call);
    if (authorization !== undefined) headers.authorization = authorization;
    const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
    const deadlineMs = this.#deadlineFor(call.transfer);
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
          reject(this.#invalid(call, `an answer that is not valid HTTP (${(e as Error).message})`));
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
        reject(fromBody ?? this.#unreachable(call, 'the registry', err, url.origin === this.#origin));
      });
      pipeline(Readable.from(body, { objectMode: false }), req, (err) => {
        if (err) req.destroy(err);
      });
    });
  }

  /** The upload's closing PUT, naming the digest the registry must find. */
  async #closeUpload(repository: string, digest: string, url: URL, access: Access): Promise<void> {
    const call: Call = {
      method: 'PUT',
      url: withDigest(url, digest),
      repository,
      access,
      what: `blob ${digest} upload`,
      headers: { 'content-length': '0' },
    };
    const res = await this.#request(call);
    if (res.status !== 201) return this.#failUpload(res, call);
    await discard(res);
  }

  /**
   * Uploads a blob whose digest is known only once it is read: the bytes of
   * `source` go up in chunks as they are read, and the upload is closed only
   * under the digest `accept` gives at the end (told the size); when it
   * throws, the upload is cancelled. The caller hashes what it reads anyway
   * (push verifies the bundle from the same read), so the bytes are hashed
   * once: one read of the source, one hash.
   */
  async pushBlobStream(
    repository: string,
    source: Readable,
    accept: (size: number) => Promise<string>,
    options: { size?: number } = {},
  ): Promise<{ digest: string; size: number; existed: boolean }> {
    this.#checkRepository(repository);
    const access = new Map<string, 'pull' | 'push'>([[repository, 'push']]);
    const start: Call = {
      method: 'POST',
      url: this.#url(`/v2/${repository}/blobs/uploads/`),
      repository,
      access,
      what: 'blob upload',
      headers: { 'content-length': '0' },
    };
    const res = await this.#request(start);
    if (res.status !== 202) {
      source.destroy();
      return this.#fail(res, start);
    }
    await discard(res);
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        done(null, chunk);
      },
    });
    pipeline(source, counter, () => undefined);
    const location = this.#location(res, start);
    const url =
      options.size !== undefined
        ? await this.#sendStreamed(repository, counter, options.size, location, access)
        : await this.#sendChunks(repository, 'stream', counter, location, access);
    let digest: string;
    try {
      digest = await accept(size);
    } catch (err) {
      await this.#cancelUpload(repository, url, access);
      throw err;
    }
    const blob = { digest, size };
    // Already there (a second push): the upload is dropped, the blob kept as it is.
    const existing = await this.#blobSize(repository, blob.digest, access);
    if (existing !== undefined) {
      await this.#cancelUpload(repository, url, access);
      if (existing !== blob.size)
        throw this.#error(
          'REGISTRY_RESPONSE_INVALID',
          repository,
          `blob ${blob.digest}: the registry has it with size ${existing}, expected ${blob.size}`,
        );
      return { ...blob, existed: true };
    }
    await this.#closeUpload(repository, blob.digest, url, access);
    return { ...blob, existed: false };
  }

  /** The caller's stream was not the blob it was said to be: the wrong size, or the wrong digest. */
  #uploadMismatch(repository: string, desc: BlobDescriptor, found: { bytes: number } | { digest: string }): OciError {
    return 'bytes' in found
      ? this.#mismatch(
          repository,
          `blob ${desc.digest} to upload: the stream gave ${found.bytes} bytes, expected ${desc.size}`,
          String(desc.size),
          String(found.bytes),
        )
      : this.#mismatch(
          repository,
          `blob ${desc.digest} to upload: the stream's bytes have digest ${found.digest}`,
          desc.digest,
          found.digest,
        );
  }

  /** The caller's stream, counted and hashed, failing as soon as it passes the declared size. */
  #sourceCounter(repository: string, desc: BlobDescriptor, open: () => Readable): HashingCounter {
    const counter = new HashingCounter({
      limit: desc.size,
      onLimit: () =>
        this.#mismatch(
          repository,
          `blob ${desc.digest} to upload: the stream gave more than ${desc.size} bytes`,
          String(desc.size),
          `>${desc.size}`,
        ),
    });
    pipeline(open(), counter, () => undefined);
    return counter;
  }

  async #cancelUpload(repository: string, url: URL, access: Access): Promise<void> {
    try {
      const res = await this.#request({ method: 'DELETE', url, repository, access, what: 'upload cancel' });
      await discard(res);
    } catch {
      // best effort: the registry expires abandoned uploads
    }
  }

  /** Upload failures: a digest the registry computed differently is DIGEST_MISMATCH. */
  async #failUpload(res: Response, call: Call): Promise<never> {
    try {
      return await this.#fail(res, call);
    } catch (err) {
      if (
        err instanceof OciError &&
        err.status === 400 &&
        err.registryCodes?.some((c) => c === 'DIGEST_INVALID' || c === 'SIZE_INVALID')
      ) {
        throw new OciError('DIGEST_MISMATCH', err.message, {
          registry: this.registry,
          repository: call.repository,
          status: 400,
          registryCodes: err.registryCodes,
          algorithm: 'sha256',
          expected: call.url.searchParams.get('digest') ?? undefined,
        });
      }
      throw err;
    }
  }

  /**
   * Streams a blob, following redirects (without our Authorization header
   * when they leave the registry's origin). The stream fails with OciError
   * DIGEST_MISMATCH when the bytes are more or fewer than `desc.size` or do
   * not hash to `desc.digest`: consume it to the end before trusting it.
   */
  async getBlob(repository: string, desc: BlobDescriptor): Promise<Readable> {
    this.#checkRepository(repository);
    this.#checkBlobDescriptor(desc, repository);
    const call: Call = {
      method: 'GET',
      url: this.#url(`/v2/${repository}/blobs/${desc.digest}`),
      repository,
      access: pull(repository),
      what: `blob ${desc.digest}`,
      headers: { 'accept-encoding': 'identity' },
      transfer: desc.size,
    };
    const res = await this.#request(call);
    if (!res.ok) return this.#fail(res, call);
    const length = res.headers.get('content-length');
    if (length !== null && /^\d+$/.test(length) && Number(length) !== desc.size) {
      await discard(res);
      throw this.#mismatch(
        repository,
        `blob ${desc.digest}: the registry sends ${length} bytes, expected ${desc.size}`,
        String(desc.size),
        length,
      );
    }
    const mismatch = (found: string, why: string, expected: string): OciError =>
      this.#mismatch(repository, `blob ${desc.digest}: ${why}`, expected, found);
    const verifier = new VerifyingCounter(desc, mismatch);
    if (!res.body) {
      verifier.end();
      return verifier;
    }
    const source = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
    source.on('error', (err) => {
      verifier.destroy(
        err instanceof OciError
          ? err
          : this.#error(
              'REGISTRY_UNREACHABLE',
              repository,
              `blob ${desc.digest}: the download broke off (${errorCode(err)})`,
              { cause: err },
            ),
      );
    });
    verifier.on('close', () => {
      if (!source.destroyed) source.destroy();
    });
    source.pipe(verifier);
    return verifier;
  }

  // -------------------------------------------------------------------------
  // Manifests

  /**
   * Uploads a manifest (or index) under a tag or its digest. `subjectAccepted`
   * is true when the registry answered with `OCI-Subject` (OCI distribution
   * 1.1: it indexed the subject, so the referrers API will list this).
   */
  async pushManifest(
    repository: string,
    reference: string,
    bytes: Uint8Array,
    mediaType: string,
  ): Promise<{ digest: string; subjectAccepted: boolean }> {
    this.#checkRepository(repository);
    this.#checkReference(reference, repository);
    if (!MEDIA_TYPE_RE.test(mediaType))
      throw this.#error(
        'DESCRIPTOR_INVALID',
        repository,
        `manifest media type ${quoteUntrusted(mediaType)} is not a media type`,
      );
    if (bytes.byteLength > MAX_MANIFEST_BYTES) {
      throw this.#error(
        'DESCRIPTOR_INVALID',
        repository,
        `manifest for ${reference} is ${bytes.byteLength} bytes, more than the ${MAX_MANIFEST_BYTES} registries accept`,
      );
    }
    const digest = sha256Digest(bytes);
    if (reference.includes(':') && !digestsEqual(digest, reference)) {
      throw this.#mismatch(repository, `manifest to push as ${reference} has digest ${digest}`, reference, digest);
    }
    const call: Call = {
      method: 'PUT',
      url: this.#url(`/v2/${repository}/manifests/${reference}`),
      repository,
      access: push(repository),
      what: `manifest ${reference} upload`,
      headers: { 'content-type': mediaType },
      body: bytes,
      transfer: bytes.byteLength,
    };
    const res = await this.#request(call);
    if (res.status !== 201 && res.status !== 200 && res.status !== 202) return this.#fail(res, call);
    await discard(res);
    const sent = res.headers.get('docker-content-digest');
    if (sent !== null && sent !== digest)
      throw this.#invalid(
        call,
        `the registry reports digest ${quoteUntrusted(sent)} for a manifest whose digest is ${digest}`,
      );
    return { digest, subjectAccepted: res.headers.has('oci-subject') };
  }

  /**
   * Fetches a manifest by tag or digest. The digest returned is the sha256 of
   * the exact bytes; by digest, it must equal the one asked for, and a
   * Docker-Content-Digest header must agree with it. The media type must be
   * one of `accept`.
   */
  async getManifest(
    repository: string,
    reference: string,
    accept: readonly string[] = [OCI_MANIFEST, OCI_INDEX],
  ): Promise<FetchedManifest> {
    this.#checkRepository(repository);
    this.#checkReference(reference, repository);
    const call: Call = {
      method: 'GET',
      url: this.#url(`/v2/${repository}/manifests/${reference}`),
      repository,
      access: pull(repository),
      what: `manifest ${reference}`,
      headers: { accept: accept.join(', '), 'accept-encoding': 'identity' },
    };
    const res = await this.#request(call);
    if (!res.ok) return this.#fail(res, call);
    const bytes = await this.#readJsonBody(res, call, MAX_MANIFEST_BYTES);
    const digest = sha256Digest(bytes);
    if (reference.includes(':') && !digestsEqual(digest, reference)) {
      throw this.#mismatch(
        repository,
        `manifest ${reference}: the registry sent bytes with digest ${digest}`,
        reference,
        digest,
      );
    }
    const sent = res.headers.get('docker-content-digest');
    if (sent !== null) {
      if (digestProblem(sent))
        throw this.#invalid(call, `Docker-Content-Digest ${quoteUntrusted(sent)} is not a sha256 digest`);
      if (!digestsEqual(sent, digest))
        throw this.#mismatch(
          repository,
          `manifest ${reference}: Docker-Content-Digest is ${sent} but the bytes have digest ${digest}`,
          sent,
          digest,
        );
    }
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw this.#invalid(call, 'the manifest is not valid JSON');
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw this.#invalid(call, 'the manifest is not a JSON object');
    const declared = (json as { mediaType?: unknown }).mediaType;
    const header = mediaTypeOf(res.headers.get('content-type'));
    if (declared !== undefined && typeof declared !== 'string')
      throw this.#invalid(call, "the manifest's mediaType is not a string");
    if (declared !== undefined && header !== undefined && declared !== header) {
      throw this.#invalid(
        call,
        `Content-Type ${quoteUntrusted(header)} disagrees with the manifest's mediaType ${quoteUntrusted(declared)}`,
      );
    }
    const mediaType = declared ?? header;
    if (mediaType === undefined)
      throw this.#invalid(call, 'the manifest has no media type (no mediaType field, no Content-Type)');
    if (accept.length > 0 && !accept.includes(mediaType))
      throw this.#invalid(
        call,
        `media type ${quoteUntrusted(mediaType)} is not one of those asked for (${accept.join(', ')})`,
      );
    return { bytes, mediaType, digest };
  }

  // -------------------------------------------------------------------------
  // Referrers

  /**
   * The manifests that name `subjectDigest` as their subject: from the
   * referrers API (OCI distribution 1.1), or, where the registry has none
   * (404), from the `sha256-<hex>` fallback tag. Filtered by artifactType
   * here too, since registries may ignore the filter. These are the
   * registry's claims: check each referrer's subject before trusting it.
   */
  async referrers(
    repository: string,
    subjectDigest: string,
    options: { artifactType?: string } = {},
  ): Promise<Descriptor[]> {
    this.#checkRepository(repository);
    this.#checkDigest(subjectDigest, repository);
    let url = this.#url(`/v2/${repository}/referrers/${subjectDigest}`);
    if (options.artifactType !== undefined) url.searchParams.set('artifactType', options.artifactType);
    const found: Descriptor[] = [];
    for (let page = 0; ; page++) {
      const call: Call = {
        method: 'GET',
        url,
        repository,
        access: pull(repository),
        what: `referrers of ${subjectDigest}`,
        headers: { accept: OCI_INDEX, 'accept-encoding': 'identity' },
      };
      const res = await this.#request(call);
      if (res.status === 404 && page === 0) {
        await discard(res);
        return this.#fallbackReferrers(repository, subjectDigest, options.artifactType);
      }
      if (!res.ok) return this.#fail(res, call);
      const bytes = await this.#readJsonBody(res, call, MAX_MANIFEST_BYTES);
      found.push(...this.#parseIndex(bytes, call).manifests);
      const next = this.#nextPage(res, url, call, page, MAX_REFERRER_PAGES, 'referrers');
      if (next === undefined) break;
      url = next;
    }
    return filterByArtifactType(found, options.artifactType);
  }

  /**
   * The repository's tags (GET /v2/<name>/tags/list), every page, following
   * Link headers only within the registry. A registry's answer: each tag's
   * manifest is still read and checked by the caller.
   */
  async tags(repository: string): Promise<string[]> {
    this.#checkRepository(repository);
    let url = this.#url(`/v2/${repository}/tags/list`);
    url.searchParams.set('n', '1000');
    const found: string[] = [];
    for (let page = 0; ; page++) {
      const call: Call = {
        method: 'GET',
        url,
        repository,
        access: pull(repository),
        what: 'tag list',
        headers: { accept: 'application/json', 'accept-encoding': 'identity' },
      };
      const res = await this.#request(call);
      if (!res.ok) return this.#fail(res, call);
      const bytes = await this.#readJsonBody(res, call, MAX_MANIFEST_BYTES);
      let parsed: { tags?: unknown };
      try {
        parsed = JSON.parse(bytes.toString('utf8')) as { tags?: unknown };
      } catch {
        throw this.#invalid(call, 'the tag list is not JSON');
      }
      const tags = parsed.tags ?? [];
      if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string' && tagProblem(t) === undefined))
        throw this.#invalid(call, 'the tag list holds something that is not a tag');
      found.push(...(tags as string[]));
      const next = this.#nextPage(res, url, call, page, MAX_TAG_PAGES, 'tags');
      if (next === undefined) break;
      url = next;
    }
    return [...new Set(found)];
  }

  /** The next page a Link header names (RFC 5988 rel="next"), only within this registry and up to `max` pages. */
  #nextPage(res: Response, url: URL, call: Call, page: number, max: number, what: string): URL | undefined {
    const next = nextLink(res.headers.get('link'));
    if (next === undefined) return undefined;
    if (page + 1 >= max) throw this.#invalid(call, `more than ${max} pages of ${what}`);
    let nextUrl: URL;
    try {
      nextUrl = new URL(next, url);
    } catch {
      throw this.#invalid(call, `Link ${quoteUntrusted(next)} is not a URL`);
    }
    if (nextUrl.origin !== this.#origin) throw this.#invalid(call, `Link ${quoteUntrusted(next)} leaves the registry`);
    return nextUrl;
  }

  async #fallbackReferrers(
    repository: string,
    subjectDigest: string,
    artifactType: string | undefined,
  ): Promise<Descriptor[]> {
    const current = await this.#fallbackIndex(repository, subjectDigest);
    return current ? filterByArtifactType(current.index.manifests, artifactType) : [];
  }

  async #fallbackIndex(
    repository: string,
    subjectDigest: string,
  ): Promise<{ index: ImageIndex; digest: string } | undefined> {
    const tag = referrersTag(subjectDigest);
    let fetched: FetchedManifest;
    try {
      fetched = await this.getManifest(repository, tag, [OCI_INDEX]);
    } catch (err) {
      if (err instanceof OciError && err.code === 'REGISTRY_NOT_FOUND') return undefined;
      throw err;
    }
    return {
      index: this.#parseIndex(fetched.bytes, { repository, what: `referrers tag ${tag}` }),
      digest: fetched.digest,
    };
  }

  /**
   * Adds `descriptor` to the `sha256-<hex>` fallback index of `subjectDigest`
   * (for registries without the referrers API), creating it if needed.
   * Read-modify-write with no lock: distribution has no conditional PUT, so
   * concurrent writers can lose an entry. The previous index is not deleted.
   */
  async addReferrerToFallbackIndex(
    repository: string,
    subjectDigest: string,
    descriptor: Descriptor,
  ): Promise<{ digest: string; updated: boolean }> {
    this.#checkRepository(repository);
    this.#checkDigest(subjectDigest, repository);
    const parsed = descriptorSchema.safeParse(descriptor);
    if (!parsed.success)
      throw this.#error(
        'DESCRIPTOR_INVALID',
        repository,
        `referrer descriptor is invalid: ${issuesInline(zodIssues(parsed.error))}`,
      );
    const tag = referrersTag(subjectDigest);
    const current = await this.#fallbackIndex(repository, subjectDigest);
    if (current?.index.manifests.some((m) => m.digest === parsed.data.digest))
      return { digest: current.digest, updated: false };
    const index: ImageIndex = current?.index ?? { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] };
    const next: ImageIndex = { ...index, mediaType: OCI_INDEX, manifests: [...index.manifests, parsed.data] };
    const { digest } = await this.pushManifest(repository, tag, Buffer.from(JSON.stringify(next), 'utf8'), OCI_INDEX);
    return { digest, updated: true };
  }

  // -------------------------------------------------------------------------
  // HTTP, auth and errors

  #url(path: string): URL {
    return new URL(path, this.#origin);
  }

  /** One call, authenticated when the registry asks (once), redirects followed for GET and HEAD. */
  async #request(call: Call): Promise<Response> {
    let authenticated = false;
    for (;;) {
      const { res, url } = await this.#send(call);
      if (res.status === 401 && !authenticated && url.origin === this.#origin) {
        const header = res.headers.get('www-authenticate');
        await discard(res);
        await this.#authenticate(header, call);
        authenticated = true;
        continue;
      }
      if (res.status === 401 || res.status === 403) return this.#fail(res, call);
      return res;
    }
  }

  async #send(call: Call): Promise<{ res: Response; url: URL }> {
    let url = call.url;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { 'user-agent': this.#userAgent, ...call.headers };
      const authorization = await this.#authorization(url, call);
      if (authorization !== undefined) headers.authorization = authorization;
      const body = call.body === undefined ? undefined : call.body instanceof Uint8Array ? call.body : call.body();
      let res: Response;
      try {
        res = await withDeadline(this.#deadlineFor(call.transfer), this.#fetch)(url, {
          method: call.method,
          headers,
          redirect: 'manual',
          ...(body === undefined ? {} : { body: body as unknown as NonNullable<RequestInit['body']>, duplex: 'half' }),
        } as RequestInit);
      } catch (err) {
        const fromBody = call.bodyError?.();
        if (fromBody !== undefined) throw fromBody;
        throw this.#unreachable(
          call,
          url.origin === this.#origin ? 'the registry' : url.host,
          err,
          url.origin === this.#origin,
        );
      }
      const redirect =
        res.status === 301 || res.status === 302 || res.status === 303 || res.status === 307 || res.status === 308;
      if (!redirect || (call.method !== 'GET' && call.method !== 'HEAD')) return { res, url };
      await discard(res);
      const location = res.headers.get('location');
      if (location === null) throw this.#invalid(call, `HTTP ${res.status} redirect without a Location`);
      if (hop >= MAX_REDIRECTS) throw this.#invalid(call, `more than ${MAX_REDIRECTS} redirects`);
      url = this.#resolve(location, url, call);
    }
  }

  /** A Location header (relative or absolute) as a URL we are willing to send to. */
  #resolve(location: string, base: URL, call: Pick<Call, 'repository' | 'what'>): URL {
    let next: URL;
    try {
      next = new URL(location, base);
    } catch {
      throw this.#invalid(call, `Location ${quoteUntrusted(location)} is not a URL`);
    }
    if (next.protocol !== 'https:' && !(next.protocol === 'http:' && this.#plainHttp)) {
      throw this.#invalid(call, `Location ${quoteUntrusted(next.origin)} is not https`);
    }
    if (next.username !== '' || next.password !== '') throw this.#invalid(call, 'Location carries user-info');
    return next;
  }

  #location(res: Response, call: Call): URL {
    const location = res.headers.get('location');
    if (location === null) throw this.#invalid(call, `HTTP ${res.status} without a Location for the upload`);
    return this.#resolve(location, call.url, call);
  }

  /** The Authorization header for `url`: only ever sent to the registry's own origin. */
  async #authorization(url: URL, call: Call): Promise<string | undefined> {
    if (url.origin !== this.#origin || this.#auth === undefined) return undefined;
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
      throw this.#error(
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
        throw this.#invalid(call, `Bearer realm ${quoteUntrusted(bearer.params.realm)} is not a URL`);
      }
      if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && this.#plainHttp)) {
        throw this.#invalid(call, `Bearer realm ${quoteUntrusted(realm.origin)} is not https`);
      }
      const state: AuthState = { scheme: 'bearer', realm, service: bearer.params.service };
      this.#auth = state;
      this.#tokens.delete(repositoryScopes(call.access).join(' '));
      await this.#fetchToken(state, call);
      return;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      if (!this.#credentials) {
        throw this.#error(
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
    throw this.#error(
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
      res = await withDeadline(this.#deadlineFor(), this.#fetch)(url, { method: 'GET', headers, redirect: 'manual' });
    } catch (err) {
      throw this.#error('REGISTRY_UNREACHABLE', call.repository, `${what}: cannot reach it (${errorCode(err)})`, {
        cause: err,
      });
    }
    if (!res.ok) return this.#fail(res, { ...call, what: `${call.what}: token request to ${url.host}` });
    let body: Buffer;
    try {
      body = await readBounded(res, MAX_SMALL_BODY);
    } catch (err) {
      if (err instanceof BodyTooLarge) throw this.#invalid(call, `token response larger than ${MAX_SMALL_BODY} bytes`);
      // A server that went silent or ran past the deadline is a network failure, not a bad answer.
      throw this.#error(
        'REGISTRY_UNREACHABLE',
        call.repository,
        `${what}: the token response broke off (${errorCode(err)})`,
        { cause: err },
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw this.#invalid(call, `token response from ${url.host} is not JSON`);
    }
    const token = parseTokenResponse(json, this.#now());
    if (!token) throw this.#invalid(call, `token response from ${url.host} has no usable token or access_token`);
    this.#secrets.add(token.token);
    this.#tokens.set(scopes.join(' '), token);
    return token.token;
  }

  async #readJsonBody(res: Response, call: Call, limit: number): Promise<Buffer> {
    try {
      return await readBounded(res, limit);
    } catch (err) {
      if (err instanceof BodyTooLarge) throw this.#invalid(call, `the response is larger than ${limit} bytes`);
      throw this.#error(
        'REGISTRY_UNREACHABLE',
        call.repository,
        `${call.what}: the response broke off (${errorCode(err)})`,
        { cause: err },
      );
    }
  }

  #parseIndex(bytes: Buffer, call: Pick<Call, 'repository' | 'what'>): ImageIndex {
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw this.#invalid(call, 'the image index is not valid JSON');
    }
    const parsed = imageIndexSchema.safeParse(json);
    if (!parsed.success) {
      throw this.#invalid(call, `not a valid OCI image index (${issuesInline(zodIssues(parsed.error))})`);
    }
    return parsed.data;
  }

  /** Turns a non-2xx response into an OciError with the registry's error codes, scrubbed and truncated. */
  async #fail(res: Response, call: Pick<Call, 'repository' | 'what'>): Promise<never> {
    const info = parseErrorBody(await readErrorBody(res));
    const code: OciErrorCode =
      res.status === 404
        ? 'REGISTRY_NOT_FOUND'
        : res.status === 401 || res.status === 403
          ? 'REGISTRY_AUTH_FAILED'
          : 'REGISTRY_ERROR';
    const detail = info?.summary ? `: ${this.#scrub(info.summary).slice(0, 300)}` : '';
    const message =
      code === 'REGISTRY_AUTH_FAILED'
        ? `${call.what}: authentication failed (HTTP ${res.status}${detail}): check --registry-username/--registry-password-stdin or ~/.docker/config.json`
        : `${call.what}: HTTP ${res.status}${detail}`;
    throw this.#error(code, call.repository, message, {
      status: res.status,
      ...(info && info.codes.length > 0 ? { registryCodes: info.codes } : {}),
    });
  }

  #scrub(text: string): string {
    return scrubSecrets(text, this.#secrets);
  }

  #error(
    code: OciErrorCode,
    repository: string | undefined,
    message: string,
    details: Omit<OciErrorDetails, 'registry' | 'repository'> = {},
  ): OciError {
    const where = repository === undefined ? this.registry : `${this.registry}/${repository}`;
    return new OciError(code, this.#scrub(`${where}: ${message}`), {
      registry: this.registry,
      ...(repository === undefined ? {} : { repository }),
      ...details,
    });
  }

  /**
   * A request that got no answer. An HTTPS handshake with the registry itself
   * that met plain HTTP is its own code, and says to use --plain-http.
   */
  #unreachable(
    call: Pick<Call, 'repository' | 'what'>,
    target: string,
    err: unknown,
    registryItself: boolean,
  ): OciError {
    if (registryItself && !this.#plainHttp && tlsMetPlainHttp(err)) {
      return this.#error(
        'REGISTRY_PLAIN_HTTP',
        call.repository,
        `${call.what}: the registry answers in plain HTTP, not HTTPS (${errorCode(err)}); if it is a local registry without TLS, use --plain-http`,
        { cause: err },
      );
    }
    return this.#error(
      'REGISTRY_UNREACHABLE',
      call.repository,
      `${call.what}: cannot reach ${target} (${errorCode(err)})`,
      { cause: err },
    );
  }

  #invalid(call: Pick<Call, 'repository' | 'what'>, why: string): OciError {
    return this.#error('REGISTRY_RESPONSE_INVALID', call.repository, `${call.what}: ${why}`);
  }

  #mismatch(repository: string, message: string, expected: string, found: string): OciError {
    return this.#error('DIGEST_MISMATCH', repository, message, { expected, found, algorithm: 'sha256' });
  }

  #checkRepository(repository: string): void {
    const problem = repositoryProblem(repository);
    if (problem)
      throw new OciError(
        'REFERENCE_INVALID',
        `${this.registry}: invalid repository ${quoteUntrusted(repository)}: ${problem}`,
        { registry: this.registry },
      );
  }

  #checkDigest(digest: string, repository: string): void {
    const problem = digestProblem(digest);
    if (problem)
      throw new OciError('REFERENCE_INVALID', `${this.registry}/${repository}: ${problem}`, {
        registry: this.registry,
        repository,
      });
  }

  #checkReference(reference: string, repository: string): void {
    const problem = reference.includes(':') ? digestProblem(reference) : tagProblem(reference);
    if (problem)
      throw new OciError('REFERENCE_INVALID', `${this.registry}/${repository}: ${problem}`, {
        registry: this.registry,
        repository,
      });
  }

  #checkBlobDescriptor(desc: BlobDescriptor, repository: string): void {
    const problem = digestProblem(desc.digest);
    if (problem)
      throw new OciError('DESCRIPTOR_INVALID', `${this.registry}/${repository}: blob ${problem}`, {
        registry: this.registry,
        repository,
      });
    if (!Number.isSafeInteger(desc.size) || desc.size < 0) {
      throw new OciError(
        'DESCRIPTOR_INVALID',
        `${this.registry}/${repository}: blob ${desc.digest}: size ${String(desc.size)} is not a non-negative integer`,
        { registry: this.registry, repository },
      );
    }
  }
}

/** Counts and hashes a download, failing with DIGEST_MISMATCH on too many bytes, too few, or other bytes. */
class VerifyingCounter extends HashingCounter {
  readonly #desc: BlobDescriptor;
  readonly #mismatch: (found: string, why: string, expected: string) => OciError;

  constructor(desc: BlobDescriptor, mismatch: (found: string, why: string, expected: string) => OciError) {
    super({
      limit: desc.size,
      onLimit: () => mismatch(`>${desc.size}`, `the registry sent more than ${desc.size} bytes`, String(desc.size)),
    });
    this.#desc = desc;
    this.#mismatch = mismatch;
  }

  override _flush(cb: TransformCallback): void {
    if (this.bytes !== this.#desc.size) {
      cb(
        this.#mismatch(
          String(this.bytes),
          `the registry sent ${this.bytes} bytes, expected ${this.#desc.size}`,
          String(this.#desc.size),
        ),
      );
      return;
    }
    const found = `sha256:${this.digestHex()}`;
    if (!digestsEqual(found, this.#desc.digest)) {
      cb(this.#mismatch(found, `the registry sent bytes with digest ${found}`, this.#desc.digest));
      return;
    }
    cb();
  }
}

function filterByArtifactType(descriptors: Descriptor[], artifactType: string | undefined): Descriptor[] {
  return artifactType === undefined ? descriptors : descriptors.filter((d) => d.artifactType === artifactType);
}

/** `?digest=` appended to an upload location, keeping the registry's own query (its upload state) byte for byte. */
function withDigest(location: URL, digest: string): URL {
  const base = new URL(location);
  base.hash = '';
  return new URL(`${base.href}${base.search === '' ? '?' : '&'}digest=${encodeURIComponent(digest)}`);
}

/** A network error's code (ECONNREFUSED, ENOTFOUND, …) from fetch's TypeError or its cause. */
function errorCode(err: unknown): string {
  if (err instanceof NetworkTimeout) return err.message;
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const code = cause?.code ?? (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code)) return code;
  const message =
    typeof cause?.message === 'string' && cause.message !== ''
      ? cause.message
      : err instanceof Error
        ? err.message
        : String(err);
  return message.slice(0, 100);
}

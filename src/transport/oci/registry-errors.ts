import {
  OciError,
  quoteUntrusted,
  scrubSecrets,
  tlsMetPlainHttp,
  type OciErrorCode,
  type OciErrorDetails,
} from './errors.js';
import { parseErrorBody, readErrorBody } from './http.js';
import { digestProblem, repositoryProblem, tagProblem } from './reference.js';
import { NetworkTimeout } from '../http/timeout.js';
import type { BlobDescriptor, Call } from './request.js';

/**
 * The errors of one registry's client: every message names the registry (and
 * repository), and goes through the secrets given or obtained (password,
 * tokens) before it is told, so none of them ever appears in an error.
 */
export class RegistryErrors {
  readonly registry: string;
  readonly #plainHttp: boolean;
  readonly #secrets = new Set<string>();

  constructor(registry: string, plainHttp: boolean) {
    this.registry = registry;
    this.#plainHttp = plainHttp;
  }

  /** A password, token or header value that must never appear in a message. */
  addSecret(secret: string): void {
    this.#secrets.add(secret);
  }

  /** Turns a non-2xx response into an OciError with the registry's error codes, scrubbed and truncated. */
  async fail(res: Response, call: Pick<Call, 'repository' | 'what'>): Promise<never> {
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
    throw this.error(code, call.repository, message, {
      status: res.status,
      ...(info && info.codes.length > 0 ? { registryCodes: info.codes } : {}),
    });
  }

  #scrub(text: string): string {
    return scrubSecrets(text, this.#secrets);
  }

  error(
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
  unreachable(
    call: Pick<Call, 'repository' | 'what'>,
    target: string,
    err: unknown,
    registryItself: boolean,
  ): OciError {
    if (registryItself && !this.#plainHttp && tlsMetPlainHttp(err)) {
      return this.error(
        'REGISTRY_PLAIN_HTTP',
        call.repository,
        `${call.what}: the registry answers in plain HTTP, not HTTPS (${networkErrorCode(err)}); if it is a local registry without TLS, use --plain-http`,
        { cause: err },
      );
    }
    return this.error(
      'REGISTRY_UNREACHABLE',
      call.repository,
      `${call.what}: cannot reach ${target} (${networkErrorCode(err)})`,
      { cause: err },
    );
  }

  invalid(call: Pick<Call, 'repository' | 'what'>, why: string): OciError {
    return this.error('REGISTRY_RESPONSE_INVALID', call.repository, `${call.what}: ${why}`);
  }

  mismatch(repository: string, message: string, expected: string, found: string): OciError {
    return this.error('DIGEST_MISMATCH', repository, message, { expected, found, algorithm: 'sha256' });
  }

  checkRepository(repository: string): void {
    const problem = repositoryProblem(repository);
    if (problem)
      throw new OciError(
        'REFERENCE_INVALID',
        `${this.registry}: invalid repository ${quoteUntrusted(repository)}: ${problem}`,
        { registry: this.registry },
      );
  }

  checkDigest(digest: string, repository: string): void {
    const problem = digestProblem(digest);
    if (problem)
      throw new OciError('REFERENCE_INVALID', `${this.registry}/${repository}: ${problem}`, {
        registry: this.registry,
        repository,
      });
  }

  checkReference(reference: string, repository: string): void {
    const problem = reference.includes(':') ? digestProblem(reference) : tagProblem(reference);
    if (problem)
      throw new OciError('REFERENCE_INVALID', `${this.registry}/${repository}: ${problem}`, {
        registry: this.registry,
        repository,
      });
  }

  checkBlobDescriptor(desc: BlobDescriptor, repository: string): void {
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

/** A network error's code (ECONNREFUSED, ENOTFOUND, …) from fetch's TypeError or its cause. */
export function networkErrorCode(err: unknown): string {
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

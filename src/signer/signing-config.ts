import { maxOf } from '../core/objects.js';
import * as z from 'zod';
import { issuesInline, zodIssues, safeParseBounded } from '../core/issues.js';
import { isSecureOrLoopback } from '../core/loopback.js';
import { SignError } from './errors.js';

/**
 * Sigstore's signing config (media type `application/vnd.dev.sigstore.signingconfig.v0.2+json`): which certificate
 * authority, transparency logs and timestamp authorities to sign with, as the public-good instance publishes it
 * through TUF (docs/signing.md). Parsed from the specification's documented fields (sigstore/protobuf-specs,
 * `SigningConfig`), and the services chosen as the specification says: those valid now, whose major API version this
 * client speaks, the highest version first, then the newest; one per operator, as many as the selector asks.
 */

export const SIGNING_CONFIG_MEDIA_TYPE = 'application/vnd.dev.sigstore.signingconfig.v0.2+json';

/** The major API versions this client speaks, per service. */
export const SUPPORTED_API = { ca: [1], tlog: [1, 2], tsa: [1] } as const;

const instant = z.iso.datetime({ offset: true });
const service = z.object({
  url: z.url({ protocol: /^https?$/ }),
  majorApiVersion: z.number().int().positive(),
  validFor: z.object({ start: instant, end: instant.optional() }),
  operator: z.string().optional(),
});
const selector = z.object({
  selector: z.enum(['ALL', 'ANY', 'EXACT']),
  count: z.number().int().positive().optional(),
});
export const signingConfigSchema = z.object({
  mediaType: z.literal(SIGNING_CONFIG_MEDIA_TYPE),
  caUrls: z.array(service).default([]),
  oidcUrls: z.array(service).default([]),
  rekorTlogUrls: z.array(service).default([]),
  tsaUrls: z.array(service).default([]),
  rekorTlogConfig: selector.optional(),
  tsaConfig: selector.optional(),
});
export type SigningConfig = z.infer<typeof signingConfigSchema>;
export type SigningService = z.infer<typeof service>;

/** What a signing run uses: base URLs, as @sigstore/sign's clients take them. */
export interface SelectedServices {
  /** Fulcio's base URL. */
  ca: string;
  /** The OIDC provider for an interactive sign-in; null when the config names none valid. */
  oidc: string | null;
  tlogs: { url: string; majorApiVersion: number }[];
  /** Base URLs of the timestamp authorities (without `/api/v1/timestamp`). */
  tsas: string[];
}

export function parseSigningConfig(json: unknown, label: string): SigningConfig {
  const parsed = safeParseBounded(signingConfigSchema, json);
  if (!parsed.success) {
    const media = (json as { mediaType?: unknown } | null)?.mediaType;
    if (typeof media === 'string' && media !== SIGNING_CONFIG_MEDIA_TYPE)
      throw new SignError(
        'SIGNING_CONFIG_UNSUPPORTED',
        `${label}: media type ${JSON.stringify(media.slice(0, 100))}; this version reads ${SIGNING_CONFIG_MEDIA_TYPE}`,
      );
    throw new SignError(
      'SIGNING_CONFIG_INVALID',
      `${label}: not a signing config: ${issuesInline(zodIssues(parsed.error))}`,
    );
  }
  return parsed.data;
}

/**
 * The services of `config` to sign with at `now` (docs/signing.md, "Choosing services"). A certificate authority is
 * needed only for keyless signing (`keyless`). Rekor v2 gives no signed entry timestamp, so a log of API version 2
 * without a timestamp authority is refused (`noTsa` leaves the timestamp authorities out).
 */
export function selectServices(
  config: SigningConfig,
  now: Date,
  label: string,
  options: { keyless: boolean; noTsa?: boolean },
): SelectedServices {
  const fail = (message: string): never => {
    throw new SignError('SIGNING_CONFIG_UNSUPPORTED', `${label}: ${message}`);
  };
  const ca = best(config.caUrls, SUPPORTED_API.ca, now)[0];
  if (options.keyless && !ca) fail('no certificate authority valid now of API version 1');
  const oidc = best(config.oidcUrls, [1], now)[0] ?? null;
  const tlogs = chosen(config.rekorTlogUrls, config.rekorTlogConfig, SUPPORTED_API.tlog, now, 'transparency log', fail);
  const tsas = options.noTsa
    ? []
    : chosen(config.tsaUrls, config.tsaConfig, SUPPORTED_API.tsa, now, 'timestamp authority', fail).map((t) =>
        tsaBase(t.url, label),
      );
  if (tlogs.some((t) => t.majorApiVersion === 2) && tsas.length === 0)
    fail(
      'its transparency log is Rekor v2, which gives no signed entry timestamp: a timestamp authority is required (and --no-tsa is not possible)',
    );
  // The identity token goes to the CA, the signature to the others: over https, or plain http on loopback only.
  for (const url of [...(options.keyless && ca ? [ca.url] : []), ...tlogs.map((t) => t.url), ...tsas]) {
    if (!isSecureOrLoopback(new URL(url))) fail(`${new URL(url).origin} is not https (plain http only on loopback)`);
  }
  if (!options.keyless && tlogs.some((t) => t.majorApiVersion === 2))
    fail('Rekor v2 is supported for keyless signing only; sign with a key against a log of API version 1');
  return {
    ca: ca ? trimSlash(ca.url) : '',
    oidc: oidc ? trimSlash(oidc.url) : null,
    tlogs: tlogs.map((t) => ({ url: trimSlash(t.url), majorApiVersion: t.majorApiVersion })),
    tsas,
  };
}

/**
 * Valid at `now` (the window includes both ends), of the highest supported API version any valid one has (services of
 * several versions are never mixed), the newest start first.
 */
function best(services: SigningService[], versions: readonly number[], now: Date): SigningService[] {
  const t = now.getTime();
  const valid = services.filter(
    (s) =>
      versions.includes(s.majorApiVersion) &&
      Date.parse(s.validFor.start) <= t &&
      (s.validFor.end === undefined || t <= Date.parse(s.validFor.end)),
  );
  const top = maxOf([...valid.map((s) => s.majorApiVersion)]);
  return valid
    .filter((s) => s.majorApiVersion === top)
    .sort((a, b) => Date.parse(b.validFor.start) - Date.parse(a.validFor.start));
}

/**
 * One per operator (its newest; services that name none are one operator), then as many as the selector asks: ANY
 * one, ALL every one, EXACT `count`. A list without a selector is refused, as the specification asks.
 */
function chosen(
  services: SigningService[],
  config: SigningConfig['rekorTlogConfig'],
  versions: readonly number[],
  now: Date,
  what: string,
  fail: (message: string) => never,
): SigningService[] {
  if (services.length === 0) return [];
  const perOperator = new Map<string, SigningService>();
  for (const s of best(services, versions, now)) {
    const key = s.operator ?? '';
    if (!perOperator.has(key)) perOperator.set(key, s);
  }
  const usable = [...perOperator.values()];
  if (usable.length === 0) fail(`no ${what} valid now of a supported API version (${versions.join(', ')})`);
  if (!config) fail(`its ${what}s have no selector (rekorTlogConfig or tsaConfig)`);
  const sel = config.selector;
  if (sel === 'ANY') return usable.slice(0, 1);
  if (sel === 'ALL') return usable;
  const count = config?.count;
  if (count === undefined) fail(`its ${what} selector EXACT gives no count`);
  if (usable.length < count) fail(`its ${what} selector asks for exactly ${count}, and ${usable.length} are valid now`);
  return usable.slice(0, count);
}

/** A timestamp authority is named by its endpoint (`…/api/v1/timestamp`); @sigstore/sign takes the base. */
function tsaBase(url: string, label: string): string {
  const m = /^(.*)\/api\/v1\/timestamp\/?$/.exec(url);
  if (!m)
    throw new SignError(
      'SIGNING_CONFIG_UNSUPPORTED',
      `${label}: timestamp authority ${url} is not an RFC 3161 endpoint ending in /api/v1/timestamp`,
    );
  return m[1] as string;
}

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

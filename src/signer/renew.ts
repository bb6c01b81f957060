import { RFC3161Timestamp } from '@sigstore/core';
import { commonJsExports } from '../core/commonjs.js';
import type { TSAWitness } from '@sigstore/sign';
import {
  newArchiveTimestamps,
  renewalData,
  renewalTokens,
  withRenewal,
  type ArchiveTimestamps,
} from '../core/archive-timestamps.js';
import { sha256Hex } from '../core/digest.js';
import type { Env } from '../core/env.js';
import { chooseServices, type SignerOptions } from './choose-signer.js';
import { SignError, redact } from './errors.js';

/** Asks a timestamp authority for an RFC 3161 timestamp over SHA-256 of `data`; returns the token's DER. */
export type TimestampRequest = (data: Buffer) => Promise<Buffer>;

/** The timestamp authority at `url` (its base URL), through @sigstore/sign's client. */
export function timestampAuthority(url: string, timeoutMs = 30_000): TimestampRequest {
  // @sigstore/sign (and its HTTP stack) is loaded when a timestamp is first asked for, not when this module is.
  let witness: Promise<TSAWitness> | undefined;
  const made = async () =>
    new (commonJsExports(await import('@sigstore/sign')).TSAWitness)({ tsaBaseURL: url, timeout: timeoutMs });
  return async (data) => {
    try {
      // The client timestamps "the signature" it is given: here, the renewal's data (docs/bundle-format.md §8).
      const out = await (
        await (witness ??= made())
      ).testify({ $case: 'messageSignature', messageSignature: { signature: data } } as never);
      const token = out.rfc3161Timestamps?.[0]?.signedTimestamp;
      if (!token) throw new Error('no timestamp in the answer');
      return Buffer.from(token);
    } catch (e) {
      throw new SignError('SIGNING_SERVICE_FAILED', `the timestamp authority ${url}: ${redact((e as Error).message)}`);
    }
  };
}

/**
 * The timestamp authority a renewal asks: `--tsa-url`, else the first the signing config selects (the same choice
 * signing makes, docs/signing.md).
 */
export async function renewalAuthority(
  options: SignerOptions & { cwd: string },
  env: Env,
): Promise<{ url: string; request: TimestampRequest }> {
  const { key, ...rest } = options;
  if (key !== undefined) throw new SignError('RENEWAL_MISMATCH', '--timestamp-only signs nothing: leave out --key');
  const { services } = await chooseServices({ ...rest, noTsa: false }, env);
  const url = services.tsas[0];
  if (!url) throw new SignError('RENEWAL_MISMATCH', 'no timestamp authority to ask: give --tsa-url');
  return { url, request: timestampAuthority(url, options.timeoutMs) };
}

/**
 * Adds one archive timestamp over the Sigstore bundle `bundleBytes` and every renewal before it (`existing`, which
 * must be for the same bundle). Nothing is signed again.
 */
export async function renewTimestamps(
  bundleBytes: Buffer,
  existing: ArchiveTimestamps | undefined,
  request: TimestampRequest,
  label: string,
): Promise<ArchiveTimestamps> {
  const doc = existing ?? newArchiveTimestamps(bundleBytes);
  if (doc.sigstoreBundleSha256 !== sha256Hex(bundleBytes))
    throw new SignError(
      'RENEWAL_MISMATCH',
      `${label} renews the Sigstore bundle sha256:${doc.sigstoreBundleSha256}, not this one (sha256:${sha256Hex(bundleBytes)})`,
    );
  const data = renewalData(bundleBytes, renewalTokens(doc));
  const token = await request(data);
  checkToken(token, data, renewalTokens(doc).at(-1), label);
  return withRenewal(doc, token);
}

/**
 * What a timestamp authority answered, checked before it is kept: a granted timestamp over `data`, not earlier than the
 * renewal before it. A bad answer kept would make every later renewal worthless; its signature and authority are
 * checked against the trusted root by `verify --timestamps`.
 */
function checkToken(token: Buffer, data: Buffer, previous: Buffer | undefined, label: string): void {
  const refuse = (why: string): never => {
    throw new SignError(
      'SIGNING_SERVICE_FAILED',
      `the timestamp authority's answer for ${label} ${why}; nothing was written`,
    );
  };
  try {
    const ts = RFC3161Timestamp.parse(token as Buffer<ArrayBuffer>);
    if (ts.status !== 0n && ts.status !== 1n) refuse(`is not granted (status ${ts.status})`);
    ts.tstInfo.verify(data);
    if (previous && ts.signingTime < RFC3161Timestamp.parse(previous as Buffer<ArrayBuffer>).signingTime)
      refuse('is dated before the renewal before it');
  } catch (e) {
    if (e instanceof SignError) throw e;
    refuse(`is not a timestamp over this bundle (${(e as Error).message})`);
  }
}

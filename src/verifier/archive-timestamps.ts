import { minOf } from '../core/objects.js';
import { X509Certificate } from 'node:crypto';
import { RFC3161Timestamp } from '@sigstore/core';
// Not in the package's index; the same check @sigstore/verify makes of a bundle's own timestamps.
import { verifyRFC3161Timestamp } from '@sigstore/verify/dist/timestamp/tsa.js';
import { renewalData, renewalTokens, type ArchiveTimestamps } from '../core/archive-timestamps.js';
import { sha256Hex } from '../core/digest.js';
import type { Check } from './report.js';
import type { RestsOn } from './rests-on.js';
import type { LoadedTrustRoot } from './trusted-root.js';
import { trustMaterialOf } from './trust-material.js';

/**
 * One renewal as verified: its time, the authority that made it, and until when that authority holds (the earlier of
 * its certificates' expiry and the end of the trusted root's window for it).
 */
export interface RenewalInfo {
  time?: string;
  /** The timestamp authority's URL as the trusted root names it. */
  tsa?: string;
  certificatesUntil?: string;
  verified: boolean;
  /** The token verified, but it came out of order or too late: the chain breaks here. */
  breaksChain?: true;
}

export interface RenewalResult {
  checks: Check[];
  renewals: RenewalInfo[];
}

const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function earliestExpiry(chain: { rawBytes: Uint8Array }[]): Date | undefined {
  let out: Date | undefined;
  for (const c of chain) {
    try {
      const until = new Date(new X509Certificate(Buffer.from(c.rawBytes)).validTo);
      if (!out || until < out) out = until;
    } catch {
      // A certificate that does not parse bounds nothing; the timestamp check refuses its authority anyway.
    }
  }
  return out;
}

const minDate = (ds: (Date | string | undefined)[]): Date | undefined => {
  const ms = ds.flatMap((d) => (d === undefined ? [] : [typeof d === 'string' ? Date.parse(d) : d.getTime()]));
  return ms.length ? new Date(minOf([...ms])) : undefined;
};

/**
 * Until when what a verified signature rests on can be trusted to date it (docs/bundle-format.md §8, step 4): for each
 * certificate authority and timestamp authority, the earlier of its certificates' expiry and the end of the trusted
 * root's window for it (closing the window is how an authority is retired); the earliest of these. A log counts only
 * when no timestamp authority dates the signature (then its signed entry timestamp is what dates it): a shard whose
 * window closed because it rotated vouches for its old entries as before. Undefined when nothing in it ends.
 */
export function protectedUntil(parts: RestsOn[]): Date | undefined {
  const tsa = parts.some((p) => p.part === 'timestamp authority');
  return minDate(
    parts.flatMap((p) =>
      p.part === 'transparency log' ? (tsa ? [] : [p.validUntil]) : [p.certificatesUntil, p.validUntil],
    ),
  );
}

/** What verifyRenewals needs besides the file: the latest time the signature's verification checked, and now. */
export interface RenewalContext {
  /** The latest verified time of the signature (its timestamps, its log's signed time): no renewal is earlier. */
  signedAt?: Date;
  /** To say whether the last renewal has lapsed. */
  now?: Date;
}

/**
 * Verifies archive timestamps (docs/bundle-format.md §8) over the Sigstore bundle `bundleBytes`, whose signature has
 * been verified already and rests on `restsOn`. Each renewal must be a timestamp over the bundle and every earlier
 * renewal, by a timestamp authority of a trusted root whose certificates were valid at its time (as for the bundle's
 * own timestamps), not earlier than the renewal before it, and made while what it renews was still valid: the
 * original signature's certificates, logs and timestamp authorities for the first, the previous renewal's authority
 * for each later one. A renewal made after that has expired shows only that the bundle existed at its time, not that
 * the chain is unbroken: RENEWAL_TOO_LATE.
 */
export function verifyRenewals(
  doc: ArchiveTimestamps,
  bundleBytes: Buffer,
  restsOn: RestsOn[],
  roots: LoadedTrustRoot[],
  label: string,
  context: RenewalContext = {},
): RenewalResult {
  const checks: Check[] = [];
  const renewals: RenewalInfo[] = [];
  const fail = (code: NonNullable<Check['code']>, message: string): RenewalResult => {
    checks.push({ id: 'renewal', ok: false, code, message, path: label });
    return { checks, renewals };
  };
  if (doc.sigstoreBundleSha256 !== sha256Hex(bundleBytes))
    return fail(
      'RENEWAL_NOT_FOR_THIS_BUNDLE',
      `${label} renews the Sigstore bundle sha256:${doc.sigstoreBundleSha256}, not this one (sha256:${sha256Hex(bundleBytes)})`,
    );
  if (doc.renewals.length === 0) return fail('RENEWAL_INVALID', `${label} holds no renewal`);
  const tokens = renewalTokens(doc);
  // One authority at a time, so the report names the one that verified (two authorities' certificates can share a
  // serial number).
  const authorities = roots.flatMap((r) => {
    const material = trustMaterialOf(r.root).timestampAuthorities;
    return r.root.timestampAuthorities.map((named, i) => ({ named, material: material.slice(i, i + 1) }));
  });
  const first = protectedUntil(restsOn);
  let until = first;
  let previous = context.signedAt;
  for (const [i, der] of tokens.entries()) {
    const n = `renewal ${i + 1}`;
    let ts: RFC3161Timestamp;
    let time: Date;
    try {
      // Parsing is lazy: reading the time and status is where a DER value that is no timestamp fails.
      ts = RFC3161Timestamp.parse(der as Buffer<ArrayBuffer>);
      time = ts.signingTime;
      // Granted (0) or granted with modifications (1); the status is outside what the authority signs.
      if (ts.status !== 0n && ts.status !== 1n) throw new Error(`its status is ${ts.status}, not granted`);
    } catch (e) {
      renewals.push({ verified: false });
      return fail('RENEWAL_INVALID', `${label}: ${n} is not a granted RFC 3161 timestamp (${(e as Error).message})`);
    }
    const data = renewalData(bundleBytes, tokens.slice(0, i));
    const by = authorities.find((a) => {
      try {
        verifyRFC3161Timestamp(ts, data, a.material);
        return true;
      } catch {
        return false;
      }
    });
    if (!by) {
      renewals.push({ time: iso(time), verified: false });
      return fail(
        'RENEWAL_INVALID',
        `${label}: ${n} (${iso(time)}) does not verify: not a timestamp over this bundle and the renewals before it, or not by a timestamp authority of the trusted root valid at its time`,
      );
    }
    const named = by.named;
    const expiry = minDate([earliestExpiry(named.certChain?.certificates ?? []), named.validFor?.end]);
    const info: RenewalInfo = {
      time: iso(time),
      tsa: named.uri,
      ...(expiry ? { certificatesUntil: iso(expiry) } : {}),
      verified: true,
    };
    if (previous && time < previous) {
      renewals.push({ ...info, breaksChain: true });
      return fail(
        'RENEWAL_OUT_OF_ORDER',
        `${label}: ${n} (${iso(time)}) is earlier than ${i === 0 ? 'the signature it renews' : 'the renewal before it'} (${iso(previous)})`,
      );
    }
    if (until && time > until) {
      renewals.push({ ...info, breaksChain: true });
      return fail(
        'RENEWAL_TOO_LATE',
        `${label}: ${n} was made at ${iso(time)}, after what it renews had expired (${iso(until)}): it shows the bundle existed then, not an unbroken chain`,
      );
    }
    renewals.push(info);
    previous = time;
    until = expiry;
  }
  const last = renewals.at(-1);
  const count = `${renewals.length} archive timestamp${renewals.length === 1 ? '' : 's'} verified`;
  // "Unbroken" only where the first renewal had a deadline to meet.
  const chain = first
    ? `unbroken from the signature to ${last?.time ?? '?'}`
    : `in order to ${last?.time ?? '?'} (nothing the signature rests on expires, so the first renewal had no deadline to meet)`;
  const lapsed = until && context.now && context.now > until;
  checks.push({
    id: 'renewal',
    ok: true,
    message: `${count}, ${chain}${until ? (lapsed ? `; LAPSED: the last renewal's authority expired ${iso(until)}, and nothing renews the archive since` : `; renew before ${iso(until)}`) : ''}`,
    path: label,
  });
  return { checks, renewals };
}

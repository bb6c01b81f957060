import { minOf } from '../core/objects.js';
import { X509Certificate } from 'node:crypto';
import type { Bundle } from '@sigstore/bundle';
import { RFC3161Timestamp } from '@sigstore/core';
// Not in the package's index; the check @sigstore/verify makes of a bundle's timestamps (src/verifier/archive-timestamps.ts).
import { verifyRFC3161Timestamp } from '@sigstore/verify/dist/timestamp/tsa.js';
import type { LoadedTrustRoot } from './trusted-root.js';
import { trustMaterialOf } from './trust-material.js';

/**
 * What a verified signature rests on, from the trusted root that verified it (docs/signing.md, "Ten years on"): the
 * certificate authority that issued its certificate, the log of each entry, the timestamp authority of each
 * timestamp, each with the window the root gives it and, for authorities, until when their certificates are valid.
 * A part whose window has closed still counts for a signature made inside it; a verifier in ten years needs a root
 * that still lists it. Parts the root does not name (it cannot be matched) are left out.
 */
export interface RestsOn {
  part: 'certificate authority' | 'transparency log' | 'timestamp authority';
  /** Its URL as the trusted root names it. */
  name: string;
  validFrom?: string;
  /** The end of the root's window; absent while it is open. */
  validUntil?: string;
  /** The earliest expiry among the authority's certificates in the root. */
  certificatesUntil?: string;
}

const iso = (d: Date | undefined): string | undefined => d?.toISOString().replace(/\.\d{3}Z$/, 'Z');

function certificate(raw: Uint8Array): X509Certificate | undefined {
  try {
    return new X509Certificate(Buffer.from(raw));
  } catch {
    return undefined;
  }
}

function earliestExpiry(chain: { rawBytes: Uint8Array }[] | undefined): string | undefined {
  const ends = (chain ?? []).flatMap((c) => {
    const cert = certificate(c.rawBytes);
    return cert ? [Date.parse(cert.validTo)] : [];
  });
  return ends.length ? iso(new Date(minOf([...ends]))) : undefined;
}

/** The transparency log of `root` whose log id (the key's id) is `keyId`. */
export function logOf(root: LoadedTrustRoot, keyId: Uint8Array | undefined) {
  return keyId
    ? root.root.tlogs.find((t) => t.logId && Buffer.from(t.logId.keyId).equals(Buffer.from(keyId)))
    : undefined;
}

export function restsOn(bundle: Bundle, root: LoadedTrustRoot): RestsOn[] {
  const out: RestsOn[] = [];
  const window = (v: { start?: Date; end?: Date } | undefined) => ({
    ...(iso(v?.start) ? { validFrom: iso(v?.start) } : {}),
    ...(iso(v?.end) ? { validUntil: iso(v?.end) } : {}),
  });
  const authority = (
    part: RestsOn['part'],
    a: {
      uri: string;
      validFor?: { start?: Date; end?: Date };
      certChain?: { certificates: { rawBytes: Uint8Array }[] };
    },
  ): RestsOn => {
    const until = earliestExpiry(a.certChain?.certificates);
    return { part, name: a.uri, ...window(a.validFor), ...(until ? { certificatesUntil: until } : {}) };
  };
  const vm = bundle.verificationMaterial;
  const leafRaw =
    vm.content.$case === 'x509CertificateChain'
      ? vm.content.x509CertificateChain.certificates[0]?.rawBytes
      : vm.content.$case === 'certificate'
        ? vm.content.certificate.rawBytes
        : undefined;
  const leaf = leafRaw ? certificate(leafRaw) : undefined;
  if (leaf) {
    const ca = root.root.certificateAuthorities.find((a) =>
      (a.certChain?.certificates ?? []).some((c) => {
        const cert = certificate(c.rawBytes);
        return cert !== undefined && leaf.checkIssued(cert) && leaf.verify(cert.publicKey);
      }),
    );
    if (ca) out.push(authority('certificate authority', ca));
  }
  for (const entry of vm.tlogEntries) {
    const keyId = entry.logId?.keyId;
    const log = logOf(root, keyId);
    if (log && !out.some((o) => o.part === 'transparency log' && o.name === log.baseUrl))
      out.push({ part: 'transparency log', name: log.baseUrl, ...window(log.publicKey?.validFor) });
  }
  // Each timestamp's authority is the one whose key verifies it over the signature (as @sigstore/verify finds it): two
  // authorities' certificates can share a serial number, so matching the serial alone could name the wrong one.
  const signature =
    bundle.content.$case === 'dsseEnvelope'
      ? bundle.content.dsseEnvelope.signatures[0]?.sig
      : bundle.content.messageSignature.signature;
  const material = trustMaterialOf(root.root).timestampAuthorities;
  for (const t of vm.timestampVerificationData?.rfc3161Timestamps ?? []) {
    let ts: RFC3161Timestamp;
    try {
      ts = RFC3161Timestamp.parse(Buffer.from(t.signedTimestamp));
    } catch {
      continue;
    }
    const i = root.root.timestampAuthorities.findIndex((_, k) => {
      try {
        verifyRFC3161Timestamp(ts, Buffer.from(signature ?? []), material.slice(k, k + 1));
        return true;
      } catch {
        return false;
      }
    });
    const tsa = root.root.timestampAuthorities[i];
    if (tsa && !out.some((o) => o.part === 'timestamp authority' && o.name === tsa.uri))
      out.push(authority('timestamp authority', tsa));
  }
  return out;
}

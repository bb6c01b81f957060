import { parseJsonStrict } from '../core/strict-json.js';
import { digestHex } from '../core/digest.js';
import type { Manifest } from '../core/manifest.js';
import { attestationSummarySchema } from '../core/summaries.js';
import type { Check, CheckCode } from './report.js';
import { verifySigstoreBundle, type VerificationKeyInput } from './sigstore-bundle.js';
import { parseStatement } from './statement-check.js';
import type { LoadedTrustRoot } from './trusted-root.js';

export function isAttestationBlob(hex: string, manifest: Manifest): boolean {
  return manifest.entries.some((e) => e.kind === 'attestation' && digestHex(e.digest) === hex);
}

/**
 * Attestations taken into the bundle are verified again, offline, against
 * the signer their summary records (which the bundle's own signature covers),
 * and their statement must still say what the summary says.
 */
export function checkAttestationEntries(
  manifest: Manifest,
  kept: ReadonlyMap<string, Buffer>,
  roots: LoadedTrustRoot[],
  keys: VerificationKeyInput[],
): Check[] {
  const out: Check[] = [];
  for (const entry of manifest.entries.filter((e) => e.kind === 'attestation')) {
    const fail = (code: CheckCode, message: string): void => {
      out.push({ id: 'attestations', ok: false, code, message: `${entry.path}: ${message}`, path: entry.path });
    };
    const summary = attestationSummarySchema.parse(entry.summary);
    const bytes = kept.get(digestHex(entry.digest));
    if (!bytes) {
      fail('ATTESTATION_ENTRY_UNREADABLE', 'its content was not read (too large, or its blob failed)');
      continue;
    }
    let json: unknown;
    try {
      json = parseJsonStrict(bytes);
    } catch {
      fail('ATTESTATION_ENTRY_INVALID', 'not JSON');
      continue;
    }
    if (summary.signer.kind === 'public-key' && keys.length === 0) {
      fail('ATTESTATION_KEY_REQUIRED', `signed with a key (hint ${summary.signer.keyHint}) that was not given`);
      continue;
    }
    const policy =
      summary.signer.kind === 'certificate'
        ? { certificateIdentity: summary.signer.identity, certificateOidcIssuer: summary.signer.issuer }
        : {};
    const verified = verifySigstoreBundle({ json, roots, keys, policy, restsOn: false });
    const failed = verified.checks.filter((c) => !c.ok);
    if (failed.length > 0) {
      fail('ATTESTATION_ENTRY_INVALID', failed.map((c) => `${c.code}: ${c.message}`).join('; '));
      continue;
    }
    // Signed the way the manifest recorded, by the key it recorded.
    if (
      verified.info?.kind !== summary.signer.kind ||
      (summary.signer.kind === 'public-key' && verified.info.keyHint !== summary.signer.keyHint)
    ) {
      fail(
        'ATTESTATION_SUMMARY_MISMATCH',
        `signed with ${verified.info?.kind ?? 'nothing'}${verified.info?.keyHint ? ` (hint ${verified.info.keyHint})` : ''}, but the manifest recorded ${summary.signer.kind}${summary.signer.kind === 'public-key' ? ` (hint ${summary.signer.keyHint})` : ''}`,
      );
      continue;
    }
    const statement = verified.dsse ? parseStatement(verified.dsse.payload) : undefined;
    const subjects = JSON.stringify(
      (statement?.subject ?? [])
        .slice(0, summary.subjects.length)
        .map((s) => ({ ...(s.name !== undefined ? { name: s.name } : {}), digest: s.digest })),
    );
    if (
      (statement?.predicateType ?? undefined) !== summary.predicateType ||
      subjects !== JSON.stringify(summary.subjects)
    ) {
      fail('ATTESTATION_SUMMARY_MISMATCH', 'its statement no longer says what the manifest recorded');
      continue;
    }
    const who = summary.signer.kind === 'certificate' ? summary.signer.identity : `key ${verified.info?.key ?? ''}`;
    out.push({
      id: 'attestations',
      ok: true,
      message: `${entry.path}: ${summary.predicateType ?? summary.content} signed by ${who}`,
      path: entry.path,
    });
  }
  return out;
}

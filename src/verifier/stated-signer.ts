import { parseJsonStrict } from '../core/strict-json.js';
import { leafCertificate, readBundle } from './sigstore-bundle.js';
import { statedCertificate } from './signer-kind.js';

/**
 * Who a Sigstore bundle says signed it, read without verifying anything: the key's hint as the bundle states it, or
 * the certificate's subject and OIDC issuer as the certificate states them; or why it cannot be read.
 */
export type StatedSigner =
  | { kind: 'public-key'; keyHint?: string }
  | { kind: 'certificate'; identity?: string; issuer?: string }
  | { kind: 'unreadable'; reason: string };

/**
 * The signature a signing replaced (the bundle's attestations/evidence.sigstore.json before it was signed again): who
 * it states signed it. `checked` is always false: it was read, never verified, so it says nothing of who did sign.
 */
export interface ReplacedSignature {
  signer: StatedSigner;
  checked: false;
}

/**
 * The signature signing replaces: the bundle's signature member (`present`) as read (`bytes`; none when the reader did
 * not keep it, too large); undefined when the bundle had none.
 */
export function replacedSignature(bytes: Buffer | undefined, present: boolean): ReplacedSignature | undefined {
  if (!present) return undefined;
  const signer: StatedSigner = bytes
    ? statedSigner(bytes)
    : { kind: 'unreadable', reason: 'it was not read (larger than the reader keeps)' };
  return { signer, checked: false };
}

function statedSigner(bytes: Buffer): StatedSigner {
  let json: unknown;
  try {
    json = parseJsonStrict(bytes);
  } catch (e) {
    return { kind: 'unreadable', reason: `not valid JSON (${(e as Error).message})` };
  }
  const read = readBundle(json);
  if ('checks' in read) return { kind: 'unreadable', reason: read.checks[0]?.message ?? 'not a Sigstore bundle' };
  const { bundle, info } = read;
  if (info.kind === 'public-key') return { kind: 'public-key', ...(info.keyHint ? { keyHint: info.keyHint } : {}) };
  const stated = statedCertificate(leafCertificate(bundle) ?? new Uint8Array());
  return 'unreadable' in stated
    ? { kind: 'unreadable', reason: `its certificate cannot be read (${stated.unreadable})` }
    : { kind: 'certificate', ...stated };
}

/** One line for the one who signed: what was replaced, by whom it says it was signed, and that this was not checked. */
export function describeReplaced(r: ReplacedSignature): string {
  const s = r.signer;
  const who =
    s.kind === 'public-key'
      ? `signed with a key (hint ${s.keyHint ?? 'none stated'})`
      : s.kind === 'certificate'
        ? `signed keylessly by ${s.identity ?? 'no identity stated'} (issuer ${s.issuer ?? 'none stated'})`
        : `unreadable: ${s.reason}`;
  return `replaced the bundle's previous signature, ${who}; that signature was not checked, so this is only what it states`;
}

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readBundle } from '../../core/bundle-reader.js';
import { sha256Hex } from '../../core/digest.js';
import { EVIDENCE_PREDICATE_TYPE, MANIFEST_SUBJECT_NAME } from '../../core/predicate.js';
import { parseJsonStrict } from '../../core/strict-json.js';
import { openBundle } from '../../fs/open-bundle.js';
import {
  IN_TOTO_PAYLOAD_TYPE,
  IN_TOTO_STATEMENT_V01,
  IN_TOTO_STATEMENT_V1,
  dssePayload,
} from '../../formats/intoto.js';
import { VerifyError } from '../../verifier/errors.js';
import { notASigstoreBundle } from '../../verifier/sigstore-bundle.js';
import { sigstoreLine } from '../../verifier/sigstore-lines.js';
import { GitHubError } from './errors.js';
import type { AssetCache } from './release-listing.js';
import type { ReleasesClient } from './releases.js';

/**
 * A release's signature from GitHub's artifact attestations API, for a
 * release that lists a bundle and no Sigstore bundle beside it (docs/audit.md,
 * "The population"). GitHub files an attestation under each subject digest its
 * statement names, and our evidence statement names manifest.json and the
 * release subjects, never the bundle file (src/signer/statement.ts): so the
 * API is asked for the sha256 of the manifest.json in the bytes downloaded,
 * not for the bundle's digest, under which it holds none of ours. Nothing
 * here is trusted: what GitHub returns is only offered to the verifier.
 */

/**
 * The most distinct evidence statements (DSSE payloads, by their bytes) one release's signature is looked for among,
 * and the most candidates in all: the same statement signed again (a release job run twice; signatures are not
 * deterministic) is one statement, but each candidate still costs a verification of the bundle, so their number is
 * bounded too. A repository beyond either is not one an audit should guess about: the release is unavailable.
 */
export const MAX_OFFERED_STATEMENTS = 8;
export const MAX_OFFERED_CANDIDATES = 32;
/** The longest DSSE payload (base64) looked into: an evidence statement names manifest.json and the release subjects. */
const MAX_STATEMENT_BASE64 = 4 * 1024 * 1024;

/** What the attestations API offered for a bundle: the digest asked for, the URL that answers, and each file. */
export interface OfferedAttestations {
  /** `sha256:<hex>` of the bundle's manifest.json: the subject the API was asked about. */
  subject: string;
  /** GET …/repos/{owner}/{repo}/attestations/{subject}: where the offer is read again. */
  url: string;
  /** Each candidate's Sigstore bundle, written to the cache by its sha256, in GitHub's order. */
  paths: string[];
}

/**
 * The Sigstore bundles GitHub keeps for the manifest of the bundle at
 * `bundlePath` (downloaded; a file that holds no manifest is asked about for
 * nothing: undefined). Before any is verified, each is screened cheaply: it is
 * kept only if its DSSE payload is an in-toto statement with the
 * release-evidence predicate naming this manifest.json's sha256 (GitHub files
 * the standard statements of a bundle without release subjects under
 * manifest.json too; anything else would fail the statement check anyway),
 * and only once by its bytes (GitHub keeps one per POST, so re-attaching
 * repeats them). A 404 is no attestation; any other failure of the API, or
 * more than MAX_OFFERED_STATEMENTS statements or MAX_OFFERED_CANDIDATES
 * candidates, is thrown as GitHub's (the release is then unavailable).
 *
 * Before that screen, every attestation the API returned must be a Sigstore
 * bundle (one's size, JSON, schema: as fetch --subject-digest reads each):
 * one that is not is what the source delivered for this manifest, the
 * evidence under test, and it is nobody's signature, so nothing tells it
 * apart from this release's own signature delivered broken. It is thrown as
 * a failed verification (VerifyError ATTESTATION_MALFORMED, naming its place
 * in the answer and the API's URL: the release is not authentic, the index
 * rejects it), whatever the others, never dropped as a statement of another.
 */
export async function offeredAttestations(
  client: ReleasesClient,
  cache: AssetCache,
  bundlePath: string,
): Promise<OfferedAttestations | undefined> {
  const subject = await manifestDigest(bundlePath);
  if (!subject) return undefined;
  const url = client.attestationsUrl(subject);
  const texts = new Set<string>();
  const statements = new Set<string>();
  // attestationsFor bounds the pages, the bytes kept over all of them (MAX_GITHUB_JSON) and their depth.
  const listed = await client.attestationsFor(subject);
  requireSigstoreBundles(listed, url);
  for (const { bundle, text } of listed) {
    const statement = evidenceStatement(bundle, subject.slice('sha256:'.length));
    if (statement === undefined) continue;
    statements.add(statement);
    texts.add(text);
  }
  if (statements.size > MAX_OFFERED_STATEMENTS || texts.size > MAX_OFFERED_CANDIDATES)
    throw new GitHubError(
      'GITHUB_RESPONSE_INVALID',
      `${url}: ${texts.size} release-evidence attestations of ${statements.size} distinct statements for this manifest; at most ${MAX_OFFERED_CANDIDATES} of ${MAX_OFFERED_STATEMENTS} are tried`,
    );
  const paths: string[] = [];
  for (const text of texts) {
    const bytes = Buffer.from(text);
    // The verifier reads files: each offer is kept in the cache by its own sha256, like an asset downloaded.
    const put = await cache.put(async (open) => {
      await pipeline(Readable.from([bytes]), open());
      return { sha256: sha256Hex(bytes), size: bytes.length };
    });
    paths.push(put.path);
  }
  return { subject, url, paths };
}

/**
 * ATTESTATION_MALFORMED (a failed verification) when an attestation the API returned at `url` holds no Sigstore bundle,
 * naming the first such by its place in the answer (counted from 1 over its pages, line N of what fetch
 * --subject-digest writes) and how many there are.
 */
function requireSigstoreBundles(listed: readonly { text: string }[], url: string): void {
  const bad = listed.flatMap(({ text }, i) => {
    const read = sigstoreLine(text, i + 1);
    const why = read.unreadable ?? notASigstoreBundle(read.json);
    return why === undefined ? [] : [{ at: i + 1, why }];
  });
  const first = bad[0];
  if (first)
    throw new VerifyError(
      'ATTESTATION_MALFORMED',
      `attestation ${first.at} of ${listed.length} from ${url}: ${first.why}${bad.length > 1 ? ` (and ${bad.length - 1} more hold no Sigstore bundle)` : ''}; a failed verification of what GitHub delivered for this release, whichever others verify`,
      { path: url },
    );
}

/**
 * The sha256 of the DSSE payload of `bundle` when it is an in-toto statement of release evidence naming manifest.json
 * with sha256 `manifestHex`, else undefined. Nothing is verified here: this only drops what cannot verify.
 */
function evidenceStatement(bundle: unknown, manifestHex: string): string | undefined {
  const dsse = dssePayload(bundle, MAX_STATEMENT_BASE64);
  if (dsse?.payloadType !== IN_TOTO_PAYLOAD_TYPE) return undefined;
  const { payload } = dsse;
  let statement: { _type?: unknown; predicateType?: unknown; subject?: unknown };
  try {
    statement = parseJsonStrict(payload) as typeof statement;
  } catch {
    return undefined;
  }
  if (statement?.predicateType !== EVIDENCE_PREDICATE_TYPE) return undefined;
  if (statement._type !== IN_TOTO_STATEMENT_V1 && statement._type !== IN_TOTO_STATEMENT_V01) return undefined;
  const names = (s: unknown) => {
    const x = s as { name?: unknown; digest?: { sha256?: unknown } } | null;
    return x?.name === MANIFEST_SUBJECT_NAME && x.digest?.sha256 === manifestHex;
  };
  return Array.isArray(statement.subject) && statement.subject.some(names) ? sha256Hex(payload) : undefined;
}

/** sha256 of the bundle's manifest.json, its first member: read without reading the rest. */
async function manifestDigest(bundlePath: string): Promise<string | undefined> {
  const { stream } = await openBundle('/', bundlePath);
  try {
    const contents = await readBundle(stream, { manifestOnly: true });
    return contents.manifestBytes ? `sha256:${sha256Hex(contents.manifestBytes)}` : undefined;
  } finally {
    stream.destroy();
  }
}

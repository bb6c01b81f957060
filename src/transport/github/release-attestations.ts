import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readBundle } from '../../core/bundle-reader.js';
import { sha256Hex } from '../../core/digest.js';
import { EVIDENCE_PREDICATE_TYPE } from '../../core/predicate.js';
import { openBundle } from '../../fs/open-bundle.js';
import { dsseContent } from '../../formats/intoto.js';
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
 * The most distinct evidence statements one release's signature is looked for
 * among: each costs a full verification of the bundle, and a repository that
 * re-signs one bundle this often is not one an audit should guess about.
 */
export const MAX_OFFERED_ATTESTATIONS = 8;

/** What the attestations API offered for a bundle: the digest asked for, the URL that answers, and each file. */
export interface OfferedAttestations {
  /** `sha256:<hex>` of the bundle's manifest.json: the subject the API was asked about. */
  subject: string;
  /** GET …/repos/{owner}/{repo}/attestations/{subject}: where the offer is read again. */
  url: string;
  /** Each distinct evidence statement's Sigstore bundle, written to the cache by its sha256, in GitHub's order. */
  paths: string[];
}

/**
 * The Sigstore bundles GitHub keeps for the manifest of the bundle at
 * `bundlePath` (downloaded; a file that holds no manifest is asked about for
 * nothing: undefined). Only bundles whose DSSE statement says it is release
 * evidence are kept, once each (GitHub keeps one per POST, so re-attaching
 * repeats them, and it files the standard statements of a bundle without
 * release subjects under manifest.json too); any other would fail the
 * statement check anyway. A 404 is no attestation; any other failure of the
 * API is thrown as GitHub's (the release is then unavailable).
 */
export async function offeredAttestations(
  client: ReleasesClient,
  cache: AssetCache,
  bundlePath: string,
): Promise<OfferedAttestations | undefined> {
  const subject = await manifestDigest(bundlePath);
  if (!subject) return undefined;
  const url = `${client.apiUrl}/repos/${client.owner}/${client.repo}/attestations/${subject}`;
  const seen = new Set<string>();
  const texts: string[] = [];
  // attestationsFor bounds the pages and the bytes kept over all of them (MAX_GITHUB_JSON).
  for (const bundle of await client.attestationsFor(subject)) {
    const text = JSON.stringify(bundle);
    if (seen.has(text)) continue;
    seen.add(text);
    if (dsseContent(Buffer.from(text))?.predicateType === EVIDENCE_PREDICATE_TYPE) texts.push(text);
  }
  if (texts.length > MAX_OFFERED_ATTESTATIONS)
    throw new GitHubError(
      'GITHUB_RESPONSE_INVALID',
      `${url}: ${texts.length} distinct release-evidence attestations for one manifest; at most ${MAX_OFFERED_ATTESTATIONS} are tried`,
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

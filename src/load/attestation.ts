import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArchiveTimestamps, type ArchiveTimestamps } from '../core/archive-timestamps.js';
import { parseJsonStrict } from '../core/strict-json.js';
import { SMALL_FILE_LIMITS, readSmallFile } from '../fs/small-file.js';
import { VerifyError } from '../verifier/errors.js';
import { sigstoreBundleDocuments, type SigstoreLine } from '../verifier/sigstore-lines.js';
import { readJsonFile } from './json.js';

/** A Sigstore bundle given with --attestation: its bytes as read, and its strict JSON (no duplicate keys). */
export async function readAttestation(cwd: string, file: string): Promise<{ bytes: Buffer; json: unknown }> {
  const read = await readSourcedAttestation(cwd, file);
  if ('unreadable' in read)
    throw new VerifyError('ATTESTATION_UNREADABLE', `${file}: not valid JSON (${read.unreadable})`, { path: file });
  return read;
}

/**
 * A Sigstore bundle kept outside the evidence bundle, as verifyEvidence takes it (`external`): given by the user
 * (--attestation; one that is not JSON is refused, ATTESTATION_UNREADABLE) or delivered by the source (`fromSource`,
 * readSourcedAttestation).
 */
export async function externalAttestation(
  cwd: string,
  file: string,
  fromSource = false,
): Promise<{ json: unknown; bytes: Buffer; uri: string; fromSource?: boolean; unreadable?: string }> {
  if (!fromSource) return { ...(await readAttestation(cwd, file)), uri: file };
  const read = await readSourcedAttestation(cwd, file);
  return 'json' in read
    ? { ...read, uri: file, fromSource }
    : { json: undefined, bytes: read.bytes, unreadable: read.unreadable, uri: file, fromSource };
}

/**
 * A Sigstore bundle a source delivered beside the evidence bundle (a release's NAME.sigstore.json): read as
 * readAttestation reads it (a missing or oversized file is still refused), but bytes that are not JSON are returned
 * with why (`unreadable`) rather than refused: what the source delivered is the evidence under test, and a signature
 * that does not read is a failed verification of it, not input the user got wrong.
 */
export async function readSourcedAttestation(
  cwd: string,
  file: string,
): Promise<{ bytes: Buffer; json: unknown } | { bytes: Buffer; unreadable: string }> {
  const bytes = await readSmallFile(resolve(cwd, file), file, {
    what: 'an attestation',
    max: SMALL_FILE_LIMITS.attestation,
    notFound: (l) => new VerifyError('ATTESTATION_NOT_FOUND', `${l}: no such file`, { path: l }),
  });
  try {
    return { bytes, json: parseJsonStrict(bytes) };
  } catch (e) {
    return { bytes, unreadable: (e as Error).message };
  }
}

/**
 * A private copy in `dir` of a Sigstore bundle given with --attestation, read once and bounded as readAttestation
 * reads it (so a missing or oversized file is named the same way): its path. What is verified from it is what is kept.
 */
export async function attestationCopy(cwd: string, file: string, dir: string): Promise<string> {
  const copy = join(dir, 'attestation.sigstore.json');
  await writeFile(copy, (await readAttestation(cwd, file)).bytes);
  return copy;
}

/** One Sigstore bundle, parsed (verify-attestation). */
export async function readAttestationJson(cwd: string, file: string): Promise<unknown> {
  return readJsonFile(resolve(cwd, file), file, { missing: 'ATTESTATION_NOT_FOUND', bad: 'ATTESTATION_UNREADABLE' });
}

/** gh's attestation bundle files: JSON lines of bundles together (ours: at most 16 + 16 MiB). */
const MAX_BUNDLE_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Sigstore bundles: one JSON document, or JSON lines (`NAME.sigstore.jsonl`), each with its line; `delivered`: lines a
 * source delivered (sigstoreBundleDocuments).
 */
export async function readSigstoreBundles(cwd: string, file: string, delivered = false): Promise<SigstoreLine[]> {
  const bytes = await readSmallFile(resolve(cwd, file), file, {
    what: 'Sigstore bundles',
    max: MAX_BUNDLE_FILE_BYTES,
    notFound: (l) => new VerifyError('ATTESTATION_NOT_FOUND', `${l}: no such file`, { path: l }),
  });
  return sigstoreBundleDocuments(bytes, file, delivered);
}

/** 200 renewals of ~6 KiB tokens in base64, and room. */
const MAX_ARCHIVE_TIMESTAMPS_BYTES = 4 * 1024 * 1024;

/** Archive timestamps (NAME.timestamps.json, docs/bundle-format.md §8); with `optional`, a missing file is undefined. */
export async function readArchiveTimestamps(
  cwd: string,
  file: string,
  optional = false,
): Promise<ArchiveTimestamps | undefined> {
  const missing = Symbol('missing');
  const bytes = await readSmallFile(resolve(cwd, file), file, {
    what: 'archive timestamps',
    max: MAX_ARCHIVE_TIMESTAMPS_BYTES,
    ...(optional ? { notFound: () => missing as never } : {}),
  }).catch((e: unknown) => {
    if (e === missing) return undefined;
    throw e;
  });
  return bytes ? parseArchiveTimestamps(bytes, file) : undefined;
}

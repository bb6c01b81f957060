import { appendAll } from '../core/objects.js';
import type { Readable, Writable } from 'node:stream';
import { readBundle, type BundleContents } from '../core/bundle-reader.js';
import { digestHex, digestsEqual, sha256Hex } from '../core/digest.js';
import { MANIFEST_MEMBER, SUMS_MEMBER, blobMember } from '../core/layout.js';
import { manifestBlobs, type Manifest } from '../core/manifest.js';
import { parseSha256Sums } from '../core/sha256sums.js';
import { VerifyError } from './errors.js';
import { CHECK_ORDER, type Check, type CheckId, type VerifyReport } from './report.js';

export interface SubjectToCheck {
  /** The file as the user named it. */
  file: string;
  /** `sha256:<hex>` of its content, hashed by the caller. */
  digest: string;
}

export interface VerifyBundleOptions {
  /** Release artifacts to check against the manifest's subjects. */
  subjects?: SubjectToCheck[];
  /** The bundle's size in bytes, when known (ReadBundleOptions.size). */
  size?: number;
  /** Receives each verified blob's content (used by extract). */
  blobSink?: (hex: string, size: number) => Writable | undefined;
  /** Keeps the content of small blobs chosen once the manifest is known (attestations). */
  keepBlob?: (hex: string, manifest: Manifest) => boolean | 'reserved';
  /** The most the manifest may declare in blobs (core/bundle-reader.ts DEFAULT_MAX_DECLARED_BYTES). */
  maxDeclaredBytes?: number;
}

export interface VerifyBundleResult {
  report: VerifyReport;
  contents: BundleContents;
}

/**
 * Checks a bundle's integrity in one streaming pass: archive structure,
 * members, manifest, blobs, the manifest↔blob correspondence, SHA256SUMS and
 * any release subjects given. Authenticity (the signature) is the signer
 * issue's concern; this returns the report with the signature check marked
 * as not run, and callers that verify signatures replace it.
 */
export async function verifyBundleIntegrity(
  source: Readable,
  options: VerifyBundleOptions = {},
): Promise<VerifyBundleResult> {
  const contents = await readBundle(source, {
    ...(options.size !== undefined ? { size: options.size } : {}),
    ...(options.blobSink ? { blobSink: options.blobSink } : {}),
    ...(options.keepBlob ? { keepBlob: options.keepBlob } : {}),
    ...(options.maxDeclaredBytes !== undefined ? { maxDeclaredBytes: options.maxDeclaredBytes } : {}),
  });
  const checks: Check[] = contents.findings.map(({ check, ...f }) => ({ id: check, ok: false, ...f }));
  const manifest = contents.manifest;
  if (manifest && contents.complete) {
    appendAll(checks, checkEntries(manifest, contents));
    appendAll(checks, checkSums(manifest, contents));
  }
  if (options.subjects && options.subjects.length > 0) {
    appendAll(checks, checkSubjects(manifest, options.subjects));
  }
  const report: VerifyReport = {
    ok: false,
    mode: 'integrity-only',
    bundle: {
      size: contents.compressedSize,
      ...(contents.bundleHex ? { digest: `sha256:${contents.bundleHex}` } : {}),
      ...(contents.manifestBytes ? { manifestDigest: `sha256:${sha256Hex(contents.manifestBytes)}` } : {}),
      ...(manifest
        ? {
            name: manifest.name,
            version: manifest.version,
            created: manifest.created,
            entries: manifest.entries.length,
            subjects: manifest.subjects.length,
          }
        : {}),
    },
    checks: withPasses(checks, contents, options),
  };
  report.ok = report.checks.every((c) => c.ok || c.skipped);
  return { report, contents };
}

function checkEntries(manifest: Manifest, contents: BundleContents): Check[] {
  const out: Check[] = [];
  for (const blob of manifestBlobs(manifest)) {
    const hex = digestHex(blob.digest);
    if (!contents.blobs.has(hex)) {
      const paths = manifest.entries.filter((e) => e.digest === blob.digest).map((e) => e.path);
      out.push({
        id: 'entries',
        ok: false,
        code: 'BLOB_MISSING',
        message: `no blob holds ${paths.join(', ')} (${blob.digest})`,
        path: paths[0],
        expected: blobMember(hex),
      });
    }
  }
  return out;
}

function checkSums(manifest: Manifest, contents: BundleContents): Check[] {
  if (!contents.sumsBytes) {
    // Present but refused (too large) is reported under members, not as missing.
    if (contents.members.includes(SUMS_MEMBER)) return [];
    return [{ id: 'sha256sums', ok: false, code: 'SUMS_MISSING', message: 'the bundle has no SHA256SUMS' }];
  }
  const parsed = parseSha256Sums(contents.sumsBytes);
  if (!parsed.ok)
    return [
      {
        id: 'sha256sums',
        ok: false,
        code: 'SUMS_MALFORMED',
        message: `SHA256SUMS ${parsed.message}`,
        path: 'SHA256SUMS',
      },
    ];
  const expected = new Map<string, string>();
  if (contents.manifestBytes) expected.set(MANIFEST_MEMBER, sha256Hex(contents.manifestBytes));
  for (const b of manifestBlobs(manifest)) expected.set(blobMember(digestHex(b.digest)), digestHex(b.digest));
  const out: Check[] = [];
  const listed = new Set<string>();
  for (const line of parsed.lines) {
    listed.add(line.path);
    const want = expected.get(line.path);
    if (want === undefined)
      out.push({
        id: 'sha256sums',
        ok: false,
        code: 'SUMS_MISMATCH',
        message: `SHA256SUMS lists '${line.path}', which the bundle should not hold`,
        path: line.path,
      });
    else if (!digestsEqual(want, line.hex))
      out.push({
        id: 'sha256sums',
        ok: false,
        code: 'SUMS_MISMATCH',
        message: `SHA256SUMS gives '${line.path}' another digest`,
        path: line.path,
        expected: want,
        found: line.hex,
      });
  }
  for (const path of expected.keys()) {
    if (!listed.has(path))
      out.push({
        id: 'sha256sums',
        ok: false,
        code: 'SUMS_MISMATCH',
        message: `SHA256SUMS does not list '${path}'`,
        path,
      });
  }
  return out;
}

/**
 * Whether each release artifact asked about is covered: among the subjects,
 * by digest. A failure here says the bundle is not about that file, not that
 * the bundle is not authentic (assessment.ts keeps the two apart); a subject
 * of the same name with other bytes does not cover it either.
 */
function checkSubjects(manifest: Manifest | undefined, subjects: SubjectToCheck[]): Check[] {
  return subjects.map((s): Check => {
    if (!manifest)
      return {
        id: 'subjects',
        ok: false,
        code: 'SUBJECT_NOT_CHECKED',
        message: `${s.file}: no valid manifest to check it against`,
        path: s.file,
      };
    const match = manifest.subjects.find((m) => digestsEqual(m.digest, s.digest));
    if (match)
      return {
        id: 'subjects',
        ok: true,
        message: `${s.file} is the release subject '${match.name}'`,
        path: s.file,
        found: s.digest,
      };
    const base = s.file.split(/[\\/]/).pop();
    const sameName = manifest.subjects.find((m) => m.name === s.file || m.name.split('/').pop() === base);
    if (sameName) {
      return {
        id: 'subjects',
        ok: false,
        code: 'SUBJECT_DIGEST_MISMATCH',
        message: `${s.file} is not covered: the release subject '${sameName.name}' has that name but other bytes`,
        path: s.file,
        expected: sameName.digest,
        found: s.digest,
      };
    }
    return {
      id: 'subjects',
      ok: false,
      code: 'SUBJECT_NOT_IN_MANIFEST',
      message: `${s.file} is not covered: it is not among the bundle's release subjects`,
      path: s.file,
      found: s.digest,
    };
  });
}

const PASS_MESSAGES: Record<
  Exclude<
    CheckId,
    | 'subjects'
    | 'signature'
    | 'identity'
    | 'statement'
    | 'attestations'
    | 'standard'
    | 'renewal'
    | 'vulnerabilities'
    | 'release'
    | 'predicate'
  >,
  (c: BundleContents) => string
> = {
  archive: (c) => `gzip and tar are well formed (${c.compressedSize} bytes, nothing after the end)`,
  members: (c) => `${c.members.length} members, all regular files with allowed names, in order`,
  manifest: () => 'manifest.json is valid, canonical and of format version 1',
  blobs: (c) => `${c.blobs.size} blobs match their names and declared sizes`,
  entries: (c) => `every entry has its blob and every blob an entry (${c.manifest?.entries.length ?? 0} entries)`,
  sha256sums: () => 'SHA256SUMS agrees with the manifest and blobs',
};

/** Adds one passing check for each area with no failure, in report order. */
function withPasses(failed: Check[], contents: BundleContents, options: VerifyBundleOptions): Check[] {
  const out: Check[] = [];
  const reached = contents.complete && contents.manifest !== undefined;
  for (const id of CHECK_ORDER) {
    const mine = failed.filter((c) => c.id === id);
    if (id === 'signature') {
      out.push({
        id,
        ok: false,
        skipped: true,
        code: 'SIGNATURE_NOT_CHECKED',
        message: 'integrity only: the signature and signer were not checked',
      });
      continue;
    }
    if (id === 'subjects') {
      if (!options.subjects?.length) {
        out.push({
          id,
          ok: false,
          skipped: true,
          code: 'NO_SUBJECTS_GIVEN',
          message: 'no release artifact was given to check (--subject)',
        });
      }
      appendAll(out, mine);
      continue;
    }
    const checked =
      id === 'archive' ? contents.complete : id === 'manifest' ? contents.manifest !== undefined : reached;
    if (mine.length > 0) appendAll(out, mine);
    else if (checked) out.push({ id, ok: true, message: PASS_MESSAGES[id](contents) });
    else
      out.push({
        id,
        ok: false,
        skipped: true,
        code: 'NOT_REACHED',
        message: 'not checked: reading stopped before this could be checked',
      });
  }
  return out;
}

/** What the integrity gate hands on: a bundle whose manifest was read and whose every check passed. */
export interface IntactBundle {
  report: VerifyReport;
  contents: BundleContents & { manifest: Manifest; manifestBytes: Buffer };
  /** `sha256:<hex>` of the compressed bundle, and its size. */
  digest: string;
  size: number;
  manifestDigest: string;
}

/**
 * The rule every command that acts on a bundle applies first (sign, attach,
 * push, diff): the bundle must pass its integrity check, or nothing is
 * signed, published or compared. Fails with `BUNDLE_INVALID` (exit 1, a
 * verdict on the file) naming the bundle (`label`, default its path), what
 * was refused, and the first failed checks.
 */
export async function requireIntegrity(
  source: Readable,
  path: string,
  refused: string,
  options: Pick<VerifyBundleOptions, 'keepBlob'> & { label?: string } = {},
): Promise<IntactBundle> {
  const label = options.label ?? path;
  const { report, contents } = await verifyBundleIntegrity(
    source,
    options.keepBlob ? { keepBlob: options.keepBlob } : {},
  );
  const { manifest, manifestBytes } = contents;
  if (!report.ok || !manifest || !manifestBytes || !report.bundle.digest || !report.bundle.manifestDigest) {
    const failed = report.checks.filter((c) => !c.ok && !c.skipped);
    const why = failed.slice(0, 3).map((c) => `${c.code ? `[${c.code}] ` : ''}${c.message}`);
    if (failed.length > 3) why.push(`and ${failed.length - 3} more`);
    throw new VerifyError(
      'BUNDLE_INVALID',
      `${label}: fails its integrity check (${why.join('; ') || 'no readable manifest'}); ${refused}`,
      { path },
    );
  }
  return {
    report,
    contents: { ...contents, manifest, manifestBytes },
    digest: report.bundle.digest,
    size: report.bundle.size,
    manifestDigest: report.bundle.manifestDigest,
  };
}

import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar, { type Header } from 'tar-stream';
import { digestHex, digestsEqual } from './digest.js';
import { HashingCounter } from './hash-stream.js';
import {
  GUNZIP_CHUNK_BYTES,
  MAX_ATTESTATION_BYTES,
  MAX_STANDARD_ATTESTATIONS_BYTES,
  MAX_MANIFEST_BYTES,
  LEGACY_ROLE_ORDER,
  ROLE_ORDER,
  TAR_OVERHEAD_PER_MEMBER,
  TAR_TRAILER_ALLOWANCE,
  memberRole,
  type MemberRole,
} from './layout.js';
import { manifestBlobs, parseManifest, type Manifest } from './manifest.js';
import type { BundleContents, Finding } from './bundle-contents.js';
import { CompressedCounter, DecompressedMeter, classify, memberProblem, pad512 } from './tar-framing.js';

// What reading yields and the tar framing live in bundle-contents.ts and tar-framing.ts; they stay importable from
// here.
export {
  READ_FINDING_CODES,
  type BlobSeen,
  type BundleContents,
  type Finding,
  type ReadCheck,
  type ReadFindingCode,
} from './bundle-contents.js';
export type { FramingProblem } from './tar-framing.js';

export interface ReadBundleOptions {
  /**
   * The bundle's size in bytes, when known: one under SMALL_BUNDLE_BYTES is decompressed in 16 KiB chunks, not 1 MiB
   * (a 1 MiB buffer outside the heap for each of many small bundles, in an audit or an index run, kept the garbage
   * collector busy; a large bundle reads faster in 1 MiB chunks).
   */
  size?: number;
  /** Where to send a blob's content (extraction); undefined discards it. */
  blobSink?: (hex: string, size: number) => Writable | undefined;
  /** Stop once the manifest is read (inspect). */
  manifestOnly?: boolean;
  /** Blobs to keep in memory (small ones, such as attestations), chosen once the manifest is known. */
  /**
   * `'reserved'`: kept from a budget of its own (RESERVED_KEPT_BYTES), so that other kept blobs cannot crowd it out.
   */
  keepBlob?: (hex: string, manifest: Manifest) => boolean | 'reserved';
  /**
   * The most the blobs a manifest declares may add up to, checked before
   * any blob is read (default DEFAULT_MAX_DECLARED_BYTES): the declared
   * sizes bound how much is decompressed, so a lie must not buy hours.
   */
  maxDeclaredBytes?: number;
}

/**
 * Below this size (compressed) a bundle is decompressed in 16 KiB chunks (ReadBundleOptions.size): each chunk is a
 * buffer outside the heap, and one of 64 KiB for a bundle of a few kilobytes was most of what an audit of many small
 * bundles left for the garbage collector.
 */
export const SMALL_BUNDLE_BYTES = 256 * 1024;

/** 8 GiB: far above any evidence bundle seen, and read in seconds if a bundle lies. */
export const DEFAULT_MAX_DECLARED_BYTES = 8 * 1024 * 1024 * 1024;

class Stop extends Error {}

/** What all kept blobs together may hold in memory; beyond it they are not kept (and reported unread). */
export const MAX_KEPT_BYTES = 64 * 1024 * 1024;
/**
 * Kept blobs asked for as 'reserved' (the blobs the standard statements restate: at most 8 MiB,
 * formats/standard-statements.ts), beside MAX_KEPT_BYTES.
 */
export const RESERVED_KEPT_BYTES = 8 * 1024 * 1024;

/** What readBundle keeps between tar members while it reads one stream. */
interface ReadState {
  readonly options: ReadBundleOptions;
  readonly result: BundleContents;
  readonly meter: DecompressedMeter;
  readonly add: (f: Finding) => void;
  readonly seen: Set<string>;
  /** Each member's header offset, as result.members. */
  readonly memberOffsets: number[];
  expectedBlobs: Map<string, number> | undefined;
  lastRank: number;
  lastBlob: string;
  /** What reserved kept blobs hold so far. */
  reservedBytes: number;
  /** The member order this bundle follows, once its first attestation or blob tells. */
  order?: Record<MemberRole, number>;
  /** Where the next member's header should start. */
  accounted: number;
  /** All kept blobs together stay under MAX_KEPT_BYTES. */
  keptBytes: number;
}

/**
 * Reads a bundle in one streaming pass, treating every byte as hostile: it
 * never writes anywhere but to the sink it is given, holds at most the
 * manifest, SHA256SUMS and attestation in memory, and bounds decompression by
 * what the manifest declares. It reports findings instead of throwing.
 */
export async function readBundle(source: Readable, options: ReadBundleOptions = {}): Promise<BundleContents> {
  const compressed = new CompressedCounter();
  const small = options.size !== undefined && options.size < SMALL_BUNDLE_BYTES;
  const gunzip = createGunzip({ chunkSize: small ? 16 * 1024 : GUNZIP_CHUNK_BYTES });
  const meter = new DecompressedMeter();
  const extract = tar.extract();
  const state = newReadState(options, meter);
  const { result } = state;
  let stopped = false;

  const piping = pipeline(source, compressed, gunzip, meter, extract).then(
    () => undefined,
    (e: unknown) => e,
  );

  try {
    for await (const source of extract) {
      // streamx streams: interchangeable with node:stream at run time.
      await readMember(state, source as unknown as Readable, source.header, source.offset);
    }
    const err = await piping;
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- the pipeline's own failure, rethrown as it came for the catch below to classify
    if (err) throw err;
    result.complete = true;
  } catch (e) {
    if (e instanceof Stop) {
      stopped = true;
      extract.destroy();
      await piping;
    } else {
      state.add(classify(e, await piping, compressed.startsAsGzip()));
    }
  }

  reportFramingProblems(state);
  result.compressedSize = compressed.bytes;
  result.bundleHex = stopped || !result.complete ? '' : compressed.digestHex();
  if (result.complete) checkArchiveEnd(state, compressed, gunzip.bytesWritten);
  if (!result.manifestBytes && !result.findings.some((f) => f.check === 'archive')) {
    state.add({ check: 'manifest', code: 'MANIFEST_MISSING', message: 'the bundle has no manifest.json' });
  }
  return result;
}

/** An empty result, and the state readBundle starts reading with. */
function newReadState(options: ReadBundleOptions, meter: DecompressedMeter): ReadState {
  const findings: Finding[] = [];
  const result: BundleContents = {
    findings,
    complete: false,
    bundleHex: '',
    compressedSize: 0,
    members: [],
    blobs: new Map(),
    kept: new Map(),
  };
  return {
    options,
    result,
    meter,
    add: (f: Finding): void => {
      findings.push(f);
    },
    seen: new Set<string>(),
    memberOffsets: [],
    expectedBlobs: undefined,
    lastRank: -1,
    lastBlob: '',
    reservedBytes: 0,
    accounted: 0,
    keptBytes: 0,
  };
}

/** Checks one tar member's header, name and place, then reads it by its role. */
async function readMember(state: ReadState, entry: Readable, h: Header, offset: number): Promise<void> {
  const { add, result } = state;
  const name = h.name;
  result.members.push(name);
  state.memberOffsets.push(offset);
  const problem = memberProblem(h);
  // tar-stream consumes GNU long-name and PAX headers without showing them;
  // they move a member's header away from where the previous member ended.
  if (!problem && offset !== state.accounted) {
    add({
      check: 'members',
      code: 'HIDDEN_TAR_HEADER',
      message: `'${name}' is preceded by ${offset - state.accounted} bytes of extension headers (GNU long name or PAX); bundles never need them`,
      path: name,
    });
  }
  state.accounted = offset + 512 + pad512(h.size ?? 0);
  if (problem) {
    add({ check: 'members', ...problem, path: name });
    await drain(entry);
    return;
  }
  if (state.seen.has(name)) {
    add({ check: 'members', code: 'DUPLICATE_MEMBER', message: `'${name}' appears more than once`, path: name });
    await drain(entry);
    return;
  }
  state.seen.add(name);
  const role = memberRole(name) as MemberRole;
  checkMemberOrder(state, name, role);
  const size = h.size ?? 0;
  if (role === 'manifest') await readManifestMember(state, entry, name, size);
  else if (role === 'sums' || role === 'attestation' || role === 'standard')
    await readSmallMember(state, entry, name, size, role);
  else await readBlobMember(state, entry, name, size);
}

/** The manifest must come first, then the members in ROLE_ORDER, blobs sorted by name. */
function checkMemberOrder(state: ReadState, name: string, role: MemberRole): void {
  const { add, result } = state;
  if (result.members.length === 1 && role !== 'manifest') {
    add({
      check: 'members',
      code: 'MANIFEST_NOT_FIRST',
      message: `the first member is '${name}', not manifest.json: nothing can be bounded or checked without it`,
      path: name,
    });
    throw new Stop();
  }
  // An attestation before any blob: a bundle written before the attestations moved to the end.
  if (state.order === undefined && (role === 'attestation' || role === 'standard') && state.lastBlob === '')
    state.order = LEGACY_ROLE_ORDER;
  if (state.order === undefined && role === 'blob') state.order = ROLE_ORDER;
  const rank = (state.order ?? ROLE_ORDER)[role];
  if (rank < state.lastRank || (role === 'blob' && name <= state.lastBlob && state.lastRank === rank)) {
    add({
      check: 'members',
      code: 'MEMBER_ORDER',
      message: `'${name}' is out of the bundle's member order`,
      path: name,
    });
  }
  state.lastRank = Math.max(state.lastRank, rank);
}

/** Reads and parses manifest.json, then bounds the rest of the stream by what it declares. */
async function readManifestMember(state: ReadState, entry: Readable, name: string, size: number): Promise<void> {
  const { add, result, options } = state;
  if (size > MAX_MANIFEST_BYTES) {
    add({
      check: 'manifest',
      code: 'MANIFEST_TOO_LARGE',
      message: `manifest.json is ${size} bytes; at most ${MAX_MANIFEST_BYTES} are read`,
      path: name,
    });
    throw new Stop();
  }
  const bytes = await readAll(entry);
  result.manifestBytes = bytes;
  const parsed = parseManifest(bytes);
  if (!parsed.ok) {
    result.manifestIssues = parsed.issues;
    for (const issue of parsed.issues)
      add({
        check: 'manifest',
        code: parsed.code,
        message: `manifest.json ${issue.path}: ${issue.message}`,
        path: issue.path,
      });
    // Without a valid manifest nothing bounds the rest: stop here.
    throw new Stop();
  }
  if (!parsed.canonical) {
    add({
      check: 'manifest',
      code: 'MANIFEST_NOT_CANONICAL',
      message: 'manifest.json is not in canonical JSON form (sorted keys, no white space, no duplicate keys)',
      path: name,
    });
  }
  result.manifest = parsed.manifest;
  if (options.manifestOnly) throw new Stop();
  const blobs = manifestBlobs(parsed.manifest);
  state.expectedBlobs = new Map(blobs.map((b) => [digestHex(b.digest), b.size]));
  const blobBytes = blobs.reduce((n, b) => n + b.size, 0);
  const cap = options.maxDeclaredBytes ?? DEFAULT_MAX_DECLARED_BYTES;
  if (blobBytes > cap) {
    add({
      check: 'manifest',
      code: 'DECLARED_SIZE_TOO_LARGE',
      message: `the manifest declares ${blobBytes} bytes of blobs, more than the ${cap} this reader accepts (raise it with --max-bundle-size if the bundle is really that large)`,
      path: 'manifest.json',
      expected: `at most ${cap}`,
      found: String(blobBytes),
    });
    throw new Stop();
  }
  state.meter.limit =
    pad512(bytes.length) +
    sumsLimit(blobs.length) +
    MAX_ATTESTATION_BYTES +
    MAX_STANDARD_ATTESTATIONS_BYTES +
    blobBytes +
    TAR_OVERHEAD_PER_MEMBER * (blobs.length + 4) +
    TAR_TRAILER_ALLOWANCE;
}

/** Reads SHA256SUMS or the attestation into memory, within its size limit. */
async function readSmallMember(
  state: ReadState,
  entry: Readable,
  name: string,
  size: number,
  role: 'sums' | 'attestation' | 'standard',
): Promise<void> {
  const limit =
    role === 'sums'
      ? sumsLimit(state.expectedBlobs?.size ?? 0)
      : role === 'standard'
        ? MAX_STANDARD_ATTESTATIONS_BYTES
        : MAX_ATTESTATION_BYTES;
  if (size > limit) {
    state.add({
      check: 'members',
      code: 'MEMBER_TOO_LARGE',
      message: `'${name}' is ${size} bytes; at most ${limit} are expected`,
      path: name,
    });
    await drain(entry);
    return;
  }
  const bytes = await readAll(entry);
  if (role === 'sums') state.result.sumsBytes = bytes;
  else if (role === 'standard') state.result.standardBytes = bytes;
  else state.result.attestationBytes = bytes;
}

/** Streams one blob through a hash (and to its sink, or into memory when kept), checking it against the manifest. */
async function readBlobMember(state: ReadState, entry: Readable, name: string, size: number): Promise<void> {
  const { add, result, options } = state;
  const hex = name.slice(name.lastIndexOf('/') + 1);
  state.lastBlob = name;
  const declared = state.expectedBlobs?.get(hex);
  if (declared === undefined) {
    add({
      check: 'blobs',
      code: 'BLOB_UNREFERENCED',
      message: `'${name}' is not referenced by any manifest entry`,
      path: name,
    });
  } else if (declared !== size) {
    add({
      check: 'blobs',
      code: 'BLOB_SIZE_MISMATCH',
      message: `'${name}' is ${size} bytes; the manifest says ${declared}`,
      path: name,
      expected: String(declared),
      found: String(size),
    });
  }
  const counter = new HashingCounter();
  const sink = declared !== undefined && declared === size ? options.blobSink?.(hex, size) : undefined;
  const wanted =
    declared !== undefined && declared === size && size <= MAX_ATTESTATION_BYTES && result.manifest
      ? options.keepBlob?.(hex, result.manifest)
      : false;
  const keep =
    wanted === 'reserved'
      ? state.reservedBytes + size <= RESERVED_KEPT_BYTES
      : wanted === true && state.keptBytes + size <= MAX_KEPT_BYTES;
  if (keep && wanted === 'reserved') state.reservedBytes += size;
  else if (keep) state.keptBytes += size;
  const chunks: Buffer[] = [];
  if (keep) counter.on('data', (c: Buffer) => chunks.push(c));
  if (sink) await pipeline(entry, counter, sink);
  else {
    if (!keep) counter.resume();
    await pipeline(entry, counter);
  }
  const foundHex = counter.digestHex();
  const ok = digestsEqual(foundHex, hex) && declared === size;
  if (!digestsEqual(foundHex, hex)) {
    add({
      check: 'blobs',
      code: 'BLOB_DIGEST_MISMATCH',
      message: `'${name}' does not hash to its name`,
      path: name,
      expected: `sha256:${hex}`,
      found: `sha256:${foundHex}`,
    });
  }
  result.blobs.set(hex, { size: counter.bytes, foundHex, ok });
  if (keep && ok) result.kept.set(hex, Buffer.concat(chunks));
}

/**
 * What the framing saw that tar-stream does not show: headers GNU tar would
 * refuse, and data hidden in padding.
 */
function reportFramingProblems(state: ReadState): void {
  const { add, result } = state;
  for (const p of state.meter.problems) {
    const name = result.members[state.memberOffsets.indexOf(p.header)];
    const where = name ?? `the member header at offset ${p.header}`;
    if (p.kind === 'header')
      add({
        check: 'members',
        code: 'TAR_HEADER_INVALID',
        message: `${where}: ${p.message}; GNU tar refuses this header`,
        path: name ?? `offset ${p.header}`,
      });
    else
      add({
        check: 'archive',
        code: 'TAR_PADDING_NOT_ZERO',
        message: `${p.message} (before ${where})`,
        ...(name ? { path: name } : {}),
      });
  }
}

/**
 * Once the whole stream was read: nothing after the gzip stream, and only the end-of-archive record after the last
 * member.
 */
function checkArchiveEnd(state: ReadState, compressed: CompressedCounter, gunzipBytesWritten: number): void {
  const { add, meter, accounted } = state;
  if (gunzipBytesWritten < compressed.bytes) {
    add({
      check: 'archive',
      code: 'TRAILING_GARBAGE',
      message: `${compressed.bytes - gunzipBytesWritten} bytes follow the end of the gzip stream`,
    });
  }
  // The end-of-archive record (two zero blocks) must be there: without it the tar was cut at a member boundary.
  if (meter.bytes < accounted + 1024) {
    add({
      check: 'archive',
      code: 'ARCHIVE_TRUNCATED',
      message: 'the tar stream ends without its end-of-archive record',
    });
  }
  // Everything after the last member must be the zero end-of-archive record.
  if (meter.lastNonZero >= accounted) {
    add({
      check: 'archive',
      code: 'HIDDEN_TAR_HEADER',
      message: 'the tar stream holds headers or data after its last member',
    });
  }
}

function sumsLimit(blobCount: number): number {
  // '<64 hex>  blobs/sha256/<64 hex>\n' per blob and one for manifest.json, plus
  // room for a forged line or two to be read and reported as a mismatch.
  return (64 + 2 + 13 + 64 + 1) * (blobCount + 1) + 64 * 1024;
}

async function readAll(entry: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of entry) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function drain(entry: Readable): Promise<void> {
  entry.resume();
  await new Promise<void>((resolve, reject) => {
    entry.once('end', resolve);
    entry.once('error', reject);
  });
}

/**
 * Builders for hostile-bundle tests: a valid baseline written by the real
 * writer, and raw tar/gzip construction for everything the writer (or
 * tar-stream) would refuse to produce. Nothing here is clever: each header is
 * laid out byte by byte as POSIX ustar (or GNU) defines it, so a test can
 * break exactly one thing.
 */
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tar, { type Header } from 'tar-stream';
import { bufferSource, writeBundle, type BlobSource } from '../../src/core/bundle-writer.js';
import { canonicalBytes } from '../../src/core/canonical-json.js';
import { sha256Hex } from '../../src/core/digest.js';
import { ATTESTATION_MEMBER, BLOB_PREFIX, MANIFEST_MEMBER, SUMS_MEMBER } from '../../src/core/layout.js';
import {
  MANIFEST_FORMAT_VERSION,
  MANIFEST_MEDIA_TYPE,
  type Manifest,
  type ManifestEntry,
} from '../../src/core/manifest.js';
import { formatSha256Sums } from '../../src/core/sha256sums.js';

export const MTIME = new Date('2024-05-01T12:00:00Z');

/** Three pieces of evidence, two logical paths sharing one blob. */
export const CONTENTS = {
  notes: Buffer.from('# Release notes\n\nNothing to see here.\n'),
  report: Buffer.from('<testsuites tests="1"><testsuite tests="1"/></testsuites>\n'),
};

function fileEntry(path: string, kind: string, bytes: Buffer): ManifestEntry {
  return {
    path,
    kind,
    mediaType: 'application/octet-stream',
    digest: `sha256:${sha256Hex(bytes)}`,
    size: bytes.length,
    collector: { name: 'file', version: '1.0.0' },
    summary: {},
  };
}

/** A manifest as plain JSON-compatible data, so tests can deface it freely. */
export function baselineManifest(): Manifest {
  const entries = [
    fileEntry('release-notes/CHANGES.md', 'release-notes', CONTENTS.notes),
    fileEntry('release-notes/COPY.md', 'release-notes', CONTENTS.notes),
    fileEntry('test-report/report.xml', 'test-report', CONTENTS.report),
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    mediaType: MANIFEST_MEDIA_TYPE,
    formatVersion: MANIFEST_FORMAT_VERSION,
    name: 'hostile-fixture',
    version: '1.0.0',
    created: '2024-05-01T12:00:00Z',
    generator: { name: 'craft', version: '0.0.0' },
    source: { repository: 'https://example.invalid/repo' },
    entries,
    subjects: [],
  };
}

/** Blob content by hex digest, for the baseline manifest. */
export function baselineBlobs(): Map<string, Buffer> {
  const map = new Map<string, Buffer>();
  for (const b of Object.values(CONTENTS)) map.set(sha256Hex(b), b);
  return map;
}

/** The baseline bundle exactly as the real writer produces it. */
export async function writeBaseline(options: { attestation?: Uint8Array } = {}): Promise<Buffer> {
  const blobs = new Map<string, BlobSource>();
  for (const [hex, bytes] of baselineBlobs()) blobs.set(hex, bufferSource(bytes, `fixture:${hex.slice(0, 8)}`));
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  await writeBundle(
    {
      manifest: baselineManifest(),
      blobs,
      mtime: MTIME,
      ...(options.attestation ? { attestation: options.attestation } : {}),
    },
    out,
  );
  return Buffer.concat(chunks);
}

// ---------------------------------------------------------------------------
// Raw ustar headers

/** Typeflags by name; anything else can be given as a one-character string. */
export const TYPEFLAG = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  directory: '5',
  fifo: '6',
  contiguous: '7',
  pax: 'x',
  paxGlobal: 'g',
  gnuLongName: 'L',
  gnuLongLink: 'K',
} as const;

export interface RawHeader {
  name: string;
  /** The size field's value; a Buffer of 12 bytes is written as-is (e.g. base-256). */
  size: number | Buffer;
  typeflag?: string;
  linkname?: string;
  prefix?: string;
  mode?: number;
  mtime?: number;
  /** 'ustar' (POSIX, default) or 'gnu' ("ustar  \0"). */
  magic?: 'ustar' | 'gnu';
  /** Overrides the computed checksum (to write a wrong one). */
  checksum?: number;
  devmajor?: number;
  devminor?: number;
}

function octal(value: number, width: number): string {
  // width includes the terminating NUL
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** One 512-byte ustar header, laid out by hand. */
export function ustarHeader(h: RawHeader): Buffer {
  const buf = Buffer.alloc(512);
  const name = Buffer.from(h.name, 'utf8');
  if (name.length > 100) throw new Error(`craft: name '${h.name}' needs a GNU long-name header`);
  name.copy(buf, 0);
  buf.write(octal(h.mode ?? 0o644, 8), 100, 'ascii');
  buf.write(octal(0, 8), 108, 'ascii'); // uid
  buf.write(octal(0, 8), 116, 'ascii'); // gid
  if (Buffer.isBuffer(h.size)) {
    if (h.size.length !== 12) throw new Error('craft: a raw size field is 12 bytes');
    h.size.copy(buf, 124);
  } else buf.write(octal(h.size, 12), 124, 'ascii');
  buf.write(octal(h.mtime ?? Math.floor(MTIME.getTime() / 1000), 12), 136, 'ascii');
  buf.write(h.typeflag ?? TYPEFLAG.file, 156, 'ascii');
  if (h.linkname) buf.write(h.linkname, 157, 'utf8');
  if (h.magic === 'gnu') buf.write('ustar  \0', 257, 'ascii');
  else buf.write('ustar\x0000', 257, 'ascii');
  buf.write(octal(h.devmajor ?? 0, 8), 329, 'ascii');
  buf.write(octal(h.devminor ?? 0, 8), 337, 'ascii');
  if (h.prefix) buf.write(h.prefix, 345, 'utf8');
  buf.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of buf) sum += byte;
  buf.write(octal(h.checksum ?? sum, 7) + ' ', 148, 'ascii');
  return buf;
}

/** A size field in GNU base-256 form (0x80 marker, big-endian value). */
export function base256Size(value: bigint): Buffer {
  const field = Buffer.alloc(12);
  let v = value;
  for (let i = 11; i > 0; i--) {
    field[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  field[0] = 0x80;
  return field;
}

const padding = (n: number): Buffer => Buffer.alloc((512 - (n % 512)) % 512);

/** A tar member: a header, then the body padded to a 512-byte boundary. */
export interface Member {
  name: string;
  body?: Buffer;
  /** Header fields beyond name and size; `size` here makes the header lie. */
  header?: Partial<RawHeader>;
  /** Bytes placed verbatim before this member's header (extension headers, junk). */
  before?: Buffer;
}

export function member(name: string, body: Buffer | string = Buffer.alloc(0), header: Partial<RawHeader> = {}): Member {
  return { name, body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), header };
}

/** A raw record (header + padded body) for an extension header such as 'L', 'x' or 'g'. */
export function extensionRecord(typeflag: string, body: Buffer, name = '././@LongLink'): Buffer {
  return Buffer.concat([
    ustarHeader({ name, size: body.length, typeflag, magic: typeflag === 'L' || typeflag === 'K' ? 'gnu' : 'ustar' }),
    body,
    padding(body.length),
  ]);
}

/** A PAX record body: `<len> <key>=<value>\n` lines. */
export function paxBody(fields: Record<string, string>): Buffer {
  let out = '';
  for (const [k, v] of Object.entries(fields)) {
    const rest = ` ${k}=${v}\n`;
    let len = rest.length + 1;
    while (String(len).length + rest.length !== len) len = String(len).length + rest.length;
    out += `${len}${rest}`;
  }
  return Buffer.from(out, 'utf8');
}

export function memberBytes(m: Member): Buffer {
  const body = m.body ?? Buffer.alloc(0);
  const header = ustarHeader({ name: m.name, size: body.length, ...m.header });
  return Buffer.concat([m.before ?? Buffer.alloc(0), header, body, padding(body.length)]);
}

export const END_OF_ARCHIVE = Buffer.alloc(1024);

/** A whole tar: members, then (unless told otherwise) the two zero blocks. */
export function tarOf(members: Member[], options: { trailer?: Buffer } = {}): Buffer {
  return Buffer.concat([...members.map(memberBytes), options.trailer ?? END_OF_ARCHIVE]);
}

export function gzip(bytes: Buffer): Buffer {
  return gzipSync(bytes, { level: 6 });
}

// ---------------------------------------------------------------------------
// The parts of a bundle, to rearrange

export function sumsFor(manifestBytes: Buffer, blobHexes: Iterable<string>): Buffer {
  return formatSha256Sums([
    { hex: sha256Hex(manifestBytes), path: MANIFEST_MEMBER },
    ...[...blobHexes].map((hex) => ({ hex, path: `${BLOB_PREFIX}${hex}` })),
  ]);
}

export interface Parts {
  manifestBytes: Buffer;
  sums: Buffer;
  /** Blob members sorted by hex. */
  blobs: { hex: string; body: Buffer }[];
}

/**
 * The members of a bundle for a (possibly defaced) manifest: by default the
 * manifest is the canonical baseline, blobs are the baseline's, and
 * SHA256SUMS is made to agree with whatever manifest bytes are used, so a
 * test breaks exactly the thing it means to.
 */
export function parts(
  options: { manifest?: unknown; manifestBytes?: Buffer; blobs?: Map<string, Buffer> } = {},
): Parts {
  const manifestBytes = options.manifestBytes ?? canonicalBytes(options.manifest ?? baselineManifest());
  const blobMap = options.blobs ?? baselineBlobs();
  const blobs = [...blobMap.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([hex, body]) => ({ hex, body }));
  return {
    manifestBytes,
    sums: sumsFor(
      manifestBytes,
      blobs.map((b) => b.hex),
    ),
    blobs,
  };
}

/** Members in bundle order for the given parts. */
export function membersOf(p: Parts, options: { attestation?: Buffer } = {}): Member[] {
  return [
    member(MANIFEST_MEMBER, p.manifestBytes),
    member(SUMS_MEMBER, p.sums),
    ...(options.attestation ? [member(ATTESTATION_MEMBER, options.attestation)] : []),
    ...p.blobs.map((b) => member(`${BLOB_PREFIX}${b.hex}`, b.body)),
  ];
}

/** A hand-built bundle from members: tar, then gzip. */
export function bundleOf(members: Member[], options: { trailer?: Buffer } = {}): Buffer {
  return gzip(tarOf(members, options));
}

// ---------------------------------------------------------------------------
// tar-stream, for what it does write (PAX headers)

export async function packWithTarStream(
  entries: { header: Partial<Header> & { name: string }; body: Buffer }[],
): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const e of entries) {
    await new Promise<void>((resolve, reject) => {
      pack.entry({ mode: 0o644, mtime: MTIME, ...e.header, size: e.body.length }, e.body, (err) =>
        err ? reject(err) : resolve(),
      );
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/**
 * A Sigstore bundle by its schema (a message signature by a key), which verifies against nothing: no key is given
 * for it, and its signature is made-up bytes. For what happens to a bundle that is read and does not verify.
 */
export function unverifiableSigstoreBundle(): Record<string, unknown> {
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { hint: 'k' }, tlogEntries: [] },
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: Buffer.alloc(32, 1).toString('base64') },
      signature: Buffer.alloc(64, 2).toString('base64'),
    },
  };
}

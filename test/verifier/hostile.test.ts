/**
 * Hostile bundles: each case crafts one malformed or malicious .tar.gz and
 * checks that verification returns (never throws, never hangs) with
 * report.ok === false and the expected finding code among the failed checks.
 * Codes are asserted, never message text. A representative subset is also
 * run through `extract`, which must leave nothing behind.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extract } from '../../src/commands/extract.js';
import { canonicalBytes } from '../../src/core/canonical-json.js';
import { sha256Hex } from '../../src/core/digest.js';
import {
  ATTESTATION_MEMBER,
  BLOB_PREFIX,
  MANIFEST_MEMBER,
  MAX_ATTESTATION_BYTES,
  MAX_MANIFEST_BYTES,
  STANDARD_MEMBER,
  SUMS_MEMBER,
} from '../../src/core/layout.js';
import type { Manifest } from '../../src/core/manifest.js';
import type { VerifyReport } from '../../src/verifier/report.js';
import { verifyBundleIntegrity, type VerifyBundleResult } from '../../src/verifier/verify-bundle.js';
import {
  CONTENTS,
  END_OF_ARCHIVE,
  TYPEFLAG,
  base256Size,
  baselineManifest,
  bundleOf,
  extensionRecord,
  gzip,
  member,
  membersOf,
  packWithTarStream,
  parts,
  paxBody,
  sumsFor,
  tarOf,
  writeBaseline,
  type Member,
} from '../helpers/craft.js';

/** Verification must come back well inside the test timeout. */
const DEADLINE_MS = 20_000;
const TEST_TIMEOUT_MS = 40_000;

const NOTES_HEX = sha256Hex(CONTENTS.notes);
const REPORT_HEX = sha256Hex(CONTENTS.report);
const blobName = (hex: string): string => `${BLOB_PREFIX}${hex}`;

async function withinDeadline<T>(work: Promise<T>, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${label}: verification did not return within ${DEADLINE_MS} ms`)),
      DEADLINE_MS,
    );
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function verify(bytes: Buffer, label = 'bundle'): Promise<VerifyBundleResult> {
  // Several chunks, so members straddle reads as they do from a file.
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 64 * 1024) chunks.push(bytes.subarray(i, i + 64 * 1024));
  return withinDeadline(verifyBundleIntegrity(Readable.from(chunks)), label);
}

function failedCodes(report: VerifyReport): string[] {
  return report.checks.filter((c) => !c.ok && !c.skipped).map((c) => c.code ?? '<no code>');
}

// ---------------------------------------------------------------------------
// Shared building blocks

const defaced = (edit: (m: Manifest & Record<string, unknown>) => void): Buffer => {
  const m = structuredClone(baselineManifest()) as Manifest & Record<string, unknown>;
  edit(m);
  return bundleOf(membersOf(parts({ manifest: m })));
};

/** The baseline's members, edited by `edit`, then tarred and gzipped. */
const rearranged = (edit: (members: Member[]) => Member[], options: { trailer?: Buffer } = {}): Buffer =>
  bundleOf(edit(membersOf(parts())), options);

/** Inserts `extra` before the first member matching `at` (or at the end). */
const insertBefore = (members: Member[], at: (m: Member) => boolean, ...extra: Member[]): Member[] => {
  const i = members.findIndex(at);
  const out = [...members];
  out.splice(i < 0 ? out.length : i, 0, ...extra);
  return out;
};

const isBlob = (m: Member): boolean => m.name.startsWith(BLOB_PREFIX);

/** A manifest with one entry of `size` bytes whose digest is `hex`, and SHA256SUMS to match. */
function oneBlobManifest(hex: string, size: number): { manifestBytes: Buffer; sums: Buffer } {
  const m = baselineManifest();
  m.entries = [
    {
      path: 'bomb/payload.bin',
      kind: 'payload',
      mediaType: 'application/octet-stream',
      digest: `sha256:${hex}`,
      size,
      collector: { name: 'file', version: '1.0.0' },
      summary: {},
    },
  ];
  const manifestBytes = canonicalBytes(m);
  return { manifestBytes, sums: sumsFor(manifestBytes, [hex]) };
}

const MIB = 1024 * 1024;

interface Case {
  name: string;
  build: () => Buffer | Promise<Buffer>;
  /** Every one of these must be among the failed checks' codes. */
  codes: string[];
  /** Also run through extract() and check that nothing is written. */
  extract?: boolean;
}

const cases: Case[] = [
  // --- archive: compression and framing ------------------------------------
  { name: 'empty file', build: () => Buffer.alloc(0), codes: ['ARCHIVE_TRUNCATED'], extract: true },
  {
    name: 'not gzip (plain text)',
    build: () => Buffer.from('#!/bin/sh\necho this is not a bundle\n'),
    codes: ['ARCHIVE_NOT_GZIP'],
    extract: true,
  },
  { name: 'not gzip (an uncompressed tar)', build: () => tarOf(membersOf(parts())), codes: ['ARCHIVE_NOT_GZIP'] },
  {
    name: 'gzip magic with an unknown compression method',
    build: () => Buffer.from([0x1f, 0x8b, 0x09, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4]),
    codes: ['ARCHIVE_CORRUPT'],
  },
  {
    name: 'gzip stream cut short',
    build: async () => (await writeBaseline()).subarray(0, -40),
    codes: ['ARCHIVE_TRUNCATED'],
    extract: true,
  },
  {
    name: 'tar cut short inside a member (gzip intact)',
    build: () => gzip(tarOf(membersOf(parts())).subarray(0, 512 + 700)),
    codes: ['ARCHIVE_TRUNCATED'],
  },
  {
    name: 'tar without its end-of-archive record',
    build: () => rearranged((ms) => ms, { trailer: Buffer.alloc(0) }),
    codes: ['ARCHIVE_TRUNCATED'],
    extract: true,
  },
  {
    name: 'text garbage after the gzip stream',
    build: async () => Buffer.concat([await writeBaseline(), Buffer.from('GARBAGE\n')]),
    codes: ['TRAILING_GARBAGE'],
    extract: true,
  },
  {
    name: 'a truncated second gzip header (1f 8b, bad method) after the gzip stream',
    build: async () =>
      Buffer.concat([await writeBaseline(), Buffer.from([0x1f, 0x8b, 0x01, 0x00, 0x41, 0x41, 0x41, 0x41])]),
    codes: ['TRAILING_GARBAGE'],
  },
  {
    name: 'zero bytes after the gzip stream',
    build: async () => Buffer.concat([await writeBaseline(), Buffer.alloc(4096)]),
    codes: ['TRAILING_GARBAGE'],
  },
  {
    name: 'concatenated gzip member smuggling evil.sh after the end of the tar',
    build: async () =>
      Buffer.concat([
        await writeBaseline(),
        gzip(tarOf([member('evil.sh', '#!/bin/sh\nrm -rf ~\n', { mode: 0o755 })])),
      ]),
    codes: ['UNEXPECTED_MEMBER'],
    extract: true,
  },
  {
    name: 'concatenated gzip member smuggling a second copy of a blob',
    build: async () =>
      Buffer.concat([
        await writeBaseline(),
        gzip(tarOf([member(blobName(NOTES_HEX), 'swapped content, same name\n')])),
      ]),
    codes: ['DUPLICATE_MEMBER'],
  },
  {
    name: 'non-zero junk block after the end-of-archive record',
    build: () => rearranged((ms) => ms, { trailer: Buffer.concat([END_OF_ARCHIVE, Buffer.alloc(512, 0x41)]) }),
    codes: ['ARCHIVE_CORRUPT'],
  },
  {
    name: 'a partial junk block after the end-of-archive record',
    build: () => rearranged((ms) => ms, { trailer: Buffer.concat([END_OF_ARCHIVE, Buffer.from('junk')]) }),
    codes: ['ARCHIVE_TRUNCATED'],
  },
  {
    name: 'a member hidden after the end-of-archive record',
    build: () =>
      rearranged((ms) => ms, { trailer: Buffer.concat([END_OF_ARCHIVE, tarOf([member('evil.sh', 'echo pwned\n')])]) }),
    codes: ['UNEXPECTED_MEMBER'],
  },
  {
    name: 'a PAX global header after the last member',
    build: () =>
      rearranged((ms) => ms, {
        trailer: Buffer.concat([extensionRecord(TYPEFLAG.paxGlobal, paxBody({ comment: 'hidden' })), END_OF_ARCHIVE]),
      }),
    codes: ['HIDDEN_TAR_HEADER'],
  },
  {
    name: 'header with a wrong checksum',
    build: () =>
      rearranged((ms) =>
        ms.map((m) => (m.name === SUMS_MEMBER ? { ...m, header: { ...m.header, checksum: 1234 } } : m)),
      ),
    codes: ['ARCHIVE_CORRUPT'],
    extract: true,
  },
  {
    name: 'header size lies (smaller than the content: the rest reads as a bad header)',
    build: () =>
      rearranged((ms) => [
        ...ms.slice(0, 2),
        { name: blobName(NOTES_HEX), body: Buffer.alloc(1024, 0x41), header: { size: 10 } },
      ]),
    codes: ['ARCHIVE_CORRUPT'],
  },
  {
    name: 'header size lies (larger than what follows)',
    build: () => {
      const ms = membersOf(parts());
      const last = ms[ms.length - 1] as Member;
      ms[ms.length - 1] = { ...last, header: { size: 1_000_000 } };
      return bundleOf(ms, { trailer: Buffer.alloc(0) });
    },
    codes: ['BLOB_SIZE_MISMATCH', 'ARCHIVE_TRUNCATED'],
  },
  {
    name: 'base-256 size of 2^40 on manifest.json',
    build: () =>
      rearranged((ms) =>
        ms.map((m) => (m.name === MANIFEST_MEMBER ? { ...m, header: { size: base256Size(2n ** 40n) } } : m)),
      ),
    codes: ['MANIFEST_TOO_LARGE'],
  },
  {
    name: 'base-256 size of 2^80 on a blob',
    build: () =>
      rearranged((ms) =>
        ms.map((m) => (m.name === blobName(REPORT_HEX) ? { ...m, header: { size: base256Size(2n ** 80n) } } : m)),
      ),
    codes: ['BLOB_SIZE_MISMATCH'],
  },
  {
    name: 'negative base-256 size',
    build: () => {
      const field = Buffer.alloc(12, 0xff);
      return rearranged((ms) => ms.map((m) => (m.name === SUMS_MEMBER ? { ...m, header: { size: field } } : m)));
    },
    codes: ['ARCHIVE_CORRUPT'],
  },

  // --- decompression bombs ---------------------------------------------------
  {
    name: 'decompression bomb: a 10-byte blob stored as 50 MiB of zeros',
    build: () => {
      const hex = sha256Hex(Buffer.alloc(10));
      const { manifestBytes, sums } = oneBlobManifest(hex, 10);
      return bundleOf([
        member(MANIFEST_MEMBER, manifestBytes),
        member(SUMS_MEMBER, sums),
        member(blobName(hex), Buffer.alloc(50 * MIB)),
      ]);
    },
    codes: ['BLOB_SIZE_MISMATCH', 'DECOMPRESSION_LIMIT_EXCEEDED'],
    extract: true,
  },
  {
    name: 'decompression bomb before the manifest (50 MiB member first)',
    build: () => bundleOf([member('padding.bin', Buffer.alloc(50 * MIB)), ...membersOf(parts())]),
    codes: ['UNEXPECTED_MEMBER', 'DECOMPRESSION_LIMIT_EXCEEDED'],
    extract: true,
  },
  {
    name: 'decompression bomb: 50 MiB of zero blocks after the end-of-archive record',
    build: () => rearranged((ms) => ms, { trailer: Buffer.alloc(50 * MIB) }),
    codes: ['DECOMPRESSION_LIMIT_EXCEEDED'],
  },
  {
    name: 'manifest.json larger than the manifest limit',
    build: () => bundleOf([member(MANIFEST_MEMBER, Buffer.alloc(MAX_MANIFEST_BYTES + 1, 0x20))]),
    codes: ['MANIFEST_TOO_LARGE'],
  },
  {
    name: 'attestation larger than the attestation limit',
    build: () => bundleOf(membersOf(parts(), { attestation: Buffer.alloc(MAX_ATTESTATION_BYTES + 1, 0x20) })),
    codes: ['MEMBER_TOO_LARGE'],
  },
  {
    name: 'GNU long-name header larger than any name (5 MiB)',
    build: () =>
      rearranged((ms) => [
        { ...(ms[0] as Member), before: extensionRecord(TYPEFLAG.gnuLongName, Buffer.alloc(5 * MIB, 0x61)) },
        ...ms.slice(1),
      ]),
    codes: ['ARCHIVE_CORRUPT'],
  },

  // --- members: types, names, extension headers ------------------------------
  {
    name: "member named '../evil.sh'",
    build: () => rearranged((ms) => [...ms, member('../evil.sh', 'echo pwned\n')]),
    codes: ['UNSAFE_PATH'],
    extract: true,
  },
  {
    name: "member named 'blobs/../../evil.sh'",
    build: () => rearranged((ms) => [...ms, member('blobs/../../evil.sh', 'echo pwned\n')]),
    codes: ['UNSAFE_PATH'],
  },
  {
    name: "absolute member name '/etc/passwd'",
    build: () => rearranged((ms) => [...ms, member('/etc/passwd', 'root::0:0::/:/bin/sh\n')]),
    codes: ['UNSAFE_PATH'],
    extract: true,
  },
  {
    name: "absolute name via the ustar prefix field ('/tmp' + 'evil')",
    build: () => rearranged((ms) => [...ms, member('evil', 'x', { prefix: '/tmp' })]),
    codes: ['UNSAFE_PATH'],
  },
  {
    name: 'member name with a backslash',
    build: () => rearranged((ms) => [...ms, member('..\\..\\evil.bat', 'x')]),
    codes: ['UNSAFE_PATH'],
  },
  {
    name: 'hard link to /etc/passwd under a blob name',
    build: () =>
      rearranged((ms) => [
        ...ms.filter((m) => m.name !== blobName(REPORT_HEX)),
        member(blobName(REPORT_HEX), Buffer.alloc(0), { typeflag: TYPEFLAG.hardlink, linkname: '/etc/passwd' }),
      ]),
    codes: ['HARDLINK_MEMBER'],
    extract: true,
  },
  {
    name: 'symbolic link member',
    build: () =>
      rearranged((ms) =>
        insertBefore(
          ms,
          isBlob,
          member(ATTESTATION_MEMBER, Buffer.alloc(0), {
            typeflag: TYPEFLAG.symlink,
            linkname: '../../../.ssh/authorized_keys',
          }),
        ),
      ),
    codes: ['SYMLINK_MEMBER'],
  },
  {
    name: 'character device member',
    build: () =>
      rearranged((ms) => [
        ...ms,
        member('blobs/sha256/tty', Buffer.alloc(0), { typeflag: TYPEFLAG.char, devmajor: 5, devminor: 0 }),
      ]),
    codes: ['DEVICE_MEMBER'],
  },
  {
    name: 'block device member',
    build: () =>
      rearranged((ms) => [
        ...ms,
        member('blobs/sha256/sda', Buffer.alloc(0), { typeflag: TYPEFLAG.block, devmajor: 8, devminor: 0 }),
      ]),
    codes: ['DEVICE_MEMBER'],
  },
  {
    name: 'fifo member',
    build: () => rearranged((ms) => [...ms, member('blobs/sha256/pipe', Buffer.alloc(0), { typeflag: TYPEFLAG.fifo })]),
    codes: ['DEVICE_MEMBER'],
  },
  {
    name: 'directory member',
    build: () =>
      rearranged((ms) =>
        insertBefore(ms, isBlob, member('blobs/', Buffer.alloc(0), { typeflag: TYPEFLAG.directory, mode: 0o755 })),
      ),
    codes: ['UNSUPPORTED_MEMBER_TYPE'],
  },
  {
    name: 'contiguous-file member (typeflag 7)',
    build: () =>
      rearranged((ms) =>
        ms.map((m) => (m.name === blobName(NOTES_HEX) ? { ...m, header: { typeflag: TYPEFLAG.contiguous } } : m)),
      ),
    codes: ['UNSUPPORTED_MEMBER_TYPE'],
  },
  {
    name: 'GNU long-name (L) header renaming a member to a blob name',
    build: () =>
      rearranged((ms) =>
        ms.map((m) =>
          m.name === blobName(NOTES_HEX)
            ? {
                ...m,
                name: 'innocent',
                before: extensionRecord(TYPEFLAG.gnuLongName, Buffer.from(`${blobName(NOTES_HEX)}\0`)),
              }
            : m,
        ),
      ),
    codes: ['HIDDEN_TAR_HEADER'],
  },
  {
    name: 'GNU long-name (L) header with a 300-character name',
    build: () =>
      rearranged((ms) => [
        ...ms,
        {
          ...member('short', 'x'),
          before: extensionRecord(TYPEFLAG.gnuLongName, Buffer.from(`${'a/'.repeat(150)}evil\0`)),
        },
      ]),
    codes: ['UNEXPECTED_MEMBER'],
  },
  {
    name: 'PAX global (g) header before a member',
    build: () =>
      rearranged((ms) =>
        ms.map((m) =>
          m.name === SUMS_MEMBER
            ? { ...m, before: extensionRecord(TYPEFLAG.paxGlobal, paxBody({ comment: 'global' }), 'pax_global_header') }
            : m,
        ),
      ),
    codes: ['HIDDEN_TAR_HEADER'],
  },
  {
    name: 'PAX (x) header renaming a member via path=',
    build: () =>
      rearranged((ms) =>
        ms.map((m) =>
          m.name === MANIFEST_MEMBER
            ? {
                ...m,
                name: 'decoy.txt',
                before: extensionRecord(TYPEFLAG.pax, paxBody({ path: MANIFEST_MEMBER }), 'PaxHeaders/decoy'),
              }
            : m,
        ),
      ),
    codes: ['PAX_HEADER_NOT_ALLOWED'],
  },
  {
    name: 'PAX (x) header overriding the size via size=',
    build: () =>
      rearranged((ms) =>
        ms.map((m) =>
          m.name === blobName(REPORT_HEX)
            ? { ...m, before: extensionRecord(TYPEFLAG.pax, paxBody({ size: '0' }), 'PaxHeaders/blob') }
            : m,
        ),
      ),
    codes: ['PAX_HEADER_NOT_ALLOWED'],
  },
  {
    name: 'member with a PAX header written by tar-stream',
    build: async () => {
      const p = parts();
      const tarBytes = await packWithTarStream([
        { header: { name: MANIFEST_MEMBER }, body: p.manifestBytes },
        { header: { name: SUMS_MEMBER, pax: { comment: 'hello' } }, body: p.sums },
        ...p.blobs.map((b) => ({ header: { name: blobName(b.hex) }, body: b.body })),
      ]);
      return gzip(tarBytes);
    },
    codes: ['PAX_HEADER_NOT_ALLOWED'],
  },
  {
    name: "unexpected member 'evil.sh'",
    build: () => rearranged((ms) => [...ms, member('evil.sh', '#!/bin/sh\n', { mode: 0o755 })]),
    codes: ['UNEXPECTED_MEMBER'],
    extract: true,
  },
  {
    name: "unexpected member 'blobs/sha256/XYZ'",
    build: () => rearranged((ms) => [...ms, member('blobs/sha256/XYZ', 'x')]),
    codes: ['UNEXPECTED_MEMBER'],
  },
  {
    name: 'blob named with upper-case hex',
    build: () => rearranged((ms) => [...ms, member(blobName(NOTES_HEX.toUpperCase()), CONTENTS.notes)]),
    codes: ['UNEXPECTED_MEMBER'],
  },
  {
    name: "'./'-prefixed member names",
    build: () => rearranged((ms) => ms.map((m) => ({ ...m, name: `./${m.name}` }))),
    codes: ['UNEXPECTED_MEMBER', 'MANIFEST_MISSING'],
  },
  {
    name: 'duplicate blob member',
    build: () => rearranged((ms) => [...ms, member(blobName(REPORT_HEX), CONTENTS.report)]),
    codes: ['DUPLICATE_MEMBER'],
    extract: true,
  },
  {
    name: 'duplicate manifest.json',
    build: () => rearranged((ms) => [ms[0] as Member, ...ms]),
    codes: ['DUPLICATE_MEMBER'],
  },
  {
    name: 'blobs out of order',
    build: () => rearranged((ms) => [...ms.filter((m) => !isBlob(m)), ...ms.filter(isBlob).reverse()]),
    codes: ['MEMBER_ORDER'],
  },
  {
    name: 'SHA256SUMS after the blobs',
    build: () =>
      rearranged((ms) => [...ms.filter((m) => m.name !== SUMS_MEMBER), ...ms.filter((m) => m.name === SUMS_MEMBER)]),
    codes: ['MEMBER_ORDER'],
  },
  // Attestations come before the blobs (bundles written before bundle-format §1.3) or after them (since), never
  // between.
  {
    name: 'attestation between the blobs',
    build: () =>
      rearranged((ms) => [
        ...ms.filter((m) => !isBlob(m)),
        ...ms.filter(isBlob).slice(0, 1),
        member(ATTESTATION_MEMBER, '{}'),
        ...ms.filter(isBlob).slice(1),
      ]),
    codes: ['MEMBER_ORDER'],
  },
  {
    name: 'standard attestations before the attestation',
    build: () => rearranged((ms) => [...ms, member(STANDARD_MEMBER, '{}\n'), member(ATTESTATION_MEMBER, '{}')]),
    codes: ['MEMBER_ORDER'],
  },

  // --- manifest ---------------------------------------------------------------
  {
    name: 'manifest missing (empty tar)',
    build: () => gzip(END_OF_ARCHIVE),
    codes: ['MANIFEST_MISSING'],
    extract: true,
  },
  {
    name: 'manifest missing (only an unexpected member)',
    build: () => bundleOf([member('README', 'hello\n')]),
    codes: ['UNEXPECTED_MEMBER', 'MANIFEST_MISSING'],
  },
  {
    name: 'manifest not first (SHA256SUMS first)',
    build: () => rearranged((ms) => [ms[1] as Member, ms[0] as Member, ...ms.slice(2)]),
    codes: ['MANIFEST_NOT_FIRST'],
    extract: true,
  },
  {
    name: 'manifest not first (no manifest, blobs only)',
    build: () => rearranged((ms) => ms.filter(isBlob)),
    codes: ['MANIFEST_NOT_FIRST'],
  },
  {
    name: 'manifest is not JSON',
    build: () => bundleOf(membersOf(parts({ manifestBytes: Buffer.from('{"mediaType":') }))),
    codes: ['MANIFEST_INVALID_JSON'],
    extract: true,
  },
  {
    name: 'manifest is not UTF-8',
    build: () =>
      bundleOf(membersOf(parts({ manifestBytes: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) }))),
    codes: ['MANIFEST_INVALID_JSON'],
  },
  {
    name: 'manifest with a duplicate key (last one wins in JSON.parse)',
    build: () => {
      const text = canonicalBytes(baselineManifest()).toString('utf8');
      const dup = text.replace('{"created":', '{"created":"1999-01-01T00:00:00Z","created":');
      return bundleOf(membersOf(parts({ manifestBytes: Buffer.from(dup) })));
    },
    codes: ['MANIFEST_NOT_CANONICAL'],
    extract: true,
  },
  {
    name: 'manifest pretty-printed (not canonical)',
    build: () =>
      bundleOf(membersOf(parts({ manifestBytes: Buffer.from(JSON.stringify(baselineManifest(), null, 2)) }))),
    codes: ['MANIFEST_NOT_CANONICAL'],
  },
  {
    name: "manifest entry path '../x'",
    build: () =>
      defaced((m) => {
        (m.entries[0] as { path: string }).path = '../x';
      }),
    codes: ['MANIFEST_SCHEMA'],
    extract: true,
  },
  {
    name: "manifest entry path '/etc/passwd'",
    build: () =>
      defaced((m) => {
        (m.entries[0] as { path: string }).path = '/etc/passwd';
      }),
    codes: ['MANIFEST_SCHEMA'],
  },
  {
    name: 'manifest entries not sorted',
    build: () =>
      defaced((m) => {
        m.entries.reverse();
      }),
    codes: ['MANIFEST_SCHEMA'],
  },
  {
    name: 'manifest entry digest in the wrong format',
    build: () =>
      defaced((m) => {
        (m.entries[0] as { digest: string }).digest = `sha256:${NOTES_HEX.toUpperCase()}`;
      }),
    codes: ['MANIFEST_SCHEMA'],
  },
  {
    name: 'manifest entry with an unknown field',
    build: () =>
      defaced((m) => {
        (m.entries[0] as unknown as Record<string, unknown>).extract = '/etc/cron.d/evil';
      }),
    codes: ['MANIFEST_SCHEMA'],
  },
  {
    name: 'manifest formatVersion 2',
    build: () =>
      defaced((m) => {
        m.formatVersion = 2 as 1;
      }),
    codes: ['MANIFEST_UNSUPPORTED_VERSION'],
  },
  {
    name: 'manifest is a JSON array',
    build: () => bundleOf(membersOf(parts({ manifestBytes: Buffer.from('[]') }))),
    codes: ['MANIFEST_SCHEMA'],
  },

  // --- blobs and entries --------------------------------------------------------
  {
    name: 'blob content does not match its name',
    build: () =>
      rearranged((ms) =>
        ms.map((m) =>
          m.name === blobName(REPORT_HEX)
            ? { ...m, body: Buffer.from(CONTENTS.report.toString('utf8').replace('tests="1"', 'tests="0"')) }
            : m,
        ),
      ),
    codes: ['BLOB_DIGEST_MISMATCH'],
    extract: true,
  },
  {
    name: 'blob size differs from the manifest',
    build: () =>
      rearranged((ms) =>
        ms.map((m) =>
          m.name === blobName(NOTES_HEX) ? { ...m, body: Buffer.concat([CONTENTS.notes, Buffer.from('!')]) } : m,
        ),
      ),
    codes: ['BLOB_SIZE_MISMATCH', 'BLOB_DIGEST_MISMATCH'],
  },
  {
    name: 'blob missing',
    build: () => rearranged((ms) => ms.filter((m) => m.name !== blobName(NOTES_HEX))),
    codes: ['BLOB_MISSING'],
    extract: true,
  },
  {
    name: 'blob not referenced by the manifest',
    build: () => {
      const extra = Buffer.from('#!/bin/sh\necho unreferenced\n');
      return rearranged((ms) => {
        const blobs = [...ms.filter(isBlob), member(blobName(sha256Hex(extra)), extra)].sort((a, b) =>
          a.name < b.name ? -1 : 1,
        );
        return [...ms.filter((m) => !isBlob(m)), ...blobs];
      });
    },
    codes: ['BLOB_UNREFERENCED'],
    extract: true,
  },

  // --- SHA256SUMS -----------------------------------------------------------------
  {
    name: 'SHA256SUMS missing',
    build: () => rearranged((ms) => ms.filter((m) => m.name !== SUMS_MEMBER)),
    codes: ['SUMS_MISSING'],
    extract: true,
  },
  {
    name: 'SHA256SUMS malformed (BSD tag format)',
    build: () =>
      rearranged((ms) =>
        ms.map((m) =>
          m.name === SUMS_MEMBER ? { ...m, body: Buffer.from(`SHA256 (manifest.json) = ${'0'.repeat(64)}\n`) } : m,
        ),
      ),
    codes: ['SUMS_MALFORMED'],
  },
  {
    name: 'SHA256SUMS without a final newline',
    build: () =>
      rearranged((ms) =>
        ms.map((m) => (m.name === SUMS_MEMBER ? { ...m, body: (m.body as Buffer).subarray(0, -1) } : m)),
      ),
    codes: ['SUMS_MALFORMED'],
  },
  {
    name: 'SHA256SUMS with a wrong digest for manifest.json',
    build: () =>
      rearranged((ms) =>
        ms.map((m) =>
          m.name === SUMS_MEMBER
            ? {
                ...m,
                body: Buffer.from(
                  (m.body as Buffer)
                    .toString('utf8')
                    .replace(/^[0-9a-f]{64}( {2}manifest\.json)$/m, `${'0'.repeat(64)}$1`),
                ),
              }
            : m,
        ),
      ),
    codes: ['SUMS_MISMATCH'],
    extract: true,
  },
  {
    name: 'SHA256SUMS missing a blob line',
    build: () =>
      rearranged((ms) =>
        ms.map((m) =>
          m.name === SUMS_MEMBER
            ? {
                ...m,
                body: Buffer.from(
                  (m.body as Buffer).toString('utf8').replace(new RegExp(`^.*${REPORT_HEX}\\n`, 'm'), ''),
                ),
              }
            : m,
        ),
      ),
    codes: ['SUMS_MISMATCH'],
  },
  {
    name: 'SHA256SUMS line for a file the bundle should not hold (in place of a blob line)',
    build: () =>
      rearranged((ms) =>
        ms.map((m) =>
          m.name === SUMS_MEMBER
            ? {
                ...m,
                body: Buffer.from(
                  (m.body as Buffer)
                    .toString('utf8')
                    .replace(`blobs/sha256/${REPORT_HEX}`, `blobs/sha256/${REPORT_HEX}.sh`),
                ),
              }
            : m,
        ),
      ),
    codes: ['SUMS_MISMATCH'],
  },
  {
    name: 'SHA256SUMS with an extra line',
    build: () =>
      rearranged((ms) =>
        ms.map((m) =>
          m.name === SUMS_MEMBER
            ? { ...m, body: Buffer.concat([m.body as Buffer, Buffer.from(`${'0'.repeat(64)}  zz-extra\n`)]) }
            : m,
        ),
      ),
    codes: ['SUMS_MISMATCH'],
  },
  {
    name: 'SHA256SUMS far over its size bound',
    build: () =>
      rearranged((ms) =>
        ms.map((m) =>
          m.name === SUMS_MEMBER
            ? {
                ...m,
                body: Buffer.concat([m.body as Buffer, Buffer.from(`${'0'.repeat(64)}  zz-extra\n`.repeat(2000))]),
              }
            : m,
        ),
      ),
    codes: ['MEMBER_TOO_LARGE'],
  },
];

// ---------------------------------------------------------------------------

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'evidence-hostile-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Runs extract on `bytes` in a fresh directory; asserts that nothing but the bundle is left there. */
async function expectNothingExtracted(bytes: Buffer): Promise<void> {
  const dir = await mkdtemp(join(scratch, 'x-'));
  try {
    await writeFile(join(dir, 'bundle.tar.gz'), bytes);
    const result = await withinDeadline(
      extract({ cwd: dir, bundle: 'bundle.tar.gz', output: 'out', integrityOnly: true }),
      'extract',
    );
    expect(result.report.ok).toBe(false);
    expect(result.output).toBeUndefined();
    expect(result.files).toEqual([]);
    await expect(stat(join(dir, 'out'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual(['bundle.tar.gz']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('hostile bundles', () => {
  it('has at least 30 distinct crafted bundles', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  for (const c of cases) {
    it(
      `${c.name} → ${c.codes.join(', ')}`,
      async () => {
        const bytes = await c.build();
        const { report } = await verify(bytes, c.name);
        expect(report.ok).toBe(false);
        const codes = failedCodes(report);
        for (const code of c.codes) expect(codes).toContain(code);
        // Every failure carries a code; nothing is reported as passed that was not read.
        expect(codes).not.toContain('<no code>');
        if (c.extract) await expectNothingExtracted(bytes);
      },
      TEST_TIMEOUT_MS,
    );
  }
});

describe('tar padding', () => {
  // tar-stream skips member padding without looking at it; the reader follows
  // the tar framing itself and sees bytes hidden there.
  it('non-zero bytes hidden in the padding after SHA256SUMS are reported (TAR_PADDING_NOT_ZERO)', async () => {
    const p = parts();
    const tarBytes = tarOf(membersOf(p));
    const at = 512 + Math.ceil(p.manifestBytes.length / 512) * 512 + 512 + p.sums.length + 2;
    tarBytes[at] = 0x41;
    const { report } = await verify(gzip(tarBytes));
    expect(report.ok).toBe(false);
    expect(failedCodes(report)).toContain('TAR_PADDING_NOT_ZERO');
  });
});

describe('positive controls', () => {
  it('the baseline written by writeBundle verifies, and so does a hand-built copy of it', async () => {
    const bytes = await writeBaseline();
    const { report } = await verify(bytes);
    expect(failedCodes(report)).toEqual([]);
    expect(report.ok).toBe(true);
    const hand = await verify(bundleOf(membersOf(parts())));
    expect(hand.report.ok).toBe(true);
  });

  it('the baseline extracts', async () => {
    const dir = await mkdtemp(join(scratch, 'ok-'));
    try {
      await writeFile(join(dir, 'bundle.tar.gz'), await writeBaseline());
      const result = await extract({ cwd: dir, bundle: 'bundle.tar.gz', output: 'out', integrityOnly: true });
      expect(result.report.ok).toBe(true);
      expect(result.files).toEqual(baselineManifest().entries.map((e) => e.path));
      expect((await readdir(dir)).sort()).toEqual(['bundle.tar.gz', 'out']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a valid tar split across two concatenated gzip members still verifies (gzip allows it)', async () => {
    const tarBytes = tarOf(membersOf(parts()));
    const { report } = await verify(Buffer.concat([gzip(tarBytes.subarray(0, 1000)), gzip(tarBytes.subarray(1000))]));
    expect(report.ok).toBe(true);
  });

  it('a hand-built tar with GNU magic and an honest base-256 size is valid tar and verifies', async () => {
    const p = parts();
    const ms = membersOf(p).map((m) => ({
      ...m,
      header: {
        magic: 'gnu' as const,
        ...(m.name === SUMS_MEMBER ? { size: base256Size(BigInt(p.sums.length)) } : {}),
      },
    }));
    const { report } = await verify(bundleOf(ms));
    expect(report.ok).toBe(true);
  });

  describe('re-packed by GNU tar', () => {
    const hasGnuTar = (() => {
      try {
        return /GNU tar/.test(
          execFileSync('tar', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
        );
      } catch {
        return false;
      }
    })();

    /**
     * Unpacks the baseline with GNU tar, then packs it again with `args`, naming members explicitly in bundle order.
     */
    async function repack(args: string[], names?: string[]): Promise<Buffer> {
      const dir = await mkdtemp(join(scratch, 'gnu-'));
      try {
        const src = join(dir, 'in.tar.gz');
        await writeFile(src, await writeBaseline());
        const tree = join(dir, 'tree');
        await mkdir(tree);
        execFileSync('tar', ['-xzf', src, '-C', tree], { stdio: 'ignore' });
        const p = parts();
        const order = names ?? [MANIFEST_MEMBER, SUMS_MEMBER, ...p.blobs.map((b) => blobName(b.hex))];
        const out = join(dir, 'out.tar.gz');
        execFileSync('tar', [...args, '-czf', out, '-C', tree, ...order], {
          stdio: 'ignore',
          env: { ...process.env, GZIP: '-n' },
        });
        return await readFile(out);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }

    it.skipIf(!hasGnuTar)('--format=gnu, members named in bundle order: expected to verify (ok)', async () => {
      const bytes = await repack(['--format=gnu', '--owner=0', '--group=0', '--numeric-owner']);
      const { report } = await verify(bytes);
      expect(failedCodes(report)).toEqual([]);
      expect(report.ok).toBe(true);
    });

    it.skipIf(!hasGnuTar)(
      '--format=posix (pax): expected to be refused with PAX_HEADER_NOT_ALLOWED, not to crash',
      async () => {
        const bytes = await repack(['--format=posix', '--owner=0', '--group=0', '--numeric-owner']);
        const { report } = await verify(bytes);
        expect(report.ok).toBe(false);
        expect(failedCodes(report)).toContain('PAX_HEADER_NOT_ALLOWED');
      },
    );

    it.skipIf(!hasGnuTar)(
      "the whole directory ('.'): expected to be refused (directory and './' members), not to crash",
      async () => {
        const bytes = await repack(['--format=gnu'], ['.']);
        const { report } = await verify(bytes);
        expect(report.ok).toBe(false);
        expect(failedCodes(report)).toContain('UNSUPPORTED_MEMBER_TYPE');
      },
    );
  });
});

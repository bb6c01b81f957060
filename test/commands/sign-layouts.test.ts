import { generateKeyPairSync } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ExitCode, exitCodeFor } from '../../cli/exit-codes.js';
import { sign } from '../../src/commands/sign.js';
import { verify } from '../../src/commands/verify.js';
import { locateAttestationsMember } from '../../src/core/attestations-member.js';
import { attestationsMember } from '../../src/core/bundle-writer.js';
import {
  ATTESTATION_MEMBER,
  BLOB_PREFIX,
  MANIFEST_MEMBER,
  STANDARD_MEMBER,
  SUMS_MEMBER,
} from '../../src/core/layout.js';
import { MTIME, gzip, member, memberBytes, parts, writeBaseline } from '../helpers/craft.js';
import { runCli } from '../helpers/io.js';
import { useTmp } from '../helpers/tmp.js';

/**
 * sign never exits 0 leaving a bundle that does not verify (issue "Claims no
 * stronger than the evidence"): whatever gzip and tar layout it is given, the
 * output verifies with the new signature, or the command fails with a code
 * and the input is byte for byte what it was. Signing appends a new last gzip
 * member (bundle-format §1.3); these layouts are the ones that made the
 * appended result unreadable or unsigned.
 */
const tmp = useTmp();

async function keys(dir: string): Promise<void> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await writeFile(join(dir, 'key.pem'), privateKey.export({ format: 'pem', type: 'pkcs8' }));
  await writeFile(join(dir, 'pub.pem'), publicKey.export({ format: 'pem', type: 'spki' }));
}

/** The writer's bundle cut in two: its content member and its (unsigned) attestations member, and the content's tar. */
async function pieces(): Promise<{ content: Buffer; last: Buffer; contentTar: Buffer }> {
  const plain = await writeBaseline();
  const at = locateAttestationsMember(plain) as number;
  const content = plain.subarray(0, at);
  return { content, last: plain.subarray(at), contentTar: gunzipSync(content) };
}

/** A Sigstore bundle of an earlier signing of the baseline (any key): a well-formed attestation to misplace. */
async function earlierAttestation(dir: string): Promise<Buffer> {
  await writeFile(join(dir, 'earlier.tar.gz'), await writeBaseline());
  await sign({ cwd: dir, bundle: 'earlier.tar.gz', key: join(dir, 'key.pem'), noStandard: true });
  return readFile(join(dir, 'earlier.sigstore.json'));
}

/** Signed (exit 0, and the output verifies), or refused with this code (the input untouched). */
type Outcome = 'signed' | 'SIGNED_OUTPUT_INVALID' | 'BUNDLE_INVALID';

/** Each crafted layout, and what sign must make of it. */
const LAYOUTS: { name: string; expect: Outcome; make: (dir: string) => Promise<Buffer> }[] = [
  {
    // The control: the writer's own layout.
    name: 'as written',
    expect: 'signed',
    make: async () => writeBaseline(),
  },
  {
    name: 'the tar end marker inside the content member (the last member adds a second one)',
    expect: 'SIGNED_OUTPUT_INVALID',
    make: async () => {
      const { contentTar, last } = await pieces();
      return Buffer.concat([gzip(Buffer.concat([contentTar, Buffer.alloc(1024)])), last]);
    },
  },
  {
    name: 'an extra gzip member holding only an end marker before the attestations member',
    expect: 'SIGNED_OUTPUT_INVALID',
    make: async () => {
      const { content, last } = await pieces();
      return Buffer.concat([content, gzip(Buffer.alloc(1024)), last]);
    },
  },
  {
    name: 'an end marker split across gzip members, leaving the tar off its 512-byte grid',
    expect: 'BUNDLE_INVALID',
    make: async () => {
      const { contentTar, last } = await pieces();
      return Buffer.concat([gzip(Buffer.concat([contentTar, Buffer.alloc(100)])), last]);
    },
  },
  {
    name: 'an earlier attestations member that is not last, an unsigned one after it',
    expect: 'SIGNED_OUTPUT_INVALID',
    make: async (dir) => {
      const { content, last } = await pieces();
      const old = await attestationsMember({ attestation: await earlierAttestation(dir), mtime: MTIME });
      // The earlier member without its end marker (as it would be if the content ran on), then the unsigned last
      // member.
      const oldTar = gunzipSync(old);
      return Buffer.concat([content, gzip(oldTar.subarray(0, oldTar.length - 1024)), last]);
    },
  },
  {
    name: 'an attestation member inside the content member, after the blobs',
    expect: 'SIGNED_OUTPUT_INVALID',
    make: async (dir) => {
      const { contentTar, last } = await pieces();
      return Buffer.concat([
        gzip(Buffer.concat([contentTar, memberBytes(member(ATTESTATION_MEMBER, await earlierAttestation(dir)))])),
        last,
      ]);
    },
  },
  {
    name: 'an attestation member where bundles written before §1.3 kept it (before the blobs)',
    expect: 'SIGNED_OUTPUT_INVALID',
    make: async (dir) => {
      const p = parts();
      const attestation = await earlierAttestation(dir);
      const tar = Buffer.concat([
        memberBytes(member(MANIFEST_MEMBER, p.manifestBytes)),
        memberBytes(member(SUMS_MEMBER, p.sums)),
        memberBytes(member(ATTESTATION_MEMBER, attestation)),
        ...p.blobs.map((b) => memberBytes(member(`${BLOB_PREFIX}${b.hex}`, b.body))),
      ]);
      return Buffer.concat([gzip(tar), (await pieces()).last]);
    },
  },
  {
    name: 'a standard-attestations member alone inside the content member',
    expect: 'SIGNED_OUTPUT_INVALID',
    make: async () => {
      const { contentTar, last } = await pieces();
      return Buffer.concat([gzip(Buffer.concat([contentTar, memberBytes(member(STANDARD_MEMBER, '{}\n'))])), last]);
    },
  },
  {
    name: 'the content in one gzip member per tar member, and empty gzip members between',
    expect: 'signed',
    make: async () => {
      const p = parts();
      const members = [
        member(MANIFEST_MEMBER, p.manifestBytes),
        member(SUMS_MEMBER, p.sums),
        ...p.blobs.map((b) => member(`${BLOB_PREFIX}${b.hex}`, b.body)),
      ];
      return Buffer.concat([
        ...members.flatMap((m) => [gzip(memberBytes(m)), gzipSync(Buffer.alloc(0))]),
        (await pieces()).last,
      ]);
    },
  },
  {
    name: 'an empty gzip member after the attestations member',
    expect: 'signed',
    make: async () => {
      const { content, last } = await pieces();
      return Buffer.concat([content, last, gzipSync(Buffer.alloc(0))]);
    },
  },
  {
    name: 'zeros past the end marker in the attestations member',
    expect: 'signed',
    make: async () => Buffer.concat([(await pieces()).content, gzip(Buffer.alloc(4096))]),
  },
  {
    name: 'bytes after the last gzip member that zlib skips',
    expect: 'BUNDLE_INVALID',
    make: async () => Buffer.concat([await writeBaseline(), Buffer.from('not gzip')]),
  },
  {
    name: 'bytes that zlib skips between the content member and the attestations member',
    expect: 'BUNDLE_INVALID',
    make: async () => {
      const { content, last } = await pieces();
      return Buffer.concat([content, Buffer.from('not gzip'), last]);
    },
  },
];

describe('sign, whatever the layout: the output verifies with the new signature, or the input is untouched and the command fails with a code', () => {
  for (const layout of LAYOUTS) {
    it(`${layout.name}: ${layout.expect}`, async () => {
      const dir = await tmp();
      await keys(dir);
      const before = await layout.make(dir);
      await writeFile(join(dir, 'b.tar.gz'), before);
      const outcome = await sign({ cwd: dir, bundle: 'b.tar.gz', key: join(dir, 'key.pem') }).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (outcome === undefined) {
        // Exit 0: the output verifies, integrity, signature with this key, and a statement about this manifest.
        const { report } = await verify({ cwd: dir, bundle: 'b.tar.gz', key: [join(dir, 'pub.pem')] });
        expect(report.checks.filter((c) => !c.ok && !c.skipped).map((c) => c.code)).toEqual([]);
        expect(report.ok).toBe(true);
        expect(report.checks.some((c) => c.id === 'signature' && c.ok)).toBe(true);
        expect(report.checks.some((c) => c.id === 'statement' && c.ok)).toBe(true);
        expect(layout.expect).toBe('signed');
      } else {
        // A failure with a code and an exit code that is not success; the input as it was, and no signature files
        // beside it.
        expect((outcome as { code?: unknown }).code).toBe(layout.expect);
        // Both are verdicts on a file: the bundle, or what sign would have written.
        expect(exitCodeFor(outcome)).toBe(ExitCode.VerificationFailed);
        expect((await readFile(join(dir, 'b.tar.gz'))).equals(before)).toBe(true);
        expect((await readdir(dir)).filter((f) => f.startsWith('b.'))).toEqual(['b.tar.gz']);
      }
    });
  }

  it('through the CLI: a bundle that verifies but whose signed output would not exits 1 with SIGNED_OUTPUT_INVALID, the input as it was', async () => {
    const dir = await tmp();
    await keys(dir);
    const { contentTar, last } = await pieces();
    const before = Buffer.concat([gzip(Buffer.concat([contentTar, Buffer.alloc(1024)])), last]);
    await writeFile(join(dir, 'b.tar.gz'), before);
    expect((await runCli(['verify', 'b.tar.gz', '--integrity-only'], { cwd: dir })).code).toBe(ExitCode.Ok);
    const r = await runCli(['sign', 'b.tar.gz', '--key', 'key.pem'], { cwd: dir });
    expect(r.code).toBe(ExitCode.VerificationFailed);
    expect(r.stderr).toContain('SIGNED_OUTPUT_INVALID');
    expect((await readFile(join(dir, 'b.tar.gz'))).equals(before)).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['b.tar.gz', 'key.pem', 'pub.pem']);
  });
});

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { NUMERIC_FIELDS } from '../../src/core/tar-header.js';
import { verifyBundleIntegrity } from '../../src/verifier/verify-bundle.js';
import { gzip, membersOf, parts, tarOf } from '../helpers/craft.js';

const exec = promisify(execFile);

/**
 * Class: tar strictness that agrees with GNU tar. Each numeric field of a
 * member header is rewritten in the ways a header can be malformed, the
 * checksum made right again, and the bundle is given both to GNU tar
 * (`tar -xzf`, as docs/verify-by-hand.md does) and to the verifier: whatever
 * GNU tar refuses, the verifier must refuse too; what both accept must mean
 * the same.
 */
let gnu: boolean;
try {
  const { stdout } = await exec('tar', ['--version']);
  gnu = stdout.includes('GNU tar');
} catch {
  gnu = false;
}
if (!gnu) {
  console.warn('SKIPPED: GNU tar is not installed (apt-get install tar); the tar agreement tests need it');
}

const scratch = await mkdtemp(join(tmpdir(), 'evidence-tar-'));
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** The second member's header (SHA256SUMS) with one field replaced, checksum recomputed. */
function withField(field: (typeof NUMERIC_FIELDS)[number], bytes: (original: Buffer) => Buffer): Buffer {
  const p = parts();
  const tar = tarOf(membersOf(p));
  const header = 512 + Math.ceil(p.manifestBytes.length / 512) * 512;
  const [, offset, length] = field;
  const replacement = bytes(Buffer.from(tar.subarray(header + offset, header + offset + length)));
  if (replacement.length !== length) throw new Error('replacement must keep the field length');
  replacement.copy(tar, header + offset);
  if (field[0] !== 'chksum') {
    tar.fill(0x20, header + 148, header + 156);
    let sum = 0;
    for (let i = header; i < header + 512; i++) sum += tar[i] as number;
    tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, header + 148, 'ascii');
  }
  return gzip(tar);
}

const at = (s: Buffer, i: number, ch: string): Buffer => {
  const b = Buffer.from(s);
  b[i] = ch.charCodeAt(0);
  return b;
};

const MUTATIONS: [string, (f: Buffer) => Buffer][] = [
  ['a digit 8', (f) => at(f, f.length - 3, '8')],
  ['a digit 9 first', (f) => at(f, 0, '9')],
  ['a letter in the middle', (f) => at(f, 3, 'x')],
  ['a space in the middle', (f) => at(f, 3, ' ')],
  ['all NULs', (f) => Buffer.alloc(f.length)],
  ['all spaces', (f) => Buffer.alloc(f.length, 0x20)],
  ['a plus sign first (old GNU base-64)', (f) => at(f, 0, '+')],
  ['a minus sign first', (f) => at(f, 0, '-')],
  ['leading spaces', (f) => Buffer.concat([Buffer.from('  '), f.subarray(2)])],
  ['a space terminator', (f) => at(f, f.length - 1, ' ')],
];

async function gnuTarAccepts(bytes: Buffer): Promise<boolean> {
  const dir = await mkdtemp(join(scratch, 'x-'));
  await writeFile(join(dir, 'b.tar.gz'), bytes);
  try {
    const { stderr } = await exec('tar', ['-xzf', 'b.tar.gz', '-C', dir, '--no-same-owner', '--warning=no-timestamp'], {
      cwd: dir,
    });
    return stderr.trim() === '';
  } catch {
    return false;
  }
}

const cases = NUMERIC_FIELDS.flatMap((field) =>
  MUTATIONS.map(([name, fn]) => [`${field[0]}: ${name}`, field, fn] as const),
);

describe.skipIf(!gnu)('tar headers: what GNU tar refuses, the verifier refuses', () => {
  it.each(cases)('%s', async (_name, field, fn) => {
    const bytes = withField(field, fn);
    const tarOk = await gnuTarAccepts(bytes);
    const { report } = await verifyBundleIntegrity(Readable.from([bytes]));
    const codes = report.checks.filter((c) => !c.ok && !c.skipped).map((c) => c.code);
    if (!tarOk) expect(report.ok, `GNU tar refuses it; the verifier said ${JSON.stringify(codes)}`).toBe(false);
    if (codes.includes('TAR_HEADER_INVALID'))
      expect(tarOk, 'the verifier calls the header invalid; GNU tar should too').toBe(false);
  });

  it('the baseline is accepted by both', async () => {
    const bytes = gzip(tarOf(membersOf(parts())));
    expect(await gnuTarAccepts(bytes)).toBe(true);
    expect((await verifyBundleIntegrity(Readable.from([bytes]))).report.ok).toBe(true);
  });
});

import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/io.js';
import { fixture, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

/**
 * Class: files read without limits. Every small input (keys, trusted roots,
 * attestations, policies, configs) refuses what is not a regular file, and a
 * file larger than its kind ever is, with a code that says so (exit 2),
 * without hanging on a pipe or reading /dev/zero until memory runs out.
 */
async function setup(): Promise<string> {
  const dir = await tmp();
  expect(
    (
      await runCli(
        [
          'collect',
          '-o',
          'b.tar.gz',
          '--name',
          'a',
          '--version',
          '1',
          '--junit',
          fixture('junit/pytest.junit.xml'),
          '-q',
        ],
        { cwd: dir },
      )
    ).code,
  ).toBe(0);
  await promisify(execFile)('mkfifo', [join(dir, 'fifo')]);
  await writeFile(join(dir, 'big.pem'), Buffer.alloc(1024 * 1024, 0x41));
  return dir;
}

const verify = ['verify', 'b.tar.gz', '--certificate-identity', 'x', '--certificate-oidc-issuer', 'y'];
const INPUTS: [string, (f: string) => string[]][] = [
  ['verify --attestation', (f) => [...verify, '--attestation', f]],
  ['verify --trusted-root', (f) => [...verify, '--trusted-root', f]],
  ['verify --key', (f) => ['verify', 'b.tar.gz', '--key', f]],
  ['verify --policy', (f) => ['verify', 'b.tar.gz', '--integrity-only', '--policy', f]],
  [
    'verify-attestation (the attestation)',
    (f) => [
      'verify-attestation',
      f,
      '--digest',
      `sha256:${'a'.repeat(64)}`,
      '--certificate-identity',
      'x',
      '--certificate-oidc-issuer',
      'y',
    ],
  ],
  ['collect --config', (f) => ['collect', '--config', f, '-o', 'c.tar.gz']],
  ['collect --junit', (f) => ['collect', '-o', 'c.tar.gz', '--name', 'a', '--version', '1', '--junit', f]],
  ['sign --key', (f) => ['sign', 'b.tar.gz', '--key', f]],
];

describe('small inputs are read with limits', () => {
  it.each(INPUTS)('%s: /dev/zero, a pipe and a directory are refused; nothing hangs', async (_name, argv) => {
    const dir = await setup();
    for (const [file, codes] of [
      ['/dev/zero', ['FILE_NOT_REGULAR', 'INPUT_UNREADABLE']],
      ['fifo', ['FILE_NOT_REGULAR', 'INPUT_UNREADABLE']],
      ['.', ['FILE_NOT_REGULAR', 'INPUT_UNREADABLE']],
    ] as const) {
      const r = await runCli(argv(file), { cwd: dir });
      expect(r.code, `${file}: ${r.stderr}`).toBe(2);
      expect(r.stderr, file).toMatch(new RegExp(`\\[(${codes.join('|')})\\]`));
      expect(r.stderr).toMatch(/not a regular file|is a directory/);
    }
  });

  it('a key of a megabyte is no key: FILE_TOO_LARGE, not KEY_NOT_FOUND', async () => {
    const dir = await setup();
    const r = await runCli(['verify', 'b.tar.gz', '--key', 'big.pem'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[FILE_TOO_LARGE]');
    const missing = await runCli(['verify', 'b.tar.gz', '--key', 'nope.pem'], { cwd: dir });
    expect(missing.stderr).toContain('[KEY_NOT_FOUND]');
  });
});

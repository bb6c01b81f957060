import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/io.js';
import { fixture, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const env = { SOURCE_DATE_EPOCH: '1767225600' };

/** A bundle whose one subject is app.tgz, signed with a key: authentic once verified with key.pub.pem. */
async function signed(dir: string): Promise<void> {
  await writeFile(join(dir, 'app.tgz'), 'artifact bytes');
  const c = await runCli(
    [
      'collect',
      '-o',
      'b.tar.gz',
      '--name',
      'app',
      '--version',
      '1.2.3',
      '--junit',
      fixture('junit/pytest.junit.xml'),
      '--subject',
      'app.tgz',
      '-q',
    ],
    { cwd: dir, env },
  );
  expect(c.code, c.stderr).toBe(0);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  await writeFile(join(dir, 'key.pem'), privateKey.export({ format: 'pem', type: 'pkcs8' }));
  await writeFile(join(dir, 'key.pub.pem'), publicKey.export({ format: 'pem', type: 'spki' }));
  const s = await runCli(['sign', 'b.tar.gz', '--key', 'key.pem'], { cwd: dir });
  expect(s.code, s.stderr).toBe(0);
}

const headlineOf = (stdout: string): string => stdout.split('\n')[0]?.split(':')[0] ?? '';

describe('verify --subject: a file the bundle does not cover is "not covered", not "not authentic"', () => {
  it('a covered file verifies; an uncovered one fails (exit 1) while the bundle stays authentic, in text and --json', async () => {
    const dir = await tmp();
    await signed(dir);
    const covered = await runCli(['verify', 'b.tar.gz', '--key', 'key.pub.pem', '--subject', 'app.tgz', '--json'], {
      cwd: dir,
    });
    expect(covered.code).toBe(0);
    expect(JSON.parse(covered.stdout).assessment).toMatchObject({
      authenticity: { status: 'authentic' },
      coverage: { status: 'covered', files: [{ file: 'app.tgz', status: 'covered' }] },
    });

    await writeFile(join(dir, 'other.tgz'), 'some other artifact');
    const text = await runCli(['verify', 'b.tar.gz', '--key', 'key.pub.pem', '--subject', 'other.tgz'], { cwd: dir });
    expect(text.code).toBe(1);
    expect(headlineOf(text.stdout)).toBe('NOT COVERED');
    expect(text.stdout).toMatch(/^ {2}authentic\? {2}yes /m);
    expect(text.stdout).not.toMatch(/VERIFICATION FAILED|not authentic/i);

    const json = await runCli(['verify', 'b.tar.gz', '--key', 'key.pub.pem', '--subject', 'other.tgz', '--json'], {
      cwd: dir,
    });
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect([report.ok, report.verdict]).toEqual([false, 'failed']);
    expect(report.assessment.authenticity).toMatchObject({ status: 'authentic', method: 'key' });
    expect(report.assessment.coverage).toMatchObject({
      status: 'not-covered',
      files: [{ file: 'other.tgz', status: 'not-covered', code: 'SUBJECT_NOT_IN_MANIFEST' }],
    });
    // The evidence is still read for what it says: the bundle is authentic.
    expect(report.assessment.evidence.status).not.toBe('unknown');
  });

  it("a file with a subject's name but other bytes (SUBJECT_DIGEST_MISMATCH) is not covered either: the bundle vouches for bytes", async () => {
    const dir = await tmp();
    await signed(dir);
    await writeFile(join(dir, 'app.tgz'), 'rebuilt, different bytes');
    const json = await runCli(['verify', 'b.tar.gz', '--key', 'key.pub.pem', '--subject', 'app.tgz', '--json'], {
      cwd: dir,
    });
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.assessment.authenticity.status).toBe('authentic');
    expect(report.assessment.coverage).toMatchObject({
      status: 'not-covered',
      files: [{ file: 'app.tgz', status: 'not-covered', code: 'SUBJECT_DIGEST_MISMATCH' }],
    });
    const text = await runCli(['verify', 'b.tar.gz', '--key', 'key.pub.pem', '--subject', 'app.tgz'], { cwd: dir });
    expect([text.code, headlineOf(text.stdout)]).toEqual([1, 'NOT COVERED']);
  });

  it('a bundle that is not authentic is still VERIFICATION FAILED, whatever the subjects', async () => {
    const dir = await tmp();
    await signed(dir);
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await writeFile(join(dir, 'other.pub.pem'), publicKey.export({ format: 'pem', type: 'spki' }));
    await writeFile(join(dir, 'other.tgz'), 'some other artifact');
    const json = await runCli(['verify', 'b.tar.gz', '--key', 'other.pub.pem', '--subject', 'other.tgz', '--json'], {
      cwd: dir,
    });
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.assessment.authenticity.status).toBe('failed');
    expect(report.assessment.coverage.status).toBe('not-covered');
    const text = await runCli(['verify', 'b.tar.gz', '--key', 'other.pub.pem', '--subject', 'other.tgz'], { cwd: dir });
    expect(headlineOf(text.stdout)).toBe('VERIFICATION FAILED');
  });

  it('integrity only: an uncovered file is NOT COVERED, and authenticity stays "not checked"', async () => {
    const dir = await tmp();
    await signed(dir);
    await writeFile(join(dir, 'other.tgz'), 'some other artifact');
    const json = await runCli(['verify', 'b.tar.gz', '--integrity-only', '--subject', 'other.tgz', '--json'], {
      cwd: dir,
    });
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect([report.assessment.authenticity.status, report.assessment.coverage.status]).toEqual([
      'not-checked',
      'not-covered',
    ]);
    const text = await runCli(['verify', 'b.tar.gz', '--integrity-only', '--subject', 'other.tgz'], { cwd: dir });
    expect([text.code, headlineOf(text.stdout)]).toEqual([1, 'NOT COVERED']);
    expect(text.stdout).toContain('authentic?  NOT CHECKED');
  });
});

import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/io.js';
import { fixture, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const env = { SOURCE_DATE_EPOCH: '1767225600' };

async function collected(dir: string): Promise<string> {
  await writeFile(join(dir, 'app.tgz'), 'artifact bytes');
  const r = await runCli(
    [
      'collect',
      '-o',
      'b.tar.gz',
      '--name',
      'app',
      '--version',
      '1.2.3',
      '--sbom',
      fixture('sbom/npm-sbom.cdx.json'),
      '--junit',
      fixture('junit/pytest.junit.xml'),
      '--subject',
      'app.tgz',
      '-q',
    ],
    { cwd: dir, env },
  );
  expect(r).toMatchObject({ code: 0, stderr: '' });
  return join(dir, 'b.tar.gz');
}

describe('evidence CLI', () => {
  it('prints help and version with exit 0', async () => {
    const dir = await tmp();
    const help = await runCli(['--help'], { cwd: dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/collect/);
    const version = await runCli(['--version'], { cwd: dir });
    expect(version).toMatchObject({
      code: 0,
      stdout: `${JSON.parse(await readFile('package.json', 'utf8')).version}\n`,
    });
  });

  it('exits 2 on usage errors: unknown command, unknown option, missing argument', async () => {
    const dir = await tmp();
    for (const argv of [['frobnicate'], ['verify', '--bogus', 'x'], ['verify'], ['extract', 'b.tar.gz']]) {
      expect((await runCli(argv, { cwd: dir })).code).toBe(2);
    }
  });

  it('collect → verify --integrity-only → 0; verify (signature required) → 1', async () => {
    const dir = await tmp();
    const bundle = await collected(dir);
    const ok = await runCli(['verify', bundle, '--integrity-only', '--subject', 'app.tgz'], { cwd: dir });
    expect(ok.code).toBe(0);
    // An integrity-only check is never shown as a plain pass.
    expect(ok.stdout).toMatch(/^INTEGRITY ONLY: /);
    expect(ok.stdout).toContain('authentic?  NOT CHECKED');
    expect(ok.stdout).not.toMatch(/^VERIFIED/m);
    const unsigned = await runCli(['verify', bundle, '--json'], { cwd: dir });
    expect(unsigned.code).toBe(1);
    const report = JSON.parse(unsigned.stdout);
    expect(report.checks.find((c: { id: string }) => c.id === 'signature')).toMatchObject({
      ok: false,
      code: 'SIGNATURE_MISSING',
    });
  });

  it('verify --json reports every failure: a wrong subject and a tampered blob together', async () => {
    const dir = await tmp();
    const bundle = await collected(dir);
    // Flip one byte inside the SBOM blob's data (the SBOM text is plain ASCII in the tar).
    const tar = gunzipSync(await readFile(bundle));
    const at = tar.indexOf('"bomFormat"');
    tar[at + 2] = 'X'.charCodeAt(0);
    await writeFile(join(dir, 'tampered.tar.gz'), gzipSync(tar));
    await writeFile(join(dir, 'other.tgz'), 'not the artifact');
    const r = await runCli(['verify', 'tampered.tar.gz', '--integrity-only', '--json', '--subject', 'other.tgz'], {
      cwd: dir,
    });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(false);
    const codes = report.checks
      .filter((c: { ok: boolean; skipped?: boolean }) => !c.ok && !c.skipped)
      .map((c: { code: string }) => c.code)
      .sort();
    expect(codes).toEqual(['BLOB_DIGEST_MISMATCH', 'SUBJECT_NOT_IN_MANIFEST']);
    expect(report.bundle).toMatchObject({ name: 'app', version: '1.2.3', path: 'tampered.tar.gz' });
  });

  it('verify exits 2 when the bundle or a subject cannot be read', async () => {
    const dir = await tmp();
    const missing = await runCli(['verify', 'nope.tar.gz', '--integrity-only'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.tar\.gz.*\[BUNDLE_NOT_FOUND\]/);
    const bundle = await collected(dir);
    const subj = await runCli(['verify', bundle, '--integrity-only', '--subject', 'gone.tgz'], { cwd: dir });
    expect(subj.code).toBe(2);
    expect(subj.stderr).toMatch(/\[SUBJECT_NOT_FOUND\]/);
  });

  it('collect exits 2 with the file and problem named, and writes nothing', async () => {
    const dir = await tmp();
    const r = await runCli(
      ['collect', '-o', 'b.tar.gz', '--name', 'a', '--version', '1', '--sbom', fixture('sbom/broken-schema.cdx.json')],
      { cwd: dir, env },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken-schema\.cdx\.json: not valid CycloneDX 1\.6 JSON/);
    expect(r.stderr).toMatch(/\$\.components\[0\]/);
    expect(r.stderr).toMatch(/\[SBOM_INVALID\]$/m);
    expect(await readdir(dir)).toEqual([]);
  });

  it('inspect prints the manifest as a table and as JSON', async () => {
    const dir = await tmp();
    const bundle = await collected(dir);
    const text = await runCli(['inspect', bundle], { cwd: dir });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/sbom\/npm-sbom\.cdx\.json\s+sbom/);
    expect(text.stdout).toMatch(/6 tests: 2 passed, 1 failed, 1 errored, 2 skipped/);
    // It checks nothing, and says so first: a tampered bundle's claims read the same.
    expect(text.stdout.split('\n')[0]).toMatch(/^NOT VERIFIED: .*evidence verify checks/);
    const json = JSON.parse((await runCli(['inspect', bundle, '--json'], { cwd: dir })).stdout);
    expect(Object.keys(json)).toEqual(['verified', 'name', 'version', 'created', 'source', 'entries', 'subjects']);
    expect(json.verified).toBe(false);
    expect(json.entries[1]).toMatchObject({
      path: 'sbom/npm-sbom.cdx.json',
      kind: 'sbom',
      mediaType: 'application/vnd.cyclonedx+json',
      summary: { components: 11 },
    });
    expect(json.subjects[0]).toMatchObject({ name: 'app.tgz' });
  });

  it('verify and inspect of a file that is no bundle say so in one line: verify gives its verdict (1), inspect, which verifies nothing, refuses its input (2)', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'x.tar.gz'), 'hello');
    await writeFile(
      join(dir, 'y.tar.gz'),
      gzipSync(Buffer.from('not a tar archive at all, only some text that is longer than a block? no.')),
    );
    for (const file of ['x.tar.gz', 'y.tar.gz']) {
      const inspect = await runCli(['inspect', file], { cwd: dir });
      const verify = await runCli(['verify', file, '--integrity-only'], { cwd: dir });
      for (const [r, code, error] of [
        [inspect, 2, 'BUNDLE_UNREADABLE'],
        [verify, 1, 'BUNDLE_INVALID'],
      ] as const) {
        expect(r.code, file).toBe(code);
        expect(r.stdout).toBe('');
        expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
        expect(r.stderr).toMatch(
          new RegExp(
            `^evidence: ${file.replace('.', '\\.')}: not a readable evidence bundle \\(.+\\) \\[${error}\\]\n$`,
          ),
        );
      }
      // --json still gives the whole report, for gates that read it.
      const json = await runCli(['verify', file, '--integrity-only', '--json'], { cwd: dir });
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout).verdict).toBe('failed');
    }
  });

  it('an output in a folder that does not exist: exit 2, naming the folder, nothing written', async () => {
    const dir = await tmp();
    const bundle = await collected(dir);
    const collect = await runCli(
      [
        'collect',
        '-o',
        'no/such/dir/b.tar.gz',
        '--name',
        'a',
        '--version',
        '1',
        '--junit',
        fixture('junit/pytest.junit.xml'),
      ],
      { cwd: dir },
    );
    expect(collect.code).toBe(2);
    expect(collect.stderr).toContain(`the folder ${join(dir, 'no/such/dir')} does not exist`);
    expect(collect.stderr).toContain('[OUTPUT_FOLDER_MISSING]');
    const report = await runCli(
      ['verify', bundle, '--integrity-only', '--format', 'html', '-o', 'missing/report.html'],
      { cwd: dir },
    );
    expect(report.code).toBe(2);
    expect(report.stderr).toContain(`the folder ${join(dir, 'missing')} does not exist`);
    expect((await readdir(dir)).sort()).toEqual(['app.tgz', 'b.tar.gz']);
  });

  it('piping into head never prints a stack trace (EPIPE ends quietly)', async () => {
    const dir = await tmp();
    // A manifest large enough to fill the pipe: 3000 subjects.
    await mkdir(join(dir, 'tree'));
    for (let i = 0; i < 3000; i++) await writeFile(join(dir, 'tree', `f${i}.bin`), String(i));
    expect(
      (
        await runCli(
          ['collect', '-o', 'big.tar.gz', '--name', 'big', '--version', '1', '--subject', 'tree/*.bin', '-q'],
          { cwd: dir, env },
        )
      ).code,
    ).toBe(0);
    const bin = new URL('../../dist/bin/evidence.js', import.meta.url).pathname;
    const { stdout, stderr } = await promisify(execFile)(
      'bash',
      ['-c', `set -o pipefail; node ${bin} inspect --json big.tar.gz | head -c 100; echo " exit=\${PIPESTATUS[0]}"`],
      { cwd: dir },
    );
    expect(stdout.length).toBeLessThan(200);
    expect(stdout).toMatch(/ exit=0$/m);
    expect(stderr).toBe('');
  });

  it('a standard output that cannot be written (a full disk) is said in one line and exits 2, never a stack trace', async () => {
    const bin = new URL('../../dist/bin/evidence.js', import.meta.url).pathname;
    const verifier = new URL('../../dist/evidence-verify.mjs', import.meta.url).pathname;
    for (const args of [
      [bin, '--version'],
      [bin, '--help'],
      [bin, 'inspect', '--help'],
      [verifier, '--version'],
    ]) {
      const { stdout, stderr } = await promisify(execFile)(
        'bash',
        ['-c', `node ${args.join(' ')} > /dev/full; echo "exit=$?"`],
        { env: { ...process.env, EVIDENCE_NO_NODE_WARNING: '1' } },
      );
      expect(stdout, args.join(' ')).toBe('exit=2\n');
      expect(stderr, args.join(' ')).toBe('evidence: standard output cannot be written: ENOSPC\n');
    }
  });

  it('pg that cannot load (NODE_PG_FORCE_NATIVE without pg-native) is an unreadable index: one line, exit 2', async () => {
    for (const bin of ['../../dist/bin/evidence.js', '../../dist/cli/bin.js'].map((p) => new URL(p, import.meta.url))) {
      const run = await promisify(execFile)(
        'bash',
        ['-c', `node ${bin.pathname} query --db postgres://u:hunter2@127.0.0.1:1/x --cve CVE-1; echo "exit=$?"`],
        { env: { ...process.env, EVIDENCE_NO_NODE_WARNING: '1', NODE_PG_FORCE_NATIVE: '1' } },
      );
      expect(run.stdout, bin.pathname).toBe('exit=2\n');
      expect(run.stderr, bin.pathname).toMatch(
        /^evidence: postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x: .*pg-native.*\[INDEX_UNREADABLE\]\n$/,
      );
    }
  });

  it('extract writes entries under their logical paths; refuses a non-empty target; writes nothing from a bad bundle', async () => {
    const dir = await tmp();
    const bundle = await collected(dir);
    // An unsigned bundle is not authentic: extract refuses it unless told to check integrity only.
    const unsigned = await runCli(['extract', bundle, '-o', 'out'], { cwd: dir });
    expect(unsigned.code).toBe(1);
    expect(await readdir(dir)).not.toContain('out');
    const r = await runCli(['extract', bundle, '-o', 'out', '--integrity-only'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('integrity only');
    expect(await readFile(join(dir, 'out', 'sbom', 'npm-sbom.cdx.json'))).toEqual(
      await readFile(fixture('sbom/npm-sbom.cdx.json')),
    );
    // The entries, and the record of how they were checked (integrity only).
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['EXTRACTED-FROM.json', 'junit', 'sbom']);
    expect((await runCli(['extract', bundle, '-o', 'out', '--integrity-only'], { cwd: dir })).code).toBe(2);

    const tar = gunzipSync(await readFile(bundle));
    tar[tar.indexOf('<testsuites') + 1] = 'T'.charCodeAt(0);
    await writeFile(join(dir, 'bad.tar.gz'), gzipSync(tar));
    await mkdir(join(dir, 'empty'));
    const bad = await runCli(['extract', 'bad.tar.gz', '-o', 'empty', '--json', '--integrity-only'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).output).toBeNull();
    expect(await readdir(join(dir, 'empty'))).toEqual([]);
    expect((await readdir(dir)).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('shows progress on a terminal, and none with --quiet or without one', async () => {
    const dir = await tmp();
    const args = [
      'collect',
      '-o',
      'b.tar.gz',
      '--name',
      'a',
      '--version',
      '1',
      '--sarif',
      fixture('sarif/eslint.sarif'),
      '--force',
    ];
    expect((await runCli(args, { cwd: dir, env, tty: true })).stderr).toMatch(/evidence 1\/1/);
    expect((await runCli([...args, '--quiet'], { cwd: dir, env, tty: true })).stderr).toBe('');
    expect((await runCli(args, { cwd: dir, env, tty: false })).stderr).toBe('');
  });
});

describe('the built bin', () => {
  it('runs from dist with node and returns the exit code', async () => {
    const bin = join(process.cwd(), 'dist', 'bin', 'evidence.js');
    const built = await readFile(bin).then(
      () => true,
      () => false,
    );
    if (!built) {
      console.warn('skipped: dist/bin/evidence.js is absent (run npm run build); npm test builds it first');
      return;
    }
    const dir = await tmp();
    const r = await promisify(execFile)('node', [bin, 'verify', 'missing.tar.gz', '--integrity-only'], {
      cwd: dir,
    }).catch((e: { code: number; stderr: string }) => e);
    expect((r as { code: number }).code).toBe(2);
    expect((r as { stderr: string }).stderr).toMatch(/BUNDLE_NOT_FOUND/);
  });
});

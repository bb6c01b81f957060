import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { CollectError } from '../../src/collector/errors.js';
import { EvidenceError } from '../../src/core/error.js';
import { collect, type CollectOptions } from '../../src/commands/collect.js';
import { logicalPaths } from '../../src/collector/manifest-assembly.js';
import { distinctSubjectNames } from '../../src/collector/plan.js';
import { verifyBundleIntegrity } from '../../src/verifier/verify-bundle.js';
import { fixture, useTmp } from '../helpers/tmp.js';

const exec = promisify(execFile);
const tmp = useTmp();
const SDE = { SOURCE_DATE_EPOCH: '1767225600' }; // 2026-01-01T00:00:00Z

async function failure(options: CollectOptions): Promise<CollectError> {
  try {
    await collect(options);
  } catch (e) {
    // Errors of the collection (CollectError) or of the files it writes (FileError): one base, a code each.
    expect(e).toBeInstanceOf(EvidenceError);
    return e as CollectError;
  }
  throw new Error('collect succeeded');
}

describe('collect', () => {
  it('writes a bundle that verifies, with entries, subjects and a summary per kind', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'app-1.0.0.tgz'), 'release artifact');
    const { output, manifest } = await collect({
      cwd: dir,
      env: SDE,
      output: 'out.tar.gz',
      name: 'app',
      version: '1.0.0',
      sbom: [fixture('sbom/npm-sbom.cdx.json')],
      sarif: [fixture('sarif/eslint.sarif')],
      junit: [fixture('junit/{jest,vitest,pytest,surefire}.junit.xml')],
      file: [`${fixture('sbom/README.md')}=notes`],
      subject: ['*.tgz'],
    });
    expect(manifest.created).toBe('2026-01-01T00:00:00Z');
    expect(manifest.entries.map((e) => e.path)).toEqual([
      'junit/jest.junit.xml',
      'junit/pytest.junit.xml',
      'junit/surefire.junit.xml',
      'junit/vitest.junit.xml',
      'notes/README.md',
      'sarif/eslint.sarif',
      'sbom/npm-sbom.cdx.json',
    ]);
    expect(manifest.subjects).toEqual([
      {
        name: 'app-1.0.0.tgz',
        digest: `sha256:${createHash('sha256').update('release artifact').digest('hex')}`,
        size: 16,
      },
    ]);
    const { report } = await verifyBundleIntegrity(createReadStream(output));
    expect(report.ok).toBe(true);
  });

  it('hashes subjects the way sha256sum does', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'a.bin'), Buffer.alloc(3 * 1024 * 1024 + 7, 0x5a));
    const { manifest } = await collect({
      cwd: dir,
      env: SDE,
      output: 'o.tar.gz',
      name: 'a',
      version: '1',
      subject: ['a.bin'],
    });
    const { stdout } = await exec('sha256sum', ['a.bin'], { cwd: dir });
    expect(manifest.subjects[0]?.digest).toBe(`sha256:${stdout.split(' ')[0]}`);
  });

  it('is reproducible: the same inputs and SOURCE_DATE_EPOCH give the same bytes', async () => {
    const dir = await tmp();
    const opts = {
      cwd: dir,
      env: SDE,
      name: 'app',
      version: '1',
      sbom: [fixture('sbom/cdx-npm-1.6.cdx.xml')],
      junit: [fixture('junit/pytest.junit.xml')],
      source: { commit: 'a'.repeat(40) },
    };
    const a = await collect({ ...opts, output: 'a.tar.gz' });
    const b = await collect({ ...opts, output: 'b.tar.gz', sbom: [...opts.sbom].reverse() });
    expect((await readFile(a.output)).equals(await readFile(b.output))).toBe(true);
  });

  it('uses the current time, to the second, without SOURCE_DATE_EPOCH', async () => {
    const dir = await tmp();
    const { manifest } = await collect({
      cwd: dir,
      env: {},
      output: 'o.tar.gz',
      name: 'a',
      version: '1',
      subject: [fixture('sarif/eslint.sarif')],
      now: () => new Date('2030-05-06T07:08:09.999Z'),
    });
    expect(manifest.created).toBe('2030-05-06T07:08:09Z');
  });

  it('leaves a bundle an auditor can check with tar and sha256sum alone', async () => {
    const dir = await tmp();
    const { output } = await collect({
      cwd: dir,
      env: SDE,
      output: 'o.tar.gz',
      name: 'a',
      version: '1',
      sbom: [fixture('sbom/npm-sbom.spdx.json')],
      sarif: [fixture('sarif/flawfinder.sarif')],
    });
    await mkdir(join(dir, 'x'));
    await exec('tar', ['xzf', output, '-C', join(dir, 'x')]);
    const { stdout } = await exec('sha256sum', ['-c', 'SHA256SUMS'], { cwd: join(dir, 'x') });
    expect(stdout.trim().split('\n')).toHaveLength(3);
    expect(stdout).not.toMatch(/FAILED/);
    const { stdout: list } = await exec('tar', ['tzf', output]);
    expect(list.split('\n')[0]).toBe('manifest.json');
  });

  it('merges the config with flags; config paths are relative to the config file', async () => {
    const dir = await tmp();
    await mkdir(join(dir, 'release', 'reports'), { recursive: true });
    await copyFile(fixture('junit/vitest.junit.xml'), join(dir, 'release', 'reports', 'vitest.junit.xml'));
    await writeFile(
      join(dir, 'release', 'evidence.yaml'),
      'name: svc\nversion: 2.0.0\noutput: out/svc.tar.gz\njunit:\n  - reports/*.xml\nfiles:\n  - path: reports/vitest.junit.xml\n    kind: raw-report\n',
    );
    await mkdir(join(dir, 'release', 'out'));
    const r = await collect({
      cwd: dir,
      env: SDE,
      config: 'release/evidence.yaml',
      sarif: [fixture('sarif/eslint.sarif')],
      version: '2.0.1',
    });
    expect(r.output).toBe(join(dir, 'release', 'out', 'svc.tar.gz'));
    expect(r.manifest.version).toBe('2.0.1');
    expect(r.manifest.entries.map((e) => `${e.kind}:${e.path}`)).toEqual([
      'junit:junit/vitest.junit.xml',
      'raw-report:raw-report/vitest.junit.xml',
      'sarif:sarif/eslint.sarif',
    ]);
  });

  it("collects a monorepo's files of one name under distinct logical paths from their relative paths, in any order", async () => {
    const dir = await tmp();
    for (const pkg of ['api', 'web', 'web/legacy']) {
      await mkdir(join(dir, 'packages', pkg), { recursive: true });
      await copyFile(fixture('junit/vitest.junit.xml'), join(dir, 'packages', pkg, 'junit.xml'));
    }
    await mkdir(join(dir, 'services', 'api'), { recursive: true });
    await copyFile(fixture('junit/pytest.junit.xml'), join(dir, 'services', 'api', 'junit.xml'));
    const run = async (junit: string[], output: string) =>
      (await collect({ cwd: dir, env: SDE, output, name: 'mono', version: '1', junit })).manifest;
    const one = await run(['packages/**/junit.xml', 'services/*/junit.xml'], 'one.tar.gz');
    expect(one.entries.map((e) => e.path)).toEqual([
      'junit/packages/api/junit.xml',
      'junit/packages/web/junit.xml',
      'junit/services/api/junit.xml',
      'junit/web/legacy/junit.xml',
    ]);
    const two = await run(
      ['services/api/junit.xml', 'packages/web/legacy/junit.xml', 'packages/web/junit.xml', 'packages/api/junit.xml'],
      'two.tar.gz',
    );
    expect(two.entries).toEqual(one.entries);
    expect(await readFile(join(dir, 'two.tar.gz'))).toEqual(await readFile(join(dir, 'one.tar.gz')));
  });

  it('sets same-named inputs apart by their fewest distinguishing folders', () => {
    const paths = (labels: [string, string, string?][]): string[] =>
      logicalPaths(labels.map(([kind, label, name]) => ({ kind, label, ...(name ? { name } : {}) })));
    expect(
      paths([
        ['junit', 'a/junit.xml'],
        ['junit', 'b/junit.xml'],
        ['sarif', 'a/junit.xml'],
      ]),
    ).toEqual(['junit/a/junit.xml', 'junit/b/junit.xml', 'sarif/junit.xml']);
    expect(
      paths([
        ['junit', 'junit.xml'],
        ['junit', 'x/junit.xml'],
      ]),
    ).toEqual(['junit/junit.xml', 'junit/x/junit.xml']);
    expect(
      paths([
        ['junit', 'x/a/t.xml'],
        ['junit', 'y/a/t.xml'],
        ['junit', 'b/t.xml'],
      ]),
    ).toEqual(['junit/x/a/t.xml', 'junit/y/a/t.xml', 'junit/b/t.xml']);
    // Names a collector gives (migrations: the folder's name) are set apart the same way.
    expect(
      paths([
        ['migrations', 'svc-a/db', 'db.json'],
        ['migrations', 'svc-b/db', 'db.json'],
      ]),
    ).toEqual(['migrations/svc-a/db.json', 'migrations/svc-b/db.json']);
    // Absolute paths (inputs outside the working directory) give the same answer wherever they are.
    expect(
      paths([
        ['junit', '/home/ci/w/a/junit.xml'],
        ['junit', '/home/ci/w/b/junit.xml'],
      ]),
    ).toEqual(['junit/a/junit.xml', 'junit/b/junit.xml']);
    expect(
      paths([
        ['junit', 'C:\\w\\a\\junit.xml'],
        ['junit', 'C:\\w\\b\\junit.xml'],
      ]),
    ).toEqual(['junit/a/junit.xml', 'junit/b/junit.xml']);
  });

  it('refuses a config with unknown keys or wrong types, naming the field', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'evidence.yaml'), 'name: a\nversion: 1\njunit: reports/x.xml\nsboms: []\n');
    const e = await failure({ cwd: dir, config: 'evidence.yaml', output: 'o.tar.gz' });
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.issues.map((i) => i.path).sort()).toEqual(['$', '$.junit', '$.version'].sort());
  });

  describe('bad input: a clear error, exit 2, nothing written', () => {
    const cases: [string, (dir: string) => Partial<CollectOptions>, string][] = [
      ['a missing file', () => ({ sbom: ['nope.json'] }), 'INPUT_NOT_FOUND'],
      ['an invalid SBOM', () => ({ sbom: [fixture('sbom/broken-schema.cdx.json')] }), 'SBOM_INVALID'],
      [
        'a malformed JUnit file among good ones',
        () => ({ junit: [fixture('junit/vitest.junit.xml'), fixture('junit/malformed-truncated.junit.xml')] }),
        'XML_INVALID',
      ],
      ['a glob matching nothing', () => ({ subject: ['dist/*.tgz'] }), 'GLOB_NO_MATCH'],
      ['a reserved kind for --file', () => ({ file: [`${fixture('sbom/npm-sbom.cdx.json')}=sbom`] }), 'KIND_RESERVED'],
      ['an invalid kind', () => ({ file: [`${fixture('sbom/README.md')}=Bad Kind`] }), 'KIND_INVALID'],
      ['nothing to collect', () => ({}), 'NO_EVIDENCE'],
      ['a directory given as a file', (dir) => ({ file: [dir] }), 'INPUT_UNREADABLE'],
      [
        'a malformed SOURCE_DATE_EPOCH',
        () => ({ env: { SOURCE_DATE_EPOCH: '2026-01-01' }, sbom: [fixture('sbom/npm-sbom.cdx.json')] }),
        'SOURCE_DATE_EPOCH_INVALID',
      ],
    ];
    it.each(cases)('%s', async (_name, make, code) => {
      const dir = await tmp();
      const e = await failure({ cwd: dir, env: SDE, output: 'o.tar.gz', name: 'a', version: '1', ...make(dir) });
      expect(e.code).toBe(code);
      expect(await readdir(dir)).toEqual([]);
    });
  });

  it('names the offending file in the error', async () => {
    const dir = await tmp();
    const e = await failure({
      cwd: dir,
      env: SDE,
      output: 'o.tar.gz',
      name: 'a',
      version: '1',
      junit: [fixture('junit/malformed-truncated.junit.xml')],
    });
    expect(e.file).toContain('malformed-truncated.junit.xml');
  });

  it('refuses to overwrite without force, and replaces with it', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'o.tar.gz'), 'keep me');
    const opts = {
      cwd: dir,
      env: SDE,
      output: 'o.tar.gz',
      name: 'a',
      version: '1',
      sarif: [fixture('sarif/eslint.sarif')],
    };
    expect((await failure(opts)).code).toBe('OUTPUT_EXISTS');
    expect(await readFile(join(dir, 'o.tar.gz'), 'utf8')).toBe('keep me');
    await collect({ ...opts, force: true });
    expect((await readFile(join(dir, 'o.tar.gz'))).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect((await readdir(dir)).sort()).toEqual(['o.tar.gz']);
  });

  it('fails, writing nothing, when an evidence file changes between collection and writing', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'notes.md'), 'original');
    let changed = false;
    const e = await collect({
      cwd: dir,
      env: SDE,
      output: 'o.tar.gz',
      name: 'a',
      version: '1',
      file: ['notes.md=notes'],
      onProgress: (ev) => {
        if (ev.phase === 'writing' && !changed) {
          changed = true;
          writeFileSync(join(dir, 'notes.md'), 'tampered!');
        }
      },
    }).catch((x: unknown) => x as { code: string });
    expect((e as { code: string }).code).toBe('BLOB_CHANGED_WHILE_WRITING');
    expect((await readdir(dir)).sort()).toEqual(['notes.md']);
  });
});

describe('collect subjects', () => {
  it('names subjects by file name, and files that share one by the fewest path segments that tell them apart', async () => {
    const dir = await tmp();
    await mkdir(join(dir, 'linux'));
    await mkdir(join(dir, 'darwin'));
    await writeFile(join(dir, 'linux', 'app'), 'elf');
    await writeFile(join(dir, 'darwin', 'app'), 'mach-o');
    const ok = await collect({
      cwd: dir,
      env: SDE,
      output: 'o.tar.gz',
      name: 'a',
      version: '1',
      subject: ['linux/app'],
    });
    expect(ok.manifest.subjects.map((s) => s.name)).toEqual(['app']);
    const both = await collect({ cwd: dir, env: SDE, output: 'p.tar.gz', name: 'a', version: '1', subject: ['*/app'] });
    expect(both.manifest.subjects.map((s) => s.name)).toEqual(['darwin/app', 'linux/app']);
    // The same file named twice is one subject.
    const same = await collect({
      cwd: dir,
      env: SDE,
      output: 'q.tar.gz',
      name: 'a',
      version: '1',
      subject: ['linux/app', 'linux/*'],
    });
    expect(same.manifest.subjects.map((s) => s.name)).toEqual(['app']);
  });

  it('names a tree of files with one name in many folders by their folders, deterministically', () => {
    const files = ['/r/a/x/f', '/r/b/x/f', '/r/c/y/f', '/r/c/y/g'].map((file) => ({
      file,
      name: file.split('/').pop() as string,
    }));
    expect(distinctSubjectNames(files).map((f) => f.name)).toEqual(['a/x/f', 'b/x/f', 'c/y/f', 'g']);
    expect(distinctSubjectNames([...files].reverse()).map((f) => f.name)).toEqual(['g', 'c/y/f', 'b/x/f', 'a/x/f']);
  });
});

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../helpers/tmp.js';

/**
 * Package hygiene: what `npm pack` ships installs into an empty project and
 * works there, through its bin and its exports, with nothing from this checkout.
 */
const exec = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const built = existsSync(join(ROOT, 'dist', 'bin', 'evidence.js'));
if (!built) {
  console.warn('SKIPPED: dist/ is absent; npm test builds it (npm run build)');
}

let dir: string;
let files: string[] = [];
beforeAll(async () => {
  if (!built) return;
  dir = await mkdtemp(join(tmpdir(), 'evidence-pack-'));
  const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  const packed = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  files = packed[0]!.files.map((f) => f.path);
  const app = join(dir, 'app');
  await exec('mkdir', ['-p', app]);
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }),
  );
  await exec(
    'npm',
    ['install', '--no-audit', '--no-fund', '--foreground-scripts=false', join(dir, packed[0]!.filename)],
    { cwd: app, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 },
  );
  // And as a user installs it: npm install -g (into a prefix of its own, the cache now warm).
  await exec(
    'npm',
    [
      'install',
      '-g',
      '--prefix',
      join(dir, 'global'),
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--foreground-scripts=false',
      join(dir, packed[0]!.filename),
    ],
    { cwd: dir, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 },
  );
}, 1_260_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!built)('the packed package', () => {
  it('ships dist, the docs and the one-file verifier, and no sources, tests or fixtures', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'dist/bin/evidence.js',
        'dist/cli/bin.js',
        'dist/src/index.js',
        'dist/src/index.d.ts',
        'dist/evidence-verify.mjs',
        'docs/bundle-format.md',
        'dist/src/verifier/public-good-trusted-root.json',
      ]),
    );
    expect(
      files.filter(
        (f) => /^(src|test|cli|scripts|examples|bench)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')),
      ),
    ).toEqual([]);
  });

  it('has bin, exports and files fields that point at what it ships', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
    expect(files).toContain(pkg.bin.evidence.replace(/^\.\//, ''));
    expect(files).toContain(pkg.exports['.'].import.replace(/^\.\//, ''));
    expect(files).toContain(pkg.exports['.'].types.replace(/^\.\//, ''));
  });

  it('npm install -g gives an `evidence` command that answers --version', async () => {
    const { stdout } = await exec(join(dir, 'global', 'bin', 'evidence'), ['--version']);
    expect(stdout).toBe(`${JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')).version}\n`);
  });

  it('npx evidence --help works from the installed package', async () => {
    const { stdout } = await exec('npx', ['--no-install', 'evidence', '--help'], { cwd: join(dir, 'app') });
    expect(stdout).toMatch(/collect/);
    expect(stdout).toMatch(/verify/);
  });

  it('a collect, sign with a key, and verify round trip runs from the installed package', async () => {
    const app = join(dir, 'app');
    const { generateKeyPairSync } = await import('node:crypto');
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await writeFile(join(app, 'key.pem'), pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    await writeFile(join(app, 'pub.pem'), pair.publicKey.export({ format: 'pem', type: 'spki' }));
    await writeFile(join(app, 'app.tgz'), 'artifact');
    await exec(
      'npx',
      [
        '--no-install',
        'evidence',
        'collect',
        '-o',
        'b.tar.gz',
        '--name',
        'c',
        '--version',
        '1',
        '--sbom',
        fixture('sbom/cdx-npm-1.6.cdx.xml'),
        '--junit',
        fixture('junit/pytest.junit.xml'),
        '--subject',
        'app.tgz',
        '--sign',
        '--key',
        'key.pem',
        '-q',
      ],
      { cwd: app },
    );
    const { stdout } = await exec(
      'npx',
      ['--no-install', 'evidence', 'verify', 'b.tar.gz', '--key', 'pub.pem', '--subject', 'app.tgz', '--json'],
      { cwd: app },
    );
    expect(JSON.parse(stdout).ok).toBe(true);
    // The library entry point too.
    await writeFile(
      join(app, 'use.mjs'),
      "import { inspect, PACKAGE_VERSION } from '@evidence-bundle/evidence'; const r = await inspect({ cwd: process.cwd(), bundle: 'b.tar.gz' }); console.log(PACKAGE_VERSION, r.entries.length);",
    );
    const lib = await exec(process.execPath, ['use.mjs'], { cwd: app });
    expect(lib.stdout.trim()).toBe('0.1.0 2');
    expect(await readdir(app)).toContain('b.sigstore.json');
  });
});

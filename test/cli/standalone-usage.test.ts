import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/io.js';
import { fixture } from '../helpers/tmp.js';

const exec = promisify(execFile);
const VERIFIER = new URL('../../dist/evidence-verify.mjs', import.meta.url).pathname;
const built = existsSync(VERIFIER);
if (!built) {
  console.warn('SKIPPED: dist/evidence-verify.mjs is absent; npm test builds it (npm run build)');
}

let dir: string;
beforeAll(async () => {
  if (!built) return;
  // Outside the project, with the files the help's examples name: rel.tar.gz (key-signed, subject
  // dist/acme-web-1.4.2.tgz), release-key.pub.pem, policy.yaml.
  dir = await mkdtemp(join(tmpdir(), 'evidence-standalone-usage-'));
  await mkdir(join(dir, 'dist'));
  await writeFile(join(dir, 'dist', 'acme-web-1.4.2.tgz'), 'artifact');
  const c = await runCli(
    [
      'collect',
      '-o',
      'rel.tar.gz',
      '--name',
      'acme-web',
      '--version',
      '1.4.2',
      '--sarif',
      fixture('sarif/eslint.sarif'),
      '--subject',
      'dist/acme-web-1.4.2.tgz',
      '-q',
    ],
    { cwd: dir, env: { SOURCE_DATE_EPOCH: '1767225600' } },
  );
  expect(c.code, c.stderr).toBe(0);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  await writeFile(join(dir, 'release-key.pem'), privateKey.export({ format: 'pem', type: 'pkcs8' }));
  await writeFile(join(dir, 'release-key.pub.pem'), publicKey.export({ format: 'pem', type: 'spki' }));
  const s = await runCli(['sign', 'rel.tar.gz', '--key', 'release-key.pem'], { cwd: dir });
  expect(s.code, s.stderr).toBe(0);
  await writeFile(join(dir, 'policy.yaml'), 'version: 1\n');
  await copyFile(VERIFIER, join(dir, 'evidence-verify.mjs'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(command, args, {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
const verifier = (args: string[]) => run(process.execPath, ['evidence-verify.mjs', ...args]);

describe.skipIf(!built)("the one-file verifier's --help and -q", () => {
  it('--help shows the usage it accepts, and every example it gives is accepted as written', async () => {
    const help = await verifier(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.split('\n')[0]).toBe('Usage: node evidence-verify.mjs [options] <bundle>');
    const examples = help.stdout
      .split('\n')
      .filter((l) => l.startsWith('  $ '))
      .map((l) => l.slice(4));
    expect(examples.length).toBeGreaterThan(0);
    const codes: Record<string, number> = {};
    for (const example of examples) {
      const [node, ...args] = example.split(' ');
      expect(node).toBe('node');
      const r = await run(process.execPath, args);
      // The command line is accepted (commander's refusals read "error: …"); what is then found of this
      // key-signed bundle (a certificate identity asked for: SIGNER_KIND_MISMATCH, exit 1) is another matter.
      expect(r.stderr, example).not.toMatch(/^error: /m);
      codes[example] = r.code;
    }
    // The examples this bundle can satisfy verify it, as written.
    const keyed = examples.find((e) => e.includes('--key release-key.pub.pem'));
    const integrity = examples.find((e) => e.endsWith('--integrity-only'));
    expect([keyed && codes[keyed], integrity && codes[integrity]]).toEqual([0, 0]);
    // -h is --help, and the help of a run with a bundle too.
    expect((await verifier(['-h'])).stdout).toBe(help.stdout);
    // The usage it shows is the only one: "verify" is not a word it takes.
    const typed = await verifier(['verify', 'rel.tar.gz', '--key', 'release-key.pub.pem']);
    expect([typed.code, /^error: /m.test(typed.stderr)]).toEqual([2, true]);
  });

  it('-q prints the report asked for and nothing on stderr, even while writing a VSA', async () => {
    const loud = await verifier(['rel.tar.gz', '--key', 'release-key.pub.pem', '--vsa', 'loud.vsa.json']);
    expect(loud.code).toBe(0);
    // Without -q, the note that the VSA was written is there: -q has something to silence.
    expect(loud.stderr).not.toBe('');
    const quiet = await verifier([
      'rel.tar.gz',
      '--key',
      'release-key.pub.pem',
      '--subject',
      'dist/acme-web-1.4.2.tgz',
      '-q',
      '--vsa',
      'quiet.vsa.json',
    ]);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toMatch(/^VERIFIED/);
    expect(JSON.parse(await readFile(join(dir, 'quiet.vsa.json'), 'utf8'))).toBeTruthy();
    const json = await verifier(['rel.tar.gz', '--key', 'release-key.pub.pem', '-q', '--json']);
    expect([json.code, json.stderr, JSON.parse(json.stdout).ok]).toEqual([0, '', true]);
  });
});

import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, exitCodeFor } from '../../cli/exit-codes.js';
import { attach } from '../../src/commands/attach.js';
import { diff } from '../../src/commands/diff.js';
import { push } from '../../src/commands/oci.js';
import { sign } from '../../src/commands/sign.js';
import { sha256Hex } from '../../src/core/digest.js';
import { VerifyError } from '../../src/verifier/errors.js';
import { CONTENTS, baselineBlobs, bundleOf, membersOf, parts, writeBaseline } from '../helpers/craft.js';
import { useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

/** A folder with a good bundle and one whose release notes were changed after they were hashed. */
async function bundles(): Promise<string> {
  const dir = await tmp();
  await writeFile(join(dir, 'good.tar.gz'), await writeBaseline());
  const blobs = baselineBlobs();
  blobs.set(sha256Hex(CONTENTS.notes), Buffer.from('# Release notes\n\nNothing to hide here\n'));
  await writeFile(join(dir, 'bad.tar.gz'), bundleOf(membersOf(parts({ blobs }))));
  // attach checks its signature files are present before the bundle itself.
  await writeFile(join(dir, 'bad.sigstore.json'), '{}');
  await writeFile(join(dir, 'bad.intoto.jsonl'), '{}\n');
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await writeFile(join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return dir;
}

async function failure(p: Promise<unknown>): Promise<VerifyError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(VerifyError);
  return e as VerifyError;
}

describe('the integrity gate: nothing is signed, published or compared from a bundle that fails its integrity check', () => {
  // Each refusal is the same verdict on the file whatever the command: BUNDLE_INVALID, exit 1, naming the bundle and
  // the failed check.
  const nowhere = 'http://127.0.0.1:9'; // nothing listens: the gate must refuse before any request
  const cases: [string, (dir: string) => Promise<unknown>, string][] = [
    ['sign', (dir) => sign({ cwd: dir, bundle: 'bad.tar.gz', key: join(dir, 'key.pem') }), 'not signed'],
    [
      'attach',
      (dir) =>
        attach({
          cwd: dir,
          env: { GITHUB_TOKEN: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' },
          bundle: 'bad.tar.gz',
          repo: 'acme/web',
          tag: 'v1',
          apiUrl: nowhere,
        }),
      'not attached',
    ],
    [
      'push',
      (dir) =>
        push({
          cwd: dir,
          bundle: 'bad.tar.gz',
          reference: 'oci://127.0.0.1:9/acme/web:v1',
          registry: { plainHttp: true },
        }),
      'not pushed',
    ],
    ['diff', (dir) => diff({ cwd: dir, old: 'bad.tar.gz', new: 'good.tar.gz' }), 'not compared'],
  ];
  for (const [command, run, refused] of cases) {
    it(`${command} refuses it with BUNDLE_INVALID (exit 1), naming the bundle and the failed check`, async () => {
      const dir = await bundles();
      const e = await failure(run(dir));
      expect(e.code).toBe('BUNDLE_INVALID');
      expect(exitCodeFor(e)).toBe(ExitCode.VerificationFailed);
      expect(e.message).toContain('bad.tar.gz');
      expect(e.message).toContain(refused);
      expect(e.message).toContain('[BLOB_DIGEST_MISMATCH]');
    });
  }

  it('the same commands accept the untouched bundle past the gate', async () => {
    const dir = await bundles();
    // diff of a bundle with itself runs to the end; sign with a key writes the signature files.
    await expect(diff({ cwd: dir, old: 'good.tar.gz', new: 'good.tar.gz' })).resolves.toBeDefined();
    await expect(sign({ cwd: dir, bundle: 'good.tar.gz', key: join(dir, 'key.pem') })).resolves.toBeDefined();
  });
});

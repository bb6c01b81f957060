import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrySkipReason, startRegistry, type RunningRegistry } from '../helpers/registry.js';
import { CONTENTS, baselineBlobs, bundleOf, membersOf, parts } from '../helpers/craft.js';
import { sha256Hex } from '../../src/core/digest.js';

/**
 * push of a large bundle checks its integrity on a thread of its own
 * (src/fs/integrity-thread.ts) while the main thread streams the
 * upload in one PATCH. Only the compiled CLI can start that thread, so this
 * runs dist/bin/evidence.js (the bundled command, whose thread starts from dist/src/fs/integrity-thread.js), with EVIDENCE_INTEGRITY_THREAD_MIN=0 so that a small
 * bundle takes the threaded path too.
 */

const BIN = join(process.cwd(), 'dist', 'bin', 'evidence.js');
const run = (args: string[], cwd: string, env: Record<string, string> = {}) =>
  promisify(execFile)(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: e.code ?? -1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    }),
  );
const THREAD = { EVIDENCE_INTEGRITY_THREAD_MIN: '0' };

if (registrySkipReason) console.warn(`skipping the threaded push test: ${registrySkipReason}`);
if (!existsSync(BIN))
  console.warn(
    'skipping the threaded push test: dist/bin/evidence.js is absent (run npm run build; npm test builds it first)',
  );

describe.skipIf(registrySkipReason !== undefined || !existsSync(BIN))(
  'push with the integrity check on its own thread (compiled CLI, docker-registry)',
  () => {
    let registry: RunningRegistry;
    let dir: string;
    beforeAll(async () => {
      registry = await startRegistry();
      dir = await mkdtemp(join(tmpdir(), 'push-thread-'));
      await writeFile(join(dir, 'big.bin'), randomBytes(5 * 1024 * 1024));
      expect(
        (
          await run(
            ['collect', '-o', 'good.tar.gz', '--name', 'b', '--version', '1', '--file', 'big.bin=raw', '-q'],
            dir,
          )
        ).code,
      ).toBe(0);
      const blobs = baselineBlobs();
      blobs.set(sha256Hex(CONTENTS.notes), Buffer.from('# Release notes\n\nchanged after hashing\n'));
      await writeFile(join(dir, 'bad.tar.gz'), bundleOf(membersOf(parts({ blobs }))));
    }, 60_000);
    afterAll(async () => {
      await registry?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('pushes an intact bundle, which pulls back byte for byte', async () => {
      const ref = `oci://${registry.host}/t/good:1`;
      const pushed = await run(['push', 'good.tar.gz', ref, '--plain-http', '--json'], dir, THREAD);
      expect(pushed.code, pushed.stderr).toBe(0);
      expect(JSON.parse(pushed.stdout)).toMatchObject({
        blob: 'uploaded',
        bundleDigest: `sha256:${sha256Hex(await readFile(join(dir, 'good.tar.gz')))}`,
      });
      expect((await run(['pull', ref, '-o', 'back.tar.gz', '--plain-http'], dir)).code).toBe(0);
      expect((await readFile(join(dir, 'back.tar.gz'))).equals(await readFile(join(dir, 'good.tar.gz')))).toBe(true);
    }, 60_000);

    it('sign checks on its thread while it copies: an intact bundle is signed and verifies; a damaged one is refused and left as it was', async () => {
      const { generateKeyPairSync } = await import('node:crypto');
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      await writeFile(join(dir, 'k.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
      await writeFile(join(dir, 'k.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
      const { copyFile } = await import('node:fs/promises');
      await copyFile(join(dir, 'good.tar.gz'), join(dir, 'to-sign.tar.gz'));
      const signed = await run(['sign', 'to-sign.tar.gz', '--key', 'k.pem', '--no-standard-attestations'], dir, THREAD);
      expect(signed.code, signed.stderr).toBe(0);
      const verified = await run(['verify', 'to-sign.tar.gz', '--key', 'k.pub.pem'], dir);
      expect(verified.code, verified.stdout + verified.stderr).toBe(0);
      const before = await readFile(join(dir, 'bad.tar.gz'));
      const refused = await run(['sign', 'bad.tar.gz', '--key', 'k.pem'], dir, THREAD);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('[BUNDLE_INVALID]');
      expect((await readFile(join(dir, 'bad.tar.gz'))).equals(before)).toBe(true);
    }, 60_000);

    it('a large bundle damaged near its start fails the check before it is read through: exit 1 with BUNDLE_INVALID, no crash, nothing left half-written, on the thread and inline', async () => {
      const { readdir } = await import('node:fs/promises');
      await writeFile(join(dir, 'large.bin'), randomBytes(20 * 1024 * 1024));
      expect(
        (
          await run(
            ['collect', '-o', 'large.tar.gz', '--name', 'l', '--version', '1', '--file', 'large.bin=raw', '-q'],
            dir,
          )
        ).code,
      ).toBe(0);
      const bytes = await readFile(join(dir, 'large.tar.gz'));
      for (let i = 40; i < 80; i++) bytes[i] = (bytes[i] as number) ^ 0xff;
      await writeFile(join(dir, 'early.tar.gz'), bytes);
      for (const env of [THREAD, { EVIDENCE_INTEGRITY_THREAD_MIN: '999999999999' }]) {
        const pushed = await run(
          ['push', 'early.tar.gz', `oci://${registry.host}/t/early:1`, '--plain-http'],
          dir,
          env,
        );
        expect(
          [pushed.code, pushed.stderr.includes('[BUNDLE_INVALID]'), pushed.stderr.includes('    at ')],
          pushed.stderr,
        ).toEqual([1, true, false]);
        const signed = await run(['sign', 'early.tar.gz', '--key', 'k.pem'], dir, env);
        expect(
          [signed.code, signed.stderr.includes('[BUNDLE_INVALID]'), signed.stderr.includes('    at ')],
          signed.stderr,
        ).toEqual([1, true, false]);
        expect((await readFile(join(dir, 'early.tar.gz'))).equals(bytes)).toBe(true);
        expect((await readdir(dir)).filter((f) => f.endsWith('.partial'))).toEqual([]);
      }
    }, 120_000);

    it('refuses a bundle that fails its integrity check (BUNDLE_INVALID, exit 1), and the tag is never made', async () => {
      const ref = `oci://${registry.host}/t/bad:1`;
      const r = await run(['push', 'bad.tar.gz', ref, '--plain-http'], dir, THREAD);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('[BUNDLE_INVALID]');
      expect(r.stderr).toContain('[BLOB_DIGEST_MISMATCH]');
      const pulled = await run(['pull', ref, '-o', 'nothing.tar.gz', '--plain-http'], dir);
      expect(pulled.code).toBe(2);
      expect(existsSync(join(dir, 'nothing.tar.gz'))).toBe(false);
    }, 60_000);
  },
);
